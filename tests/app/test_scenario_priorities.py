"""Constraint priorities through procure (issue 21): `targets.priorities` in the scenario API and
the page's form, the status of a plan whose targets were relaxed, the "Targets that gave way"
card and the board report.

The golden case is the `world` of tests/conftest.py: one need of 1,000 hours, Alpha at $8 an
hour and Beta at $6, each at most 80 % of the need (so Alpha takes a hours, 200 ≤ a ≤ 800).
Cost = 8a + 6(1,000 − a) = 6,000 + 2a. Average impact = Ib + (Ia − Ib) a / 1,000, with Ia and
Ib the vendors' impact scores as the problem document holds them (Ia > Ib). A $6,800 budget
needs a ≤ 400; an average impact of Ib + 0.6 (Ia − Ib) needs a ≥ 600: both cannot hold.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from procure.extensions import db
from procure.formatting import format_value
from procure.reports.board_pdf import render_board_pdf
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from tests.conftest import csrf_token_from
from tests.reports.test_board_pdf import pages_text
from tests.reports.test_xlsx_pack import read

EXACT = 1e-4
"""The relaxed row is loosened by its slack × (1 + 1e-9) + 1e-9 × its scale (optimizer.relax
LOOSEN_TOL), and results are rounded to 6 decimals: a few millionths of an hour or a dollar."""
BUDGET = 6800.0


def _scores(client, world) -> tuple[float, float]:
    """Alpha's and Beta's impact scores in the problem document of a plain scenario."""
    plain = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Scores", "need_ids": [world["need"]["id"]]},
    ).json
    problem = client.get(
        f"/api/v1/scenarios/{plain['id']}/problem.json", headers=world["headers"]
    ).json
    scores = {v["id"]: v["impact_score"] for v in problem["vendors"]}
    return scores[f"V{world['alpha'].id}"], scores[f"V{world['beta'].id}"]


def _conflicting(
    client,
    world,
    budget_priority: int | None = None,
    impact_priority: int | None = None,
    name: str = "Priorities",
) -> dict:
    """A scenario whose budget and impact target conflict, with these priorities (none: it is
    infeasible)."""
    high, low = _scores(client, world)
    targets = {"budget": BUDGET, "min_avg_impact": low + 0.6 * (high - low)}
    if budget_priority is not None:
        targets["priorities"] = {"budget": budget_priority, "min_avg_impact": impact_priority}
    response = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": name, "need_ids": [world["need"]["id"]], "targets": targets},
    )
    assert response.status_code == 201, response.json
    return response.json


def _result(client, world, scenario_id: int) -> dict:
    return client.get(f"/api/v1/scenarios/{scenario_id}/result.json", headers=world["headers"]).json


def _volumes(result: dict, world) -> dict[str, float]:
    names = {f"V{world['alpha'].id}": "alpha", f"V{world['beta'].id}": "beta"}
    return {names[a["vendor"]]: a["volume"] for a in result["allocations"]}


def test_the_budget_holds_and_the_impact_target_gives_way(client, world):
    """Budget priority 5 over impact 3: a ≤ 400 holds, the best average impact is
    Ib + 0.4 (Ia − Ib), short of the target by 0.2 (Ia − Ib) points; the least cost at that
    impact is a = 400: 6,000 + 800 = $6,800."""
    high, low = _scores(client, world)
    saved = _conflicting(client, world, budget_priority=5, impact_priority=3)
    assert saved["status"] == "solved" and saved["relaxed"] is True
    result = _result(client, world, saved["id"])
    assert result["status"] == "optimal_relaxed"
    assert _volumes(result, world) == pytest.approx({"alpha": 400, "beta": 600}, abs=EXACT)
    assert result["totals"]["cost"] == pytest.approx(6800, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert relaxed["target"] == "min_avg_impact" and relaxed["held"] == ["budget"]
    assert relaxed["asked"] == pytest.approx(low + 0.6 * (high - low), abs=EXACT)
    assert relaxed["reached"] == pytest.approx(low + 0.4 * (high - low), abs=EXACT)
    assert relaxed["relaxed_by"] == pytest.approx(0.2 * (high - low), abs=EXACT)
    assert relaxed["sentence"].endswith("so that budget at most $6,800 (priority 5) holds.")


def test_swapped_priorities_relax_the_budget_by_exactly_400_dollars(client, world):
    """Impact priority 5 over budget 3: a ≥ 600 holds; the least cost is a = 600:
    6,000 + 1,200 = $7,200, the $6,800 budget relaxed by $400."""
    saved = _conflicting(client, world, budget_priority=3, impact_priority=5)
    assert saved["status"] == "solved" and saved["relaxed"] is True
    result = _result(client, world, saved["id"])
    assert _volumes(result, world) == pytest.approx({"alpha": 600, "beta": 400}, abs=EXACT)
    assert result["totals"]["cost"] == pytest.approx(7200, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["asked"], relaxed["unit"]) == ("budget", BUDGET, "$")
    assert relaxed["reached"] == pytest.approx(7200, abs=EXACT)
    assert relaxed["relaxed_by"] == pytest.approx(400, abs=EXACT)
    assert relaxed["sentence"].startswith("Budget at most $6,800 relaxed to $7,200 (priority 3)")
    # no frontier for a relaxed plan: each point would relax the targets by its own amount
    traced = client.post(
        f"/api/v1/scenarios/{saved['id']}/frontier", headers=world["headers"], json={}
    )
    assert traced.status_code == 409, traced.json
    assert "not traced for a plan whose targets were relaxed" in traced.json["message"]


def test_without_priorities_the_conflict_stays_infeasible(client, world):
    """A buyer who sets no priorities sees today's behaviour."""
    high, low = _scores(client, world)
    saved = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Hard",
            "need_ids": [world["need"]["id"]],
            "targets": {"budget": BUDGET, "min_avg_impact": low + 0.6 * (high - low)},
        },
    ).json
    assert saved["status"] == "infeasible" and saved["relaxed"] is False


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Scenario))


