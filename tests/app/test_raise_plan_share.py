"""The extra work a "How to raise your score" step could win (issue #22): a buyer that lets vendors
see it (its admin's setting, off by default, audited) shows each vendor eligible in its approved
plan the vendor's own hours before and after the step, the plan solved again read-only with the
vendor's changed impact score; nothing of another vendor, a price or a target shows, and the page
writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import optimizer
from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.scenarios import plan_share
from procure.scenarios.models import Scenario
from procure.scoring import raising
from procure.scoring_defaults import default_profile
from procure.states import ScenarioStatus
from tests.app.test_raise_your_score import (
    _every_row,
    _submit,
    peers,  # noqa: F401 (a fixture)
)
from tests.conftest import csrf_token_from, valid_document

PLAN_NAME = "Secret impact 50 plan"


@pytest.fixture(autouse=True)
def _fresh_cache():
    plan_share.clear_cache()
    yield
    plan_share.clear_cache()


@pytest.fixture
def plan(peers, make_user, make_org):  # noqa: F811 (peers: the fixture imported)
    """Alpha and Beta of test_raise_your_score's `peers` (Beta pays its impact workers a median
    of KES 30,000 a month against a living wage of 35,000); Northwind Test approved a plan of
    one need of 1,000 hours at an average impact of at least 50: Alpha at $14 an hour with an
    impact score of 80, Beta at $10 with 40. The least cost gives Beta as much as the target
    allows: 40 x + 80 (1,000 - x) = 50 x 1,000, so x = 750 hours, Alpha 250."""
    alpha, alpha_user = peers["alpha"], peers["alpha_user"]
    beta, beta_user = peers["beta"], peers["beta_user"]
    northwind = make_org("buyer", "Northwind Test")
    problem = {
        "needs": [{"id": "N1", "volume": 1000}],
        "vendors": [
            {"id": f"V{alpha.id}", "name": alpha.name, "quality": 0.9, "impact_score": 80.0},
            {"id": f"V{beta.id}", "name": beta.name, "quality": 0.9, "impact_score": 40.0},
        ],
        "offers": [
            {"vendor": f"V{alpha.id}", "need": "N1", "price": 14.0},
            {"vendor": f"V{beta.id}", "need": "N1", "price": 10.0},
        ],
        "targets": {"min_avg_impact": 50},
        "objective": "min_cost",
        "options": {"solver": "highs", "time_limit": 60},
    }
    result = optimizer.solve(problem)
    assert result["status"] == "optimal"
    assert plan_share.vendor_hours(result, problem, f"V{beta.id}") == pytest.approx(750.0)
    scenario = Scenario(
        organization_id=northwind.id,
        name=PLAN_NAME,
        need_ids=[],
        status=ScenarioStatus.APPROVED,
        problem=problem,
        result=result,
        profile_settings=default_profile().to_dict(),
        decided_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    )
    db.session.add(scenario)
    db.session.commit()
    return {
        "alpha": alpha,
        "alpha_user": alpha_user,
        "beta": beta,
        "beta_user": beta_user,
        "northwind": northwind,
        "admin": make_user("admin", organization=northwind),
        "buyer": make_user("buyer", organization=northwind),
        "scenario": scenario,
    }


def _opt_in(client, bearer, plan, allowed=True):
    answer = client.patch(
        f"/api/v1/organizations/{plan['northwind'].id}/settings",
        headers=bearer(plan["admin"]),
        json={"vendors_see_plan_share": allowed},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json == {"vendors_see_plan_share": allowed}


def _shares(vendor):
    actions = raising.score_actions(
        vendor.id, default_profile(), organization_id=vendor.organization_id
    )
    disclosure_id = actions[0]["link"][1]
    return plan_share.with_plan_shares(vendor.id, actions, disclosure_id)


def test_raising_impact_moves_hours_to_the_vendor_under_an_impact_target(
    client, plan, bearer, sign_in, monkeypatch
):
    monkeypatch.setattr(plan_share, "MAX_WORK", 20)
    _opt_in(client, bearer, plan)
    living = next(a for a in _shares(plan["beta"]) if a["kind"] == "living_wage")
    # the living wage lifts Beta's impact score by 100 x weight 0.20 x self-reported 0.5 x 2/7
    # (its normalised wage ratio 6/7 -> 1 on goalposts [0.75, 1.25]) = 20/7 points: 40 -> 42.857,
    # so 42.857 x + 80 (1,000 - x) = 50,000 gives x = 30,000 / (260/7) = 807.69 hours
    [line] = living["plans"]
    assert line["organization"] == "Northwind Test"
    assert line["hours_before"] == pytest.approx(750.0)
    assert line["hours_after"] == pytest.approx(210000 / 260, abs=1e-4)
    assert set(line) == {
        "plan",
        "organization",
        "approved_on",
        "hours_approved",
        "hours_before",
        "hours_after",
        "note",
        "changed",
    }
    sign_in(client, plan["beta_user"])
    page = client.get("/scorecard").text
    assert "<strong>+58 hours</strong> in Northwind Test's approved plan" in page
    assert "your hours 750 → 808" in page


def test_a_step_that_moves_nothing_in_a_tied_plan_shows_no_change(
    client, plan, bearer, sign_in, monkeypatch
):
    """Beta and a twin (V0: the same price, quality and impact score, no target) tie at least
    cost. The optimizer gives what still ties to the later offer in (need, vendor) order, Beta:
    solved again as approved, Beta has all 1,000 hours, and with any step's higher impact score
    too (most impact is its second stage). The approved result splits the tie 500/500, as
    another solver may: "before" read from it showed "+500 hours" for every step; from the same
    kind of solve as "after", no step changes Beta's hours, and the approved 500 are named."""
    monkeypatch.setattr(plan_share, "MAX_WORK", 20)
    beta, scenario = plan["beta"], plan["scenario"]
    twin = {"id": "V0", "name": "Twin", "quality": 0.9, "impact_score": 40.0}
    scenario.problem = scenario.problem | {
        "vendors": [twin, scenario.problem["vendors"][1]],
        "offers": [{"vendor": "V0", "need": "N1", "price": 10.0}, scenario.problem["offers"][1]],
        "targets": {},
    }
    split = [{"vendor": v, "need": "N1", "volume": 500.0} for v in ("V0", f"V{beta.id}")]
    scenario.result = scenario.result | {"allocations": split}
    db.session.commit()
    _opt_in(client, bearer, plan)
    lines = [line for a in _shares(beta) for line in a["plans"]]
    assert len(lines) == 8  # Beta's eight steps (test_raise_your_score)
    for line in lines:
        assert (line["hours_approved"], line["hours_before"]) == (500.0, pytest.approx(1000.0))
        assert line["hours_after"] == pytest.approx(1000.0) and not line["changed"]
    sign_in(client, plan["beta_user"])
    page = client.get("/scorecard").text
    assert "+500 hours" not in page
    assert "none of these steps alone changes your 1,000 hours" in page
    assert "gives you 500 hours; solved again as approved, 1,000" in page


