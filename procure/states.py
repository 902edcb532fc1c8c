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
    MAX_IMPACT_WORKER_HOURS = "max_impact_worker_hours"


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
    ASSURANCE_SHARED = "assurance_shared"  # assurers: a vendor shared a version to assess
    ATTESTATION_ISSUED = "attestation_issued"  # the vendor: a section of its version is attested
    ATTESTATION_WITHDRAWN = "attestation_withdrawn"  # the vendor and buyers: it counts no more
    EVENT_PUBLISHED = "event_published"  # invited vendors: a sourcing event is open for bids
    EVENT_CLOSED = "event_closed"  # invited vendors: bidding ended (closed or cancelled)
    EVENT_AWARDED = "event_awarded"  # vendors with volume: an approved award names them
    COALITION_INVITATION = "coalition_invitation"  # a buyer's executives: join a coalition?
    COALITION_ANSWER = "coalition_answer"  # the backbone: a member accepted, declined or left
    COALITION_POST = "coalition_post"  # a coalition's members: a new post in its feed
    # procure.corrective: the vendor, of a plan opened or closed on it; the buyers, of an answer
    CORRECTIVE_OPENED = "corrective_opened"
    CORRECTIVE_ANSWERED = "corrective_answered"
    CORRECTIVE_CLOSED = "corrective_closed"


class AssuranceLevel(StrEnum):
    """The assurance an attestation gives (ISAE 3000's two levels; procure.assurance)."""

    LIMITED = "limited"  # "nothing has come to our attention": lifts to third_party_limited
    REASONABLE = "reasonable"  # a positive opinion: lifts to third_party_reasonable


class Opinion(StrEnum):
    """An assurance provider's opinion on one section of a disclosure version."""

    UNQUALIFIED = "unqualified"  # the figures are fairly stated
    QUALIFIED = "qualified"  # fairly stated except for what the statement names
    ADVERSE = "adverse"  # materially misstated


class AttestationState(StrEnum):
    """Where an attestation stands on a given day, read from its date and expiry."""

    NOT_YET_VALID = "not_yet_valid"  # dated after that day
    VALID = "valid"  # its date <= the day < its expiry: it sets the section's level
    EXPIRED = "expired"  # the day is its expiry or later: it no longer counts
    WITHDRAWN = "withdrawn"  # its provider withdrew it (made in error): it counts on no day


class GrantState(StrEnum):
    """A vendor's grant of one disclosure version to an assurance provider, read from revoked_at
    (procure.assurance)."""

    ACTIVE = "active"  # the provider reads the version and its evidence, and may attest it
    REVOKED = "revoked"  # the vendor withdrew it: no more reading; attestations issued stay


class InvitationState(StrEnum):
    """A buyer's invitation to a vendor (procure.invitations). Only times are stored (accepted_at,
    revoked_at, expires_at): the state is read from them, so an invitation expires by the clock
    and no read writes it."""

    PENDING = "pending"  # the link works
    ACCEPTED = "accepted"  # used once: a vendor organization registered or joined through it
    REVOKED = "revoked"  # the buyer withdrew it
    EXPIRED = "expired"  # not used before expires_at


class CampaignStatus(StrEnum):
    """A buyer's disclosure campaign (procure.campaigns), read from when it was closed, its
    deadline and its vendors' states, never stored."""

    CLOSED = "closed"  # its buyer closed it (closed_at): no more reminders, no vendors added
    OPEN = "open"  # the deadline has not passed and some vendors have not answered yet
    PAST_DEADLINE = "past_deadline"  # the deadline has passed and some vendors have not answered
    ANSWERED = "answered"  # every vendor asked has submitted (or had its disclosure reviewed)


class CampaignVendorState(StrEnum):
    """Where one vendor asked by a campaign stands, read from its invitation and its disclosure of
    the campaign's period; in this order. "Overdue" is not a state of its own: a vendor still
    invited, registered or with a draft once the deadline has passed is overdue."""

    INVITED = "invited"  # asked by email: the invitation is not accepted (yet)
    REGISTERED = "registered"  # on the platform, with no disclosure of the period
    DRAFT_STARTED = "draft_started"  # a draft of the period, not submitted
    SUBMITTED = "submitted"  # a version of the period is submitted, not reviewed by the buyer
    REVIEWED = "reviewed"  # the campaign's buyer organization verified or rejected it


# the vendors a campaign still waits for: they are reminded, and overdue past the deadline
AWAITED_CAMPAIGN_STATES = (
    CampaignVendorState.INVITED,
    CampaignVendorState.REGISTERED,
    CampaignVendorState.DRAFT_STARTED,
)


class EventState(StrEnum):
    """A buyer's sourcing event (procure.events): stored, changed by its buyers only."""

    DRAFT = "draft"  # being prepared: no vendor sees it
    PUBLISHED = "published"  # invited vendors see it and bid until the deadline
    CLOSED = "closed"  # bidding is over; the buyer side reads every bid
    CANCELLED = "cancelled"  # called off: no bids are read, none taken


class CoalitionMemberState(StrEnum):
    """A buyer organization's membership of a coalition (procure.coalitions): stored."""

    INVITED = "invited"  # the backbone asked; the organization has not answered
    ACTIVE = "active"  # it accepted: its approved plans count toward the joint targets
    DECLINED = "declined"  # it said no
    LEFT = "left"  # it was a member and left: its plans count no more


# a membership that holds a place: one per coalition and organization at a time
OPEN_MEMBER_STATES = (CoalitionMemberState.INVITED, CoalitionMemberState.ACTIVE)


class TargetMeasure(StrEnum):
    """The common measure a coalition's joint target is set in (procure.coalitions.progress)."""

    IMPACT_WORKER_JOBS = "impact_worker_jobs"  # full-time jobs: impact-worker hours / FTE-year
    IMPACT_WORKER_HOURS = "impact_worker_hours"  # hours of work done by impact workers
    IMPACT_SPEND_SHARE = "impact_spend_share"  # share (0–1) of spend with impact vendors
    # hours of work done by the impact workers of one beneficiary group (the target's group)
    BENEFICIARY_GROUP_HOURS = "beneficiary_group_hours"


class CoalitionPostKind(StrEnum):
    """A post in a coalition's feed: the backbone's announcements, and what the app posts."""

    ANNOUNCEMENT = "announcement"
    TARGET_SET = "target_set"
    TARGET_CHANGED = "target_changed"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    # the backbone changed the shared measurement: the coalition profile or a coalition metric
    MEASUREMENT_CHANGED = "measurement_changed"


class PlanOutcome(StrEnum):
    """How a buyer closed a corrective action plan (procure.corrective): stored."""

    MET = "met"  # the vendor reached the target
    NOT_MET = "not_met"  # closed without reaching it


class PlanState(StrEnum):
    """Where a corrective action plan stands, read from its outcome and due date, never
    stored: open until its buyer closes it, overdue once open past its due date."""

    OPEN = "open"
    OVERDUE = "overdue"  # open, and its due date has passed
    MET = "met"  # closed: the target was met
    NOT_MET = "not_met"  # closed: the target was not met


def check_in(column: str, values: type[StrEnum] | tuple[StrEnum, ...]) -> str:
    """The SQL of a CHECK constraint that keeps `column` to the given values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
