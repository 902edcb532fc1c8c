"""A vendor withdraws from one lot and stays in the others: the buyer side reads "withdrawn from
lot X on ..." for that lot only (page and API), and the award scenario leaves out that lot's bid
only.

The `awarding` world (tests/app/test_award_scenarios.py): its golden case costs 11,574 USD with
B's KES bid winning lot 2 (0.387 USD an item). Here a second event takes the same bids and B
withdraws from lot 2 only.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procure.events.models import LotWithdrawal
from procure.extensions import db
from tests.app.test_award_scenarios import (
    _bid,
    _close,
    _documents,
    _event,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through request)
)


def test_a_vendor_withdraws_from_one_lot_and_the_award_leaves_out_that_bid_only(
    client, request, sign_in
):
    """Lot 1 (1,000 hours): A's 10 USD bid takes its 600-hour cap, B at 12 USD the other 400:
        600 x 10 + 400 x 12 = 10,800 USD.
    Lot 2 (2,000 items): B withdrew from it, so A's 0.50 USD takes all: 2,000 x 0.50 = 1,000.
    Total 11,800 USD (against the golden case's 11,574 with B's lot-2 bid)."""
    s = request.getfixturevalue("awarding")
    event = _event(client, s, title="Annotation 2027, second round")
    a, b = s.headers["vendor_a"], s.headers["vendor_b"]
    bids = {
        ("a", 1): _bid(client, a, event, 1, price=10, capacity=600),
        ("b", 1): _bid(client, b, event, 1, price=12, capacity=5000),
        ("a", 2): _bid(client, a, event, 2, price=0.5, hours_per_unit=0.05, capacity=10000),
        ("b", 2): _bid(
            client, b, event, 2, price=50, currency="KES", hours_per_unit=0.04, capacity=10000
        ),
    }
    withdrawn = client.post(f"/api/v1/bids/{bids['b', 2]}/withdraw", headers=b, json={"version": 1})
    assert withdrawn.status_code == 204
    row = db.session.scalars(select(LotWithdrawal)).one()
    lot_1, lot_2 = event["lots"]
    assert (row.lot_id, row.vendor_id) == (lot_2["id"], s.vendors["b"].id)
    when = row.withdrawn_at.strftime("%Y-%m-%d %H:%M")
    words = f"withdrawn from lot {lot_2['title']} on {when} UTC"

    url = f"/api/v1/events/{event['id']}"
    invited = {r["name"]: r for r in client.get(url, headers=s.headers["buyer_x"]).json["invited"]}
    vendor_b = invited["Vendor B"]
    assert (vendor_b["status"], vendor_b["has_bid"]) == ("bid", True)  # still in lot 1
    assert vendor_b["withdrawn_at"] == row.withdrawn_at.isoformat()
    assert vendor_b["lots"] == [
        {
            "lot_id": lot_1["id"],
            "lot": lot_1["title"],
            "has_bid": True,
            "status": "bid",
            "withdrawn_at": None,
            "words": None,
        },
        {
            "lot_id": lot_2["id"],
            "lot": lot_2["title"],
            "has_bid": False,
            "status": "withdrawn",
            "withdrawn_at": row.withdrawn_at.isoformat(),
            "words": words,
        },
    ]
    assert [lot["status"] for lot in invited["Vendor A"]["lots"]] == ["bid", "bid"]
    assert [lot["status"] for lot in invited["Vendor C"]["lots"]] == ["none", "none"]
    # a vendor reads no one's status
    assert client.get(url, headers=a).json["invited"] == []
    page = sign_in(client.application.test_client(), s.users["buyer_x"])
    shown = page.get(f"/events/{event['id']}").text
    assert f'<td>Vendor B</td><td>yes<br><span class="muted small">{words}</span>' in shown
    assert "0.50" not in shown and "12.00" not in shown  # still sealed

    _close(client, s, event)
    s.event_id = event["id"]
    created = _scenario(client, s)
    assert created.status_code == 201, created.json
    problem, result = _documents(client, s, created.json["id"])
    assert {line["bid_id"] for line in problem["offers"]} == {
        bids["a", 1],
        bids["b", 1],
        bids["a", 2],
    }
    va, vb = (f"V{s.vendors[v].id}" for v in "ab")
    n1, n2 = (f"N{need_id}" for need_id in s.need_ids)
    placed = {(x["vendor"], x["need"]): x["volume"] for x in result["allocations"]}
    assert placed == pytest.approx({(va, n1): 600.0, (vb, n1): 400.0, (va, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(11800.0, abs=1e-6)
    # the bid is not merely absent: "Vendors left out" says B withdrew from lot 2, and when
    left_out = f"withdrew from lot {lot_2['title']} on {when} UTC"
    assert {"vendor": vb, "name": "Vendor B", "need": n2, "reason": left_out} in problem["meta"][
        "excluded"
    ]
    scenario_page = page.get(f"/scenarios/{created.json['id']}").text
    assert f"<li>Vendor B: {left_out}</li>" in scenario_page
