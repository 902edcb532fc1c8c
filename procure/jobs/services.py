"""Jobs as records: enqueue, fail, reap, cancel and retry (flush only; the caller commits).

A job is a row (procure.jobs.models.Job). `enqueue` adds it; once the request or command has
committed (procure.transactions), `procure.jobs.runner.start_committed` hands every new job to
Celery (with `PROCURE_BROKER_URL` set) or runs it inline. A job whose runner dies (kill -9, a
lost machine) stops sending heartbeats; `reap_stale` marks it failed with the reason (the
scheduler of `procure worker` and `procure jobs reap` run it; reads never do), and `retry`
queues it again. A system job (its kind `retries`) that failed for a passing cause is given a
`retry_at`, and `requeue_due` queues it again then. `start_once` starts a job unless the same
one is already queued or running, within a per-organization limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from procure.accounts.models import Organization
from procure.audit.services import SYSTEM, record_event
from procure.db import rowcount, utcnow
from procure.errors import RETRY_AFTER_SECONDS, ConflictError
from procure.extensions import db
from procure.jobs.kinds import KINDS, time_limit_reason
from procure.jobs.models import ACTIVE_STATUSES, WAITING_FOR_WORKER, Job
from procure.states import JobStatus

log = logging.getLogger("procure.jobs")

PENDING = "procure.jobs.pending"  # session.info: jobs added in the open transaction
COMMITTED = "procure.jobs.committed"  # session.info: jobs committed and not yet started
PENDING_KEYS = (
    "procure.jobs.pending_keys"  # session.info: (kind, organization, subject, params) -> id
)
TIME_LIMIT_GRACE_SECONDS = 30.0
# How long a retry waits for the job queue to answer before it is refused (503).
QUEUE_CHECK_SECONDS = 2.0
# Failed system jobs queued again in one round of the scheduler (the rest wait for the next).
REQUEUE_BATCH = 100

WAITING_FOR_QUEUE = (
    "Waiting for the job queue, which cannot be reached right now; "
    "the job is sent as soon as the queue is back."
)


class JobQueueUnavailable(ServiceUnavailable):
    """The job queue (the broker) does not answer: nothing was queued or changed. Answers 503
    with Retry-After, in the one error shape (procure.errors handles every HTTPException)."""

    def __init__(self, description: str):
        super().__init__(description, retry_after=RETRY_AFTER_SECONDS)


class TooManyJobs(TooManyRequests):
    """An organization asked for more jobs of a kind than it may have queued or running at once:
    nothing was queued. Answers 429 with Retry-After, in the one error shape."""

    def __init__(self, description: str):
        super().__init__(description, retry_after=RETRY_AFTER_SECONDS)


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
        # sent once this transaction commits (start_committed); if that never happens, or the
        # message is lost, the scheduler sends it again once this is job_resend_seconds old
        sent_at=utcnow(),
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


def enqueue_coalesced(
    kind: str,
    *,
    organization_id: int,
    user=None,
    params: dict[str, Any],
    any_organization: bool = False,
    hold: bool = True,
) -> tuple[Job, bool]:
    """Queue a job of `kind` with `params` (flushes) unless one like it (the same kind and
    params, of `organization_id` unless `any_organization`) is queued and not started yet: that
    one then stands for this request too. Returns the job and whether it was queued here.

    A queued job absorbs the request only once this transaction holds its row (a conditional
    UPDATE of its `updated_at` while it is still queued): a runner claiming it meanwhile waits
    for this transaction to end, so the run reads what this transaction wrote; one claimed
    already (running) may have read before, so a new one is queued, to run after it, and the
    requests that follow join that one. Many requests while a job waits and runs thus cause at
    most two runs. Without `hold` (a read, which wrote nothing the job reads: it only wants the
    job to run after what was committed before it) the queued job is taken as it is, and
    nothing is written.

    A job queued here within refresh_min_gap_seconds of the end of the last run of the same key
    (its start, while it runs) waits until the gap has passed (`retry_at`, its message saying
    until when), and the requests meanwhile join it: one run per gap, whatever the rate of
    changes. Run inline (no worker) it runs at once (`start_committed`)."""
    key = (kind, organization_id, None, json.dumps(params, sort_keys=True))
    if key in db.session.info.get(PENDING_KEYS, {}):
        return db.session.get_one(Job, db.session.info[PENDING_KEYS][key]), False
    candidates = select(Job.id, Job.params).where(
        Job.kind == kind, Job.status == JobStatus.QUEUED, Job.cancel_requested.is_(False)
    )
    if not any_organization:
        candidates = candidates.where(Job.organization_id == organization_id)
    for job_id, job_params in db.session.execute(candidates.order_by(Job.id)).all():
        if job_params != params:
            continue
        held = not hold or rowcount(
            db.session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.status == JobStatus.QUEUED,
                    Job.cancel_requested.is_(False),
                )
                .values(updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
        if held:
            db.session.info.setdefault(PENDING_KEYS, {})[key] = job_id
            return db.session.get_one(Job, job_id), False
    job = enqueue(
        kind,
        organization_id=organization_id,
        user=user,
        params=params,
        once_per_transaction=True,
    )
    not_before = _after_gap(kind, organization_id, params, any_organization)
    if not_before is not None:
        job.retry_at = not_before
        job.message = waiting_until(not_before)
        db.session.flush()
    return job, True


def waiting_until(not_before: datetime) -> str:
    """A queued job's message while it waits for its not-before time (`retry_at`)."""
    return (
        f"Queued: it runs after {not_before:%H:%M:%S} UTC, so that the changes made until "
        "then join it"
    )


