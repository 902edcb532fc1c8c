"""Scenarios: build the problem from the database, solve it, keep both documents.

Solving is a job (procure.jobs): `solve_scenario` queues it, and the job's handler
(procure.scenarios.jobs) stores the documents with `store_solution`. Services add and flush;
the request or command commits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

import optimizer
from procure.accounts.models import User
from procure.audit.services import record_event
from procure.awards import services as awards
from procure.db import utcnow
from procure.editing import check_version, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.events.models import SourcingEvent
from procure.extensions import db
from procure.jobs import services as jobs
from procure.jobs.models import Job
from procure.jobs.services import Started, start_once
from procure.needs.models import Need
from procure.notifications.services import active_users, link_to, mark_acted_on, notify
from procure.scenarios import award_rules, page_facts, review
from procure.scenarios.adapter import build_problem
from procure.scenarios.models import Scenario
from procure.scoring.models import ScoringProfile
from procure.scoring.shared_profiles import (
    ScoringBasis,
    default_profile_label,
    scoring_basis,
    solved_label,
)
from procure.states import Decision, EventState, NotificationKind, Objective, ScenarioStatus

STATUS_OF_RESULT = {
    optimizer.Status.OPTIMAL: ScenarioStatus.SOLVED,
    # solved with targets relaxed by their priorities: `Scenario.relaxed` tells it apart
    optimizer.Status.OPTIMAL_RELAXED: ScenarioStatus.SOLVED,
    optimizer.Status.INFEASIBLE: ScenarioStatus.INFEASIBLE,
}


def _event_errors(
    organization_id: int, event_id: int, need_ids: list[int] | None
) -> dict[str, list[str]]:
    """Why an award scenario cannot be made from this event with these needs: the event is not
    the organization's, not closed (its bids are not all in and read), or a need is not one of
    its lots."""
    event = db.session.get(SourcingEvent, event_id)
    if event is None or event.organization_id != organization_id:
        return {"event_id": [f"No sourcing event with id {event_id} in your organization."]}
    if event.state != EventState.CLOSED:
        return {
            "event_id": [
                f"The event “{event.title}” is {event.state}: only a closed event's bids make "
                "an award scenario."
            ]
        }
    lots = {lot.need_id for lot in event.lots}
    strangers = [need_id for need_id in need_ids or [] if need_id not in lots]
    if strangers:
        return {
            "need_ids": [
                f"Need {need_id} is not a lot of the event “{event.title}”: choose among its lots."
                for need_id in strangers
            ]
        }
    return {}


def _checked(
    organization_id: int,
    values: Mapping[str, Any],
    event_id: int | None = None,
    stored: Scenario | None = None,
) -> dict[str, list[str]]:
    """Each refused field's errors; `stored`: the scenario being changed, whose targets and
    needs hold where `values` does not change them (award rules name its needs)."""
    errors: dict[str, list[str]] = {}
    if event_id is not None:
        errors.update(_event_errors(organization_id, event_id, values.get("need_ids")))
    if "name" in values and not str(values["name"] or "").strip():
        errors["name"] = ["Give the scenario a name."]
    if "need_ids" in values:
        ids = list(values["need_ids"] or [])
        if not ids:
            errors["need_ids"] = ["Choose at least one need."]
        found = set(
            db.session.scalars(
                select(Need.id).where(Need.organization_id == organization_id, Need.id.in_(ids))
            ).all()
        )
        missing = [i for i in ids if i not in found]
        if missing:
            errors["need_ids"] = [f"No need {i} in your organization." for i in missing]
    if (
        values.get("profile_id") is not None
        and db.session.scalar(
            select(ScoringProfile.id).where(
                ScoringProfile.id == values["profile_id"],
                ScoringProfile.organization_id == organization_id,
            )
        )
        is None
    ):
        errors["profile_id"] = ["No scoring profile with this id in your organization."]
    if "objective" in values and values["objective"] not in tuple(Objective):
        errors["objective"] = [f"Choose one of: {', '.join(Objective)}."]
    targets = values.get("targets") or {}
    for problem in optimizer.validate_targets(award_rules.checkable(targets)):
        errors.setdefault(problem["field"], []).append(problem["message"])  # its own rules
    if "targets" in values or "need_ids" in values:
        need_ids = values.get("need_ids", stored.need_ids if stored is not None else [])
        rules = targets if "targets" in values or stored is None else stored.targets
        event = event_id or (stored.event_id if stored is not None else None)
        for field, messages in award_rules.reference_errors(rules, need_ids or [], event).items():
            errors.setdefault(field, []).extend(messages)
    for name in set(values.get("targets") or {}) & set(PER_NEED_RULES):
        errors.setdefault(f"targets.{name}", []).append(PER_NEED_RULES[name])
    return errors


PER_NEED_RULES = {
    "max_vendors": "The most vendors is set on each need (its max_vendors), not on a scenario.",
    "min_award": "The minimum award is set on each need (its min_award), not on a scenario.",
    "min_order": "The minimum award is set on each need (its min_award), not on a scenario.",
}
"""Where a scenario target a buyer may look for lives instead: the needs' whole-number rules."""