def test_a_plan_that_gives_the_vendor_no_work_at_any_step_says_so_in_words(
    client, plan, bearer, sign_in, monkeypatch
):
    """Without the impact target the least cost gives all 1,000 hours to Beta ($10 an hour
    against Alpha's $14): no step of Alpha's wins it work, and the panel says so in words, not
    as "changes your 0 hours"."""
    monkeypatch.setattr(plan_share, "MAX_WORK", 20)
    scenario = plan["scenario"]
    scenario.problem = scenario.problem | {"targets": {}}
    scenario.result = optimizer.solve(scenario.problem)
    assert plan_share.vendor_hours(scenario.result, scenario.problem, f"V{plan['alpha'].id}") == 0
    db.session.commit()
    _opt_in(client, bearer, plan)
    sign_in(client, plan["alpha_user"])
    page = client.get("/scorecard").text
    assert "In Northwind Test's approved plan" in page
    assert "none of these steps alone wins you work" in page
    assert "changes your 0 hours" not in page


def test_a_buyer_that_has_not_opted_in_shows_nothing(client, plan, bearer, sign_in):
    assert plan["northwind"].vendors_see_plan_share is False  # off by default
    assert all(a["plans"] == [] for a in _shares(plan["beta"]))
    sign_in(client, plan["beta_user"])
    page = client.get("/scorecard").text
    assert "How to raise your score" in page and "approved plan" not in page
    _opt_in(client, bearer, plan)
    _opt_in(client, bearer, plan, allowed=False)  # and off again
    plan_share.clear_cache()
    assert "approved plan" not in client.get("/scorecard").text


