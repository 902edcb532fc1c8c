"""The extra work a "How to raise your score" step could win: the vendor's own labour hours in
each approved plan of a buyer that lets vendors see it (`Organization.vendors_see_plan_share`),
before and after the step, the plan solved again read-only.

- The plans: every approved scenario of such a buyer whose problem document offers the vendor
  work (the vendor is among its `vendors` with at least one offer line), newest decision first.
- The step as that buyer scores it (`raising.buyer_changes`: an evidence step lifts a section
  from the level the buyer scores), scored by the what-if under the profile the plan was solved
  with (`Scenario.profile_settings`) over its organization's catalog, with the buyer's own
  reviews: the change in the vendor's impact score is added to the one in the stored document.
  The figures the document holds that the step changes follow (`impact_worker_share` for more
  impact workers); nothing else in the document moves.
- The copy is solved with the pure optimizer (`optimizer.solve`): nothing is written to the
  database. "Before" is the vendor's hours in the unchanged copy solved the same way, once per
  plan and version (kept with the answers); "after" the changed copy's. Where the plan's offers
  tie, a new solve may split them otherwise than the approved result did (another solver or
  version, a time limit): compared with the approved result, a step that moves nothing would
  show a change. The approved result's hours are kept on each line (`hours_approved`) and the
  page says in words when the unchanged copy gives the vendor other hours
  (`plans_solved_differently`).
- The vendor sees only its own hours: never another vendor's allocation, a price, the plan's
  name (it may name a target) or its targets. A plan is named by its buyer and the day it was
  approved.

Cost: scoring the buyer's table under the plan's profile, a what-if per step (a scoring of the
same table with the vendor's row changed) and a solve of a copy are the work (on
bench/bench_raise_panel.py's 300 vendors and a plan of 300 offer lines, about 0.3 s, 0.09 s and
0.03 s each; a solve grows with the plan's offer lines, a scoring with the buyer's table). Each
counts one against the page's MAX_WORK, a plan's ranking too, also where the buyer turns out
not to score the vendor: the plans newest first, the steps with the largest gain first. The
answers are kept in process (`_answers`, least recently used, for CACHE_SECONDS) by (scenario,
scenario version, vendor, disclosure version, step), the unchanged copy's hours by (scenario,
version): a reload scores and solves nothing. A step left over says so and is worked out on the
next visit. Why not a job: it would answer on a later visit too, but needs a table to store its
answer in, and the vendor's page would write; the cache keeps the read path free of writes
(bench/bench_raise_panel.py measures the page with and without it).
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

import optimizer
import scoring
from procure.accounts.models import Organization
from procure.api_paging import json_list_holds
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.scenarios import figures
from procure.scenarios.models import Scenario
from procure.scoring import services
from procure.scoring.models import ScoringProfile
from procure.scoring.raising import buyer_changes
from procure.scoring.shared_profiles import scoring_basis, shared_catalog
from procure.states import ScenarioStatus

# scorings of a buyer's table (a plan's ranking, a step's what-if) and solves of a plan's copy
# one page may run: a plan's ranking, its unchanged copy and seven steps; the rest are worked
# out on a later visit
MAX_WORK = 16
# the work a step may need: its what-if, then a solve of the changed copy
STEP_WORK = 2
# a read-only re-solve gives up sooner than the buyer's own solve
TIME_LIMIT = 10.0
# answers kept per process, each for CACHE_SECONDS (a buyer's new review of the vendor's sections
# shows within that time): (scenario id, version, vendor, disclosure version, step) -> answer,
# and ("unchanged", scenario id, version) -> {"hours": every vendor's hours in the unchanged copy}
CACHE_SIZE = 512
CACHE_SECONDS = 600.0
# a solved copy's status whose allocation is the plan's
SOLVED = ("optimal", "optimal_relaxed")

_answers: OrderedDict[tuple, tuple[float, dict[str, Any]]] = OrderedDict()
NOT_NOW = {
    "hours_before": None,
    "hours_after": None,
    "note": "not worked out on this visit: open the page again",
}
UNSOLVED = "the plan could not be solved again"


def approved_plans(vendor_id: int) -> list[Scenario]:
    """The approved scenarios of buyers that let vendors see their plans and whose problem
    offers the vendor work, newest decision first."""
    key = f"V{vendor_id}"
    scenarios = db.session.scalars(
        select(Scenario)
        .join(Organization, Organization.id == Scenario.organization_id)
        .where(
            Organization.vendors_see_plan_share.is_(True),
            Scenario.status == ScenarioStatus.APPROVED,
            # in SQL first: only the plans whose document names the vendor's id are loaded
            # (a text match, `"V12"`; the check below is exact)
            json_list_holds(Scenario.problem, key),
        )
        .order_by(Scenario.decided_at.desc(), Scenario.id.desc())
    ).all()
    return [
        scenario
        for scenario in scenarios
        if scenario.problem
        and any(entry["id"] == key for entry in scenario.problem.get("vendors") or [])
        and any(line.get("vendor") == key for line in scenario.problem.get("offers") or [])
    ]


def vendor_hours(result: Mapping[str, Any] | None, problem: Mapping[str, Any], key: str) -> float:
    """The vendor's labour hours in a result of `problem`, each line counted as every page
    counts it (`figures.allocation_hours`: a version 1 need bought by the item has none)."""
    return _every_vendors_hours(result, problem).get(key, 0.0)


def _every_vendors_hours(
    result: Mapping[str, Any] | None, problem: Mapping[str, Any]
) -> dict[str, float]:
    """Each vendor's labour hours in a result of `problem`, by vendor key (see vendor_hours)."""
    units = figures.need_units(problem)
    hours: dict[str, float] = {}
    for line in (result or {}).get("allocations") or []:
        hours[line["vendor"]] = hours.get(line["vendor"], 0.0) + figures.allocation_hours(
            line, problem, units
        )
    return hours


