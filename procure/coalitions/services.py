"""Coalitions: the backbone makes one (`create_coalition`) and edits its charter, invites buyer
organizations (`invite_member`), sets and changes joint targets and posts announcements; an
invited organization's executive or admin accepts or declines, a member leaves and chooses
whether its contribution is shown by name (`set_sharing`).

Membership events and target changes post to the feed by themselves (`feed.post_to_feed`), and
every post notifies the active members' buyer side; an invitation notifies the invited
organization's executives and admin, an answer (accepted, declined, left) the backbone's
coordinators and admin.

Every change writes an audit event; edits of the charter and of a target are conditional on the
version the caller loaded (409 on a stale one). Services flush; the request commits.

What the backbone and the members read of one another's plans goes through `progress_view` and
`vendor_load_view`: aggregates only (procure.coalitions.progress), never a price, a budget, a
need or a scenario, and no aggregate of fewer contributing members than the setting
`coalition_min_cell_members` (procure.coalitions.suppression), except a member's own figures
to itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select

from procure.accounts.models import Organization, User
from procure.accounts.names import name_key
from procure.audit.services import record_event
from procure.coalitions import adapter, measurement
from procure.coalitions.feed import post_to_feed
from procure.coalitions.models import (
    MEMBER_SIDE,
    Coalition,
    CoalitionMember,
    CoalitionPost,
    CoalitionTarget,
)
from procure.coalitions.progress import (
    OTHER_MEMBERS,
    PlanLine,
    Target,
    member_flags,
    target_progress,
    vendor_load,
)
from procure.coalitions.suppression import suppressed_words
from procure.db import utcnow
from procure.disclosures.validation import CATEGORY_FIELDS
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.scenarios.models import Scenario
from procure.scoring.versions import bump
from procure.states import (
    OPEN_MEMBER_STATES,
    CoalitionMemberState,
    CoalitionPostKind,
    NotificationKind,
    TargetMeasure,
)
from procure.vendors.capacity import calendar_months

MAX_NAME_LENGTH = 200
MAX_CHARTER_LENGTH = 8000
MAX_THEORY_LENGTH = 2000
MAX_LABEL_LENGTH = 200
MAX_POST_LENGTH = 4000
MAX_CANDIDATES = 20  # buyer organizations listed at once to invite
MAX_PERIOD_MONTHS = 120  # ten years: a coalition's period, and so every target's
MAX_HOURS_OR_JOBS = 1e12
CHARTER_FIELDS = (
    "name",
    "charter",
    "theory_of_change",
    "period_start",
    "period_end",
    "impact_vendor_min_score",
)
TARGET_FIELDS = ("measure", "beneficiary_group", "value", "label", "period_start", "period_end")
# who answers an invitation, leaves, and chooses to share: a buyer organization's executives and
# its admin (the access rule admits both); who is told of an invitation
ANSWERING_ROLES = ("executive", "admin")
BACKBONE_ROLES = ("coordinator", "admin")
MEASURE_LABELS = {
    TargetMeasure.IMPACT_WORKER_JOBS: "jobs for impact workers (FTE)",
    TargetMeasure.IMPACT_WORKER_HOURS: "impact-worker hours",
    TargetMeasure.IMPACT_SPEND_SHARE: "share of spend with impact vendors",
    TargetMeasure.BENEFICIARY_GROUP_HOURS: "impact-worker hours of one beneficiary group",
}


def group_labels() -> dict[str, str]:
    """The beneficiary groups a target may name, by key: the groups vendors disclose their
    impact workers in (a disclosure's `categories`), with their labels."""
    return {key: spec.label for key, spec in CATEGORY_FIELDS.items()}


def measure_words(measure: str, group: str | None = None) -> str:
    """A target's measure in words; for a group's hours, with the group named."""
    if measure == TargetMeasure.BENEFICIARY_GROUP_HOURS and group:
        return f"impact-worker hours of the group: {group_labels().get(group, group)}"
    return MEASURE_LABELS[TargetMeasure(measure)]


# ---------------------------------------------------------------- who reads


@dataclass(frozen=True)
class Reader:
    """How the signed-in user stands toward a coalition it can see: the backbone, an active
    member, or an organization invited (which reads the charter and the targets, nothing of the
    members' figures)."""

    backbone: bool
    membership: CoalitionMember | None

    @property
    def member(self) -> bool:
        return self.membership is not None and self.membership.state == CoalitionMemberState.ACTIVE

    @property
    def invited(self) -> bool:
        return self.membership is not None and self.membership.state == CoalitionMemberState.INVITED

    @property
    def insider(self) -> bool:
        """Reads the progress, the vendor load (or its own flags) and the feed."""
        return self.backbone or self.member


def reader(coalition: Coalition, user: User) -> Reader:
    return readers([coalition], user)[coalition.id]


def readers(coalitions: Sequence[Coalition], user: User) -> dict[int, Reader]:
    """How the user stands toward each coalition, by its id: the organization's open
    memberships of them read in one query."""
    if user.reads_as == "coordinator":
        return {c.id: Reader(c.organization_id == user.organization_id, None) for c in coalitions}
    memberships: dict[int, CoalitionMember] = {}
    if user.reads_as in MEMBER_SIDE and coalitions:
        for membership in db.session.scalars(
            select(CoalitionMember)
            .where(
                CoalitionMember.coalition_id.in_([c.id for c in coalitions]),
                CoalitionMember.organization_id == user.organization_id,
                CoalitionMember.state.in_(OPEN_MEMBER_STATES),
            )
            .order_by(CoalitionMember.id)
        ):
            memberships.setdefault(membership.coalition_id, membership)
    return {c.id: Reader(False, memberships.get(c.id)) for c in coalitions}


def open_membership(coalition: Coalition, organization_id: int) -> CoalitionMember | None:
    """The organization's invited or active membership of the coalition, if any."""
    return db.session.scalars(
        select(CoalitionMember).where(
            CoalitionMember.coalition_id == coalition.id,
            CoalitionMember.organization_id == organization_id,
            CoalitionMember.state.in_(OPEN_MEMBER_STATES),
        )
    ).first()


def active_members(coalition: Coalition) -> list[CoalitionMember]:
    return list(
        db.session.scalars(
            select(CoalitionMember)
            .where(
                CoalitionMember.coalition_id == coalition.id,
                CoalitionMember.state == CoalitionMemberState.ACTIVE,
            )
            .order_by(CoalitionMember.id)
        )
    )


def visible_members(coalition: Coalition, seen_by: Reader) -> list[CoalitionMember]:
    """The memberships a reader sees: the backbone every one it invited (with its state), a
    member the active members (names only: membership is what the feed announces anyway), an
    invited organization none."""
    if seen_by.backbone:
        return list(coalition.members)
    if seen_by.member:
        return active_members(coalition)
    return []


# ---------------------------------------------------------------- the charter


def _period_errors(
    start: date, end: date, start_field: str = "period_start", end_field: str = "period_end"
) -> dict[str, list[str]]:
    if end < start:
        return {end_field: ["The period ends on or after the day it starts."]}
    if len(calendar_months(start, end)) > MAX_PERIOD_MONTHS:
        return {end_field: [f"A period runs at most {MAX_PERIOD_MONTHS // 12} years."]}
    return {}


def _charter(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": fields["name"].strip(),
        "charter": fields["charter"].strip(),
        "theory_of_change": (fields.get("theory_of_change") or "").strip() or None,
        "period_start": fields["period_start"],
        "period_end": fields["period_end"],
        "impact_vendor_min_score": fields["impact_vendor_min_score"],
    }


def _charter_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors = _period_errors(values["period_start"], values["period_end"])
    if not values["name"]:
        errors["name"] = ["Give the coalition a name."]
    if not values["charter"]:
        errors["charter"] = ["Write the common agenda the members sign up to."]
    if not 0 <= values["impact_vendor_min_score"] <= 100:
        errors["impact_vendor_min_score"] = ["An impact score from 0 to 100."]
    return errors


def create_coalition(user: User, fields: Mapping[str, Any]) -> Coalition:
    """A coalition of the user's backbone organization: `name`, `charter`, `theory_of_change`,
    `period_start`, `period_end` (at most ten years) and `impact_vendor_min_score` (0–100).
    ValidationFailed names the field."""
    values = _charter(fields)
    errors = _charter_errors(values)
    if errors:
        raise ValidationFailed(errors)
    coalition = Coalition(organization_id=user.organization_id, created_by_id=user.id, **values)
    db.session.add(coalition)
    db.session.flush()
    record_event("coalition.create", coalition, actor=user, after=values)
    return coalition


def update_coalition(
    coalition: Coalition, user: User, fields: Mapping[str, Any], sent: int | None
) -> Coalition:
    """Replace the charter (every field again, and the version loaded). The period must still
    hold every target's (ValidationFailed names `period_start` or `period_end`)."""
    check_version(coalition, sent, "coalition")
    values = _charter(fields)
    errors = _charter_errors(values)
    outside = [
        target.label
        for target in coalition.targets
        if target.period_start < values["period_start"] or target.period_end > values["period_end"]
    ]
    if outside and not errors:
        errors["period_start"] = [
            "The period must hold every target's period; outside it: " + ", ".join(outside) + "."
        ]
    if errors:
        raise ValidationFailed(errors)
    before = {name: getattr(coalition, name) for name in CHARTER_FIELDS}
    for name, value in values.items():
        setattr(coalition, name, value)
    save_changes(coalition, "coalition", sent)
    record_event("coalition.update", coalition, actor=user, before=before, after=values)
    return coalition


# ---------------------------------------------------------------- members


def candidates(
    coalition: Coalition, query: str, limit: int = MAX_CANDIDATES
) -> tuple[list[Organization], int]:
    """The buyer organizations the backbone may invite whose name holds `query` (compared as
    names are: case and width folded), leaving out those invited or a member already: those
    whose name starts with it first, then by name; at most `limit`, and how many match in all.
    An empty query matches every one. Only buyer organizations, and only their names and ids:
    what the backbone needs to invite one."""
    taken = select(CoalitionMember.organization_id).where(
        CoalitionMember.coalition_id == coalition.id,
        CoalitionMember.state.in_(OPEN_MEMBER_STATES),
    )
    statement = select(Organization).where(
        Organization.kind == "buyer", Organization.id.not_in(taken)
    )
    key = name_key(query)
    if key:
        statement = statement.where(Organization.name_key.contains(key, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    starts = case((Organization.name_key.startswith(key, autoescape=True), 0), else_=1)
    found = db.session.scalars(
        statement.order_by(starts, Organization.name_key, Organization.id).limit(limit)
    ).all()
    return list(found), total


def invite_member(coalition: Coalition, user: User, organization_id: int) -> CoalitionMember:
    """Invite a buyer organization (by its id); its executives and admin are told. A vendor,
    assurance provider, backbone or unknown organization is refused naming `organization_id`
    (in the same words: the backbone learns nothing of organizations it cannot invite); so is
    one invited or a member already (ConflictError)."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.kind != "buyer":
        raise ValidationFailed(
            {"organization_id": [f"No buyer organization with id {organization_id}."]}
        )
    taken = ConflictError(
        f"{organization.name} is invited to or a member of this coalition already.",
        {"organization_id": ["Invited or a member already."]},
    )
    if open_membership(coalition, organization.id) is not None:
        raise taken
    membership = CoalitionMember(
        coalition_id=coalition.id,
        organization_id=organization.id,
        state=CoalitionMemberState.INVITED,
        invited_by_id=user.id,
        invited_at=utcnow(),
    )
    db.session.add(membership)
    insert_once(membership, taken)
    record_event(
        "coalition.invite",
        coalition,
        actor=user,
        after={"organization_id": organization.id, "state": membership.state},
    )
    notify(
        active_users(*ANSWERING_ROLES, organization_id=organization.id),
        NotificationKind.COALITION_INVITATION,
        f"{coalition.organization.name} invites {organization.name} to join the coalition "
        f"{coalition.name!r}.",
        link=link_to("coalition_pages.show", coalition_id=coalition.id),
        subject=coalition,
    )
    return membership


def _own_membership(
    coalition: Coalition, user: User, state: CoalitionMemberState, verb: str
) -> CoalitionMember:
    membership = open_membership(coalition, user.organization_id)
    if membership is None or membership.state != state:
        now = "not invited" if membership is None else membership.state
        raise ConflictError(f"Your organization is {now} here: it cannot {verb}.")
    return membership


def _answer(
    coalition: Coalition,
    user: User,
    membership: CoalitionMember,
    state: CoalitionMemberState,
    action: str,
    told: str,
) -> None:
    before = membership.state
    membership.state, membership.answered_by_id = state, user.id
    db.session.flush()
    record_event(
        action,
        coalition,
        actor=user,
        before={"organization_id": membership.organization_id, "state": before},
        after={"organization_id": membership.organization_id, "state": state},
    )
    notify(
        active_users(*BACKBONE_ROLES, organization_id=coalition.organization_id),
        NotificationKind.COALITION_ANSWER,
        f"{membership.organization.name} {told} the coalition {coalition.name!r}.",
        link=link_to("coalition_pages.show", coalition_id=coalition.id),
        subject=coalition,
    )


def accept_invitation(coalition: Coalition, user: User) -> CoalitionMember:
    """The user's organization joins: its approved plans count toward the targets from now on."""
    membership = _own_membership(coalition, user, CoalitionMemberState.INVITED, "accept")
    membership.joined_at = utcnow()
    _answer(coalition, user, membership, CoalitionMemberState.ACTIVE, "coalition.accept", "joined")
    post_to_feed(
        coalition,
        CoalitionPostKind.MEMBER_JOINED,
        f"{membership.organization.name} joined the coalition.",
        user,
    )
    return membership


def decline_invitation(coalition: Coalition, user: User) -> CoalitionMember:
    """The user's organization says no; the backbone is told (nothing is posted)."""
    membership = _own_membership(coalition, user, CoalitionMemberState.INVITED, "decline")
    membership.declined_at = utcnow()
    _answer(
        coalition,
        user,
        membership,
        CoalitionMemberState.DECLINED,
        "coalition.decline",
        "declined to join",
    )
    return membership


def leave_coalition(coalition: Coalition, user: User) -> CoalitionMember:
    """The user's organization leaves: its plans count no more; it may be invited again."""
    membership = _own_membership(coalition, user, CoalitionMemberState.ACTIVE, "leave")
    membership.left_at = utcnow()
    _answer(coalition, user, membership, CoalitionMemberState.LEFT, "coalition.leave", "left")
    measurement.stop_on_leaving(coalition, membership)  # its default profile again, told so
    post_to_feed(
        coalition,
        CoalitionPostKind.MEMBER_LEFT,
        f"{membership.organization.name} left the coalition.",
        user,
    )
    return membership


def set_sharing(coalition: Coalition, user: User, shares: bool) -> CoalitionMember:
    """Whether the member's own contribution shows by name (to the backbone and the members)."""
    membership = _own_membership(coalition, user, CoalitionMemberState.ACTIVE, "share")
    return _set_flag(coalition, user, membership, "shares_contribution", shares, "sharing")


def set_uses_profile(coalition: Coalition, user: User, uses: bool) -> CoalitionMember:
    """Whether the user's organization (an active member) ranks under the coalition profile
    (procure.coalitions.measurement). It ranks under one coalition's at most: adopting this one
    stops any other."""
    membership = _own_membership(coalition, user, CoalitionMemberState.ACTIVE, "adopt its profile")
    if uses:
        for other in db.session.scalars(
            select(CoalitionMember).where(
                CoalitionMember.organization_id == user.organization_id,
                CoalitionMember.id != membership.id,
                CoalitionMember.uses_profile.is_(True),
            )
        ):
            other.uses_profile = False
    _set_flag(coalition, user, membership, "uses_profile", uses, "uses_profile")
    # a ranking stored under the coalition profile before it stopped may be of an older profile
    # (changes since bumped the adopters only): outdate it
    bump(membership.organization_id)
    return membership


def _set_flag(
    coalition: Coalition,
    user: User,
    membership: CoalitionMember,
    flag: str,
    value: bool,
    action: str,
) -> CoalitionMember:
    """Set one of the member's own yes/no choices (flushes) with its audit event."""
    before = getattr(membership, flag)
    setattr(membership, flag, value)
    db.session.flush()
    record_event(
        f"coalition.{action}",
        coalition,
        actor=user,
        before={"organization_id": membership.organization_id, flag: before},
        after={"organization_id": membership.organization_id, flag: value},
    )
    return membership


# ---------------------------------------------------------------- targets


def _target_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "measure": fields["measure"],
        "beneficiary_group": (fields.get("beneficiary_group") or "").strip() or None,
        "value": fields["value"],
        "label": fields["label"].strip(),
        "period_start": fields["period_start"],
        "period_end": fields["period_end"],
    }


def _target_errors(coalition: Coalition, values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    measure = values["measure"]
    if measure not in tuple(TargetMeasure):
        errors["measure"] = [f"Choose one of: {', '.join(TargetMeasure)}."]
    group, groups = values["beneficiary_group"], group_labels()
    if measure == TargetMeasure.BENEFICIARY_GROUP_HOURS and group not in groups:
        errors["beneficiary_group"] = [
            "Choose the beneficiary group: " + ", ".join(sorted(groups.values())) + "."
        ]
    elif measure != TargetMeasure.BENEFICIARY_GROUP_HOURS and group is not None:
        errors["beneficiary_group"] = ["Only a target in the hours of one group names a group."]
    value = values["value"]
    if value is None or not value > 0:
        errors["value"] = ["A target above 0."]
    elif measure == TargetMeasure.IMPACT_SPEND_SHARE and value > 1:
        errors["value"] = ["A share from 0 to 1 (0.4 is 40 %)."]
    elif value > MAX_HOURS_OR_JOBS:
        errors["value"] = [f"At most {MAX_HOURS_OR_JOBS:,.0f}."]
    if not values["label"]:
        errors["label"] = ["Say the target in words, e.g. 2,000 jobs for impact workers in 2027."]
    errors.update(_period_errors(values["period_start"], values["period_end"]))
    if "period_end" not in errors:
        if values["period_start"] < coalition.period_start:
            errors["period_start"] = [
                f"Within the coalition's period: from {coalition.period_start} on."
            ]
        if values["period_end"] > coalition.period_end:
            errors["period_end"] = [
                f"Within the coalition's period: until {coalition.period_end} at the latest."
            ]
    return errors


def describe_target(target: CoalitionTarget) -> str:
    value = (
        f"{target.value:.0%}"
        if target.measure == TargetMeasure.IMPACT_SPEND_SHARE
        else f"{target.value:,.0f}"
    )
    return (
        f"{target.label}: {value} {measure_words(target.measure, target.beneficiary_group)}, "
        f"{target.period_start} to {target.period_end}"
    )


def add_target(coalition: Coalition, user: User, fields: Mapping[str, Any]) -> CoalitionTarget:
    """A joint target: `measure` (impact_worker_jobs, impact_worker_hours, impact_spend_share,
    beneficiary_group_hours with its `beneficiary_group`), `value` (above 0; a share at most
    1), `label` and a period within the coalition's.
    ValidationFailed names the field; nothing is saved. The members are told in the feed."""
    values = _target_values(fields)
    errors = _target_errors(coalition, values)
    if errors:
        raise ValidationFailed(errors)
    target = CoalitionTarget(coalition_id=coalition.id, **values)
    db.session.add(target)
    db.session.flush()
    record_event("coalition.target_set", target, actor=user, after=values)
    post_to_feed(
        coalition, CoalitionPostKind.TARGET_SET, f"New target: {describe_target(target)}.", user
    )
    return target


def update_target(
    target: CoalitionTarget, user: User, fields: Mapping[str, Any], sent: int | None
) -> CoalitionTarget:
    """Replace a target's figures (every field again, and the version loaded), on the same
    terms as a new one; the members are told in the feed."""
    check_version(target, sent, "target")
    values = _target_values(fields)
    errors = _target_errors(target.coalition, values)
    if errors:
        raise ValidationFailed(errors)
    before = {name: getattr(target, name) for name in TARGET_FIELDS}
    was = describe_target(target)
    for name, value in values.items():
        setattr(target, name, value)
    save_changes(target, "target", sent)
    record_event("coalition.target_change", target, actor=user, before=before, after=values)
    post_to_feed(
        target.coalition,
        CoalitionPostKind.TARGET_CHANGED,
        f"Target changed: {describe_target(target)} (was {was}).",
        user,
    )
    return target


def target_of(coalition: Coalition, target_id: int) -> CoalitionTarget | None:
    target = db.session.get(CoalitionTarget, target_id)
    return target if target is not None and target.coalition_id == coalition.id else None


# ---------------------------------------------------------------- the feed


def announce(coalition: Coalition, user: User, text: str) -> CoalitionPost:
    """The backbone's announcement to the members (`text`; ValidationFailed when blank)."""
    text = text.strip()
    if not text:
        raise ValidationFailed({"text": ["Write the announcement."]})
    post = post_to_feed(coalition, CoalitionPostKind.ANNOUNCEMENT, text, user)
    record_event("coalition.announce", post, actor=user, after={"text": text})
    return post


def feed_select(coalition: Coalition):
    return (
        select(CoalitionPost)
        .where(CoalitionPost.coalition_id == coalition.id)
        .order_by(CoalitionPost.at.desc(), CoalitionPost.id.desc())
    )


# ---------------------------------------------------------------- what is shared

NO_DELIVERIES = "No deliveries recorded: actual progress appears once members record them."


def _target(target: CoalitionTarget) -> Target:
    return Target(
        target.id,
        target.measure,
        target.value,
        tuple(calendar_months(target.period_start, target.period_end)),
        target.beneficiary_group,
    )


@dataclass(frozen=True)
class Figures:
    """What the progress and the vendor load are computed from, loaded once (`figures`) and
    handed to both: the active members, their approved scenarios, those plans' lines and the
    group shares of the disclosures the plans scored (by disclosure id; the delivered hours
    reuse them)."""

    members: list[CoalitionMember]
    scenarios: list[Scenario]
    lines: list[PlanLine]
    groups: Mapping[int, Mapping[str, float]]


def figures(coalition: Coalition) -> Figures:
    members = active_members(coalition)
    scenarios = adapter.approved(members)
    groups = adapter.plan_groups(scenarios)
    return Figures(members, scenarios, adapter.plan_lines(scenarios, groups), groups)


def min_cell_members() -> int:
    """The fewest contributing members an aggregate shown across members may have (the
    setting `coalition_min_cell_members`; never below 1)."""
    return max(1, int(current_app.config["COALITION_MIN_CELL_MEMBERS"]))


def own_member(seen_by: Reader) -> int | None:
    """The organization whose own figures `seen_by` reads in full: its own, when a member."""
    if seen_by.member and seen_by.membership is not None:
        return seen_by.membership.organization_id
    return None


def progress_view(
    coalition: Coalition, seen_by: Reader, loaded: Figures | None = None
) -> dict[str, Any]:
    """Progress toward each target, projected from the active members' approved plans and
    actual from their recorded deliveries: aggregates only, small cells suppressed. A member's
    own contribution is named only when it shares it; the others are summed as "other
    members"; a member reading sees its own in its own row. `loaded`: the coalition's
    `figures`, when the caller has them already."""
    loaded = loaded or figures(coalition)
    members, lines = loaded.members, loaded.lines
    delivered = adapter.delivered(
        loaded.scenarios, coalition.impact_vendor_min_score, loaded.groups
    )
    named = {m.organization_id: m.organization.name for m in members if m.shares_contribution}
    ids = [m.organization_id for m in members]
    minimum = min_cell_members()
    targets = []
    for target in coalition.targets:
        progress = target_progress(
            _target(target),
            lines,
            delivered,
            coalition.impact_vendor_min_score,
            ids,
            named,
            minimum,
            own_member(seen_by),
        )
        for row in progress["contributions"]:
            if row["member"] is OTHER_MEMBERS:
                row["member"] = "Other members"
        targets.append(
            {
                "id": target.id,
                "measure": target.measure,
                "beneficiary_group": target.beneficiary_group,
                "measure_words": measure_words(target.measure, target.beneficiary_group),
                "label": target.label,
                "value": target.value,
                "period_start": target.period_start,
                "period_end": target.period_end,
                "version": target.version,
                **progress,
            }
        )
    return {
        "members": len(members),
        "actual_status": None if delivered else NO_DELIVERIES,
        "min_cell_members": minimum,
        "targets": targets,
    }


def vendor_load_view(
    coalition: Coalition, seen_by: Reader, loaded: Figures | None = None
) -> dict[str, Any]:
    """The backbone: per vendor the members' plans book in the coalition's period, its name,
    how many members rely on it, and per month the hours booked and the share of its capacity
    (withheld in a month fewer than the minimum of members book it); the vendors booked beyond
    capacity flagged. A member: only the flagged vendors its own plans book, with the months
    over, its own hours, and the total load only when the minimum of members book the vendor
    that month (never who else books it, or how much). `loaded`: the coalition's `figures`,
    when the caller has them already."""
    lines = (loaded or figures(coalition)).lines
    months = calendar_months(coalition.period_start, coalition.period_end)
    loads = vendor_load(lines, months, adapter.capacities({line.vendor for line in lines}, months))
    names = adapter.vendor_names({load.vendor for load in loads})
    minimum = min_cell_members()
    reason = suppressed_words(minimum)
    if seen_by.backbone:
        return {
            "vendors": [
                {
                    "vendor": names.get(load.vendor, f"Vendor {load.vendor}"),
                    "members": len(load.members),
                    "over": load.over,
                    "months": [
                        {
                            "month": month.month,
                            "booked_hours": month.booked_hours if shown else None,
                            "capacity": month.capacity,
                            "load_ratio": month.load if shown else None,
                            "over": month.over,
                            "suppressed": not shown,
                            "suppressed_reason": None if shown else reason,
                        }
                        for month in load.months
                        for shown in (month.shown(minimum),)
                    ],
                }
                for load in loads
            ],
            "flags": [],
        }
    own = own_member(seen_by)
    if own is None:
        return {"vendors": [], "flags": []}
    return {
        "vendors": [],
        "flags": [
            {
                "vendor": names.get(load.vendor, f"Vendor {load.vendor}"),
                "months": [
                    {
                        "month": month.month,
                        "own_hours": month.own(own),
                        "load_ratio": month.load if shown else None,
                        "suppressed": not shown,
                        "suppressed_reason": None if shown else reason,
                    }
                    for month in load.months
                    if month.over
                    for shown in (month.shown(minimum),)
                ],
            }
            for load in member_flags(loads, own)
        ],
    }


class NavigationAudience:
    """Who gets the Coalitions entry in the navigation (procure.navigation): a backbone's users,
    and the buyer side of an organization invited to or a member of some coalition."""

    def admits(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if user.reads_as == "coordinator":
            return True
        if user.reads_as not in MEMBER_SIDE:
            return False
        return (
            db.session.scalar(
                select(CoalitionMember.id)
                .where(
                    CoalitionMember.organization_id == user.organization_id,
                    CoalitionMember.state.in_(OPEN_MEMBER_STATES),
                )
                .limit(1)
            )
            is not None
        )
