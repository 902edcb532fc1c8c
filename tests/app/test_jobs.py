"""The job mechanism, inline (no broker): status and progress, cancel, time limit, failure with a
plain reason, stale runners marked failed and retried, system jobs retried by themselves, lost
messages sent again, the scheduler's round, reads that change nothing, idempotent runs, access.
"""

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.jobs import queue, runner
from procure.jobs import services as jobs
from procure.jobs.kinds import KINDS, JobKind
from procure.jobs.models import Job
from procure.scenarios.models import Scenario
from procure.scheduler import Scheduler
from procure.scoring.models import ScoreSnapshot
from tests.app.counting_job import SEEN, counting
from tests.conftest import csrf_token_from, run_cli, valid_document

PLAIN_FAILURE = (
    "The job failed unexpectedly. Reference: job {}. Retry it, or tell your administrator."
)


def _start(world, scenario_id, **params):
    job = jobs.enqueue(
        "test.counting",
        organization_id=world["buyer"].organization_id,
        user=world["buyer"],
        subject=db.session.get(Scenario, scenario_id),
        params=params,
    )
    db.session.commit()
    runner.start_committed()
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_a_scenario_is_solved_by_a_job_and_carries_it(client, world, make_scenario):
    scenario = make_scenario()
    job = scenario["job"]
    assert scenario["status"] == "solved"
    assert (
        job["kind"] == "scenario.solve" and job["status"] == "succeeded" and job["progress"] == 100
    )
    assert job["result"] == {"scenario_id": scenario["id"], "status": "solved", "cost": 6400.0}
    assert job["attempts"] == 1 and job["error"] is None and job["file_url"] is None
    listed = client.get("/api/v1/jobs?active=false", headers=world["headers"]).json
    assert [j["id"] for j in listed] == [job["id"]]
    assert client.get("/api/v1/jobs?active=true", headers=world["headers"]).json == []
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["scenario.create", "job.start", "scenario.solve"]


def test_progress_is_recorded_and_the_handlers_writes_land_with_the_end(
    client, world, counting_kind, make_scenario
):
    scenario = make_scenario()
    job = _start(world, scenario["id"])
    assert job.status == "succeeded" and job.result == {"steps": 3} and SEEN == [10, 50, 90]
    assert job.started_at <= job.finished_at and job.runner
    assert db.session.get(Scenario, scenario["id"]).name == "Plan (touched)"


def test_cancel_stops_at_the_next_step_and_keeps_nothing(
    client, world, counting_kind, make_scenario
):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"50": "cancel"})
    assert job.status == "cancelled" and SEEN == [10, 50]  # stopped when it reported step 90
    assert job.error == "Cancelled on request." and job.finished_at is not None
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"


def test_a_job_stops_at_its_time_limit(client, world, counting_kind, make_scenario):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"10": "out_of_time"})
    assert job.status == "failed" and job.error.startswith("Stopped at the time limit of 600 s")
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"


def test_a_failing_handler_fails_the_job_with_a_plain_reason_and_logs_the_error(
    client, world, counting_kind, make_scenario, caplog
):
    scenario = make_scenario()
    with caplog.at_level(logging.ERROR, logger="procure.jobs"):
        job = _start(world, scenario["id"], after_step={"50": "boom"})
    assert job.status == "failed" and job.error == PLAIN_FAILURE.format(job.id)
    assert job.message == "Failed" and job.retry_at is None  # a user's job: the user retries
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"
    logged = [r for r in caplog.records if r.getMessage() == f"job {job.id} (Counting) failed"]
    assert len(logged) == 1 and "the handler broke" in str(logged[0].exc_info[1])


def test_a_job_runs_once_however_often_it_is_delivered(client, world, counting_kind, make_scenario):
    scenario = make_scenario()
    job = _start(world, scenario["id"])
    assert runner.run_job(job.id) is None  # a second delivery: not queued any more
    assert (
        SEEN == [10, 50, 90] and db.session.get(Scenario, scenario["id"]).name == "Plan (touched)"
    )


