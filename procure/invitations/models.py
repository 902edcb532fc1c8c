from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, String, Text, and_, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.states import InvitationState

# The roles that see their organization's invitations: its buyers, who send them, and its admin.
INVITATION_READERS = ("buyer", "admin")


class Invitation(Base):
    """A buyer organization's invitation to a vendor, sent to one email address as a one-time
    link. Only the SHA-256 of the link's secret is stored: the secret is shown (or mailed) once.
    The state is read from the times (`state`), never written."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint("accepted_at IS NULL OR revoked_at IS NULL", name="accepted_or_revoked"),
        CheckConstraint(
            "(accepted_at IS NULL AND accepted_organization_id IS NULL) OR "
            "(accepted_at IS NOT NULL AND accepted_organization_id IS NOT NULL)",
            name="accepted_by_an_organization",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the inviting buyer organization, and the buyer who sent it
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the vendor organization that registered or joined through the link, and the user who did
    accepted_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
    accepted_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[accepted_organization_id]
    )
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    def state_at(self, now: datetime) -> InvitationState:
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def state(self) -> InvitationState:
        return self.state_at(utcnow())

    @classmethod
    def in_state(cls, state: InvitationState, now: datetime) -> ColumnElement[bool]:
        """The SQL condition of `state` at `now` (the same rule as `state_at`)."""
        open_ = and_(cls.accepted_at.is_(None), cls.revoked_at.is_(None))
        return {
            InvitationState.REVOKED: cls.revoked_at.is_not(None),
            InvitationState.ACCEPTED: cls.accepted_at.is_not(None),
            InvitationState.EXPIRED: and_(open_, cls.expires_at <= now),
            InvitationState.PENDING: and_(open_, cls.expires_at > now),
        }[state]

    @classmethod
    def scope(cls, user):
        """The inviting buyer organization's buyers and admin; nobody else: not its executives,
        not the invited vendor (which holds only the link), not the operator."""
        if not user.is_authenticated or user.role not in INVITATION_READERS:
            return false()
        return cls.organization_id == user.organization_id
