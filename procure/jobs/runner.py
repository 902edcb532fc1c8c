"""The job runner: the one place, besides procure.transactions, that commits.

`run_job(job_id)` is the only code that runs a job, inline or in a Celery worker: it claims the
row with a conditional UPDATE (so a job runs at most once per attempt), keeps a heartbeat while
it runs, and stores the handler's writes and the job's end in ONE transaction, so a job that
stops half-way leaves nothing half-written. `start_committed` starts the jobs a committed
transaction queued; `reap_and_commit` is the scheduled reaper's unit of work.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from procure.db import rowcount, utcnow
from procure.extensions import db
from procure.jobs.kinds import KINDS, JobKind, JobStopped, Outcome, time_limit_reason
from procure.jobs.models import Job
from procure.jobs.services import COMMITTED, end_job, fail_job, reap_stale
from procure.states import JobStatus
from procure.transactions import after_commit

log = logging.getLogger("procure.jobs")

try:
    from celery.exceptions import SoftTimeLimitExceeded
except ImportError:  # Celery is in the `prod` extra; without it jobs run inline, never under it

    class SoftTimeLimitExceeded(Exception):  # type: ignore[no-redef]
        """Celery's soft time limit (never raised without Celery)."""


@after_commit
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
    # here, not at the top: Celery (the `prod` extra) is needed only when a broker is configured
    from procure.jobs.queue import send_job

    # a committed job's row is there: jobs are never deleted
    limit = db.session.scalars(select(Job.time_limit_seconds).where(Job.id == job_id)).one()
    try:
        # current_app is a LocalProxy typed as the Flask it stands for: mypy misses this method
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        send_job(app, job_id, limit, run_job, reap_and_commit)
    except Exception as error:  # the broker is down or refuses: the job cannot start
        log.exception("could not queue job %s", job_id)
        db.session.rollback()
        fail_job(
            db.session.get_one(Job, job_id),
            f"The job queue could not be reached ({type(error).__name__}). Retry it.",
            from_status=JobStatus.QUEUED,
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


class Reaper(threading.Thread):
    """Reaps silent jobs every `interval` seconds in the background (the worker and the
    embedded server run one), so no read ever has to."""

    def __init__(self, app: Flask, interval: float):
        super().__init__(name="procure-job-reaper", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.app.app_context():
                    reaped = reap_and_commit()
                if reaped:
                    log.warning("marked %d stale job(s) failed", reaped)
            except Exception:  # a database outage: try again at the next tick
                log.warning("reaping stale jobs failed", exc_info=True)


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
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind.title)
        return _stopped(job, kind, JobStatus.FAILED, f"{type(error).__name__}: {error}"[:2000])
    finally:
        heartbeat.finish()


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


def _stopped(job: Job, kind: JobKind, status: JobStatus | None, reason: str) -> str | None:
    if status is None:  # no longer ours: whoever took it has recorded the end
        return None
    ended = fail_job(job, reason) if status == JobStatus.FAILED else end_job(job.id, status, reason)
    if not ended:
        db.session.rollback()
        return None
    db.session.commit()
    return status
