"""The frontier of a version 2 document on one warm model: least cost against average impact
(weighted by labour hours) or against impact-worker hours.

`frontier_v2(problem, points, measure)` drops the document's own target on the measure and
holds every other target. On ONE solver session (for HiGHS: one `passModel`, then bound,
cost and coefficient changes and warm re-runs):

1. the cheapest plan, then the most of the measure among the cheapest plans: the low end;
2. the most of the measure reachable within the other targets, then the least cost at it: the
   top point. Impact-worker hours W are linear (maximise W); average impact is the ratio I / H
   (maximised by Dinkelbach rounds, `solve.highest_average_impact`);
3. back at the cheapest plan's basis, for evenly spaced levels from the low end up to the top,
   the least cost with the measure at least that level. For hours only the bound of the
   `min_impact_worker_hours` row (W ≥ level) changes between points; for average impact the
   row I + e − level·H ≥ 0 changes one coefficient, the one on H.

Points: `measure_value` (points or hours, as achieved), `target` (the level asked for), `cost`
($), `status`, `cost_per_unit` ($ per point or per impact-worker hour: the local slope, from the
row's dual; at the lowest point the slope just above it; null at the top), `avg_impact` and
`impact_worker_hours` of the plan, and for `impact` the keys of version 1
(`target_avg_impact`, `cost_per_impact_point`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from optimizer.explain import explain_infeasible
from optimizer.model import INF, AllocationModel, build_model, cost_vector
from optimizer.problem import Document, FloatArray, Problem
from optimizer.solve import (
    SECONDS_DECIMALS,
    Deadline,
    SolveOutcome,
    Solver,
    SolverSession,
    SolverUnavailable,
    StageRecord,
    highest_average_impact,
    hold_optimum,
    keep_within,
    make_solver,
)
from optimizer.status import Status
from optimizer.totals import clean

MEASURES = {
    "impact": ("min_avg_impact", "max_impact", "avg_impact"),
    "hours": ("min_impact_worker_hours", "max_impact_worker_hours", "impact_worker_hours"),
}
"""measure → (its target, the objective that maximises it, its total in the result)."""
BOTTOM_SLOPE_STEP = 1e-6
"""The lowest point's slope is read this fraction of the range above it (as in version 1)."""
TINY_HOURS = 1e-12
"""Guards the ratio I / H of a plan without hours."""
FIRST_PENALTY_PER_PRICE = 1000.0
"""The first shortfall penalty ($ per unit of the measure): this many times the highest price
(at least $1), far above any cost of impact on real data."""
PENALTY_GROWTH = 1000.0
"""Factor by which the penalty grows when it proved too small to reach the most."""
PENALTY_ROUNDS = 3
"""Penalties tried before the fallback run that maximises the measure directly."""
CEILING_MARGIN = 1.0
"""How far (in the measure's row unit) the row asks above the most any plan can give."""


class _Sweep:
    """The one session of a version 2 frontier run, and every run made on it."""

    def __init__(self, model: AllocationModel, solver: Solver, deadline: Deadline) -> None:
        self.model, self.deadline = model, deadline
        self.session = solver.open(model)
        self.runs: list[tuple[float, int | None]] = []
        """(seconds, simplex iterations) of every run."""

    def run(self, cost: FloatArray, col_dual: bool = False) -> SolveOutcome:
        self.session.set_cost(cost)
        outcome = self.session.run(self.deadline.remaining(), col_dual)
        self.runs.append((outcome.seconds, outcome.iterations))
        return outcome

    def reset_bounds(self) -> None:
        lp, session = self.model.lp, self.session
        session.set_col_bounds(range(lp.num_col), lp.col_lower, lp.col_upper)
        session.set_row_bounds(range(lp.num_row), lp.row_lower, lp.row_upper)


