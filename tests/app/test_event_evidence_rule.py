"""The event's evidence rule: a bid from a vendor whose disclosure falls short of the evidence
the event requires is taken, and left out of the event's award scenarios with the reason in
`meta.excluded`; the vendor sees where it stands on the event's page and the bid form, the buyer
side beside each invited vendor.

The `awarding` world (tests/app/test_award_scenarios.py): vendors A and B disclose
valid_document with no evidence file (every section self-reported), C has no disclosure. Here
A amends its disclosure with a file in each section (self-reported documented), and a second
event asks for "self_reported_documented".
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from procure.awards.evidence_rule import evidence_shortfall
from procure.disclosures.evidence_levels import EffectiveLevel
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.scenarios.adapter import NO_SCORED_DISCLOSURE
from tests.app.test_award_scenarios import (
    _bid,
    _close,
    _documents,
    _event,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through request)
)
from tests.app.test_section_reviews import upload

SECTIONS = ("workforce", "wages", "training")
B_SHORT = (
    "evidence self-reported (workforce, wages, training); this event requires "
    "self-reported documented or stronger in every section"
)


def _level(level: str) -> EffectiveLevel:
    return EffectiveLevel(level, 0, None, None, None, False)


def test_the_shortfall_names_each_short_section_with_its_level():
    levels = {
        "workforce": _level("third_party_limited"),
        "wages": _level("self_reported"),
        "training": _level("self_reported_documented"),
    }
    assert evidence_shortfall(None, levels) is None
    assert evidence_shortfall("self_reported_documented", levels) == (
        "evidence self-reported (wages); this event requires self-reported documented or "
        "stronger in every section"
    )
    assert evidence_shortfall("buyer_verified", levels) == (
        "evidence self-reported (wages), self-reported documented (training); this event "
        "requires buyer-verified or stronger in every section"
    )
    assert evidence_shortfall("third_party_limited", levels).startswith(
        "evidence self-reported (wages), self-reported documented (training);"
    )
    # the weakest level asked, or exactly the level held, is met
    assert evidence_shortfall("none", levels) is None
    assert evidence_shortfall("self_reported", levels) is None


def _documented(client, s, letter: str) -> None:
    """Vendor `letter` amends its disclosure with a PDF in each evidence section."""
    headers = s.headers[f"vendor_{letter}"]
    latest = db.session.scalars(
        select(Disclosure.id)
        .where(Disclosure.vendor_id == s.vendors[letter].id)
        .order_by(Disclosure.number.desc())
    ).first()
    draft = client.post(f"/api/v1/disclosures/{latest}/amend", headers=headers)
    assert draft.status_code == 201, draft.json
    for section in SECTIONS:
        upload(client, headers, draft.json["id"], section)
    done = client.post(f"/api/v1/disclosures/{draft.json['id']}/submit", headers=headers)
    assert done.status_code == 200, done.json


@pytest.fixture
def ruled(client, request):
    """A second event asking for self-reported documented evidence: A (documented) bids
    10 USD on lot 1 (5,000 hours at most) and 0.50 USD on lot 2; B (self-reported) bids
    12 USD and 50 KES as in the golden case; C (no disclosure) 5 USD on lot 1. Still open."""
    s = request.getfixturevalue("awarding")
    _documented(client, s, "a")
    event = _event(
        client, s, title="Annotation 2027, evidence", evidence_required="self_reported_documented"
    )
    a, b, c = (s.headers[f"vendor_{v}"] for v in "abc")
    s.bids = {
        ("a", 1): _bid(client, a, event, 1, price=10, capacity=5000),
        ("a", 2): _bid(client, a, event, 2, price=0.5, hours_per_unit=0.05, capacity=10000),
        # B falls short and its bids are still taken (201): the rule is applied at the award
        ("b", 1): _bid(client, b, event, 1, price=12, capacity=5000),
        ("b", 2): _bid(
            client, b, event, 2, price=50, currency="KES", hours_per_unit=0.04, capacity=10000
        ),
        ("c", 1): _bid(client, c, event, 1, price=5, capacity=5000),
    }
    return s, event


def test_a_bidder_short_of_the_evidence_is_left_out_of_the_award_with_the_reason(
    client, ruled, sign_in
):
    """Without the rule B's KES bid would win lot 2 (0.387 USD an item against A's 0.50) and the
    plan would cost 1,000 x 10 + 2,000 x 0.387 = 10,774 USD. B's evidence is self-reported in
    every section, so all its bids are left out: A takes both lots,
        1,000 x 10 + 2,000 x 0.50 = 10,000 + 1,000 = 11,000 USD."""
    s, event = ruled
    _close(client, s, event)
    s.event_id = event["id"]
    created = _scenario(client, s)
    assert created.status_code == 201, created.json
    problem, result = _documents(client, s, created.json["id"])
    a, b, c = (f"V{s.vendors[v].id}" for v in "abc")
    assert {v["id"] for v in problem["vendors"]} == {a}
    assert {line["bid_id"] for line in problem["offers"]} == {s.bids["a", 1], s.bids["a", 2]}
    excluded = problem["meta"]["excluded"]
    assert {"vendor": b, "name": "Vendor B", "reason": B_SHORT} in excluded
    assert {"vendor": c, "name": "Vendor C", "reason": NO_SCORED_DISCLOSURE} in excluded
    assert not any(entry["vendor"] == a for entry in excluded)
    placed = {(x["vendor"], x["need"]): x["volume"] for x in result["allocations"]}
    n1, n2 = (f"N{need_id}" for need_id in s.need_ids)
    assert placed == pytest.approx({(a, n1): 1000.0, (a, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(11000.0, abs=1e-6)
    # the scenario page lists it among the vendors left out, with the reason
    browser = sign_in(client.application.test_client(), s.users["buyer_x"])
    page = browser.get(f"/scenarios/{created.json['id']}").text
    assert f"<li>Vendor B: {B_SHORT}</li>" in page


def test_an_event_without_the_rule_keeps_the_short_bidder(client, request):
    """The golden case's event sets no evidence rule: B, self-reported, stays in (11,574 USD,
    tests/app/test_award_scenarios.py), and nothing is excluded for its evidence."""
    s = request.getfixturevalue("awarding")
    problem, result = _documents(client, s, _scenario(client, s).json["id"])
    assert f"V{s.vendors['b'].id}" in {v["id"] for v in problem["vendors"]}
    assert not any("evidence" in entry["reason"] for entry in problem["meta"]["excluded"])
    assert result["totals"]["cost"] == pytest.approx(11574.0, abs=1e-6)


def test_each_vendor_sees_where_it_stands_and_the_buyer_sees_every_invited_vendor(
    client, ruled, sign_in
):
    s, event = ruled
    lot = event["lots"][0]["id"]
    pages = {}
    for name in ("vendor_a", "vendor_b", "vendor_c", "buyer_x"):
        browser = client.application.test_client()
        sign_in(browser, s.users[name])
        pages[name] = browser.get(f"/events/{event['id']}").text
        if name.startswith("vendor"):
            form = browser.get(f"/events/{event['id']}/lots/{lot}/bid")
            assert form.status_code == 200
            pages[f"{name}_form"] = form.text
    for page in (pages["vendor_b"], pages["vendor_b_form"]):
        assert "self-reported documented or stronger in every section" in page
        assert "As it stands, your bids would be left out of the award: " + B_SHORT in page
        assert "workforce self-reported, wages self-reported, training self-reported" in page
    for page in (pages["vendor_a"], pages["vendor_a_form"]):
        assert "Your evidence meets this rule today." in page and "evidence-shortfall" not in page
        assert "workforce self-reported documented, wages self-reported documented" in page
    for page in (pages["vendor_c"], pages["vendor_c_form"]):
        assert "You have no submitted disclosure" in page
    # a vendor reads its own standing, never another's
    assert "Vendor A" not in pages["vendor_b"] and "Vendor C" not in pages["vendor_b"]
    buyer = pages["buyer_x"]
    rule = "self-reported documented or stronger in every section"
    assert f"Evidence today ({rule} required)" in buyer
    assert "short: " + B_SHORT in buyer
    assert buyer.count("meets the rule") == 1 and "no submitted disclosure" in buyer
    # the buyer side's page is still sealed: no price of any bid on it
    assert "12.00" not in buyer and "10.00" not in buyer


def test_the_events_api_gives_the_buyer_each_invited_vendors_evidence_per_section(client, ruled):
    """`GET /api/v1/events/{id}` shows what the page's "Evidence today" column shows: A meets the
    rule (documented in every section), B falls short (self-reported), C has no disclosure. A
    vendor reads nobody's; an event without a rule gives none."""
    s, event = ruled
    url = f"/api/v1/events/{event['id']}"
    invited = {
        row["name"]: row["evidence"]
        for row in client.get(url, headers=s.headers["buyer_x"]).json["invited"]
    }

    def levels(level: str, label: str) -> list[dict]:
        return [{"section": x, "level": level, "label": label} for x in SECTIONS]

    assert invited == {
        "Vendor A": {
            "disclosed": True,
            "meets": True,
            "shortfall": None,
            "levels": levels("self_reported_documented", "self-reported documented"),
        },
        "Vendor B": {
            "disclosed": True,
            "meets": False,
            "shortfall": B_SHORT,
            "levels": levels("self_reported", "self-reported"),
        },
        "Vendor C": {"disclosed": False, "meets": False, "shortfall": None, "levels": []},
    }
    executive = client.get(url, headers=s.headers["executive_x"]).json["invited"]
    assert [row["evidence"]["meets"] for row in executive] == [True, False, False]
    assert client.get(url, headers=s.headers["vendor_a"]).json["invited"] == []
    assert client.get(url, headers=s.headers["buyer_y"]).status_code == 404
    no_rule = client.get(f"/api/v1/events/{s.event_id}", headers=s.headers["buyer_x"]).json
    assert [row["evidence"] for row in no_rule["invited"]] == [None, None, None]


