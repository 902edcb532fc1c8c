"""The job runner: the one place, besides procure.transactions, that commits.

`run_job(job_id)` is the only code that runs a job, inline or in a Celery worker: it claims the
row with a conditional UPDATE (so a job runs at most once per attempt), keeps a heartbeat while
it runs, and stores the handler's writes and the job's end in ONE transaction, so a job that
stops half-way leaves nothing half-written. `start_committed` starts the jobs a committed
transaction queued. `tend_jobs` is the scheduler's round (procure.scheduler, in `procure
worker`): it reaps silent jobs, queues again the failed system jobs whose retry is due, and
sends again the queued jobs whose message is overdue or could not be sent, each in short
transactions of its own.

A job's message may be sent more than once (a re-send while the first message still waits,
two schedulers): `run_job` claims the row with a conditional UPDATE, so only one delivery runs
it, and the others change nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from procure.db import rowcount, utcnow
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.jobs.background import background_runner
from procure.jobs.kinds import (
    KINDS,
    JobKind,
    JobStopped,
    Outcome,
    time_limit_reason,
    unexpected_reason,
)
from procure.jobs.models import Job
from procure.jobs.services import (
    COMMITTED,
    PENDING,
    WAITING_FOR_QUEUE,
    WAITING_FOR_WORKER,
    end_job,
    fail_job,
    reap_stale,
    requeue_due,
)
from procure.states import JobStatus
from procure.transactions import after_commit, commit_before_answer

log = logging.getLogger("procure.jobs")

try:
    from celery.exceptions import SoftTimeLimitExceeded
except ImportError:  # Celery is in the `prod` extra; without it jobs run inline, never under it

    class SoftTimeLimitExceeded(Exception):  # type: ignore[no-redef]
        """Celery's soft time limit (never raised without Celery)."""


@commit_before_answer
def jobs_run_inline() -> bool:
    """Whether the open transaction queued jobs that will run inline (no broker): the request
    then commits before its answer is built, so that the answer carries their outcome. Not
    when a background runner runs them: the answer then shows their progress."""
    return (
        bool(db.session.info.get(PENDING))
        and not current_app.config.get("BROKER_URL")
        and background_runner() is None
    )


@after_commit
def start_committed() -> None:
    """Start every job committed by this session and not started yet: send it to the workers,
    or, without a broker, hand it to the background runner of a serving process, or else run it
    here and now.

    A job with a not-before time (`retry_at` of a queued job: a coalesced refresh waiting out
    its gap, `enqueue_coalesced`) reaches a Celery worker as a task with that `eta`, and the
    background runner after it; run inline (commands, tests) it runs at once, as every inline
    job does: nothing would run it later, and inline jobs run one request at a time anyway."""
    while db.session.info.get(COMMITTED):
        job_id = db.session.info[COMMITTED].pop(0)
        if current_app.config.get("BROKER_URL"):
            _send(job_id)
        elif (runner := background_runner()) is not None:
            runner.submit(job_id, _not_before(job_id))
        else:
            run_job(job_id)


def _not_before(job_id: int) -> datetime | None:
    """A queued job's not-before time (its `retry_at`); None for any other job."""
    return db.session.scalar(
        select(Job.retry_at).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
    )


def _send(job_id: int) -> bool:
    """Hand a committed job's message to the job queue; False when the queue cannot be reached.

    The job then stays queued, saying it waits for the queue, with no `sent_at`: the scheduler
    sends it at its next round once the queue answers again. Nobody has to retry it."""
    # here, not at the top: Celery (the `prod` extra) is needed only when a broker is configured
    from procure.jobs.queue import send_job

    # a committed job's row is there: jobs are never deleted
    limit = db.session.scalars(select(Job.time_limit_seconds).where(Job.id == job_id)).one()
    not_before = _not_before(job_id)
    try:
        # current_app is a LocalProxy typed as the Flask it stands for: mypy misses this method
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        send_job(app, job_id, limit, run_job, reap_and_commit, not_before)
    except Exception:  # the broker is down or refuses: the job waits for it
        log.warning(
            "could not queue job %s: the job queue cannot be reached; the scheduler sends it "
            "again when it can",
            job_id,
            exc_info=True,
        )
        db.session.rollback()
        _set_waiting(job_id, WAITING_FOR_QUEUE, sent_at=None)
        return False
    return True


