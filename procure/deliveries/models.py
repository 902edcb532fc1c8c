"""Deliveries: what a buyer organization's approved plan actually bought, month by month.

A scenario's allocation is per vendor *and* need, and needs are bought in different units
(hour, item, task), so one row is one vendor's work on one need in one calendar month of an
approved scenario: the volume delivered (in the need's unit) and the amount invoiced for it.
`month` is the first day of the month. A second row for the same scenario, vendor, need and
month is never added: recording it again replaces the figures (a correction, with its before
and after in the audit log), so the unique constraint holds the one current figure.

The invoiced amount keeps its currency, and its value in US dollars is stored as converted
when it was recorded: at the rate in force on the month's last day (`usd_rate`, `rate_date`),
by the one conversion rule offers use (procure.disclosures.pricing.usd_rates).

Who reads what: the scenario's own buyer organization (its buyers record and correct, its
executives and admin read); nobody else sees a delivery, not another buyer, not a vendor (not
even the vendor delivered by), not the operator, not an assurer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import User
from procure.db import Base, TimestampMixin
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.vendors.models import Vendor

# the buyer side that reads deliveries: its buyers and executives (a buyer organization's admin
# reads as an executive)
READING_SIDE = ("buyer", "executive")


class Delivery(TimestampMixin, Base):
    """One vendor's delivered volume of one need of an approved scenario in one month, and the
    amount invoiced for it (`invoiced_usd`: in US dollars, as converted when recorded)."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("scenario_id", "vendor_id", "need_id", "month", name="uq_delivery_key"),
        CheckConstraint("delivered_volume >= 0", name="delivered_volume_not_negative"),
        CheckConstraint("invoiced_amount >= 0", name="invoiced_amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    month: Mapped[date]  # its first day
    delivered_volume: Mapped[float]  # in the need's unit
    invoiced_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    invoiced_usd: Mapped[float]
    usd_rate: Mapped[float]  # US dollars per unit of `currency` (1 for USD)
    rate_date: Mapped[date]  # the day the rate was in force from (the month's last day for USD)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    scenario: Mapped[Scenario] = relationship()
    vendor: Mapped[Vendor] = relationship()
    need: Mapped[Need] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """The scenario's buyer organization's buyers, executives and admin; nobody else."""
        if not user.is_authenticated or user.reads_as not in READING_SIDE:
            return false()
        return cls.organization_id == user.organization_id
