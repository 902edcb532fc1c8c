"""Exchange rates to US dollars: reference data the platform operator keeps, read by everyone.

A rate is in force from its `effective_date` until the currency's next rate (see
procure.reference_data.FxTable.rate_on). config/fx.toml seeds the table once (migration 0016).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from procure.db import Base, TimestampMixin

SOURCE_LENGTH = 300
# A typo guard: no cash currency is worth a million dollars a unit.
MAX_USD_PER_UNIT = 1_000_000.0


class ExchangeRate(TimestampMixin, Base):
    """US dollars per unit of `currency`, in force from `effective_date` (one rate a day).

    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL) and every
    correction raises `version`, so (count, max id, sum of versions) changes with every write:
    procure.reference compares it to know when its cached table is stale."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("currency", "effective_date"),
        CheckConstraint("usd_per_unit > 0", name="usd_per_unit_positive"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    effective_date: Mapped[date]
    usd_per_unit: Mapped[float]
    source: Mapped[str] = mapped_column(String(SOURCE_LENGTH))
    # None for the rates seeded from config/fx.toml
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """Every signed-in user reads every rate: they are the platform's, no tenant's."""
        return true() if user.is_authenticated else false()