def _kill(job_id: int, silent_for: float = 3600) -> None:
    """What a worker killed mid-task leaves behind: a running job whose heartbeat stopped."""
    long_ago = utcnow() - timedelta(seconds=silent_for)
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status="running",
            progress=45,
            started_at=long_ago,
            heartbeat_at=long_ago,
            runner="gone:1",
            finished_at=None,
        )
    )
    db.session.commit()


def test_a_dead_runner_fails_the_scenario_and_a_retry_solves_it_once(client, world, make_scenario):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    db.session.execute(
        update(Scenario)
        .where(Scenario.id == scenario["id"])
        .values(status="draft", result=None, problem=None, frontier=None)
    )
    _kill(job_id)
    assert runner.reap_and_commit() == 1  # the scheduled reaper (worker, server); reads never reap
    seen = client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world["headers"]).json
    assert seen["status"] == "failed" and seen["job"]["status"] == "failed"
    assert (
        "stopped (no sign of life since" in seen["job"]["error"]
        and "gone:1" in seen["job"]["error"]
    )
    assert "Retry it" in seen["job"]["error"]
    result = client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world["headers"]).json
    assert result["version"] == seen["version"]  # reaped once, not again
    retried = client.post(f"/api/v1/jobs/{job_id}/retry", headers=world["headers"])
    assert retried.status_code == 202 and retried.json["status"] == "succeeded"
    assert retried.json["attempts"] == 2
    again = client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world["headers"]).json
    assert again["status"] == "solved" and again["totals"]["cost"] == 6400.0
    solves = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "scenario.solve")
    )
    assert solves == 2  # the first solve and the retry: nothing doubled by the dead attempt
    assert (
        db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "scenario.solve"))
        == 1
    )


def test_a_live_runner_is_left_alone_and_an_overrun_one_is_failed(client, make_scenario):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    _kill(job_id, silent_for=1)  # beat a second ago: alive
    assert jobs.reap_stale() == 0
    db.session.execute(
        update(Job).where(Job.id == job_id).values(started_at=utcnow() - timedelta(hours=2))
    )
    db.session.commit()
    assert jobs.reap_stale() == 1
    db.session.commit()
    job = db.session.get(Job, job_id)
    assert job.status == "failed" and job.error.startswith("Stopped at the time limit")


def test_a_new_solve_cancels_the_queued_one(client, world, make_scenario):
    scenario = make_scenario()
    first = db.session.get(Job, scenario["job"]["id"])
    db.session.execute(
        update(Job).where(Job.id == first.id).values(status="queued", finished_at=None)
    )
    db.session.commit()
    again = client.post(f"/api/v1/scenarios/{scenario['id']}/solve", headers=world["headers"])
    assert again.status_code == 202 and again.json["job"]["id"] != first.id
    assert again.json["status"] == "solved"
    db.session.expire_all()
    assert db.session.get(Job, first.id).status == "cancelled"
    assert runner.run_job(first.id) is None  # its message arriving late changes nothing


def test_cancel_and_retry_rules(client, world, make_user, bearer, make_scenario):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    finished = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=world["headers"])
    assert finished.status_code == 409 and "nothing to cancel" in finished.json["message"]
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=world["headers"]).status_code == 409
    colleague = make_user("buyer", organization=world["buyer"].organization)
    refused = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(colleague))
    assert refused.status_code == 403 and "started this job" in refused.json["message"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(colleague)).status_code == 200
    outsider = bearer(make_user("buyer"))
    assert client.get(f"/api/v1/jobs/{job_id}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/jobs/{job_id}/cancel", headers=outsider).status_code == 404
    db.session.execute(
        update(Job).where(Job.id == job_id).values(status="queued", finished_at=None)
    )
    db.session.commit()
    cancelled = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=world["headers"]).json
    assert cancelled["status"] == "cancelled" and "before it started" in cancelled["error"]
    assert "job.cancel" in db.session.scalars(select(AuditEvent.action)).all()


