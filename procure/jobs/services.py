"""Jobs as records: enqueue, fail, reap, cancel and retry (flush only; the caller commits).

A job is a row (procure.jobs.models.Job). `enqueue` adds it; once the request or command has
committed (procure.transactions), `procure.jobs.runner.start_committed` hands every new job to
Celery (with `PROCURE_BROKER_URL` set) or runs it inline. A job whose runner dies (kill -9, a
lost machine) stops sending heartbeats; `reap_stale` marks it failed with the reason (the worker
and `procure jobs reap` run it on a schedule; reads never do), and `retry` queues it again.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from procure.audit.services import SYSTEM, record_event
from procure.db import rowcount, utcnow
from procure.errors import ConflictError
from procure.extensions import db
from procure.jobs.kinds import KINDS, time_limit_reason
from procure.jobs.models import ACTIVE_STATUSES, Job
from procure.states import JobStatus

log = logging.getLogger("procure.jobs")

PENDING = "procure.jobs.pending"  # session.info: jobs added in the open transaction
COMMITTED = "procure.jobs.committed"  # session.info: jobs committed and not yet started
PENDING_KEYS = (
    "procure.jobs.pending_keys"  # session.info: (kind, organization, subject, params) -> id
)
TIME_LIMIT_GRACE_SECONDS = 30.0


# ------------------------------------------------------------------ starting


def enqueue(
    kind: str,
    *,
    organization_id: int,
    user=None,
    subject=None,
    params: dict[str, Any] | None = None,
    once_per_transaction: bool = False,
) -> Job:
    """Add a queued job (flushes); it starts once the transaction commits (`start_committed`).

    `once_per_transaction`: when this transaction already added the same job (kind,
    organization, subject and params), return that one instead; it starts after the commit,
    so it sees everything this transaction wrote.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    key = (
        kind,
        organization_id,
        getattr(subject, "id", None),
        json.dumps(params or {}, sort_keys=True),
    )
    if once_per_transaction and key in db.session.info.get(PENDING_KEYS, {}):
        return db.session.get_one(Job, db.session.info[PENDING_KEYS][key])
    job = Job(
        kind=kind,
        organization_id=organization_id,
        created_by_id=getattr(user, "id", None),
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        params=dict(params or {}),
        time_limit_seconds=float(current_app.config["JOB_TIME_LIMIT_SECONDS"]),
    )
    db.session.add(job)
    db.session.flush()
    record_event(
        "job.start",
        job,
        actor=user,
        organization_id=organization_id,
        after={"kind": kind, "subject": _subject_label(job)},
    )
    _remember(job.id)
    db.session.info.setdefault(PENDING_KEYS, {})[key] = job.id
    return job


def _subject_label(job: Job) -> str | None:
    return f"{job.subject_type} {job.subject_id}" if job.subject_type else None


def _remember(job_id: int) -> None:
    db.session.info.setdefault(PENDING, []).append(job_id)


