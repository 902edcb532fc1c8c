from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from procure.db import Base, TimestampMixin

MAX_VENDORS = 1000
"""The largest `max_vendors` a need takes (more would be no limit in practice)."""


class Need(TimestampMixin, Base):
    """An outsourcing need of a buyer organization: what, how much, when, within which limits.

    Money is in US dollars; `volume` is in the need's `unit` (hour, item, task).
    """

    __tablename__ = "need"
    __table_args__ = (
        CheckConstraint("volume > 0", name="volume_positive"),
        CheckConstraint("min_quality >= 0 AND min_quality <= 1", name="min_quality_range"),
        CheckConstraint(
            "max_vendor_share > 0 AND max_vendor_share <= 1", name="max_vendor_share_range"
        ),
        CheckConstraint(
            f"max_vendors IS NULL OR (max_vendors >= 1 AND max_vendors <= {MAX_VENDORS})",
            name="max_vendors_range",
        ),
        CheckConstraint(
            "min_award IS NULL OR (min_award > 0 AND min_award <= volume)",
            name="min_award_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    service_category: Mapped[str] = mapped_column(String(60))
    volume: Mapped[float]
    unit: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]
    period_end: Mapped[date]
    budget_usd: Mapped[float | None]
    min_quality: Mapped[float] = mapped_column(default=0.0)
    max_vendor_share: Mapped[float] = mapped_column(default=1.0)
    min_avg_impact: Mapped[float | None]
    min_impact_spend_share: Mapped[float | None]
    # whole-number rules (the optimizer's max_vendors and min_award, the least a vendor given
    # any volume gets over all its price lines for the need): null = no limit
    max_vendors: Mapped[int | None]
    min_award: Mapped[float | None]
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """The buyer organization's own people; vendors (and their admins) and the operator never
        see needs."""
        if not user.is_authenticated or user.reads_as in ("vendor", "operator"):
            return false()
        return cls.organization_id == user.organization_id