def test_an_unreachable_broker_leaves_the_job_queued_and_a_retry_answers_503(
    app, client, world, make_scenario
):
    # found under load: the job was failed after the commit, so the answer (202) already said
    # `failed`, and nothing sent it once the broker was back
    app.config["BROKER_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    scenario = make_scenario()
    assert scenario["status"] == "draft" and scenario["job"]["status"] == "queued"
    job = client.get(f"/api/v1/jobs/{scenario['job']['id']}", headers=world["headers"]).json
    assert job["status"] == "queued" and job["error"] is None
    assert job["message"] == jobs.WAITING_FOR_QUEUE  # "Waiting for the job queue, ..."
    assert db.session.get(Job, job["id"]).sent_at is None  # the scheduler's next round sends it
    assert runner.resend_queued() == 0  # still down: it keeps waiting, unchanged
    db.session.expire_all()
    assert db.session.get(Job, job["id"]).status == "queued"

    db.session.execute(
        update(Job)
        .where(Job.id == job["id"])
        .values(status="failed", error="Stopped at the time limit of 600 s.", message="Failed")
    )
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    refused = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=world["headers"])
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert set(refused.json) == {"code", "status", "message"} and refused.json["code"] == 503
    assert refused.json["message"].startswith("The job queue cannot be reached right now")
    db.session.expire_all()
    unchanged = db.session.get(Job, job["id"])
    assert (unchanged.status, unchanged.error, unchanged.attempts) == (
        "failed",
        "Stopped at the time limit of 600 s.",
        0,
    )
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events

    app.config["BROKER_URL"] = ""
    retried = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=world["headers"]).json
    assert retried["status"] == "succeeded"


def test_a_retry_from_the_page_while_the_queue_is_down_says_so_and_changes_nothing(
    app, client, world, sign_in, make_scenario
):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    db.session.execute(update(Job).where(Job.id == job_id).values(status="failed"))
    db.session.commit()
    app.config["BROKER_URL"] = "redis://127.0.0.1:1/0"
    sign_in(client, world["buyer"])
    token = csrf_token_from(client.get(f"/scenarios/{scenario['id']}").text)
    page = client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert page.status_code == 200 and "The job queue cannot be reached right now" in page.text
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == "failed"
    assert "job.retry" not in db.session.scalars(select(AuditEvent.action)).all()


FAKE_BROKER = "redis://broker.invalid:6379/0"


@pytest.fixture
def sent(app, monkeypatch):
    """A broker that takes every message, for a test that sets BROKER_URL to FAKE_BROKER: the
    job ids sent, in order (no worker takes them: the jobs stay queued)."""
    messages: list[int] = []
    monkeypatch.setattr(queue, "send_job", lambda _app, job_id, *_args: messages.append(job_id))
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    return messages


def test_queued_jobs_whose_message_is_overdue_or_unsent_are_sent_again_once(
    app, client, world, counting_kind, make_scenario, sent
):
    scenario = db.session.get(Scenario, make_scenario()["id"])
    app.config.update(BROKER_URL=FAKE_BROKER, JOB_RESEND_SECONDS=60.0)

    def queued(**values) -> int:
        job = jobs.enqueue(
            "test.counting", organization_id=scenario.organization_id, subject=scenario
        )
        db.session.flush()
        db.session.execute(update(Job).where(Job.id == job.id).values(**values))
        return job.id

    long_ago = utcnow() - timedelta(seconds=61)
    lost = queued(sent_at=long_ago)  # its message went 61 s ago and nobody took it
    unsent = queued(sent_at=None, message=jobs.WAITING_FOR_QUEUE)  # the broker was down
    fresh = queued()  # sent a moment ago: a worker will take it
    running = queued(status="running", sent_at=long_ago, heartbeat_at=utcnow())
    cancelling = queued(sent_at=long_ago, cancel_requested=True)
    db.session.commit()
    runner.start_committed()  # the web process sends each once after its commit
    assert sent == [lost, unsent, fresh, running, cancelling]
    sent.clear()

    assert runner.resend_queued() == 2
    assert sent == [lost, unsent]
    db.session.expire_all()
    assert db.session.get(Job, unsent).message == jobs.WAITING_FOR_WORKER
    assert db.session.get(Job, lost).sent_at > long_ago
    assert runner.resend_queued() == 0  # a second scheduler's round right after: nothing twice
    assert sent == [lost, unsent]
    assert {db.session.get(Job, i).status for i in (fresh, running, cancelling)} == {
        "queued",
        "running",
    }
    assert runner.run_job(lost) == "succeeded"
    assert runner.run_job(lost) is None  # its first message, delivered late: changes nothing