def _plan_ranking(scenario: Scenario) -> tuple[scoring.Profile, scoring.Catalog, Any]:
    """The profile the plan was solved with, the catalog it weighs and every vendor's scores
    under it, with the buyer's own reviews (one scoring of the table per plan)."""
    record = db.session.get(ScoringProfile, scenario.profile_id) if scenario.profile_id else None
    basis = scoring_basis(scenario.organization_id, record)
    profile, metrics = basis.profile, basis.metrics
    if scenario.coalition_id is not None:  # solved under a coalition profile: its catalog, even
        metrics = shared_catalog(scenario.coalition_id)  # when the buyer has stopped using it
    if scenario.profile_settings:
        # the catalog changed since, the current basis stands in
        with contextlib.suppress(scoring.ProfileError):
            profile = scoring.profile_from_dict(scenario.profile_settings, metrics)
    ranking = services.rank_vendors(
        profile,
        None,
        organization_id=scenario.organization_id,
        with_stability=False,
        metrics=metrics,
    )
    return profile, metrics, ranking


def _changed_entry(
    entry: Mapping[str, Any],
    outcome: Mapping[str, Any],
    changes: Mapping[str, Any],
    vendor_figures: Mapping[str, Any],
) -> dict[str, Any]:
    """The vendor's document entry with the step's figures: the impact score moved by the
    what-if's change, and the impact-worker share where the step changes impact workers."""
    moved = outcome["impact_score_after"] - outcome["impact_score_before"]
    changed = dict(entry)
    changed["impact_score"] = round(min(100.0, max(0.0, entry["impact_score"] + moved)), 6)
    headcount = vendor_figures.get("headcount_end")
    if (
        "impact_workers_end" in changes
        and headcount
        and entry.get("impact_worker_share") is not None
    ):
        changed["impact_worker_share"] = round(
            min(1.0, changes["impact_workers_end"] / headcount), 6
        )
    return changed