def frontier_v2(
    problem: Problem,
    points: int,
    measure: str,
    solver: Solver | None = None,
    on_point: Callable[[int, int], bool | None] | None = None,
) -> Document:
    """The version 2 frontier of a parsed problem (see the module docstring); the same shape
    as `optimizer.frontier`, plus `measure`."""
    started = time.perf_counter()
    problem = without_target(problem, MEASURES[measure][0])
    solver, refusal = solver_for(problem, solver)
    if solver is None:
        return refusal
    deadline = Deadline(problem.options.time_limit)
    model = build_model(problem)
    sweep = _Sweep(model, solver, deadline)
    spend = cost_vector(model, {"spend": 1.0})
    cheapest = sweep.run(spend, col_dual=True)
    if cheapest.status != Status.OPTIMAL:
        out: Document = {"status": cheapest.status, "points": [], "errors": []}
        if cheapest.status == Status.INFEASIBLE:
            out["explanation"] = explain_infeasible(model, solver, deadline)
        return out
    anchors = _anchors(sweep, cheapest, measure)
    if anchors is None:
        return {"status": Status.TIME_LIMIT, "points": [], "errors": []}
    low_plan, top, basis = anchors
    low, high = _value(model, low_plan.plan, measure), _value(model, top.plan, measure)
    high = max(high, low)
    step = (high - low) / (points - 1) if points > 1 else 0.0
    levels = [low + step * k for k in range(points - 1)] + [high] if points > 1 else [low]
    if on_point is not None and on_point(0, len(levels)) is False:
        return stopped(0, len(levels))
    sweep.session.start_from(basis)
    found: list[dict[str, Any]] = []
    for level in levels:
        if level == high:
            outcome, plan, price = top, top, None
        else:
            asked = level + BOTTOM_SLOPE_STEP * (high - low) if level == low else level
            outcome = _least_cost_at(sweep, measure, asked, spend)
            plan = low_plan if level == low else outcome
            price = _slope(model, outcome, measure)
        found.append(_point(model, measure, level, outcome, plan, price))
        if on_point is not None and on_point(len(found), len(levels)) is False:
            return stopped(len(found), len(levels))
    statuses = {point["status"] for point in found}
    return {
        "status": Status.OPTIMAL
        if statuses == {Status.OPTIMAL}
        else (Status.TIME_LIMIT if Status.TIME_LIMIT in statuses else Status.ERROR),
        "measure": measure,
        "points": found,
        "errors": [],
        "solver": {
            "name": solver.name,
            "version": solver.version(),
            "time": round(sum(seconds for seconds, _ in sweep.runs), SECONDS_DECIMALS),
            "wall_time": round(time.perf_counter() - started, SECONDS_DECIMALS),
            "solves": len(sweep.runs),
            "iterations": sum(iterations or 0 for _, iterations in sweep.runs),
        },
    }


def without_target(problem: Problem, name: str) -> Problem:
    """The problem with the target a frontier sweeps removed (every other target held)."""
    return dataclasses.replace(
        problem, targets=dataclasses.replace(problem.targets, **{name: None})
    )


def solver_for(problem: Problem, solver: Solver | None) -> tuple[Solver | None, Document]:
    """(the solver to sweep with, {}) or (None, the frontier document saying it is missing)."""
    try:
        return solver or make_solver(problem.options), {}
    except SolverUnavailable as exc:
        return None, {
            "status": Status.ERROR,
            "error_code": "solver_unavailable",
            "points": [],
            "errors": [{"field": "options.solver", "message": str(exc)}],
        }