@pytest.fixture
def retrying_kind(app, counting_kind, monkeypatch):
    """ "test.counting" as a system kind (it retries by itself), retrying after 10 s at first."""
    monkeypatch.setitem(KINDS, "test.counting", JobKind("Counting", counting, retries=True))
    app.config.update(JOB_RETRY_ATTEMPTS=3, JOB_RETRY_BACKOFF_SECONDS=10.0)


def _due_now(job_id: int) -> None:
    db.session.execute(
        update(Job).where(Job.id == job_id).values(retry_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_a_system_job_retries_by_itself_with_a_growing_wait(
    client, world, retrying_kind, make_scenario
):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"50": "boom"})
    # run 1 of 3 failed: the second in 10 s (job_retry_backoff_seconds)
    assert job.status == "failed" and job.error == PLAIN_FAILURE.format(job.id)
    wait = (job.retry_at - job.finished_at).total_seconds()
    assert 9.5 < wait < 10.5 and "tried again by itself at" in job.message
    assert "(run 2 of 3)" in job.message
    shown = client.get(f"/api/v1/jobs/{job.id}", headers=world["headers"]).json
    assert shown["retry_at"] is not None and shown["message"] == job.message
    assert runner.requeue_and_start() == 0  # not due yet
    _due_now(job.id)
    assert runner.requeue_and_start() == 1  # queued again and, with no broker, run here
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and job.attempts == 2
    wait = (job.retry_at - job.finished_at).total_seconds()
    assert 19.5 < wait < 20.5 and "(run 3 of 3)" in job.message  # twice the wait before
    _due_now(job.id)
    assert runner.requeue_and_start() == 1
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempts, job.retry_at, job.message) == ("failed", 3, None, "Failed")
    assert runner.requeue_and_start() == 0  # its runs are used up: a user may still retry it
    retries = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "job.retry").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.changes["after"]["run"]) for e in retries] == [(None, 2), (None, 3)]
    assert all(e.changes["after"]["automatic"] is True for e in retries)


def test_a_system_job_that_failed_once_succeeds_on_its_retry(
    client, world, retrying_kind, make_scenario
):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"10": "boom_once"})
    assert job.status == "failed" and job.retry_at is not None
    _due_now(job.id)
    assert runner.requeue_and_start() == 1
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempts, job.error, job.retry_at) == ("succeeded", 2, None, None)
    assert db.session.get(Scenario, scenario["id"]).name == "Plan (touched)"  # once, not twice


def test_only_passing_causes_are_retried_by_themselves(client, world, retrying_kind, make_scenario):
    scenario = make_scenario()
    overrun = _start(world, scenario["id"], after_step={"10": "out_of_time"})
    assert overrun.status == "failed" and overrun.retry_at is None  # it would overrun again
    KINDS["test.counting"] = JobKind("Counting", counting)  # a user's kind (monkeypatch undoes)
    broke = _start(world, scenario["id"], after_step={"50": "boom"})
    assert broke.status == "failed" and broke.retry_at is None


def test_a_user_retry_wins_over_a_due_automatic_one(client, world, retrying_kind, make_scenario):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"10": "boom_once"})
    _due_now(job.id)
    retried = client.post(f"/api/v1/jobs/{job.id}/retry", headers=world["headers"])
    assert retried.status_code == 202 and retried.json["status"] == "succeeded"
    assert runner.requeue_and_start() == 0  # the retry cleared retry_at: not run a third time
    db.session.expire_all()
    assert db.session.get(Job, job.id).attempts == 2


def test_a_rescoring_whose_worker_died_is_retried_by_itself(app, client, make_vendor, bearer):
    vendor, user = make_vendor("Rescored")
    job = jobs.enqueue(
        "scores.refresh", organization_id=user.organization_id, params={"period_end": "2025-12-31"}
    )
    db.session.commit()
    db.session.info.pop(jobs.COMMITTED)  # not started here: a worker took it, and was killed
    _kill(job.id)
    db.session.execute(update(Job).where(Job.id == job.id).values(attempts=1))
    db.session.commit()
    assert runner.reap_and_commit() == 1
    db.session.expire_all()
    failed = db.session.get(Job, job.id)
    assert failed.status == "failed" and "stopped (no sign of life" in failed.error
    assert failed.retry_at is not None  # a system kind: it retries by itself
    _due_now(job.id)
    assert runner.tend_jobs() == runner.JobRound(reaped=0, requeued=1, resent=0)
    db.session.expire_all()
    done = db.session.get(Job, job.id)
    assert (done.status, done.attempts) == ("succeeded", 2)