def _solve_with(scenario: Scenario, key: str, entry: dict[str, Any]) -> dict[str, float] | None:
    """Every vendor's hours in a copy of the plan's problem with the vendor's entry replaced (by
    itself: the unchanged copy); None when the copy does not solve."""
    problem = copy.deepcopy(scenario.problem)
    assert problem is not None  # approved_plans keeps plans with a problem
    problem["vendors"] = [entry if v["id"] == key else v for v in problem["vendors"]]
    options = problem.setdefault("options", {})
    options["time_limit"] = min(float(options.get("time_limit") or TIME_LIMIT), TIME_LIMIT)
    result = optimizer.solve(problem)
    return _every_vendors_hours(result, problem) if result.get("status") in SOLVED else None


def _frozen(changes: Mapping[str, Any]) -> tuple:
    return tuple(sorted((name, repr(value)) for name, value in changes.items()))


def _cached(answer_key: tuple) -> dict[str, Any] | None:
    """The answer kept for this key, unless it is older than CACHE_SECONDS."""
    kept = _answers.get(answer_key)
    if kept is None or time.monotonic() - kept[0] > CACHE_SECONDS:
        return None
    with contextlib.suppress(KeyError):  # another thread's _keep may have evicted it since
        _answers.move_to_end(answer_key)
    return kept[1]


def _keep(answer_key: tuple, answer: dict[str, Any]) -> None:
    _answers[answer_key] = (time.monotonic(), answer)
    while len(_answers) > CACHE_SIZE:
        _answers.popitem(last=False)


def clear_cache() -> None:
    """Forget every kept answer (tests, benchmarks)."""
    _answers.clear()


def _approved_on(scenario: Scenario) -> date | None:
    return scenario.decided_at.date() if scenario.decided_at else None


class _Budget:
    """The work a page may still run: scorings of a buyer's table (a plan's ranking, a what-if)
    and solves of a plan's copy, one each."""

    def __init__(self, work: int):
        self.left = work

    def spend(self) -> None:
        assert self.left > 0, "checked before the work began"
        self.left -= 1


def _plan_lines(
    scenario: Scenario,
    vendor_id: int,
    disclosure_id: int,
    actions: Sequence[dict[str, Any]],
    budget: _Budget,
) -> list[dict[str, Any] | None]:
    """Per action, the vendor's hours in this plan solved again unchanged (`hours_before`) and
    after the step (`hours_after`, with a `note` when it was not worked out), or None when the
    buyer does not score the step."""
    key = f"V{vendor_id}"
    keys = [
        (
            scenario.id,
            scenario.version,
            vendor_id,
            disclosure_id,
            action["kind"],
            action["section"],
            _frozen(action["changes"]),
        )
        for action in actions
    ]
    answers: list[dict[str, Any] | None] = [_cached(k) for k in keys]

    def lines() -> list[dict[str, Any] | None]:
        return [
            (answer if answer.get("scored", True) else None) if answer is not None else NOT_NOW
            for answer in answers
        ]

    def keep_all(answer: dict[str, Any]) -> list[dict[str, Any] | None]:
        for index, answer_key in enumerate(keys):
            if answers[index] is None:
                _keep(answer_key, answer)
                answers[index] = answer
        return lines()

    if all(answer is not None for answer in answers):
        return lines()
    unchanged_key = ("unchanged", scenario.id, scenario.version)
    unchanged = _cached(unchanged_key)
    # begun only when the page can afford the ranking, the unchanged copy and one step
    if budget.left < 1 + int(unchanged is None) + STEP_WORK:
        return lines()
    entry = next(v for v in scenario.problem["vendors"] if v["id"] == key)  # type: ignore[index]
    profile, metrics, ranking = _plan_ranking(scenario)
    budget.spend()
    scored = ranking.inputs.disclosures.get(vendor_id)
    if scored is None or services.vendor_score(ranking, vendor_id) is None:
        return keep_all({"scored": False})  # the buyer scores none of the vendor's versions now
    if unchanged is None:  # the same solve as each step's, of the copy as approved
        unchanged = {"hours": _solve_with(scenario, key, entry)}
        budget.spend()
        _keep(unchanged_key, unchanged)
    if unchanged["hours"] is None:
        return keep_all({"hours_before": None, "hours_after": None, "note": UNSOLVED})
    before = unchanged["hours"].get(key, 0.0)
    vendor_figures = services.scored_figures(ranking.inputs.table, vendor_id)
    for index, (action, answer_key) in enumerate(zip(actions, keys, strict=True)):
        if answers[index] is not None:
            continue
        changes = buyer_changes(
            action,
            ranking.inputs.evidence[vendor_id],
            scored.period_end,
            profile.evidence_age_months,
        )
        outcome = None
        if changes:
            if budget.left < STEP_WORK:
                continue  # not this visit
            budget.spend()
            try:
                outcome = services.what_if(
                    vendor_id,
                    profile,
                    changes,
                    None,
                    organization_id=scenario.organization_id,
                    metrics=metrics,
                    ranking=ranking,
                )
            except ValidationFailed:  # the buyer's reading of the figures refuses the step
                answers[index] = {"scored": False}
                _keep(answer_key, {"scored": False})
                continue
        changed = (
            entry if outcome is None else _changed_entry(entry, outcome, changes, vendor_figures)
        )
        hours: float | None = before
        if changed != entry:
            budget.spend()
            solved = _solve_with(scenario, key, changed)
            hours = None if solved is None else solved.get(key, 0.0)
        answer = {
            "hours_before": before,
            "hours_after": hours,
            "note": None if hours is not None else UNSOLVED,
        }
        _keep(answer_key, answer)
        answers[index] = answer
    return lines()


