"""Corrective action plans: a buyer opens one on a vendor's weak metric, the vendor answers, a new
disclosure shows progress, the buyer closes it; refusals, overdue plans, tenancy, notifications
and the audit log.

Figures (tests/conftest.py `world`): Beta discloses 10 impact workers of a headcount of 115 at
the end of 2025, an impact-worker share of 10 / 115 = 0.0869565...; its new disclosure for the
first half of 2026 has 55 of 115 = 0.4782608..., above the target of 0.3.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.corrective.models import CorrectiveAnswer, CorrectivePlan
from procure.extensions import db
from procure.forms import field_errors
from procure.notifications.models import Notification
from tests.conftest import TEST_PASSWORD, csrf_token_from, post_sign_in, valid_document

TODAY = date.today()
DUE = (TODAY + timedelta(days=60)).isoformat()
BASELINE = 10 / 115
IMPROVED = 55 / 115


def _open(client, world, **changes):
    body = {
        "vendor_id": world["beta"].id,
        "metric": "impact_worker_share",
        "target": 0.3,
        "due_on": DUE,
        "note": "Hire from the refugee programme.",
        **changes,
    }
    return client.post("/api/v1/corrective-plans", headers=world["headers"], json=body)


@pytest.fixture
def beta_user(world):
    from procure.accounts.models import User

    return db.session.scalars(
        select(User).where(User.organization_id == world["beta"].organization_id)
    ).one()


def _submit(client, headers, vendor_id, document):
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor_id, **document}
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json


def _kinds(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def _actions(plan_id: int) -> list[tuple[str, int | None]]:
    db.session.expire_all()
    return [
        (e.action, e.actor_id)
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "CorrectivePlan", AuditEvent.target_id == str(plan_id))
            .order_by(AuditEvent.id)
        )
    ]


def test_open_answer_progress_and_close(client, world, beta_user, bearer, sign_in, app):
    buyer = world["buyer"]
    opened = _open(client, world)
    assert opened.status_code == 201, opened.json
    plan = opened.json
    assert plan["metric"] == "impact_worker_share"
    assert plan["metric_label"] == "Impact workers as a share of headcount"
    assert plan["baseline"] == pytest.approx(BASELINE)
    assert plan["baseline_period_end"] == "2025-12-31"
    assert plan["latest"] == {
        "value": pytest.approx(BASELINE),
        "disclosure_id": plan["baseline_disclosure_id"],
        "period_end": "2025-12-31",
        "newer": False,
        "met": False,
    }
    assert (plan["state"], plan["target"], plan["due_on"]) == ("open", 0.3, DUE)
    assert _kinds(beta_user) == ["corrective_opened"]

    vendor_headers = bearer(beta_user)
    answered = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/answers",
        headers=vendor_headers,
        json={
            "actions": [
                {"text": "Partner with the Kakuma digital-work programme", "on": "2026-12-20"},
                {"text": "Two intake cohorts of 20", "on": "2027-01-31"},
            ]
        },
    )
    assert answered.status_code == 201, answered.json
    assert [a["text"] for a in answered.json["answers"][0]["actions"]] == [
        "Partner with the Kakuma digital-work programme",
        "Two intake cohorts of 20",
    ]
    assert answered.json["answers"][0]["actions"][1]["on"] == "2027-01-31"
    assert _kinds(buyer) == ["corrective_answered"]

    # a new disclosure with a better figure: 55 impact workers of 115
    _submit(client, vendor_headers, world["beta"].id, valid_document("2026-01-01", "2026-06-30"))
    read = client.get(f"/api/v1/corrective-plans/{plan['id']}", headers=world["headers"]).json
    assert read["baseline"] == pytest.approx(BASELINE)  # stored at opening, never moves
    assert read["latest"]["value"] == pytest.approx(IMPROVED)
    assert read["latest"]["period_end"] == "2026-06-30"
    assert read["latest"]["newer"] is True
    assert read["latest"]["met"] is True
    assert read["state"] == "open"  # met is the figure's word; the buyer closes the plan

    page = sign_in(app.test_client(), buyer)
    shown = page.get(f"/corrective-plans/{plan['id']}")
    assert shown.status_code == 200
    assert 'id="plan-latest">0.4783<' in shown.text
    assert 'id="plan-met">Yes<' in shown.text
    assert "Partner with the Kakuma digital-work programme" in shown.text

    closed = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/close",
        headers=world["headers"],
        json={"version": read["version"], "outcome": "met", "comment": "Well done."},
    )
    assert closed.status_code == 200, closed.json
    assert (closed.json["state"], closed.json["outcome"]) == ("met", "met")
    assert closed.json["close_comment"] == "Well done."
    assert _kinds(beta_user) == ["corrective_opened", "corrective_closed"]
    assert _actions(plan["id"]) == [
        ("corrective.open", buyer.id),
        ("corrective.answer", beta_user.id),
        ("corrective.close", buyer.id),
    ]

    # closed: neither closed again nor answered (409), nothing changes
    again = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/close",
        headers=world["headers"],
        json={"version": closed.json["version"], "outcome": "not_met"},
    )
    assert again.status_code == 409
    late = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/answers",
        headers=vendor_headers,
        json={"actions": [{"text": "More", "on": "2027-02-01"}]},
    )
    assert late.status_code == 409
    assert db.session.scalar(select(db.func.count()).select_from(CorrectiveAnswer)) == 1
    assert db.session.get(CorrectivePlan, plan["id"]).outcome == "met"
    assert len(_actions(plan["id"])) == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metric": "no_such_metric"}, "metric"),
        ({"target": "a lot"}, "target"),
        ({"due_on": (TODAY - timedelta(days=1)).isoformat()}, "due_on"),
        ({"target": 0.05}, "target"),  # 0.087 already meets it
        ({"vendor_id": 999999}, "vendor_id"),
    ],
)
def test_bad_openings_name_the_field_and_change_nothing(client, world, changes, field):
    refused = _open(client, world, **changes)
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    assert db.session.scalar(select(db.func.count()).select_from(CorrectivePlan)) == 0
    assert (
        db.session.scalar(
            select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.like("corrective.%"))
        )
        == 0
    )
    assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 0


def test_a_vendor_with_no_score_gets_no_plan(client, world, make_vendor):
    unscored, _ = make_vendor("Gamma, no disclosure")
    refused = _open(client, world, vendor_id=unscored.id)
    assert refused.status_code == 422
    assert "has no score yet" in refused.json["errors"]["vendor_id"][0]


def test_bad_answers_and_a_stale_close(client, world, beta_user, bearer):
    plan = _open(client, world).json
    headers = bearer(beta_user)
    url = f"/api/v1/corrective-plans/{plan['id']}/answers"
    for body, field in (
        ({"actions": [{"text": "  ", "on": "2027-01-01"}]}, "actions.0.text"),
        ({"actions": []}, "actions"),
        ({"actions": [{"text": "Hire", "on": "soon"}]}, "actions.0.on"),
    ):
        refused = client.post(url, headers=headers, json=body)
        assert refused.status_code == 422, body
        assert list(field_errors(refused.json["errors"])) == [field]
    stale = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/close",
        headers=world["headers"],
        json={"version": plan["version"] + 1, "outcome": "not_met"},
    )
    assert stale.status_code == 409
    unknown = client.post(
        f"/api/v1/corrective-plans/{plan['id']}/close",
        headers=world["headers"],
        json={"version": plan["version"], "outcome": "maybe"},
    )
    assert unknown.status_code == 422
    assert list(unknown.json["errors"]) == ["outcome"]
    db.session.expire_all()
    stored = db.session.get(CorrectivePlan, plan["id"])
    assert (stored.outcome, stored.version, stored.answers) == (None, 1, [])
    assert _actions(plan["id"]) == [("corrective.open", world["buyer"].id)]


def test_an_open_plan_past_its_due_date_is_overdue(client, world):
    plan = _open(client, world, due_on=TODAY.isoformat()).json
    assert plan["state"] == "open"  # due today: not overdue yet
    stored = db.session.get(CorrectivePlan, plan["id"])
    stored.due_on = TODAY - timedelta(days=1)
    db.session.commit()
    read = client.get(f"/api/v1/corrective-plans/{plan['id']}", headers=world["headers"])
    assert read.json["state"] == "overdue"
    listed = client.get("/api/v1/corrective-plans", headers=world["headers"])
    assert [p["state"] for p in listed.json] == ["overdue"]


def test_other_tenants_neither_read_nor_change_a_plan(
    client, world, beta_user, make_user, make_vendor, bearer
):
    plan = _open(client, world).json
    other_buyer = bearer(make_user("buyer"))
    _, other_vendor_user = make_vendor("Delta")
    other_vendor = bearer(other_vendor_user)
    url = f"/api/v1/corrective-plans/{plan['id']}"
    for headers in (other_buyer, other_vendor):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get("/api/v1/corrective-plans", headers=headers).json == []
    answer = {"actions": [{"text": "Hire", "on": "2027-01-01"}]}
    assert client.post(f"{url}/answers", headers=other_vendor, json=answer).status_code == 404
    close = {"version": 1, "outcome": "met"}
    assert client.post(f"{url}/close", headers=other_buyer, json=close).status_code == 404
    # the vendor the plan is on reads it, with the buyer organization named
    mine = client.get("/api/v1/corrective-plans", headers=bearer(beta_user)).json
    assert [(p["id"], p["buyer"]) for p in mine] == [(plan["id"], world["buyer"].organization.name)]
    assert db.session.get(CorrectivePlan, plan["id"]).version == 1


def test_the_scorecards_show_the_plans_and_the_page_forms_work(
    app, client, world, beta_user, make_user, sign_in
):
    buyer = sign_in(app.test_client(), world["buyer"])
    card = buyer.get(f"/vendors/{world['beta'].id}/scorecard")
    assert "Open a corrective action plan" in card.text
    # the metric choices are labelled in words with the figure now (Beta: 10 of 115 = 0.08696)
    option = re.search(r'<option value="impact_worker_share"[^>]*>([^<]+)</option>', card.text)
    assert option and "(impact_worker_share)" not in option.group(1)
    assert "now 0.08696" in option.group(1)
    token = csrf_token_from(card.text)
    form = {"metric": "impact_worker_share", "target": "0.3", "due_on": DUE, "csrf_token": token}
    refused = buyer.post(
        f"/vendors/{world['beta'].id}/corrective-plans", data={**form, "target": "lots"}
    )
    assert refused.status_code == 422
    assert "&#39;lots&#39; is not a number." in refused.text
    opened = buyer.post(f"/vendors/{world['beta'].id}/corrective-plans", data=form)
    assert opened.status_code == 302
    plan_url = opened.headers["Location"]
    assert (
        "Impact workers as a share of headcount"
        in buyer.get(f"/vendors/{world['beta'].id}/scorecard").text
    )

    vendor = sign_in(app.test_client(), beta_user)
    own = vendor.get("/scorecard")
    assert world["buyer"].organization.name in own.text
    assert plan_url.split("localhost")[-1] in own.text
    token = csrf_token_from(own.text)
    plan_id = int(plan_url.rstrip("/").rsplit("/", 1)[1])
    empty = vendor.post(
        f"/corrective-plans/{plan_id}/answer",
        data={"actions.0.text": "", "actions.0.on": "2027-01-01", "csrf_token": token},
    )
    assert empty.status_code == 422
    assert "Describe the action." in empty.text
    sent = vendor.post(
        f"/corrective-plans/{plan_id}/answer",
        data={"actions.0.text": "Hire 20", "actions.0.on": "2027-01-01", "csrf_token": token},
    )
    assert sent.status_code == 302
    page = buyer.get(f"/corrective-plans/{plan_id}")
    assert "Hire 20" in page.text and "data-confirm=" in page.text
    closed = buyer.post(
        f"/corrective-plans/{plan_id}/close",
        data={
            "version": "1",
            "outcome": "not_met",
            "comment": "",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert closed.status_code == 302
    assert db.session.get(CorrectivePlan, plan_id).outcome == "not_met"
    # another buyer organization sees none of it
    other = sign_in(app.test_client(), make_user("buyer"))
    assert other.get(f"/corrective-plans/{plan_id}").status_code == 404
    assert "Hire 20" not in other.get(f"/vendors/{world['beta'].id}/scorecard").text


def test_large_figures_read_in_full_on_every_page_that_shows_a_plan(
    app, client, world, beta_user, sign_in
):
    """A metric in thousands (a wage, a custom count) was printed as "1.05e+04": the plan's
    page, the list and both scorecards print every figure with separators and no exponent.
    Stored here by hand: baseline 10,500 and target 12,345.6 (4 significant figures: 12,346);
    the latest value is still Beta's 0.08696, so it falls 12,345.5 short: -12,346."""
    plan_id = _open(client, world).json["id"]
    plan = db.session.get(CorrectivePlan, plan_id)
    plan.baseline, plan.target = 10500.0, 12345.6
    db.session.commit()
    buyer, vendor = (
        sign_in(app.test_client(), world["buyer"]),
        sign_in(app.test_client(), beta_user),
    )
    for browser, path in (
        (buyer, f"/corrective-plans/{plan_id}"),
        (buyer, "/corrective-plans"),
        (buyer, f"/vendors/{world['beta'].id}/scorecard"),
        (vendor, "/scorecard"),
    ):
        text = browser.get(path).text
        assert "10,500" in text and "12,346" in text, path
        assert not re.search(r"\d(\.\d+)?e[+-]\d", text), path
        assert "impact_worker_share</" not in text, path  # the metric in words, not its key
    assert "-12,346 against the target" in buyer.get(f"/corrective-plans/{plan_id}").text


def test_a_blank_due_date_on_the_page_is_asked_for_in_words(app, world):
    """The page's date field sends "" when left blank: marshmallow's "Not a valid date." read as
    if the buyer had typed something wrong."""
    page = app.test_client()
    assert post_sign_in(page, world["buyer"].email, TEST_PASSWORD).status_code == 302
    url = f"/vendors/{world['beta'].id}/corrective-plans"
    token = csrf_token_from(page.get(url).text)
    form = {"metric": "impact_worker_share", "target": "0.3", "due_on": "", "csrf_token": token}
    refused = page.post(url, data=form)
    assert refused.status_code == 422
    assert "Choose a due date: a day such as 2027-03-31." in refused.text
    assert "Not a valid date" not in refused.text
    assert db.session.scalar(select(db.func.count()).select_from(CorrectivePlan)) == 0
