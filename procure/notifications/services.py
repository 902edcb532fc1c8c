"""In-app notifications: what waits for whom. Other areas call `notify` inside their own unit of
work (it adds and flushes, never commits); the recipient reads its notifications and marks them
read.

Marking read is audited (`notification.read`, `notification.read_all`): it is the recipient's own
state, but "the executive had seen that the scenario waited" is a fact someone may need later,
and every state-changing route writes an audit event (tests/app/test_audit_walker.py). Marking
all read writes one event with the number marked, not one per notification.

Mail (with the setting smtp_url): each user chooses the kinds it wants by email (`MailSettings`,
default all). An area may mail a notification at once (`mail_at_once`: a campaign reminder); the
rest go out in a daily digest of the unread ones not mailed yet (`send_digests`, run by
`procure notifications digest` and the scheduler), at most one digest per user per day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.editing import insert_once
from procure.errors import ConflictError
from procure.extensions import db
from procure.mail import absolute_url, mail_configured, send_after_commit
from procure.notifications.models import (
    MAX_PER_PAGE,
    PER_PAGE,
    TITLE_LENGTH,
    MailSettings,
    Notification,
)
from procure.states import NotificationKind


def active_users(*roles: str, organization_id: int | None = None) -> list[User]:
    """The active users holding one of `roles`, in one organization or (None) in every one: the
    usual recipients of a notification."""
    statement = select(User).where(User.role.in_(roles), User.active.is_(True))
    if organization_id is not None:
        statement = statement.where(User.organization_id == organization_id)
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


def mail_settings_of(user: Any) -> MailSettings:
    """The user's mail settings as stored, or the defaults (every kind, no digest yet), unsaved."""
    stored = db.session.get(MailSettings, user.id)
    return stored if stored is not None else MailSettings(user_id=user.id, muted_kinds=[])


def email_kinds(user: Any) -> list[NotificationKind]:
    """The kinds of notification the user wants by email, in NotificationKind's order."""
    muted = set(mail_settings_of(user).muted_kinds or ())
    return [kind for kind in NotificationKind if kind not in muted]


def choose_email_kinds(user: User, kinds: Iterable[str]) -> MailSettings:
    """The user chooses which kinds it wants by email (the others are muted); audited."""
    wanted = {NotificationKind(kind) for kind in kinds}
    muted = [kind.value for kind in NotificationKind if kind not in wanted]
    settings = db.session.get(MailSettings, user.id)
    before = None if settings is None else sorted(settings.muted_kinds or ())
    if settings is None:
        settings = MailSettings(user_id=user.id, muted_kinds=muted)
        db.session.add(settings)
        insert_once(
            settings,
            ConflictError("Your mail settings were saved a moment ago elsewhere: reload the page."),
        )
    else:
        settings.muted_kinds = muted
    recipient = db.session.get(User, user.id)  # the row itself, not a current_user proxy
    record_event(
        "notification.mail_settings",
        recipient,
        actor=user,
        before=None if before is None else {"muted_kinds": before},
        after={"muted_kinds": muted},
    )
    db.session.flush()
    return settings


def mail_at_once(notifications: Sequence[Notification]) -> int:
    """Mail these notifications now (after the commit) to those of their recipients who want
    their kind by email, and mark them mailed, so no digest repeats them. Nothing without mail
    settings. How many mails were queued."""
    if not mail_configured():
        return 0
    queued = 0
    for notification in notifications:
        user = db.session.get_one(User, notification.user_id)
        if not user.active or notification.kind not in email_kinds(user):
            continue
        link = absolute_url(notification.link) if notification.link else None
        lines = [f"Hello {user.name},", "", notification.title, ""]
        if link:
            lines += [f"Open it: {link}", ""]
        lines += _mail_footer()
        send_after_commit(user.email, notification.title, "\n".join(lines) + "\n")
        notification.emailed_at = utcnow()
        queued += 1
    db.session.flush()
    return queued


def _mail_footer() -> list[str]:
    return [
        "--",
        "Choose which notifications impact-procure mails you: "
        + absolute_url(link_to("notification_pages.settings")),
    ]


def _unmailed_unread() -> Any:
    return (Notification.read_at.is_(None), Notification.emailed_at.is_(None))


def _claim_digest(user_id: int, today: date) -> bool:
    """Take the user's digest of `today`: True for the one caller that does, so parallel
    schedulers (one per worker host) send at most one digest per user and day."""
    table = cast(Table, MailSettings.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table)
        .values(user_id=user_id, muted_kinds=[], digest_sent_on=None, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=[table.c.user_id])
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
    return rowcount(claimed) == 1


def send_digests(today: date) -> int:
    """Mail each active user the unread notifications not mailed yet, of the kinds it wants by
    email, in one message; at most one digest per user per day (`today`, a UTC date), and none
    without mail settings or without anything to tell. The caller commits (the mail goes then).
    How many digests were queued."""
    if not mail_configured():
        return 0
    waiting = db.session.scalars(
        select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(*_unmailed_unread(), User.active.is_(True))
        .group_by(Notification.user_id)
        .order_by(Notification.user_id)
    ).all()
    sent = 0
    for user_id in waiting:
        user = db.session.get_one(User, user_id)
        wanted = email_kinds(user)
        notifications = list(
            db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user_id,
                    *_unmailed_unread(),
                    Notification.kind.in_(wanted),
                )
                .order_by(Notification.created_at.desc(), Notification.id.desc())
            )
        )
        if not notifications or not _claim_digest(user_id, today):
            continue
        _queue_digest(user, notifications)
        sent += 1
    db.session.flush()
    return sent


def _queue_digest(user: User, notifications: list[Notification]) -> None:
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
    send_after_commit(
        user.email,
        f"impact-procure: {count} unread notification{plural}",
        "\n".join(lines) + "\n",
    )
    now = utcnow()
    for notification in notifications:
        notification.emailed_at = now