def test_procure_jobs_tend_runs_the_round_once(app, client, make_vendor, tmp_path, monkeypatch):
    vendor, user = make_vendor("Rescored")
    job = jobs.enqueue(
        "scores.refresh", organization_id=user.organization_id, params={"period_end": "2025-12-31"}
    )
    db.session.commit()
    db.session.info.pop(jobs.COMMITTED)  # a worker took it, and was killed
    _kill(job.id)
    db.session.commit()
    first = run_cli(["jobs", "tend"], tmp_path, monkeypatch)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Marked 1 stale job(s) failed, queued 0 retry(ies)")
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "failed"
    _due_now(job.id)
    second = run_cli(["jobs", "tend"], tmp_path, monkeypatch)
    assert "Marked 0 stale job(s) failed, queued 1 retry(ies)" in second.output
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "succeeded"


def test_the_scheduler_thread_tends_the_jobs(app, client, make_scenario):
    scenario = make_scenario()
    _kill(scenario["job"]["id"])
    scheduler = Scheduler(app, interval=0, job_interval=0.1)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(Job, scenario["job"]["id"]).status == "failed":
                break
            time.sleep(0.05)
    finally:
        scheduler.stop()
        scheduler.join(timeout=10)
    assert db.session.get(Job, scenario["job"]["id"]).status == "failed"
    assert scheduler.job_rounds >= 1 and scheduler.rounds == 0  # no daily rounds at interval 0


def test_reads_never_reap_resend_or_retry(app, client, world, sign_in, make_scenario, sent):
    """Polling jobs and their pages changes nothing, however overdue the work they show is (a
    write during a GET raises in tests: procure.transactions.guard_reads)."""
    scenario = make_scenario()
    solve = scenario["job"]["id"]
    _kill(solve)  # silent for an hour: the scheduler would mark it failed
    app.config["BROKER_URL"] = FAKE_BROKER
    report = client.post(f"/api/v1/scenarios/{scenario['id']}/report", headers=world["headers"])
    long_ago = utcnow() - timedelta(hours=1)
    db.session.execute(  # a report whose message is an hour old: the scheduler would re-send it
        update(Job).where(Job.id == report.json["id"]).values(sent_at=long_ago)
    )
    db.session.commit()
    before = {
        job.id: (job.status, job.message, job.sent_at, job.updated_at)
        for job in db.session.scalars(select(Job))
    }
    sent.clear()
    for url in (
        "/api/v1/jobs",
        "/api/v1/jobs?active=true",
        f"/api/v1/jobs/{solve}",
        f"/api/v1/jobs/{report.json['id']}",
        f"/api/v1/scenarios/{scenario['id']}",
    ):
        assert client.get(url, headers=world["headers"]).status_code == 200, url
    sign_in(client, world["buyer"])
    assert client.get(f"/scenarios/{scenario['id']}").status_code == 200
    assert client.get(f"/api/v1/jobs/{report.json['id']}/file").status_code == 404
    db.session.expire_all()
    after = {
        job.id: (job.status, job.message, job.sent_at, job.updated_at)
        for job in db.session.scalars(select(Job))
    }
    assert after == before and sent == []


def test_submitting_a_disclosure_rescores_through_a_job(client, make_vendor, bearer):
    vendor, user = make_vendor("Rescored")
    headers = bearer(user)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    job = db.session.scalar(select(Job).where(Job.kind == "scores.refresh"))
    assert job.status == "succeeded" and job.organization_id == user.organization_id
    assert job.result == {"period_end": valid_document()["period_end"], "vendors_scored": 1}
    assert db.session.scalar(select(ScoreSnapshot.vendor_id)) == vendor.id


