"""Shared measurement: a coalition's metric catalog and scoring profile, maintained by its
backbone and adopted by members.

The catalog is the built-in one plus the coalition's metrics (CoalitionMetric), checked by the
same rules as a buyer's custom metrics (`procure.scoring.services.checked_metric`); the profile
is the settings of `scoring.profile`, checked against that catalog like a buyer's profile
(`checked_settings`). A coalition without a profile of its own weighs as the default profile.

A member that adopts the profile (`CoalitionMember.uses_profile`) scores under it wherever it
would score under the default profile (`procure.scoring.shared_profiles.scoring_basis`): the
comparison and the API's `/scores` without `profile`, a vendor's scorecard and its what-if (page
and API), and its plans without a profile of their own, which record the coalition and the
profile's version they were solved under (`Scenario.coalition_id`), so their page and board
report name it. Its stored ranking is keyed by the coalition (`RankingKey.coalition_id`) and
scores with the coalition's catalog and profile, and the member's own reviews. Every change the
backbone makes to the catalog or the profile counts one change of each adopting member's data
version (`procure.scoring.versions.bump`), so their stored rankings are refreshed by the
rankings' own mechanism (procure.scoring.rankings), and nobody else's are touched; it is posted
to the coalition's feed (`measurement_changed`), which tells every member. A member that leaves
stops using it (`leave_coalition`) and ranks under its default profile again; it is told.

Who reads what: the backbone and the active members read the catalog and the profile; only the
backbone changes them; only an active member adopts or stops (procure.coalitions.routes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

import scoring
from procure.accounts.models import User
from procure.audit.services import record_event
from procure.coalitions.feed import MEMBER_READERS, post_to_feed
from procure.coalitions.models import (
    Coalition,
    CoalitionMember,
    CoalitionMetric,
    CoalitionProfile,
)
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.scoring.services import METRIC_FIELDS, checked_metric, checked_settings, insert_metric
from procure.scoring.shared_profiles import SharedProfiles
from procure.scoring.versions import bump
from procure.scoring_defaults import catalog, default_profile
from procure.states import CoalitionMemberState, CoalitionPostKind, NotificationKind


def coalition_metrics(coalition_id: int) -> list[CoalitionMetric]:
    return list(
        db.session.scalars(
            select(CoalitionMetric)
            .where(CoalitionMetric.coalition_id == coalition_id)
            .order_by(CoalitionMetric.id)
        )
    )


def coalition_catalog(coalition_id: int, without: CoalitionMetric | None = None) -> scoring.Catalog:
    """The built-in catalog plus the coalition's metrics (in the order they were added), less
    `without`."""
    added = [m.definition() for m in coalition_metrics(coalition_id) if m is not without]
    if not added:
        return catalog()
    return scoring.catalog_from_dict({"metrics": [*catalog().to_dict()["metrics"], *added]})


def profile_record(coalition_id: int) -> CoalitionProfile | None:
    return db.session.scalar(
        select(CoalitionProfile).where(CoalitionProfile.coalition_id == coalition_id)
    )


def coalition_profile(coalition_id: int) -> scoring.Profile:
    """The coalition's profile over its catalog; the default profile until the backbone sets
    one."""
    record = profile_record(coalition_id)
    if record is None:
        return default_profile()
    return scoring.profile_from_dict(record.settings, coalition_catalog(coalition_id))


def adopted_coalition(organization_id: int) -> int | None:
    """The id of the coalition whose profile the organization ranks under: one it is an active
    member of and adopted the profile of; None otherwise."""
    return db.session.scalar(
        select(CoalitionMember.coalition_id)
        .where(
            CoalitionMember.organization_id == organization_id,
            CoalitionMember.state == CoalitionMemberState.ACTIVE,
            CoalitionMember.uses_profile.is_(True),
        )
        .order_by(CoalitionMember.id)
        .limit(1)
    )


def profile_version(coalition_id: int) -> int | None:
    """The coalition profile's version; None until the backbone sets it."""
    return db.session.scalar(
        select(CoalitionProfile.version).where(CoalitionProfile.coalition_id == coalition_id)
    )


