"""The embedded setup's worker: without a broker, a serving process runs its jobs in one thread
of its own, so that a request answers at once and its page shows the job's progress, as it does
with Celery workers.

`procure demo` and `procure serve` start it (`start_background_runner`); commands and tests run
their jobs inline instead, within the request or command that queued them. Jobs run one at a
time, in the order they were committed. A job queued when the process stopped is still queued
in the database: the scheduler's round hands it to the runner again (`resend_queued`). A job
with a not-before time (a coalesced refresh waiting out its gap) joins the line at that time.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from procure.db import utcnow
from procure.extensions import db

log = logging.getLogger("procure.jobs")

EXTENSION = "procure_background_runner"


class BackgroundRunner(threading.Thread):
    """Runs the job ids it is given, one at a time, each in an application context of its own."""

    def __init__(self, app: Flask, run_job: Callable[[int], Any]):
        super().__init__(name="procure-jobs", daemon=True)
        self.app, self.run_job = app, run_job
        self.waiting: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self.ran = 0  # jobs handed to run_job, for tests and logs

    def submit(self, job_id: int, not_before: datetime | None = None) -> None:
        """Run the job after the ones submitted before it; with `not_before` (a coalesced
        refresh waiting out its gap), not before then: it joins the line at that time."""
        wait = (not_before - utcnow()).total_seconds() if not_before is not None else 0.0
        if wait <= 0:
            self.waiting.put(job_id)
            return
        timer = threading.Timer(wait, self.waiting.put, args=(job_id,))
        timer.daemon = True  # a job still waiting when the process stops stays queued: resent
        timer.start()

    def stop(self) -> None:
        self.waiting.put(None)

    def run(self) -> None:
        while (job_id := self.waiting.get()) is not None:
            with self.app.app_context():
                try:
                    self.run_job(job_id)
                except Exception:  # run_job ends the job itself; this is a database outage
                    log.exception("the background runner could not run job %s", job_id)
                finally:
                    db.session.remove()
            self.ran += 1


def start_background_runner(app: Flask, run_job: Callable[[int], Any]) -> BackgroundRunner | None:
    """Start the app's background runner (once); None with a broker, whose workers run jobs."""
    if app.config.get("BROKER_URL"):
        return None
    runner = app.extensions.get(EXTENSION)
    if runner is None:
        runner = app.extensions[EXTENSION] = BackgroundRunner(app, run_job)
        runner.start()
    return runner


def background_runner() -> BackgroundRunner | None:
    """This app's background runner, when it serves without a broker; else None."""
    if current_app.config.get("BROKER_URL"):
        return None
    return current_app.extensions.get(EXTENSION)
