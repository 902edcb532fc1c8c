"""Which kinds of notification each user gets by email: it chooses among the kinds its role
receives (`RECIPIENT_ROLES`), on its mail settings page or through the API; the choice is stored
as the kinds it does not want (`MailSettings.muted_kinds`), so a user who never chose gets every
kind. Services flush; the request commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from procure.access import roles
from procure.accounts.models import User
from procure.audit.services import record_event
from procure.editing import insert_once
from procure.errors import ConflictError
from procure.extensions import db
from procure.notifications.models import RECIPIENT_ROLES, MailSettings
from procure.states import NotificationKind


def mail_settings_of(user: Any) -> MailSettings:
    """The user's mail settings as stored, or the defaults (every kind, no digest yet), unsaved."""
    stored = db.session.get(MailSettings, user.id)
    return stored if stored is not None else MailSettings(user_id=user.id, muted_kinds=[])


def receivable_kinds(user: Any) -> list[NotificationKind]:
    """The kinds of notification the user's role receives (RECIPIENT_ROLES), in
    NotificationKind's order: those it chooses among by email."""
    return [kind for kind in NotificationKind if roles(*RECIPIENT_ROLES[kind]).admits(user)]


def muted_kinds(user: Any) -> set[str]:
    """The kinds the user chose not to get by email. Every other kind is mailed: also one
    outside its role's (the submitter of a scenario whose role changed since is told of the
    decision), which the user cannot choose, since it was never offered."""
    return set(mail_settings_of(user).muted_kinds or ())


def email_kinds(user: Any) -> list[NotificationKind]:
    """The kinds of its role the user wants by email, in NotificationKind's order."""
    muted = muted_kinds(user)
    return [kind for kind in receivable_kinds(user) if kind not in muted]


def choose_email_kinds(user: User, kinds: Iterable[str]) -> MailSettings:
    """The user chooses which kinds of its role it wants by email (the others of its role are
    muted; the schema refuses a kind its role does not receive); audited."""
    wanted = {NotificationKind(kind) for kind in kinds}
    muted = [kind.value for kind in receivable_kinds(user) if kind not in wanted]
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
