"""Jobs under faults: the broker stopped while jobs wait, a worker killed mid-job, a retry while
the broker is down, a burst of board-report requests, and errors that must not reach users.

The worker tests start a Redis server of their own (`redis-server` on a free port, nothing saved,
so stopping it loses every message in it, as a crash would) and real `procure worker` processes
on it (tests/worker_process.py), with windows of a second or so. Without the redis-server binary
they skip with the reason, except when PROCURE_REQUIRE_WORKER=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import tests.worker_process
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.jobs import queue, runner
from procure.jobs import services as jobs
from procure.jobs.models import Job
from procure.scenarios.models import Scenario
from tests.conftest import csrf_token_from
from tests.worker_process import WORKER_REQUIRED, Worker

ERROR_SHAPE = {"code", "status", "message"}
PLAIN_FAILURE = (
    "The job failed unexpectedly. Reference: job {}. Retry it, or tell your administrator."
)


# ---------------------------------------------------------------- a Redis and workers of our own


class RedisServer:
    """`redis-server` on one port of 127.0.0.1, keeping nothing on disk: stop() loses every
    message, as a crash of an unpersisted broker does; start() brings it back, empty, on the same
    port."""

    def __init__(self, binary: str, port: int, log_path: str):
        self.binary, self.port, self.log_path = binary, port, log_path
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ends = time.monotonic() + 10
        while time.monotonic() < ends:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if WORKER_REQUIRED:
            pytest.fail("PROCURE_REQUIRE_WORKER=1 but there is no redis-server binary")
        pytest.skip("no redis-server binary: install redis to run the job fault tests")
    server = RedisServer(binary, _free_port(), str(tmp_path / "redis.log"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_workers(app, migrated, own_redis, tmp_path, monkeypatch):
    """Starts `procure worker` processes on our Redis, with short windows: silent 3 s (stale,
    set by tests/worker_process.py), a message re-sent after 1 s, a retry 1 s after a failure;
    no daily rounds. Kills them after the test."""
    monkeypatch.setattr(tests.worker_process, "BROKER_URL", own_redis.url)
    monkeypatch.setenv("PROCURE_JOB_RESEND_SECONDS", "1")
    monkeypatch.setenv("PROCURE_JOB_RETRY_BACKOFF_SECONDS", "1")
    monkeypatch.setenv("PROCURE_SCHEDULE_INTERVAL_SECONDS", "0")
    app.config.update(BROKER_URL=own_redis.url, JOB_STALE_SECONDS=3.0, JOB_RESEND_SECONDS=1.0)
    started: list[Worker] = []

    def start(step_delay: float = 0.0) -> Worker:
        worker = Worker(
            migrated,
            str(tmp_path / "worker-instance"),
            str(tmp_path / f"worker-{len(started)}.log"),
            step_delay,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def _job(job_id: int) -> Job:
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job is not None
    return job


def _wait_until(done, what: str, timeout: float = 60.0, workers=()) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if done():
            return
        time.sleep(0.1)
    said = "\n".join(worker.output() for worker in workers)
    raise AssertionError(f"{what}: not within {timeout} s; the workers said:\n{said}")


def _rescore(organization_id: int) -> int:
    """Queue a re-scoring (a system job) as a disclosure's submission does, committed and sent."""
    job = jobs.enqueue(
        "scores.refresh", organization_id=organization_id, params={"period_end": "2025-12-31"}
    )
    db.session.commit()
    runner.start_committed()
    return job.id


@pytest.mark.worker
def test_jobs_queued_through_a_redis_outage_all_run_once_it_is_back(
    client, world, make_scenario, own_redis, fault_workers
):
    headers = world["headers"]
    # queued while Redis runs, before any worker: their messages wait in Redis
    before = [make_scenario(name)["job"]["id"] for name in ("Before A", "Before B")]
    rescoring = _rescore(world["buyer"].organization_id)
    earlier = make_scenario("Failed earlier")
    failed = earlier["job"]["id"]
    db.session.execute(
        update(Job)
        .where(Job.id == failed)
        .values(status="failed", error="Stopped at the time limit of 600 s.", message="Failed")
    )
    db.session.commit()
    assert {_job(i).status for i in (*before, rescoring)} == {"queued"}

    own_redis.stop()  # every message in it is lost
    during = client.post(
        "/api/v1/scenarios",
        headers=headers,
        json={"name": "During", "need_ids": [world["need"]["id"]], "targets": {}},
    )
    assert during.status_code == 201 and during.json["job"]["status"] == "queued"
    waiting = client.get(f"/api/v1/jobs/{during.json['job']['id']}", headers=headers).json
    assert waiting["status"] == "queued" and waiting["message"] == jobs.WAITING_FOR_QUEUE
    refused = client.post(f"/api/v1/jobs/{failed}/retry", headers=headers)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    assert (
        set(refused.json) == ERROR_SHAPE
        and "job queue cannot be reached" in refused.json["message"]
    )
    unchanged = _job(failed)
    assert (unchanged.status, unchanged.attempts) == ("failed", 0)

    own_redis.start()  # back, empty, on the same port: no message of any job in it
    worker = fault_workers()
    queued = [*before, rescoring, during.json["job"]["id"]]
    _wait_until(
        lambda: all(_job(i).status == "succeeded" for i in queued),
        "every job queued before and during the outage succeeded",
        workers=[worker],
    )
    assert [_job(i).attempts for i in queued] == [1, 1, 1, 1]  # each ran once
    assert _job(during.json["job"]["id"]).message == "Done"
    retried = client.post(f"/api/v1/jobs/{failed}/retry", headers=headers)
    assert retried.status_code == 202 and retried.json["status"] in ("queued", "running")
    _wait_until(lambda: _job(failed).status == "succeeded", "the retry ran", workers=[worker])
    solves = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "scenario.solve")
    )
    assert solves == 4  # Before A, Before B, During, and the retried one: nothing twice
    for scenario_id in (earlier["id"], during.json["id"]):
        scenario = client.get(f"/api/v1/scenarios/{scenario_id}", headers=headers).json
        assert scenario["status"] == "solved" and scenario["totals"]["cost"] == 6400.0