def _set_waiting(job_id: int, message: str, was: str | None = None, **values: Any) -> None:
    """Say what a job still queued waits for (committed); with `was`, only if it said that."""
    statement = update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
    if was is not None:
        statement = statement.where(Job.message == was)
    db.session.execute(
        statement.values(message=message, **values).execution_options(synchronize_session=False)
    )
    db.session.commit()


def reap_and_commit() -> int:
    """Mark failed the jobs whose runner went silent or overran, in a transaction of its own."""
    try:
        reaped = reap_stale()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return reaped


def requeue_and_start() -> int:
    """Queue again the failed system jobs whose retry is due, in a transaction of its own, and
    start them (send them, or run them here without a broker). Returns how many."""
    try:
        requeued = requeue_due()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    start_committed()
    return len(requeued)


RESEND_BATCH = 100  # queued jobs sent again in one round at most (the rest wait for the next)


def resend_queued() -> int:
    """Send again every queued job whose message went out `job_resend_seconds` ago or could not
    be sent (no `sent_at`), and that no worker has taken. Returns how many were sent.

    Each job is claimed for the re-send by a conditional UPDATE of its `sent_at` (committed before
    the send), so two schedulers never both send it; a worker that took the job meanwhile makes
    the extra message a no-op (`run_job` claims the row). When the queue does not answer, the
    round stops: the rest wait for the next. Without a broker nothing travels, so nothing is lost,
    except in a serving process's background runner: a job it had not run when the process
    stopped is handed to the runner again.
    """
    runner = background_runner()
    if not current_app.config.get("BROKER_URL") and runner is None:
        return 0
    now = utcnow()
    overdue = now - timedelta(seconds=float(current_app.config["JOB_RESEND_SECONDS"]))
    waiting = db.session.execute(
        select(Job.id, Job.sent_at, Job.retry_at)
        .where(
            Job.status == JobStatus.QUEUED,
            Job.cancel_requested.is_(False),
            or_(Job.sent_at.is_(None), Job.sent_at < overdue),
        )
        .order_by(Job.id)
        .limit(RESEND_BATCH)
    ).all()
    db.session.rollback()  # end the reading transaction: each claim below is one of its own
    sent = 0
    for job_id, sent_at, not_before in waiting:
        unchanged = Job.sent_at.is_(None) if sent_at is None else Job.sent_at == sent_at
        claimed = rowcount(
            db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED, unchanged)
                .values(sent_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        if not claimed:  # taken, cancelled or sent by another scheduler meanwhile
            continue
        if runner is not None:
            runner.submit(job_id, not_before)
            sent += 1
            continue
        if not _send(job_id):
            break
        # it waited for the queue (or a message of it did): now it waits for a worker
        _set_waiting(job_id, WAITING_FOR_WORKER, was=WAITING_FOR_QUEUE)
        log.info("sent job %s again (its message was %s)", job_id, sent_at or "never sent")
        sent += 1
    return sent


@dataclass(frozen=True)
class JobRound:
    """What one round of `tend_jobs` did."""

    reaped: int  # running jobs marked failed (silent or overrun)
    requeued: int  # failed system jobs queued again by themselves
    resent: int  # queued jobs whose message was sent again

    def __bool__(self) -> bool:
        return bool(self.reaped or self.requeued or self.resent)


def tend_jobs() -> JobRound:
    """The scheduler's round of the jobs: reap, queue the due retries again, re-send. Each step
    runs in transactions of its own, and one that fails (a database or broker outage) is logged
    and does not stop the others: the next round tries again."""
    done = {"reaped": 0, "requeued": 0, "resent": 0}
    steps = (
        ("reaped", reap_and_commit),
        ("requeued", requeue_and_start),
        ("resent", resend_queued),
    )
    for name, step in steps:
        try:
            done[name] = step()
        except Exception:
            db.session.rollback()
            log.warning("the jobs' round (%s) failed; tried again at the next", name, exc_info=True)
    return JobRound(**done)


# ------------------------------------------------------------------ running


def _runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(job_id: int) -> bool:
    now = utcnow()
    claimed = rowcount(
        db.session.execute(
            update(Job)
            .where(
                Job.id == job_id, Job.status == JobStatus.QUEUED, Job.cancel_requested.is_(False)
            )
            .values(
                status=JobStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                progress=0,
                message="Started",
                runner=_runner_name(),
                attempts=Job.attempts + 1,
                retry_at=None,  # its not-before time, if any, is past: a running job has none
            )
            .execution_options(synchronize_session=False)
        )
    )
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
                .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
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
            self.stop = JobStopped(JobStatus.CANCELLED, "Cancelled on request.")
        elif time.monotonic() > self.deadline:
            self.stop = JobStopped(JobStatus.FAILED, time_limit_reason(self.limit))
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
                        .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
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
    job = db.session.get_one(Job, job_id, populate_existing=True)  # ours: _claim found it
    kind = KINDS[job.kind]
    config = current_app.config
    progress = Progress(db.engine, job, float(config["JOB_STEP_DELAY_SECONDS"]))
    heartbeat = Heartbeat(db.engine, job_id, float(config["JOB_HEARTBEAT_SECONDS"]))
    heartbeat.start()
    try:
        outcome = kind.run(job, progress)
        return _succeed(
            job, outcome if isinstance(outcome, Outcome) else Outcome(result=outcome or {})
        )
    except JobStopped as stop:
        db.session.rollback()
        return _stopped(job, kind, stop.status, stop.reason)
    except SoftTimeLimitExceeded:  # the worker's own limit (Celery), just past ours
        db.session.rollback()
        return _stopped(job, kind, JobStatus.FAILED, time_limit_reason(job.time_limit_seconds))
    except (ConflictError, ValidationFailed) as refusal:  # our own refusals, written for users
        db.session.rollback()
        log.info("job %s (%s) refused: %s", job_id, kind.title, refusal)
        return _stopped(job, kind, JobStatus.FAILED, _refusal_reason(refusal))
    except Exception:
        db.session.rollback()
        # the details (the exception, any SQL) go to the log only; the user reads the reference
        log.exception("job %s (%s) failed", job_id, kind.title)
        return _stopped(job, kind, JobStatus.FAILED, unexpected_reason(job_id), transient=True)
    finally:
        heartbeat.finish()


def _refusal_reason(refusal: ConflictError | ValidationFailed) -> str:
    """A refusal's own words: its message, and each field's messages after it."""
    reason = refusal.message
    for field, messages in (refusal.errors or {}).items():
        listed = messages if isinstance(messages, list) else [messages]
        reason += f" {field}: " + "; ".join(str(message) for message in listed)
    return reason[:2000]


def _succeed(job: Job, outcome: Outcome) -> str | None:
    values: dict[str, Any] = dict(
        status=JobStatus.SUCCEEDED,
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
    done = rowcount(
        db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JobStatus.RUNNING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )
    if done != 1:  # reaped or taken meanwhile: its writes must not land
        db.session.rollback()
        return None
    db.session.commit()
    return JobStatus.SUCCEEDED


def _stopped(
    job: Job, kind: JobKind, status: JobStatus | None, reason: str, transient: bool = False
) -> str | None:
    if status is None:  # no longer ours: whoever took it has recorded the end
        return None
    if status == JobStatus.FAILED:
        ended = fail_job(job, reason, transient=transient)
    else:
        ended = end_job(job.id, status, reason)
    if not ended:
        db.session.rollback()
        return None
    db.session.commit()
    return status
