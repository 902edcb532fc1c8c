"""Coalitions of buyer organizations run by a backbone: the charter, the members, the joint
targets and the feed.

The backbone is an organization of its own kind (`backbone`), not a buyer acting as one. Why: a
backbone, such as an industry coalition's secretariat, is its own organization; as its own tenant
it structurally holds no prices, budgets, needs or scenarios, so every buyer-side scope gives its
users nothing of a member's, and what it sees of the members' plans is only what this package
computes from them (procure.coalitions.progress): aggregates. A buyer acting as backbone would
read the coalition's figures with the same users that read its own prices, and every scope
would have to tell "as a buyer" from "as the backbone".

Who reads what. A coalition belongs to its backbone: its coordinators (and its admin, who acts
as one) read and change it. A buyer organization reads a coalition while it is invited to it or
a member (its buyers, executives and admin); the progress, the vendor load and the feed only
while it is an active member (procure.coalitions.services.Reader). Nobody else reads one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.scoring.models import MetricDefinition
from procure.scoring_defaults import DEFAULT_IMPACT_VENDOR_MIN_SCORE
from procure.states import (
    OPEN_MEMBER_STATES,
    CoalitionMemberState,
    CoalitionPostKind,
    TargetMeasure,
    check_in,
)

# the buyer side of a member organization (its admin reads as its executives)
MEMBER_SIDE = ("buyer", "executive")
OPEN_STATES_SQL = check_in("state", OPEN_MEMBER_STATES)


class Coalition(Base):
    """A coalition: its backbone organization, its charter (a common agenda, the period it runs
    and its theory of change in a few lines), and the impact score (0–100) from which a vendor
    counts as an impact vendor in the spend share. Each change is one more `version`."""

    __tablename__ = "coalition"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint(
            "impact_vendor_min_score >= 0 AND impact_vendor_min_score <= 100",
            name="impact_vendor_min_score_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    charter: Mapped[str] = mapped_column(Text)
    theory_of_change: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[date]
    period_end: Mapped[date]
    impact_vendor_min_score: Mapped[float] = mapped_column(default=DEFAULT_IMPACT_VENDOR_MIN_SCORE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organization: Mapped[Organization] = relationship()
    members: Mapped[list[CoalitionMember]] = relationship(
        back_populates="coalition", order_by="CoalitionMember.id"
    )
    targets: Mapped[list[CoalitionTarget]] = relationship(
        back_populates="coalition", order_by="CoalitionTarget.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def scope(cls, user):
        """The backbone's coordinators and admin see its coalitions; a buyer organization's
        buyers, executives and admin see the coalitions it is invited to or a member of; nobody
        else sees any."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "coordinator":
            return cls.organization_id == user.organization_id
        if user.reads_as in MEMBER_SIDE:
            return cls.members.any(
                and_(
                    CoalitionMember.organization_id == user.organization_id,
                    CoalitionMember.state.in_(OPEN_MEMBER_STATES),
                )
            )
        return false()


class CoalitionMember(Base):
    """A buyer organization's place in a coalition: invited, active, declined or left. A declined
    or left organization may be invited again (a new row: the old one stays as history); one
    invited or active row per coalition and organization at a time (a partial unique index).
    `shares_contribution`: the member shows its own contribution by name to the backbone and the
    other members; otherwise it is folded into "other members"."""

    __tablename__ = "coalition_member"
    __table_args__ = (
        CheckConstraint(check_in("state", CoalitionMemberState), name="state"),
        Index(
            "uq_coalition_member_open",
            "coalition_id",
            "organization_id",
            unique=True,
            sqlite_where=text(OPEN_STATES_SQL),
            postgresql_where=text(OPEN_STATES_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalition.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=CoalitionMemberState.INVITED)
    shares_contribution: Mapped[bool] = mapped_column(Boolean, default=False)
    # the member ranks and plans under the coalition's profile and metric catalog instead of
    # the default profile (procure.coalitions.measurement); cleared when it leaves
    uses_profile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    coalition: Mapped[Coalition] = relationship(back_populates="members")
    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


# a beneficiary group goes with the measure in its hours, and with no other
GROUP_WITH_MEASURE = (
    f"(measure = '{TargetMeasure.BENEFICIARY_GROUP_HOURS}' AND beneficiary_group IS NOT NULL) OR "
    f"(measure <> '{TargetMeasure.BENEFICIARY_GROUP_HOURS}' AND beneficiary_group IS NULL)"
)


class CoalitionTarget(Base):
    """A joint target: `value` in `measure` over a period within the coalition's. A share is
    0–1 (0.4: 40 % of the members' spend with impact vendors); hours and jobs are above 0.
    `beneficiary_group`: the group (a disclosure's `categories` key, e.g. refugee_or_displaced)
    of a target in `beneficiary_group_hours`; None for every other measure."""

    __tablename__ = "coalition_target"
    __table_args__ = (
        CheckConstraint(check_in("measure", TargetMeasure), name="measure"),
        CheckConstraint(GROUP_WITH_MEASURE, name="group_with_measure"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalition.id"), index=True)
    measure: Mapped[str] = mapped_column(String(40))
    beneficiary_group: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[float]
    label: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    coalition: Mapped[Coalition] = relationship(back_populates="targets")

    __mapper_args__ = {"version_id_col": version}


class CoalitionPost(Base):
    """One post of a coalition's feed: the backbone's announcement, or what the app posts when a
    target is set or changed and a member joins or leaves. Never edited."""

    __tablename__ = "coalition_post"
    __table_args__ = (
        CheckConstraint(check_in("kind", CoalitionPostKind), name="kind"),
        Index("ix_coalition_post_coalition_at", "coalition_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalition.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


class CoalitionMetric(MetricDefinition, Base):
    """A metric of the coalition's shared catalog, maintained by its backbone: the built-in
    catalog plus these is what the coalition profile weighs (procure.coalitions.measurement),
    checked by the same rules as a buyer's custom metric."""

    __tablename__ = "coalition_metric"
    __table_args__ = (UniqueConstraint("coalition_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalition.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CoalitionProfile(Base):
    """The coalition's scoring profile (the settings of scoring.profile, weighing the coalition's
    catalog), one per coalition, set by its backbone; members that adopt it rank and plan under
    it. Each change is one more `version` (an edit names the version it loaded)."""

    __tablename__ = "coalition_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalition.id"), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
