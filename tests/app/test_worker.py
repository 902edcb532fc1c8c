"""A real Celery worker on Redis runs scenario solves end to end; killed mid-task (SIGKILL) its
job ends failed, and a retry on a new worker solves the scenario.

Needs Redis (PROCURE_TEST_BROKER_URL, default redis://127.0.0.1:6379/15). Skipped with the
reason when Redis is not reachable, except when PROCURE_REQUIRE_WORKER=1 (CI sets it): then a
missing Redis fails the run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.jobs.models import Job
from tests.app.test_scenarios import world  # noqa: F401  (the fixture)

BROKER_URL = os.environ.get("PROCURE_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
REQUIRED = os.environ.get("PROCURE_REQUIRE_WORKER") == "1"


def _redis_reachable() -> bool:
    parts = urlsplit(BROKER_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def broker():
    if not _redis_reachable():
        if REQUIRED:
            pytest.fail(f"PROCURE_REQUIRE_WORKER=1 but Redis is not reachable at {BROKER_URL}")
        pytest.skip(f"Redis not reachable at {BROKER_URL}: set PROCURE_TEST_BROKER_URL to run the worker tests")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()  # no message left over from an earlier run
    return BROKER_URL


class Worker:
    """`procure worker` in its own process group, sharing the test database and Redis."""

    def __init__(self, database_url: str, instance: str, log_path: str, step_delay: float):
        env = {**os.environ, "PROCURE_DATABASE_URL": database_url, "PROCURE_BROKER_URL": BROKER_URL,
               "PROCURE_SECRET_KEY": "test-secret", "PROCURE_INSTANCE_PATH": instance,
               "PROCURE_JOB_HEARTBEAT_SECONDS": "0.5", "PROCURE_JOB_STALE_SECONDS": "3",
               "PROCURE_JOB_STEP_DELAY_SECONDS": str(step_delay)}
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "procure", "worker", "--concurrency", "1"],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited: {self.output()}")
            if b" ready." in open(self.log_path, "rb").read():
                return
            time.sleep(0.2)
        self.kill()  # never leave a worker taking jobs behind
        raise AssertionError(f"the worker did not start in {timeout} s: {self.output()}")

    def output(self) -> str:
        return open(self.log_path, "rb").read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool processes."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def start_worker(app, broker, migrated, tmp_path):
    app.config.update(BROKER_URL=broker, JOB_STALE_SECONDS=3.0)  # as the workers are told
    workers: list[Worker] = []

    def start(step_delay: float = 0.0) -> Worker:
        worker = Worker(migrated, str(tmp_path / "worker-instance"), str(tmp_path / f"worker-{len(workers)}.log"),
                        step_delay)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
    app.config["BROKER_URL"] = ""


def _wait_for(client, headers, job_id, done, timeout=60.0, worker=None):
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json
        if done(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed {job}; worker said: {worker.output() if worker else ''}")


def test_a_worker_process_solves_a_scenario(client, world, start_worker):
    worker = start_worker()
    created = client.post("/api/v1/scenarios", headers=world["headers"],
                          json={"name": "Through the worker", "need_ids": [world["need"]["id"]]})
    assert created.status_code == 201
    assert created.json["job"]["status"] in ("queued", "running", "succeeded")  # a fast worker may be done
    job = _wait_for(client, world["headers"], created.json["job"]["id"], lambda j: j["status"] == "succeeded",
                    worker=worker)
    assert job["progress"] == 100 and job["result"]["cost"] == 6400.0
    assert int(db.session.get(Job, job["id"]).runner.rsplit(":", 1)[1]) != os.getpid()  # another process ran it
    scenario = client.get(f"/api/v1/scenarios/{created.json['id']}", headers=world["headers"]).json
    assert scenario["status"] == "solved" and scenario["totals"]["cost"] == 6400.0
    report = client.post(f"/api/v1/scenarios/{created.json['id']}/report", headers=world["headers"]).json
    report = _wait_for(client, world["headers"], report["id"], lambda j: j["status"] == "succeeded", worker=worker)
    assert client.get(report["file_url"], headers=world["headers"]).data.startswith(b"%PDF")


def test_a_killed_worker_fails_the_job_and_a_retry_solves_it(client, world, start_worker):
    worker = start_worker(step_delay=1.0)  # a second per progress step: time to kill it mid-task
    created = client.post("/api/v1/scenarios", headers=world["headers"],
                          json={"name": "Killed", "need_ids": [world["need"]["id"]]}).json
    job_id = created["job"]["id"]
    _wait_for(client, world["headers"], job_id, lambda j: j["status"] == "running" and j["progress"] >= 5,
              worker=worker)
    worker.kill()
    failed = _wait_for(client, world["headers"], job_id, lambda j: j["status"] != "running", timeout=30)
    assert failed["status"] == "failed" and "stopped (no sign of life since" in failed["error"]
    scenario = client.get(f"/api/v1/scenarios/{created['id']}", headers=world["headers"]).json
    assert scenario["status"] == "failed"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "scenario.solve")) == 0  # nothing half-written

    worker = start_worker()
    retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=world["headers"])
    assert retried.status_code == 202
    job = _wait_for(client, world["headers"], job_id, lambda j: j["status"] == "succeeded", worker=worker)
    assert job["attempts"] == 2
    scenario = client.get(f"/api/v1/scenarios/{created['id']}", headers=world["headers"]).json
    assert scenario["status"] == "solved" and scenario["totals"]["cost"] == 6400.0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "scenario.solve")) == 1
