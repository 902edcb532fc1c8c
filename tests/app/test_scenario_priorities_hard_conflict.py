"""Constraint priorities (issue 21): when the rules without a priority admit no plan, the page
blames them, not the prioritised targets that would give way (optimizer.relax
`explain_hard_conflict`).

The `world` of tests/conftest.py: one need of 1,000 hours, Alpha at $8 an hour and Beta at $6,
each at most 80 % of the need, Alpha's impact score Ia above Beta's Ib. An average impact of
Ia (no priority) needs all 1,000 hours at Alpha, which may take 800: the best is
Ib + 0.8 (Ia − Ib). The $6,000 budget (priority 3) would fail too (the cheapest plan, 200 h at
Alpha and 800 at Beta, costs $6,400), but it would give way."""

from __future__ import annotations

import pytest

import optimizer
from procure.scenarios import review
from tests.app.test_scenario_priorities import _browser, _result, _scores

HARD_CONFLICT = (
    "The rules without a priority conflict: no plan meets them even with every prioritised "
    "target relaxed."
)


def test_the_page_blames_the_hard_target_not_the_prioritised_budget(client, world, sign_in):
    high, low = _scores(client, world)
    saved = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Hard impact",
            "need_ids": [world["need"]["id"]],
            "targets": {"budget": 6000, "min_avg_impact": high, "priorities": {"budget": 3}},
        },
    ).json
    assert saved["status"] == "infeasible"
    explanation = _result(client, world, saved["id"])["explanation"]
    assert explanation["prioritised"] == ["budget"]
    assert list(explanation["targets"]) == ["min_avg_impact"]  # no budget row
    best = explanation["targets"]["min_avg_impact"]["achievable"]
    assert best == pytest.approx(low + 0.8 * (high - low), abs=1e-6)
    assert explanation["checks"] == []  # no "budget_below_cheapest_cover"
    fixes = review.target_fixes(explanation, review.TARGET_LABELS)
    assert [row["name"] for row in fixes] == ["min_avg_impact"]
    assert fixes[0]["fix"] == optimizer.workable_limit("min_avg_impact", best)
    page = _browser(client, world["buyer"], sign_in).get(f"/scenarios/{saved['id']}").text
    assert f"The targets cannot all hold.</strong> {HARD_CONFLICT}" in page
    assert "The highest reachable average impact is" in page
    assert "Budget short by" not in page and "cheapest eligible prices" not in page


def test_a_data_check_the_summary_says_is_not_listed_again():
    """Need N: 100 hours, at most 30 % per vendor, two vendors: at most 60 % can be placed, a
    hard rule; the prioritised budget is left out. The summary says the check after its first
    sentence, so the page's list below it does not repeat it."""
    doc = {
        "version": 2,
        "needs": [
            {
                "id": "N",
                "unit": "hour",
                "volume": 100,
                "max_vendor_share": 0.3,
                "period": {"start": "2026-01", "months": 1},
            }
        ],
        "vendors": [
            {"id": v, "quality": 0.9, "impact_score": 50, "impact_worker_share": 0.1}
            for v in ("A", "B")
        ],
        "offers": [{"vendor": v, "need": "N", "price": 10} for v in ("A", "B")],
        "targets": {"budget": 100, "priorities": {"budget": 1}},
    }
    result = optimizer.solve(doc)
    explanation = result["explanation"]
    check = (
        "Need N allows at most 30% per vendor but has only 2 eligible vendors, so at most 60% of "
        "it can be placed; raise the share to at least 50% or add vendors."
    )
    assert [finding["message"] for finding in explanation["checks"]] == [check]
    assert explanation["summary"] == f"{HARD_CONFLICT} {check}"
    assert review.infeasibility_lines(explanation) == []
