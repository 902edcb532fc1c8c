"""Corrective action plans: a buyer opens one on a vendor's metric (`open_plan`), the vendor
answers with actions (`answer_plan`), and a buyer closes it as met or not met (`close_plan`).
Each step is audited (`corrective.open`, `corrective.answer`, `corrective.close`) and tells the
other side (the vendor's users of an opening and a closing, the buyer organization's buyers of an
answer).

Figures come from the scoring path the scorecard uses, never computed here: a metric's value is
its scorecard line's raw value for the vendor, as the buyer organization's reviews and catalog
score it (`scored_lines`). The baseline is that value when the plan is opened; the latest value
is read again whenever a plan is shown (`progress_of`), so a disclosure submitted since shows
progress at once.

Refusals name the field and change nothing: a metric that is not in the buyer organization's
catalog, a vendor with no score, a due date in the past, a target the baseline already meets,
actions without text (ValidationFailed, 422); a stale version, closing a closed plan, answering
a closed plan (ConflictError, 409). Services flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.corrective.models import (
    MAX_ACTIONS,
    CorrectiveAnswer,
    CorrectivePlan,
    reaches,
)
from procure.db import utcnow
from procure.editing import check_version, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.formatting import plain_number
from procure.notifications.services import active_users, link_to, notify
from procure.scoring import services as scoring
from procure.scoring_defaults import default_profile
from procure.states import NotificationKind, PlanOutcome
from procure.vendors.models import Vendor

# the vendor organization's users told of a plan: its vendor users and its admin (who acts as it)
VENDOR_ROLES = ("vendor", "admin")


def today() -> date:
    """The day plans fall overdue by (UTC)."""
    return utcnow().date()


@dataclass(frozen=True)
class ScoredLine:
    """One metric of one vendor as the scorecard shows it to a buyer organization: its value
    (None: not disclosed, with the reason) and the disclosure version it was read from."""

    value: float | None
    disclosure_id: int
    period_end: date
    missing_reason: str | None = None


def metric_choices(organization_id: int) -> list[Any]:
    """The metrics a plan may be opened on: the buyer organization's catalog (the built-in
    metrics and its own), as its scorecards show them."""
    return list(scoring.catalog_for(organization_id).metrics)


def scored_lines(organization_id: int, vendor_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each scored vendor's metric lines, by vendor id and metric key, as the buyer
    organization's scorecards show them: the default profile's scoring of every vendor on its
    latest period, with the organization's reviews and catalog (values do not depend on the
    profile's weights or goalposts). A vendor with no score (no submitted disclosure or no
    active offer) is left out."""
    wanted = {str(vendor_id) for vendor_id in vendor_ids}
    ranking = scoring.rank_vendors(
        default_profile(),
        None,
        organization_id=organization_id,
        with_stability=False,
        metrics=scoring.catalog_for(organization_id),
    )
    if ranking.result is None:
        return {}
    explanation = ranking.result.explanation
    rows = explanation[explanation["vendor_id"].astype(str).isin(wanted)]
    found: dict[int, dict[str, Any]] = {}
    for line in rows.to_dict("records"):
        vendor_id = int(line["vendor_id"])
        disclosure = ranking.inputs.disclosures[vendor_id]
        value = line["raw_value"]
        found.setdefault(vendor_id, {})[line["metric"]] = ScoredLine(
            None if value is None or value != value else float(value),
            disclosure.id,
            disclosure.period_end,
            line.get("missing_reason") or None,
        )
    return found


@dataclass(frozen=True)
class Progress:
    """Where a plan stands against its target: the latest value the buyer organization's
    scorecard shows (None: not disclosed, or the vendor is not scored now), the version it comes
    from, whether it is newer than the baseline's, and whether it meets the target."""

    latest: float | None
    disclosure_id: int | None
    period_end: date | None
    newer: bool
    met: bool | None
    scored: bool


