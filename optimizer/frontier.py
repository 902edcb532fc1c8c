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

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from optimizer.explain import explain_infeasible
from optimizer.frontier_v2 import (
    MEASURES,
    frontier_v2,
    solver_for,
    stopped,
    without_target,
)
from optimizer.model import INF, AllocationModel, build_model, cost_vector
from optimizer.problem import Document, FloatArray, parse_problem
from optimizer.solve import (
    SECONDS_DECIMALS,
    Deadline,
    SolveOutcome,
    Solver,
    SolverSession,
    hold_optimum,
    keep_within,
)
from optimizer.status import Status
from optimizer.totals import clean

logger = logging.getLogger(__name__)

MAX_POINTS = 1000
BOTTOM_SLOPE_STEP = 1e-6
"""Where the lowest point's slope is read: this fraction of the impact range above I_A. Far
above the solver's feasibility tolerance, far below the spacing of the frontier's breakpoints
(on random instances from 1e-9 to 1e-4 gave the same slopes)."""
CEILING_MARGIN = 1.0
"""How far (impact points × units) the impact row asks above the most any plan can give, when
the penalty run looks for the highest reachable impact."""
FIRST_PENALTY_PER_PRICE = 1000.0
"""The first shortfall penalty ($ per point × unit): this many times the highest price (at
least $1), far above any cost of impact on real data."""
PENALTY_GROWTH = 1000.0
"""Factor by which the penalty grows when it proved too small to reach the most."""
PENALTY_ROUNDS = 3
"""Penalties tried before the fallback run that maximises the measure directly."""
SHORTFALL_TOLERANCE = 1e-9
"""A point's shortfall above this, relative to max(1, level), means its plan paid the penalty
instead of reaching the level (a tie at the penalty): the point is solved again without one."""
NO_DECREASE_TOLERANCE = 1e-6
"""A cost below the previous point's by at most this, relative (solver tolerance), is
reported as no change."""

OnPoint = Callable[[int, int], bool | None]
"""`on_point(done, total)`: progress; returning False stops the run."""


class FrontierPoint(TypedDict):
    """One point: avg_impact and target_avg_impact in points (0–100), cost in $,
    cost_per_impact_point in $ per point (None where not known)."""

    avg_impact: float | None
    cost: float | None
    status: Status
    target_avg_impact: float | None
    cost_per_impact_point: float | None
    iterations: int | None


def _invalid(errors: list[dict[str, str]]) -> Document:
    return {"status": Status.INVALID, "errors": errors, "points": []}


def frontier(
    problem: Document,
    points: int,
    solver: Solver | None = None,
    on_point: OnPoint | None = None,
    measure: str = "impact",
) -> Document:
    """N points of least total cost ($) against average impact (points, 0–100), from the
    impact of the cheapest plan to the highest reachable within the other targets.

    `on_point(done, total)` is called once the anchors are solved (done 0) and after each
    point; when it returns False the run stops and returns `{"status": Status.STOPPED, ...}`.

    Returns `{"status", "points": [{"avg_impact", "cost", "status", "target_avg_impact",
    "cost_per_impact_point", "iterations"}, ...], "solver", "errors"}`; an invalid document or
    `points` gives `{"status": "invalid", "errors": [...], "points": []}`. Never raises.

    A version 2 document may sweep `measure` "impact" (average impact weighted by labour
    hours) or "hours" (impact-worker hours); see `optimizer.frontier_v2`."""
    try:
        if measure not in MEASURES:
            return _invalid([{"field": "measure", "message": "must be impact or hours"}])
        if isinstance(problem, dict) and problem.get("version") == 2:
            parsed, errors = parse_problem(problem)
            if type(points) is not int or not 1 <= points <= MAX_POINTS:
                message = f"must be a whole number from 1 to {MAX_POINTS}"
                errors = [*errors, {"field": "points", "message": message}]
            if errors or parsed is None:
                return _invalid(errors)
            return frontier_v2(parsed, points, measure, solver, on_point)
        if measure != "impact":
            return _invalid([{"field": "measure", "message": "hours needs a version 2 document"}])
        return _frontier(problem, points, solver, on_point)
    except Exception as exc:  # noqa: BLE001 - public entry point: report, never raise
        logger.exception("optimizer.frontier failed with an internal error")
        return {
            "status": Status.ERROR,
            "points": [],
            "errors": [{"field": "$", "message": f"internal error: {type(exc).__name__}"}],
        }


