"""Rank bands: once an event is awarded, a bidder given no volume reads where its own price stood
on each lot it bid on, when the buyer chose so (`show_rank_bands`), and nothing of anyone else.

The award is recorded from hand-made scenario documents (procure.awards.services.record_award,
as an executive's approval calls it): the bands do not depend on how the scenario solved.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from procure.awards.models import Award
from procure.awards.services import rank_band, record_award
from procure.events.models import Bid
from procure.extensions import db
from procure.scenarios.models import Scenario
from tests.app.test_coalitions import _statements
from tests.app.test_events import _bid, _past_deadline, _published
from tests.app.test_events import sourcing as sourcing  # noqa: F401 (a fixture)

# lot 1 (Labelling, per hour), USD: A 91.37, B 100.59 (awarded), C 100.59 (tied with B),
# D 130.71, E 150.83; lot 2 (Invoices, per item): A, B and C only
LOT_1_PRICES = {"a": 91.37, "b": 100.59, "c": 100.59, "d": 130.71, "e": 150.83}
LOT_2_PRICES = {"a": 2.71, "b": 2.93, "c": 3.17}
EVERY_PRICE = ("91.37", "100.59", "130.71", "150.83", "2.71", "2.93", "3.17")
# a moment as the API writes it (2027-01-05T12:00:02.931713+00:00): its seconds and microseconds
# may hold a price's digits ("2.93"), and are no price
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def _prices_in(text: str, prices=EVERY_PRICE) -> list[str]:
    """The prices of `prices` that `text` holds, its timestamps left aside."""
    bare = TIMESTAMP.sub("", text)
    return [price for price in prices if price in bare]


def test_a_timestamp_is_no_price_and_a_price_beside_one_is_found():
    moment = '"awarded_at": "2027-01-05T12:00:02.931713+00:00"'
    assert "2.93" in moment and _prices_in(moment) == []
    assert _prices_in('{"price": 2.93, ' + moment + "}") == ["2.93"]
    assert _prices_in('{"amount": 100.59}') == ["100.59"]


@pytest.mark.parametrize(
    ("count", "bands"),
    [
        # halves, 4 bids: floor(2 x (r - 1) / 4) = 0, 0, 1, 1
        (4, "LLHH"),
        # halves, 7 bids: floor(2 x (r - 1) / 7) = 0, 0, 0, 0, 1, 1, 1 (0: 0/7 2/7 4/7 6/7)
        (7, "LLLLHHH"),
        # quarters, 9 bids: floor(4 x (r - 1) / 9) = 0 0 0 1 1 2 2 3 3 (r - 1 = 0..8: 0, 4/9,
        # 8/9, 12/9, 16/9, 20/9, 24/9, 28/9, 32/9)
        (9, "111223344"),
    ],
)
def test_the_bands_span_two_positions_at_least_hand_checked(count, bands):
    names = {
        "L": "the lower-priced half",
        "H": "the higher-priced half",
        "1": "the lowest-priced quarter",
        "2": "the second-lowest-priced quarter",
        "3": "the second-highest-priced quarter",
        "4": "the highest-priced quarter",
    }
    assert [rank_band(rank, count) for rank in range(1, count + 1)] == [names[b] for b in bands]


def test_fewer_than_four_bids_have_no_band():
    assert [rank_band(rank, count) for count in (1, 2, 3) for rank in range(1, count + 1)] == [
        None
    ] * 6


def _awarded(client, s, make_vendor, bearer, **changes) -> dict:
    """An event of both lots inviting A to E, bid as above, closed and awarded: lot 1 all to B,
    lot 2 all to A (so C, D and E won nothing)."""
    for letter in "de":
        if letter in s.vendors:  # an event before this one made them
            continue
        s.vendors[letter], s.users[f"vendor_{letter}"] = make_vendor(f"Vendor {letter.upper()}")
        s.headers[f"vendor_{letter}"] = bearer(s.users[f"vendor_{letter}"])
    event = _published(
        client, s, vendor_ids=[vendor.id for vendor in s.vendors.values()], **changes
    )
    lot_1, lot_2 = (lot["id"] for lot in event["lots"])
    bids = [(lot_1, letter, price, {}) for letter, price in LOT_1_PRICES.items()]
    bids += [
        (lot_2, letter, price, {"unit": "item", "hours_per_unit": 0.05})
        for letter, price in LOT_2_PRICES.items()
    ]
    for lot_id, letter, price, extra in bids:
        placed = client.post(
            f"/api/v1/events/{event['id']}/bids",
            headers=s.headers[f"vendor_{letter}"],
            json=_bid(lot_id, price=price, **extra),
        )
        assert placed.status_code == 201, placed.json
    _past_deadline(event["id"])
    closed = client.post(
        f"/api/v1/events/{event['id']}/close",
        headers=s.headers["buyer_x"],
        json={"version": event["version"]},
    )
    assert closed.status_code == 200, closed.json
    bid_ids = {
        (bid.lot_id, bid.vendor_id): bid.id
        for bid in db.session.scalars(select(Bid).where(Bid.event_id == event["id"]))
    }
    won = [(lot_1, s.vendors["b"].id, 1000.0), (lot_2, s.vendors["a"].id, 1000.0)]
    problem = {
        "offers": [
            {"id": f"B{bid_ids[lot, vendor]}", "source": "bid", "bid_id": bid_ids[lot, vendor]}
            for lot, vendor, _ in won
        ]
    }
    result = {
        "allocations": [
            {"offer": f"B{bid_ids[lot, vendor]}", "volume": volume} for lot, vendor, volume in won
        ]
    }
    scenario = Scenario(
        organization_id=s.users["buyer_x"].organization_id,
        name="Award",
        need_ids=s.need_ids,
        event_id=event["id"],
        status="approved",
    )
    db.session.add(scenario)
    db.session.flush()
    record_award(event["id"], scenario.id, problem, result, s.users["executive_x"])
    db.session.commit()
    return event


def _bands(client, s, event, who) -> list[dict]:
    response = client.get(f"/api/v1/events/{event['id']}/award", headers=s.headers[who])
    assert response.status_code == 200, response.json
    return response.json["rank_bands"]


def test_the_golden_case_each_losing_vendor_reads_its_own_band(
    app, client, sourcing, make_vendor, bearer, sign_in
):
    """Lot 1 has 5 comparable bids: halves, band floor(2 x (r - 1) / 5). A 91.37 ranks 1 (band
    0: lower); C 100.59 ranks 2, tied with B (1 cheaper: band floor(2/5) = 0: lower); D 130.71
    ranks 4 (3 cheaper: floor(6/5) = 1: higher); E 150.83 ranks 5 (floor(8/5) = 1: higher).
    Lot 2 has 3 bids: no band. A and B won volume: they read no band at all."""
    s = sourcing
    event = _awarded(client, s, make_vendor, bearer, show_rank_bands=True)
    lot_1, lot_2 = (lot["id"] for lot in event["lots"])
    assert _bands(client, s, event, "vendor_c") == [
        {"lot_id": lot_1, "lot": "Labelling", "bids": 5, "band": "the lower-priced half"},
        {"lot_id": lot_2, "lot": "Invoices", "bids": None, "band": None},
    ]
    assert _bands(client, s, event, "vendor_d") == [
        {"lot_id": lot_1, "lot": "Labelling", "bids": 5, "band": "the higher-priced half"}
    ]
    assert _bands(client, s, event, "vendor_e")[0]["band"] == "the higher-priced half"
    # the winners (A also was the cheapest on lot 1) and the buyer side read no band
    for who in ("vendor_a", "vendor_b", "buyer_x", "executive_x"):
        assert _bands(client, s, event, who) == []

    # no answer holds any price (a losing vendor has no award line), nor another vendor's name;
    # the award's moment is set to one whose digits read "2.93": it is not taken for a price
    award = db.session.scalars(select(Award).where(Award.event_id == event["id"])).one()
    award.awarded_at = award.awarded_at.replace(second=2, microsecond=931713)
    db.session.commit()
    for who in ("vendor_c", "vendor_d", "vendor_e"):
        answer = client.get(f"/api/v1/events/{event['id']}/award", headers=s.headers[who])
        assert "2.931713" in answer.get_data(as_text=True)
        assert _prices_in(answer.get_data(as_text=True)) == []
        assert "Vendor" not in answer.get_data(as_text=True)
    # the event's page says the same in words to C, and shows no other vendor's figures
    page = _page(app, sign_in, s, f"/events/{event['id']}", "vendor_c")
    assert "Labelling: your price was in the lower-priced half of the 5 bids compared." in page
    assert "Invoices: fewer than 4 bids could be compared, so no band is shown." in page
    # its own bids (100.59, 3.17) are on its page; nobody else's (B's 100.59 is C's figure too)
    others = [price for price in EVERY_PRICE if price not in ("100.59", "3.17")]
    assert _prices_in(page, others) == []
    for name in ("Vendor A", "Vendor B", "Vendor D", "Vendor E"):
        assert name not in page
    # and its home page, with the event's name
    home = _page(app, sign_in, s, "/", "vendor_c")
    assert (
        "Annotation 2027</a>, Labelling: your price was in the lower-priced half of the 5 bids "
        "compared." in home
    )
    assert _prices_in(home) == []
    # the winners' home pages list their awards, not bands
    assert 'id="home-rank-bands"' not in _page(app, sign_in, s, "/", "vendor_a")


def _page(app, sign_in, s, path, who) -> str:
    reader = sign_in(app.test_client(), s.users[who])
    response = reader.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_with_the_setting_off_nobody_reads_a_band(
    app, client, sourcing, make_vendor, bearer, sign_in
):
    s = sourcing
    event = _awarded(client, s, make_vendor, bearer)
    assert event["show_rank_bands"] is False
    for who in ("vendor_c", "vendor_d", "vendor_e"):
        assert _bands(client, s, event, who) == []
    assert 'id="rank-bands"' not in _page(app, sign_in, s, f"/events/{event['id']}", "vendor_d")
    assert 'id="home-rank-bands"' not in _page(app, sign_in, s, "/", "vendor_d")


def test_another_organization_reads_nothing_and_bad_input_names_the_field(
    client, sourcing, make_vendor, bearer
):
    s = sourcing
    event = _awarded(client, s, make_vendor, bearer, show_rank_bands=True)
    _, outsider_user = make_vendor("Vendor Outside")
    for headers in (bearer(outsider_user), s.headers["buyer_y"]):
        response = client.get(f"/api/v1/events/{event['id']}/award", headers=headers)
        assert response.status_code == 404
        assert "rank_bands" not in response.get_data(as_text=True)

    refused = client.post(
        "/api/v1/events",
        headers=s.headers["buyer_x"],
        json={
            "title": "Bad",
            "need_ids": s.need_ids,
            "vendor_ids": [s.vendors["a"].id],
            "deadline": event["deadline"],
            "show_rank_bands": "perhaps",
        },
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["show_rank_bands"]


def test_the_home_page_reads_the_bids_of_all_its_awards_at_once(
    app, client, sourcing, make_vendor, bearer, sign_in
):
    """Vendor C's home page shows its band on each awarded event (lot 1: the lower-priced
    half, as in the golden case); it sends as many SQL statements for five awards as for one:
    the awards' bids are read in one query, not one per award."""
    s = sourcing
    reader = sign_in(app.test_client(), s.users["vendor_c"])
    band = "Labelling: your price was in the lower-priced half of the 5 bids compared."

    def home() -> tuple[int, str]:
        pages: list[str] = []

        def read() -> None:
            response = reader.get("/")
            assert response.status_code == 200
            pages.append(response.get_data(as_text=True))

        return _statements(read), pages[0]

    _awarded(client, s, make_vendor, bearer, show_rank_bands=True)
    one, page = home()
    assert page.count(band) == 1
    for _ in range(4):
        _awarded(client, s, make_vendor, bearer, show_rank_bands=True)
    five, page = home()
    assert page.count(band) == 5
    assert five == one
