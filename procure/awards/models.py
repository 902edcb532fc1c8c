"""Awards: the approved scenario of a closed sourcing event, and what it gives each vendor.

An event has at most one award (`Award.event_id` is unique): the scenario an executive approved
from the event's bids. Its lines (`AwardLine`) are written once, at approval, from the frozen
result and problem documents: one per vendor and lot with volume, holding the volume in the
lot's unit, the vendor's own bid price and currency, and the lot's period. A line holds nothing
of the buyer's: no budget, no other vendor's figures, no US dollar cost of the plan.

Who reads what: the buyer side of the event's organization (its buyers, executives and admin)
reads the award and every line; a vendor's users (and its admin) read their own vendor's lines,
and that an event they were invited to was awarded; nobody else reads any.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.events.models import BUYER_SIDE, Bid, EventLot, EventVendor, SourcingEvent
from procure.vendors.models import Vendor


class Award(Base):
    """A closed event's award: the approved scenario that placed its lots with the bidders."""

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    # one award per event, and a scenario awards one event (procure.scenarios, which sits above
    # this area, reads the scenario: no relationship to it from here)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), unique=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), unique=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    organization: Mapped[Organization] = relationship()
    event: Mapped[SourcingEvent] = relationship()
    awarded_by: Mapped[User] = relationship()
    lines: Mapped[list[AwardLine]] = relationship(back_populates="award", order_by="AwardLine.id")

    @classmethod
    def scope(cls, user):
        """The buyer side of the event's organization; the users of a vendor the event invited
        (that it was awarded, not to whom); nobody else."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.event.has(
                SourcingEvent.invited.any(
                    EventVendor.vendor.has(Vendor.organization_id == user.organization_id)
                )
            )
        if user.reads_as in BUYER_SIDE:
            return cls.organization_id == user.organization_id
        return false()


VOLUME_PLACES = 2
"""Decimals of a volume as an award shows and exports it (the solver's 8750.000728 hours is
8,750.00; `AwardLine.volume` keeps the figure as solved)."""
CENT = Decimal("0.01")


class AwardLine(Base):
    """One vendor's award on one lot: `volume` in the lot's `unit` over the lot's period, at the
    vendor's own bid `price` per unit in its `currency` (as it bid it, unconverted)."""

    __tablename__ = "award_line"
    __table_args__ = (
        UniqueConstraint("award_id", "bid_id", name="uq_award_line_bid"),
        CheckConstraint("volume > 0", name="volume_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("event_lot.id"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    volume: Mapped[float]
    unit: Mapped[str] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[date]
    period_end: Mapped[date]

    award: Mapped[Award] = relationship(back_populates="lines")
    event: Mapped[SourcingEvent] = relationship()
    lot: Mapped[EventLot] = relationship()
    vendor: Mapped[Vendor] = relationship()
    bid: Mapped[Bid] = relationship()

    @property
    def shown_volume(self) -> float:
        """The volume as the award shows and exports it: to 2 decimals (`VOLUME_PLACES`)."""
        return round(self.volume, VOLUME_PLACES)

    @property
    def amount(self) -> Decimal:
        """What the line is worth at the vendor's own price, in its currency, to the cent: the
        volume shown × the price, so that a sheet's figures multiply out as printed."""
        worth = self.price * Decimal(str(self.shown_volume))
        return worth.quantize(CENT, rounding=ROUND_HALF_UP)

    @classmethod
    def scope(cls, user):
        """A vendor's users (and its admin) read their own vendor's lines; the buyer side of the
        event's organization reads every line of its awards; nobody else reads any."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        if user.reads_as in BUYER_SIDE:
            return cls.award.has(Award.organization_id == user.organization_id)
        return false()