def create_scenario(organization_id: int, values: Mapping[str, Any], user) -> Scenario:
    """A draft scenario of the organization; with `event_id` an award scenario of that closed
    event of the organization, its needs among the event's lots. ValidationFailed names the
    field (`name`, `need_ids`, `event_id`, `profile_id`, `objective`, `targets.<name>`)."""
    full = {
        "objective": Objective.MIN_COST,
        "targets": {},
        "profile_id": None,
        "event_id": None,
        **values,
    }
    errors = _checked(organization_id, full, full["event_id"])
    for key in ("name", "need_ids"):
        if key not in full:
            errors.setdefault(key, ["Required."])
    if errors:
        raise ValidationFailed(errors)
    scenario = Scenario(
        organization_id=organization_id,
        name=full["name"].strip(),
        need_ids=list(full["need_ids"]),
        profile_id=full["profile_id"],
        objective=full["objective"],
        targets=dict(full["targets"]),
        created_by_id=user.id,
        copied_from_id=full.get("copied_from_id"),
        event_id=full["event_id"],
    )
    db.session.add(scenario)
    record_event(
        "scenario.create",
        scenario,
        actor=user,
        after={"name": scenario.name, "needs": scenario.need_ids}
        | ({"event_id": scenario.event_id} if scenario.event_id is not None else {}),
    )
    return scenario


def update_scenario(
    scenario: Scenario, values: Mapping[str, Any], sent_version: int | None, user: User
) -> Scenario:
    if not scenario.editable:
        raise ConflictError(
            f"The scenario is {scenario.status} and can no longer be changed: copy it instead."
        )
    check_version(scenario, sent_version, "scenario")
    errors = _checked(
        scenario.organization_id,
        values,
        scenario.event_id if "need_ids" in values else None,
        stored=scenario,
    )
    if errors:
        raise ValidationFailed(errors)
    before = {k: getattr(scenario, k) for k in values}
    for key, value in values.items():
        setattr(scenario, key, value.strip() if key == "name" else value)
    # a changed scenario needs a new solve
    scenario.status, scenario.problem, scenario.result = ScenarioStatus.DRAFT, None, None
    save_changes(scenario, "scenario", sent_version)
    record_event("scenario.update", scenario, actor=user, before=before, after=dict(values))
    return scenario


FRONTIER_POINTS = 11