@pytest.mark.worker
def test_a_worker_killed_mid_job_is_reaped_and_a_rescoring_retries_by_itself(world, fault_workers):
    slow = fault_workers(step_delay=3.0)  # 3 s before its first progress step: killed there
    rescoring = _rescore(world["buyer"].organization_id)
    _wait_until(lambda: _job(rescoring).status == "running", "the worker took it", workers=[slow])
    slow.kill()
    killed_at = utcnow()
    worker = fault_workers()
    ready_at = utcnow()
    _wait_until(
        lambda: _job(rescoring).status == "succeeded",
        "the re-scoring failed, was retried by itself and succeeded",
        workers=[worker],
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Job", AuditEvent.target_id == str(rescoring))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("job.start", None),
        ("job.fail", None),
        ("job.retry", None),
    ]
    failure, retry = events[1].changes["after"], events[2].changes["after"]
    assert "The worker running it stopped (no sign of life since" in failure["reason"]
    assert "retry_at" in failure and retry == {"status": "queued", "run": 2, "automatic": True}
    # failed by the reaper once silent for the stale window (3 s), at the next round (0.5 s) of
    # a running scheduler: not later (2 s of slack for a busy machine)
    due = max(killed_at + timedelta(seconds=3), ready_at)
    assert events[1].created_at - due < timedelta(seconds=2), (events[1].created_at, due)
    done = _job(rescoring)
    assert (done.attempts, done.error, done.retry_at) == (2, None, None)
    assert done.result == {"period_end": "2025-12-31", "vendors_scored": 2}


# ---------------------------------------------------------------- board reports: limit, de-dup


FAKE_BROKER = "redis://broker.invalid:6379/0"


@pytest.fixture
def sent(app, monkeypatch):
    """A broker that takes every message and no worker that runs them (the jobs stay queued):
    the job ids sent, in order. Set BROKER_URL to FAKE_BROKER to use it."""
    messages: list[int] = []
    monkeypatch.setattr(queue, "send_job", lambda _app, job_id, *_args: messages.append(job_id))
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    return messages


def test_asking_again_for_a_report_being_prepared_returns_that_job(
    app, client, world, make_scenario, sent, make_user, bearer
):
    scenario = make_scenario()
    app.config["BROKER_URL"] = FAKE_BROKER
    url = f"/api/v1/scenarios/{scenario['id']}/report"
    first = client.post(url, headers=world["headers"])
    assert first.status_code == 202 and first.json["status"] == "queued"
    again = client.post(url, headers=world["headers"])
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    # a colleague of the organization asking for the same report gets the same job too
    colleague = make_user("buyer", organization=world["buyer"].organization)
    assert client.post(url, headers=bearer(colleague)).json["id"] == first.json["id"]
    assert sent == [first.json["id"]]  # one message, one job
    reports = select(func.count()).select_from(Job).where(Job.kind == "report.board_pdf")
    assert db.session.scalar(reports) == 1
    runner.run_job(first.json["id"])  # done: asking again makes a new one
    third = client.post(url, headers=world["headers"])
    assert third.status_code == 202 and third.json["id"] != first.json["id"]
    # a new solve makes a new scenario version: its report is another one
    solved = client.post(f"/api/v1/scenarios/{scenario['id']}/solve", headers=world["headers"])
    runner.run_job(solved.json["job"]["id"])
    fourth = client.post(url, headers=world["headers"])
    assert fourth.status_code == 202 and fourth.json["id"] != third.json["id"]


