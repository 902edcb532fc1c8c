"""Outgoing mail, sent after the unit of work that asked for it commits.

A service calls `send_after_commit(to, subject, body)`: the message waits in the database
session until the request or command commits (a rollback drops it, so nobody is mailed about
work that did not happen), then `send_committed`, a `procure.transactions.after_commit` hook,
hands it to the SMTP server of the setting `smtp_url`. A failure is logged and kept on the
message (`Outgoing.error`); it never undoes the committed work, so the caller can still show
what the mail would have carried (an invitation's link).

What a sender records about a message (a notification mailed) waits for the server's answer:
`on_sent` runs only once the server took the message, `on_failed` once it did not, both in one
transaction of their own after the sending. So a failed message is never marked sent, and the
next round sends it; a crash between the sending and that transaction can send it once more,
never lose it.

`smtp_url` is `smtp://host:port` (no encryption), `smtp+starttls://host:port` (STARTTLS) or
`smtps://host:port` (TLS from the start), with an optional `user:password@` (URL-encoded).
Without it, `mail_configured()` is false and nothing is sent. With it, `public_url` must be set
too (`check_mail_settings`, at start): every link in a mail is built from it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from procure.extensions import db
from procure.settings import SettingsError
from procure.transactions import after_commit, command, commit_before_answer

log = logging.getLogger(__name__)

PENDING = "procure.mail.pending"  # session.info: messages asked for in the open transaction
COMMITTED = "procure.mail.committed"  # session.info: messages whose transaction committed
SMTP_TIMEOUT_SECONDS = 10
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass
class Outgoing:
    """One plain-text message, and what became of it once its transaction committed."""

    to: str
    subject: str
    body: str
    on_sent: Callable[[], None] | None = None  # records that the server took it
    on_failed: Callable[[], None] | None = None  # records that it did not
    reported: bool = False  # the request's answer says whether it went (commit before answering)
    sent: bool = False
    error: str | None = None  # why the server did not take it (logged too)

    @property
    def outcome_hook(self) -> Callable[[], None] | None:
        return self.on_sent if self.sent else self.on_failed


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


def check_mail_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start with `smtp_url` set and no usable `public_url`.

    Why refuse rather than mail without links or with the request's address: every mail carries
    a link (an invitation's one-time link, a notification's page, the mail settings), and a
    relative link is useless in a mail client. The request's Host header is no substitute: a
    client sets it, so whoever sends the request that mails a link (an invitation, "remind the
    late ones") would choose where the link points, and the scheduler and the commands have no
    request at all. Refusing at start shows the mistake to whoever deploys, once, instead of to
    every recipient later."""
    if not config.get("SMTP_URL"):
        return
    public_url = config.get("PUBLIC_URL") or ""
    parts = urlsplit(public_url)
    if not public_url:
        raise SettingsError(
            "public_url: required when smtp_url is set. Mail carries links, and they are built "
            "from public_url (https://procure.example.org), never from a request's address."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            "public_url: the address users reach this service at, http:// or https:// and a "
            f"host, with no query (https://procure.example.org), not {public_url!r}"
        )


def send_after_commit(
    to: str,
    subject: str,
    body: str,
    *,
    on_sent: Callable[[], None] | None = None,
    on_failed: Callable[[], None] | None = None,
    reported: bool = False,
) -> Outgoing:
    """Queue a message, sent when this unit of work commits. Returns it: after the commit, its
    `sent` and `error` say how the sending went. `on_sent` or `on_failed` runs after the sending,
    in a transaction of its own (see the module's docstring): they record the outcome, with
    plain values (ids), not with the records of the committed unit of work. `reported`: the
    request's answer says whether the message went, so the request commits (and the message
    goes) before its answer is built."""
    outgoing = Outgoing(
        to=to, subject=subject, body=body, on_sent=on_sent, on_failed=on_failed, reported=reported
    )
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even with no SQL to undo, drops the message
    session.info.setdefault(PENDING, []).append(outgoing)
    return outgoing


@commit_before_answer
def answer_reports_mail() -> bool:
    """Whether the open transaction queued a message whose outcome the answer reports."""
    return any(outgoing.reported for outgoing in db.session.info.get(PENDING, []))


@event.listens_for(Session, "after_commit")
def _mail_committed(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending:
        session.info.setdefault(COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_soft_rollback")
def _mail_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # any rollback of the whole unit of work, also one that found no SQL to undo
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)  # the work they told of is undone


@after_commit
def send_committed() -> None:
    """Send every message whose unit of work committed; a failure is logged and kept on the
    message, and the others are still sent. Then record the outcomes the senders asked for."""
    delivered = []
    while db.session.info.get(COMMITTED):
        outgoing = db.session.info[COMMITTED].pop(0)
        deliver(outgoing)
        delivered.append(outgoing)
    hooks = [hook for hook in (outgoing.outcome_hook for outgoing in delivered) if hook]
    if not hooks:
        return
    try:
        with command():
            for hook in hooks:
                hook()
    except SQLAlchemyError:
        # the mail went (or not) all the same; unrecorded, a sent one goes again next round
        log.exception("the outcome of %d message(s) could not be recorded", len(hooks))


def absolute_url(path: str) -> str:
    """The address of an app-relative path ("/notifications") for a mail: the setting
    public_url and the path. Never the request's address, which its sender chooses."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:  # check_mail_settings refuses to start so; only a config changed since can
        raise RuntimeError("public_url is not set: a mail's links would not work")
    return base.rstrip("/") + path


def deliver(outgoing: Outgoing) -> None:
    try:
        _send(current_app.config["SMTP_URL"], _sender(), outgoing)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        outgoing.error = f"{type(error).__name__}: {error}"
        log.exception("mail to %s could not be sent", outgoing.to)
    else:
        outgoing.sent = True


def _sender() -> str:
    """The From address: the setting smtp_from, else noreply@ the host of public_url."""
    configured = current_app.config.get("SMTP_FROM")
    if configured:
        return configured
    host = urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname
    return f"impact-procure <noreply@{host or 'localhost'}>"


def _send(url: str, sender: str, outgoing: Outgoing) -> None:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(
            "smtp_url must be smtp://, smtp+starttls:// or smtps:// followed by a host, "
            f"not {parts.scheme or 'no scheme'}://{parts.hostname or ''}"
        )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parts.hostname)
    message.set_content(outgoing.body)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
