"""The job mechanism, inline (no broker): status and progress, cancel, time limit, failure,
stale runners marked failed and retried, idempotent runs, access."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.jobs import runner
from procure.jobs import services as jobs
from procure.jobs.models import Job
from procure.scenarios.models import Scenario
from procure.scoring.models import ScoreSnapshot
from tests.app.counting_job import SEEN
from tests.conftest import csrf_token_from, valid_document


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


def test_a_failing_handler_fails_the_job_with_the_reason(
    client, world, counting_kind, make_scenario
):
    scenario = make_scenario()
    job = _start(world, scenario["id"], after_step={"50": "boom"})
    assert job.status == "failed" and job.error == "RuntimeError: the handler broke"
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"


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


def test_an_unreachable_broker_fails_the_job_with_a_reason(app, client, world, make_scenario):
    app.config["BROKER_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    scenario = make_scenario()
    assert scenario["status"] == "failed"  # the scenario says so too, not only its job
    job = client.get(f"/api/v1/jobs/{scenario['job']['id']}", headers=world["headers"]).json
    assert job["status"] == "failed" and job["error"].startswith(
        "The job queue could not be reached"
    )
    app.config["BROKER_URL"] = ""
    retried = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=world["headers"]).json
    assert retried["status"] == "succeeded"


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
        follow_redirects=True,
    )
    assert edited.status_code == 200 and "Nothing was changed" in edited.text
    assert db.session.get(Scenario, scenario["id"]).name == "Plan"
    built = client.post(
        "/scenarios",
        data={"csrf_token": token, "name": "Odd", "need_ids": ["²"], "profile_id": "²"},
    )
    # refused as the API refuses it: the first need id sent, and the profile id
    assert built.status_code == 422 and "need_ids.0</a>: Not a valid integer." in built.text
    assert "profile_id</a>: Not a valid integer." in built.text
    assert client.get("/scenarios/compare?ids=²&ids=1").status_code == 302
