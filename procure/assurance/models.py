"""Assurance providers' access to disclosure versions, and their attestations.

A vendor grants an assurance provider (an organization of kind `assurance`: a social auditor, a
certification body, a GISC-aligned assessor) access to one submitted version
(`AssuranceGrant`); while the grant is not revoked the provider's assurers read that version and
its evidence files, and nothing else. They attest each evidence section (`Attestation`): an
immutable record with the statement's PDF, which every buyer and the vendor see, and which sets
the section's effective evidence level for every reader while valid
(procure.disclosures.evidence_levels). The one change an attestation takes is its withdrawal by
the provider that issued it, once, with a reason: a statement made in error then counts no more.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    and_,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.disclosures.evidence_levels import Statement
from procure.disclosures.models import Disclosure
from procure.states import AssuranceLevel, AttestationState, GrantState, Opinion, check_in
from procure.vendors.models import Vendor

STANDARD_LENGTH = 120
WITHDRAWAL_REASON_LENGTH = 2000


def _of_own_vendor(user):
    """SQL: the record's version belongs to the user's vendor organization."""
    return Disclosure.vendor.has(Vendor.organization_id == user.organization_id)


class AssuranceGrant(Base):
    """A vendor's grant of one submitted disclosure version to one assurance provider. A grant is
    revoked, never deleted or changed otherwise; granting the version again after a revocation
    is a new grant (one open grant per version and provider, `uq_assurance_grant_open`)."""

    __tablename__ = "assurance_grant"
    __table_args__ = (
        Index(
            "uq_assurance_grant_open",
            "disclosure_id",
            "provider_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    disclosure: Mapped[Disclosure] = relationship()
    provider: Mapped[Organization] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    @property
    def state(self) -> str:
        return GrantState.ACTIVE if self.revoked_at is None else GrantState.REVOKED

    @classmethod
    def scope(cls, user):
        """The vendor (and its organization's admin) sees every grant of its versions, revoked
        ones too; an assurance provider's assurers (and its admin) its open grants only: a
        revoked grant gives no more reading. Nobody else sees a grant."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.disclosure.has(_of_own_vendor(user))
        if user.reads_as == "assurer":
            return and_(cls.provider_id == user.organization_id, cls.revoked_at.is_(None))
        return false()


class Attestation(Base):
    """An assurance provider's statement on one evidence section of one version: the standard it
    follows (ISAE 3000 or another, named), the level of assurance, the opinion, its date and
    expiry, and the statement itself (a PDF, kept here with its SHA-256, deferred so that lists
    never load it). Never deleted, and never changed but for one thing: the provider that issued
    it may withdraw it, once, saying why (`withdrawn_at`, `withdrawn_by_id`, `withdrawal_reason`,
    set together). A withdrawn statement stays on record and on every page that lists it, and
    counts for no reader on any day: it was made in error, not overtaken. A revoked grant leaves
    it standing."""

    __tablename__ = "attestation"
    __table_args__ = (
        CheckConstraint(check_in("level", AssuranceLevel), name="level"),
        CheckConstraint(check_in("opinion", Opinion), name="opinion"),
        CheckConstraint("section IN ('workforce', 'wages', 'training')", name="section"),
        CheckConstraint("expires_on > issued_on", name="expiry"),
        CheckConstraint(
            "(withdrawn_at IS NULL AND withdrawal_reason IS NULL) OR "
            "(withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)",
            name="withdrawal",
        ),
        Index("ix_attestation_disclosure_section", "disclosure_id", "section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("assurance_grant.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    section: Mapped[str] = mapped_column(String(20))
    standard: Mapped[str] = mapped_column(String(STANDARD_LENGTH))
    level: Mapped[str] = mapped_column(String(20))
    opinion: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    statement_filename: Mapped[str] = mapped_column(String(255))
    statement_size: Mapped[int]
    statement_sha256: Mapped[str] = mapped_column(String(64))
    statement: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    disclosure: Mapped[Disclosure] = relationship()
    grant: Mapped[AssuranceGrant] = relationship()
    provider: Mapped[Organization] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    def as_statement(self) -> Statement:
        """The attestation as the evidence levels read it."""
        return Statement(
            self.id,
            self.provider.name,
            self.standard,
            self.level,
            self.opinion,
            self.issued_on,
            self.expires_on,
            None if self.withdrawn_at is None else self.withdrawn_at.date(),
            self.withdrawal_reason,
        )

    def state_on(self, day: date) -> AttestationState:
        """Valid from its date until the day before its expiry; withdrawn on every day once
        withdrawn."""
        return self.as_statement().state_on(day)

    @classmethod
    def scope(cls, user):
        """Every buyer-side reader (buyers, executives, a buyer organization's admin) sees every
        attestation: an assessment made once counts for every buyer. The vendor sees those of its
        own versions; an assurance provider those it issued, after a revocation too. The operator
        sees none."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.disclosure.has(_of_own_vendor(user))
        if user.reads_as == "assurer":
            return cls.provider_id == user.organization_id
        if user.reads_as in ("buyer", "executive"):
            return true()
        return false()
