"""In-app notifications: what waits for whom. Other areas call `notify` inside their own unit of
work (it adds and flushes, never commits); the recipient reads its notifications and marks them
read.

Marking read is audited (`notification.read`, `notification.read_all`): it is the recipient's own
state, but "the executive had seen that the scenario waited" is a fact someone may need later,
and every state-changing route writes an audit event (tests/app/test_audit_walker.py). Marking
all read writes one event with the number marked, not one per notification.

Mail (with the setting smtp_url): each user chooses, among the kinds its role receives
(`RECIPIENT_ROLES`), the kinds it wants by email (`MailSettings`, default all). An area may mail a
notification at once (`mail_at_once`: a campaign reminder); the rest go out in a daily digest of
the unread ones not mailed yet (`send_digests`, run by `procure notifications digest` and the
scheduler), at most one digest per user per day. A notification is marked mailed only once the
server took its mail (procure.mail, `on_sent`): one the server refused goes in the next digest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from math import ceil
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.extensions import db
from procure.mail import Outgoing, absolute_url, mail_configured, send_after_commit
from procure.notifications.email_choices import muted_kinds
from procure.notifications.models import (
    MAX_PER_PAGE,
    PER_PAGE,
    TITLE_LENGTH,
    MailSettings,
    Notification,
)
from procure.states import NotificationKind


def active_users(
    *roles: str, organization_id: int | None = None, organizations: Any = None
) -> list[User]:
    """The active users holding one of `roles`, in one organization, in the organizations a
    select of ids names (`organizations`), or (neither) in every one: the usual recipients of a
    notification."""
    statement = select(User).where(User.role.in_(roles), User.active.is_(True))
    if organization_id is not None:
        statement = statement.where(User.organization_id == organization_id)
    if organizations is not None:
        statement = statement.where(User.organization_id.in_(organizations))
    return list(db.session.scalars(statement.order_by(User.id)))


def link_to(endpoint: str, **values: Any) -> str:
    """The app-relative URL of a page ("/scenarios/12"), built from the app's URL map so that it
    works in a request, a job or a command alike; pages put the script root in front."""
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1].rstrip() + "…"


def notify(
    recipients: Iterable[User],
    kind: NotificationKind,
    title: str,
    *,
    link: str | None = None,
    subject: Any = None,
) -> list[Notification]:
    """Add one notification per distinct active recipient (a deactivated user gets none) and
    flush; the caller's request or command commits. `title` is a short sentence, `link` the
    app-relative URL of the page where the work waits (see `link_to`), `subject` the record the
    notification is about."""
    kind = NotificationKind(kind)
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()  # a new record needs its id before a notification can name it
    seen: set[int] = set()
    added = []
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        notification = Notification(
            user_id=user.id,
            organization_id=user.organization_id,
            kind=kind,
            title=_short(title),
            link=link,
            subject_type=None if subject is None else type(subject).__name__,
            subject_id=None if subject is None else subject.id,
        )
        db.session.add(notification)
        added.append(notification)
    if added:
        db.session.flush()
    return added


def mark_read(notification: Notification, user: User) -> Notification:
    """The recipient marks one notification read; marking a read one again changes nothing."""
    if notification.user_id != user.id:
        raise ValueError("a notification is marked read by its recipient only")
    if notification.read_at is None:
        notification.read_at = utcnow()
        record_event(
            "notification.read", notification, actor=user, after={"kind": notification.kind}
        )
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    marked = rowcount(
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
    )
    if marked:
        recipient = db.session.get(User, user.id)  # the row itself, not a current_user proxy
        record_event("notification.read_all", recipient, actor=user, after={"marked_read": marked})
        db.session.flush()
    return marked


def mark_acted_on(user: User, kind: NotificationKind, subject: Any) -> int:
    """The user acted on what its own notification of `kind` about `subject` told it (reviewed
    the disclosure, decided the scenario): that notification is read. A colleague's stays as it
    is. No audit event of its own: the action's event says the user acted. How many were marked."""
    marked = rowcount(
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind == NotificationKind(kind),
                Notification.subject_type == type(subject).__name__,
                Notification.subject_id == subject.id,
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
    )
    db.session.flush()
    return marked


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread (0 for nobody signed in)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class NotificationPage:
    """One page of a user's notifications, newest first."""

    items: list[Notification]
    total: int
    page: int
    per_page: int
    unread: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_of(
    user: User, page: int = 1, per_page: int = PER_PAGE, *, clamp: bool = False
) -> NotificationPage:
    """Page `page` (from 1) of the user's notifications, `per_page` to a page (1 to
    MAX_PER_PAGE). With `clamp`, a page past the last shows the last one (the list page); without
    it, such a page is empty (the API says the total)."""
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be 1 to {MAX_PER_PAGE}")
    mine = Notification.scope(user)
    total = db.session.scalar(select(func.count(Notification.id)).where(mine)) or 0
    page = max(1, page)
    if clamp:
        page = min(page, max(1, ceil(total / per_page)))
    items = list(
        db.session.scalars(
            select(Notification)
            .where(mine)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return NotificationPage(items, total, page, per_page, unread_count(user))


# ---------------------------------------------------------------- mail


# A digest lists this many notifications, newest first, and says how many more wait.
DIGEST_LINES = 50


def mail_at_once(notifications: Sequence[Notification]) -> int:
    """Mail these notifications now (after the commit) to those of their recipients who want
    their kind by email; each is marked mailed once the server took its mail, so no digest
    repeats it, and one the server refused goes in the next digest. Nothing without mail
    settings. How many mails were queued."""
    if not mail_configured():
        return 0
    queued = 0
    for notification in notifications:
        user = db.session.get_one(User, notification.user_id)
        if not user.active or notification.kind in muted_kinds(user):
            continue
        lines = [f"Hello {user.name},", "", notification.title, ""]
        if notification.link:
            lines += [f"Open it: {absolute_url(notification.link)}", ""]
        lines += _mail_footer()
        send_after_commit(
            user.email,
            notification.title,
            "\n".join(lines) + "\n",
            on_sent=partial(_mark_mailed, [notification.id]),
        )
        queued += 1
    return queued


def _mark_mailed(notification_ids: Sequence[int]) -> None:
    """The server took the mail of these notifications (an outcome hook of procure.mail)."""
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _mail_footer() -> list[str]:
    return [
        "--",
        "Choose which notifications impact-procure mails you: "
        + absolute_url(link_to("notification_pages.settings")),
    ]


def _unmailed_unread() -> Any:
    return (Notification.read_at.is_(None), Notification.emailed_at.is_(None))


def _claim_digest(user_id: int, today: date) -> tuple[bool, date | None]:
    """Take the user's digest of `today`: True for the one caller that does, so parallel
    schedulers (one per worker host) send at most one digest per user and day; and the day of
    the digest before, for `_release_digest`."""
    table = cast(Table, MailSettings.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table)
        .values(user_id=user_id, muted_kinds=[], digest_sent_on=None, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=[table.c.user_id])
    )
    previous = db.session.scalar(
        select(MailSettings.digest_sent_on).where(MailSettings.user_id == user_id)
    )
    claimed = db.session.execute(
        update(MailSettings)
        .where(
            MailSettings.user_id == user_id,
            or_(MailSettings.digest_sent_on.is_(None), MailSettings.digest_sent_on < today),
        )
        .values(digest_sent_on=today)
        .execution_options(synchronize_session=False)
    )
    return rowcount(claimed) == 1, previous


def _release_digest(user_id: int, today: date, previous: date | None) -> None:
    """The server refused the user's digest of `today` (an outcome hook of procure.mail): give
    the day back, so that the next round sends it."""
    db.session.execute(
        update(MailSettings)
        .where(MailSettings.user_id == user_id, MailSettings.digest_sent_on == today)
        .values(digest_sent_on=previous)
        .execution_options(synchronize_session=False)
    )


def send_digests(today: date) -> list[Outgoing]:
    """Mail each active user the unread notifications not mailed yet, of the kinds it wants by
    email, in one message; at most one digest per user per day (`today`, a UTC date), and none
    without mail settings or without anything to tell. The caller commits (the mail goes then);
    the notifications are marked mailed once the server took the digest, and a digest the
    server refused leaves the day free for the next round. The digests queued: after the commit,
    each one's `sent` says whether the server took it."""
    if not mail_configured():
        return []
    waiting = db.session.scalars(
        select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(*_unmailed_unread(), User.active.is_(True))
        .group_by(Notification.user_id)
        .order_by(Notification.user_id)
    ).all()
    queued: list[Outgoing] = []
    for user_id in waiting:
        user = db.session.get_one(User, user_id)
        notifications = list(
            db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user_id,
                    *_unmailed_unread(),
                    Notification.kind.not_in(sorted(muted_kinds(user))),
                )
                .order_by(Notification.created_at.desc(), Notification.id.desc())
            )
        )
        if not notifications:
            continue
        claimed, previous = _claim_digest(user_id, today)
        if not claimed:
            continue
        queued.append(
            _queue_digest(user, notifications, partial(_release_digest, user_id, today, previous))
        )
    db.session.flush()
    return queued


def _queue_digest(
    user: User, notifications: list[Notification], on_failed: Callable[[], None]
) -> Outgoing:
    count = len(notifications)
    plural = "" if count == 1 else "s"
    lines = [
        f"Hello {user.name},",
        "",
        f"{count} notification{plural} wait{'s' if count == 1 else ''} for you on impact-procure:",
        "",
    ]
    for notification in notifications[:DIGEST_LINES]:
        lines.append(f"- {notification.title}")
        if notification.link:
            lines.append(f"  {absolute_url(notification.link)}")
    if count > DIGEST_LINES:
        lines.append(f"... and {count - DIGEST_LINES} more.")
    lines += ["", "All of them: " + absolute_url(link_to("notification_pages.index")), ""]
    lines += _mail_footer()
    return send_after_commit(
        user.email,
        f"impact-procure: {count} unread notification{plural}",
        "\n".join(lines) + "\n",
        on_sent=partial(_mark_mailed, [notification.id for notification in notifications]),
        on_failed=on_failed,
    )
