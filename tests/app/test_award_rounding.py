"""An award shows and exports its figures rounded (issue 21): the solver's volumes carry noise
(599.996728 hours where 600 were meant), which the award lines keep as solved, while the API and
the XLSX give volumes to 2 decimals and amounts to the cent (the shown volume x the bid price).

The event of `test_award_scenarios.awarding`; its golden plan is A 600 hours of lot 1 at 10 USD,
B 400 hours at 12 USD and 2,000 items of lot 2 at 50 KES. Here its stored result is given the
noise directly before the approval that turns it into the award:
- A, lot 1: 599.996728 hours -> 600.00, x 10 = 6,000.00 USD;
- B, lot 1: 400.003272 hours -> 400.00, x 12 = 4,800.00 USD;
- B, lot 2: 1,999.994999 items -> 1,999.99, x 50 = 99,999.50 KES (2 decimals, not a whole
  number: the rounding keeps cents' worth of volume).
"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from procure.awards.models import AwardLine
from procure.extensions import db
from procure.scenarios.models import Scenario
from tests.app.test_award_scenarios import _approved, _documents, _scenario
from tests.app.test_award_scenarios import awarding as awarding  # noqa: F401 (a fixture)

NOISY = {("a", 1): 599.996728, ("b", 1): 400.003272, ("b", 2): 1999.994999}


def _noisy_award(client, s) -> int:
    """The golden plan, its stored allocations given the solver noise of NOISY, approved."""
    created = _scenario(client, s).json
    problem, _ = _documents(client, s, created["id"])
    bid_of_line = {line["id"]: line["bid_id"] for line in problem["offers"]}
    noisy = {s.bids[key]: volume for key, volume in NOISY.items()}
    scenario = db.session.get(Scenario, created["id"])
    result = dict(scenario.result)
    allocations = [dict(x) for x in result["allocations"]]
    for allocation in allocations:
        allocation["volume"] = noisy[bid_of_line[allocation["offer"]]]
    scenario.result = {**result, "allocations": allocations}
    db.session.commit()
    assert _approved(client, s, created["id"]).status_code == 200
    return created["id"]


def test_the_award_api_and_workbook_show_volumes_to_2_decimals_and_amounts_to_the_cent(
    client, awarding
):
    s = awarding
    _noisy_award(client, s)
    # the lines keep the volumes as solved
    stored = sorted(db.session.scalars(select(AwardLine.volume)).all())
    assert stored == sorted(NOISY.values())

    lines = client.get("/api/v1/awards", headers=s.headers["buyer_x"]).json
    shown = sorted((line["vendor"], line["unit"], line["volume"], line["amount"]) for line in lines)
    assert shown == [
        ("Vendor A", "hour", 600.0, 6000.0),
        ("Vendor B", "hour", 400.0, 4800.0),
        ("Vendor B", "item", 1999.99, 99999.5),
    ]
    # a vendor reads its own lines so rounded too, in the list and on the event's award
    own = client.get("/api/v1/awards", headers=s.headers["vendor_a"]).json
    assert [(line["volume"], line["amount"]) for line in own] == [(600.0, 6000.0)]
    event = client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers["vendor_b"]).json
    assert sorted((x["volume"], x["amount"]) for x in event["lines"]) == [
        (400.0, 4800.0),
        (1999.99, 99999.5),
    ]

    response = client.get(f"/api/v1/events/{s.event_id}/award.xlsx", headers=s.headers["buyer_x"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    period = "2027-01-01 to 2027-12-31"

    def rows(name):
        return [list(row) for row in workbook[name].iter_rows(min_row=2, values_only=True)]

    assert rows("Vendor A") == [
        ["Labelling", 600.0, "hour", 10, "USD", period, 6000.0],
        ["Total", None, None, None, "USD", None, 6000.0],
    ]
    assert rows("Vendor B") == [
        ["Labelling", 400.0, "hour", 12, "USD", period, 4800.0],
        ["Invoices", 1999.99, "item", 50, "KES", period, 99999.5],
        ["Total", None, None, None, "USD", None, 4800.0],
        ["Total", None, None, None, "KES", None, 99999.5],
    ]
