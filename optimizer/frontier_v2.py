"""The frontier of a version 2 document on one warm model: least cost against average impact
(weighted by labour hours) or against impact-worker hours.

`frontier_v2(problem, points, measure)` drops the document's own target on the measure and
holds every other target. On ONE solver session (for HiGHS: one `passModel`, then bound,
cost and coefficient changes and re-runs, warm but for the one noted in 2):

1. the cheapest plan (without presolve: `solve.SolverSession.use_presolve`), then the most of
   the measure among the cheapest plans: the low end;
2. the most of the measure reachable within the other targets, then the least cost at it: the
   top point. Impact-worker hours W are linear: maximise W by column generation from the
   low end's plan, or else from a fresh start (`_anchors` says why); average impact is the
   ratio I / H: Dinkelbach rounds from above, each by column generation from the last plan
   (`solve.highest_average_impact`); the least cost at the most by column generation from
   the best plan (both from `COLUMN_GENERATION_FROM` x columns);
3. back at the cheapest plan's basis, for evenly spaced levels from the low end up to the top,
   the least cost with the measure at least that level. For hours only the bound of the
   `min_impact_worker_hours` row (W ≥ level) changes between points; for average impact the
   row I + e − level·H ≥ 0 changes one coefficient, the one on H. From
   `COLUMN_GENERATION_FROM` x columns the points run on one `solve.ColumnSweep` instead: a
   model of every row and a few thousand x columns (the low end's and the top's supports, the
   cheapest of each need), kept open and warm from point to point, growing by the columns
   that price out; each point is then the whole LP's (bench/bench_optimizer_v2.py at 250,000
   columns, CPU: the frontier 7.0 → 4.5 s for either measure, the same points).

Points: `measure_value` (points or hours, as achieved), `target` (the level asked for), `cost`
($), `status`, `cost_per_unit` ($ per point or per impact-worker hour: the local slope, from the
row's dual; at the lowest point the slope just above it; null at the top), `avg_impact` and
`impact_worker_hours` of the plan, and for `impact` the keys of version 1
(`target_avg_impact`, `cost_per_impact_point`).

With bid adjustments (`targets.adjustments`) "least cost" is the least adjusted cost, as in
`solve`: each point's `cost` is still the real spend, `adjusted_cost` what it minimised, and
`cost_per_unit` is in adjusted dollars.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from optimizer.explain import explain_infeasible
from optimizer.model import (
    INF,
    AllocationModel,
    build_model,
    cost_column,
    cost_term,
    cost_vector,
)
from optimizer.problem import Document, FloatArray, Problem
from optimizer.solve import (
    SECONDS_DECIMALS,
    ColumnSweep,
    Deadline,
    SolveOutcome,
    Solver,
    SolverUnavailable,
    StageRecord,
    highest_average_impact,
    hold_optimum,
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
COLUMN_GENERATION_FROM = 50_000
"""From this many x columns, the Dinkelbach rounds of the top in average impact and the least
cost at the top (either measure) run by column generation (bench/bench_optimizer_v2.py, CPU:
the rounds 7.2 → 6.9 s at 250,000 columns, 2.6 → 2.3 s at 100,000, but 0.19 → 0.22 s at
10,000, where the warm session is quicker; the least cost at the top, 250,000 columns: 0.94
→ 0.43 s for hours, 983 warm dual simplex iterations → 0.53 s for impact, the same points)."""


class _Sweep:
    """The one session of a version 2 frontier run, and every run made on it."""

    def __init__(self, model: AllocationModel, solver: Solver, deadline: Deadline) -> None:
        self.model, self.deadline = model, deadline
        self.session = solver.open(model)
        self.runs: list[tuple[float, int | None]] = []
        """(seconds, simplex iterations) of every run."""
        self.columns: ColumnSweep | None = None
        """The points' column generation (`COLUMN_GENERATION_FROM`), where the session has it."""

    def run(self, cost: FloatArray, col_dual: bool = False) -> SolveOutcome:
        self.session.set_cost(cost)
        outcome = self.session.run(self.deadline.remaining(), col_dual)
        self.runs.append((outcome.seconds, outcome.iterations))
        return outcome

    def reset_bounds(self) -> None:
        """Every bound back at the model's (only those that moved are sent to the solver)."""
        lp, session = self.model.lp, self.session
        cols = np.flatnonzero(
            (session.col_lower != lp.col_lower) | (session.col_upper != lp.col_upper)
        )
        session.set_col_bounds(cols, lp.col_lower[cols], lp.col_upper[cols])
        rows = np.flatnonzero(
            (session.row_lower != lp.row_lower) | (session.row_upper != lp.row_upper)
        )
        session.set_row_bounds(rows, lp.row_lower[rows], lp.row_upper[rows])


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
    spend = cost_vector(model, {cost_term(model): 1.0})  # the adjusted spend with adjustments
    sweep.session.use_presolve(False)  # see `solve.SolverSession.use_presolve`
    cheapest = sweep.run(spend, col_dual=True)
    sweep.session.use_presolve(True)
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
    if model.n_x >= COLUMN_GENERATION_FROM:
        sweep.session.set_cost(spend)
        sweep.columns = sweep.session.sweep_on_columns(model, [low_plan.plan, top.plan])
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