@dataclass
class _Sweep:
    """The one solver session of a frontier run, and every run made on it."""

    model: AllocationModel
    session: SolverSession
    deadline: Deadline
    runs: list[SolveOutcome]

    def run(self, cost_terms: Mapping[str, float], col_dual: bool = False) -> SolveOutcome:
        """Solve with the cost `cost_terms` (see `cost_vector`) in the time left."""
        self.session.set_cost(cost_vector(self.model, cost_terms))
        outcome = self.session.run(self.deadline.remaining(), col_dual)
        self.runs.append(outcome)
        return outcome


@dataclass(frozen=True)
class _Anchors:
    """The two ends of the frontier, in total impact (points × units).

    `low` is I_A, the most impact among the cheapest plans (`low_plan`); `highest` is I_B and
    `high` = max(I_A, I_B); `top` is the run that reached I_B at least cost (None when it came
    from the fallback run or I_B < I_A); `penalty` ($ per point × unit) is the shortfall
    price that reached it; `cheapest_basis` is where the sweep starts."""

    low: float
    high: float
    highest: float
    low_plan: SolveOutcome
    top: SolveOutcome | None
    penalty: float
    cheapest_basis: object | None


def _frontier(
    document: Document,
    points: int,
    solver: Solver | None,
    on_point: OnPoint | None,
) -> Document:
    started = time.perf_counter()
    problem, errors = parse_problem(document)
    if type(points) is not int or not 1 <= points <= MAX_POINTS:
        errors = [
            *errors,
            {"field": "points", "message": f"must be a whole number from 1 to {MAX_POINTS}"},
        ]
    if errors or problem is None:
        return _invalid(errors)
    problem = without_target(problem, "min_avg_impact")
    solver, refusal = solver_for(problem, solver)
    if solver is None:
        return refusal
    deadline = Deadline(problem.options.time_limit)
    model = build_model(problem)
    sweep = _Sweep(model, solver.open(model), deadline, [])
    cheapest = sweep.run({"spend": 1.0}, col_dual=True)  # hold_optimum reads its reduced costs
    if cheapest.status != Status.OPTIMAL:
        out: Document = {"status": cheapest.status, "points": [], "errors": []}
        if cheapest.status == Status.INFEASIBLE:
            out["explanation"] = explain_infeasible(model, solver, deadline)
        return out
    anchors = _anchors(sweep, cheapest)
    if anchors is None:
        return {"status": Status.TIME_LIMIT, "points": [], "errors": []}
    levels = _levels(anchors, points)
    if on_point is not None and on_point(0, len(levels)) is False:
        return stopped(0, len(levels))
    result_points, was_stopped = _points(sweep, anchors, levels, on_point)
    if was_stopped:
        return stopped(len(result_points), len(levels))
    _no_decrease(result_points)
    statuses = {point["status"] for point in result_points}
    status = (
        Status.OPTIMAL
        if statuses == {Status.OPTIMAL}
        else (Status.TIME_LIMIT if Status.TIME_LIMIT in statuses else Status.ERROR)
    )
    return {
        "status": status,
        "points": result_points,
        "errors": [],
        "solver": {
            "name": solver.name,
            "version": solver.version(),
            "time": round(sum(o.seconds for o in sweep.runs), SECONDS_DECIMALS),
            "wall_time": round(time.perf_counter() - started, SECONDS_DECIMALS),
            "solves": len(sweep.runs),
            "iterations": sum(o.iterations or 0 for o in sweep.runs),
        },
    }


def _anchors(sweep: _Sweep, cheapest: SolveOutcome) -> _Anchors | None:
    """Both ends, from the optimal cheapest plan `cheapest`: I_A, the most impact among the
    cheapest plans, then I_B (`_highest_impact`) with every bound back at the model's. None
    when either run does not finish."""
    model, session = sweep.model, sweep.session
    cheapest_basis = session.basis()
    hold_optimum(model, session, cheapest, model.col_spend, upper=True)
    low_plan = sweep.run({"impact": -1.0})
    lp = model.lp
    session.set_col_bounds(np.arange(lp.num_col), lp.col_lower, lp.col_upper)
    session.set_row_bounds(np.arange(lp.num_row), lp.row_lower, lp.row_upper)
    if low_plan.status != Status.OPTIMAL:
        return None
    highest, penalty, top = _highest_impact(sweep)
    if highest is None:
        return None
    low = float(low_plan.plan[model.col_impact])
    high = max(highest, low)
    return _Anchors(
        low=low,
        high=high,
        highest=highest,
        low_plan=low_plan,
        top=top if high == highest else None,
        penalty=penalty,
        cheapest_basis=cheapest_basis,
    )


def _levels(anchors: _Anchors, points: int) -> list[float]:
    """The `points` total-impact levels (points × units): evenly spaced from I_A to the top."""
    low, high = anchors.low, anchors.high
    if points == 1:
        return [low]
    return [low + (high - low) * k / (points - 1) for k in range(points - 1)] + [high]


