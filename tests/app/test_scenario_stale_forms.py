"""The scenario page's forms sent from a page loaded before someone else changed the scenario:
the page again (409) with what was typed, a notice of what to do, nothing changed; and the
board PDF made at submission, through the page and the API alike."""

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.jobs import queue
from procure.jobs.models import Job
from procure.scenarios import review
from procure.scenarios.models import Scenario
from procure.states import JobStatus
from tests.conftest import csrf_token_from

NOTICE = "Someone else changed this scenario since you opened the page, so nothing was saved."


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _scenario_events(scenario_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "Scenario", AuditEvent.target_id == str(scenario_id))
            .order_by(AuditEvent.id)
        ).all()
    )


@pytest.fixture
def stale(app, client, world, sign_in, make_scenario, make_user, bearer):
    """A solved scenario whose page the buyer loaded (the page's text and the version it holds),
    then a colleague changed its budget to 19,000 through the API (a new version, solved).
    Returns (scenario id, page, loaded version, current version)."""
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}").text
    assert f'name="version" value="{scenario["version"]}"' in page
    colleague = make_user("buyer", organization=world["buyer"].organization)
    changed = app.test_client().patch(
        f"/api/v1/scenarios/{scenario['id']}",
        headers=bearer(colleague),
        json={"targets": {"budget": 19000}, "version": scenario["version"]},
    )
    assert changed.status_code == 200 and changed.json["status"] == "solved"
    current = db.session.get(Scenario, scenario["id"])
    db.session.refresh(current)
    assert current.version > scenario["version"]
    return scenario["id"], page, scenario["version"], current.version


def _unchanged(scenario_id: int, version: int, events: list[str]) -> Scenario:
    """The scenario as the colleague left it: nothing the stale form sent was saved."""
    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario_id)
    assert scenario.version == version
    assert scenario.name == "Plan" and scenario.targets == {"budget": 19000}
    assert scenario.status == "solved"
    assert _scenario_events(scenario_id) == events
    return scenario


def test_a_stale_targets_form_comes_back_with_what_was_typed(client, stale):
    scenario_id, page, loaded, current = stale
    events = _scenario_events(scenario_id)
    sent = client.post(
        f"/scenarios/{scenario_id}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "version": str(loaded),
            "profile_id": "",
            "name": "My typed plan",
            "objective": "min_cost",
            "targets.budget": "18500",
            "targets.min_avg_impact": "",
        },
    )
    assert sent.status_code == 409
    text = sent.text
    assert NOTICE in text and "Please review the current values and save again." in text
    assert 'What you typed is kept in the form <a href="#edit">Change the targets</a>' in text
    assert 'name="name" type="text" value="My typed plan"' in text
    assert 'name="targets.budget" type="number" value="18500"' in text
    # the form now holds the current version: saving again is deliberate, and works
    edit_form = text.split('<section class="card" id="edit">', 1)[1].split("</section>", 1)[0]
    assert f'name="version" value="{current}"' in edit_form
    notice = text.split('id="conflict-notice"', 1)[1].split("</div>", 1)[0]
    assert "<li>Name: Plan</li>" in notice and "<li>Budget (USD): 19,000</li>" in notice
    assert "Objective" not in notice  # sent as saved
    _unchanged(scenario_id, current, events)

    again = client.post(
        f"/scenarios/{scenario_id}/edit",
        data={
            "csrf_token": csrf_token_from(text),
            "version": str(current),
            "profile_id": "",
            "name": "My typed plan",
            "objective": "min_cost",
            "targets.budget": "18500",
        },
    )
    assert again.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Scenario, scenario_id)
    assert saved.name == "My typed plan" and saved.targets["budget"] == 18500


def test_a_stale_priorities_form_keeps_the_typed_priorities(client, stale):
    scenario_id, page, loaded, current = stale
    events = _scenario_events(scenario_id)
    sent = client.post(
        f"/scenarios/{scenario_id}/priorities",
        data={"csrf_token": csrf_token_from(page), "version": str(loaded), "priority.budget": "7"},
    )
    assert sent.status_code == 409 and NOTICE in sent.text
    assert 'name="priority.budget" type="number" value="7"' in sent.text
    notice = sent.text.split('id="conflict-notice"', 1)[1].split("</div>", 1)[0]
    assert "<li>Priority (The budget: $19,000): none (it never gives way)</li>" in notice
    assert "priorities" not in _unchanged(scenario_id, current, events).targets