def highest_by_penalty(
    model: AllocationModel,
    session: SolverSession,
    run: Callable[[FloatArray], SolveOutcome],
    column: int,
    shortfall: int,
    row: int,
    ceiling: float,
) -> tuple[float | None, float, SolveOutcome | None]:
    """The most of a linear measure (column `column`, whose row `row` is column + shortfall ≥
    level) within the other targets, the penalty that reached it and the run that found it
    (None when it came from the fallback run, which does not minimise cost). Version 1 finds
    its highest total impact I this way, version 2 its most impact-worker hours W.

    Maximising the measure directly from the cheapest plan's basis is slow: a new objective
    leaves that basis dual infeasible (measured 18–27 s against 2.5 s for the cheapest plan at
    250,000 columns). Instead the row asks for more than any plan can give, measure + e ≥
    ceiling, with the shortfall e priced far above any cost of the measure: min S + penalty·e.
    Only a bound and one cost change, so the dual simplex carries on warm. The answer is then
    proved: by cost ranging of e (the basis stays optimal for any higher penalty, so it
    maximises the measure), or else by a second run in which a little more than found must be
    infeasible. If the proof fails the penalty was too small and grows. Among the plans with
    the most of the measure the run's plan costs least: with the measure fixed, its objective
    is S plus a constant."""
    spend = cost_vector(model, {"spend": 1.0})
    penalty = FIRST_PENALTY_PER_PRICE * max(1.0, float(model.x_price.max(initial=0.0)))
    for _ in range(PENALTY_ROUNDS):
        session.set_col_bounds([shortfall], [0.0], [INF])
        session.set_row_bounds([row], [ceiling], [INF])
        priced = spend.copy()
        priced[shortfall] += penalty
        outcome = run(priced)
        if outcome.status != Status.OPTIMAL:
            return None, penalty, None
        best = float(outcome.plan[column])
        proved = session.stays_optimal_as_cost_rises(shortfall)
        if proved:
            return best, penalty, outcome
        if proved is None:  # no basis: more than found must be infeasible
            session.set_col_bounds([shortfall], [0.0], [0.0])
            session.set_row_bounds([row], [keep_within(best, upper=True)], [INF])
            check = run(spend)
            if check.status == Status.INFEASIBLE:
                return best, penalty, outcome
            if check.status != Status.OPTIMAL:
                return None, penalty, None
        penalty *= PENALTY_GROWTH
    session.set_col_bounds([shortfall], [0.0], [0.0])
    session.set_row_bounds([row], [-INF], [INF])
    most = np.zeros(model.lp.num_col)
    most[column] = -1.0
    outcome = run(most)
    found = float(outcome.plan[column]) if outcome.status == Status.OPTIMAL else None
    return found, penalty, None


def _worker_hours_ceiling(model: AllocationModel) -> float:
    """More impact-worker hours than any plan can give: Σ over needs of the volume × the most
    impact-worker hours one unit of the need can carry, plus a margin."""
    per_unit = model.x_worker_share * model.x_hours
    best = np.zeros(len(model.problem.needs))
    np.maximum.at(best, model.x_need, per_unit)
    volume = np.array([need.volume for need in model.problem.needs])
    return float(best @ volume) + CEILING_MARGIN


def _value(model: AllocationModel, plan: FloatArray, measure: str) -> float:
    """The measure of a plan: impact-worker hours, or average impact by hours."""
    if model.col_hours is None or model.col_worker_hours is None:
        raise ValueError("a version 2 model has hours columns")
    if measure == "hours":
        return float(plan[model.col_worker_hours])
    return float(plan[model.col_impact]) / max(float(plan[model.col_hours]), TINY_HOURS)


def _most(sweep: _Sweep, start: SolveOutcome, measure: str) -> SolveOutcome:
    """From the optimal run `start`, the most of the measure within the session's bounds."""
    if measure == "hours":
        return sweep.run(cost_vector(sweep.model, {"worker_hours": -1.0}), col_dual=True)
    stages: list[StageRecord] = []
    outcome, _ = highest_average_impact(sweep.model, sweep.session, start, sweep.deadline, stages)
    sweep.runs.extend((stage["seconds"], stage["iterations"]) for stage in stages)
    return outcome


