"""Mail of notifications: each user chooses which kinds it wants by email, among the kinds its
role receives (default all of them, on a settings page and in the API); with smtp_url set, a
daily digest mails each user its unread notifications not mailed yet, at most once a day, to a
real local SMTP server (aiosmtpd). The scheduler thread runs the digest and the campaigns'
reminders. (Absolute links, and marking mailed only once the server took a mail:
tests/app/test_mail_delivery.py.)"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.notifications.models import MailSettings, Notification
from procure.notifications.services import notify, send_digests
from procure.scheduler import Scheduler
from procure.states import NotificationKind
from procure.transactions import command
from tests.conftest import PUBLIC_URL, csrf_token_from, run_cli

DAY = date(2026, 3, 2)
BUYER_KINDS = [
    "disclosure_submitted",
    "scenario_decided",
    "invitation_accepted",
    "attestation_withdrawn",
    "coalition_post",
    "corrective_answered",
]
EXECUTIVE_KINDS = ["scenario_submitted", "coalition_invitation", "coalition_post"]
VENDOR_KINDS = [
    "review_decided",
    "campaign_request",
    "campaign_reminder",
    "attestation_issued",
    "attestation_withdrawn",
    "event_published",
    "event_closed",
    "event_awarded",
    "corrective_opened",
    "corrective_closed",
]


def _tell(user, kind=NotificationKind.SCENARIO_DECIDED, title="Plan A was approved.") -> None:
    notify([user], kind, title, link="/scenarios/1")
    db.session.commit()


def _digest(day: date = DAY) -> int:
    with command():
        return len(send_digests(day))  # digests queued


def test_a_digest_lists_the_unread_and_goes_once_a_day(app, make_user, smtp_sink):
    buyer, other = make_user("buyer"), make_user("buyer")
    _tell(buyer)
    _tell(buyer, NotificationKind.DISCLOSURE_SUBMITTED, "Alpha submitted its disclosure for 2025.")
    notify([buyer], NotificationKind.SCENARIO_DECIDED, "Read already.")[0].read_at = utcnow()
    db.session.commit()
    assert _digest() == 1  # the other buyer has nothing unread
    [(recipients, message)] = smtp_sink
    assert recipients == [buyer.email]
    assert message["Subject"] == "impact-procure: 2 unread notifications"
    body = message.get_content()
    assert "- Alpha submitted its disclosure for 2025." in body and "- Plan A was approved." in body
    assert "Read already." not in body
    # every link is absolute, on public_url: the notifications' pages, the list, the settings
    links = re.findall(r"\S*/(?:scenarios|notifications)\S*", body)
    assert links == [
        f"{PUBLIC_URL}/scenarios/1",
        f"{PUBLIC_URL}/scenarios/1",
        f"{PUBLIC_URL}/notifications",
        f"{PUBLIC_URL}/notifications/settings",
    ]
    # at most once a day, even with something new; the next day only what was not mailed
    _tell(buyer, title="Plan B was rejected.")
    assert _digest() == 0 and len(smtp_sink) == 1
    assert _digest(DAY + timedelta(days=1)) == 1
    latest = smtp_sink[-1][1]
    assert latest["Subject"] == "impact-procure: 1 unread notification"
    assert "Plan B was rejected." in latest.get_content()
    assert "Plan A" not in latest.get_content()
    assert _digest(DAY + timedelta(days=2)) == 0  # nothing new
    assert other.email not in [to[0] for to, _ in smtp_sink]


def test_no_mail_server_no_digest_and_nothing_marked(app, make_user):
    buyer = make_user("buyer")
    _tell(buyer)
    assert _digest() == 0
    assert db.session.scalars(select(Notification.emailed_at)).all() == [None]
    assert db.session.get(MailSettings, buyer.id) is None


def test_a_user_chooses_the_kinds_it_wants_by_email(app, client, make_user, bearer, smtp_sink):
    vendor, buyer = make_user("vendor"), make_user("buyer")
    headers = bearer(vendor)
    assert client.get("/api/v1/notifications/settings", headers=headers).json["email_kinds"] == (
        VENDOR_KINDS
    )
    chosen = client.put(
        "/api/v1/notifications/settings",
        headers=headers,
        json={"email_kinds": ["campaign_reminder", "review_decided"]},
    )
    assert chosen.status_code == 200
    assert chosen.json["email_kinds"] == ["review_decided", "campaign_reminder"]
    assert chosen.json["mail_configured"] is True
    assert db.session.get(MailSettings, vendor.id).muted_kinds == [
        "campaign_request",
        "attestation_issued",
        "attestation_withdrawn",
        "event_published",
        "event_closed",
        "event_awarded",
        "corrective_opened",
        "corrective_closed",
    ]
    refused = client.put(
        "/api/v1/notifications/settings", headers=headers, json={"email_kinds": ["gossip"]}
    )
    assert refused.status_code == 422 and "email_kinds" in refused.json["errors"]
    # the choice is the vendor's alone: the buyer still gets every kind of its role
    assert (
        client.get("/api/v1/notifications/settings", headers=bearer(buyer)).json["email_kinds"]
        == BUYER_KINDS
    )
    _tell(vendor, NotificationKind.CAMPAIGN_REQUEST, "Northwind asks for your disclosure.")
    _tell(vendor, NotificationKind.REVIEW_DECIDED, "Northwind verified your disclosure.")
    assert _digest() == 1
    body = smtp_sink[0][1].get_content()
    assert "verified your disclosure" in body and "asks for your disclosure" not in body
    # the muted kind stays unmailed; the next day's digest does not send it either
    assert _digest(DAY + timedelta(days=1)) == 0
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification.mail_settings")
    ).all()
    assert event.actor_id == vendor.id


def test_the_settings_page_reads_the_boxes_through_the_api_schema(app, make_user, sign_in):
    user = make_user("executive")
    pages = sign_in(app.test_client(), user)
    page = pages.get("/notifications/settings")
    assert page.status_code == 200
    assert re.findall(r'name="email_kinds" value="(\w+)"', page.text) == EXECUTIVE_KINDS
    assert "sends no mail at the moment" in page.text
    token = csrf_token_from(page.text)
    nothing = pages.post("/notifications/settings", data={"csrf_token": token})  # no box ticked
    assert nothing.status_code == 302
    assert db.session.get(MailSettings, user.id).muted_kinds == EXECUTIVE_KINDS
    saved = pages.post(
        "/notifications/settings",
        data={"email_kinds": EXECUTIVE_KINDS, "csrf_token": token},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(MailSettings, user.id).muted_kinds == []
    for bad_kind in ("gossip", "campaign_reminder"):  # unknown; a kind executives never get
        bad = pages.post(
            "/notifications/settings", data={"email_kinds": bad_kind, "csrf_token": token}
        )
        assert bad.status_code == 422 and 'id="email_kinds-error"' in bad.text
    assert "Your role never receives campaign_reminder" in bad.text
    db.session.expire_all()
    assert db.session.get(MailSettings, user.id).muted_kinds == []


# (role, kind of its organization) -> the kinds of notification it is offered, and can choose
OFFERED = {
    ("buyer", "buyer"): BUYER_KINDS,
    ("executive", "buyer"): EXECUTIVE_KINDS,
    ("vendor", "vendor"): VENDOR_KINDS,
    ("admin", "vendor"): VENDOR_KINDS,  # it acts as its vendor: it answers the campaigns
    # it answers coalition invitations for its organization, and reads the coalitions' feeds
    ("admin", "buyer"): ["coalition_invitation", "coalition_post"],
    ("operator", "operator"): [],
    ("assurer", "assurance"): ["assurance_shared"],
    ("admin", "assurance"): ["assurance_shared"],  # it acts as its assurer
    ("coordinator", "backbone"): ["coalition_answer"],
    ("admin", "backbone"): ["coalition_answer"],  # it acts as its coordinator
}


@pytest.mark.parametrize(("role", "kind"), list(OFFERED))
def test_each_role_is_offered_the_kinds_it_receives_and_no_other(
    app, client, make_org, make_user, bearer, sign_in, role, kind
):
    user = make_user(role, organization=make_org(kind))
    offered = OFFERED[(role, kind)]
    headers = bearer(user)
    settings = client.get("/api/v1/notifications/settings", headers=headers).json
    assert (settings["offered_kinds"], settings["email_kinds"]) == (offered, offered)
    page = sign_in(app.test_client(), user).get("/notifications/settings").text
    assert re.findall(r'name="email_kinds" value="(\w+)"', page) == offered
    assert ("Your role receives no notifications" in page) is (not offered)
    for other in [k.value for k in NotificationKind if k.value not in offered]:
        refused = client.put(
            "/api/v1/notifications/settings", headers=headers, json={"email_kinds": [other]}
        )
        assert refused.status_code == 422, other
        assert refused.json["errors"] == {
            "email_kinds": [
                f"Your role never receives {other}: choose among "
                + (", ".join(offered) if offered else "none ([] only)")
                + "."
            ]
        }
    chosen = client.put(
        "/api/v1/notifications/settings", headers=headers, json={"email_kinds": offered[:1]}
    )
    assert chosen.status_code == 200 and chosen.json["email_kinds"] == offered[:1]
    assert db.session.get(MailSettings, user.id).muted_kinds == offered[1:]


def test_a_users_choice_is_its_own(client, make_user, bearer):
    """Another organization's user (the settings have no id: each reads and writes its own)."""
    vendor_a, vendor_b = make_user("vendor"), make_user("vendor")
    assert vendor_a.organization_id != vendor_b.organization_id
    headers_a, headers_b = bearer(vendor_a), bearer(vendor_b)

    def kinds(headers):
        return client.get("/api/v1/notifications/settings", headers=headers).json["email_kinds"]

    client.put("/api/v1/notifications/settings", headers=headers_a, json={"email_kinds": []})
    assert kinds(headers_b) == VENDOR_KINDS
    client.put(
        "/api/v1/notifications/settings",
        headers=headers_b,
        json={"email_kinds": ["review_decided"]},
    )
    assert kinds(headers_a) == []
    assert db.session.get(MailSettings, vendor_a.id).muted_kinds == VENDOR_KINDS


def test_the_digest_command(app, make_user, smtp_sink, tmp_path, monkeypatch, migrated):
    buyer = make_user("buyer")
    _tell(buyer)
    result = run_cli(
        ["notifications", "digest", "--today", str(DAY)], tmp_path, monkeypatch, migrated
    )
    assert result.exit_code == 0, result.output
    assert "Mailed 1 digest(s)." in result.output
    assert [to for to, _ in smtp_sink] == [[buyer.email]]
    app.config["SMTP_URL"] = ""  # the command runs in the test's app (with_appcontext)
    unset = run_cli(["notifications", "digest"], tmp_path, monkeypatch, migrated)
    assert "No mail server is set up" in unset.output


def test_the_scheduler_thread_runs_the_daily_rounds(app, make_user, smtp_sink):
    buyer = make_user("buyer")
    _tell(buyer)
    scheduler = Scheduler(app, interval=30)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while not smtp_sink and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
        scheduler.join(timeout=10)
    assert scheduler.rounds == 1
    assert [to for to, _ in smtp_sink] == [[buyer.email]]
