"""Version 2 constraint priorities, `targets.priorities`: which targets may give way.

    "priorities": {"min_avg_impact": 3, "budget": 5, "needs.N1.min_avg_quality": 2,
                   "vendor_groups.KE.max_share": 4, "incumbents.0": 1}

A key names one target the document sets; its value is a whole number from 1 to 1,000, and a
larger number is more important (Gurobi's convention for objective priorities, and the plain
reading of "the lowest priorities are relaxed first"). A target without a priority is hard:
it is never relaxed. Keys:

* a portfolio target: `budget`, `min_avg_impact`, `min_avg_quality`,
  `min_impact_spend_share`, `max_vendor_spend_share`, `min_impact_worker_hours`;
* a need's own target: `needs.<need id>.min_avg_impact` (or `.min_avg_quality`,
  `.min_impact_spend_share`);
* a vendor group limit: `vendor_groups.<group id>.min_share` (or `.max_share`);
* an incumbent rule: `incumbents.<position in targets.incumbents>`.

Ids are the document's, not positions, so a key stays right when the lists are reordered;
incumbent rules have no id, hence their position. Why a map in `targets` and not a
`priority` field on each rule: portfolio targets are bare numbers with no room for one, and
one map keeps every priority in one place for the page that edits them. How the optimizer
relaxes them is in `optimizer.relax`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.award import AwardRules
from optimizer.fields import ErrorList, shown, type_name

PRIORITIES_FIELD = "priorities"
"""The key of `targets` that holds the priorities."""
LOWEST_PRIORITY, HIGHEST_PRIORITY = 1, 1000
PORTFOLIO_TARGETS = (
    "budget",
    "min_avg_impact",
    "min_avg_quality",
    "min_impact_spend_share",
    "max_vendor_spend_share",
    "min_impact_worker_hours",
)
"""Portfolio targets that may take a priority; each is the name and kind of its model row
(`optimizer.model.TARGET_ROWS`, in the order the explanation takes them)."""
NEED_TARGETS = {
    "min_avg_impact": "need_avg_impact",
    "min_avg_quality": "need_avg_quality",
    "min_impact_spend_share": "need_impact_spend_share",
}
"""A need's own target field → the kind of its row."""
GROUP_LIMITS = {"min_share": "vendor_group_min_share", "max_share": "vendor_group_max_share"}
"""A vendor group's limit field → the kind of its row."""


@dataclass(frozen=True)
class Priority:
    """One prioritised target: its key in targets.priorities, the kind of its model row, the
    need position (need targets) or rule position (group limits, incumbent rules), and the
    priority (a larger number is more important)."""

    key: str
    kind: str
    level: int
    need: int = -1
    rule: int = -1


def read_priorities(
    raw: Any,
    targets: Mapping[str, Any] | None,
    award: AwardRules,
    needs: Sequence[Mapping[str, Any]] | None = None,
    incumbents: int | None = None,
) -> tuple[tuple[Priority, ...], ErrorList]:
    """Check `targets.priorities` and return one `Priority` per key, with the errors (each
    names `targets.priorities.<key>`). `targets` holds the portfolio targets as read (None
    after an error there), `needs` the need records in position order (None: not looked up,
    as when a targets object is checked alone), `incumbents` how many incumbent rules the
    document lists."""
    errors = ErrorList()
    if raw is None:
        return (), errors
    if not isinstance(raw, dict):
        errors.add(
            "targets.priorities",
            f"must be an object of target → priority, got {type_name(raw)}",
        )
        return (), errors
    found: list[Priority] = []
    for key, value in raw.items():
        path = f"targets.priorities.{key}"
        if type(value) is not int or not LOWEST_PRIORITY <= value <= HIGHEST_PRIORITY:
            errors.add(
                path,
                f"must be a whole number from {LOWEST_PRIORITY} to {HIGHEST_PRIORITY}, "
                f"got {shown(value)}",
            )
            continue
        target, message = _target(str(key), targets, award, needs, incumbents)
        if target is None:
            errors.add(path, message)
            continue
        kind, need, rule = target
        found.append(Priority(str(key), kind, value, need, rule))
    return tuple(found), errors


def _target(
    key: str,
    targets: Mapping[str, Any] | None,
    award: AwardRules,
    needs: Sequence[Mapping[str, Any]] | None,
    incumbents: int | None,
) -> tuple[tuple[str, int, int] | None, str]:
    """(row kind, need position, rule position) of a priorities key, or None and why not."""
    not_set = "names a target the document does not set"
    if key in PORTFOLIO_TARGETS:
        if targets is not None and targets.get(key) is None:
            return None, not_set
        return (key, -1, -1), ""
    if key.startswith("needs."):
        need_id, _, field = key[len("needs.") :].rpartition(".")
        if field not in NEED_TARGETS or not need_id:
            return None, (
                "a need's target is named needs.<need id>.<target>, where the target is one "
                f"of {', '.join(NEED_TARGETS)}"
            )
        if needs is None:
            return (NEED_TARGETS[field], -1, -1), ""
        position = next((j for j, need in enumerate(needs) if need.get("id") == need_id), None)
        if position is None:
            return None, f"unknown need {need_id!r}"
        if needs[position].get(field) is None:
            return None, not_set
        return (NEED_TARGETS[field], position, -1), ""
    if key.startswith("vendor_groups."):
        group_id, _, field = key[len("vendor_groups.") :].rpartition(".")
        if field not in GROUP_LIMITS or not group_id:
            return None, ("a group limit is named vendor_groups.<group id>.min_share or .max_share")
        group = next((g for g in award.vendor_groups if g.id == group_id), None)
        if group is None:
            return None, f"unknown vendor group {group_id!r}"
        if getattr(group, field) is None:
            return None, not_set
        return (GROUP_LIMITS[field], -1, group.index), ""
    if key.startswith("incumbents."):
        place = key[len("incumbents.") :]
        count = len(award.incumbents) if incumbents is None else incumbents
        if not place.isdigit() or int(place) >= count:
            return None, f"no incumbent rule at position {place!r} of targets.incumbents"
        return ("incumbent", -1, int(place)), ""
    return None, (
        "unknown target: use a portfolio target (" + ", ".join(PORTFOLIO_TARGETS) + "), "
        "needs.<need id>.<target>, vendor_groups.<group id>.min_share or .max_share, or "
        "incumbents.<position>"
    )