@pytest.mark.parametrize(
    ("priorities", "field"),
    [
        ({"budget": 0}, "targets.priorities.budget"),
        ({"budget": 1001}, "targets.priorities.budget"),
        ({"budget": "high"}, "targets.priorities.budget"),
        ({"budget": 2.5}, "targets.priorities.budget"),
        ({"budgets": 3}, "targets.priorities.budgets"),
        ({"min_avg_quality": 3}, "targets.priorities.min_avg_quality"),  # not set
        ({"needs.999999.min_avg_impact": 3}, "targets.priorities.needs.999999.min_avg_impact"),
        ({"needs.NEED.min_avg_impact": 3}, "targets.priorities.needs.NEED.min_avg_impact"),
        ({"incumbents.0": 3}, "targets.priorities.incumbents.0"),
        ({"vendor_groups.g.max_share": 3}, "targets.priorities.vendor_groups.g.max_share"),
        ([{"target": "budget", "priority": 3}], "targets.priorities"),
    ],
)
def test_bad_priorities_are_refused_naming_the_field_and_nothing_is_saved(
    client, world, priorities, field
):
    targets = {"budget": BUDGET, "priorities": priorities}
    if "NEED" in str(priorities):  # a need of the scenario whose minimum impact is not set
        priorities[f"needs.{world['need']['id']}.min_avg_impact"] = priorities.pop(
            "needs.NEED.min_avg_impact"
        )
        field = field.replace("NEED", str(world["need"]["id"]))
    body = {"name": "Bad", "need_ids": [world["need"]["id"]], "targets": targets}
    created = client.post("/api/v1/scenarios", headers=world["headers"], json=body)
    assert created.status_code == 422, created.json
    assert field in created.json["errors"], created.json["errors"]
    assert _count() == 0
    # the same through a change of a saved scenario: refused, the scenario as it was
    saved = client.post(
        "/api/v1/scenarios", headers=world["headers"], json={**body, "targets": {}}
    ).json
    changed = client.patch(
        f"/api/v1/scenarios/{saved['id']}",
        headers=world["headers"],
        json={"targets": targets, "version": saved["version"]},
    )
    assert changed.status_code == 422 and field in changed.json["errors"], changed.json
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}