def test_another_vendor_never_sees_the_line_and_no_page_leaks_another(
    app, client, plan, bearer, sign_in, make_vendor, monkeypatch
):
    monkeypatch.setattr(plan_share, "MAX_WORK", 20)
    _opt_in(client, bearer, plan)
    # a vendor the plan does not offer work to gets no line
    gamma, gamma_user = make_vendor("Gamma Digital")
    _submit(client, bearer(gamma_user), gamma, valid_document())
    gamma_client = app.test_client()
    sign_in(gamma_client, gamma_user)
    gamma_page = gamma_client.get("/scorecard").text
    assert "How to raise your score" in gamma_page and "approved plan" not in gamma_page
    # Beta's page: its own hours only, never Alpha's (250 -> 192), a price, the plan or target
    sign_in(client, plan["beta_user"])
    beta_page = client.get("/scorecard").text
    assert "Northwind Test's approved plan" in beta_page
    for secret in (
        "Alpha Annotation",
        PLAN_NAME,
        "250 →",
        "→ 192",
        "$14",
        "14.0",
        "average impact of at least",
    ):
        assert secret not in beta_page, secret
    # Alpha sees its own line (the same plan, its own hours) and nothing of Beta's
    alpha_client = app.test_client()
    sign_in(alpha_client, plan["alpha_user"])
    alpha_page = alpha_client.get("/scorecard").text
    for secret in ("Beta BPO", PLAN_NAME, "750", "808", "$10"):
        assert secret not in alpha_page, secret


def test_reading_the_panel_writes_nothing(client, plan, bearer, sign_in, monkeypatch):
    monkeypatch.setattr(plan_share, "MAX_WORK", 20)
    _opt_in(client, bearer, plan)
    sign_in(client, plan["beta_user"])
    assert client.get("/scorecard").status_code == 200  # the first read stores its ranking
    plan_share.clear_cache()  # the second read solves again
    db.session.expire_all()
    before = _every_row()
    page = client.get("/scorecard").text
    assert "your hours 750 → 808" in page
    db.session.expire_all()
    assert _every_row() == before


def test_a_page_scores_and_solves_at_most_max_work_and_the_next_visit_the_rest(
    client, plan, bearer, monkeypatch
):
    """The plan's ranking and each step's what-if score the buyer's table, about as costly as a
    solve: the budget counts all three. With 4: the ranking, the unchanged copy and one step
    (its what-if and its solve); each later visit the ranking again and a step (3 of 4: a step
    needs 2). Beta's eight steps take eight visits; the ninth scores and solves nothing."""
    monkeypatch.setattr(plan_share, "MAX_WORK", 4)
    beta = plan["beta"]
    actions = raising.score_actions(
        beta.id, default_profile(), organization_id=beta.organization_id
    )
    work: list[str] = []

    def counted(name, function):
        return lambda *args, **kwargs: work.append(name) or function(*args, **kwargs)

    monkeypatch.setattr(plan_share, "_plan_ranking", counted("ranking", plan_share._plan_ranking))
    monkeypatch.setattr(plan_share, "_solve_with", counted("solve", plan_share._solve_with))
    monkeypatch.setattr(
        plan_share.services, "what_if", counted("what_if", plan_share.services.what_if)
    )
    _opt_in(client, bearer, plan)
    visits = []
    while not visits or any(line["hours_after"] is None for line in visits[-1]):
        work.clear()
        shares = plan_share.with_plan_shares(beta.id, actions, actions[0]["link"][1])
        visits.append([a["plans"][0] for a in shares])
        assert len(work) <= 4 and len(visits) <= len(actions), work
        if len(visits) == 1:
            assert work == ["ranking", "solve", "what_if", "solve"]
            waiting = [line for line in visits[0] if line["hours_after"] is None]
            assert len(waiting) == 7 and all("open the page again" in w["note"] for w in waiting)
        elif any(line["hours_after"] is None for line in visits[-1]):
            assert work == ["ranking", "what_if", "solve"]
    assert len(visits) == len(actions) == 8
    work.clear()
    plan_share.with_plan_shares(beta.id, actions, actions[0]["link"][1])
    assert work == []  # every answer kept: nothing scored or solved again


