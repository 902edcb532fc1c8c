"""What lists of scenarios (the scenarios page, the home page) show of each plan, read without
its problem and result documents (issue #23: at 10,000 vendors 8.7 MB a plan): the result's
totals and status are read by the database from the stored result, its jobs from the stored
projection (`review.projected_summary`, the jobs the documents give)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, undefer

import optimizer
from procure.extensions import db
from procure.scenarios import review
from procure.scenarios.models import Scenario

LIST_LOAD = (defer(Scenario.problem), defer(Scenario.result), undefer(Scenario.projection))
"""What a list loads of each scenario: never its documents; `listed` reads the rest."""


@dataclass(frozen=True)
class Listed:
    """By scenario id: the result's totals ({} without a result), whether its targets were
    relaxed by their priorities (`Scenario.relaxed`), and the full-time jobs for impact workers
    of the plans with allocations."""

    totals: dict[int, dict[str, Any]]
    relaxed: set[int]
    jobs: dict[int, float]


def listed(scenarios: list[Scenario]) -> Listed:
    """What the lists show of `scenarios` (loaded with `LIST_LOAD`), in one query."""
    rows = db.session.execute(
        select(
            Scenario.id,
            Scenario.result["totals"],
            Scenario.result["status"].as_string(),
            Scenario.page_facts["allocated"].as_boolean(),
        ).where(Scenario.id.in_([s.id for s in scenarios]))
    ).all()
    totals = {sid: found if isinstance(found, dict) else {} for sid, found, _, _ in rows}
    relaxed = {sid for sid, _, status, _ in rows if status == optimizer.Status.OPTIMAL_RELAXED}
    allocated = {sid: flag for sid, _, status, flag in rows if status is not None}
    jobs = {}
    for scenario in scenarios:
        if scenario.id not in allocated:  # no result
            continue
        flag = allocated[scenario.id]
        if flag is None:  # no page facts stored (solved before 0047): the result itself
            flag = bool((scenario.result or {}).get("allocations"))
        if flag:
            jobs[scenario.id] = review.projected_summary(scenario)["fte_jobs"]
    return Listed(totals, relaxed, jobs)
