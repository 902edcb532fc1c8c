"""Bid sheets and the award workbook: an event's lots downloaded as XLSX, filled in with openpyxl
as a vendor would, uploaded back all or nothing; and an approved award as one sheet per vendor.

The `sourcing` event (tests/app/test_events.py) has two lots of buyer X, each 1,000 units over
2027: "Labelling" bought per hour and "Invoices" per item; vendors A and B are invited, C not.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.events.models import Bid, EventVendor
from procure.extensions import db
from tests.app.test_award_scenarios import _approved, _scenario
from tests.app.test_award_scenarios import awarding as awarding  # noqa: F401 (a fixture)
from tests.app.test_events import FUTURE, _past_deadline, _published
from tests.app.test_events import sourcing as sourcing  # noqa: F401 (a fixture)
from tests.conftest import csrf_token_from

HEADER = [
    "lot id",
    "need",
    "unit",
    "volume",
    "period",
    "price",
    "currency",
    "hours per unit",
    "capacity",
    "valid until",
    "comment",
]
VALID_UNTIL = (FUTURE + timedelta(days=60)).date()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(client, headers, event_id):
    response = client.get(f"/api/v1/events/{event_id}/bid-sheet.xlsx", headers=headers)
    assert response.status_code == 200, response.text
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def _fill(workbook) -> None:
    """Vendor A's figures: Labelling 13.579 USD an hour, 24,680 hours; Invoices 61.25 KES an
    item, 0.05 hours an item, 12,000 items. The comment starts like a formula."""
    sheet = workbook["Bids"]
    first = (13.579, "USD", 1, 24680, VALID_UNTIL, "-2 shifts at weekends")
    for column, value in zip("FGHIJK", first, strict=True):
        sheet[f"{column}2"] = value
    second = (61.25, "KES", 0.05, 12000, VALID_UNTIL.isoformat())
    for column, value in zip("FGHIJ", second, strict=True):
        sheet[f"{column}3"] = value


def _post_sheet(client, url, workbook, headers=None, **form):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        url,
        headers=headers or {},
        data={**form, "file": (io.BytesIO(buffer.getvalue()), "bids.xlsx")},
        content_type="multipart/form-data",
    )


def _upload(client, headers, event_id, workbook):
    return _post_sheet(client, f"/api/v1/events/{event_id}/bid-sheet", workbook, headers)


def _stored(vendor) -> list[tuple]:
    db.session.expire_all()
    return [
        (b.lot.title, b.price, b.currency, b.unit, b.hours_per_unit, b.capacity, b.valid_until)
        + (b.comment, b.version)
        for b in db.session.scalars(
            select(Bid).where(Bid.vendor_id == vendor.id).order_by(Bid.lot_id)
        )
    ]


def _filled_once(client, s) -> dict:
    event = _published(client, s)
    workbook = _sheet(client, s.headers["vendor_a"], event["id"])
    _fill(workbook)
    placed = _upload(client, s.headers["vendor_a"], event["id"], workbook)
    assert placed.status_code == 200, placed.json
    return event


def test_a_sheet_round_trips_to_the_bids_and_back(client, sourcing):
    s = sourcing
    event = _published(client, s)
    workbook = _sheet(client, s.headers["vendor_a"], event["id"])
    sheet = workbook["Bids"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    period = "2027-01-01 to 2027-12-31"
    assert rows[1:] == [
        [event["lots"][0]["id"], "Labelling", "hour", 1000, period, *[None] * 6],
        [event["lots"][1]["id"], "Invoices", "item", 1000, period, *[None] * 6],
    ]
    assert sheet.column_dimensions["A"].hidden and sheet.protection.sheet
    assert sheet["A2"].protection.locked and not sheet["F2"].protection.locked
    assert workbook.sheetnames == ["Bids", "How to fill"]

    _fill(workbook)
    placed = _upload(client, s.headers["vendor_a"], event["id"], workbook)
    assert placed.status_code == 200, placed.json
    assert placed.json | {"bid_ids": []} == {
        "placed": 2,
        "amended": 0,
        "unchanged": 0,
        "bid_ids": [],
    }
    assert _stored(s.vendors["a"]) == [
        (
            "Labelling",
            Decimal("13.579"),
            "USD",
            "hour",
            1.0,
            24680.0,
            VALID_UNTIL,
            "-2 shifts at weekends",
            1,
        ),
        ("Invoices", Decimal("61.25"), "KES", "item", 0.05, 12000.0, VALID_UNTIL, None, 1),
    ]
    # the same service as the form and the API: one bid.place audit event a bid
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "Bid")
    ).all()
    assert actions == ["bid.place", "bid.place"]

    # downloaded again: the vendor's own figures, the comment escaped against formulas
    again = _sheet(client, s.headers["vendor_a"], event["id"])["Bids"]
    assert [c.value for c in again[2]][5:] == [
        13.579,
        "USD",
        1,
        24680,
        VALID_UNTIL.isoformat(),
        "'-2 shifts at weekends",
    ]
    assert [c.value for c in again[3]][5:] == [
        61.25,
        "KES",
        0.05,
        12000,
        VALID_UNTIL.isoformat(),
        None,
    ]
    # one figure changed: that bid is amended (version 2), the other is left alone
    again["I3"] = 15000
    amended = _upload(client, s.headers["vendor_a"], event["id"], again.parent)
    assert amended.status_code == 200, amended.json
    assert (amended.json["placed"], amended.json["amended"], amended.json["unchanged"]) == (0, 1, 1)
    stored = _stored(s.vendors["a"])
    assert [(row[5], row[8]) for row in stored] == [(24680.0, 1), (15000.0, 2)]
    assert stored[0][1] == Decimal("13.579")

    # the buyer's sheet is blank, and vendor B's holds none of A's figures
    for reader in ("buyer_x", "executive_x", "vendor_b"):
        blank = _sheet(client, s.headers[reader], event["id"])["Bids"]
        assert [[c.value for c in row][5:] for row in blank.iter_rows(min_row=2)] == [
            [None] * 6,
            [None] * 6,
        ], reader
    # closed, the buyer's sheet is still the blank one: the bids are on the event's page
    _past_deadline(event["id"])
    closed = client.post(
        f"/api/v1/events/{event['id']}/close",
        headers=s.headers["buyer_x"],
        json={"version": event["version"]},
    )
    assert closed.status_code == 200
    blank = _sheet(client, s.headers["buyer_x"], event["id"])["Bids"]
    assert all(c.value is None for row in blank.iter_rows(min_row=2, min_col=6) for c in row)


def _header_changed(sheet, event):
    sheet["F1"] = "cost"


def _extra_lot(sheet, event):
    sheet.append([999_999, "Extra", "hour", 5, "", 9, "USD", 1, 10, VALID_UNTIL])


def _text_price(sheet, event):
    sheet["F3"] = "twelve"


def _zero_price(sheet, event):
    sheet["F2"] = 0


def _other_unit(sheet, event):
    sheet["C2"] = "item"


def _same_lot_twice(sheet, event):
    sheet["A3"] = event["lots"][0]["id"]


BAD_SHEETS = [
    (_header_changed, "row 1, column price", "The header reads 'cost' in column F"),
    (_extra_lot, "row 4, column lot id", "No lot 999999 in this event"),
    (_text_price, "row 3, column price", "'twelve' is not a number: write a number above 0."),
    (_zero_price, "row 2, column price", "The price must be above 0."),
    (_other_unit, "row 2, column unit", "This lot is bought per hour: bid per hour."),
    (_same_lot_twice, "row 3, column lot id", "The lot 'Labelling' is on row 2 already."),
]


@pytest.mark.parametrize(("spoil", "where", "message"), BAD_SHEETS)
def test_a_bad_sheet_is_refused_whole_naming_the_row_and_column(
    client, sourcing, spoil, where, message
):
    s = sourcing
    event = _filled_once(client, s)
    before = _stored(s.vendors["a"])
    workbook = _sheet(client, s.headers["vendor_a"], event["id"])
    workbook["Bids"]["F2"] = 99.5  # a change that would be saved, were the sheet good
    spoil(workbook["Bids"], event)
    refused = _upload(client, s.headers["vendor_a"], event["id"], workbook)
    assert refused.status_code == 422, refused.json
    assert message in " ".join(refused.json["errors"][where]), refused.json["errors"]
    assert refused.json["message"].startswith("Nothing was saved")
    assert _stored(s.vendors["a"]) == before
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "bid.amend"))
        == 0
    )


def test_a_sheet_after_the_deadline_is_refused_whole(client, sourcing):
    s = sourcing
    event = _filled_once(client, s)
    before = _stored(s.vendors["a"])
    workbook = _sheet(client, s.headers["vendor_a"], event["id"])
    workbook["Bids"]["F2"] = 99.5
    _past_deadline(event["id"])
    late = _upload(client, s.headers["vendor_a"], event["id"], workbook)
    assert late.status_code == 409 and "deadline" in late.json["errors"]
    assert _stored(s.vendors["a"]) == before


def test_who_downloads_and_uploads_a_bid_sheet(client, sourcing):
    """The invited vendors and the buyer side download; only an invited vendor uploads; another
    organization and a vendor not invited get 404; other roles 403. Nothing is saved by them."""
    s = sourcing
    event = _published(client, s)
    url = f"/api/v1/events/{event['id']}/bid-sheet"
    workbook = _sheet(client, s.headers["vendor_b"], event["id"])
    _fill(workbook)
    expected = {
        "buyer_x": (200, 403),
        "executive_x": (200, 403),
        "admin_x": (200, 403),
        "vendor_b": (200, None),
        "admin_vendor_b": (200, None),
        "vendor_c": (404, 404),
        "buyer_y": (404, 403),
        "executive_y": (404, 403),
        "operator": (403, 403),
        "assurer": (403, 403),
    }
    for actor, (read, write) in expected.items():
        got = client.get(f"{url}.xlsx", headers=s.headers[actor]).status_code
        assert got == read, actor
        if write is not None:
            assert _upload(client, s.headers[actor], event["id"], workbook).status_code == write
    assert client.get(f"{url}.xlsx").status_code == 401
    assert db.session.scalar(select(func.count(Bid.id))) == 0
    assert _upload(client, s.headers["vendor_b"], event["id"], workbook).status_code == 200
    assert db.session.scalar(select(func.count(Bid.id))) == 2


def test_the_event_page_links_the_sheet_and_takes_an_upload(app, sourcing, sign_in):
    s = sourcing
    event = _published(app.test_client(), s)
    buyer = app.test_client()
    sign_in(buyer, s.users["buyer_x"])
    page = buyer.get(f"/events/{event['id']}").text
    assert "Download the bid sheet (Excel)" in page and "Upload your bids" not in page

    vendor = app.test_client()
    sign_in(vendor, s.users["vendor_a"])
    page = vendor.get(f"/events/{event['id']}").text
    assert "Download the bid sheet (Excel)" in page and "Upload your bids" in page
    token = csrf_token_from(page)
    workbook = _sheet(vendor, {}, event["id"])
    _fill(workbook)
    workbook["Bids"]["F3"] = "twelve"
    url = f"/events/{event['id']}/bid-sheet"
    refused = _post_sheet(vendor, url, workbook, csrf_token=token)
    assert refused.status_code == 422
    assert "Row 3, column price" in refused.text and "is not a number" in refused.text
    assert db.session.scalar(select(func.count(Bid.id))) == 0
    workbook["Bids"]["F3"] = 61.25
    saved = _post_sheet(vendor, url, workbook, csrf_token=token)
    assert saved.status_code == 302
    assert "2 new bid(s), 0 amended" in vendor.get(saved.headers["Location"]).text
    assert db.session.scalar(select(func.count(Bid.id))) == 2


# ---------------------------------------------------------------- the award workbook


def test_the_award_exports_one_sheet_per_vendor_with_hand_checked_totals(
    app, client, awarding, sign_in
):
    """The approved plan (tests/app/test_award_scenarios.py's golden case): A 600 hours of
    Labelling at 10 USD; B 400 hours of Labelling at 12 USD and 2,000 items of Invoices at
    50 KES. Totals: A 600 x 10 = 6,000 USD; B 400 x 12 = 4,800 USD and 2,000 x 50 = 100,000
    KES (its own currency, unconverted)."""
    s = awarding
    url = f"/api/v1/events/{s.event_id}/award.xlsx"
    scenario = _scenario(client, s).json
    early = client.get(url, headers=s.headers["buyer_x"])
    assert early.status_code == 409 and "no award yet" in early.json["message"]
    assert _approved(client, s, scenario["id"]).status_code == 200

    response = client.get(url, headers=s.headers["executive_x"])
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Vendor A", "Vendor B", "Invited vendors"]
    period = "2027-01-01 to 2027-12-31"
    header = ["Need", "Volume", "Unit", "Price per unit", "Currency", "Period", "Total"]

    def rows(name):
        return [[cell.value for cell in row] for row in workbook[name].iter_rows()]

    assert rows("Vendor A") == [
        header,
        ["Labelling", pytest.approx(600), "hour", 10, "USD", period, pytest.approx(6000)],
        ["Total", None, None, None, "USD", None, pytest.approx(6000)],
    ]
    assert rows("Vendor B") == [
        header,
        ["Labelling", pytest.approx(400), "hour", 12, "USD", period, pytest.approx(4800)],
        ["Invoices", pytest.approx(2000), "item", 50, "KES", period, pytest.approx(100_000)],
        ["Total", None, None, None, "USD", None, pytest.approx(4800)],
        ["Total", None, None, None, "KES", None, pytest.approx(100_000)],
    ]
    # the buyer side only: the vendors are refused, another organization does not see it
    for actor, status in (
        ("buyer_x", 200),
        ("admin_x", 200),
        ("vendor_a", 403),
        ("vendor_b", 403),
        ("admin_vendor_b", 403),
        ("buyer_y", 404),
        ("executive_y", 404),
    ):
        assert client.get(url, headers=s.headers[actor]).status_code == status, actor
    # the event's page links it for the buyer side, not for a vendor
    for actor, linked in (("executive_x", True), ("vendor_a", False)):
        browser = app.test_client()
        sign_in(browser, s.users[actor])
        page = browser.get(f"/events/{s.event_id}").text
        assert ("Download the award (Excel" in page) is linked, actor


def test_the_award_workbook_lists_every_invited_vendor_with_what_it_bid_and_won(client, awarding):
    """Invited: A and B (each bid on both lots; A won lot 1, B both), C (bid on lot 1 alone, left
    out without a disclosure: 0 awarded) and Z, invited here by hand, which never bid (0 and
    0). Every invited vendor is listed, by name; the vendors' own sheets stay as they were."""
    s = awarding
    db.session.add(EventVendor(event_id=s.event_id, vendor_id=s.vendors["z"].id))
    db.session.commit()
    assert _approved(client, s, _scenario(client, s).json["id"]).status_code == 200
    response = client.get(f"/api/v1/events/{s.event_id}/award.xlsx", headers=s.headers["buyer_x"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Vendor A", "Vendor B", "Invited vendors"]
    assert [list(row) for row in workbook["Invited vendors"].iter_rows(values_only=True)] == [
        ["Vendor", "Bid", "Lots bid on", "Lots awarded"],
        ["Vendor A", "yes", 2, 1],
        ["Vendor B", "yes", 2, 2],
        ["Vendor C", "yes", 1, 0],
        ["Vendor Z", "no", 0, 0],
    ]


def test_an_award_of_no_volume_still_lists_the_invited_vendors():
    """No vendor awarded volume: the workbook is the one sheet of invited vendors."""
    from procure.awards.services import InvitedStanding
    from procure.awards.workbook import award_workbook

    content = award_workbook("Empty", [], [InvitedStanding(1, "Vendor A", 0, 0)])
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Invited vendors"]
    assert list(workbook["Invited vendors"].iter_rows(values_only=True))[1] == (
        "Vendor A",
        "no",
        0,
        0,
    )


def test_the_award_sheet_names_are_valid_and_unique():
    from procure.awards.workbook import _sheet_name

    taken: set[str] = set()
    names = [_sheet_name(n, taken) for n in ("A/B: [Kenya]?", "A B  Kenya", "x" * 40, "x" * 40)]
    assert names[0] == "A B   Kenya" and names[1] == "A B  Kenya"
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)"


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "bids.xlsx"), (b"lot id,price\n1,9\n", "bids.xlsx"), (b"lot id,price\n", "bids.csv")],
)
def test_an_unreadable_upload_names_the_file_and_saves_nothing(client, sourcing, content, name):
    """An empty file, a CSV renamed .xlsx and a CSV: 422 naming `file`, the bids unchanged."""
    s = sourcing
    event = _filled_once(client, s)
    before = _stored(s.vendors["a"])
    refused = client.post(
        f"/api/v1/events/{event['id']}/bid-sheet",
        headers=s.headers["vendor_a"],
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == ["file"]
    assert _stored(s.vendors["a"]) == before


def test_the_award_workbook_totals_equal_the_award_api(client, awarding):
    """Each vendor's sheet total per currency is the sum of its lines' `amount` in the API."""
    s = awarding
    assert _approved(client, s, _scenario(client, s).json["id"]).status_code == 200
    api = client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers["buyer_x"]).json
    expected: dict[tuple[str, str], float] = {}
    for line in api["lines"]:
        key = (line["vendor"], line["currency"])
        expected[key] = expected.get(key, 0.0) + line["amount"]
    response = client.get(f"/api/v1/events/{s.event_id}/award.xlsx", headers=s.headers["buyer_x"])
    workbook = load_workbook(io.BytesIO(response.data))
    totals = {
        (sheet.title, row[4]): row[6]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row[0] == "Total"
    }
    assert totals == expected
    assert expected == {
        ("Vendor A", "USD"): 6000,
        ("Vendor B", "USD"): 4800,
        ("Vendor B", "KES"): 100_000,
    }


def test_another_organizations_admin_reads_no_sheet_and_no_award(
    client, awarding, make_user, bearer
):
    """Buyer Y's admin: 404 on X's bid sheet and award workbook; vendor Z (not invited): 404 on
    the sheet, 403 on the workbook (the buyer side's only); nothing is saved."""
    s = awarding
    assert _approved(client, s, _scenario(client, s).json["id"]).status_code == 200
    admin_y = bearer(make_user("admin", organization=s.users["buyer_y"].organization))
    bids = db.session.scalar(select(func.count(Bid.id)))
    base = f"/api/v1/events/{s.event_id}"
    for headers, sheet, award in ((admin_y, 404, 404), (s.headers["vendor_z"], 404, 403)):
        assert client.get(f"{base}/bid-sheet.xlsx", headers=headers).status_code == sheet
        assert client.get(f"{base}/award.xlsx", headers=headers).status_code == award
        posted = client.post(
            f"{base}/bid-sheet",
            headers=headers,
            data={"file": (io.BytesIO(b""), "bids.xlsx")},
            content_type="multipart/form-data",
        )
        assert posted.status_code in (403, 404)
    assert db.session.scalar(select(func.count(Bid.id))) == bids