def test_an_organization_has_at_most_its_limit_of_reports_under_way(
    app, client, world, make_scenario, sent, sign_in
):
    scenarios = [make_scenario(f"Plan {n}") for n in range(4)]
    app.config.update(BROKER_URL=FAKE_BROKER, MAX_ACTIVE_REPORT_JOBS_PER_ORGANIZATION=2)

    def ask(scenario):
        return client.post(f"/api/v1/scenarios/{scenario['id']}/report", headers=world["headers"])

    first, second = ask(scenarios[0]), ask(scenarios[1])
    assert (first.status_code, second.status_code) == (202, 202)
    refused = ask(scenarios[2])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert set(refused.json) == ERROR_SHAPE and refused.json["code"] == 429
    assert "max_active_report_jobs_per_organization = 2" in refused.json["message"]
    assert ask(scenarios[0]).status_code == 200  # the same report is still returned at the limit
    reports = select(func.count()).select_from(Job).where(Job.kind == "report.board_pdf")
    assert db.session.scalar(reports) == 2 and sent == [first.json["id"], second.json["id"]]

    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenarios[2]['id']}")
    shown = client.post(
        f"/scenarios/{scenarios[2]['id']}/report",
        data={"csrf_token": csrf_token_from(page.text)},
        follow_redirects=True,
    )
    assert shown.status_code == 200 and "max_active_report_jobs_per_organization" in shown.text
    assert db.session.scalar(reports) == 2

    runner.run_job(first.json["id"])  # one is done: there is room for one more
    assert ask(scenarios[2]).status_code == 202
    assert ask(scenarios[3]).status_code == 429


def test_the_limit_is_per_organization(app, client, world, make_scenario, sent, bearer, make_user):
    scenarios = [make_scenario(f"Plan {n}") for n in range(2)]
    app.config.update(BROKER_URL=FAKE_BROKER, MAX_ACTIVE_REPORT_JOBS_PER_ORGANIZATION=1)
    mine = client.post(f"/api/v1/scenarios/{scenarios[0]['id']}/report", headers=world["headers"])
    assert mine.status_code == 202
    # another organization's buyer with a solved scenario of its own
    other = make_user("buyer")
    scenario = db.session.get(Scenario, scenarios[1]["id"])
    scenario.organization_id = other.organization_id
    db.session.commit()
    theirs = client.post(f"/api/v1/scenarios/{scenarios[1]['id']}/report", headers=bearer(other))
    assert theirs.status_code == 202


def test_eight_requests_at_once_for_one_report_make_one_job(app, world, make_scenario, sent):
    scenario = make_scenario()
    app.config["BROKER_URL"] = FAKE_BROKER
    start = threading.Barrier(8, timeout=30)
    answers: list = [None] * 8

    def ask(index: int) -> None:
        racer = app.test_client()
        start.wait()
        answers[index] = racer.post(
            f"/api/v1/scenarios/{scenario['id']}/report", headers=world["headers"]
        )

    racers = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    db.session.expire_all()
    report = db.session.scalars(select(Job).where(Job.kind == "report.board_pdf")).one()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 7 + [202], statuses  # one started it; the others got it
    assert {a.json["id"] for a in answers if a.status_code < 300} == {report.id}
    assert sent == [report.id]


# ---------------------------------------------------------------- what users read of a failure


def test_a_jobs_error_shows_no_exception_text_in_the_api_or_the_page(
    client, world, make_scenario, sign_in, monkeypatch, caplog
):
    """Found under load: a job's error showed the driver's text, with its SQL, to users."""
    from sqlalchemy import text

    def broken_solve(_problem):
        db.session.execute(text("SELECT secret_column FROM no_such_table_here"))

    monkeypatch.setattr("optimizer.solve", broken_solve)
    with caplog.at_level(logging.ERROR, logger="procure.jobs"):
        scenario = make_scenario()
    job_id = scenario["job"]["id"]
    assert scenario["job"]["status"] == "failed"
    assert scenario["job"]["error"] == PLAIN_FAILURE.format(job_id)
    leaks = ("no_such_table_here", "secret_column", "SELECT", "Error", "sqlalchemy", "Traceback")
    shown = [
        client.get(f"/api/v1/jobs/{job_id}", headers=world["headers"]).text,
        client.get("/api/v1/jobs", headers=world["headers"]).text,
        client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world["headers"]).text,
    ]
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}")
    assert f"Reference: job {job_id}" in page.text
    shown.append(page.text)
    for body in shown:
        assert f"Reference: job {job_id}" in body
        assert not [leak for leak in leaks if leak in body]
    # the details are in the log, under the same job number
    logged = [r for r in caplog.records if r.getMessage().startswith(f"job {job_id} ")]
    assert logged and "no_such_table_here" in str(logged[0].exc_info[1])


def test_the_plain_reasons_stay_as_they_were(client, world, make_scenario):
    """Time limits, stopped workers and refusals keep their own words (only unexpected errors
    read as the plain failure)."""
    infeasible = make_scenario(budget=5000)
    assert infeasible["status"] == "infeasible" and infeasible["job"]["status"] == "succeeded"
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    silent = utcnow() - timedelta(hours=1)
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status="running", started_at=silent, heartbeat_at=silent, runner="gone:1")
    )
    db.session.commit()
    assert runner.reap_and_commit() == 1
    job = client.get(f"/api/v1/jobs/{job_id}", headers=world["headers"]).json
    assert job["error"].startswith("The worker running it stopped (no sign of life since")