def test_the_buyer_admin_sets_it_with_an_audit_event_and_others_cannot(
    app, client, plan, bearer, sign_in, make_user
):
    sign_in(client, plan["admin"])
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "Let vendors see how an improvement" in page.text
    assert 'href="/admin/settings"' in page.text  # in the admin's navigation
    token = csrf_token_from(page.text)
    # a value the box never sends is refused by name, and changes nothing
    refused = client.post(
        "/admin/settings", data={"vendors_see_plan_share": "maybe", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "Let vendors see their share: Not a valid boolean. Nothing was changed." in refused.text
    db.session.expire_all()
    assert plan["northwind"].vendors_see_plan_share is False
    # as the browser sends a ticked box: its "true", then the hidden "false"
    ticked = MultiDict(
        [("vendors_see_plan_share", "true"), ("vendors_see_plan_share", "false")]
        + [("csrf_token", token)]
    )
    saved = client.post("/admin/settings", data=ticked)
    assert saved.status_code == 302
    db.session.expire_all()
    assert plan["northwind"].vendors_see_plan_share is True
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organization.settings_change")
    ).all()
    assert event.changes == {
        "before": {"vendors_see_plan_share": False},
        "after": {"vendors_see_plan_share": True},
    }
    assert (event.actor_id, event.organization_id) == (plan["admin"].id, plan["northwind"].id)
    # saving it unchanged records nothing
    client.post("/admin/settings", data=ticked)
    assert (
        len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "organization.settings_change")
            ).all()
        )
        == 1
    )
    # another buyer organization's admin: 404; a buyer of Northwind: 403; a vendor's admin 404
    other_admin = make_user("admin")
    answer = client.patch(
        f"/api/v1/organizations/{plan['northwind'].id}/settings",
        headers=bearer(other_admin),
        json={"vendors_see_plan_share": False},
    )
    assert answer.status_code == 404
    answer = client.patch(
        f"/api/v1/organizations/{plan['northwind'].id}/settings",
        headers=bearer(plan["buyer"]),
        json={"vendors_see_plan_share": False},
    )
    assert answer.status_code == 403
    vendor_admin = make_user("admin", organization=plan["beta"].organization)
    vendor_client = app.test_client()
    sign_in(vendor_client, vendor_admin)
    assert vendor_client.get("/admin/settings").status_code == 404
    refused = vendor_client.patch(
        f"/api/v1/organizations/{plan['beta'].organization_id}/settings",
        headers=bearer(vendor_admin),
        json={"vendors_see_plan_share": True},
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["vendors_see_plan_share"]
    db.session.expire_all()
    assert plan["northwind"].vendors_see_plan_share is True


def test_a_vendors_hours_are_counted_as_every_page_counts_them():
    """A version 1 plan with an hourly need and a need bought by the item: the item lines have
    no hours (as the scenario page says), not their volume; a version 2 line has its hours."""
    problem = {"needs": [{"id": "N1", "unit": "hour"}, {"id": "N2", "unit": "item"}]}
    result = {
        "allocations": [
            {"vendor": "V1", "need": "N1", "volume": 100.0},
            {"vendor": "V1", "need": "N2", "volume": 5000.0},
            {"vendor": "V2", "need": "N1", "volume": 40.0},
        ]
    }
    assert plan_share.vendor_hours(result, problem, "V1") == 100.0
    version_2 = {"version": 2, "needs": problem["needs"]}
    lines = [{"vendor": "V1", "need": "N2", "volume": 5000.0, "hours": 250.0}]
    assert plan_share.vendor_hours({"allocations": lines}, version_2, "V1") == 250.0
