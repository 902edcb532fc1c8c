from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization
from procure.db import Base, TimestampMixin


class Vendor(TimestampMixin, Base):
    """A vendor organization's public profile. One per vendor organization."""

    __tablename__ = "vendor"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    service_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"name": "Nairobi CBD", "city": "Nairobi", "country": "KE"}]
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization] = relationship()
    offers: Mapped[list[Offer]] = relationship(back_populates="vendor", order_by="Offer.id")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """Vendors (and their organization's admin) see their own profile; buyers, executives and
        a buyer organization's admin see every vendor; the operator sees none."""
        if not user.is_authenticated or user.role == "operator":
            return false()
        if user.reads_as == "vendor":
            return cls.organization_id == user.organization_id
        return true()


class Offer(TimestampMixin, Base):
    """A rate-card line: what a vendor sells, at what price, how much and how well."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonnegative"),
        CheckConstraint("capacity_per_period >= 0", name="capacity_nonnegative"),
        CheckConstraint("quality >= 0 AND quality <= 1", name="quality_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    service_category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    capacity_per_period: Mapped[float]
    quality: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    vendor: Mapped[Vendor] = relationship(back_populates="offers")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """As Vendor.scope: a vendor organization's own offers, or every vendor's for buyers."""
        if not user.is_authenticated or user.role == "operator":
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        return true()