def with_plan_shares(
    vendor_id: int, actions: Sequence[dict[str, Any]], disclosure_id: int
) -> list[dict[str, Any]]:
    """Each action with `plans`: per approved plan of a buyer that lets vendors see it (see the
    module docstring), the buyer's name, the day the plan was approved, the vendor's own hours
    in the approved result (`hours_approved`), in the plan solved again unchanged
    (`hours_before`) and after the step (`hours_after`; both None with a `note` when not worked
    out). `disclosure_id` is the version the panel scores (the scorecard's). Reads only."""
    plans = approved_plans(vendor_id) if actions else []
    per_action: list[list[dict[str, Any]]] = [[] for _ in actions]
    names = dict(
        db.session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_({plan.organization_id for plan in plans})
            )
        ).all()
    )
    budget = _Budget(MAX_WORK)
    key = f"V{vendor_id}"
    for scenario in plans:  # newest first; within a plan, the panel's order (largest gain first)
        base: dict[str, Any] = {
            "plan": scenario.id,
            "organization": names[scenario.organization_id],
            "approved_on": _approved_on(scenario),
            "hours_approved": vendor_hours(scenario.result, scenario.problem or {}, key),
        }
        for lines, answer in zip(
            per_action,
            _plan_lines(scenario, vendor_id, disclosure_id, actions, budget),
            strict=True,
        ):
            if answer is not None:
                line = base | {k: v for k, v in answer.items() if k != "scored"}
                line["changed"] = line["hours_after"] is None or round(
                    line["hours_after"]
                ) != round(line["hours_before"])
                lines.append(line)
    return [action | {"plans": lines} for action, lines in zip(actions, per_action, strict=True)]


def _lines_by_plan(actions: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    lines: dict[int, list[dict[str, Any]]] = {}
    for action in actions:
        for line in action.get("plans") or []:
            lines.setdefault(line["plan"], []).append(line)
    return list(lines.values())


def plans_solved_differently(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plans whose unchanged copy, solved again, gives the vendor other hours (to the hour)
    than the approved result, a line of each, for the panel to say that the steps' hours start
    from the copy."""
    return [
        known[0]
        for each in _lines_by_plan(actions)
        if (known := [line for line in each if line["hours_before"] is not None])
        and round(known[0]["hours_before"]) != round(known[0]["hours_approved"])
    ]


def unchanged_plans(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plans in which no step changes the vendor's hours (to the hour), once each, for the
    panel to say so once rather than under every step."""
    return [
        each[0] for each in _lines_by_plan(actions) if not any(line["changed"] for line in each)
    ]