def _after_gap(
    kind: str, organization_id: int, params: dict[str, Any], any_organization: bool
) -> datetime | None:
    """When a new coalesced job of `kind` and `params` may start: refresh_min_gap_seconds after
    the last run of the same key ended (or started, while it runs), when that is still to come;
    None (at once) otherwise. The requests of those seconds join the waiting job, so a key is
    refreshed at most once per gap however fast its changes come (#23)."""
    gap = timedelta(seconds=float(current_app.config["REFRESH_MIN_GAP_SECONDS"]))
    if not gap:
        return None
    last_run = func.coalesce(Job.finished_at, Job.started_at)
    recent = select(last_run, Job.params).where(
        Job.kind == kind, Job.started_at.is_not(None), last_run > utcnow() - gap
    )
    if not any_organization:
        recent = recent.where(Job.organization_id == organization_id)
    ran = [at for at, job_params in db.session.execute(recent).all() if job_params == params]
    return max(ran) + gap if ran else None


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
    job: Job,
    reason: str,
    from_status: JobStatus = JobStatus.RUNNING,
    heartbeat_at=None,
    transient: bool = False,
) -> bool:
    """End a job `failed` and let its kind mark its subject (flush only); False when it had moved
    on. `transient`: it failed for a cause that may pass (an unexpected error, a lost worker), so
    a system job with runs left gets a `retry_at` (`requeue_due` queues it again then)."""
    retry_at = _retry_time(job) if transient else None
    message = "Failed"
    if retry_at is not None:
        message = (
            f"Failed; it is tried again by itself at {retry_at:%H:%M:%S} UTC "
            f"(run {job.attempts + 1} of {current_app.config['JOB_RETRY_ATTEMPTS']})."
        )
    if not end_job(
        job.id,
        JobStatus.FAILED,
        reason,
        from_status=from_status,
        heartbeat_at=heartbeat_at,
        retry_at=retry_at,
        message=message,
    ):
        return False
    after: dict[str, Any] = {
        "status": JobStatus.FAILED,
        "reason": reason,
        "subject": _subject_label(job),
    }
    if retry_at is not None:
        after["retry_at"] = retry_at.isoformat()
    record_event("job.fail", job, after=after, actor=SYSTEM, organization_id=job.organization_id)
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
    retry_at: datetime | None = None,
    message: str | None = None,
) -> bool:
    """Move a job from `from_status` to a final status (flush only); False when it had moved on."""
    condition = [Job.id == job_id, Job.status == from_status]
    if heartbeat_at is not None:
        condition.append(Job.heartbeat_at == heartbeat_at)  # no beat came in since we looked
    if message is None:
        message = {JobStatus.FAILED: "Failed", JobStatus.CANCELLED: "Cancelled"}[status]
    return (
        rowcount(
            db.session.execute(
                update(Job)
                .where(*condition)
                .values(
                    status=status,
                    message=message,
                    error=reason,
                    finished_at=utcnow(),
                    retry_at=retry_at,
                )
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def _retry_time(job: Job) -> datetime | None:
    """When a failed system job runs again: job_retry_backoff_seconds after its first run, twice
    as long after each later one; None for a user's job or one whose runs are used up."""
    config = current_app.config
    if not KINDS[job.kind].retries or job.attempts >= int(config["JOB_RETRY_ATTEMPTS"]):
        return None
    wait = float(config["JOB_RETRY_BACKOFF_SECONDS"]) * 2 ** max(job.attempts - 1, 0)
    return utcnow() + timedelta(seconds=wait)


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
            transient = True  # another worker may well finish it
        elif job.started_at is not None and now > job.started_at + timedelta(
            seconds=job.time_limit_seconds + TIME_LIMIT_GRACE_SECONDS
        ):
            reason = time_limit_reason(job.time_limit_seconds)
            transient = False  # it would overrun again
        else:
            continue
        if fail_job(job, reason, heartbeat_at=job.heartbeat_at, transient=transient):
            log.warning("job %s marked failed: %s", job.id, reason)
            reaped += 1
    db.session.flush()
    return reaped


def may_control(job: Job, user: Any) -> bool:
    """Who may cancel or retry: the user who started the job, or an admin of its organization."""
    return user.id == job.created_by_id or (
        user.role == "admin" and user.organization_id == job.organization_id
    )


def is_system(job: Job) -> bool:
    """A system job (a re-scoring: its kind `retries`) serves whoever changed data while it
    waited: nobody cancels it."""
    return KINDS[job.kind].retries


def cancel(job: Job, user) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next step (flushes). A
    system job (re-scoring: `retries`) is refused: requests of other users, other
    organizations' too, join it (`enqueue_coalesced`), and their changes would go unscored."""
    if is_system(job):
        raise ConflictError(
            "This job re-scores for every change made while it waits, other people's too: it "
            "cannot be cancelled. It runs by itself and needs nothing from you."
        )
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


def supersede_queued(kind: str, subject: Any, keep: Mapping[str, Any], why: str, user) -> int:
    """Cancel the jobs of `kind` on `subject` still queued with other params than `keep`: work
    a newer job replaces before it started (a board PDF of a scenario version that a decision
    has just replaced). One that started already runs to its end. Each cancelled job says
    `why` and has its audit event; how many were cancelled (flushes)."""
    queued = db.session.scalars(
        select(Job).where(
            Job.kind == kind,
            Job.organization_id == subject.organization_id,
            Job.subject_type == type(subject).__name__,
            Job.subject_id == subject.id,
            Job.status == JobStatus.QUEUED,
        )
    ).all()
    cancelled = 0
    for job in queued:
        if job.params == dict(keep):
            continue
        if end_job(job.id, JobStatus.CANCELLED, why, from_status=JobStatus.QUEUED):
            record_event(
                "job.cancel",
                job,
                actor=user,
                organization_id=job.organization_id,
                before={"status": JobStatus.QUEUED},
                after={"status": JobStatus.CANCELLED, "why": why},
            )
            cancelled += 1
    db.session.flush()
    return cancelled


def require_job_queue() -> None:
    """Refuse (JobQueueUnavailable: 503, nothing changed) when a broker is configured and does not
    answer within QUEUE_CHECK_SECONDS: a job queued now would only wait for it. The queue may
    still fail between this check and the send; the job then waits queued, and the scheduler
    sends it when the queue is back."""
    url = current_app.config.get("BROKER_URL")
    if not url:
        return  # jobs run inline
    # here: Celery (the prod extra) is needed only when a broker is configured
    from procure.jobs.queue import broker_reachable

    if not broker_reachable(url, QUEUE_CHECK_SECONDS):
        raise JobQueueUnavailable(
            "The job queue cannot be reached right now, so the job was not queued again; it is "
            "unchanged. Try again in a minute."
        )


def _requeue(job_id: int, from_status: str, *conditions: Any) -> bool:
    """Move a finished job back to queued, as new (flush only); False when it had moved on."""
    return (
        rowcount(
            db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == from_status, *conditions)
                .values(
                    status=JobStatus.QUEUED,
                    progress=0,
                    message=WAITING_FOR_WORKER,
                    error=None,
                    result=None,
                    cancel_requested=False,
                    started_at=None,
                    heartbeat_at=None,
                    finished_at=None,
                    runner=None,
                    retry_at=None,
                    sent_at=utcnow(),  # sent after the commit, as a new job
                )
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def retry(job: Job, user) -> Job:
    """Queue a failed or cancelled job again (flushes); it starts once the caller commits.
    Refused (503, nothing changed) while the job queue cannot be reached."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise ConflictError(
            f"Only a failed or cancelled job can be retried; this one is {job.status}."
        )
    require_job_queue()
    before = job.status
    # first, so a second retry (or the scheduler's) racing this one changes nothing
    requeued = _requeue(job.id, before)
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


def requeue_due() -> list[int]:
    """Queue again the failed system jobs whose `retry_at` has come (flushes; the caller commits,
    and the jobs start after it). Returns their ids.

    Each is one conditional UPDATE: of two schedulers (two workers) the first takes it, and a
    user's retry meanwhile wins over both. A system kind's `retrying` check is not asked: those
    kinds have no subject a retry could find changed (a re-scoring scores the period as it is
    then)."""
    now = utcnow()
    due = db.session.scalars(
        select(Job)
        .where(Job.status == JobStatus.FAILED, Job.retry_at.is_not(None), Job.retry_at <= now)
        .order_by(Job.retry_at)
        .limit(REQUEUE_BATCH)
    ).all()
    requeued = []
    for job in due:
        if not _requeue(job.id, JobStatus.FAILED, Job.retry_at == job.retry_at):
            continue
        record_event(
            "job.retry",
            job,
            actor=SYSTEM,
            organization_id=job.organization_id,
            before={"status": JobStatus.FAILED, "error": job.error},
            after={"status": JobStatus.QUEUED, "run": job.attempts + 1, "automatic": True},
        )
        _remember(job.id)
        requeued.append(job.id)
    db.session.flush()
    return requeued


@dataclass(frozen=True)
class Started:
    """What `start_once` did: `job` is new, or (`new` False) the same one already under way."""

    job: Job
    new: bool


def start_once(
    kind: str,
    *,
    organization_id: int,
    user,
    subject,
    params: dict[str, Any] | None,
    limit_setting: str | None,
    what: str,
) -> Started:
    """Queue a job unless the same one (kind, subject and params) is queued or running, which is
    returned instead (flushes). Refuse (TooManyJobs, 429) when the organization already has as
    many jobs of this kind queued or running as the setting `limit_setting` allows (0, or no
    setting: no limit); `what` names them in the refusal ("board reports").

    The organization's row is locked until the commit, so its requests pass here one at a time:
    two identical requests never both start a job, nor two requests past the limit."""
    _lock_organization(organization_id)
    active = db.session.scalars(
        select(Job)
        .where(
            Job.organization_id == organization_id,
            Job.kind == kind,
            Job.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Job.id)
    ).all()
    wanted = dict(params or {})
    for job in active:
        if (
            job.subject_type == type(subject).__name__
            and job.subject_id == subject.id
            and job.params == wanted
        ):
            return Started(job, new=False)
    limit = int(current_app.config[limit_setting.upper()]) if limit_setting else 0
    if limit and len(active) >= limit:
        raise TooManyJobs(
            f"Your organization already has {len(active)} {what} queued or running, the most it "
            f"may have at once ({limit_setting} = {limit}). Try again when one of them is done."
        )
    job = enqueue(kind, organization_id=organization_id, user=user, subject=subject, params=wanted)
    return Started(job, new=True)


def _lock_organization(organization_id: int) -> None:
    """Hold the organization's row until the commit, by an UPDATE that changes nothing.

    An UPDATE, not SELECT ... FOR UPDATE: SQLite has no row locks, and its driver begins a
    transaction only at the first write, so reads before it are no guard; a write takes its one
    write lock (the others wait, busy_timeout) and what is read after it is current. On PostgreSQL
    it takes the row lock an update of non-key columns takes (FOR NO KEY UPDATE): rows referring
    to the organization are still written meanwhile. `updated_at` is set to itself, lest its
    onupdate stamp the organization as changed."""
    db.session.execute(
        update(Organization)
        .where(Organization.id == organization_id)
        .values(updated_at=Organization.updated_at)
        .execution_options(synchronize_session=False)
    )


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
