"""Award scenarios: a closed sourcing event's bids price a scenario instead of the rate cards,
and its approval becomes the event's award, which each vendor reads for itself.

The event of the `awarding` fixture (its arithmetic is checked by hand in
`test_the_golden_case_places_the_lots_with_the_bids_hand_checked`): two lots of buyer X,
bought over the 12 months of 2027, the event's minimum quality 0.8:

- lot 1 "Labelling": 1,000 hours. Vendor A bids 10 USD an hour, at most 600 hours in the
  period; vendor B 12 USD, at most 5,000; vendor C 5 USD, but C has no disclosure.
- lot 2 "Invoices": 2,000 items. Vendor A bids 0.50 USD an item (0.05 hours an item); vendor B
  50 KES (0.04 hours an item), at most 10,000 each.

Vendor A keeps its rate-card offer (data annotation per hour, quality 0.95); vendor B's is
deactivated, so B is scored on its bid and its lines count at the lot's minimum quality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from procure.audit.models import AuditEvent
from procure.awards.models import Award, AwardLine
from procure.events.models import SourcingEvent
from procure.extensions import db
from procure.notifications.models import Notification
from procure.scenarios.adapter import NO_SCORED_DISCLOSURE
from procure.scenarios.models import Scenario
from tests.conftest import csrf_token_from, valid_document

FUTURE = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "rate_card_problem_demo.json"
KES_RATE = 0.00774  # config/fx.toml: the KES rate in force since 2025-12-31


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Awarding:
    users: dict
    headers: dict
    vendors: dict
    need_ids: list[int]
    event_id: int
    bids: dict  # (vendor letter, lot number) -> bid id


def _need(client, headers, title, unit, volume) -> int:
    need = client.post(
        "/api/v1/needs",
        headers=headers,
        json={
            "title": title,
            "service_category": "data_annotation",
            "volume": volume,
            "unit": unit,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
        },
    )
    assert need.status_code == 201, need.json
    return need.json["id"]


def _event(client, s, **changes) -> dict:
    """A published event of buyer X over its two needs, inviting vendors A, B and C."""
    body = {
        "title": "Annotation 2027",
        "need_ids": s.need_ids,
        "vendor_ids": [s.vendors[v].id for v in "abc"],
        "deadline": _iso(FUTURE),
        "min_quality": 0.8,
        **changes,
    }
    made = client.post("/api/v1/events", headers=s.headers["buyer_x"], json=body)
    assert made.status_code == 201, made.json
    published = client.post(
        f"/api/v1/events/{made.json['id']}/publish",
        headers=s.headers["buyer_x"],
        json={"version": made.json["version"]},
    )
    assert published.status_code == 200, published.json
    return published.json


def _close(client, s, event: dict) -> None:
    db.session.execute(  # the deadline passes, as time would
        update(SourcingEvent)
        .where(SourcingEvent.id == event["id"])
        .values(deadline=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()
    closed = client.post(
        f"/api/v1/events/{event['id']}/close",
        headers=s.headers["buyer_x"],
        json={"version": event["version"]},
    )
    assert closed.status_code == 200, closed.json


def _bid(client, headers, event: dict, lot: int, **figures) -> int:
    body = {
        "lot_id": event["lots"][lot - 1]["id"],
        "currency": "USD",
        "unit": event["lots"][lot - 1]["unit"],
        "valid_until": (FUTURE + timedelta(days=90)).date().isoformat(),
        **figures,
    }
    placed = client.post(f"/api/v1/events/{event['id']}/bids", headers=headers, json=body)
    assert placed.status_code == 201, placed.json
    return placed.json["id"]


@pytest.fixture
def awarding(client, make_org, make_user, make_vendor, bearer) -> Awarding:
    vendors, users = {}, {}
    for letter in "abcz":
        vendors[letter], users[f"vendor_{letter}"] = make_vendor(f"Vendor {letter.upper()}")
    x, y = make_org("buyer", "Buyer X"), make_org("buyer", "Buyer Y")
    users |= {
        "buyer_x": make_user("buyer", organization=x),
        "executive_x": make_user("executive", organization=x),
        "admin_x": make_user("admin", organization=x),
        "buyer_y": make_user("buyer", organization=y),
        "executive_y": make_user("executive", organization=y),
        "admin_vendor_b": make_user("admin", organization=users["vendor_b"].organization),
    }
    headers = {name: bearer(user) for name, user in users.items()}
    for letter in "ab":  # A and B disclose; C does not
        created = client.post(
            "/api/v1/disclosures",
            headers=headers[f"vendor_{letter}"],
            json={"vendor_id": vendors[letter].id, **valid_document()},
        )
        submitted = client.post(
            f"/api/v1/disclosures/{created.json['id']}/submit",
            headers=headers[f"vendor_{letter}"],
        )
        assert submitted.status_code == 200, submitted.json
    vendors["b"].offers[0].active = False  # B sells on its bids alone
    db.session.commit()
    need_ids = [
        _need(client, headers["buyer_x"], "Labelling", "hour", 1000),
        _need(client, headers["buyer_x"], "Invoices", "item", 2000),
    ]
    s = Awarding(users, headers, vendors, need_ids, 0, {})
    event = _event(client, s)
    a, b, c = (headers[f"vendor_{v}"] for v in "abc")
    s.bids = {
        ("a", 1): _bid(client, a, event, 1, price=10, capacity=600),
        ("b", 1): _bid(client, b, event, 1, price=12, capacity=5000),
        ("c", 1): _bid(client, c, event, 1, price=5, capacity=5000),
        ("a", 2): _bid(client, a, event, 2, price=0.5, hours_per_unit=0.05, capacity=10000),
        ("b", 2): _bid(
            client, b, event, 2, price=50, currency="KES", hours_per_unit=0.04, capacity=10000
        ),
    }
    _close(client, s, event)
    s.event_id = event["id"]
    return s


def _scenario(client, s, **changes):
    body = {"name": "Award 2027", "need_ids": s.need_ids, "event_id": s.event_id, **changes}
    return client.post("/api/v1/scenarios", headers=s.headers["buyer_x"], json=body)


def _documents(client, s, scenario_id) -> tuple[dict, dict]:
    base = f"/api/v1/scenarios/{scenario_id}"
    headers = s.headers["buyer_x"]
    return (
        client.get(f"{base}/problem.json", headers=headers).json,
        client.get(f"{base}/result.json", headers=headers).json,
    )


def test_the_golden_case_places_the_lots_with_the_bids_hand_checked(client, awarding):
    """Lot 1 (1,000 hours): C's 5 USD bid is out (no disclosure), so A's 10 USD bid takes all
    it can, 600 hours (its cap binds), and B at 12 USD the other 400:
        600 x 10 + 400 x 12 = 6,000 + 4,800 = 10,800 USD.
    Lot 2 (2,000 items): B's 50 KES = 50 x 0.00774 = 0.387 USD an item is below A's 0.50, and
    B's cap (10,000) does not bind: 2,000 x 0.387 = 774 USD.
    Total 10,800 + 774 = 11,574 USD; labour hours 600 + 400 + 2,000 x 0.04 = 1,080."""
    s = awarding
    created = _scenario(client, s)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "solved" and created.json["event_id"] == s.event_id
    problem, result = _documents(client, s, created.json["id"])
    a, b, c = (f"V{s.vendors[v].id}" for v in "abc")
    n1, n2 = (f"N{need_id}" for need_id in s.need_ids)

    # the needs are the lots, with the event's minimum quality
    assert [(n["id"], n["unit"], n["volume"], n["min_quality"]) for n in problem["needs"]] == [
        (n1, "hour", 1000.0, 0.8),
        (n2, "item", 2000.0, 0.8),
    ]
    assert problem["meta"]["event"] == {"id": s.event_id, "title": "Annotation 2027"}
    # one line per bid, none from a rate card; C's bid is not among them
    lines = {line["id"]: line for line in problem["offers"]}
    assert set(lines) == {f"B{s.bids[key]}" for key in (("a", 1), ("b", 1), ("a", 2), ("b", 2))}
    assert all(line["source"] == "bid" for line in lines.values())
    a1 = lines[f"B{s.bids['a', 1]}"]
    assert (a1["vendor"], a1["need"], a1["bid_id"], a1["price"]) == (a, n1, s.bids["a", 1], 10.0)
    assert a1["capacity"] == 600 / 12  # units a month of the lot's 12 months
    # A's quality is its rate-card offer's; B has no active offer: the lot's minimum
    assert (a1["quality"], a1["quality_source"]) == (0.95, "offer")
    assert a1["quality_offer_id"] == s.vendors["a"].offers[0].id
    b1 = lines[f"B{s.bids['b', 1]}"]
    assert (b1["quality"], b1["quality_source"]) == (0.8, "lot_minimum")
    a2 = lines[f"B{s.bids['a', 2]}"]
    assert (a2["quality"], a2["quality_source"], a2["hours_per_unit"]) == (0.8, "lot_minimum", 0.05)
    # the bid in Kenyan shillings, converted by the offers' rule
    b2 = lines[f"B{s.bids['b', 2]}"]
    assert (b2["original_price"], b2["currency"], b2["rate"]) == (50.0, "KES", KES_RATE)
    assert b2["rate_date"] == "2025-12-31"
    assert b2["price"] == pytest.approx(0.387, abs=1e-12)
    # C bid without a disclosure: left out, and why
    assert {"vendor": c, "name": "Vendor C", "reason": NO_SCORED_DISCLOSURE} in problem["meta"][
        "excluded"
    ]
    assert {v["id"] for v in problem["vendors"]} == {a, b}

    placed = {(x["vendor"], x["need"]): x["volume"] for x in result["allocations"]}
    assert placed == pytest.approx({(a, n1): 600.0, (b, n1): 400.0, (b, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(11574.0, abs=1e-6)
    assert result["totals"]["labour_hours"] == pytest.approx(1080.0, abs=1e-6)
    capped = [
        row
        for row in result["constraints"]
        if row["kind"] == "offer_capacity" and row["vendor"] == a and row["need"] == n1
    ]
    assert capped and capped[0]["binding"] is True


def test_the_scenario_page_and_the_board_report_say_the_prices_are_bids(client, awarding, sign_in):
    from procure.scenarios.report_context import board_context

    s = awarding
    created = _scenario(client, s).json
    page_client = client.application.test_client()
    sign_in(page_client, s.users["buyer_x"])
    page = page_client.get(f"/scenarios/{created['id']}").text
    assert "Price as bid" in page and "Price as offered" not in page
    assert f"bid {s.bids['b', 2]}: KES 50.0000" in page
    # a bid in dollars shows its price too, not a bare "bid 3: USD"
    assert f'bid {s.bids["a", 1]}: USD 10.0000 <span class="muted">no conversion</span>' in page
    assert "An award scenario of the sourcing event" in page
    sources = board_context(db.session.get(Scenario, created["id"]))["method"]["sources"]
    assert any("the bids of the sourcing event “Annotation 2027”" in text for text in sources)
    assert any("for each bid, kept with the bid in the plan's stored inputs" in t for t in sources)


def test_a_scenario_without_an_event_builds_the_same_document_as_before(demo, monkeypatch):
    """The rate-card path is byte for byte what it was before award scenarios: the demo
    buyer's needs built into a problem document equal, as JSON text, the one stored from the
    code before the change (tests/data/scenarios/rate_card_problem_demo.json). The day of the
    calculation is fixed, so the evidence ages and the rates are those of that day. Refresh
    the stored file only for a change of the demo's data, never to pass a code change."""
    import procure.disclosures.pricing as pricing
    import procure.scoring.adapter as scoring_adapter
    from procure.needs.models import Need
    from procure.scenarios.adapter import build_problem
    from procure.scoring_defaults import default_profile

    day = date(2026, 6, 30)
    monkeypatch.setattr(pricing, "pricing_day", lambda: day)
    monkeypatch.setattr(scoring_adapter, "pricing_day", lambda: day)
    needs = db.session.scalars(
        select(Need).where(Need.organization_id == demo.organization_id).order_by(Need.id)
    ).all()
    built = build_problem(
        needs, default_profile(), "min_cost", {}, hours_per_fte_year=2080.0, rate_date=day
    )
    stored = GOLDEN.read_text()
    assert json.loads(stored) == built  # keys and values
    assert json.dumps(built, indent=1) + "\n" == stored  # and their order
    assert len(built["offers"]) > 20 and {o["currency"] for o in built["offers"]} > {"USD"}
    assert all("source" not in offer for offer in built["offers"])


