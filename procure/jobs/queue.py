"""Celery on Redis: the transport of jobs when `PROCURE_BROKER_URL` is set.

Celery only carries job ids. The job's state lives in the database (procure.jobs.models.Job),
and the task runs `run_job` (procure.jobs.runner, handed in by the caller so this transport
needs nothing of the runner), the same function an inline run calls. Messages are acknowledged
on receipt: a worker killed mid-task loses the message, its job stops sending heartbeats and is
marked failed by `reap_stale`, and a retry sends a new message. A message lost before any worker
took it (a broker restarted without its data, a worker killed with a message it had fetched)
leaves its job queued: the scheduler sends it again once it is job_resend_seconds old. Nothing is
run twice by a redelivery or a re-send: the runner claims the job's row first.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from flask import Flask
from kombu import Connection

from procure.extensions import db

TASK_NAME = "procure.run_job"
HARD_LIMIT_GRACE_SECONDS = 15.0

log = logging.getLogger("procure.jobs")


def celery_for(app: Flask, run_job: Callable[[int], Any], reap: Callable[[], int]) -> Celery:
    """The Celery application bound to one Flask application (made once per app): its task runs
    `run_job(job_id)`, and a starting worker first runs `reap()` (marks dead jobs failed)."""
    celery = app.extensions.get("procure_celery")
    if celery is not None:
        return celery
    celery = Celery("procure", broker=app.config["BROKER_URL"], set_as_current=False)
    celery.conf.update(
        task_default_queue=app.config["JOB_QUEUE"],
        task_ignore_result=True,  # results live in the job row
        task_acks_late=False,  # a killed worker's message is not redelivered: see above
        worker_prefetch_multiplier=1,  # long tasks: a worker takes one at a time
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"socket_timeout": 5, "socket_connect_timeout": 5},
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        enable_utc=True,
    )

    @celery.task(name=TASK_NAME)
    def run(job_id: int) -> None:
        with app.app_context():
            run_job(job_id)

    def fresh_connections(**_kwargs) -> None:
        # a forked worker process must not share the parent's database connections
        with app.app_context():
            db.engine.dispose(close=False)

    def reap_on_start(**_kwargs) -> None:
        with app.app_context():
            reaped = reap()
            if reaped:
                log.warning("marked %d stale job(s) failed at worker start", reaped)

    worker_process_init.connect(fresh_connections, weak=False)
    worker_ready.connect(reap_on_start, weak=False)
    app.extensions["procure_celery"] = celery
    return celery


def send_job(
    app: Flask,
    job_id: int,
    time_limit: float,
    run_job: Callable[[int], Any],
    reap: Callable[[], int],
    not_before: datetime | None = None,
) -> None:
    """Queue the task that runs one job, with Celery's own soft and hard time limits; with
    `not_before`, a worker holds it until then (Celery's `eta`)."""
    celery_for(app, run_job, reap).send_task(
        TASK_NAME,
        args=[job_id],
        queue=app.config["JOB_QUEUE"],
        soft_time_limit=time_limit,
        time_limit=time_limit + HARD_LIMIT_GRACE_SECONDS,
        eta=not_before,
    )


def broker_reachable(url: str, timeout: float) -> bool:
    """Whether the broker at `url` answers a connection within about `timeout` seconds (one
    attempt, no retries): checked before a change that only makes sense if a message can go."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception:  # refused, unreachable, a bad password: not reachable, said the same way
        log.warning("the job queue does not answer", exc_info=True)
        return False
    return True


def worker_arguments(concurrency: int, loglevel: str, queue: str) -> list[str]:
    """The `celery worker` command line that `procure worker` runs, taking jobs from `queue`."""
    return [
        "worker",
        f"--loglevel={loglevel}",
        f"--concurrency={concurrency or os.cpu_count() or 1}",
        f"--queues={queue}",
        "--without-gossip",
        "--without-mingle",
        "--pool=prefork",
        f"--hostname=procure-{os.getpid()}@%h",
    ]