def problem_for(
    scenario: Scenario, time_limit: float = 60.0
) -> tuple[dict[str, Any], ScoringBasis]:
    """The problem document built from today's data, and what it was scored with
    (`store_solution` keeps it): the scenario's own profile, else the coalition profile its
    organization adopted (procure.coalitions.measurement), else the default profile."""
    needs = db.session.scalars(
        select(Need).where(Need.id.in_(scenario.need_ids)).order_by(Need.id)
    ).all()
    basis = scoring_basis(
        scenario.organization_id,
        db.session.get(ScoringProfile, scenario.profile_id) if scenario.profile_id else None,
    )
    return (
        build_problem(
            needs,
            basis.profile,
            scenario.objective,
            scenario.targets,
            time_limit=time_limit,
            hours_per_fte_year=current_app.config["HOURS_PER_FTE_YEAR"],
            event=db.session.get(SourcingEvent, scenario.event_id) if scenario.event_id else None,
            metrics=basis.metrics,
        ),
        basis,
    )


def profile_label(scenario: Scenario) -> str:
    """What the scenario's page and board report call the profile it is scored with: its own
    profile's name and version; solved, the coalition profile it recorded or the default
    profile; not solved yet, the one its organization would solve it with now."""
    if scenario.profile_id is not None:
        record = db.session.get_one(ScoringProfile, scenario.profile_id)  # a foreign key
        return f"{record.name} v{record.number}"
    if scenario.profile_settings is None:
        return default_profile_label(scenario.organization_id)
    return solved_label(
        scenario.coalition_id, scenario.coalition_profile_version, scenario.profile_settings
    )


def solve_scenario(scenario: Scenario, user) -> Job:
    """Queue a solve of the scenario with today's data (it starts once the caller commits).

    A solve still queued or running for this scenario is cancelled: only the newest solve may
    store its documents.

    Starting a solve always writes the scenario (a new version, even of a draft with no documents
    yet), and before it touches the previous job, as a solve job storing its result does: of two
    solves asked at once, or a solve asked while the previous one stores its result, one wins
    and the other is refused (409), and neither waits for a row the other holds.
    """
    if not scenario.editable:
        raise ConflictError(
            f"The scenario is {scenario.status}: its problem is frozen. Copy it to solve again."
        )
    previous = jobs.latest_job(scenario, "scenario.solve")
    scenario.status, scenario.problem, scenario.result, scenario.frontier = (
        ScenarioStatus.DRAFT,
        None,
        None,
        None,
    )
    flag_modified(scenario, "status")
    save_changes(scenario, "scenario")
    if previous is not None and previous.active:
        # A ConflictError: it ended a moment ago without storing anything (a stored result fails
        # the check above).
        with contextlib.suppress(ConflictError):
            jobs.cancel(previous, user)
    return jobs.enqueue(
        "scenario.solve", organization_id=scenario.organization_id, user=user, subject=scenario
    )


def store_solution(
    scenario: Scenario,
    problem: dict,
    basis: ScoringBasis,
    result: dict,
    frontier: dict,
    actor=None,
) -> Scenario:
    """Keep the problem document, its result and frontier, what it was scored with
    (`problem_for`): the profile's settings and the coalition profile, if it was one, and the
    projected impact worked out once from them (`review.store_projection`), which the pages,
    the API and the board report read instead of the scored disclosures, and what the page and
    the comparison show of them (`page_facts.store`)."""
    scenario.problem, scenario.result = problem, result
    with db.session.no_autoflush:  # the scenario's changes flush in save_changes, as a conflict
        review.store_projection(scenario)
        try:
            page_facts.store(scenario)
        except Exception:  # a cache: the page works the facts out on read (and shows the error)
            current_app.logger.exception("scenario %s: page facts not stored", scenario.id)
            scenario.page_facts = scenario.page_lines = None
    scenario.profile_settings = basis.profile.to_dict()
    scenario.coalition_id, scenario.coalition_profile_version = basis.shared_id, basis.version
    scenario.frontier = frontier
    scenario.status = STATUS_OF_RESULT.get(result["status"], ScenarioStatus.FAILED)
    save_changes(scenario, "scenario")
    record_event(
        "scenario.solve",
        scenario,
        actor=actor,
        organization_id=scenario.organization_id,
        after={"status": scenario.status, "cost": (result.get("totals") or {}).get("cost")},
    )
    return scenario