@event.listens_for(Session, "after_commit")
def _jobs_committed(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    session.info.pop(PENDING_KEYS, None)
    if pending:
        session.info.setdefault(COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _jobs_rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)  # those rows are gone
    session.info.pop(PENDING_KEYS, None)


def fail_job(
    job: Job, reason: str, from_status: JobStatus = JobStatus.RUNNING, heartbeat_at=None
) -> bool:
    """End a job `failed` and let its kind mark its subject (flush only); False when it had moved
    on."""
    if not end_job(
        job.id, JobStatus.FAILED, reason, from_status=from_status, heartbeat_at=heartbeat_at
    ):
        return False
    record_event(
        "job.fail",
        job,
        after={"status": JobStatus.FAILED, "reason": reason, "subject": _subject_label(job)},
        actor=SYSTEM,
        organization_id=job.organization_id,
    )
    kind = KINDS[job.kind]
    if kind.failed:
        kind.failed(job, reason)
    return True


def end_job(
    job_id: int,
    status: JobStatus,
    reason: str,
    from_status: JobStatus = JobStatus.RUNNING,
    heartbeat_at=None,
) -> bool:
    """Move a job from `from_status` to a final status (flush only); False when it had moved on."""
    condition = [Job.id == job_id, Job.status == from_status]
    if heartbeat_at is not None:
        condition.append(Job.heartbeat_at == heartbeat_at)  # no beat came in since we looked
    message = {JobStatus.FAILED: "Failed", JobStatus.CANCELLED: "Cancelled"}[status]
    return (
        rowcount(
            db.session.execute(
                update(Job)
                .where(*condition)
                .values(status=status, message=message, error=reason, finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


# ------------------------------------------------------------------ watching, cancelling, retrying


def reap_stale() -> int:
    """Mark failed every running job whose runner went silent or overran its time limit
    (flushes; the caller commits). Returns how many were marked."""
    now = utcnow()
    silent_since = now - timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))
    reaped = 0
    for job in db.session.scalars(select(Job).where(Job.status == JobStatus.RUNNING)).all():
        if job.heartbeat_at is not None and job.heartbeat_at < silent_since:
            reason = (
                f"The worker running it stopped (no sign of life since "
                f"{job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC, on {job.runner}). Retry it."
            )
        elif job.started_at is not None and now > job.started_at + timedelta(
            seconds=job.time_limit_seconds + TIME_LIMIT_GRACE_SECONDS
        ):
            reason = time_limit_reason(job.time_limit_seconds)
        else:
            continue
        if fail_job(job, reason, heartbeat_at=job.heartbeat_at):
            log.warning("job %s marked failed: %s", job.id, reason)
            reaped += 1
    db.session.flush()
    return reaped


def may_control(job: Job, user: Any) -> bool:
    """Who may cancel or retry: the user who started the job, or an admin of its organization."""
    return user.id == job.created_by_id or (
        user.role == "admin" and user.organization_id == job.organization_id
    )


def cancel(job: Job, user) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next step (flushes)."""
    # one conditional UPDATE: a runner claiming the job meanwhile sees the flag and never starts it
    asked = rowcount(
        db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status.in_(ACTIVE_STATUSES))
            .values(cancel_requested=True, message="Cancelling…")
            .execution_options(synchronize_session=False)
        )
    )
    if not asked:
        db.session.refresh(job)
        raise ConflictError(
            f"The job has already ended ({job.status}); there is nothing to cancel."
        )
    end_job(
        job.id,
        JobStatus.CANCELLED,
        f"Cancelled by {user.name} before it started.",
        from_status=JobStatus.QUEUED,
    )
    record_event("job.cancel", job, actor=user, before={"status": job.status})
    db.session.flush()
    db.session.refresh(job)
    return job


def retry(job: Job, user) -> Job:
    """Queue a failed or cancelled job again (flushes); it starts once the caller commits."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise ConflictError(
            f"Only a failed or cancelled job can be retried; this one is {job.status}."
        )
    before = job.status
    requeued = rowcount(
        db.session.execute(  # first, so a second retry racing this one changes nothing
            update(Job)
            .where(Job.id == job.id, Job.status == before)
            .values(
                status=JobStatus.QUEUED,
                progress=0,
                message="Waiting for a worker",
                error=None,
                result=None,
                cancel_requested=False,
                started_at=None,
                heartbeat_at=None,
                finished_at=None,
                runner=None,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if not requeued:
        raise ConflictError("Someone retried or changed this job a moment ago; reload it.")
    kind = KINDS[job.kind]
    if kind.retrying:  # may refuse (ConflictError): the request then rolls back the requeue too
        kind.retrying(job)
    record_event(
        "job.retry", job, actor=user, before={"status": before}, after={"status": JobStatus.QUEUED}
    )
    db.session.flush()
    db.session.refresh(job)
    _remember(job.id)
    return job


def latest_job(subject, kind: str) -> Job | None:
    """The newest job of `kind` on a record."""
    return db.session.scalar(
        select(Job)
        .where(
            Job.subject_type == type(subject).__name__,
            Job.subject_id == subject.id,
            Job.kind == kind,
        )
        .order_by(Job.id.desc())
        .limit(1)
    )
