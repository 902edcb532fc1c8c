"""The demo's award round (procure/demo_award.py): a closed sealed event with five bids and an
award scenario solved under an incumbent rule, a vendor group cap and a bid adjustment. The
plan's figures rest on the demo vendors' scores, so the test checks what the rules promise, and
the adjustment's arithmetic, rather than one cost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from procure.demo_award import (
    AWARD_EVENT_TITLE,
    AWARD_EVIDENCE,
    DEMO_AWARD_BIDS,
    INCUMBENT_SHARE,
    KENYA_CAP,
    TRANSITION_PER_HOUR,
    award_scenario,
    load_demo_award,
)
from procure.events.models import Bid, SourcingEvent
from procure.extensions import db
from procure.scenarios import services as scenarios
from procure.states import EventState, ScenarioStatus
from procure.vendors.models import Vendor


def test_the_demo_has_a_closed_event_and_a_solved_award_scenario_with_rules(demo, app, sign_in):
    event = db.session.scalars(
        select(SourcingEvent).where(SourcingEvent.title == AWARD_EVENT_TITLE)
    ).one()
    assert event.state == EventState.CLOSED and event.sealed and event.bids_unsealed
    assert event.published_at < event.deadline <= event.ended_at
    assert db.session.scalar(select(func.count(Bid.id)).where(Bid.event_id == event.id)) == len(
        DEMO_AWARD_BIDS
    )
    scenario = award_scenario(demo)
    assert scenario is not None and scenario.status == ScenarioStatus.SOLVED
    assert scenario.event_id == event.id
    problem, result = scenario.problem, scenario.result
    targets = problem["targets"]
    assert {key for key in ("incumbents", "vendor_groups", "adjustments") if targets.get(key)} == {
        "incumbents",
        "vendor_groups",
        "adjustments",
    }
    assert all(line["source"] == "bid" for line in problem["offers"])
    volume = problem["needs"][0]["volume"]
    placed = {row["vendor"]: row["volume"] for row in result["allocations"]}
    assert sum(placed.values()) == pytest.approx(volume)
    # the incumbent keeps its share; Kenya's vendors stay under the cap
    (incumbent,) = targets["incumbents"][0]["vendors"]
    assert placed.get(incumbent, 0) >= INCUMBENT_SHARE * volume - 1e-6
    countries = dict(db.session.execute(select(Vendor.id, Vendor.country)).all())
    kenya = sum(v for key, v in placed.items() if countries[int(key[1:])] == "KE")
    assert set(targets["vendor_groups"][0]["vendors"]) == {
        key
        for key in (line["vendor"] for line in problem["offers"])
        if countries[int(key[1:])] == "KE"
    }
    assert kenya <= KENYA_CAP * volume + 1e-6
    # the adjustment counts in the choice, not in the spend: 0.40 USD an hour of the new vendors
    adjusted = set(targets["adjustments"][0]["vendors"])
    adjusted_hours = sum(v for key, v in placed.items() if key in adjusted)
    assert adjusted_hours > 0
    assert result["totals"]["adjusted_cost"] - result["totals"]["cost"] == pytest.approx(
        TRANSITION_PER_HOUR * adjusted_hours, abs=1e-4
    )

    buyer = sign_in(app.test_client(), demo, "demo-purchasing-pass")
    page = buyer.get(f"/scenarios/{scenario.id}")
    assert page.status_code == 200
    assert "An award scenario of the sourcing event" in page.text
    assert "stays with the incumbents" in page.text
    event_page = buyer.get(f"/events/{event.id}").text
    assert "Make an award scenario" in event_page
    # its evidence rule: every bidder disclosed each section, so none is left out for it
    assert event.evidence_required == AWARD_EVIDENCE == "self_reported"
    assert "evidence required: self-reported or stronger in every section" in event_page
    assert "short:" not in event_page and "no submitted disclosure" not in event_page
    assert problem["meta"]["excluded"] == [] and "Vendors left out" not in page.text
    # a stricter rule leaves out the incumbent and two more, each said with its short section
    event.evidence_required = "self_reported_documented"
    stricter, _ = scenarios.problem_for(scenario)
    db.session.rollback()
    names = {row["name"]: row["reason"] for row in stricter["meta"]["excluded"]}
    assert sorted(names) == ["Kazi Data Works", "Kigali Digital Impact", "Nile Bridge Digital"]
    assert names["Kazi Data Works"] == (
        "evidence self-reported (training); this event requires self-reported documented or "
        "stronger in every section"
    )
    # loading again changes nothing
    assert load_demo_award(demo) == 0