def copy_scenario(scenario: Scenario, user) -> Scenario:
    return create_scenario(
        scenario.organization_id,
        {
            "name": f"{scenario.name} (copy)",
            "need_ids": scenario.need_ids,
            "profile_id": scenario.profile_id,
            "objective": scenario.objective,
            "targets": dict(scenario.targets),
            "copied_from_id": scenario.id,
            "event_id": scenario.event_id,
        },
        user,
    )


NO_REPORT = (
    "Only a solved scenario, or one that was solved and has no possible plan, has a board report."
)


def has_board_report(scenario: Scenario, allocated: bool | None = None) -> bool:
    """Whether the scenario has a board PDF to make: its plan, or (infeasible) why it has none;
    `allocated`: whether its result has allocation lines, when the caller knows (the page's
    facts), else read from the result."""
    if allocated is None:
        allocated = bool((scenario.result or {}).get("allocations"))
    return allocated or scenario.status == ScenarioStatus.INFEASIBLE


def start_board_report(scenario: Scenario, user, limited: bool = True) -> Started:
    """Queue the board PDF of a solved scenario, or of an infeasible one (why it has no plan)
    (flushes), or hand back the one already queued or running for the same scenario version
    (a PDF takes seconds of a worker: asking again, or eight people asking at once, makes one).
    An organization has at most max_active_report_jobs_per_organization of them queued or
    running; one more is refused
    (TooManyJobs, 429), unless not `limited` (a submission's PDF: one per submitted version,
    which the executives must find). The job kind is procure.scenarios.jobs.board_report."""
    if not has_board_report(scenario):
        raise ConflictError(NO_REPORT)
    return start_once(
        "report.board_pdf",
        organization_id=scenario.organization_id,
        user=user,
        subject=scenario,
        params={"scenario_version": scenario.version},
        limit_setting="max_active_report_jobs_per_organization" if limited else None,
        what="board reports",
    )


def remake_board_report(scenario: Scenario, user, because: str) -> Started:
    """The board PDF of the scenario's new version (a submission's, a decision's), outside the
    organization's limit; a PDF of an earlier version still queued is not made: it would be
    out of date before it was read (the demo queued five, each seconds of a worker)."""
    jobs.supersede_queued(
        "report.board_pdf",
        scenario,
        {"scenario_version": scenario.version},
        f"Not made: {because} before it started, and the PDF of version "
        f"{scenario.version} is made instead.",
        user,
    )
    return start_board_report(scenario, user, limited=False)


def submit_scenario(scenario: Scenario, user, sent_version: int | None = None) -> Scenario:
    """A buyer sends a solved scenario to the executives; from now on it is frozen. Its board
    PDF is queued at once, of the submitted version, so the executives find a current one (the
    organization's limit of reports under way does not refuse it: a submission happens once
    per solved version). `sent_version`: the version the buyer saw (a page's form); an older
    one is refused (409)."""
    if sent_version is not None:
        check_version(scenario, sent_version, "scenario")
    if scenario.status != ScenarioStatus.SOLVED:
        raise ConflictError(
            f"Only a solved scenario can be submitted; this one is {scenario.status}."
        )
    scenario.status, scenario.submitted_at, scenario.submitted_by_id = (
        ScenarioStatus.SUBMITTED,
        utcnow(),
        user.id,
    )
    save_changes(scenario, "scenario")
    record_event(
        "scenario.submit",
        scenario,
        actor=user,
        before={"status": ScenarioStatus.SOLVED},
        after={"status": ScenarioStatus.SUBMITTED},
    )
    if (scenario.result or {}).get("allocations"):  # flushed above: the submitted version's
        remake_board_report(scenario, user, "the scenario was submitted")
    notify(  # the executives decide on the scenario's page
        active_users("executive", organization_id=scenario.organization_id),
        NotificationKind.SCENARIO_SUBMITTED,
        f"{user.name} submitted the scenario “{scenario.name}”: it waits for your decision."
        + (" Not every target holds: some gave way by priority." if scenario.relaxed else ""),
        link=link_to("scenario_pages.show", scenario_id=scenario.id),
        subject=scenario,
    )
    return scenario


