"""Every state and status a record moves through, named once.

They are `StrEnum`s: a member is its value (`ScenarioStatus.DRAFT == "draft"`), so columns keep
plain strings, JSON stays as it was, and schemas list the values in the OpenAPI document.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_JOB_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class ScenarioStatus(StrEnum):
    DRAFT = "draft"
    SOLVED = "solved"
    INFEASIBLE = "infeasible"
    FAILED = "failed"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


# a scenario can change (and be solved again) until it is submitted
EDITABLE_SCENARIO_STATUSES = (
    ScenarioStatus.DRAFT,
    ScenarioStatus.SOLVED,
    ScenarioStatus.INFEASIBLE,
    ScenarioStatus.FAILED,
)


class Decision(StrEnum):
    """An executive's decision on a submitted scenario."""

    APPROVED = "approved"
    REJECTED = "rejected"


class DisclosureState(StrEnum):
    """A disclosure version as stored; a review belongs to the reviewing organization."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ReviewDecision(StrEnum):
    """One buyer organization's review of a submitted disclosure version."""

    VERIFIED = "verified"
    REJECTED = "rejected"


class Objective(StrEnum):
    MIN_COST = "min_cost"
    MAX_IMPACT = "max_impact"


class FrontierStatus(StrEnum):
    """A scenario's frontier status that the app writes itself; every other one is the
    optimizer's (`optimizer.Status`)."""

    SKIPPED = "skipped"  # the solve was not optimal, so no frontier was traced


class NotificationKind(StrEnum):
    """What an in-app notification tells its recipient (procure.notifications)."""

    DISCLOSURE_SUBMITTED = "disclosure_submitted"  # buyers: a disclosure waits for review
    REVIEW_DECIDED = "review_decided"  # the vendor: a buyer verified or rejected its disclosure
    SCENARIO_SUBMITTED = "scenario_submitted"  # executives: a scenario waits for a decision
    SCENARIO_DECIDED = "scenario_decided"  # buyers: a scenario was approved or rejected
    CAMPAIGN_REQUEST = "campaign_request"  # vendors: a buyer asks for a disclosure
    CAMPAIGN_REMINDER = "campaign_reminder"  # vendors: that disclosure is still awaited
    INVITATION_ACCEPTED = "invitation_accepted"  # the inviting buyer: the invitee joined


class InvitationState(StrEnum):
    """A buyer's invitation to a vendor (procure.invitations). Only times are stored (accepted_at,
    revoked_at, expires_at): the state is read from them, so an invitation expires by the clock
    and no read writes it."""

    PENDING = "pending"  # the link works
    ACCEPTED = "accepted"  # used once: a vendor organization registered or joined through it
    REVOKED = "revoked"  # the buyer withdrew it
    EXPIRED = "expired"  # not used before expires_at


def check_in(column: str, values: type[StrEnum] | tuple[StrEnum, ...]) -> str:
    """The SQL of a CHECK constraint that keeps `column` to the given values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
