"""Mail that is right: every link in a mail is absolute and starts with the setting public_url
(the app refuses to start with smtp_url and no public_url, and never builds a mailed link from a
request's Host header), and a notification or a digest is marked mailed only once the SMTP server
took it: a refused mail leaves everything as it was, and the next round sends it. The SMTP
server is a real one (aiosmtpd, the `smtp_sink` fixture); a server that is down is a port nobody
listens on."""

from __future__ import annotations

import re
import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from procure import create_app
from procure.extensions import db
from procure.mail import absolute_url
from procure.notifications import services
from procure.notifications.models import MailSettings, Notification
from procure.notifications.services import mail_at_once, notify, send_digests
from procure.settings import SettingsError
from procure.states import NotificationKind
from procure.transactions import command
from tests.conftest import PUBLIC_URL, run_cli

DAY = date(2026, 3, 2)
LINK = re.compile(r"\S+://\S+|(?<!\S)/\S+")  # an absolute link, or a path standing alone


def _links(message) -> list[str]:
    return LINK.findall(message.get_content())


def _tell(user, kind=NotificationKind.SCENARIO_DECIDED, title="Plan A was approved."):
    (notification,) = notify([user], kind, title, link="/scenarios/7")
    db.session.commit()
    return notification


def _digest(day: date = DAY) -> int:
    with command():
        return len(send_digests(day))  # digests queued


def _emailed_at(*notifications: Notification) -> list:
    db.session.expire_all()
    return [db.session.get(Notification, n.id).emailed_at for n in notifications]


def _digest_day(user) -> date | None:
    db.session.expire_all()
    settings = db.session.get(MailSettings, user.id)
    return None if settings is None else settings.digest_sent_on