def test_an_event_not_closed_or_not_the_buyers_or_needs_not_its_lots_are_refused(
    client, awarding, sign_in
):
    s = awarding
    for state in ("draft", "published", "cancelled"):
        event = _event(client, s, title=f"A {state} event")
        if state == "draft":
            db.session.execute(
                update(SourcingEvent)
                .where(SourcingEvent.id == event["id"])
                .values(state="draft", published_at=None)
            )
            db.session.commit()
        elif state == "cancelled":
            cancelled = client.post(
                f"/api/v1/events/{event['id']}/cancel",
                headers=s.headers["buyer_x"],
                json={"version": event["version"]},
            )
            assert cancelled.status_code == 200
        refused = _scenario(client, s, event_id=event["id"])
        assert refused.status_code == 422, state
        assert list(refused.json["errors"]) == ["event_id"], refused.json
        assert state in refused.json["errors"]["event_id"][0]
    other_need = _need(client, s.headers["buyer_x"], "Not a lot", "hour", 10)
    stranger = _scenario(client, s, need_ids=[*s.need_ids, other_need])
    assert stranger.status_code == 422 and list(stranger.json["errors"]) == ["need_ids"]
    assert f"Need {other_need} is not a lot" in stranger.json["errors"]["need_ids"][0]
    # another buyer organization's user: the event is not there for it
    body = {"name": "Y's", "need_ids": s.need_ids, "event_id": s.event_id}
    assert (
        client.post("/api/v1/scenarios", headers=s.headers["buyer_y"], json=body).status_code == 404
    )
    assert db.session.scalar(select(func.count(Scenario.id))) == 0

    # the page: a closed event's page offers the form with its lots ticked; a published one's
    # scenario is refused naming the field
    browser = client.application.test_client()
    sign_in(browser, s.users["buyer_x"])
    event_page = browser.get(f"/events/{s.event_id}").text
    assert "Make an award scenario" in event_page
    form = browser.get(f"/scenarios?event_id={s.event_id}")
    assert form.status_code == 200 and "Lots of the event" in form.text
    for need_id in s.need_ids:
        assert f'value="{need_id}" checked' in form.text
    assert "Not a lot" not in form.text
    published = _event(client, s, title="Still open")
    assert "Make an award scenario" not in browser.get(f"/events/{published['id']}").text
    posted = browser.post(
        f"/scenarios?event_id={published['id']}",
        data={
            "csrf_token": csrf_token_from(form.text),
            "name": "Too soon",
            "need_ids": [str(n) for n in s.need_ids],
            "event_id": str(published["id"]),
            "objective": "min_cost",
        },
    )
    assert posted.status_code == 422 and 'data-field="event_id">Event id</a>' in posted.text
    made = browser.post(
        f"/scenarios?event_id={s.event_id}",
        data={
            "csrf_token": csrf_token_from(form.text),
            "name": "From the page",
            "need_ids": [str(n) for n in s.need_ids],
            "event_id": str(s.event_id),
            "objective": "min_cost",
        },
    )
    assert made.status_code == 302
    assert db.session.scalars(select(Scenario.event_id)).all() == [s.event_id]
    other = client.application.test_client()
    sign_in(other, s.users["buyer_y"])
    assert other.get(f"/scenarios?event_id={s.event_id}").status_code == 404