def test_a_stale_country_cap_form_keeps_the_typed_rule(client, stale):
    scenario_id, page, loaded, current = stale
    events = _scenario_events(scenario_id)
    sent = client.post(
        f"/scenarios/{scenario_id}/vendor-group",
        data={
            "csrf_token": csrf_token_from(page),
            "version": str(loaded),
            "country": "KE",
            "measure": "spend",
            "max_share": "40",
            "need": "",
        },
    )
    assert sent.status_code == 409 and NOTICE in sent.text
    form = sent.text.split('id="add-country-cap"', 1)[1].split("</section>", 1)[0]
    assert 'name="country" type="text" value="KE"' in form
    assert 'name="max_share" type="number" value="40"' in form
    assert '<option selected value="spend">' in form
    assert "vendor_groups" not in _unchanged(scenario_id, current, events).targets


def test_a_stale_frontier_form_traces_nothing_and_keeps_the_measure(client, stale):
    scenario_id, page, loaded, current = stale
    events = _scenario_events(scenario_id)
    assert f'action="/scenarios/{scenario_id}/frontier"' in page
    traces = _count(Job, Job.kind == "scenario.frontier")
    sent = client.post(
        f"/scenarios/{scenario_id}/frontier",
        data={"csrf_token": csrf_token_from(page), "version": str(loaded), "measure": "hours"},
    )
    assert sent.status_code == 409 and NOTICE in sent.text
    assert "review the current plan and trace again" in sent.text
    form = sent.text.split('class="frontier-measure"', 1)[1].split("</form>", 1)[0]
    assert '<option selected value="hours">' in form
    _unchanged(scenario_id, current, events)
    assert _count(Job, Job.kind == "scenario.frontier") == traces
    # sent again from the page shown (the current version): traced by hours
    again = client.post(
        f"/scenarios/{scenario_id}/frontier",
        data={
            "csrf_token": csrf_token_from(sent.text),
            "version": str(current),
            "measure": "hours",
        },
    )
    assert again.status_code == 302
    assert _count(Job, Job.kind == "scenario.frontier") == traces + 1
    db.session.expire_all()
    assert db.session.get(Scenario, scenario_id).frontier["measure"] == "hours"


def test_a_stale_submission_sends_nothing(client, stale):
    scenario_id, page, loaded, current = stale
    events = _scenario_events(scenario_id)
    sent = client.post(
        f"/scenarios/{scenario_id}/submit",
        data={"csrf_token": csrf_token_from(page), "version": str(loaded)},
    )
    assert sent.status_code == 409 and NOTICE in sent.text
    assert "Please review the current plan and submit again." in sent.text
    _unchanged(scenario_id, current, events)
    assert _count(Job, Job.kind == "report.board_pdf") == 0


def test_a_stale_decision_is_refused_and_its_comment_kept_to_copy(
    app, client, world, sign_in, make_scenario, make_user, bearer
):
    scenario = make_scenario()
    submitted = client.post(
        f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"]
    ).json
    first = make_user("executive", organization=world["buyer"].organization)
    second = make_user("executive", organization=world["buyer"].organization)
    sign_in(client, first)
    page = client.get(f"/scenarios/{scenario['id']}").text
    assert f'name="version" value="{submitted["version"]}"' in page
    approved = app.test_client().post(
        f"/api/v1/scenarios/{scenario['id']}/decision",
        headers=bearer(second),
        json={"decision": "approved", "comment": ""},
    )
    assert approved.status_code == 200
    events = _scenario_events(scenario["id"])
    sent = client.post(
        f"/scenarios/{scenario['id']}/decision",
        data={
            "csrf_token": csrf_token_from(page),
            "version": str(submitted["version"]),
            "decision": "rejected",
            "comment": "Too costly for this year",
        },
    )
    assert sent.status_code == 409 and NOTICE in sent.text
    assert "Please review the current plan and decide again." in sent.text
    notice = sent.text.split('id="conflict-notice"', 1)[1].split("</div>", 1)[0]
    assert "Your comment: “Too costly for this year”" in notice
    assert "What you typed is kept" not in notice  # the decision form is gone: decided
    db.session.expire_all()
    stored = db.session.get(Scenario, scenario["id"])
    assert stored.status == "approved" and stored.decided_by_id == second.id
    assert stored.decision_comment is None
    assert _scenario_events(scenario["id"]) == events


