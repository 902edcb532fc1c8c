"""The demo's plans waiting for a decision: Northwind's buyer has solved three scenarios over the
needs of the approved "2026 outsourcing plan" and sent them to the executive, so the executive's
first sign-in has something to decide and the buyer something to compare. Loading twice changes
nothing.

- "Cheapest 2026": the least cost, with no target beyond each need's own.
- "Impact 60": the least cost with an average impact of at least 60 (the demo's vendors reach
  64 at most over these needs, within their budgets).
- "Most jobs": the most impact-worker hours within a budget 10 % above the cheapest plan's
  cost, rounded up to a thousand dollars, as a buyer would type it.

Each is created, solved with its frontier (here, as the solve job would: the demo loads before
any worker runs) and submitted by the buyer, so the audit trail and the executive's
notifications are those of a buyer's requests. Each submission queues the scenario's board PDF,
as a buyer's does: it is made once the demo command commits (inline without a broker, by a
worker with one).
"""

from __future__ import annotations

import math

from sqlalchemy import select

import optimizer
from procure.accounts.models import User
from procure.demo_coalition import NORTHWIND_PLAN
from procure.extensions import db
from procure.scenarios import figures
from procure.scenarios import services as scenarios
from procure.scenarios.models import Scenario
from procure.states import FrontierStatus, Objective, ScenarioStatus

CHEAPEST = "Cheapest 2026"
IMPACT_60 = "Impact 60"
MOST_JOBS = "Most jobs"
MIN_AVG_IMPACT = 60.0
BUDGET_ABOVE_CHEAPEST = 0.10  # "Most jobs" may spend 10 % more than the cheapest plan


def _existing(buyer: User, name: str) -> Scenario | None:
    return db.session.scalar(
        select(Scenario).where(
            Scenario.organization_id == buyer.organization_id, Scenario.name == name
        )
    )


def solve_here(scenario: Scenario, buyer: User) -> None:
    """What the solve job does (procure.scenarios.jobs.solve), in this transaction: the problem
    from today's data, its solution and its frontier, stored with the buyer as actor."""
    problem, settings = scenarios.problem_for(scenario)
    result = optimizer.solve(problem)
    frontier: dict = {"status": FrontierStatus.SKIPPED, "points": []}
    if result["status"] == optimizer.Status.OPTIMAL:
        frontier = optimizer.frontier(
            problem, scenarios.FRONTIER_POINTS, measure=figures.frontier_measure(problem)
        )
    scenarios.store_solution(scenario, problem, settings, result, frontier, actor=buyer)
    if scenario.status != ScenarioStatus.SOLVED:
        raise RuntimeError(
            f"The demo scenario {scenario.name!r} did not solve: {result.get('status')}"
        )


def _submitted(
    buyer: User, name: str, need_ids: list[int], objective: str, targets: dict
) -> tuple[Scenario, bool]:
    """The organization's scenario of this name, or a new one created, solved and submitted by
    the buyer (and whether it is new)."""
    existing = _existing(buyer, name)
    if existing is not None:
        return existing, False
    scenario = scenarios.create_scenario(
        buyer.organization_id,
        {"name": name, "need_ids": need_ids, "objective": objective, "targets": targets},
        buyer,
    )
    solve_here(scenario, buyer)
    scenarios.submit_scenario(scenario, buyer)
    return scenario, True


def load_demo_scenarios(buyer: User) -> int:
    """Northwind's three submitted scenarios that do not exist yet (each with its board PDF,
    queued by its submission); how many scenarios were made."""
    plan = _existing(buyer, NORTHWIND_PLAN)
    if plan is None:  # procure.demo_coalition makes it first
        raise RuntimeError(f"The demo plan {NORTHWIND_PLAN!r} is missing.")
    need_ids = list(plan.need_ids)
    cheapest, made_cheapest = _submitted(buyer, CHEAPEST, need_ids, Objective.MIN_COST, {})
    impact, made_impact = _submitted(
        buyer, IMPACT_60, need_ids, Objective.MIN_COST, {"min_avg_impact": MIN_AVG_IMPACT}
    )
    cost = (cheapest.result or {})["totals"]["cost"]  # a submitted scenario keeps its result
    budget = math.ceil(cost * (1 + BUDGET_ABOVE_CHEAPEST) / 1000) * 1000
    _, made_jobs = _submitted(
        buyer, MOST_JOBS, need_ids, Objective.MAX_IMPACT_WORKER_HOURS, {"budget": budget}
    )
    db.session.flush()
    return made_cheapest + made_impact + made_jobs