def test_the_page_shows_a_running_job_and_offers_cancel(client, world, sign_in, make_scenario):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    db.session.execute(
        update(Scenario).where(Scenario.id == scenario["id"]).values(status="draft", result=None)
    )
    _kill(job_id, silent_for=1)
    db.session.execute(
        update(Job).where(Job.id == job_id).values(message="Frontier: 4 of 11 points")
    )
    db.session.commit()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}")
    assert (
        f'data-job-url="/api/v1/jobs/{job_id}"' in page.text
        and 'data-job-status="running"' in page.text
    )
    assert '<progress class="job-progress" max="100" value="45"' in page.text
    assert "Frontier: 4 of 11 points" in page.text and "Cancel</button>" in page.text
    cancelled = client.post(
        f"/jobs/{job_id}/cancel", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert cancelled.status_code == 302
    assert db.session.get(Job, job_id).cancel_requested is True


def test_the_board_report_is_prepared_from_the_page(client, world, sign_in, make_scenario):
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}")
    started = client.post(
        f"/scenarios/{scenario['id']}/report", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert started.status_code == 302 and started.headers["Location"].endswith("#report")
    page = client.get(f"/scenarios/{scenario['id']}")
    job = db.session.scalar(select(Job).where(Job.kind == "report.board_pdf"))
    assert f'href="/api/v1/jobs/{job.id}/file"' in page.text
    assert f"Download scenario-{scenario['id']}-board-report.pdf" in page.text
    assert "made before the scenario last changed" not in page.text
    client.post(
        f"/scenarios/{scenario['id']}/solve", data={"csrf_token": csrf_token_from(page.text)}
    )
    page = client.get(f"/scenarios/{scenario['id']}")
    assert "made before the scenario last changed" in page.text  # the PDF shows an earlier solve


def test_cancel_and_retry_change_nothing_once_the_job_has_moved_on(client, world, make_scenario):
    # found in review: cancel wrote its event and said "Cancelled" even when a runner had just taken
    # or finished the job, and a losing retry still reset the scenario
    scenario = make_scenario()
    job_id = scenario["job"]["id"]

    def loaded_as(status, then):
        """The job as a page loaded it, after which another process moved the row on."""
        db.session.execute(update(Job).where(Job.id == job_id).values(status=status))
        job = db.session.get(Job, job_id, populate_existing=True)
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=then)
            .execution_options(synchronize_session=False)
        )
        return job

    with pytest.raises(jobs.ConflictError):
        jobs.cancel(loaded_as("queued", then="succeeded"), world["buyer"])
    db.session.rollback()
    assert "job.cancel" not in db.session.scalars(select(AuditEvent.action)).all()
    with pytest.raises(jobs.ConflictError):
        jobs.retry(loaded_as("failed", then="queued"), world["buyer"])  # another retry won
    db.session.rollback()
    assert db.session.get(Scenario, scenario["id"]).status == "solved"
    assert "job.retry" not in db.session.scalars(select(AuditEvent.action)).all()


def test_check_on_an_infeasible_scenario_says_so(client, world, sign_in, make_scenario):
    scenario = make_scenario(budget=5000)
    assert scenario["status"] == "infeasible"
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}/check", follow_redirects=True)
    assert page.status_code == 200 and "the same total (no plan)" in page.text


def test_page_numbers_that_are_not_numbers_are_refused_cleanly(
    client, world, sign_in, make_scenario
):
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    token = csrf_token_from(client.get(f"/scenarios/{scenario['id']}").text)
    edited = client.post(
        f"/scenarios/{scenario['id']}/edit",
        data={"csrf_token": token, "version": "abc", "name": "Renamed"},
    )  # the page again, with what was typed and why
    assert edited.status_code == 422 and "Nothing was saved" in edited.text
    assert 'data-field="version"' in edited.text and 'value="Renamed"' in edited.text
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"
    built = client.post(
        "/scenarios",
        data={"csrf_token": token, "name": "Odd", "need_ids": ["²"], "profile_id": "²"},
    )
    # refused as the API refuses it: the first need id sent, and the profile id
    assert built.status_code == 422 and "Need ids, item 1</a>: Not a valid integer." in built.text
    assert "Profile id</a>: Not a valid integer." in built.text
    compared = client.get("/scenarios/compare?ids=²&ids=1")
    assert compared.status_code == 422 and "Not a valid integer." in compared.text
