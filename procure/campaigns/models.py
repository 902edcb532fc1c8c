from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.invitations.models import Invitation
from procure.vendors.models import Vendor

# The roles that see their buyer organization's campaigns: its buyers, who start them and remind
# the late vendors, and its admin (as with invitations, which a campaign sends).
CAMPAIGN_READERS = ("buyer", "admin")


class Campaign(Base):
    """A buyer organization's request to vendors for their disclosure of one reporting period,
    by a deadline (a date, UTC, the last day to submit). Each vendor asked is a CampaignRequest;
    where each stands is read from its invitation and disclosures, never stored."""

    __tablename__ = "campaign"
    __table_args__ = (CheckConstraint("period_end > period_start", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    # the disclosure period asked for, as disclosures name theirs (a year: 1 Jan to 31 Dec)
    period_start: Mapped[date]
    period_end: Mapped[date]
    deadline: Mapped[date]
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # closed by its buyer: no more reminders and no vendors added, until it is reopened
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # each edit (title, message, deadline) and each close or reopen is one more version
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    requests: Mapped[list[CampaignRequest]] = relationship(
        back_populates="campaign", order_by="CampaignRequest.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @classmethod
    def scope(cls, user):
        """The buyer organization's buyers and admin; nobody else: not another buyer, not a vendor
        (which sees its own CampaignRequest), not the operator."""
        if not user.is_authenticated or user.role not in CAMPAIGN_READERS:
            return false()
        return cls.organization_id == user.organization_id


class CampaignRequest(Base):
    """One vendor asked by a campaign: an existing vendor (`vendor_id`), or an email invited to
    the platform (`invitation_id`), which becomes a vendor once it registers through the link.
    `reminded_on` is the last day (UTC) a reminder named it, `reminders` how many did."""

    __tablename__ = "campaign_request"
    __table_args__ = (
        CheckConstraint(
            "(vendor_id IS NULL) <> (invitation_id IS NULL)", name="vendor_or_invitation"
        ),
        UniqueConstraint("campaign_id", "vendor_id", name="uq_campaign_request_vendor"),
        UniqueConstraint("campaign_id", "invitation_id", name="uq_campaign_request_invitation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendor.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_on: Mapped[date | None]
    reminders: Mapped[int] = mapped_column(default=0, server_default="0")

    campaign: Mapped[Campaign] = relationship(back_populates="requests")
    vendor: Mapped[Vendor | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()

    @classmethod
    def scope(cls, user):
        """The asking buyer organization's buyers and admin see every request of its campaigns;
        a vendor's users (and its organization's admin) see the requests to their own
        organization, asked directly or through an invitation it accepted, and no other
        vendor's; nobody else sees any."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return or_(
                cls.vendor.has(Vendor.organization_id == user.organization_id),
                cls.invitation.has(Invitation.accepted_organization_id == user.organization_id),
            )
        if user.role in CAMPAIGN_READERS:
            return cls.campaign.has(Campaign.organization_id == user.organization_id)
        return false()


class VendorReminderDay(Base):
    """The last day (UTC) a vendor was reminded of any campaign: a vendor organization, or an
    address invited and not registered yet. Whoever claims the day first (a conditional UPDATE)
    sends that vendor's one reminder of the day, naming every campaign due, so two campaigns
    (of one buyer or two) never remind a vendor twice on one day, even from two hosts."""

    __tablename__ = "vendor_reminder_day"
    __table_args__ = (
        CheckConstraint(
            "(organization_id IS NULL) <> (email IS NULL)", name="organization_or_email"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    reminded_on: Mapped[date | None]
