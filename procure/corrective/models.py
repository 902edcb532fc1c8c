"""Corrective action plans: a buyer organization asks a vendor to improve one weak metric of its
scorecard to a target by a due date, and the vendor answers with what it will do.

A plan stores what held when it was opened: the metric (its key in the buyer organization's
catalog, with its label, unit and direction as they were), the value its scorecard showed the
buyer then (`baseline`, None where the figure was not disclosed) and the disclosure version that
value came from. The latest value is never stored: it is read from the vendor's scorecard figures
as the buyer organization sees them, so the next submitted disclosure shows progress at once
(procure.corrective.services.progress_of). The state is read too (PlanState): open, overdue (open
past its due date), or closed by a buyer as met or not met, with a comment.

Who reads what: the buyer organization that opened it (its buyers open, close and read; its
executives and admin read) and the vendor it is on (its users and admin read and answer). Another
buyer organization never sees it, nor another vendor, the operator or an assurer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organization, User
from procure.db import Base, UTCDateTime, utcnow
from procure.states import PlanOutcome, PlanState, check_in
from procure.vendors.models import Vendor

# the buyer side that reads a plan: its organization's buyers and executives (a buyer
# organization's admin reads as an executive); its buyers alone open and close one
BUYER_SIDE = ("buyer", "executive")
MAX_NOTE_LENGTH = 2000
MAX_ACTION_LENGTH = 1000
MAX_ACTIONS = 10  # in one answer
METRIC_KEY_LENGTH = 60


def reaches(value: float, target: float, direction: str) -> bool:
    """Whether `value` is at or beyond `target` for a metric where `direction` ("higher" or
    "lower") is better: the one rule for opening a plan and for saying it is met."""
    return value >= target if direction == "higher" else value <= target


class CorrectivePlan(Base):
    """One buyer organization's plan on one metric of one vendor (see the module's docstring).
    Closing it is one more `version`; an answer is a row of its own (CorrectiveAnswer)."""

    __tablename__ = "corrective_plan"
    __table_args__ = (
        CheckConstraint(check_in("outcome", PlanOutcome), name="outcome"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction"),
        CheckConstraint("(outcome IS NULL) = (closed_at IS NULL)", name="closed_with_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    metric: Mapped[str] = mapped_column(String(METRIC_KEY_LENGTH))
    metric_label: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(10))  # "higher" or "lower" is better
    baseline: Mapped[float | None]  # in `unit`; None: not disclosed when opened
    baseline_disclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"))
    baseline_period_end: Mapped[date | None]
    target: Mapped[float]  # in `unit`
    due_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str | None] = mapped_column(String(10))  # PlanOutcome, once closed
    close_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organization: Mapped[Organization] = relationship()
    vendor: Mapped[Vendor] = relationship()
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    answers: Mapped[list[CorrectiveAnswer]] = relationship(
        back_populates="plan", order_by="CorrectiveAnswer.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def closed(self) -> bool:
        return self.outcome is not None

    def state_on(self, day: date) -> PlanState:
        """The plan's state on `day`: closed as met or not met, else overdue once `day` is after
        the due date, else open."""
        if self.outcome is not None:
            return PlanState(self.outcome)
        return PlanState.OVERDUE if self.due_on < day else PlanState.OPEN

    def meets(self, value: float | None) -> bool | None:
        """Whether `value` reaches the target in the metric's direction (None: no value)."""
        return None if value is None else reaches(value, self.target, self.direction)

    @classmethod
    def scope(cls, user):
        """The opening organization's buyers, executives and admin; the users (and admin) of the
        vendor it is on; nobody else."""
        if not user.is_authenticated:
            return false()
        if user.reads_as == "vendor":
            return cls.vendor.has(Vendor.organization_id == user.organization_id)
        if user.reads_as in BUYER_SIDE:
            return cls.organization_id == user.organization_id
        return false()


class CorrectiveAnswer(Base):
    """One answer of the vendor to a plan: the actions it takes, each a sentence and the day it
    is (to be) done (`actions`: [{"text": ..., "on": "YYYY-MM-DD"}]). Answers are never edited;
    a vendor adds another."""

    __tablename__ = "corrective_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("corrective_plan.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    plan: Mapped[CorrectivePlan] = relationship(back_populates="answers")
    created_by: Mapped[User] = relationship()