def decide_scenario(scenario: Scenario, decision: str, comment: str, user) -> Scenario:
    """An executive approves or rejects a submitted scenario (a rejection needs a comment).

    Approval locks the scoring profile version the scenario used; the problem, the result and
    the profile settings are already stored with the scenario and are never changed again. The
    board PDF, which states the decision, is queued again for the decided version. An
    approved award scenario becomes its event's award (procure.awards): a second approval for
    the same event is refused (409).
    """
    if scenario.status != ScenarioStatus.SUBMITTED:
        raise ConflictError(
            f"Only a submitted scenario can be decided; this one is {scenario.status}."
        )
    if decision not in tuple(Decision):
        raise ValidationFailed({"decision": ["Choose approved or rejected."]})
    if decision == Decision.APPROVED and scenario.event_id is not None:
        awards.refuse_second_award(scenario.event_id, scenario.id)
    comment = (comment or "").strip()
    if decision == Decision.REJECTED and not comment:
        raise ValidationFailed({"comment": ["Say why, so the buyer can prepare a better plan."]})
    scenario.status, scenario.decided_at, scenario.decided_by_id = (
        ScenarioStatus(decision),
        utcnow(),
        user.id,
    )
    scenario.decision_comment = comment or None
    if decision == Decision.APPROVED and scenario.profile_id is not None:
        profile = db.session.get_one(ScoringProfile, scenario.profile_id)  # a foreign key
        profile.locked = True
    save_changes(scenario, "scenario")
    record_event(
        f"scenario.{'approve' if decision == Decision.APPROVED else 'reject'}",
        scenario,
        actor=user,
        before={"status": ScenarioStatus.SUBMITTED},
        after={"status": decision, "comment": comment},
    )
    if decision == Decision.APPROVED and scenario.event_id is not None:
        awards.record_award(
            scenario.event_id, scenario.id, scenario.problem or {}, scenario.result or {}, user
        )
    if (scenario.result or {}).get("allocations"):  # the PDF says the decision: made again
        remake_board_report(scenario, user, f"the scenario was {decision}")
    _tell_buyers(scenario, decision, user)
    mark_acted_on(user, NotificationKind.SCENARIO_SUBMITTED, scenario)
    return scenario


def _tell_buyers(scenario: Scenario, decision: str, user) -> None:
    """The organization's buyers, and whoever submitted the scenario, read the decision (and a
    rejection's reason) on the scenario's page."""
    submitter = db.session.get(User, scenario.submitted_by_id) if scenario.submitted_by_id else None
    buyers = active_users("buyer", organization_id=scenario.organization_id)
    verb = "approved" if decision == Decision.APPROVED else "rejected"
    notify(
        [*buyers, *([submitter] if submitter is not None else [])],
        NotificationKind.SCENARIO_DECIDED,
        f"{user.name} {verb} the scenario “{scenario.name}”.",
        link=link_to("scenario_pages.show", scenario_id=scenario.id),
        subject=scenario,
    )


def check_frozen(scenario: Scenario) -> dict[str, Any]:
    """Solve the stored problem document again and compare the allocation with the stored one."""
    if scenario.problem is None or scenario.result is None:
        raise ConflictError("This scenario has not been solved yet.")
    again = optimizer.solve(scenario.problem)
    stored = scenario.result.get("allocations", [])
    fresh = again.get("allocations", [])
    return {
        "identical": stored == fresh and again.get("totals") == scenario.result.get("totals"),
        "stored_allocations": len(stored),
        "resolved_allocations": len(fresh),
        "stored_cost": (scenario.result.get("totals") or {}).get("cost"),
        "resolved_cost": (again.get("totals") or {}).get("cost"),
    }