def _points(
    sweep: _Sweep, anchors: _Anchors, levels: list[float], on_point: OnPoint | None
) -> tuple[list[FrontierPoint], bool]:
    """The least cost at each level, upward from the cheapest plan's basis, and whether
    `on_point` stopped the run (after the points returned).

    The shortfall is priced at the penalty that reached the top: the cheapest basis stays
    dual feasible (the impact row is free there, so e's reduced cost is the penalty), and the
    penalty exceeds every slope of the frontier (it is convex), so the shortfall stays 0 and
    each point is one bound change for the warm dual simplex."""
    model, session = sweep.model, sweep.session
    total, impact_row = model.total_volume, model.row_index["min_avg_impact"]
    low, high = anchors.low, anchors.high
    shortfall = model.col_shortfall
    session.set_col_bounds([shortfall], [0.0], [INF])
    session.start_from(anchors.cheapest_basis)
    point_cost = {"spend": 1.0, "shortfall": anchors.penalty}

    def least_cost_at(level: float) -> SolveOutcome:
        session.set_row_bounds([impact_row], [level], [INF])
        outcome = sweep.run(point_cost)
        if outcome.status == Status.OPTIMAL and outcome.plan[shortfall] > SHORTFALL_TOLERANCE * max(
            1.0, level
        ):
            session.set_col_bounds([shortfall], [0.0], [0.0])  # a tie at the penalty: no
            outcome = sweep.run(point_cost)  # shortfall allowed then
            session.set_col_bounds([shortfall], [0.0], [INF])
        return outcome

    result_points: list[FrontierPoint] = []
    iterations: int | None
    for level in levels:
        if anchors.top is not None and level == anchors.highest:
            # least cost at I_B: the most-impact run
            outcome, plan, iterations = anchors.top, anchors.top, 0
        elif not result_points and high > low:
            # At I_A the impact row's dual may be anything from 0 (the slope below, where the
            # cost stays flat) to the slope above; a hair above I_A gives the slope above,
            # the cost of one more point, on the plan of the cheapest-plan anchor.
            outcome = least_cost_at(low + BOTTOM_SLOPE_STEP * (high - low))
            plan, iterations = anchors.low_plan, outcome.iterations
        else:
            outcome = least_cost_at(level)
            plan, iterations = outcome, outcome.iterations
        point: FrontierPoint = {
            "avg_impact": None,
            "cost": None,
            "status": outcome.status,
            "target_avg_impact": clean(level / total),
            "cost_per_impact_point": None,
            "iterations": iterations,
        }
        if outcome.x is not None and outcome.status == Status.OPTIMAL:
            point["avg_impact"] = clean(plan.plan[model.col_impact] / total)
            point["cost"] = clean(plan.plan[model.col_spend])
            if outcome.row_dual is not None and level < high:  # at I_B no more impact is for sale
                point["cost_per_impact_point"] = clean(outcome.row_dual[impact_row] * total)
        result_points.append(point)
        if on_point is not None and on_point(len(result_points), len(levels)) is False:
            return result_points, True
    return result_points, False


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
    its highest total impact I this way. (Version 2's most impact-worker hours W come from a
    fresh start instead, which is faster there: see `frontier_v2._anchors`.)

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


def _highest_impact(sweep: _Sweep) -> tuple[float | None, float, SolveOutcome | None]:
    """The highest reachable total impact (points × units) within the other targets, the
    penalty that reached it and the run that found it (see `highest_by_penalty`)."""
    model = sweep.model
    ceiling = float(model.x_impact.max(initial=0.0)) * model.total_volume + CEILING_MARGIN

    def run(cost: FloatArray) -> SolveOutcome:
        sweep.session.set_cost(cost)
        outcome = sweep.session.run(sweep.deadline.remaining(), False)
        sweep.runs.append(outcome)
        return outcome

    return highest_by_penalty(
        model,
        sweep.session,
        run,
        model.col_impact,
        model.col_shortfall,
        model.row_index["min_avg_impact"],
        ceiling,
    )


def _no_decrease(points: list[FrontierPoint]) -> None:
    """Remove solver-tolerance dips: a cost lower than the previous by at most
    NO_DECREASE_TOLERANCE, relative."""
    previous = None
    for point in points:
        cost = point["cost"]
        if cost is None:
            continue
        if previous is not None and cost < previous <= cost + NO_DECREASE_TOLERANCE * max(
            1.0, abs(previous)
        ):
            point["cost"] = previous
        previous = point["cost"]
