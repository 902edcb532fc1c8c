"""The cost-versus-impact frontier: monotone, right endpoints, one warm model."""

from __future__ import annotations

import dataclasses
import importlib
from itertools import pairwise

import numpy as np
import pytest
from scipy.optimize import linprog

import optimizer
from optimizer.model import INF, build_model, cost_vector
from optimizer.problem import parse_problem

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
        out = linprog(
            cost, A_ub=rows, b_ub=bounds, A_eq=a_eq, b_eq=b_eq, bounds=lp.bounds, method="highs"
        )
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
        assert all(b >= a for a, b in pairwise(costs)), (seed, costs)
        assert all(b >= a - 1e-6 for a, b in pairwise(impacts)), (seed, impacts)
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
    monkeypatch.setattr(
        solve_module,
        "pass_model",
        lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs),
    )
    result = optimizer.frontier(golden("impact_binding"), 11)
    assert result["status"] == "optimal" and len(result["points"]) == 11
    assert len(calls) == 1
    # cheapest + best impact at that cost + most impact (proved from the basis, no second
    # run) + 10 points: the top point is the most-impact run's plan, solved once
    assert result["solver"]["solves"] == 13
    assert result["points"][-1]["iterations"] == 0


def test_frontier_golden_points(golden):
    # impact_binding without its target: cheapest is all V1 ($1000, impact 50); the most
    # impact within the $2000 budget is all V2 ($1200, impact 90). Between them cost rises
    # by $5 per point: 1000 + 5·(impact − 50). At 50 the slope is the one above (the cost of
    # one more point), although any value from 0 (the flat cost below) to 5 is a dual there.
    points = optimizer.frontier(golden("impact_binding"), 5)["points"]
    assert [(p["avg_impact"], p["cost"]) for p in points] == [
        (50.0, 1000.0),
        (60.0, 1050.0),
        (70.0, 1100.0),
        (80.0, 1150.0),
        (90.0, 1200.0),
    ]
    assert [p["cost_per_impact_point"] for p in points] == [
        5.0,
        5.0,
        5.0,
        5.0,
        None,
    ]  # none for sale at 90


def test_frontier_with_cbc_proves_the_top_by_a_second_run(golden):
    # CBC has no ranging: the highest impact is proved by an infeasible run just above it
    result = optimizer.frontier({**golden("impact_binding"), "options": {"solver": "cbc"}}, 5)
    assert [(p["avg_impact"], p["cost"]) for p in result["points"]] == [
        (50.0, 1000.0),
        (60.0, 1050.0),
        (70.0, 1100.0),
        (80.0, 1150.0),
        (90.0, 1200.0),
    ]
    assert [p["cost_per_impact_point"] for p in result["points"]] == [5.0] * 4 + [None]
    # cheapest, best impact at that cost, most impact, its proof; 4 points (the top is the
    # most-impact run's plan)
    assert result["solver"]["solves"] == 4 + 4


def test_most_impact_proof_agrees_with_highs_cost_ranging(random_document):
    # stays_optimal_as_cost_rises reads one basis-inverse row; HiGHS' getRanging ranges every
    # column. Runs as in _highest_impact, with penalties from too small to ample, so that
    # both answers occur.
    answers = []
    for seed in range(60):
        doc = random_document(seed, vendors=12, needs=4)
        problem, errors = parse_problem(doc)
        problem = dataclasses.replace(
            problem, targets=dataclasses.replace(problem.targets, min_avg_impact=None)
        )
        model = build_model(problem)
        session = solve_module.HighsSolver().open(model)
        session.set_cost(cost_vector(model, {"spend": 1.0}))
        if errors or session.run(30).status != "optimal":
            continue
        shortfall, row = model.col_shortfall, model.row_index["min_avg_impact"]
        session.set_col_bounds([shortfall], [0.0], [INF])
        session.set_row_bounds([row], [100.0 * model.total_volume + 1.0], [INF])
        for penalty in (1e-3, 1.0, 30.0, 1e3, 1e6):
            session.set_cost(cost_vector(model, {"spend": 1.0, "shortfall": penalty}))
            assert session.run(30).status == "optimal"
            _, ranging = session.highs.getRanging()
            unbounded = not np.isfinite(ranging.col_cost_up.value_[shortfall])
            assert session.stays_optimal_as_cost_rises(shortfall) is unbounded, (seed, penalty)
            answers.append(unbounded)
    assert answers.count(True) >= 50 and answers.count(False) >= 50


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