def coalition_name(coalition_id: int) -> str:
    return db.session.get_one(Coalition, coalition_id).name


def _measurement_changed(coalition: Coalition, user: User, what: str) -> None:
    """After a change of the catalog or the profile: outdate the adopters' stored rankings, and
    post `what` to the feed, which tells every member (flushes)."""
    _outdate_adopters(coalition)
    post_to_feed(
        coalition,
        CoalitionPostKind.MEASUREMENT_CHANGED,
        f"{what} Members that use the coalition profile rank and plan under the change from now "
        "on; plans solved before keep the profile they were solved with.",
        user,
        link=link_to("coalition_pages.measurement", coalition_id=coalition.id),
    )


def _outdate_adopters(coalition: Coalition) -> None:
    """Count one change of the data of every member ranking under the coalition's profile: their
    stored rankings are out of date, and refreshed when next read (procure.scoring.rankings)."""
    for organization_id in db.session.scalars(
        select(CoalitionMember.organization_id).where(
            CoalitionMember.coalition_id == coalition.id,
            CoalitionMember.state == CoalitionMemberState.ACTIVE,
            CoalitionMember.uses_profile.is_(True),
        )
    ):
        bump(organization_id)


def _weighed_by_profile(coalition_id: int, key: str) -> bool:
    record = profile_record(coalition_id)
    if record is None:
        return False
    settings = record.settings
    return key in (settings.get("metric_weights") or {}) or key in (settings.get("goalposts") or {})


# ---------------------------------------------------------------- the catalog


def metric_of(coalition: Coalition, metric_id: int) -> CoalitionMetric | None:
    metric = db.session.get(CoalitionMetric, metric_id)
    return metric if metric is not None and metric.coalition_id == coalition.id else None


def add_metric(coalition: Coalition, user: User, values: Mapping[str, Any]) -> CoalitionMetric:
    """Add a metric to the coalition's catalog, checked as a buyer's custom metric is (flushes):
    it weighs nothing until the coalition profile gives it a weight."""
    entry = checked_metric(values, coalition_catalog(coalition.id))
    metric = CoalitionMetric(coalition_id=coalition.id, created_by_id=user.id, **entry)
    insert_metric(metric)
    record_event("coalition_metric.create", coalition, actor=user, after=metric.definition())
    _measurement_changed(
        coalition, user, f"The backbone added the metric {metric.label} ({metric.key})."
    )
    return metric


def update_metric(
    coalition: Coalition, metric: CoalitionMetric, user: User, values: Mapping[str, Any]
) -> CoalitionMetric:
    """Replace a metric's fields (every field again), checked as when it was added; its key
    stays while the coalition profile weighs it, and the profile must still hold under the
    changed catalog (ValidationFailed naming the field otherwise). Flushes."""
    entry = checked_metric(values, coalition_catalog(coalition.id, without=metric))
    if entry["key"] != metric.key and _weighed_by_profile(coalition.id, metric.key):
        raise ValidationFailed(
            {"key": [f"The coalition profile weighs {metric.key!r}: keep its key."]},
            "The metric was not changed: see the message for each field.",
        )
    before = metric.definition()
    changed = [
        *(m.definition() for m in coalition_metrics(coalition.id) if m is not metric),
        entry,
    ]
    record = profile_record(coalition.id)
    if record is not None:
        metrics = scoring.catalog_from_dict(
            {"metrics": [*catalog().to_dict()["metrics"], *changed]}
        )
        try:
            scoring.profile_from_dict(record.settings, metrics)
        except scoring.ProfileError as invalid:
            raise ValidationFailed(
                {"goalposts": [error.message for error in invalid.errors]},
                "The metric was not changed: the coalition profile would no longer hold.",
            ) from None
    for name in METRIC_FIELDS:
        setattr(metric, name, entry[name])
    save_changes(
        metric,
        "metric",
        duplicate=ValidationFailed(
            {"key": [f"duplicate key {entry['key']!r}"]},
            "The metric was not changed: see the message for each field.",
        ),
    )
    record_event(
        "coalition_metric.update", coalition, actor=user, before=before, after=metric.definition()
    )
    _measurement_changed(
        coalition, user, f"The backbone changed the metric {metric.label} ({metric.key})."
    )
    return metric