def _anchors(
    sweep: _Sweep, cheapest: SolveOutcome, measure: str
) -> tuple[SolveOutcome, SolveOutcome, object | None] | None:
    """(the most of the measure among the cheapest plans, the least cost at the most of the
    measure reachable, the cheapest plan's basis); None when a run does not finish."""
    model, session = sweep.model, sweep.session
    basis = session.basis()
    hold_optimum(model, session, cheapest, model.col_spend, upper=True)
    low_plan = _most(sweep, cheapest, measure)
    sweep.reset_bounds()
    if low_plan.status != Status.OPTIMAL:
        return None
    session.start_from(basis)
    if measure == "hours":
        top = _most_hours_at_least_cost(sweep)
        sweep.reset_bounds()
        if top is not None and top.status == Status.OPTIMAL:
            return low_plan, top, basis
        session.start_from(basis)
    best = _most(sweep, cheapest, measure)
    if best.status != Status.OPTIMAL:
        sweep.reset_bounds()
        return None
    column = model.col_worker_hours if measure == "hours" else model.col_impact
    if column is None:
        raise ValueError("a version 2 model has an impact-worker hours column")
    hold_optimum(model, session, best, column, upper=False)
    top = sweep.run(cost_vector(model, {"spend": 1.0}), col_dual=True)
    sweep.reset_bounds()
    if top.status != Status.OPTIMAL:
        return None
    return low_plan, top, basis


def _most_hours_at_least_cost(sweep: _Sweep) -> SolveOutcome | None:
    """The least-cost plan with the most impact-worker hours, by the warm penalty search; None
    when it did not prove one (the caller then maximises W and holds it)."""
    model = sweep.model
    if model.col_worker_hours is None or model.col_worker_shortfall is None:
        raise ValueError("a version 2 model has impact-worker hour columns")
    _, _, top = highest_by_penalty(
        model,
        sweep.session,
        lambda cost: sweep.run(cost, col_dual=True),
        model.col_worker_hours,
        model.col_worker_shortfall,
        model.row_index["min_impact_worker_hours"],
        _worker_hours_ceiling(model),
    )
    return top


def _least_cost_at(sweep: _Sweep, measure: str, level: float, spend: FloatArray) -> SolveOutcome:
    model, session = sweep.model, sweep.session
    row = model.row_index[MEASURES[measure][0]]
    if measure == "hours":
        session.set_row_bounds([row], [level], [INF])
    else:
        if model.col_hours is None:
            raise ValueError("a version 2 model has an hours column")
        session.set_coefficient(row, model.col_hours, -level)
        session.set_row_bounds([row], [0.0], [INF])
    return sweep.run(spend)


def _slope(model: AllocationModel, outcome: SolveOutcome, measure: str) -> float | None:
    """$ per unit of the measure: the measure row's dual, per hour; for average impact per
    point (one point more asks the plan's hours H more of I − level·H)."""
    if outcome.row_dual is None or outcome.x is None or outcome.status != Status.OPTIMAL:
        return None
    dual = float(outcome.row_dual[model.row_index[MEASURES[measure][0]]])
    if measure == "hours" or model.col_hours is None:
        return dual
    return dual * float(outcome.plan[model.col_hours])


def _point(
    model: AllocationModel,
    measure: str,
    level: float,
    outcome: SolveOutcome,
    plan: SolveOutcome,
    price: float | None,
) -> dict[str, Any]:
    optimal = outcome.status == Status.OPTIMAL and plan.x is not None
    x = plan.plan if optimal else None
    point: dict[str, Any] = {
        "measure_value": clean(_value(model, x, measure)) if x is not None else None,
        "target": clean(level),
        "cost": clean(float(x[model.col_spend])) if x is not None else None,
        "status": outcome.status,
        "cost_per_unit": clean(price),
        "avg_impact": clean(_value(model, x, "impact")) if x is not None else None,
        "impact_worker_hours": clean(_value(model, x, "hours")) if x is not None else None,
        "iterations": outcome.iterations,
    }
    if measure == "impact":
        point.update(target_avg_impact=clean(level), cost_per_impact_point=clean(price))
    return point


def stopped(done: int, total: int) -> Document:
    """The document of a sweep its caller stopped after `done` of `total` points."""
    return {
        "status": Status.STOPPED,
        "points": [],
        "errors": [
            {"field": "$", "message": f"stopped by the caller after {done} of {total} points"}
        ],
    }