def test_another_organizations_buyer_gets_404_from_each_form(
    client, world, sign_in, make_scenario, make_user
):
    scenario = make_scenario()
    stranger = make_user("buyer")
    sign_in(client, stranger)
    token = csrf_token_from(client.get("/scenarios").text)
    for form in ("edit", "priorities", "vendor-group", "frontier", "submit"):
        answer = client.post(
            f"/scenarios/{scenario['id']}/{form}",
            data={"csrf_token": token, "version": "1", "name": "Taken", "priority.budget": "3"},
        )
        assert answer.status_code == 404, form
    db.session.expire_all()
    stored = db.session.get(Scenario, scenario["id"])
    assert (stored.name, stored.status, stored.version) == ("Plan", "solved", scenario["version"])


# ---------------------------------------------------------------- the board PDF at submission


def _current_report(scenario_id: int) -> Job:
    """The scenario's one board PDF job: run inline (no broker), of the submitted version."""
    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario_id)
    job = db.session.scalars(
        select(Job).where(Job.kind == "report.board_pdf", Job.subject_id == scenario_id)
    ).one()
    assert job.params == {"scenario_version": scenario.version}
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["scenario_version"] == scenario.version
    assert review.report_outdated(job, scenario) is False
    return job


def test_submitting_on_the_page_makes_the_current_board_pdf(
    app, client, world, sign_in, make_scenario, make_user
):
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}").text
    sent = client.post(
        f"/scenarios/{scenario['id']}/submit",
        data={"csrf_token": csrf_token_from(page), "version": str(scenario["version"])},
    )
    assert sent.status_code == 302
    job = _current_report(scenario["id"])
    assert job.created_by_id == world["buyer"].id
    # the executive finds it ready, not "made before the scenario last changed"
    browser = app.test_client()
    sign_in(browser, make_user("executive", organization=world["buyer"].organization))
    shown = browser.get(f"/scenarios/{scenario['id']}").text
    assert f'href="/api/v1/jobs/{job.id}/file"' in shown
    assert "made before the scenario last changed" not in shown
    assert browser.get(f"/api/v1/jobs/{job.id}/file").data.startswith(b"%PDF")


def test_submitting_through_the_api_makes_the_current_board_pdf(client, world, make_scenario):
    scenario = make_scenario()
    submitted = client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    job = _current_report(scenario["id"])
    assert job.params["scenario_version"] == submitted.json["version"]
    # asking for the report now hands back no new job: the current one is done
    assert _count(Job, Job.kind == "report.board_pdf") == 1


def test_a_decision_makes_the_board_pdf_again_for_the_decided_version(
    app, client, world, make_scenario, make_user, bearer
):
    scenario = make_scenario()
    client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    submitted = _current_report(scenario["id"])
    executive = make_user("executive", organization=world["buyer"].organization)
    approved = client.post(
        f"/api/v1/scenarios/{scenario['id']}/decision",
        headers=bearer(executive),
        json={"decision": "approved", "comment": ""},
    )
    assert approved.status_code == 200
    db.session.expire_all()
    stored = db.session.get(Scenario, scenario["id"])
    reports = db.session.scalars(
        select(Job).where(Job.kind == "report.board_pdf").order_by(Job.id)
    ).all()
    assert [job.id for job in reports][0] == submitted.id and len(reports) == 2
    assert reports[1].params == {"scenario_version": stored.version}
    assert reports[1].status == JobStatus.SUCCEEDED and reports[1].created_by_id == executive.id
    assert review.report_outdated(reports[1], stored) is False


