"""The cost-versus-impact frontier on one warm model (reference/optimizer.md §5).

`frontier(problem, points)` ignores the document's own min_avg_impact target and holds every
other target. It solves, on ONE solver session (for HiGHS: one `passModel`, then bound
changes and warm re-runs, never a rebuild):

1. the cheapest plan, then the most impact among the cheapest plans: average impact I_A;
2. the most impact reachable at any cost within the other targets: I_B (`_highest_impact`);
   that run's plan is also the least cost at I_B, the top point;
3. back at the cheapest plan's basis, for N−1 evenly spaced impact levels from I_A up to
   below I_B, the least cost with average impact at least that level (only the bound of the
   `min_avg_impact` row changes between points).

Upward from the cheapest basis, because the sweep then never walks down from the top: on
bench/bench_optimizer.py's 250,000-column instance the first step down from I_B took 1,107
dual simplex iterations of the 3,014 of a top-down sweep; the upward sweep takes ~1,900.

Each point has `avg_impact` (points, as achieved), `cost` ($), `status`, plus
`target_avg_impact` and `cost_per_impact_point` (the local slope, $ per point, from the impact
row's dual; at the lowest point the slope above it, what one more point costs; null at the
top, where no more impact is reachable at any price). Costs never decrease as impact rises: a
least-cost LP value is monotone in the impact level; a drop smaller than 1e-6 relative (solver
tolerance) is reported as no change.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from optimizer.explain import explain_infeasible
from optimizer.model import INF, AllocationModel, build_model, cost_vector
from optimizer.problem import parse_problem
from optimizer.result import clean
from optimizer.solve import (
    Deadline,
    SolveOutcome,
    Solver,
    SolverSession,
    SolverUnavailable,
    hold_optimum,
    keep_within,
    make_solver,
)

MAX_POINTS = 1000
BOTTOM_SLOPE_STEP = 1e-6
"""Where the lowest point's slope is read: this fraction of the impact range above I_A. Far
above the solver's feasibility tolerance, far below the spacing of the frontier's breakpoints
(on random instances from 1e-9 to 1e-4 gave the same slopes)."""


def _invalid(errors: list[dict]) -> dict:
    return {"status": "invalid", "errors": errors, "points": []}


def frontier(
    problem: dict,
    points: int,
    solver: Solver | None = None,
    on_point: Callable[[int, int], bool | None] | None = None,
) -> dict:
    """N points of least total cost ($) against average impact (points, 0–100), from the
    impact of the cheapest plan to the highest reachable within the other targets.

    `on_point(done, total)` is called once the anchors are solved (done 0) and after each
    point; when it returns False the run stops and returns `{"status": "stopped", ...}`.

    Returns `{"status", "points": [{"avg_impact", "cost", "status", "target_avg_impact",
    "cost_per_impact_point", "iterations"}, ...], "solver", "errors"}`; an invalid document or
    `points` gives `{"status": "invalid", "errors": [...], "points": []}`. Never raises."""
    try:
        return _frontier(problem, points, solver, on_point)
    except Exception as exc:  # noqa: BLE001 - public entry point: report, never raise
        return {
            "status": "error",
            "points": [],
            "errors": [{"field": "$", "message": f"internal error: {type(exc).__name__}"}],
        }


def _stopped(done: int, total: int) -> dict:
    return {
        "status": "stopped",
        "points": [],
        "errors": [
            {"field": "$", "message": f"stopped by the caller after {done} of {total} points"}
        ],
    }


def _frontier(
    document: dict,
    points: int,
    solver: Solver | None,
    on_point: Callable[[int, int], bool | None] | None,
) -> dict:
    started = time.perf_counter()
    problem, errors = parse_problem(document)
    if type(points) is not int or not 1 <= points <= MAX_POINTS:
        errors = [
            *errors,
            {"field": "points", "message": f"must be a whole number from 1 to {MAX_POINTS}"},
        ]
    if errors:
        return _invalid(errors)
    problem = dataclasses.replace(
        problem, targets=dataclasses.replace(problem.targets, min_avg_impact=None)
    )
    try:
        solver = solver or make_solver(problem.options)
    except SolverUnavailable as exc:
        return {
            "status": "error",
            "error_code": "solver_unavailable",
            "points": [],
            "errors": [{"field": "options.solver", "message": str(exc)}],
        }
    deadline = Deadline(problem.options.time_limit)
    model = build_model(problem)
    total = model.total_volume
    spend, impact = model.col_spend, model.col_impact
    impact_row = model.row_index["min_avg_impact"]
    session = solver.open(model)
    runs = []

    def run(cost_terms: dict, col_dual: bool = False) -> SolveOutcome:
        session.set_cost(cost_vector(model, cost_terms))
        outcome = session.run(deadline.remaining(), col_dual)
        runs.append(outcome)
        return outcome

    cheapest = run({"spend": 1.0}, col_dual=True)  # hold_optimum reads its reduced costs
    if cheapest.status != "optimal":
        out = {"status": cheapest.status, "points": [], "errors": []}
        if cheapest.status == "infeasible":
            out["explanation"] = explain_infeasible(model, solver, deadline)
        return out
    cheapest_basis = session.basis()
    hold_optimum(model, session, cheapest, spend, upper=True)
    anchor_low = run({"impact": -1.0})
    lp = model.lp
    session.set_col_bounds(np.arange(lp.num_col), lp.col_lower, lp.col_upper)
    session.set_row_bounds(np.arange(lp.num_row), lp.row_lower, lp.row_upper)
    highest, penalty, top = (
        _highest_impact(model, session, run)
        if anchor_low.status == "optimal"
        else (None, 0.0, None)
    )
    if highest is None:
        return {"status": "time_limit", "points": [], "errors": []}
    low, high = float(anchor_low.x[impact]), max(highest, float(anchor_low.x[impact]))
    levels = (
        [low]
        if points == 1
        else [low + (high - low) * k / (points - 1) for k in range(points - 1)] + [high]
    )
    if high != highest:
        top = None

    # Upward from the cheapest plan's basis, with the shortfall priced at the penalty that
    # reached the top: that basis stays dual feasible (the impact row is free there, so e's
    # reduced cost is the penalty), and the penalty exceeds every slope of the frontier (it is
    # convex), so the shortfall stays 0 and each point is one bound change for the warm dual
    # simplex.
    shortfall = model.col_shortfall
    session.set_col_bounds([shortfall], [0.0], [INF])
    session.start_from(cheapest_basis)
    point_cost = {"spend": 1.0, "shortfall": penalty}

    def least_cost_at(level: float) -> SolveOutcome:
        session.set_row_bounds([impact_row], [level], [INF])
        outcome = run(point_cost)
        if outcome.status == "optimal" and outcome.x[shortfall] > 1e-9 * max(1.0, level):
            session.set_col_bounds([shortfall], [0.0], [0.0])  # a tie at the penalty: no
            outcome = run(point_cost)  # shortfall allowed then
            session.set_col_bounds([shortfall], [0.0], [INF])
        return outcome

    result_points = []
    if on_point is not None and on_point(0, len(levels)) is False:
        return _stopped(0, len(levels))
    for level in levels:
        if top is not None and level == highest:
            outcome, plan, iterations = top, top, 0  # least cost at I_B: the most-impact run
        elif not result_points and high > low:
            # At I_A the impact row's dual may be anything from 0 (the slope below, where the
            # cost stays flat) to the slope above; a hair above I_A gives the slope above,
            # the cost of one more point, on the plan of the cheapest-plan anchor.
            outcome = least_cost_at(low + BOTTOM_SLOPE_STEP * (high - low))
            plan, iterations = anchor_low, outcome.iterations
        else:
            outcome = least_cost_at(level)
            plan, iterations = outcome, outcome.iterations
        point = {
            "avg_impact": None,
            "cost": None,
            "status": outcome.status,
            "target_avg_impact": clean(level / total),
            "cost_per_impact_point": None,
            "iterations": iterations,
        }
        if outcome.x is not None and outcome.status == "optimal":
            point["avg_impact"] = clean(plan.x[impact] / total)
            point["cost"] = clean(plan.x[spend])
            if outcome.row_dual is not None and level < high:  # at I_B no more impact is for sale
                point["cost_per_impact_point"] = clean(outcome.row_dual[impact_row] * total)
        result_points.append(point)
        if on_point is not None and on_point(len(result_points), len(levels)) is False:
            return _stopped(len(result_points), len(levels))
    _no_decrease(result_points)
    statuses = {point["status"] for point in result_points}
    status = (
        "optimal"
        if statuses == {"optimal"}
        else ("time_limit" if "time_limit" in statuses else "error")
    )
    return {
        "status": status,
        "points": result_points,
        "errors": [],
        "solver": {
            "name": solver.name,
            "version": solver.version(),
            "time": round(sum(o.seconds for o in runs), 6),
            "wall_time": round(time.perf_counter() - started, 6),
            "solves": len(runs),
            "iterations": sum(o.iterations or 0 for o in runs),
        },
    }


def _highest_impact(
    model: AllocationModel, session: SolverSession, run
) -> tuple[float | None, float, SolveOutcome | None]:
    """The highest reachable total impact (points × units) within the other targets, the
    penalty that reached it and the run that found it (None when it came from the fallback
    "maximise I" run, which does not minimise cost).

    Maximising I directly from the cheapest plan's basis is slow: a new objective leaves that
    basis dual infeasible (measured 18–27 s against 2.5 s for the cheapest plan at 250,000
    columns). Instead the impact row asks for more than any plan can give, I + e ≥ ceiling,
    with the shortfall e priced far above any cost of impact: min S + penalty·e. Only a bound
    and one cost change, so the dual simplex carries on warm. The answer is then proved: by
    cost ranging of e (the basis stays optimal for any higher penalty, so it maximises I), or
    else by a second run in which a little more impact than found must be infeasible. If the
    proof fails the penalty was too small and grows. Among the plans with the most impact the
    run's plan costs least: with I fixed, its objective is S plus a constant."""
    shortfall, row = model.col_shortfall, model.row_index["min_avg_impact"]
    ceiling = float(model.x_impact.max(initial=0.0)) * model.total_volume + 1.0
    penalty = 1000.0 * max(1.0, float(model.x_price.max(initial=0.0)))
    for _ in range(3):
        session.set_col_bounds([shortfall], [0.0], [INF])
        session.set_row_bounds([row], [ceiling], [INF])
        outcome = run({"spend": 1.0, "shortfall": penalty})
        if outcome.status != "optimal":
            return None, penalty, None
        best = float(outcome.x[model.col_impact])
        proved = session.stays_optimal_as_cost_rises(shortfall)
        if proved:
            return best, penalty, outcome
        if proved is None:  # no basis: more impact than found must be infeasible
            session.set_col_bounds([shortfall], [0.0], [0.0])
            session.set_row_bounds([row], [keep_within(best, upper=True)], [INF])
            check = run({"spend": 1.0})
            if check.status == "infeasible":
                return best, penalty, outcome
            if check.status != "optimal":
                return None, penalty, None
        penalty *= 1000.0
    session.set_col_bounds([shortfall], [0.0], [0.0])
    session.set_row_bounds([row], [-INF], [INF])
    outcome = run({"impact": -1.0})
    return (
        (float(outcome.x[model.col_impact]) if outcome.status == "optimal" else None),
        penalty,
        None,
    )


def _no_decrease(points: list[dict]) -> None:
    """Remove solver-tolerance dips: a cost lower than the previous by ≤ 1e-6 relative."""
    previous = None
    for point in points:
        cost = point["cost"]
        if cost is None:
            continue
        if previous is not None and cost < previous <= cost + 1e-6 * max(1.0, abs(previous)):
            point["cost"] = previous
        previous = point["cost"]
