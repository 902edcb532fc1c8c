from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import NO_VENDOR_READS
from procure.db import Base, TimestampMixin, UTCDateTime, utcnow
from procure.states import DisclosureState, ReviewDecision, check_in
from procure.vendors.models import Vendor
from scoring.fields import EVIDENCE_LEVELS, EVIDENCE_SECTIONS  # noqa: F401 (re-exported)

# as stored: a review belongs to the reviewing organization
DISCLOSURE_STATES = tuple(DisclosureState)
REVIEW_DECISIONS = tuple(ReviewDecision)
VIEWED_STATES = (*DISCLOSURE_STATES, *REVIEW_DECISIONS)  # as one organization sees a version
# A draft's figures key for the figures still as carried over from an earlier period and not yet
# checked: {"from": <disclosure id>, "paths": [<field path>, ...]}. The services keep it out of
# validation and strip it at submission, so no submitted version, export or score ever sees it.
CARRIED_OVER = "carried_over"


class Disclosure(TimestampMixin, Base):
    """One version of a vendor's impact disclosure for a reporting period.

    A submitted version is never edited: an amendment is a new version (`number` + 1) of the
    same vendor and period. `figures` holds the disclosure document (workforce, wages per
    site, training, evidence levels) as validated by `procure.disclosures.validation`.

    Each buyer organization reviews a submitted version for itself (`DisclosureReview`) and each
    of its evidence sections (`DisclosureSectionReview`): what one buyer verifies or rejects
    changes neither the scores nor the view of another. The vendor sees every review of its
    versions.
    """

    __tablename__ = "disclosure"
    __table_args__ = (
        UniqueConstraint("vendor_id", "period_start", "period_end", "number"),
        CheckConstraint(check_in("state", DisclosureState), name="state"),
        Index("ix_disclosure_vendor_period", "vendor_id", "period_start", "period_end"),
        # the review queue counts and pages by state in id order (migration 0040)
        Index("ix_disclosure_state_id", "state", "id"),
        # the review queue page pages by state in submission order (migration 0049)
        Index("ix_disclosure_state_submitted", "state", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(20), default=DisclosureState.DRAFT)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    edit_version: Mapped[int] = mapped_column(default=1)

    vendor: Mapped[Vendor] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="disclosure", order_by="Evidence.id"
    )
    reviews: Mapped[list[DisclosureReview]] = relationship(  # few per version; read with it, no N+1
        back_populates="disclosure", order_by="DisclosureReview.reviewed_at", lazy="selectin"
    )
    section_reviews: Mapped[list[DisclosureSectionReview]] = relationship(  # one version's page
        back_populates="disclosure",
        order_by="DisclosureSectionReview.id",
    )

    __mapper_args__ = {"version_id_col": edit_version}

    @property
    def editable(self) -> bool:
        return self.state == DisclosureState.DRAFT

    @property
    def carried_over(self) -> list[str]:
        """The field paths of a draft still holding the figures carried over from an earlier
        period, unchecked (procure.disclosures.services.carry_into)."""
        return list(((self.figures or {}).get(CARRIED_OVER) or {}).get("paths") or [])

    @property
    def carried_over_from_id(self) -> int | None:
        """The submitted version the draft's figures were carried over from, if any."""
        return ((self.figures or {}).get(CARRIED_OVER) or {}).get("from")

    def review_by(self, organization_id: int | None) -> DisclosureReview | None:
        return next((r for r in self.reviews if r.organization_id == organization_id), None)

    def state_for(self, organization_id: int | None) -> str:
        """The state as the organization sees it: its own review's decision, else the stored
        state."""
        review = self.review_by(organization_id)
        return review.decision if review is not None else self.state

    def reviews_seen_by(self, user) -> list[DisclosureReview]:
        """The vendor sees every organization's review of its versions; anyone else their own's."""
        if user.organization_id == self.vendor.organization_id:
            return list(self.reviews)
        return [r for r in self.reviews if r.organization_id == user.organization_id]

    def section_reviews_seen_by(self, user) -> list[DisclosureSectionReview]:
        """As `reviews_seen_by`, for the reviews of each evidence section."""
        if user.organization_id == self.vendor.organization_id:
            return list(self.section_reviews)
        return [r for r in self.section_reviews if r.organization_id == user.organization_id]

    @classmethod
    def in_state_for(cls, state: str, organization_id: int | None):
        """SQL: the version is in `state` as the organization sees it (see `state_for`)."""
        if state in REVIEW_DECISIONS:
            return cls.id.in_(DisclosureReview.decided(organization_id, state))
        if state == DisclosureState.SUBMITTED:
            return and_(
                cls.state == DisclosureState.SUBMITTED,
                cls.id.not_in(DisclosureReview.decided(organization_id)),
            )
        return cls.state == state

    @classmethod
    def scope(cls, user):
        """Vendors (and their organization's admin) see all their own versions; buyers, executives
        and a buyer organization's admin every non-draft version; the operator none, and an
        assurer none here: it reads the versions shared with it through its grants
        (procure.assurance), never the others that every buyer reads."""
        if not user.is_authenticated or user.reads_as in NO_VENDOR_READS:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        return cls.state != DisclosureState.DRAFT


class DisclosureReview(Base):
    """One buyer organization's decision on one submitted version: verified, or rejected with a
    comment."""

    __tablename__ = "disclosure_review"
    __table_args__ = (
        UniqueConstraint("disclosure_id", "organization_id"),
        CheckConstraint(check_in("decision", ReviewDecision), name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="reviews")
    organization = relationship("Organization")
    reviewed_by = relationship("User")

    @classmethod
    def decided(cls, organization_id: int | None, decision: str | None = None) -> Select:
        """SQL: the ids of the versions the organization reviewed (with this decision)."""
        statement = select(cls.disclosure_id).where(cls.organization_id == organization_id)
        return statement if decision is None else statement.where(cls.decision == decision)


class DisclosureSectionReview(Base):
    """One buyer organization's decision on one evidence section of a submitted version: verified
    (only a section with a file: `procure.disclosures.evidence_levels`) or rejected with a
    comment. It sets that section's effective evidence level for that organization alone."""

    __tablename__ = "disclosure_section_review"
    __table_args__ = (
        UniqueConstraint("disclosure_id", "organization_id", "section"),
        CheckConstraint(check_in("decision", ReviewDecision), name="decision"),
        CheckConstraint("section IN ('workforce', 'wages', 'training')", name="section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    section: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="section_reviews")
    organization = relationship("Organization")
    reviewed_by = relationship("User")


class Evidence(Base):
    """A file backing one section of a disclosure version. The bytes are in the evidence store
    (procure.disclosures.evidence_store) under `stored_name`, never in a static folder."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("section IN ('workforce', 'wages', 'training')", name="section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    section: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), index=True)  # shared by amended copies
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    disclosure: Mapped[Disclosure] = relationship(back_populates="evidence")

    @classmethod
    def scope(cls, user):
        """The owning vendor (and its organization's admin) and buyers (of non-draft versions) may
        read evidence; no one else."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.disclosure.has(
                Disclosure.vendor.has(Vendor.organization_id == user.organization_id)
            )
        if user.reads_as == "buyer":
            return cls.disclosure.has(Disclosure.state != DisclosureState.DRAFT)
        return false()


class EvidenceBlob(Base):
    """The bytes of one evidence file in the database evidence store, the default: they commit
    (or roll back) with their `Evidence` row, and one database backup holds them. Keyed by the
    stored name, which the rows of amended copies share: each file is kept once."""

    __tablename__ = "evidence_blob"

    stored_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # `procure evidence gc` spares a blob younger than its grace period
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