def test_a_submissions_pdf_is_queued_even_when_the_organization_is_at_its_report_limit(
    app, client, world, make_scenario, monkeypatch
):
    first, second = make_scenario("First"), make_scenario("Second")
    monkeypatch.setattr(queue, "send_job", lambda *_args: None)  # queued, never run
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    app.config.update(
        BROKER_URL="redis://broker.invalid:6379/0", MAX_ACTIVE_REPORT_JOBS_PER_ORGANIZATION=1
    )
    headers = world["headers"]
    assert (
        client.post(f"/api/v1/scenarios/{first['id']}/report", headers=headers).status_code == 202
    )
    # asking for another report is refused at the limit ...
    assert (
        client.post(f"/api/v1/scenarios/{second['id']}/report", headers=headers).status_code == 429
    )
    # ... but the executives must find the submitted plan's PDF: the submission queues it
    submitted = client.post(f"/api/v1/scenarios/{second['id']}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    (job,) = db.session.scalars(
        select(Job).where(Job.kind == "report.board_pdf", Job.subject_id == second["id"])
    ).all()
    assert job.params == {"scenario_version": submitted.json["version"]}
    assert job.status == JobStatus.QUEUED


def test_a_decision_cancels_the_submissions_pdf_still_queued_and_makes_the_decided_one(
    app, client, world, make_scenario, make_user, bearer, monkeypatch
):
    """The submission's PDF, still waiting for a worker when the executive decides, would be
    out of date before anyone read it: it is cancelled, saying why, and the decided version's
    is queued. A PDF already made is kept (see the test above)."""
    scenario = make_scenario()
    monkeypatch.setattr(queue, "send_job", lambda *_args: None)  # queued, never run
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    app.config.update(BROKER_URL="redis://broker.invalid:6379/0")
    submitted = client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    assert submitted.status_code == 200
    executive = make_user("executive", organization=world["buyer"].organization)
    approved = client.post(
        f"/api/v1/scenarios/{scenario['id']}/decision",
        headers=bearer(executive),
        json={"decision": "approved", "comment": ""},
    )
    assert approved.status_code == 200
    db.session.expire_all()
    first, second = db.session.scalars(
        select(Job).where(Job.kind == "report.board_pdf").order_by(Job.id)
    ).all()
    assert first.params == {"scenario_version": submitted.json["version"]}
    assert first.status == JobStatus.CANCELLED
    assert first.error == (
        "Not made: the scenario was approved before it started, and the PDF of version "
        f"{approved.json['version']} is made instead."
    )
    assert second.params == {"scenario_version": approved.json["version"]}
    assert second.status == JobStatus.QUEUED and second.created_by_id == executive.id
    (cancel,) = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "job.cancel", AuditEvent.target_id == str(first.id)
        )
    ).all()
    assert cancel.actor_id == executive.id and cancel.changes["after"]["status"] == "cancelled"


def test_a_refused_targets_form_comes_back_with_what_was_typed_and_why(
    client, world, sign_in, make_scenario
):
    """A budget that is no number and an impact target out of range: the page again (422),
    each error beside its field and named by its label, what was typed kept, nothing saved."""
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}").text
    events = _scenario_events(scenario["id"])
    sent = client.post(
        f"/scenarios/{scenario['id']}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "version": str(scenario["version"]),
            "profile_id": "",
            "name": "Typed name",
            "objective": "min_cost",
            "targets.budget": "lots",
            "targets.min_avg_impact": "250",
        },
    )
    assert sent.status_code == 422, sent.status_code
    text = sent.text
    assert 'name="name" type="text" value="Typed name"' in text
    assert 'value="lots"' in text and 'value="250"' in text
    assert 'id="targets-budget-error"' in text and 'id="targets-min_avg_impact-error"' in text
    summary = text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Nothing was saved" in summary
    assert ">Budget (USD)</a>: must be a number, got string" in summary
    assert ">Minimum average impact (0–100)</a>: must be between 0 and 100, got 250.0" in summary
    db.session.expire_all()
    kept = db.session.get(Scenario, scenario["id"])
    assert kept.name == "Plan" and kept.version == scenario["version"]
    assert _scenario_events(scenario["id"]) == events
