"""Sourcing events: a buyer organization's needs put out to bid (lots), the vendors it invites,
and their bids.

Who reads what is the point of this module. An event belongs to its buyer organization: its
buyers, executives and admin read it; an invited vendor reads it once it is published. A bid
belongs to its vendor, which reads its own at any time; the buyer side reads the bids of its
event only once they are unsealed (`BIDS_UNSEALED`): the event is closed, or it was published
without sealing. Nobody else reads a bid: not another vendor, not the operator, not an assurer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.invitations.models import Invitation
from procure.needs.models import Need
from procure.states import EventState, check_in
from procure.vendors.categories import UNITS
from procure.vendors.models import MAX_HOURS_PER_UNIT, Vendor

# the buyer side of an event: its organization's buyers (who run it), executives and admin
BUYER_SIDE = ("buyer", "executive")


def _buyer_side(user) -> bool:
    return user.is_authenticated and user.reads_as in BUYER_SIDE


class SourcingEvent(Base):
    """A buyer organization's round of bids: lots (its needs), the vendors invited, a deadline
    (UTC) and its rules. `state` is stored (EventState); each change is one more `version`."""

    __tablename__ = "sourcing_event"
    __table_args__ = (
        CheckConstraint(check_in("state", EventState), name="state"),
        CheckConstraint("min_quality >= 0 AND min_quality <= 1", name="min_quality_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    # bids are taken until this moment (UTC), not at it
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    # sealed: the buyer side reads no bid before the event is closed
    sealed: Mapped[bool] = mapped_column(Boolean, default=True)
    min_quality: Mapped[float | None]
    # the least effective evidence level asked of bidders (scoring.fields.EVIDENCE_LEVELS): an
    # award scenario leaves out the bids of a bidder short of it (procure.awards.evidence_rule)
    evidence_required: Mapped[str | None] = mapped_column(String(40))
    # once awarded, a bidder given no volume reads its rank band per lot (awards.services)
    show_rank_bands: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(20), default=EventState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # closed or cancelled
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    lots: Mapped[list[EventLot]] = relationship(back_populates="event", order_by="EventLot.id")
    invited: Mapped[list[EventVendor]] = relationship(
        back_populates="event", order_by="EventVendor.id"
    )
    # vendors not on the platform, invited by email (they join as invited vendors on accepting)
    invited_by_email: Mapped[list[EventInvitation]] = relationship(
        back_populates="event", order_by="EventInvitation.id"
    )
    withdrawals: Mapped[list[LotWithdrawal]] = relationship(order_by="LotWithdrawal.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def bids_unsealed(self) -> bool:
        """Whether the buyer side reads this event's bids: closed, or published unsealed."""
        return self.state == EventState.CLOSED or (
            not self.sealed and self.state == EventState.PUBLISHED
        )

    @classmethod
    def scope(cls, user):
        """The buyer organization's buyers, executives and admin see all its events; a vendor's
        users (and its admin) see the events that invited their vendor, or invited by email the
        address whose invitation their organization accepted, once published; nobody else sees
        any."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return and_(
                cls.state != EventState.DRAFT,
                or_(
                    cls.invited.any(
                        EventVendor.vendor.has(Vendor.organization_id == user.organization_id)
                    ),
                    cls.invited_by_email.any(
                        EventInvitation.invitation.has(
                            Invitation.accepted_organization_id == user.organization_id
                        )
                    ),
                ),
            )
        if _buyer_side(user):
            return cls.organization_id == user.organization_id
        return false()


class EventLot(Base):
    """One need of the event, as it stood when the event was made: bids are made against these
    figures, so a later edit of the need does not move what vendors bid on."""

    __tablename__ = "event_lot"
    __table_args__ = (
        UniqueConstraint("event_id", "need_id", name="uq_event_lot_need"),
        CheckConstraint("volume > 0", name="volume_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    service_category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(10))
    volume: Mapped[float]
    period_start: Mapped[date]
    period_end: Mapped[date]

    event: Mapped[SourcingEvent] = relationship(back_populates="lots")
    need: Mapped[Need] = relationship()


class EventVendor(Base):
    """A vendor on the platform invited to bid on every lot of an event."""

    __tablename__ = "event_vendor"
    __table_args__ = (UniqueConstraint("event_id", "vendor_id", name="uq_event_vendor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[SourcingEvent] = relationship(back_populates="invited")
    vendor: Mapped[Vendor] = relationship()


class EventInvitation(Base):
    """A vendor not on the platform invited to the event by email (and a company name), through
    an invitation of the buyer organization (procure.invitations; one invitation may carry
    several events). Once the invitation is accepted, the accepting vendor organization reads
    the event as an invited vendor; it bids once it has its vendor profile (its `EventVendor`
    row is added then, or at once when it has one)."""

    __tablename__ = "event_invitation"
    __table_args__ = (UniqueConstraint("event_id", "invitation_id", name="uq_event_invitation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[SourcingEvent] = relationship(back_populates="invited_by_email")
    invitation: Mapped[Invitation] = relationship()


class LotWithdrawal(Base):
    """When a vendor last withdrew its bid on one lot, and which bid (the bid row goes, its
    figures stay in the audit log). Per lot: the vendor stays in the event's other lots. The
    buyer side reads the vendor's status on that lot as "withdrawn" while it has no bid there; a
    new bid on the lot reads "bid" again, and the moment stays. `bid_id` answers a second press
    of Withdraw on that bid (409, `refuse_withdrawing_again`)."""

    __tablename__ = "event_lot_withdrawal"
    __table_args__ = (UniqueConstraint("lot_id", "vendor_id", name="uq_event_lot_withdrawal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("event_lot.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the bid withdrawn last (no foreign key: its row is gone); null when withdrawn before 0048
    # without an audit event naming it
    bid_id: Mapped[int | None] = mapped_column(index=True)

    lot: Mapped[EventLot] = relationship()


class Bid(Base):
    """A vendor's current bid on one lot: one per vendor and lot, amended in place (with its
    version) until the deadline; each amendment's before and after figures are in the audit log,
    which the vendor's organization reads. `price` is per unit of the lot, in `currency`;
    `capacity` the units the vendor can deliver in the lot's period."""

    __tablename__ = "bid"
    __table_args__ = (
        UniqueConstraint("lot_id", "vendor_id", name="uq_bid_lot_vendor"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            f"hours_per_unit > 0 AND hours_per_unit <= {MAX_HOURS_PER_UNIT:g}",
            name="hours_per_unit_range",
        ),
        CheckConstraint(
            "unit IN ({})".format(", ".join(f"'{unit}'" for unit in UNITS)), name="unit_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("event_lot.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    unit: Mapped[str] = mapped_column(String(10))
    hours_per_unit: Mapped[float]
    capacity: Mapped[float]
    valid_until: Mapped[date]
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    event: Mapped[SourcingEvent] = relationship()
    lot: Mapped[EventLot] = relationship()
    vendor: Mapped[Vendor] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """A vendor's users (and admin) see their own vendor's bids, always; the buyer side
        sees the bids of its organization's events once they are unsealed (closed, or published
        unsealed). Nobody else sees any bid."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        if _buyer_side(user):
            return cls.event.has(
                and_(
                    SourcingEvent.organization_id == user.organization_id,
                    or_(
                        SourcingEvent.state == EventState.CLOSED,
                        and_(
                            SourcingEvent.sealed.is_(False),
                            SourcingEvent.state == EventState.PUBLISHED,
                        ),
                    ),
                )
            )
        return false()
