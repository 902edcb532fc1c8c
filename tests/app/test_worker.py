"""A real Celery worker on Redis runs scenario solves end to end; killed mid-task (SIGKILL) its
job ends failed, and a retry on a new worker solves the scenario.

Needs Redis (PROCURE_TEST_BROKER_URL, default redis://127.0.0.1:6379/15). Skipped with the
reason when Redis is not reachable, except when PROCURE_REQUIRE_WORKER=1 (CI sets it): then a
missing Redis fails the run.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.jobs.models import Job

pytestmark = pytest.mark.worker


def _wait_for(client, headers, job_id, done, timeout=60.0, worker=None):
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json
        if done(job):
            return job
        time.sleep(0.2)
    raise AssertionError(
        f"job {job_id} stayed {job}; worker said: {worker.output() if worker else ''}"
    )


def test_a_worker_process_solves_a_scenario(client, world, make_scenario, start_worker):
    worker = start_worker()
    created = make_scenario("Through the worker")
    assert created["job"]["status"] in (
        "queued",
        "running",
        "succeeded",
    )  # a fast worker may be done
    job = _wait_for(
        client,
        world["headers"],
        created["job"]["id"],
        lambda j: j["status"] == "succeeded",
        worker=worker,
    )
    assert job["progress"] == 100 and job["result"]["cost"] == 6400.0
    assert (
        int(db.session.get(Job, job["id"]).runner.rsplit(":", 1)[1]) != os.getpid()
    )  # another process ran it
    scenario = client.get(f"/api/v1/scenarios/{created['id']}", headers=world["headers"]).json
    assert scenario["status"] == "solved" and scenario["totals"]["cost"] == 6400.0
    report = client.post(f"/api/v1/scenarios/{created['id']}/report", headers=world["headers"]).json
    report = _wait_for(
        client, world["headers"], report["id"], lambda j: j["status"] == "succeeded", worker=worker
    )
    assert client.get(report["file_url"], headers=world["headers"]).data.startswith(b"%PDF")


def test_a_killed_worker_fails_the_job_and_a_retry_solves_it(
    client, world, make_scenario, start_worker
):
    worker = start_worker(step_delay=1.0)  # a second per progress step: time to kill it mid-task
    created = make_scenario("Killed")
    job_id = created["job"]["id"]
    _wait_for(
        client,
        world["headers"],
        job_id,
        lambda j: j["status"] == "running" and j["progress"] >= 5,
        worker=worker,
    )
    worker.kill()
    # reads never reap: the scheduler of the worker that takes over marks the silent job failed
    worker = start_worker()
    failed = _wait_for(
        client, world["headers"], job_id, lambda j: j["status"] != "running", timeout=30
    )
    assert failed["status"] == "failed" and "stopped (no sign of life since" in failed["error"]
    assert failed["retry_at"] is None  # a user's job (a solve) is not retried by itself
    scenario = client.get(f"/api/v1/scenarios/{created['id']}", headers=world["headers"]).json
    assert scenario["status"] == "failed"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "scenario.solve")
        )
        == 0
    )  # nothing half-written

    retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=world["headers"])
    assert retried.status_code == 202
    job = _wait_for(
        client, world["headers"], job_id, lambda j: j["status"] == "succeeded", worker=worker
    )
    assert job["attempts"] == 2
    scenario = client.get(f"/api/v1/scenarios/{created['id']}", headers=world["headers"]).json
    assert scenario["status"] == "solved" and scenario["totals"]["cost"] == 6400.0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "scenario.solve")
        )
        == 1
    )


def test_jobs_travel_on_the_deployments_own_queue(app, broker):
    """Deployments (and test runs) sharing one Redis keep apart by job_queue: a job is sent on the
    configured queue, and `procure worker` listens on that queue only."""
    import uuid

    import redis

    from procure.jobs.queue import send_job, worker_arguments
    from procure.jobs.runner import reap_and_commit, run_job

    assert app.config["JOB_QUEUE"] != "procure"  # the tests run on a queue of their own
    queue = f"procure-test-other-{uuid.uuid4().hex[:8]}"
    app.config.update(BROKER_URL=broker, JOB_QUEUE=queue)
    server = redis.Redis.from_url(broker)
    try:
        send_job(app, 12345, 10.0, run_job, reap_and_commit)
        assert server.llen(queue) == 1
    finally:
        server.delete(queue)
    assert f"--queues={queue}" in worker_arguments(1, "INFO", queue)
