"""The cost-versus-impact frontier: monotone, right endpoints, one warm model."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from scipy.optimize import linprog

import optimizer

solve_module = importlib.import_module("optimizer.solve")


def _endpoints(reference, doc: dict) -> tuple[float, float, float, float]:
    """(cheapest cost, its best average impact, highest average impact, its least cost) from
    the independent model, without the document's min_avg_impact target."""
    lp = reference.ReferenceLP(doc, drop=("min_avg_impact",))
    a_ub, b_ub, a_eq, b_eq = lp.rows()

    def run(cost, extra_row=None, extra_bound=None):
        rows, bounds = a_ub, b_ub
        if extra_row is not None:
            rows = np.vstack([rows, extra_row]) if rows is not None else np.array([extra_row])
            bounds = np.append(bounds, extra_bound) if bounds is not None else [extra_bound]
        out = linprog(cost, A_ub=rows, b_ub=bounds, A_eq=a_eq, b_eq=b_eq, bounds=lp.bounds,
                      method="highs")
        assert out.status == 0
        return out.fun

    cheapest = run(lp.price)
    impact_at_cheapest = -run(-lp.impact, lp.price, cheapest * (1 + 1e-9) + 1e-9)
    most_impact = -run(-lp.impact)
    cost_at_most = run(lp.price, -lp.impact, -most_impact * (1 - 1e-9))
    return cheapest, impact_at_cheapest / lp.total, most_impact / lp.total, cost_at_most


def test_frontier_is_monotone_and_its_ends_match_linprog(random_document, reference):
    checked = 0
    for seed in range(80):
        doc = random_document(seed)
        doc.setdefault("targets", {})["min_avg_impact"] = 99.0  # ignored by the frontier
        result = optimizer.frontier(doc, 11)
        if result["status"] == "infeasible":
            assert result["points"] == [] and "summary" in result["explanation"]
            continue
        assert result["status"] == "optimal", seed
        points = result["points"]
        assert len(points) == 11 and {p["status"] for p in points} == {"optimal"}
        costs = [p["cost"] for p in points]
        impacts = [p["avg_impact"] for p in points]
        assert all(b >= a for a, b in zip(costs, costs[1:])), (seed, costs)
        assert all(b >= a - 1e-6 for a, b in zip(impacts, impacts[1:])), (seed, impacts)
        cheapest, low, high, cost_at_high = _endpoints(reference, doc)
        assert costs[0] == pytest.approx(cheapest, rel=1e-6, abs=1e-6), seed
        assert impacts[0] == pytest.approx(low, abs=1e-5), seed
        assert impacts[-1] == pytest.approx(high, abs=1e-5), seed
        assert costs[-1] == pytest.approx(cost_at_high, rel=1e-6, abs=1e-5), seed
        checked += 1
    assert checked >= 25


def test_frontier_uses_one_model(golden, monkeypatch):
    calls = []
    original = solve_module.pass_model
    monkeypatch.setattr(solve_module, "pass_model",
                        lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))
    result = optimizer.frontier(golden("impact_binding"), 11)
    assert result["status"] == "optimal" and len(result["points"]) == 11
    assert len(calls) == 1
    # cheapest + best impact at that cost + most impact (proved by ranging) + 11 points
    assert result["solver"]["solves"] == 14


def test_frontier_golden_points(golden):
    # impact_binding without its target: cheapest is all V1 ($1000, impact 50); the most
    # impact within the $2000 budget is all V2 ($1200, impact 90). Between them cost rises
    # by $5 per point: 1000 + 5·(impact − 50).
    points = optimizer.frontier(golden("impact_binding"), 5)["points"]
    assert [(p["avg_impact"], p["cost"]) for p in points] == [
        (50.0, 1000.0), (60.0, 1050.0), (70.0, 1100.0), (80.0, 1150.0), (90.0, 1200.0)]
    assert [p["cost_per_impact_point"] for p in points[1:4]] == [5.0, 5.0, 5.0]


def test_frontier_with_cbc_proves_the_top_by_a_second_run(golden):
    # CBC has no ranging: the highest impact is proved by an infeasible run just above it
    result = optimizer.frontier({**golden("impact_binding"), "options": {"solver": "cbc"}}, 5)
    assert [(p["avg_impact"], p["cost"]) for p in result["points"]] == [
        (50.0, 1000.0), (60.0, 1050.0), (70.0, 1100.0), (80.0, 1150.0), (90.0, 1200.0)]
    assert result["solver"]["solves"] == 4 + 5


def test_frontier_single_point_and_bad_points(golden):
    doc = golden("impact_binding")
    assert [p["cost"] for p in optimizer.frontier(doc, 1)["points"]] == [1000.0]
    for points in (0, -3, 1.5, True, "11", None, 10_000):
        result = optimizer.frontier(doc, points)
        assert result["status"] == "invalid" and result["points"] == []
        assert result["errors"][0]["field"] == "points"


def test_frontier_invalid_document():
    result = optimizer.frontier({"needs": "many"}, 5)
    assert result["status"] == "invalid" and result["points"] == []
    assert {e["field"] for e in result["errors"]} >= {"needs", "vendors", "offers"}