def test_a_need_target_is_named_by_the_need_id_and_reaches_the_document(client, world):
    """The API's need 3 is the document's N3; a budget left to the needs' budgets may take a
    priority too (the document's budget is the need's $20,000)."""
    need = world["need"]["id"]
    changed = client.patch(
        f"/api/v1/needs/{need}",
        headers=world["headers"],
        json={"min_avg_impact": 1, "version": world["need"]["version"]},
    )
    assert changed.status_code == 200, changed.json
    saved = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Need priority",
            "need_ids": [need],
            "targets": {"priorities": {f"needs.{need}.min_avg_impact": 2, "budget": 7}},
        },
    )
    assert saved.status_code == 201, saved.json
    assert saved.json["targets"]["priorities"] == {f"needs.{need}.min_avg_impact": 2, "budget": 7}
    problem = client.get(
        f"/api/v1/scenarios/{saved.json['id']}/problem.json", headers=world["headers"]
    ).json
    assert problem["targets"]["priorities"] == {f"needs.N{need}.min_avg_impact": 2, "budget": 7}
    assert problem["targets"]["budget"] == 20000
    assert saved.json["status"] == "solved" and saved.json["relaxed"] is False


def test_a_priority_of_a_rule_left_out_goes_and_is_said():
    """An incumbent rule without a vendor in the plan is not applied; its priority goes, and
    the next rule's priority follows it to its new position."""
    from procure.scenarios.award_rules import document_rules

    targets = {
        "incumbents": [
            {"need": 3, "vendors": [7], "min_share": 0.5},
            {"need": 3, "vendors": [1], "min_share": 0.2},
        ],
        "priorities": {"incumbents.0": 4, "incumbents.1": 2, "needs.3.min_avg_impact": 5},
    }
    rules, notes = document_rules(targets, {1: "V1"}, {})
    assert rules["priorities"] == {"incumbents.0": 2, "needs.N3.min_avg_impact": 5}
    assert notes[-1] == "The priority of incumbent rule 1 is not used."


def _browser(client, user, sign_in):
    browser = client.application.test_client()
    sign_in(browser, user)
    return browser


def test_the_page_shows_the_targets_that_gave_way_and_the_pdf_lists_them(client, world, sign_in):
    saved = _conflicting(client, world, budget_priority=3, impact_priority=5)
    browser = _browser(client, world["buyer"], sign_in)
    page = browser.get(f"/scenarios/{saved['id']}").text
    assert "targets relaxed" in page  # beside the status
    assert "Targets that gave way" in page
    sentence = "Budget at most $6,800 relaxed to $7,200 (priority 3), so that average impact"
    assert sentence in page
    # asked, reached and the difference through the money figures, as the PDF prints them
    # (format_value: cents below $1,000)
    assert '<td class="num">$6,800</td><td class="num">$7,200</td><td class="num">$400.00</td>' in (
        page
    )
    assert "The frontier is not traced for a plan whose targets were relaxed" in page
    assert "Not every target holds: 1 gave way by priority." in page  # the submit confirmation
    listing = browser.get("/scenarios").text
    assert "targets relaxed" in listing

    text = " ".join(
        pages_text(render_board_pdf(board_context(db.session.get(Scenario, saved["id"]))))
    )
    assert "Solved, not yet submitted, with targets relaxed" in text
    assert "Targets that gave way" in text
    assert sentence in text
    assert "$6,800 $7,200 $400.00" in text
    # the Excel pack: a row for the target, the figure the plan reaches, and the sentence
    pack = client.get(f"/api/v1/scenarios/{saved['id']}/export.xlsx", headers=world["headers"])
    rows = read(pack.data, "Assumptions").to_dict("records")
    (gave_way,) = [r for r in rows if r["Section"] == "Target that gave way"]
    assert gave_way["Item"] == "Total cost at most $6,800 (budget)"
    assert gave_way["Value"] == pytest.approx(7200, abs=EXACT)
    assert gave_way["Detail"].startswith(sentence)
    # the API's result: the same figures the page, the PDF and the pack show
    (relaxed,) = _result(client, world, saved["id"])["relaxations"]
    assert (relaxed["asked"], relaxed["reached"], relaxed["relaxed_by"]) == (
        pytest.approx(6800, abs=EXACT),
        pytest.approx(7200, abs=EXACT),
        pytest.approx(400, abs=EXACT),
    )