def progress_of(plans: Iterable[CorrectivePlan]) -> dict[int, Progress]:
    """Each plan's progress, by plan id; one scoring per buyer organization."""
    by_organization: dict[int, list[CorrectivePlan]] = {}
    for plan in plans:
        by_organization.setdefault(plan.organization_id, []).append(plan)
    found: dict[int, Progress] = {}
    for organization_id, listed in by_organization.items():
        lines = scored_lines(organization_id, {plan.vendor_id for plan in listed})
        for plan in listed:
            line = lines.get(plan.vendor_id, {}).get(plan.metric)
            if line is None:
                found[plan.id] = Progress(None, None, None, False, None, False)
                continue
            found[plan.id] = Progress(
                line.value,
                line.disclosure_id,
                line.period_end,
                line.disclosure_id != plan.baseline_disclosure_id,
                plan.meets(line.value),
                True,
            )
    return found


class PlanView:
    """A plan as shown: its state on the day and its progress, the plan's own fields through."""

    def __init__(self, plan: CorrectivePlan, progress: Progress, day: date):
        self.plan = plan
        self.progress = progress
        self.state = plan.state_on(day)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.plan, name)


def views_of(plans: Iterable[CorrectivePlan], day: date | None = None) -> list[PlanView]:
    """The plans as shown on `day` (default today), in the order given."""
    listed = list(plans)
    progress = progress_of(listed)
    day = day or today()
    return [PlanView(plan, progress[plan.id], day) for plan in listed]


def _opening_errors(
    organization_id: int, vendor: Vendor, fields: Mapping[str, Any], day: date
) -> tuple[Any, ScoredLine | None, dict[str, list[str]]]:
    """The metric of the catalog, the vendor's scored line of it, and what is wrong, by field."""
    errors: dict[str, list[str]] = {}
    metrics = {metric.key: metric for metric in metric_choices(organization_id)}
    metric = metrics.get(fields["metric"])
    if metric is None:
        errors["metric"] = [
            f"Unknown metric {fields['metric']!r}: choose one of {', '.join(sorted(metrics))}."
        ]
    if fields["due_on"] < day:
        errors["due_on"] = [f"Choose today ({day.isoformat()}) or a later day."]
    line = None
    if metric is not None:
        line = scored_lines(organization_id, [vendor.id]).get(vendor.id, {}).get(metric.key)
        if line is None:
            errors["vendor_id"] = [
                f"{vendor.name} has no score yet (a submitted disclosure and an active offer "
                "are needed): there is no figure to improve from."
            ]
    return metric, line, errors


def open_plan(buyer: User, vendor: Vendor, fields: Mapping[str, Any], day: date) -> CorrectivePlan:
    """Open a plan of the buyer's organization on `vendor` (`PlanOpenSchema`'s fields: metric,
    target, due_on, note), its baseline read from the scorecard the buyer sees; the vendor's
    users are told."""
    metric, line, errors = _opening_errors(buyer.organization_id, vendor, fields, day)
    target = float(fields["target"])
    baseline = line.value if line is not None and not errors else None
    if baseline is not None and reaches(baseline, target, metric.direction):
        errors["target"] = [
            f"{vendor.name} already has {plain_number(baseline, 4)} ({metric.unit}): set a "
            f"target {'above' if metric.direction == 'higher' else 'below'} it."
        ]
    if errors:
        raise ValidationFailed(errors)
    assert line is not None
    plan = CorrectivePlan(
        organization_id=buyer.organization_id,
        vendor_id=vendor.id,
        metric=metric.key,
        metric_label=metric.label,
        unit=metric.unit,
        direction=metric.direction,
        baseline=line.value,
        baseline_disclosure_id=line.disclosure_id,
        baseline_period_end=line.period_end,
        target=target,
        due_on=fields["due_on"],
        note=(fields.get("note") or "").strip() or None,
        opened_by_id=buyer.id,
    )
    db.session.add(plan)
    db.session.flush()
    record_event(
        "corrective.open",
        plan,
        actor=buyer,
        after={
            "vendor_id": vendor.id,
            "metric": plan.metric,
            "baseline": plan.baseline,
            "baseline_disclosure_id": plan.baseline_disclosure_id,
            "target": plan.target,
            "due_on": plan.due_on,
        },
    )
    notify(
        active_users(*VENDOR_ROLES, organization_id=vendor.organization_id),
        NotificationKind.CORRECTIVE_OPENED,
        f"{buyer.organization.name} asks you to bring {metric.label.lower()} to "
        f"{plain_number(target, 4)} by {plan.due_on.isoformat()}: answer with your actions.",
        link=link_to("corrective_pages.show", plan_id=plan.id),
        subject=plan,
    )
    return plan