def _value(model: AllocationModel, plan: FloatArray, measure: str) -> float:
    """The measure of a plan: impact-worker hours, or average impact by hours."""
    if model.col_hours is None or model.col_worker_hours is None:
        raise ValueError("a version 2 model has hours columns")
    if measure == "hours":
        return float(plan[model.col_worker_hours])
    return float(plan[model.col_impact]) / max(float(plan[model.col_hours]), TINY_HOURS)


def _most(
    sweep: _Sweep, measure: str, ratio: float | None = None, plan: FloatArray | None = None
) -> SolveOutcome:
    """The most of the measure within the session's bounds. For average impact the Dinkelbach
    rounds start from `ratio`, a ratio some plan reaches, or else from above, and run by
    column generation from `plan` when given (see `solve.highest_average_impact`)."""
    if measure == "hours":
        return sweep.run(cost_vector(sweep.model, {"worker_hours": -1.0}), col_dual=True)
    stages: list[StageRecord] = []
    outcome, _ = highest_average_impact(
        sweep.model, sweep.session, sweep.deadline, stages, ratio, plan
    )
    sweep.runs.extend((stage["seconds"], stage["iterations"]) for stage in stages)
    return outcome


def _anchors(
    sweep: _Sweep, cheapest: SolveOutcome, measure: str
) -> tuple[SolveOutcome, SolveOutcome, object | None] | None:
    """(the most of the measure among the cheapest plans, the least cost at the most of the
    measure reachable, the cheapest plan's basis); None when a run does not finish.

    The most impact-worker hours W is found by column generation (`SolverSession.
    run_on_columns`): a model of its own with a dozen x columns per need and the low end's
    support, growing by the columns that price out, whose basis the session then takes. A
    new objective leaves the cheapest plan's basis far from optimal: on
    bench/bench_optimizer_v2.py's 250,000 columns the warm dual simplex took 6,300
    iterations, the warm primal simplex 26,600, a warm penalty search (min S + penalty·e with
    W + e ≥ more than any plan gives, as version 1 finds its top) 7,600–9,000, and a fresh
    start 3,200 after a presolve that removes the dense total rows (2.9 s of CPU); column
    generation takes about 1.2 s there (4 rounds on 4,000 to 7,100 columns) and 0.15 s at
    100,000 columns against 1.3 s. Where it cannot run (a MIP, CBC), the fresh start does.
    Dinkelbach rounds for the top in average impact run the same way, each from the last
    round's plan (warm on the session they took 0.4 s a round at 100,000 columns against
    0.8 s from a fresh start), and so does the least cost at the top, from the best plan,
    whose held bounds keep the left-out columns at 0 (`COLUMN_GENERATION_FROM`)."""
    model, session = sweep.model, sweep.session
    column = model.col_worker_hours if measure == "hours" else model.col_impact
    if column is None:
        raise ValueError("a version 2 model has an impact-worker hours column")
    basis = session.basis()
    hold_optimum(model, session, cheapest, cost_column(model), upper=True)
    low_plan = _most(sweep, measure, _value(model, cheapest.plan, "impact"))
    sweep.reset_bounds()
    if low_plan.status != Status.OPTIMAL:
        return None
    best = None
    if measure == "hours":
        session.set_cost(cost_vector(model, {"worker_hours": -1.0}))
        best = session.run_on_columns(model, low_plan.plan, sweep.deadline.remaining())
        if best is None:
            session.restart()
        else:
            sweep.runs.append((best.seconds, best.iterations))
    if best is None:
        generate = measure == "impact" and model.n_x >= COLUMN_GENERATION_FROM
        best = _most(sweep, measure, plan=low_plan.plan if generate else None)
    if best.status != Status.OPTIMAL:
        return None
    hold_optimum(model, session, best, column, upper=False)
    spend = cost_vector(model, {cost_term(model): 1.0})
    top = None
    if model.n_x >= COLUMN_GENERATION_FROM:  # from the best plan, whose support stays in
        session.set_cost(spend)
        top = session.run_on_columns(model, best.plan, sweep.deadline.remaining())
    if top is None:
        top = sweep.run(spend)
    else:
        sweep.runs.append((top.seconds, top.iterations))
    sweep.reset_bounds()
    if top.status != Status.OPTIMAL:
        return None
    return low_plan, top, basis


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
    if sweep.columns is not None:
        session.set_cost(spend)
        outcome = sweep.columns.run(sweep.deadline.remaining())
        if outcome is not None:
            sweep.runs.append((outcome.seconds, outcome.iterations))
            return outcome
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
    if model.col_adjusted_spend is not None:  # what each point minimised; `cost` is real
        point["adjusted_cost"] = (
            clean(float(x[model.col_adjusted_spend])) if x is not None else None
        )
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
