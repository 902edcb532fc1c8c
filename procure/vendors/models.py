from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    cast,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.elements import ColumnElement

from procure.accounts.models import NAME_KEY_LENGTH, NO_VENDOR_READS, Organization
from procure.accounts.names import name_key
from procure.db import Base, TimestampMixin


class Vendor(TimestampMixin, Base):
    """A vendor organization's public profile. One per vendor organization.

    Its capacity is labour hours per month, shared by all its work (every offer, every need):
    `capacity_hours_per_month` until the first of its `capacity_changes`, each of which holds
    from its month onward. None is "not stated": no limit. Read it with
    procure.vendors.capacity.vendor_hours_by_month."""

    __tablename__ = "vendor"
    __table_args__ = (
        CheckConstraint("capacity_hours_per_month >= 0", name="capacity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # name_key(name), as organization names have theirs: two vendors whose profile names differ
    # only in case, compatibility forms or spacing would have the same key, and the unique
    # constraint refuses the second even when two requests check at the same moment
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    service_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"name": "Nairobi CBD", "city": "Nairobi", "country": "KE"}]
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    capacity_hours_per_month: Mapped[float | None]
    version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization] = relationship()
    offers: Mapped[list[Offer]] = relationship(back_populates="vendor", order_by="Offer.id")
    capacity_changes: Mapped[list[VendorCapacityChange]] = relationship(
        back_populates="vendor",
        order_by="VendorCapacityChange.from_month",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_name_key(self, _key, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @classmethod
    def scope(cls, user):
        """Vendors (and their organization's admin) see their own profile; buyers, executives and
        a buyer organization's admin see every vendor; the operator and assurers see none."""
        if not user.is_authenticated or user.reads_as in NO_VENDOR_READS:
            return false()
        if user.reads_as == "vendor":
            return cls.organization_id == user.organization_id
        return true()


class VendorCapacityChange(Base):
    """From `from_month` (the first day of a month) onward, the vendor has `hours_per_month`
    labour hours a month, until its next change."""

    __tablename__ = "vendor_capacity_change"
    __table_args__ = (
        UniqueConstraint("vendor_id", "from_month"),
        CheckConstraint("hours_per_month >= 0", name="hours_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    from_month: Mapped[date]
    hours_per_month: Mapped[float]

    vendor: Mapped[Vendor] = relationship(back_populates="capacity_changes")


MAX_HOURS_PER_UNIT = 1000.0


def _hours_for_unit(context: Any) -> float | None:
    """An offer priced per hour takes one hour a unit; others state their own figure."""
    return 1.0 if context.get_current_parameters().get("unit") == "hour" else None


def declares_category(key: str) -> ColumnElement[bool]:
    """SQL: the vendor lists the service category `key` among its `service_categories` (a JSON
    list of keys, stored as its text on SQLite and PostgreSQL alike)."""
    quoted = json.dumps(key).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(Vendor.service_categories, String).like(f"%{quoted}%", escape="\\")


class Offer(TimestampMixin, Base):
    """A rate-card line: what a vendor sells, at what price, how much and how well.

    `hours_per_unit` is the labour hours one unit takes, the vendor's own figure: 1 for offers
    priced per hour; None only on item and task offers entered before it was asked for (0017),
    which the vendor has not stated yet. `capacity_per_period` is an optional cap of the offer's
    own, in units per month (None: only the vendor's hours limit it), until the first of its
    `capacity_changes`. Read it with procure.vendors.capacity.offer_units_by_month."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonnegative"),
        CheckConstraint("capacity_per_period >= 0", name="capacity_nonnegative"),
        CheckConstraint("quality >= 0 AND quality <= 1", name="quality_range"),
        CheckConstraint(
            f"hours_per_unit > 0 AND hours_per_unit <= {MAX_HOURS_PER_UNIT:g}",
            name="hours_per_unit_range",
        ),
        CheckConstraint(
            "unit <> 'hour' OR (hours_per_unit IS NOT NULL AND hours_per_unit = 1)",
            name="an_hour_takes_one_hour",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    service_category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    hours_per_unit: Mapped[float | None] = mapped_column(default=_hours_for_unit)
    capacity_per_period: Mapped[float | None]
    quality: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    vendor: Mapped[Vendor] = relationship(back_populates="offers")
    capacity_changes: Mapped[list[OfferCapacityChange]] = relationship(
        back_populates="offer",
        order_by="OfferCapacityChange.from_month",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """As Vendor.scope: a vendor organization's own offers, or every vendor's for buyers."""
        if not user.is_authenticated or user.reads_as in NO_VENDOR_READS:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        return true()


class OfferCapacityChange(Base):
    """From `from_month` (the first day of a month) onward, the offer's own cap is
    `units_per_month` units a month, until its next change."""

    __tablename__ = "offer_capacity_change"
    __table_args__ = (
        UniqueConstraint("offer_id", "from_month"),
        CheckConstraint("units_per_month >= 0", name="units_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    from_month: Mapped[date]
    units_per_month: Mapped[float]

    offer: Mapped[Offer] = relationship(back_populates="capacity_changes")
