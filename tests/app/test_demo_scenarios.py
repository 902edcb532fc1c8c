"""The demo's plans waiting for a decision (procure/demo_scenarios.py): Northwind's executive
signs in to three submitted scenarios, compares them, and each was made as the buyer's requests
would make it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.demo_award import AWARD_SCENARIO
from procure.demo_coalition import NORTHWIND_PLAN
from procure.demo_scenarios import CHEAPEST, IMPACT_60, MOST_JOBS, load_demo_scenarios
from procure.extensions import db
from procure.jobs.models import Job
from procure.notifications.models import Notification
from procure.scenarios.models import Scenario
from procure.states import NotificationKind, ScenarioStatus

NAMES = (CHEAPEST, IMPACT_60, MOST_JOBS)


def _scenarios(buyer: User) -> dict[str, Scenario]:
    return {
        s.name: s
        for s in db.session.scalars(
            select(Scenario).where(Scenario.organization_id == buyer.organization_id)
        )
    }


def _section(html: str, heading: str, until: str) -> str:
    start = html.index(heading)
    return html[start : html.index(until, start)]


def test_the_executive_signs_in_to_three_plans_to_decide_and_compares_them(demo, app, sign_in):
    scenarios = _scenarios(demo)
    executive = db.session.scalars(select(User).where(User.email == "exec@northwind.example")).one()
    client = sign_in(app.test_client(), executive, "demo-boardroom-pass")

    home = client.get("/")
    assert home.status_code == 200
    waiting = _section(home.text, "Waiting for a decision", "<h3>Approved</h3>")
    listed = re.findall(
        r'<a href="/scenarios/(\d+)">([^<]+)</a> <span class="badge[^"]*">(\w+)', waiting
    )
    # and the award scenario (procure/demo_award.py), solved for the buyer to submit
    assert sorted((name, status) for _, name, status in listed) == sorted(
        [*((name, "submitted") for name in NAMES), (AWARD_SCENARIO, "solved")]
    )
    ids = sorted(scenarios[name].id for name in NAMES)
    compare = "/scenarios/compare?" + "&".join(f"ids={i}" for i in ids)
    assert f'href="{compare.replace("&", "&amp;")}"' in waiting
    assert "Compare the 3 waiting for a decision side by side" in waiting

    page = client.get(compare)
    assert page.status_code == 200
    figures = _section(page.text, "Key figures", "</thead>")
    columns = re.findall(
        r'<th scope="col" class="num"><a href="/scenarios/(\d+)">([^<]+)</a>', figures
    )
    assert [(int(i), name) for i, name in columns] == [
        (scenarios[name].id, name) for name in NAMES
    ]  # oldest first: Cheapest 2026, Impact 60, Most jobs
    summary = [
        unescape(line)
        for line in re.findall(r"<li>([^<]+)</li>", _section(page.text, "In plain words", "</ul>"))
    ]
    for name in NAMES:
        assert any(line.startswith(f"{name} ") for line in summary), name
    assert summary[0].startswith(f"{CHEAPEST} is the cheapest plan ($302,856)")
    # the chart: each plan a point, the budget that Most jobs set drawn, the needs' far above
    chart = _section(page.text, "Cost against impact", "</section>")
    assert chart.count('stroke="#b45309"') == 3 and "Budget $334k" in chart
    assert "The dashed line at $334,000 is the budget of Most jobs." in chart
    assert f"The budget of {CHEAPEST}, Impact 60, $510,000, is far above" in unescape(chart)


def test_the_three_plans_are_the_buyers_solved_and_submitted_once(demo):
    scenarios = _scenarios(demo)
    assert {name: s.status for name, s in scenarios.items()} == {
        NORTHWIND_PLAN: ScenarioStatus.APPROVED,
        **{name: ScenarioStatus.SUBMITTED for name in NAMES},
        AWARD_SCENARIO: ScenarioStatus.SOLVED,  # procure/demo_award.py
    }
    cheapest, impact, jobs = (scenarios[name] for name in NAMES)
    plan = scenarios[NORTHWIND_PLAN]
    assert cheapest.need_ids == impact.need_ids == jobs.need_ids == plan.need_ids
    assert len(plan.need_ids) == 3
    # the cheapest is the approved plan's problem again: $302,855.60
    assert cheapest.result["totals"]["cost"] == pytest.approx(302_855.60, abs=0.01)
    assert cheapest.result["totals"]["cost"] == pytest.approx(plan.result["totals"]["cost"])
    assert impact.targets == {"min_avg_impact": 60.0}
    assert impact.result["totals"]["avg_impact"] == pytest.approx(60.0, abs=1e-4)  # it binds
    # Kazi Data Works ($6.48, impact 64.18) takes 12,000 hours of annotation (its 40 % cap)
    # from Kigali ($6.80, 9,908.23 → 2,667.37 hours) and Savannah ($8.20, 8,091.77 → 3,332.63),
    # whose mix holds the average impact at 60: $335,952.47 + 12,000 × 6.48 − 7,240.86 × 6.80
    # − 4,759.14 × 8.20 = $325,449.68
    assert impact.result["totals"]["cost"] == pytest.approx(325_449.68, abs=0.01)
    # 302,855.60 × 1.10 = 333,141.16, rounded up to the thousand
    assert jobs.objective == "max_impact_worker_hours" and jobs.targets == {"budget": 334_000}
    assert jobs.result["totals"]["impact_worker_jobs"] == pytest.approx(25.461, abs=0.001)
    assert cheapest.result["totals"]["impact_worker_jobs"] == pytest.approx(21.222, abs=0.001)
    for scenario in (cheapest, impact, jobs):
        assert scenario.submitted_by_id == demo.id and scenario.decided_at is None
        assert scenario.frontier["status"] == "optimal" and len(scenario.frontier["points"]) == 11
        actions = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id)
            .where(AuditEvent.target_type == "Scenario", AuditEvent.target_id == str(scenario.id))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == [
            ("scenario.create", demo.id),
            ("scenario.solve", demo.id),
            ("scenario.submit", demo.id),
        ]
    executive = db.session.scalars(select(User).where(User.email == "exec@northwind.example")).one()
    told = db.session.scalars(
        select(Notification.subject_id).where(
            Notification.user_id == executive.id,
            Notification.kind == NotificationKind.SCENARIO_SUBMITTED,
            Notification.read_at.is_(None),
        )
    ).all()
    assert sorted(told) == sorted(s.id for s in (cheapest, impact, jobs))
    # each submission queued its board PDF, of the version submitted, as the buyer's does
    reports = db.session.scalars(
        select(Job)
        .where(
            Job.kind == "report.board_pdf", Job.subject_id.in_([cheapest.id, impact.id, jobs.id])
        )
        .order_by(Job.id)
    ).all()
    assert [(j.subject_id, j.created_by_id, j.params) for j in reports] == [
        (s.id, demo.id, {"scenario_version": s.version}) for s in (cheapest, impact, jobs)
    ]

    def counts():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Scenario, AuditEvent, Notification, Job)
        )

    before = counts()
    assert load_demo_scenarios(demo) == 0  # loading again makes nothing
    assert counts() == before