def _approved(client, s, scenario_id, executive="executive_x"):
    submitted = client.post(f"/api/v1/scenarios/{scenario_id}/submit", headers=s.headers["buyer_x"])
    assert submitted.status_code == 200, submitted.json
    return client.post(
        f"/api/v1/scenarios/{scenario_id}/decision",
        headers=s.headers[executive],
        json={"decision": "approved", "comment": "Award it."},
    )


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )


def test_approval_is_the_award_winners_are_told_and_a_second_approval_is_refused(client, awarding):
    s = awarding
    first = _scenario(client, s).json
    approved = _approved(client, s, first["id"])
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    award = db.session.scalars(select(Award)).one()
    assert (award.event_id, award.scenario_id) == (s.event_id, first["id"])
    lines = sorted(
        (line.vendor.name, line.lot.title, line.volume, float(line.price), line.currency)
        for line in award.lines
    )
    assert lines == [
        ("Vendor A", "Labelling", pytest.approx(600.0), 10.0, "USD"),
        ("Vendor B", "Invoices", pytest.approx(2000.0), 50.0, "KES"),
        ("Vendor B", "Labelling", pytest.approx(400.0), 12.0, "USD"),
    ]
    assert {line.period_start for line in award.lines} == {date(2027, 1, 1)}
    # the vendors with volume are told (B's admin acts as B); C, which won nothing, is not
    assert _kinds(s.users["vendor_a"]).count("event_awarded") == 1
    assert _kinds(s.users["vendor_b"]).count("event_awarded") == 1
    assert _kinds(s.users["admin_vendor_b"]).count("event_awarded") == 1
    assert "event_awarded" not in _kinds(s.users["vendor_c"])
    assert "event_awarded" not in _kinds(s.users["vendor_z"])
    told = db.session.scalars(
        select(Notification).where(
            Notification.user_id == s.users["vendor_b"].id, Notification.kind == "event_awarded"
        )
    ).one()
    assert told.title == "Buyer X awarded Vendor B volume on 2 lots of 'Annotation 2027'."
    assert told.link == f"/events/{s.event_id}"
    assert (
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target_type == "SourcingEvent",
                AuditEvent.target_id == str(s.event_id),
            )
        ).all()[-1]
        == "event.award"
    )

    # a second award scenario of the same event: solved and submitted, never approved
    copy = client.post(f"/api/v1/scenarios/{first['id']}/copy", headers=s.headers["buyer_x"])
    assert copy.status_code == 201 and copy.json["event_id"] == s.event_id
    second = _approved(client, s, copy.json["id"])
    assert second.status_code == 409
    assert "is awarded already, by the approved scenario" in second.json["message"]
    assert "event_id" in second.json["errors"]
    db.session.expire_all()
    assert db.session.get(Scenario, copy.json["id"]).status == "submitted"
    assert db.session.scalar(select(func.count(Award.id))) == 1
    assert db.session.scalar(select(func.count(AwardLine.id))) == 3
    # rejecting it still works: only an approval awards
    rejected = client.post(
        f"/api/v1/scenarios/{copy.json['id']}/decision",
        headers=s.headers["executive_x"],
        json={"decision": "rejected", "comment": "Awarded already."},
    )
    assert rejected.status_code == 200


