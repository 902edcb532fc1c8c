"""In-app notifications: what waits for whom. Other areas call `notify` inside their own unit of
work (it adds and flushes, never commits); the recipient reads its notifications and marks them
read.

Marking read is audited (`notification.read`, `notification.read_all`): it is the recipient's own
state, but "the executive had seen that the scenario waited" is a fact someone may need later,
and every state-changing route writes an audit event (tests/app/test_audit_walker.py). Marking
all read writes one event with the number marked, not one per notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.extensions import db
from procure.notifications.models import MAX_PER_PAGE, PER_PAGE, TITLE_LENGTH, Notification
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
