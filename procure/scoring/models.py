from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, select, true
from sqlalchemy.orm import Mapped, mapped_column

from procure.accounts.models import NO_VENDOR_READS
from procure.db import Base, UTCDateTime, utcnow
from procure.vendors.models import Vendor


class ScoringProfile(Base):
    """One version of a buyer organization's scoring profile. Versions are never edited:
    a change is a new row with the next `number`, so scores and scenarios that used a
    version can always be recomputed from it."""

    __tablename__ = "scoring_profile"
    __table_args__ = (UniqueConstraint("organization_id", "name", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    number: Mapped[int] = mapped_column(default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    locked: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def scope(cls, user):
        """Buyers, executives and admins of the organization; nobody else."""
        if not user.is_authenticated or user.reads_as in ("vendor", "operator"):
            return false()
        return cls.organization_id == user.organization_id


class ScoreSnapshot(Base):
    """A vendor's score for one reporting period under the default profile, as disclosed, kept
    current once per change (procure.scoring.snapshots). Peers are the vendors scored for the
    same period."""

    __tablename__ = "score_snapshot"
    __table_args__ = (UniqueConstraint("vendor_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"))
    period_end: Mapped[date]
    total: Mapped[float]
    impact: Mapped[float]
    cost: Mapped[float]
    quality: Mapped[float]
    impact_score: Mapped[float]
    rank: Mapped[int]
    peers: Mapped[int]
    knocked_out: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def scope(cls, user):
        """A vendor (and its organization's admin) sees its own; buyers, executives and a buyer
        organization's admin every vendor's; the operator and assurers none."""
        if not user.is_authenticated or user.reads_as in NO_VENDOR_READS:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor_id.in_(
                select(Vendor.id).where(Vendor.organization_id == user.organization_id)
            )
        return true()


class MetricDefinition:
    """The columns of a metric added to a catalog (scoring.catalog's fields), shared by a buyer
    organization's custom metrics and a coalition's (procure.coalitions.models.CoalitionMetric),
    so both are checked and read alike (services.checked_metric)."""

    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    formula: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(10))
    goalposts: Mapped[list[float]] = mapped_column(JSON)
    section: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(300))

    def definition(self) -> dict[str, Any]:
        """The metric in the catalog's own shape (scoring.catalog)."""
        return {
            "key": self.key,
            "label": self.label,
            "formula": self.formula,
            "unit": self.unit,
            "direction": self.direction,
            "goalposts": list(self.goalposts),
            "section": self.section,
            "source": self.source,
        }


class CustomMetric(MetricDefinition, Base):
    """A metric a buyer organization adds to the catalog (DESIGN §4: metrics are data). It joins
    the built-in catalog for that organization's profiles, scores and scenarios, and weighs
    nothing until a profile gives it a weight."""

    __tablename__ = "custom_metric"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def scope(cls, user):
        """Buyers, executives and admins of the organization; nobody else."""
        if not user.is_authenticated or user.reads_as in ("vendor", "operator"):
            return false()
        return cls.organization_id == user.organization_id


class RankingDataVersion(Base):
    """How many times the data a ranking reads has changed (procure.scoring.rankings): row 0 for
    what every buyer organization's ranking reads (disclosures, attestations, offers, rates),
    one row per organization for what only its rankings read (its reviews, its custom
    metrics)."""

    __tablename__ = "ranking_data_version"

    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 0 or an org id
    version: Mapped[int] = mapped_column(default=0)


class StoredRanking(Base):
    """One computed ranking of every vendor for a buyer organization, a profile version (None:
    the default profile), a service category ("" for all) and the top k of its rank stability,
    at the data versions it read (procure.scoring.rankings). Its rows are StoredRankingRow."""

    __tablename__ = "stored_ranking"
    __table_args__ = (
        Index("ix_stored_ranking_key", "organization_id", "profile_id", "category", "top_k", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # a cache, with no foreign keys: deleting an organization, a profile or a vendor (offboarding)
    # never waits on it, and a ranking naming a vendor gone is simply out of date
    organization_id: Mapped[int]
    profile_id: Mapped[int | None]
    # the coalition whose profile and catalog it scores with (procure.coalitions.measurement:
    # a member that adopted it); None for the organization's own profiles
    coalition_id: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(60), default="")
    top_k: Mapped[int]
    global_version: Mapped[int]
    organization_version: Mapped[int]
    priced_on: Mapped[date]  # prices, attestations and evidence age are those of this day
    peers: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the basis it was scored under, as it was then (`ScoringBasis.described`): served stale, it
    # names the profile version it read, not the one its refresh applies (issue #20)
    basis_kind: Mapped[str] = mapped_column(String(10))
    basis_name: Mapped[str] = mapped_column(String(200))
    basis_version: Mapped[int | None]
    basis_label: Mapped[str] = mapped_column(String(300))

    def described(self) -> dict[str, Any]:
        """The basis it was scored under, as `ScoringBasis.described` says it."""
        return {
            "kind": self.basis_kind,
            "name": self.basis_name,
            "version": self.basis_version,
            "label": self.basis_label,
        }


class StoredRankingRow(Base):
    """A vendor's line of a stored ranking: `score_rows`' fields, `position` its place in rank
    order (0 first). The vendor's name is read from the vendor when the page is."""

    __tablename__ = "stored_ranking_row"

    ranking_id: Mapped[int] = mapped_column(ForeignKey("stored_ranking.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    vendor_id: Mapped[int]
    category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int]
    total: Mapped[float]
    impact: Mapped[float]
    cost: Mapped[float]
    quality: Mapped[float]
    impact_points: Mapped[float]
    cost_points: Mapped[float]
    quality_points: Mapped[float]
    impact_score: Mapped[float]
    knocked_out: Mapped[bool]
    knockout_reason: Mapped[str | None] = mapped_column(Text)
    p_top_k: Mapped[float | None]
    rank_p05: Mapped[int | None]
    rank_p95: Mapped[int | None]
    topsis_closeness: Mapped[float | None]
    topsis_rank: Mapped[int | None]
    disclosure_id: Mapped[int]
    period_end: Mapped[date]


class StoredRankingCard(Base):
    """What a vendor's scorecard shows besides its StoredRankingRow, computed with its ranking
    (procure.scoring.rankings): the explanation lines with peer percentiles, sites, scored
    figures, evidence sections, the offer scored and the trend's earlier periods, as JSON
    (dates tagged, `rankings.card_json`). Kept for the scorecard's rankings only (top k
    `rankings.TOP_K`)."""

    __tablename__ = "stored_ranking_card"

    ranking_id: Mapped[int] = mapped_column(ForeignKey("stored_ranking.id"), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    card: Mapped[str] = mapped_column(Text)  # JSON text: rankings.card_json