def test_each_vendor_reads_its_own_award_lines_and_nobody_else_reads_them(
    client, awarding, sign_in
):
    s = awarding
    scenario = _scenario(client, s).json
    assert _approved(client, s, scenario["id"]).status_code == 200
    mine = client.get("/api/v1/awards", headers=s.headers["vendor_a"])
    assert mine.status_code == 200
    (line,) = mine.json
    assert {key: line[key] for key in ("event", "buyer", "lot", "unit", "currency")} == {
        "event": "Annotation 2027",
        "buyer": "Buyer X",
        "lot": "Labelling",
        "unit": "hour",
        "currency": "USD",
    }
    assert (line["volume"], line["price"], line["amount"]) == pytest.approx((600, 10, 6000))
    assert (line["period_start"], line["period_end"]) == ("2027-01-01", "2027-12-31")
    assert not {"budget", "cost", "targets", "scenario_id"} & set(line)
    b_lines = client.get("/api/v1/awards", headers=s.headers["vendor_b"]).json
    assert sorted((x["lot"], x["price"], x["currency"]) for x in b_lines) == [
        ("Invoices", 50.0, "KES"),
        ("Labelling", 12.0, "USD"),
    ]
    assert client.get("/api/v1/awards", headers=s.headers["admin_vendor_b"]).json == b_lines
    # the buyer side reads every line; the filter by event keeps to one event
    everything = client.get(
        f"/api/v1/awards?event_id={s.event_id}", headers=s.headers["executive_x"]
    ).json
    assert len(everything) == 3
    whole = client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers["buyer_x"]).json
    assert whole["awarded"] is True and whole["scenario_id"] == scenario["id"]
    assert len(whole["lines"]) == 3

    # a bidder that won nothing: the event was awarded, no line of its own, nobody else's
    assert client.get("/api/v1/awards", headers=s.headers["vendor_c"]).json == []
    told = client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers["vendor_c"]).json
    assert told == {
        "event_id": s.event_id,
        "awarded": True,
        "awarded_at": told["awarded_at"],
        "scenario_id": None,
        "lines": [],
        "rank_bands": [],  # the event does not show rank bands (the default)
    }
    own = client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers["vendor_a"]).json
    assert [x["vendor"] for x in own["lines"]] == ["Vendor A"]

    # another buyer organization and a vendor not invited read nothing of it
    for actor in ("buyer_y", "executive_y", "vendor_z"):
        assert client.get("/api/v1/awards", headers=s.headers[actor]).json == [], actor
        assert (
            client.get(f"/api/v1/awards?event_id={s.event_id}", headers=s.headers[actor]).json == []
        )
        assert (
            client.get(f"/api/v1/events/{s.event_id}/award", headers=s.headers[actor]).status_code
            == 404
        ), actor

    # the pages: the vendor's home and event page show its award; C's says it won nothing;
    # the buyer's event page the whole award
    vendor_a = client.application.test_client()
    sign_in(vendor_a, s.users["vendor_a"])
    home = vendor_a.get("/").text
    assert "Your awards" in home and "Labelling" in home and "10.00 USD per hour" in home
    page_a = vendor_a.get(f"/events/{s.event_id}").text
    assert "600.0 hours" in page_a and "Vendor B" not in page_a and "12.00" not in page_a
    vendor_c = client.application.test_client()
    sign_in(vendor_c, s.users["vendor_c"])
    assert "Your vendor was not awarded volume." in vendor_c.get(f"/events/{s.event_id}").text
    assert "Your awards" not in vendor_c.get("/").text
    buyer = client.application.test_client()
    sign_in(buyer, s.users["buyer_x"])
    page_x = buyer.get(f"/events/{s.event_id}").text
    assert "Vendor A" in page_x and "Vendor B" in page_x and "50.00 KES per item" in page_x
    assert f"award scenario {scenario['id']}" in page_x


