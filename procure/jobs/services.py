"""One job mechanism for the long-running work: solves with their frontier, board PDFs, re-scoring.

A job is a row (procure.jobs.models.Job). `enqueue` adds it; once the request or command has
committed, `start_committed` hands every new job to Celery (with `PROCURE_BROKER_URL` set) or
runs it inline, in this process. Both paths end in `run_job(job_id)`, the only code that runs a
job: it claims the row with a conditional UPDATE (so a job runs at most once per attempt),
keeps a heartbeat while it runs, and stores the handler's writes and the job's end in ONE
transaction, so a job that stops half-way leaves nothing half-written.

A job whose runner dies (kill -9, a lost machine) stops sending heartbeats; `reap_stale` marks
it failed with the reason, and `retry` queues it again.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from procure.audit.services import record_event
from procure.db import utcnow
from procure.errors import ConflictError
from procure.extensions import db
from procure.jobs.models import ACTIVE_STATUSES, Job

log = logging.getLogger("procure.jobs")

PENDING = "procure.jobs.pending"  # session.info: jobs added in the open transaction
COMMITTED = "procure.jobs.committed"  # session.info: jobs committed and not yet started
PENDING_KEYS = (
    "procure.jobs.pending_keys"  # session.info: (kind, organization, subject, params) -> id
)
TIME_LIMIT_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class JobKind:
    """What a kind of job is called and which functions run it.

    `run(job, progress)` does the work in `db.session` (flush only) and returns an Outcome or a
    dict (the job's result). `failed(job, reason)`, when given, is called in the transaction
    that marks the job failed, to mark its subject too. `retrying(job)` may refuse a retry by
    raising ConflictError.
    """

    title: str
    run: str
    failed: str | None = None
    retrying: str | None = None

    def function(self, name: str) -> Callable | None:
        path = getattr(self, name)
        if path is None:
            return None
        module, _, attribute = path.partition(":")
        return getattr(importlib.import_module(module), attribute)


KINDS: dict[str, JobKind] = {
    "scenario.solve": JobKind(
        "Solving the scenario",
        "procure.scenarios.jobs:solve",
        failed="procure.scenarios.jobs:solve_failed",
        retrying="procure.scenarios.jobs:solve_retrying",
    ),
    "report.board_pdf": JobKind("Board report (PDF)", "procure.scenarios.jobs:board_report"),
    "scores.refresh": JobKind("Re-scoring vendors", "procure.scoring.jobs:refresh_scores"),
}


@dataclass
class Outcome:
    """What a job hands back: its result document and, optionally, a file."""

    result: dict[str, Any] = field(default_factory=dict)
    file_name: str | None = None
    file_type: str | None = None
    file_content: bytes | None = None


class JobStopped(Exception):
    """Ends a job early: cancelled on request, stopped at its time limit, or no longer ours."""

    def __init__(self, status: str | None, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def time_limit_reason(seconds: float) -> str:
    return f"Stopped at the time limit of {seconds:,.0f} s. Retry it, or make the problem smaller."


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
        return db.session.get(Job, db.session.info[PENDING_KEYS][key])
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


def start_committed() -> None:
    """Start every job committed by this session and not started yet: send it to the workers,
    or, without a broker, run it here and now."""
    while db.session.info.get(COMMITTED):
        job_id = db.session.info[COMMITTED].pop(0)
        if current_app.config.get("BROKER_URL"):
            _send(job_id)
        else:
            run_job(job_id)


def _send(job_id: int) -> None:
    from procure.jobs.queue import send_job

    limit = db.session.scalar(select(Job.time_limit_seconds).where(Job.id == job_id))
    try:
        send_job(current_app._get_current_object(), job_id, limit)
    except Exception as error:  # the broker is down or refuses: the job cannot start
        log.exception("could not queue job %s", job_id)
        db.session.rollback()
        _fail(
            db.session.get(Job, job_id),
            f"The job queue could not be reached ({type(error).__name__}). Retry it.",
            from_status="queued",
        )
        db.session.commit()


# ------------------------------------------------------------------ running


def _runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(job_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued", Job.cancel_requested.is_(False))
        .values(
            status="running",
            started_at=now,
            heartbeat_at=now,
            progress=0,
            message="Started",
            runner=_runner_name(),
            attempts=Job.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


class Progress:
    """Handed to a job's handler: `progress(percent, message)` records how far it got.

    It writes on its own connection (committed at once, so pollers see it) and raises
    JobStopped when the job was cancelled, ran out of time, or was taken from this runner.
    `keep_going(percent, message)` does the same but answers False instead of raising.
    """

    def __init__(self, engine: Engine, job: Job, step_delay: float):
        self.engine, self.job_id, self.step_delay = engine, job.id, step_delay
        self.limit = job.time_limit_seconds
        self.deadline = time.monotonic() + job.time_limit_seconds
        self.stop: JobStopped | None = None

    def __call__(self, percent: float, message: str) -> None:
        if self.step_delay:
            time.sleep(self.step_delay)
        with self.engine.begin() as connection:
            row = connection.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == "running")
                .values(
                    progress=max(0, min(99, int(percent))),
                    message=message[:300],
                    heartbeat_at=utcnow(),
                )
                .returning(Job.cancel_requested)
            ).first()
        if row is None:
            self.stop = JobStopped(
                None, "The job was taken from this runner (marked failed or cancelled)."
            )
        elif row.cancel_requested:
            self.stop = JobStopped("cancelled", "Cancelled on request.")
        elif time.monotonic() > self.deadline:
            self.stop = JobStopped("failed", time_limit_reason(self.limit))
        if self.stop is not None:
            raise self.stop

    def keep_going(self, percent: float, message: str) -> bool:
        try:
            self(percent, message)
        except JobStopped:
            return False
        return True

    def check(self) -> None:
        """Raise the stop that `keep_going` swallowed, if any."""
        if self.stop is not None:
            raise self.stop


class Heartbeat(threading.Thread):
    """Stamps the job's heartbeat every few seconds while its handler runs (a long solve
    reports no progress for a while, and must not look dead)."""

    def __init__(self, engine: Engine, job_id: int, interval: float):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(Job)
                        .where(Job.id == self.job_id, Job.status == "running")
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed beat is retried; a dead database fails the job anyway
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def finish(self) -> None:
        self.stopped.set()
        self.join(timeout=max(self.interval, 1.0) * 2)


def run_job(job_id: int) -> str | None:
    """Run one queued job to its end and return its final status; None when it was not ours
    to run (already taken, finished or cancelled), so a repeated delivery changes nothing."""
    if not _claim(job_id):
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    kind = KINDS[job.kind]
    config = current_app.config
    progress = Progress(db.engine, job, float(config["JOB_STEP_DELAY_SECONDS"]))
    heartbeat = Heartbeat(db.engine, job_id, float(config["JOB_HEARTBEAT_SECONDS"]))
    heartbeat.start()
    try:
        outcome = kind.function("run")(job, progress)
        return _succeed(
            job, outcome if isinstance(outcome, Outcome) else Outcome(result=outcome or {})
        )
    except JobStopped as stop:
        db.session.rollback()
        return _stopped(job, kind, stop.status, stop.reason)
    except SoftTimeLimitExceeded:  # the worker's own limit (Celery), just past ours
        db.session.rollback()
        return _stopped(job, kind, "failed", time_limit_reason(job.time_limit_seconds))
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind.title)
        return _stopped(job, kind, "failed", f"{type(error).__name__}: {error}"[:2000])
    finally:
        heartbeat.finish()


def _succeed(job: Job, outcome: Outcome) -> str | None:
    values: dict[str, Any] = dict(
        status="succeeded",
        progress=100,
        message="Done",
        result=outcome.result,
        finished_at=utcnow(),
        error=None,
    )
    if outcome.file_content is not None:
        values.update(
            output=outcome.file_content,
            output_name=outcome.file_name,
            output_type=outcome.file_type,
        )
    done = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:  # reaped or taken meanwhile: its writes must not land
        db.session.rollback()
        return None
    db.session.commit()
    return "succeeded"


def _stopped(job: Job, kind: JobKind, status: str | None, reason: str) -> str | None:
    if status is None:  # no longer ours: whoever took it has recorded the end
        return None
    ended = _fail(job, reason) if status == "failed" else _end(job.id, status, reason)
    if not ended:
        db.session.rollback()
        return None
    db.session.commit()
    return status


def _fail(job: Job, reason: str, from_status: str = "running", heartbeat_at=None) -> bool:
    """End a job `failed` and let its kind mark its subject (flush only); False when it had moved on."""
    if not _end(job.id, "failed", reason, from_status=from_status, heartbeat_at=heartbeat_at):
        return False
    record_event(
        "job.fail",
        job,
        after={"status": "failed", "reason": reason, "subject": _subject_label(job)},
        by_system=True,
        organization_id=job.organization_id,
    )
    kind = KINDS[job.kind]
    if kind.failed:
        kind.function("failed")(job, reason)
    return True


def _end(
    job_id: int, status: str, reason: str, from_status: str = "running", heartbeat_at=None
) -> bool:
    """Move a job from `from_status` to a final status (flush only); False when it had moved on."""
    condition = [Job.id == job_id, Job.status == from_status]
    if heartbeat_at is not None:
        condition.append(Job.heartbeat_at == heartbeat_at)  # no beat came in since we looked
    message = {"failed": "Failed", "cancelled": "Cancelled"}[status]
    return (
        db.session.execute(
            update(Job)
            .where(*condition)
            .values(status=status, message=message, error=reason, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


# ------------------------------------------------------------------ watching, cancelling, retrying


def reap_stale() -> int:
    """Mark failed every running job whose runner went silent or overran its time limit
    (flushes; the caller commits). Returns how many were marked."""
    now = utcnow()
    silent_since = now - timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))
    reaped = 0
    for job in db.session.scalars(select(Job).where(Job.status == "running")).all():
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
        if _fail(job, reason, heartbeat_at=job.heartbeat_at):
            log.warning("job %s marked failed: %s", job.id, reason)
            reaped += 1
    db.session.flush()
    return reaped


def may_control(job: Job, user) -> bool:
    """Who may cancel or retry: the user who started the job, or an admin of its organization."""
    return user.id == job.created_by_id or (
        user.role == "admin" and user.organization_id == job.organization_id
    )


def cancel(job: Job, user) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next step (flushes)."""
    # one conditional UPDATE: a runner claiming the job meanwhile sees the flag and never starts it
    asked = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status.in_(ACTIVE_STATUSES))
        .values(cancel_requested=True, message="Cancelling…")
        .execution_options(synchronize_session=False)
    ).rowcount
    if not asked:
        db.session.refresh(job)
        raise ConflictError(
            f"The job has already ended ({job.status}); there is nothing to cancel."
        )
    _end(job.id, "cancelled", f"Cancelled by {user.name} before it started.", from_status="queued")
    record_event("job.cancel", job, before={"status": job.status})
    db.session.flush()
    db.session.refresh(job)
    return job


def retry(job: Job, user) -> Job:
    """Queue a failed or cancelled job again (flushes); it starts once the caller commits."""
    if job.status not in ("failed", "cancelled"):
        raise ConflictError(
            f"Only a failed or cancelled job can be retried; this one is {job.status}."
        )
    before = job.status
    requeued = db.session.execute(  # first, so a second retry racing this one changes nothing
        update(Job)
        .where(Job.id == job.id, Job.status == before)
        .values(
            status="queued",
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
    ).rowcount
    if not requeued:
        raise ConflictError("Someone retried or changed this job a moment ago; reload it.")
    kind = KINDS[job.kind]
    if kind.retrying:  # may refuse (ConflictError): the request then rolls back the requeue too
        kind.function("retrying")(job)
    record_event("job.retry", job, before={"status": before}, after={"status": "queued"})
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
