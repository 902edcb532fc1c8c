"""The public entry points `solve` and `validate` (see the package docstring)."""

from __future__ import annotations

import time

from optimizer.explain import explain_infeasible
from optimizer.model import build_model
from optimizer.problem import parse_problem, validate
from optimizer.result import empty_result, model_summary, plan_result
from optimizer.solve import (
    Deadline,
    Solver,
    SolverUnavailable,
    StagedSolution,
    make_solver,
    solve_model,
)

__all__ = ["solve", "validate"]


def _solver_info(solver: Solver, staged: StagedSolution, started: float) -> dict:
    iterations = [stage["iterations"] for stage in staged.stages]
    return {
        "name": solver.name,
        "version": solver.version(),
        "time": round(sum(stage["seconds"] for stage in staged.stages), 6),
        "wall_time": round(time.perf_counter() - started, 6),
        "iterations": None if None in iterations else sum(iterations),
        "threads": 1,
        "random_seed": 0,
        "stages": staged.stages,
    }


def solve(problem: dict, solver: Solver | None = None) -> dict:
    """Allocate every need's volume (units) to vendors per the problem document.

    Returns the result document: status (optimal | infeasible | time_limit | invalid |
    error), objective (total cost in $ or average impact in points), allocations (volume in
    units, price in $/unit, cost in $), totals, constraints with shadow prices in business
    units, solver, and for an infeasible problem an explanation. `solver` replaces the one
    named in options.solver (dependency injection, e.g. for tests). Never raises and never
    modifies `problem`."""
    try:
        return _solve(problem, solver)
    except Exception as exc:  # noqa: BLE001 - public entry point: report, never raise
        return empty_result(
            "error", [{"field": "$", "message": f"internal error: {type(exc).__name__}"}]
        )


def _solve(document: dict, solver: Solver | None) -> dict:
    started = time.perf_counter()
    problem, errors = parse_problem(document)
    if errors:
        return empty_result("invalid", errors)
    deadline = Deadline(problem.options.time_limit)
    try:
        solver = solver or make_solver(problem.options)
    except SolverUnavailable as exc:
        result = empty_result("error", [{"field": "options.solver", "message": str(exc)}])
        result["error_code"] = "solver_unavailable"
        return result
    model = build_model(problem)
    staged = solve_model(model, solver, deadline, problem.options.tie_break)
    if staged.x is not None and staged.status in ("optimal", "time_limit"):
        return plan_result(model, staged, _solver_info(solver, staged, started))
    result = empty_result(staged.status)
    result["model"] = model_summary(model)
    if staged.status == "infeasible":
        result["explanation"] = explain_infeasible(model, solver, deadline)
    result["solver"] = _solver_info(solver, staged, started)
    return result
