"""The public entry points `solve` and `validate` (see the package docstring)."""

from __future__ import annotations

import logging
import time
from typing import TypedDict

from optimizer.explain import explain_infeasible
from optimizer.model import build_model
from optimizer.problem import Document, parse_problem, validate
from optimizer.relax import explain_hard_conflict, relax_by_priority, relaxed_result
from optimizer.result import empty_result, model_summary, plan_result
from optimizer.solve import (
    SECONDS_DECIMALS,
    Deadline,
    Solver,
    SolverUnavailable,
    StagedSolution,
    StageRecord,
    make_solver,
    solve_model,
)
from optimizer.status import Status

__all__ = ["solve", "validate"]

logger = logging.getLogger(__name__)


class SolverInfo(TypedDict):
    """The result's `solver`: time and wall_time in seconds, iterations summed over the stages
    (None when a stage's solver reports none)."""

    name: str
    version: str
    time: float
    wall_time: float
    iterations: int | None
    threads: int
    random_seed: int
    stages: list[StageRecord]


def _solver_info(solver: Solver, staged: StagedSolution, started: float) -> SolverInfo:
    iterations = [stage["iterations"] for stage in staged.stages]
    counted = [count for count in iterations if count is not None]
    return {
        "name": solver.name,
        "version": solver.version(),
        "time": round(sum(stage["seconds"] for stage in staged.stages), SECONDS_DECIMALS),
        "wall_time": round(time.perf_counter() - started, SECONDS_DECIMALS),
        "iterations": None if len(counted) < len(iterations) else sum(counted),
        "threads": 1,
        "random_seed": 0,
        "stages": staged.stages,
    }


def solve(problem: Document, solver: Solver | None = None) -> Document:
    """Allocate every need's volume (units) to vendors per the problem document.

    Returns the result document: status (optimal | optimal_relaxed | infeasible |
    time_limit | invalid | error), objective (total cost in $ or average impact in points),
    allocations (volume in units, price in $/unit, cost in $), totals, constraints with
    shadow prices in business units, solver, for an infeasible problem an explanation and
    for a relaxed one `relaxations` (optimizer.relax). `solver` replaces the one
    named in options.solver (dependency injection, e.g. for tests). Never raises and never
    modifies `problem`."""
    try:
        return _solve(problem, solver)
    except Exception as exc:  # noqa: BLE001 - public entry point: report, never raise
        logger.exception("optimizer.solve failed with an internal error")
        return empty_result(
            Status.ERROR, [{"field": "$", "message": f"internal error: {type(exc).__name__}"}]
        )


def _solve(document: Document, solver: Solver | None) -> Document:
    started = time.perf_counter()
    problem, errors = parse_problem(document)
    if problem is None:
        return empty_result(Status.INVALID, errors)
    deadline = Deadline(problem.options.time_limit)
    try:
        solver = solver or make_solver(problem.options)
    except SolverUnavailable as exc:
        result = empty_result(Status.ERROR, [{"field": "options.solver", "message": str(exc)}])
        result["error_code"] = "solver_unavailable"
        return result
    model = build_model(problem)
    staged = solve_model(model, solver, deadline, problem.options.tie_break)
    hard_conflict = False
    if staged.status == Status.INFEASIBLE and problem.priorities:
        relaxed = relax_by_priority(
            model, solver, deadline, problem.options.tie_break, staged.stages
        )
        if relaxed.staged.x is not None:
            info = _solver_info(solver, relaxed.staged, started)
            return relaxed_result(relaxed, info)
        staged = relaxed.staged  # the hard rules cannot hold, or the time ran out
        hard_conflict = relaxed.hard_conflict
    if staged.x is not None and staged.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        return plan_result(model, staged, _solver_info(solver, staged, started))
    result = empty_result(staged.status)
    result["model"] = model_summary(model)
    if staged.status == Status.INFEASIBLE and hard_conflict:
        # the prioritised targets would give way: explain the rules without a priority
        result["explanation"] = explain_hard_conflict(problem, solver, deadline)
    elif staged.status == Status.INFEASIBLE:
        result["explanation"] = explain_infeasible(model, solver, deadline)
    result["solver"] = _solver_info(solver, staged, started)
    return result