def test_a_fully_optimal_plan_shows_no_relaxation(client, world, sign_in):
    saved = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Easy",
            "need_ids": [world["need"]["id"]],
            "targets": {"budget": BUDGET, "priorities": {"budget": 3}},
        },
    ).json
    assert saved["status"] == "solved" and saved["relaxed"] is False
    page = _browser(client, world["buyer"], sign_in).get(f"/scenarios/{saved['id']}").text
    assert "Targets that gave way" not in page and "targets relaxed" not in page
    assert "Target priorities" in page  # the form, with the budget's priority as set
    assert 'name="priority.budget" type="number" value="3"' in page


def test_the_priorities_form_saves_and_solves_and_refuses_bad_input(client, world, sign_in):
    """Setting the impact target's priority above the budget's on the page relaxes the budget:
    the golden plan of $7,200."""
    saved = _conflicting(client, world, name="Form")
    assert saved["status"] == "infeasible"
    url = f"/scenarios/{saved['id']}"
    browser = _browser(client, world["buyer"], sign_in)
    page = browser.get(url).text
    assert 'name="priority.min_avg_impact"' in page and 'name="priority.budget"' in page
    # the targets form shows the stored budget as typed: 6800, not 6800.0
    assert 'name="targets.budget" type="number" value="6800"' in page
    form = {"csrf_token": csrf_token_from(page), "version": saved["version"]}
    # a priority of 0: refused, naming it, beside the field, what was typed kept (422: the page
    # again), nothing saved
    refused = browser.post(
        f"{url}/priorities",
        data={**form, "priority.budget": "0", "priority.min_avg_impact": "5"},
    )
    assert refused.status_code == 422
    told = refused.text
    assert "Priority (The budget: $6,800)</a>: must be a whole number" in told
    assert '<p class="error" id="priority-budget-error">must be a whole number' in told
    assert 'name="priority.budget" type="number" value="0"' in told
    assert 'name="priority.min_avg_impact" type="number" value="5"' in told
    db.session.expire_all()
    assert "priorities" not in db.session.get(Scenario, saved["id"]).targets
    # text and a negative figure: refused the same way, each field named, nothing saved
    for typed in ("high", "-2"):
        refused = browser.post(f"{url}/priorities", data={**form, "priority.budget": typed})
        assert refused.status_code == 422
        assert "Priority (The budget: $6,800)</a>:" in refused.text
        assert f'name="priority.budget" type="number" value="{typed}"' in refused.text
        db.session.expire_all()
        scenario = db.session.get(Scenario, saved["id"])
        assert "priorities" not in scenario.targets and scenario.version == saved["version"]

    applied = browser.post(
        f"{url}/priorities",
        data={**form, "priority.budget": "3", "priority.min_avg_impact": "5"},
    )
    assert applied.status_code == 302
    db.session.expire_all()
    scenario = db.session.get(Scenario, saved["id"])
    assert scenario.targets["priorities"] == {"budget": 3, "min_avg_impact": 5}
    assert scenario.status == "solved" and scenario.relaxed
    assert scenario.result["totals"]["cost"] == pytest.approx(7200, abs=EXACT)
    # emptied, every target is hard again: the priorities go
    page = browser.get(url).text
    browser.post(
        f"{url}/priorities",
        data={"csrf_token": csrf_token_from(page), "version": scenario.version},
    )
    db.session.expire_all()
    assert "priorities" not in db.session.get(Scenario, saved["id"]).targets


