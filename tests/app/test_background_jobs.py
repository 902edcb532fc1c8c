"""The embedded setup's background runner (`procure demo` without a broker): a request that
queues a job answers at once, the page shows the job waiting and then its progress, and the
runner runs it; a job left queued when the process stopped is handed to the runner again by the
scheduler's round, and runs once."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from procure.db import utcnow
from procure.extensions import db
from procure.jobs import runner
from procure.jobs.background import EXTENSION, start_background_runner
from procure.jobs.models import Job
from procure.scenarios.models import Scenario


@pytest.fixture
def gate():
    return threading.Event()


@pytest.fixture
def background(app, gate):
    """The app's background runner, which waits for `gate` before each job it runs."""
    ran: list[int] = []

    def run_when_let(job_id: int):
        assert gate.wait(30), "the test never let the job run"
        ran.append(job_id)
        return runner.run_job(job_id)

    started = start_background_runner(app, run_when_let)
    assert started is not None
    yield ran
    started.stop()
    started.join(timeout=30)
    app.extensions.pop(EXTENSION)


def _wait_for(job_id: int, status: str) -> Job:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh read: the runner commits in its own connection
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is not None and job.status == status:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {status}")


def test_a_solve_answers_at_once_and_runs_in_the_background(
    client, world, sign_in, make_scenario, background, gate
):
    scenario = make_scenario()  # answered before the job ran: the gate is shut
    job_id = scenario["job"]["id"]
    assert scenario["status"] == "draft" and scenario["job"]["status"] == "queued"
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}")
    assert (
        page.status_code == 200 and f'/api/v1/jobs/{job_id}" data-job-status="queued"' in page.text
    )

    gate.set()
    job = _wait_for(job_id, "succeeded")
    assert job.progress == 100 and job.attempts == 1 and background == [job_id]
    assert db.session.get(Scenario, scenario["id"], populate_existing=True).status == "solved"
    shown = client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world["headers"]).json
    assert shown["status"] == "solved" and shown["job"]["result"]["cost"] == 6400.0


def test_a_job_left_queued_by_a_stopped_process_runs_once_after_the_round(
    app, client, world, make_scenario, background, gate
):
    gate.set()
    scenario = make_scenario()
    first = _wait_for(scenario["job"]["id"], "succeeded")
    # the same solve, as a process that stopped before its runner took it would leave it
    db.session.execute(
        update(Job)
        .where(Job.id == first.id)
        .values(status="queued", sent_at=utcnow() - timedelta(hours=1), progress=0)
    )
    db.session.commit()
    assert runner.resend_queued() == 1
    _wait_for(first.id, "succeeded")
    assert runner.resend_queued() == 0  # nothing waits any more
    assert background == [first.id, first.id]
    assert db.session.get(Job, first.id, populate_existing=True).attempts == 2


def test_commands_and_requests_without_a_runner_still_run_jobs_inline(client, make_scenario):
    scenario = make_scenario()
    assert scenario["status"] == "solved" and scenario["job"]["status"] == "succeeded"
