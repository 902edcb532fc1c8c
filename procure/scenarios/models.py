from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, event, false, inspect
from sqlalchemy.orm import Mapped, mapped_column

import optimizer
from procure.db import Base, TimestampMixin, UTCDateTime
from procure.states import EDITABLE_SCENARIO_STATUSES as EDITABLE_STATUSES
from procure.states import Objective, ScenarioStatus, check_in

SCENARIO_STATUSES = tuple(ScenarioStatus)


class Scenario(TimestampMixin, Base):
    """An allocation scenario: needs, a scoring profile, an objective and targets, and the exact
    problem document sent to the optimizer with the result it returned. With `event_id` it is an
    award scenario of that closed sourcing event: its needs are lots of the event, its offers the
    event's bids (procure.scenarios.adapter), and its approval is the event's award
    (procure.awards)."""

    __tablename__ = "scenario"
    __table_args__ = (
        CheckConstraint(check_in("status", ScenarioStatus), name="status"),
        CheckConstraint(check_in("objective", Objective), name="objective"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    need_ids: Mapped[list[int]] = mapped_column(JSON)
    # an award scenario: priced by this closed sourcing event's bids, not by rate cards
    event_id: Mapped[int | None] = mapped_column(ForeignKey("sourcing_event.id"), index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_profile.id"))
    objective: Mapped[str] = mapped_column(String(32), default=Objective.MIN_COST)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=ScenarioStatus.DRAFT)
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    frontier: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the projected impact worked out from `problem` and `result` when the result was stored
    # (procure.scenarios.review.compute_projection; null before migration 0041 and whenever
    # there is no result): read when a page shows it, so a list of scenarios never loads it
    projection: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    # its rows per vendor that gets work (`review.split_projection`, migration 0045): read only
    # by what lists them (the `/impact` API, the board report), never by the page
    projection_rows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, deferred=True)
    # what the page and the comparison show of `problem` and `result` (procure.scenarios.page_facts,
    # migration 0047), so they never read those: the facts both read, the lines the page alone
    page_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    page_lines: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    # the scoring profile's settings as solved, kept with the scenario (frozen at approval)
    profile_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # solved without a profile of its own by a member that adopted its coalition's profile: that
    # coalition and the coalition profile's version (None: not set yet, the default weights);
    # both None for a plan under its own or the default profile (procure.scoring.shared_profiles)
    coalition_id: Mapped[int | None] = mapped_column(ForeignKey("coalition.id"))
    coalition_profile_version: Mapped[int | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def relaxed(self) -> bool:
        """Solved with targets relaxed by their priorities (result status optimal_relaxed): a
        plan the page, the board report and the API mark apart from a fully optimal one."""
        facts = self.page_facts if "result" in inspect(self).unloaded else None
        # the page facts' copy (procure.scenarios.page_facts) where `result` was not loaded
        result = facts["result"] if facts and "result" in facts else self.result
        return (result or {}).get("status") == optimizer.Status.OPTIMAL_RELAXED

    @classmethod
    def scope(cls, user):
        """The buyer organization's buyers, executives and admins; vendors (and their admins) and
        the operator see no scenario."""
        if not user.is_authenticated or user.reads_as in ("vendor", "operator"):
            return false()
        return cls.organization_id == user.organization_id


@event.listens_for(Scenario.problem, "set")
@event.listens_for(Scenario.result, "set")
def _documents_replaced(scenario: Scenario, value, old, initiator) -> None:
    """A projection and the page facts belong to the problem and result they were worked out
    from: any new one (none, a failure, a new solve) drops them; `store_solution` stores the new
    ones after both."""
    scenario.projection, scenario.projection_rows = None, None
    scenario.page_facts, scenario.page_lines = None, None