def test_another_organizations_buyer_gets_404_and_changes_no_priority(
    client, world, make_user, bearer, sign_in
):
    saved = _conflicting(client, world, budget_priority=3, impact_priority=5)
    stranger = make_user("buyer")
    assert stranger.organization_id != world["buyer"].organization_id
    other = _browser(client, stranger, sign_in)
    token = csrf_token_from(other.get("/scenarios").text)
    url = f"/scenarios/{saved['id']}"
    refused = other.post(
        f"{url}/priorities",
        data={"csrf_token": token, "version": saved["version"], "priority.budget": "9"},
    )
    assert refused.status_code == 404
    assert other.get(url).status_code == 404
    patched = client.patch(
        f"/api/v1/scenarios/{saved['id']}",
        headers=bearer(stranger),
        json={"targets": {"priorities": {"budget": 9}}, "version": saved["version"]},
    )
    assert patched.status_code == 404
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets["priorities"] == {
        "budget": 3,
        "min_avg_impact": 5,
    }


def test_the_board_report_of_an_infeasible_plan_says_why_it_has_no_plan(client, world):
    """Budget and impact target conflict with no priority: the scenario is infeasible. Its board
    report's context and PDF are built (they raised TypeError), with empty figures and the
    infeasibility explanation's summary, and the conflicting targets instead of the tables."""
    saved = _conflicting(client, world, name="No plan")
    assert saved["status"] == "infeasible"
    context = board_context(db.session.get(Scenario, saved["id"]))
    text = " ".join(pages_text(render_board_pdf(context)))
    assert "No plan meets every target No plan to approve" in text  # the cover's status
    assert "The targets that conflict" in text and "Allocation by vendor" not in text
    # one figure per limit: the rows' and the fixes', never the optimizer's unrounded target
    assert "Minimum average impact (0–100) 32.3 29.7 makes a plan possible" in text
    assert "Set “Minimum average impact (0–100)” to 29.7 (asked: 32.3)." in text
    assert "32.348" not in text
    assert "No plan meets every target." in text
    explanation = _result(client, world, saved["id"])["explanation"]
    assert context["infeasibility"]["summary"] and context["infeasibility"]["summary"] in text
    assert context["kpis"][0] == {"label": "Total cost", "value": None, "format": "money"}
    assert context["allocations"] == [] and context["impact"]["by_vendor"] == []
    assert explanation["summary"]  # the page's alert says the same summary


def test_the_page_and_the_board_report_print_each_relaxed_figure_alike(client, world, sign_in):
    """Budget priority 5 over impact 3: the impact target gives way, a figure in points. The
    page's card and the board report print asked, reached and difference through one formatter
    (format_value: "71.2", where the page printed every digit), and the priorities form names
    the budget as the figures do: "$6,800", not "$6,800.00"."""
    saved = _conflicting(client, world, budget_priority=5, impact_priority=3)
    page = _browser(client, world["buyer"], sign_in).get(f"/scenarios/{saved['id']}").text
    context = board_context(db.session.get(Scenario, saved["id"]))
    (row,) = context["relaxations"]
    assert row["format"] == "number" and row["unit"]
    shown = [format_value(row[key], "number") for key in ("asked", "reached", "relaxed_by")]
    cells = "".join(
        f'<td class="num">{text} <span class="muted small">{row["unit"]}</span></td>'
        for text in shown
    )
    assert cells in page
    text = " ".join(pages_text(render_board_pdf(context)))
    assert " ".join(f"{value} {row['unit']}" for value in shown) in text
    assert "The budget: $6,800" in page and "$6,800.00" not in page