def _open_or_409(plan: CorrectivePlan, verb: str) -> None:
    if plan.closed:
        raise ConflictError(
            f"This plan was closed ({(plan.outcome or '').replace('_', ' ')}): it cannot be "
            f"{verb}.",
            {"outcome": [f"Closed already ({plan.outcome})."]},
        )


def answer_plan(
    plan: CorrectivePlan, user: User, actions: list[Mapping[str, Any]]
) -> CorrectiveAnswer:
    """The vendor answers an open plan with actions (each a text and a day); the plan's buyer
    organization's buyers are told."""
    _open_or_409(plan, "answered")
    errors: dict[str, list[str]] = {}
    if not actions:
        errors["actions"] = ["Name at least one action."]
    elif len(actions) > MAX_ACTIONS:
        errors["actions"] = [f"Name at most {MAX_ACTIONS} actions in one answer."]
    for index, action in enumerate(actions):
        if not (action.get("text") or "").strip():
            errors[f"actions.{index}.text"] = ["Describe the action."]
    if errors:
        raise ValidationFailed(errors)
    answer = CorrectiveAnswer(
        created_by_id=user.id,
        actions=[
            {"text": action["text"].strip(), "on": action["on"].isoformat()} for action in actions
        ],
    )
    plan.answers.append(answer)
    db.session.flush()
    record_event(
        "corrective.answer",
        plan,
        actor=user,
        after={"answer_id": answer.id, "actions": answer.actions},
    )
    notify(
        active_users("buyer", organization_id=plan.organization_id),
        NotificationKind.CORRECTIVE_ANSWERED,
        f"{plan.vendor.name} answered your corrective action plan on "
        f"{plan.metric_label.lower()} with {len(actions)} action"
        f"{'s' if len(actions) != 1 else ''}.",
        link=link_to("corrective_pages.show", plan_id=plan.id),
        subject=plan,
    )
    return answer


def close_plan(
    plan: CorrectivePlan, user: User, sent: int | None, outcome: str, comment: str | None
) -> CorrectivePlan:
    """A buyer closes an open plan as met or not met, with a comment, against the version it
    loaded; the vendor's users are told."""
    check_version(plan, sent, "plan")
    _open_or_409(plan, "closed again")
    outcome = PlanOutcome(outcome)
    plan.outcome, plan.close_comment = outcome, (comment or "").strip() or None
    plan.closed_at, plan.closed_by_id = utcnow(), user.id
    save_changes(plan, "plan", sent)
    record_event(
        "corrective.close",
        plan,
        actor=user,
        before={"outcome": None},
        after={"outcome": outcome.value, "comment": plan.close_comment},
    )
    words = "met" if outcome == PlanOutcome.MET else "not met"
    notify(
        active_users(*VENDOR_ROLES, organization_id=plan.vendor.organization_id),
        NotificationKind.CORRECTIVE_CLOSED,
        f"{plan.organization.name} closed its plan on {plan.metric_label.lower()}: target {words}.",
        link=link_to("corrective_pages.show", plan_id=plan.id),
        subject=plan,
    )
    return plan
