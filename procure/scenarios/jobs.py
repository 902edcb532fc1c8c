"""The scenario jobs: a solve with its frontier, a frontier traced again by the measure the
buyer chose, and the board PDF (run by procure.jobs)."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

import optimizer
from procure.accounts.models import User
from procure.audit.services import record_event
from procure.editing import save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.jobs.kinds import JobStopped, Outcome, job_kind, on_failure, on_retry
from procure.jobs.models import Job
from procure.jobs.runner import Progress
from procure.jobs.services import cancel, enqueue, latest_job
from procure.scenarios import figures, services
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from procure.states import FrontierStatus, JobStatus, ScenarioStatus

FRONTIER_POINTS = services.FRONTIER_POINTS


def _scenario(job: Job) -> Scenario:
    scenario = db.session.get(Scenario, job.subject_id)
    if scenario is None:
        raise JobStopped(JobStatus.FAILED, "The scenario no longer exists.")
    return scenario


def _still_wanted(scenario: Scenario, job: Job) -> None:
    """Only the newest solve of a scenario that can still change may store anything."""
    newest = latest_job(scenario, "scenario.solve")
    if newest is None or newest.id != job.id:
        raise JobStopped(JobStatus.CANCELLED, "A newer solve of this scenario replaced this one.")
    if not scenario.editable:
        raise JobStopped(
            JobStatus.CANCELLED,
            f"The scenario is {scenario.status} now; its documents are frozen.",
        )


@job_kind("scenario.solve", "Solving the scenario")
def solve(job: Job, progress: Progress) -> dict:
    scenario = _scenario(job)
    _still_wanted(scenario, job)
    progress(5, "Building the problem from today's vendors, scores and offers")
    problem, basis = services.problem_for(scenario)
    progress(20, f"Solving: {len(problem['offers'])} offers for {len(problem['needs'])} need(s)")
    result = optimizer.solve(problem)
    frontier: dict = {"status": FrontierStatus.SKIPPED, "points": []}
    # not for a plan whose targets were relaxed (optimal_relaxed): RELAXED_FRONTIER says why
    if result["status"] == optimizer.Status.OPTIMAL:
        # by the measure the buyer last chose for this scenario's frontier; else by
        # impact-worker hours where the buyer set them (objective or target), else impact
        measure = figures.frontier_measure(problem, chosen_frontier_measure(scenario))
        frontier = _trace(problem, measure, progress, 45, 95)
    db.session.refresh(scenario)  # the newest state, for the version check on write
    _still_wanted(scenario, job)
    progress(97, "Saving the result")
    try:
        services.store_solution(
            scenario,
            problem,
            basis,
            result,
            frontier,
            actor=db.session.get(User, job.created_by_id) if job.created_by_id else None,
        )
    except ConflictError:  # a new solve or an edit wrote the scenario since the refresh above
        raise JobStopped(
            JobStatus.CANCELLED,
            "The scenario changed while this solve ran; a newer solve replaces it.",
        ) from None
    return {
        "scenario_id": scenario.id,
        "status": scenario.status,
        "cost": (result.get("totals") or {}).get("cost"),
    }


def _trace(problem: dict, measure: str, progress: Progress, start: float, end: float) -> dict:
    """The frontier of `problem` by `measure`, reporting progress from `start` to `end` %."""
    words = "impact-worker hours" if measure == figures.HOURS else "impact"
    progress(start, f"Tracing the cost-versus-{words} frontier")
    frontier = optimizer.frontier(
        problem,
        FRONTIER_POINTS,
        on_point=lambda done, total: progress.keep_going(
            start + (end - start) * done / total, f"Frontier: {done} of {total} points"
        ),
        measure=measure,
    )
    progress.check()
    return frontier


def chosen_frontier_measure(scenario: Scenario) -> str | None:
    """The measure the buyer last asked this scenario's frontier to sweep (None: never asked);
    a new solve keeps it."""
    job = latest_job(scenario, "scenario.frontier")
    return None if job is None else (job.params or {}).get("measure")


RELAXED_FRONTIER = (
    "The frontier is not traced for a plan whose targets were relaxed: each point would relax "
    "them again by its own amount. Give the targets that gave way new figures, or remove their "
    "priorities, and solve again to trace it."
)


def start_frontier(scenario: Scenario, measure: str | None, user) -> Job:
    """Queue tracing the frontier of a solved scenario's stored problem document again, by
    `measure` ("impact" or "hours"; None: the rule of `figures.frontier_measure`). A frontier
    job still running for the scenario is cancelled. Flushes."""
    if scenario.status != ScenarioStatus.SOLVED:
        raise ConflictError(
            f"Only a solved scenario that can still change has a frontier to trace again; "
            f"this one is {scenario.status}."
            + ("" if scenario.editable else " Copy it to trace the copy's frontier.")
        )
    if scenario.relaxed:
        raise ConflictError(RELAXED_FRONTIER)
    measure = measure or figures.frontier_measure(scenario.problem)
    refused = figures.frontier_measure_refused(scenario.problem, measure)
    if refused:
        raise ValidationFailed({"measure": [refused]})
    previous = latest_job(scenario, "scenario.frontier")
    if previous is not None and previous.active:
        with contextlib.suppress(ConflictError):  # it ended a moment ago
            cancel(previous, user)
    return enqueue(
        "scenario.frontier",
        organization_id=scenario.organization_id,
        user=user,
        subject=scenario,
        params={"measure": measure},
    )


def _frontier_wanted(scenario: Scenario, job: Job, version: int | None = None) -> None:
    """Only the newest frontier job of a solved scenario, unchanged since the job read it
    (`version`), may store its frontier."""
    newest = latest_job(scenario, "scenario.frontier")
    if newest is None or newest.id != job.id:
        raise JobStopped(JobStatus.CANCELLED, "A newer frontier of the scenario replaced it.")
    if scenario.status != ScenarioStatus.SOLVED or (
        version is not None and scenario.version != version
    ):
        raise JobStopped(
            JobStatus.CANCELLED,
            f"The scenario changed (it is {scenario.status} now); its frontier stays as it is.",
        )


@job_kind("scenario.frontier", "Tracing the frontier")
def trace_frontier(job: Job, progress: Progress) -> dict:
    scenario = _scenario(job)
    _frontier_wanted(scenario, job)
    measure, version, problem = job.params["measure"], scenario.version, scenario.problem
    if problem is None:  # a solved scenario keeps its problem document; never here
        raise JobStopped(JobStatus.FAILED, "The scenario has no problem document.")
    frontier = _trace(problem, measure, progress, 5, 95)
    db.session.refresh(scenario)  # the newest state, for the checks and the version on write
    _frontier_wanted(scenario, job, version)
    progress(97, "Saving the frontier")
    scenario.frontier = frontier
    try:
        save_changes(scenario, "scenario")
    except ConflictError:  # a solve, an edit or a submission wrote the scenario since the refresh
        raise JobStopped(
            JobStatus.CANCELLED, "The scenario changed while its frontier was traced."
        ) from None
    record_event(
        "scenario.frontier",
        scenario,
        actor=db.session.get(User, job.created_by_id) if job.created_by_id else None,
        organization_id=scenario.organization_id,
        after={"measure": measure, "status": frontier["status"]},
    )
    return {"scenario_id": scenario.id, "measure": measure, "status": frontier["status"]}


@on_failure("scenario.solve")
def solve_failed(job: Job, reason: str) -> None:
    """A solve that died leaves its scenario `failed`, with the reason as the result.

    Not when another transaction is writing the scenario right now (an edit or a new solve, which
    replaces this one): it holds the scenario's row and waits for this job's, so waiting here
    would deadlock, and there is nothing left to mark.
    """
    scenario = db.session.scalar(
        select(Scenario)
        .where(Scenario.id == job.subject_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if scenario is None or not scenario.editable:
        return
    newest = latest_job(scenario, "scenario.solve")
    if newest is not None and newest.id != job.id:
        return
    scenario.status, scenario.problem, scenario.frontier = ScenarioStatus.FAILED, None, None
    scenario.result = {
        "status": optimizer.Status.ERROR,
        "errors": [{"field": "job", "message": reason}],
    }
    db.session.flush()


@on_retry("scenario.solve")
def solve_retrying(job: Job) -> None:
    """A retried solve must still be the newest one, on a scenario that can change."""
    scenario = _scenario_or_conflict(job)
    newest = latest_job(scenario, "scenario.solve")
    if newest is not None and newest.id != job.id:
        raise ConflictError("A newer solve of this scenario exists; retry that one or solve again.")
    if not scenario.editable:
        raise ConflictError(f"The scenario is {scenario.status}: its problem is frozen.")
    scenario.status, scenario.result = ScenarioStatus.DRAFT, None
    save_changes(scenario, "scenario")  # an edit or solve committed meanwhile: 409, not a 500


def _scenario_or_conflict(job: Job) -> Scenario:
    scenario = db.session.get(Scenario, job.subject_id)
    if scenario is None:
        raise ConflictError("The scenario no longer exists.")
    return scenario


@job_kind("report.board_pdf", "Board report (PDF)")
def board_report(job: Job, progress: Progress) -> Outcome:
    # here: weasyprint is slow to import (~0.45 s); only the PDF job needs it
    from procure.reports.board_pdf import html_to_pdf, render_board_html

    scenario = _scenario(job)
    if not services.has_board_report(scenario):
        raise JobStopped(JobStatus.FAILED, services.NO_REPORT)
    progress(10, "Gathering the figures")
    context = board_context(scenario)
    progress(30, "Drawing the charts")
    html = render_board_html(context)
    progress(55, "Laying out the pages")
    pdf = html_to_pdf(html)
    return Outcome(
        result={
            "scenario_id": scenario.id,
            "scenario_version": scenario.version,
            "bytes": len(pdf),
        },
        file_name=f"scenario-{scenario.id}-board-report.pdf",
        file_type="application/pdf",
        file_content=pdf,
    )
