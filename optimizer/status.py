"""The statuses the optimizer reports, by name.

Every `status` it writes comes from here: of a result document, of a frontier and each of its
points, of a solver run and of each stage in `solver.stages`. `Status` is a `StrEnum`, so a
member is a `str`: it compares equal to its value (`Status.OPTIMAL == "optimal"`), and
`json.dumps` writes it as that plain string, so documents serialise exactly as bare strings did.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPTIMAL = "optimal"
    """A plan proved optimal (a MIP: within options.mip_rel_gap)."""
    OPTIMAL_RELAXED = "optimal_relaxed"
    """The targets could not all hold; targets with the lowest priorities were relaxed, each by
    the least amount (`relaxations` lists them), and the plan is optimal for what remains."""
    INFEASIBLE = "infeasible"
    """No plan meets every rule; a result then carries an `explanation`."""
    TIME_LIMIT = "time_limit"
    """The time limit (or HiGHS' iteration, solution or interrupt limit) came first; a MIP's
    best plan so far is reported."""
    INVALID = "invalid"
    """The problem document (or a frontier's `points`) has errors, listed in `errors`."""
    ERROR = "error"
    """The solver failed or is unavailable (`error_code`), or an internal error occurred."""
    STOPPED = "stopped"
    """A frontier stopped by its caller (`on_point` returned False)."""
