"""The coalition report job: the PDF for the members' boards (procure.coalitions.report), made
in the background as the board report is, and downloaded from the job's file."""

from __future__ import annotations

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.coalitions import services
from procure.coalitions.models import Coalition
from procure.coalitions.report import render_pdf, report_context
from procure.extensions import db
from procure.jobs.kinds import JobStopped, Outcome, job_kind, on_download
from procure.jobs.models import Job
from procure.jobs.runner import Progress
from procure.jobs.services import Started, start_once
from procure.states import JobStatus

KIND = "report.coalition_pdf"


@job_kind(KIND, "Coalition report (PDF)")
def coalition_report(job: Job, progress: Progress) -> Outcome:
    coalition = db.session.get(Coalition, job.subject_id)
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    if coalition is None or user is None:
        raise JobStopped(JobStatus.FAILED, "The coalition or the user who asked no longer exists.")
    seen_by = services.reader(coalition, user)
    if not seen_by.insider or user.organization_id != job.organization_id:
        raise JobStopped(
            JobStatus.FAILED, "Only the backbone and the active members have the report."
        )
    progress(10, "Gathering the figures")
    organization = db.session.get(Organization, job.organization_id)
    context = report_context(coalition, seen_by, organization.name if organization else "")
    progress(40, "Laying out the pages")
    pdf = render_pdf(context)
    return Outcome(
        result={"coalition_id": coalition.id, "bytes": len(pdf)},
        file_name=f"coalition-{coalition.id}-report.pdf",
        file_type="application/pdf",
        file_content=pdf,
    )


@on_download(KIND)
def only_while_inside(job: Job, user) -> str | None:
    """A report shows the coalition's figures as they stood for an insider: once the user's
    organization has left (or the coalition is gone), its earlier reports are no longer its."""
    coalition = db.session.get(Coalition, job.subject_id)
    if coalition is None or not services.reader(coalition, user).insider:
        return (
            "Only the backbone and the coalition's active members may download its reports; "
            "your organization is no longer a member."
        )
    return None


def start_report(coalition: Coalition, user) -> Started:
    """Queue the coalition report for the user's organization (the backbone or an active
    member: the caller checked), or hand back the one already queued or running for it.
    Counted against the organization's most reports at once (TooManyJobs, 429). Flushes."""
    return start_once(
        KIND,
        organization_id=user.organization_id,
        user=user,
        subject=coalition,
        params={},
        limit_setting="max_active_report_jobs_per_organization",
        what="reports",
    )


def latest_report(coalition: Coalition, user) -> Job | None:
    """The newest coalition report the user's organization asked for."""
    return db.session.scalar(
        select(Job)
        .where(
            Job.kind == KIND,
            Job.subject_type == "Coalition",
            Job.subject_id == coalition.id,
            Job.organization_id == user.organization_id,
        )
        .order_by(Job.id.desc())
        .limit(1)
    )