def delete_metric(coalition: Coalition, metric: CoalitionMetric, user: User) -> None:
    """Remove a metric the coalition profile does not weigh (ConflictError otherwise)."""
    if _weighed_by_profile(coalition.id, metric.key):
        raise ConflictError(
            f"The coalition profile weighs {metric.key!r}: give it no weight first, then remove it."
        )
    record_event("coalition_metric.delete", coalition, actor=user, before=metric.definition())
    removed = f"The backbone removed the metric {metric.label} ({metric.key})."
    db.session.delete(metric)
    db.session.flush()
    _measurement_changed(coalition, user, removed)


# ---------------------------------------------------------------- the profile


def set_profile(
    coalition: Coalition, user: User, settings: Mapping[str, Any], sent: int | None
) -> CoalitionProfile:
    """Set the coalition profile's settings, checked against the coalition's catalog as a
    buyer's profile is against its own (ValidationFailed naming `settings.<field>`). The first
    time takes no version; every later change the version loaded (409 on a stale one)."""
    record = profile_record(coalition.id)
    checked = checked_settings(settings, coalition_catalog(coalition.id))
    if record is None:
        record = CoalitionProfile(
            coalition_id=coalition.id, settings=checked, updated_by_id=user.id
        )
        db.session.add(record)
        insert_once(
            record,
            ConflictError(
                "The coalition profile was set by someone else a moment ago: reload it and apply "
                "your change again."
            ),
        )
        before = None
    else:
        check_version(record, sent, "coalition profile")
        before = record.settings
        record.settings, record.updated_by_id = checked, user.id
        save_changes(record, "coalition profile", sent)
    record_event("coalition_profile.set", coalition, actor=user, before=before, after=checked)
    _measurement_changed(
        coalition,
        user,
        f"The backbone {'set' if before is None else 'changed'} the coalition profile: it is "
        f"version {record.version} now.",
    )
    return record


def profile_view(coalition: Coalition, membership: CoalitionMember | None) -> dict[str, Any]:
    """The coalition profile as its backbone and members read it: the catalog it weighs (the
    coalition's metrics marked), its settings and version, and whether the reader's
    organization ranks under it (None for the backbone)."""
    record = profile_record(coalition.id)
    profile = coalition_profile(coalition.id)
    added = {m.key: m for m in coalition_metrics(coalition.id)}
    weights = profile.to_dict()["metric_weights"]
    metrics = [
        {
            **metric.to_dict(),
            "coalition": metric.key in added,
            "id": added[metric.key].id if metric.key in added else None,
            "weight": float(weights.get(metric.key, 0.0)),
        }
        for metric in coalition_catalog(coalition.id).metrics
    ]
    return {
        "coalition_id": coalition.id,
        "set": record is not None,
        "version": None if record is None else record.version,
        "updated_at": None if record is None else record.updated_at,
        "settings": profile.to_dict(),
        "metrics": metrics,
        "uses_profile": None if membership is None else membership.uses_profile,
    }


# ---------------------------------------------------------------- members adopt


def stop_on_leaving(coalition: Coalition, membership: CoalitionMember) -> None:
    """A member leaving stops using the coalition profile: it ranks under its default profile
    again, and its buyer side is told."""
    if not membership.uses_profile:
        return
    membership.uses_profile = False
    db.session.flush()
    notify(
        active_users(*MEMBER_READERS, organization_id=membership.organization_id),
        NotificationKind.COALITION_POST,
        f"Your organization left {coalition.name}: its rankings and plans use your default "
        "scoring profile again instead of the coalition profile.",
        link=link_to("scoring_pages.compare"),
        subject=coalition,
    )


# what procure.app registers with procure.scoring.shared_profiles: rankings and plans read a
# member's adopted coalition profile through it (scoring sits below coalitions)
COALITION_PROFILES = SharedProfiles(
    adopted=adopted_coalition,
    profile=coalition_profile,
    catalog=coalition_catalog,
    version=profile_version,
    name=coalition_name,
)
