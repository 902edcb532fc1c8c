from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from procure.db import Base, UTCDateTime, utcnow
from procure.states import NotificationKind, check_in

TITLE_LENGTH = 300
LINK_LENGTH = 500
# a page of the list, on the page and in the API (which takes per_page up to MAX_PER_PAGE)
PER_PAGE = 50
MAX_PER_PAGE = 200

# Who receives each kind, by role, as the areas that notify choose their recipients; a role is
# read as an access rule reads it (procure.access), so a vendor organization's admin, who acts as
# its vendor, receives the vendor's kinds, and a buyer organization's admin only its
# organization's coalition invitations and coalition posts. A user chooses
# by email among the kinds of its role only (the settings page and API). The one exception the
# areas make: whoever submitted a scenario is told of the decision even if its role changed since.
RECIPIENT_ROLES: dict[NotificationKind, tuple[str, ...]] = {
    NotificationKind.DISCLOSURE_SUBMITTED: ("buyer",),  # every buyer reviews (procure.disclosures)
    NotificationKind.REVIEW_DECIDED: ("vendor",),
    NotificationKind.SCENARIO_SUBMITTED: ("executive",),
    NotificationKind.SCENARIO_DECIDED: ("buyer",),
    NotificationKind.CAMPAIGN_REQUEST: ("vendor",),
    NotificationKind.CAMPAIGN_REMINDER: ("vendor",),
    NotificationKind.INVITATION_ACCEPTED: ("buyer",),  # only a buyer invites
    NotificationKind.ASSURANCE_SHARED: ("assurer",),  # and an assurance provider's admin
    NotificationKind.ATTESTATION_ISSUED: ("vendor",),
    # the vendor, and every buyer (every buyer organization sees every vendor, and scored it)
    NotificationKind.ATTESTATION_WITHDRAWN: ("vendor", "buyer"),
    NotificationKind.EVENT_PUBLISHED: ("vendor",),  # procure.events: the invited vendors
    NotificationKind.EVENT_CLOSED: ("vendor",),
    NotificationKind.EVENT_AWARDED: ("vendor",),  # procure.awards: the vendors with volume
    # procure.coalitions: an invited buyer organization's executives and admin; the backbone's
    # coordinators (and its admin); the members' buyer side
    NotificationKind.COALITION_INVITATION: ("executive", "admin"),
    NotificationKind.COALITION_ANSWER: ("coordinator",),
    NotificationKind.COALITION_POST: ("buyer", "executive", "admin"),
    # procure.corrective: the vendor a plan is on (opened, closed); the plan's buyers (answered)
    NotificationKind.CORRECTIVE_OPENED: ("vendor",),
    NotificationKind.CORRECTIVE_ANSWERED: ("buyer",),
    NotificationKind.CORRECTIVE_CLOSED: ("vendor",),
}


class Notification(Base):
    """One thing that waits for one user: a disclosure to review, a scenario to decide, a review
    or a decision to read. It belongs to its recipient alone; `read_at` is the recipient's own
    mark.

    `link` is an app-relative URL (no host, no script root: "/disclosures/12") of the page where
    the work waits; `subject_type`/`subject_id` name the record it is about.
    """

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(check_in("kind", NotificationKind), name="kind"),
        # the list page (newest first) and the unread count in the navigation, per recipient
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    link: Mapped[str | None] = mapped_column(String(LINK_LENGTH))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # when it went out by mail (at once, or in a daily digest): a digest never repeats it
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @classmethod
    def scope(cls, user):
        """A user sees its own notifications only: not a colleague's, not even as its
        organization's admin or as the operator."""
        if not user.is_authenticated:
            return false()
        return cls.user_id == user.id


class MailSettings(Base):
    """One user's choices about mail: the notification kinds it does not want by email (default:
    none, so every kind is mailed), and the day its last daily digest went out (taken before the
    sending, so that two schedulers send one; given back when the server refuses it). A user
    without a row has the defaults; the row is written when the user chooses, or its first
    digest goes."""

    __tablename__ = "mail_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    digest_sent_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @classmethod
    def scope(cls, user):
        """A user's own settings only."""
        if not user.is_authenticated:
            return false()
        return cls.user_id == user.id
