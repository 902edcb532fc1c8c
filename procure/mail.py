"""Outgoing mail, sent after the unit of work that asked for it commits.

A service calls `send_after_commit(to, subject, body)`: the message waits in the database
session until the request or command commits (a rollback drops it, so nobody is mailed about
work that did not happen), then `send_committed`, a `procure.transactions.after_commit` hook,
hands it to the SMTP server of the setting `smtp_url`. A failure is logged and kept on the
message (`Outgoing.error`); it never undoes the committed work, so the caller can still show
what the mail would have carried (an invitation's link).

`smtp_url` is `smtp://host:port` (no encryption), `smtp+starttls://host:port` (STARTTLS) or
`smtps://host:port` (TLS from the start), with an optional `user:password@` (URL-encoded).
Without it, `mail_configured()` is false and nothing is sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from procure.extensions import db
from procure.transactions import after_commit

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
    sent: bool = False
    error: str | None = None  # why the server did not take it (logged too)


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


def send_after_commit(to: str, subject: str, body: str) -> Outgoing:
    """Queue a message, sent when this unit of work commits. Returns it: after the commit, its
    `sent` and `error` say how the sending went."""
    outgoing = Outgoing(to=to, subject=subject, body=body)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even with no SQL to undo, drops the message
    session.info.setdefault(PENDING, []).append(outgoing)
    return outgoing


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
    message, and the others are still sent."""
    while db.session.info.get(COMMITTED):
        deliver(db.session.info[COMMITTED].pop(0))


def absolute_url(path: str) -> str:
    """The address of an app-relative path ("/notifications") for a mail: the setting public_url,
    else this request's address; outside a request (a command, the scheduler) without public_url,
    the path itself, which the mail then names as a page to open after signing in."""
    base = current_app.config.get("PUBLIC_URL") or (
        request.host_url if has_request_context() else ""
    )
    return base.rstrip("/") + path if base else path


def deliver(outgoing: Outgoing) -> None:
    try:
        _send(current_app.config["SMTP_URL"], _sender(), outgoing)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        outgoing.error = f"{type(error).__name__}: {error}"
        log.exception("mail to %s could not be sent", outgoing.to)
    else:
        outgoing.sent = True


def _sender() -> str:
    """The From address: the setting smtp_from, else noreply@ the host users reach."""
    configured = current_app.config.get("SMTP_FROM")
    if configured:
        return configured
    host = urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname
    if not host and has_request_context():
        host = urlsplit(request.host_url).hostname
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