def test_a_list_of_award_lines_loads_what_it_shows_once_not_per_line(client, awarding):
    """Three lines of two vendors on two lots: each vendor, lot, event and award is read in one
    query per kind (selectinload), not one per line."""
    from sqlalchemy import event as sql_event

    s = awarding
    scenario = _scenario(client, s).json
    assert _approved(client, s, scenario["id"]).status_code == 200
    db.session.commit()
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    def reading(url: str) -> int:
        sent.clear()
        sql_event.listen(db.engine, "before_cursor_execute", count)
        try:
            answer = client.get(url, headers=s.headers["executive_x"])
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", count)
        assert answer.status_code == 200
        return answer.json

    for url in ("/api/v1/awards", f"/api/v1/events/{s.event_id}/award"):
        lines = reading(url)
        lines = lines if isinstance(lines, list) else lines["lines"]
        assert len({line["vendor"] for line in lines}) == 2 and len(lines) == 3
        for table in ("vendor", "event_lot"):
            reads = [q for q in sent if q.startswith("SELECT") and f" FROM {table} " in q + " "]
            assert len(reads) == 1, (url, table, reads)


def test_a_withdrawn_bid_is_not_used_by_an_award_scenario(client, awarding):
    """A second event over the same needs: A bids 10 USD on lot 1, withdraws it and bids 11
    USD; B bids 12 USD on lot 1 and 50 KES on lot 2. The scenario's document holds A's new bid
    alone; the withdrawn one is nowhere in it. Lot 1: A's 600 hours at 11 (its cap) and B's
    400 at 12 = 6,600 + 4,800 = 11,400 USD; lot 2 B's 2,000 x 0.387 = 774: 12,174 USD."""
    s = awarding
    event = _event(client, s, title="Annotation 2027, round 2")
    a, b = (s.headers[f"vendor_{v}"] for v in "ab")
    withdrawn = _bid(client, a, event, 1, price=10, capacity=600)
    taken = client.post(f"/api/v1/bids/{withdrawn}/withdraw", headers=a, json={"version": 1})
    assert taken.status_code == 204
    again = _bid(client, a, event, 1, price=11, capacity=600)
    kept = [
        again,
        _bid(client, b, event, 1, price=12, capacity=5000),
        _bid(client, b, event, 2, price=50, currency="KES", hours_per_unit=0.04, capacity=10000),
    ]
    _close(client, s, event)
    s.event_id = event["id"]
    created = _scenario(client, s)
    assert created.status_code == 201, created.json
    problem, result = _documents(client, s, created.json["id"])
    assert {line["bid_id"] for line in problem["offers"]} == set(kept)
    assert withdrawn not in {entry.get("bid") for entry in problem["meta"].get("excluded", [])}
    assert result["totals"]["cost"] == pytest.approx(12174.0, abs=1e-6)