@pytest.fixture
def server_down(app, smtp_sink):
    """Point smtp_url at a port nobody listens on while the test's block runs; back after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    working = app.config["SMTP_URL"]

    class Down:
        def __enter__(self):
            app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"

        def __exit__(self, *exc):
            app.config["SMTP_URL"] = working

    return Down()


# ---------------------------------------------------------------- public_url


def test_with_smtp_url_the_app_refuses_to_start_without_public_url(migrated, tmp_path):
    settings = {"database_url": migrated, "secret_key": "x", "smtp_url": "smtp://127.0.0.1:25"}
    with pytest.raises(SettingsError, match="public_url: required when smtp_url is set"):
        create_app(settings, instance_path=str(tmp_path / "a"))
    for wrong in ("procure.example.org", "ftp://procure.example.org", "https://x.org/?a=1"):
        with pytest.raises(SettingsError, match="public_url: the address users reach"):
            create_app({**settings, "public_url": wrong}, instance_path=str(tmp_path / "b"))
    started = create_app(
        {**settings, "public_url": "https://procure.example.org/procure"},
        instance_path=str(tmp_path / "c"),
    )
    with started.app_context():
        assert absolute_url("/notifications") == "https://procure.example.org/procure/notifications"
    # without mail, public_url may stay empty (the invitation link is shown, not mailed)
    create_app({**settings, "smtp_url": ""}, instance_path=str(tmp_path / "d"))


def test_a_mailed_link_never_comes_from_the_host_header(app, make_user, bearer, smtp_sink):
    """The request that mails (an invitation, a reminder mailed at once) names another host:
    the links still start with public_url."""
    buyer, vendor = make_user("buyer"), make_user("vendor")
    evil = app.test_client()
    created = evil.post(
        "/api/v1/invitations",
        headers=bearer(buyer),
        json={"email": "ops@lumen.example"},
        base_url="http://attacker.example",
    )
    assert created.status_code == 201, created.text
    with app.test_request_context("/", "http://attacker.example", method="POST"), command():
        mail_at_once(notify([vendor], NotificationKind.CAMPAIGN_REMINDER, "Due.", link="/"))
    invitation, reminder = (message for _, message in smtp_sink)
    [link] = _links(invitation)
    assert link.startswith(f"{PUBLIC_URL}/invitations/") and link == created.json["link"]
    assert _links(reminder) == [f"{PUBLIC_URL}/", f"{PUBLIC_URL}/notifications/settings"]
    assert "attacker" not in invitation.as_string() + reminder.as_string()


def test_without_public_url_no_mail_is_built(app, make_user):
    """Only a configuration changed after the start can get here: the mail is refused, never
    sent with a relative link."""
    vendor = make_user("vendor")
    app.config.update(SMTP_URL="smtp://127.0.0.1:25", PUBLIC_URL="")
    try:
        with pytest.raises(RuntimeError, match="public_url is not set"), command():
            mail_at_once(notify([vendor], NotificationKind.CAMPAIGN_REMINDER, "Due.", link="/"))
    finally:
        app.config.update(SMTP_URL="")
    assert db.session.scalars(select(Notification)).all() == []  # rolled back whole


# ---------------------------------------------------------------- marked once the server took it


def test_a_refused_digest_marks_nothing_and_the_next_run_sends_it(
    app, make_user, smtp_sink, server_down, caplog
):
    buyer = make_user("buyer")
    first = _tell(buyer, title="Plan A was approved.")
    assert _digest(DAY - timedelta(days=1)) == 1  # yesterday's digest went
    assert _emailed_at(first) != [None] and _digest_day(buyer) == DAY - timedelta(days=1)
    second = _tell(buyer, title="Plan B was rejected.")
    third = _tell(buyer, NotificationKind.DISCLOSURE_SUBMITTED, "Alpha submitted.")
    with server_down:
        assert _digest() == 1  # queued, then refused by the server
    assert "could not be sent" in caplog.text
    assert len(smtp_sink) == 1
    assert _emailed_at(second, third) == [None, None]
    assert _digest_day(buyer) == DAY - timedelta(days=1)  # the day is given back
    # the next run, the same day, with the server up: the digest goes, and only now is marked
    assert _digest() == 1
    assert len(smtp_sink) == 2
    body = smtp_sink[-1][1].get_content()
    assert "Plan B was rejected." in body and "Alpha submitted." in body and "Plan A" not in body
    assert None not in _emailed_at(second, third) and _digest_day(buyer) == DAY
    assert _digest() == 0 and len(smtp_sink) == 2  # once a day


def test_a_reminder_refused_at_once_goes_in_the_digest(app, make_user, smtp_sink, server_down):
    vendor = make_user("vendor")
    with server_down, command():
        (reminder,) = notify([vendor], NotificationKind.CAMPAIGN_REMINDER, "Due Friday.")
        assert mail_at_once([reminder]) == 1
    assert smtp_sink == [] and _emailed_at(reminder) == [None]
    with command():  # the server is up: a reminder mailed at once is marked so
        (taken,) = notify([vendor], NotificationKind.CAMPAIGN_REMINDER, "Due Monday.")
        mail_at_once([taken])
    assert [m["Subject"] for _, m in smtp_sink] == ["Due Monday."]
    assert _emailed_at(taken) != [None]
    assert _digest() == 1  # the refused one, not the one mailed already
    assert smtp_sink[-1][1]["Subject"] == "impact-procure: 1 unread notification"
    assert "- Due Friday." in smtp_sink[-1][1].get_content()
    assert "Due Monday." not in smtp_sink[-1][1].get_content()
    assert _emailed_at(reminder) != [None]


def test_a_crash_between_sending_and_marking_sends_once_more_never_loses(
    app, make_user, smtp_sink, monkeypatch, caplog
):
    """The server took the digest, then recording it failed (here: the database refused): the
    notification stays unmarked, and the next digest sends it again, once."""
    buyer = make_user("buyer")
    notification = _tell(buyer)

    def database_gone(notification_ids):
        raise OperationalError("UPDATE notification", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "_mark_mailed", database_gone)
    assert _digest() == 1
    monkeypatch.undo()
    assert len(smtp_sink) == 1 and _emailed_at(notification) == [None]
    assert "the outcome of 1 message(s) could not be recorded" in caplog.text
    assert _digest() == 0  # the day was taken: at most one digest a day still holds
    assert _digest(DAY + timedelta(days=1)) == 1
    assert [m["Subject"] for _, m in smtp_sink] == ["impact-procure: 1 unread notification"] * 2
    assert _emailed_at(notification) != [None]
    assert _digest(DAY + timedelta(days=2)) == 0


# ---------------------------------------------------------------- per user, by its choices


def test_the_digest_goes_per_user_with_its_own_notifications_by_its_choices(
    app, client, make_user, bearer, smtp_sink
):
    buyer, vendor, executive = make_user("buyer"), make_user("vendor"), make_user("executive")
    _tell(buyer, title="For the buyer.")
    _tell(vendor, NotificationKind.REVIEW_DECIDED, "For the vendor.")
    _tell(vendor, NotificationKind.CAMPAIGN_REQUEST, "Muted by the vendor.")
    _tell(executive, NotificationKind.SCENARIO_SUBMITTED, "Muted by the executive.")
    # a kind outside the role's (a submitter whose role changed): mailed, nobody could mute it
    _tell(executive, NotificationKind.SCENARIO_DECIDED, "Decided, for the former buyer.")
    for user, kinds in ((vendor, ["review_decided"]), (executive, [])):
        chosen = client.put(
            "/api/v1/notifications/settings", headers=bearer(user), json={"email_kinds": kinds}
        )
        assert chosen.status_code == 200, chosen.text
    assert _digest() == 3
    bodies = {tuple(to): message.get_content() for to, message in smtp_sink}
    titles = {to: re.findall(r"^- (.+?)\r?$", body, re.MULTILINE) for to, body in bodies.items()}
    assert titles == {
        (buyer.email,): ["For the buyer."],
        (vendor.email,): ["For the vendor."],
        (executive.email,): ["Decided, for the former buyer."],
    }


def test_the_digest_command_counts_what_the_server_took(
    app, make_user, smtp_sink, server_down, tmp_path, monkeypatch, migrated
):
    buyer = make_user("buyer")
    _tell(buyer)
    with server_down:
        refused = run_cli(
            ["notifications", "digest", "--today", str(DAY)], tmp_path, monkeypatch, migrated
        )
    assert refused.exit_code == 1, refused.output  # cron sees the failure
    assert "Mailed 0 digest(s)." in refused.output
    assert (
        "The mail server did not take 1 digest(s) (refused or unreachable; logged): the next "
        "run sends them." in refused.output
    )
    sent = run_cli(
        ["notifications", "digest", "--today", str(DAY)], tmp_path, monkeypatch, migrated
    )
    assert sent.exit_code == 0, sent.output
    assert "Mailed 1 digest(s)." in sent.output and "did not take" not in sent.output
    assert [to for to, _ in smtp_sink] == [[buyer.email]]