def test_a_buyer_rejection_after_the_bid_leaves_the_bidder_out(client, ruled):
    """A met the rule when it bid; then the buyer rejects A's workforce section (its files do
    not back the figures, so the section counts as self-reported). The award, built after,
    reads the evidence as it stands then and leaves A out too: nobody is left to plan with."""
    s, event = ruled
    latest = db.session.scalars(
        select(Disclosure.id)
        .where(Disclosure.vendor_id == s.vendors["a"].id)
        .order_by(Disclosure.number.desc())
    ).first()
    rejected = client.post(
        f"/api/v1/disclosures/{latest}/sections/workforce/review",
        headers=s.headers["buyer_x"],
        json={"decision": "rejected", "comment": "The payroll does not match"},
    )
    assert rejected.status_code == 200, rejected.json
    _close(client, s, event)
    s.event_id = event["id"]
    problem, _ = _documents(client, s, _scenario(client, s).json["id"])
    reasons = {e["vendor"]: e["reason"] for e in problem["meta"]["excluded"] if "bid" not in e}
    assert reasons[f"V{s.vendors['a'].id}"] == (
        "evidence self-reported (workforce); this event requires self-reported documented or "
        "stronger in every section"
    )
    assert problem["vendors"] == [] and problem["offers"] == []
    assert date.fromisoformat(problem["meta"]["rate_date"]) == date.today()
