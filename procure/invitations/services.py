"""Invitations: a buyer invites a vendor by email with a one-time link; through it the vendor
registers its organization and first user, or joins with the organization it has.

The link carries a secret that is stored only as its SHA-256, so it is shown (or mailed) once.
An invitation is used at most once: acceptance claims it with one conditional UPDATE, so of two
requests with the same link one wins and the other is told the link is used. Services flush;
the request commits (and only then is the mail sent: procure.mail).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request, url_for
from sqlalchemy import Select, select, update

from procure.accounts.models import Organization, User
from procure.accounts.services import normalise_email, register_organization
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.invitations.signals import invitation_accepted
from procure.mail import Outgoing, mail_configured, send_after_commit
from procure.notifications.services import link_to, notify
from procure.paging import Page, page_of_rows
from procure.states import InvitationState, NotificationKind

MAX_MESSAGE_LENGTH = 2000
# what an address needs to be mailed: one @, something on each side, a dot in the domain, and
# no spaces or control characters (which would also break the mail's headers)
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
# who may accept: a user of a vendor organization who keeps its records or administers it
JOINING_ROLES = ("admin", "vendor")


class InvitationUnusable(Exception):
    """The link cannot be used: unknown (404), or expired, used or revoked (410). Nothing is
    created; the page says why and what to do."""

    def __init__(self, code: int, state: str, message: str, invitation: Invitation | None = None):
        super().__init__(message)
        self.code = code
        self.state = state  # "unknown" or an InvitationState
        self.message = message
        self.invitation = invitation


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def email_refusal(email: str) -> str | None:
    """Why a (normalised) address cannot be invited, or None when it can be mailed."""
    if len(email) > 254 or not _EMAIL.match(email):
        return "Enter the vendor's email address, such as ops@vendor.example."
    return None


def create_invitation(inviter: User, email: str, message: str | None) -> tuple[Invitation, str]:
    """A new invitation from the inviter's buyer organization to `email`, valid for the setting
    invitation_days. Returns it with the link's secret, which is never stored. ValidationFailed
    names `email` or `message`."""
    email = normalise_email(email or "")
    message = (message or "").strip() or None
    errors: dict[str, list[str]] = {}
    if refusal := email_refusal(email):
        errors["email"] = [refusal]
    if message is not None and len(message) > MAX_MESSAGE_LENGTH:
        errors["message"] = [f"Keep the message to {MAX_MESSAGE_LENGTH} characters."]
    if errors:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        organization_id=inviter.organization_id,
        invited_by=inviter,
        email=email,
        message=message,
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    record_event(
        "invitation.create",
        invitation,
        actor=inviter,
        after={"email": email, "expires_at": invitation.expires_at, "by_mail": mail_configured()},
    )
    db.session.flush()
    return invitation, secret


def invitation_link(secret: str) -> str:
    """The link to send: the setting public_url (or this request's address) and the page's path."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("invitation_pages.accept", token=secret)


def mail_invitation(invitation: Invitation, link: str) -> Outgoing | None:
    """Queue the invitation's mail, sent when the request commits; None without mail settings
    (the buyer sends the link)."""
    if not mail_configured():
        return None
    inviter = invitation.invited_by
    organization = invitation.organization.name
    lines = [
        f"{inviter.name} of {organization} invites you to impact-procure, where vendors show the",
        "buyers they work for the people they employ, what they pay them and how they train them.",
        "",
    ]
    if invitation.message:
        lines += [f"{inviter.name} writes:", ""]
        lines += [f"> {line}" for line in invitation.message.splitlines()] + [""]
    until = f"It works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC:"
    owner = address_owner(invitation)
    if owner is None:
        lines += [
            "Register your organization, or join with the one you already have on impact-procure,",
            f"through this link. {until}",
        ]
    elif owner.organization.kind == "vendor":  # only the address's owner reads this
        lines += [
            f"You have an account on impact-procure with this address: sign in to accept for "
            f"{owner.organization.name},",
            f"then open this link. {until}",
        ]
    else:  # what it can do for this account is said at the link, to its owner only
        lines += [
            "You have an account on impact-procure with this address: sign in, then open this",
            f"link. {until}",
        ]
    lines += [
        "",
        link,
        "",
        "If you did not expect this invitation, you can ignore this message.",
    ]
    return send_after_commit(
        invitation.email,
        f"{organization} invites you to impact-procure",
        "\n".join(lines) + "\n",
        reported=True,  # the answer says whether it went, or shows the link instead
    )


def mail_invitation_again(invitation: Invitation) -> Outgoing | None:
    """Queue a mail saying what a pending invitation carries now (its message, rewritten when it
    was reused for one more sourcing event), sent when the request commits; without the link,
    which went out with the first mail and is not stored. None without mail settings."""
    if not mail_configured():
        return None
    inviter = invitation.invited_by
    organization = invitation.organization.name
    lines = [f"{inviter.name} of {organization} adds to their invitation to impact-procure:", ""]
    lines += [f"> {line}" for line in (invitation.message or "").splitlines()] + [""]
    lines += [
        "Register your organization, or join with the one you already have on impact-procure,",
        "through the link of their first message. It works once, until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
        "",
        "If you did not expect this invitation, you can ignore this message.",
    ]
    return send_after_commit(
        invitation.email,
        f"{organization} adds to its invitation to impact-procure",
        "\n".join(lines) + "\n",
        reported=True,
    )


def page_of(
    statement: Select,
    page: int,
    per_page: int,
    state: InvitationState | None = None,
) -> Page[Invitation]:
    """One page of the invitations `statement` selects (the caller's scoped select), newest
    first, optionally only those in `state` now."""
    if state is not None:
        statement = statement.where(Invitation.in_state(state, utcnow()))
    return page_of_rows(
        statement.order_by(Invitation.created_at.desc(), Invitation.id.desc()), page, per_page
    )


def _still_pending(invitation: Invitation, now: datetime) -> Any:
    return (Invitation.id == invitation.id) & Invitation.in_state(InvitationState.PENDING, now)


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    """Withdraw a pending invitation: its link stops working at once. ConflictError (409) when
    it is accepted, revoked or expired already (also when the invitee was first)."""
    now = utcnow()
    revoked = db.session.execute(
        update(Invitation)
        .where(_still_pending(invitation, now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invitation)
    if rowcount(revoked) != 1:
        raise ConflictError(
            f"The invitation to {invitation.email} is {invitation.state_at(now)}: only a pending "
            "invitation can be revoked."
        )
    record_event(
        "invitation.revoke",
        invitation,
        actor=actor,
        before={"state": InvitationState.PENDING},
        after={"state": InvitationState.REVOKED, "revoked_at": now},
    )
    db.session.flush()


def usable_invitation(secret: str) -> Invitation:
    """The pending invitation of a link's secret; InvitationUnusable when the link is unknown,
    expired, used or revoked."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(secret))
    )
    if invitation is None:
        raise InvitationUnusable(
            404,
            "unknown",
            "This invitation link is not known. Check that you opened the whole link from the "
            "message, or ask the buyer who invited you to send it again.",
        )
    state = invitation.state
    if state == InvitationState.PENDING:
        return invitation
    buyer = invitation.organization.name
    if state == InvitationState.EXPIRED:
        message = (
            f"This invitation expired on {invitation.expires_at:%Y-%m-%d} without being used. "
            f"Ask {buyer} to invite you again."
        )
    elif state == InvitationState.ACCEPTED:
        message = (
            f"This invitation was already used, on {invitation.accepted_at:%Y-%m-%d}: a link "
            "works once. If you registered through it, sign in; otherwise ask the administrator "
            f"of your organization to add you, or ask {buyer} for an invitation of your own."
        )
    else:
        message = (
            f"{buyer} withdrew this invitation. Ask them for a new one if you still expect to "
            "work with them."
        )
    raise InvitationUnusable(410, state, message, invitation)


def address_owner(invitation: Invitation) -> User | None:
    """The user whose email is the invited address, if any. Told only to that address (its mail)
    or to that user (signed in at the link): never to the inviting buyer, since it would tell
    one tenant another's users."""
    return db.session.scalar(select(User).where(User.email == invitation.email))


def owner_refusal(invitation: Invitation, user: Any) -> str | None:
    """Why the signed-in user, the invited address's owner, cannot accept: its organization is
    not a vendor (a buyer, backbone, operator or assurer cannot bid). None for anyone else,
    anonymous visitors included: the link may be in the inviting buyer's hands (shown to it
    without mail settings), and the page must not tell it whether the address has an account."""
    if not user.is_authenticated or user.email != invitation.email:
        return None
    organization: Organization = user.organization
    if organization.kind == "vendor":
        return None
    return (
        f"{invitation.organization.name} invited {invitation.email}, your address, to bid as a "
        f"vendor. Your account belongs to {organization.name}, a {organization.kind} "
        "organization, which cannot bid: it cannot accept this invitation, and nothing was "
        f"changed. {invitation.organization.name} sees the invitation as pending until it "
        "expires. If you also work for a vendor organization, ask "
        f"{invitation.organization.name} to invite an address of that vendor's."
    )


def joining_organization(user: Any) -> Organization | None:
    """The organization a signed-in user may accept an invitation for: its own, when it is a
    vendor organization the user keeps or administers. None for anyone else (and anonymous)."""
    if not user.is_authenticated or user.role not in JOINING_ROLES:
        return None
    organization: Organization = user.organization
    return organization if organization.kind == "vendor" else None


def register_vendor(
    invitation: Invitation, organization_name: str, name: str, email: str, password: str
) -> User:
    """Accept through the link by creating a vendor organization and its first user, its admin;
    all or nothing. ValidationFailed names `organization_name`, `name`, `email` or `password`;
    InvitationUnusable (410) when another request used or revoked the link first."""
    organization, admin = register_organization(organization_name, "vendor", email, name, password)
    _accept(invitation, organization, admin, registered=True)
    return admin


def join_vendor(invitation: Invitation, user: User) -> Organization:
    """Accept through the link for the signed-in user's own vendor organization. ConflictError
    when the user may not (not a vendor organization's user or admin; the invited address's
    owner is told why its organization cannot)."""
    if refusal := owner_refusal(invitation, user):
        raise ConflictError(refusal)
    organization = joining_organization(user)
    if organization is None:
        raise ConflictError(
            "An invitation is accepted for a vendor organization, by its administrator or one of "
            "its vendor users. Sign out to register a new vendor organization through this link."
        )
    _accept(invitation, organization, user, registered=False)
    return organization


def _accept(invitation: Invitation, organization: Organization, user: User, registered: bool):
    now = utcnow()
    claimed = db.session.execute(
        update(Invitation)
        .where(_still_pending(invitation, now))
        .values(accepted_at=now, accepted_organization_id=organization.id, accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invitation)
    if rowcount(claimed) != 1:  # used, revoked or expired since the page was read
        raise InvitationUnusable(
            410,
            invitation.state_at(now),
            "This invitation was used or withdrawn a moment ago, or has just expired: nothing was "
            "created. Ask the buyer who invited you for a new one.",
            invitation,
        )
    record_event(
        "invitation.accept",
        invitation,
        actor=user,
        after={
            "state": InvitationState.ACCEPTED,
            "organization_id": organization.id,
            "organization": organization.name,
            "registered": registered,
        },
        # the invitation is the inviting organization's record: its audit trail tells the end
        organization_id=invitation.organization_id,
    )
    _notify_inviter(invitation, organization)
    invitation_accepted.send(invitation, organization=organization)
    db.session.flush()


def _notify_inviter(invitation: Invitation, organization: Organization) -> None:
    """Tell the buyer who sent the invitation that it was accepted (in-app notifications)."""
    notify(
        [invitation.invited_by],
        NotificationKind.INVITATION_ACCEPTED,
        f"{organization.name} accepted your invitation to {invitation.email}",
        link=link_to("invitation_pages.index"),
        subject=invitation,
    )
