"""Version 2 award rules in `targets`: vendor groups, incumbent rules and bid adjustments.

`read_award_rules(targets, ...)` checks the three lists and returns them as frozen data with
vendor and need positions (the sorted positions of `optimizer.problem`); errors name the field
path (`targets.vendor_groups[0].max_share`). Meanings and units are in the `optimizer`
package docstring; the rows are built by `optimizer.rows.add_award_rule_constraints`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.fields import ErrorList, Rule, read_fields, type_name

AWARD_FIELDS = ("vendor_groups", "incumbents", "adjustments", "priorities")
"""The keys of `targets` that hold award rules (version 2 only): three lists here and the
priorities object (`optimizer.priorities`)."""
MEASURES = ("hours", "spend")
"""What a vendor group's share is of: labour hours (Σ hours_per_unit·x) or spend (Σ price·x,
at the real prices)."""
MAX_PERCENT = 1000.0
"""An adjustment adds at most 1,000 % to a price (and takes at most 100 % off)."""
MAX_ADJUSTMENT = 1e9
"""$ per unit: the largest per-unit adjustment either way (the largest price accepted)."""

GROUP_RULES = (
    Rule("id", "id", required=True, nullable=False),
    Rule("label", "id"),
    Rule("vendors", "refs", required=True, nullable=False),
    Rule("measure", "choice", required=True, nullable=False, choices=MEASURES),
    Rule("min_share", "number", low=0.0, high=1.0),
    Rule("max_share", "number", low=0.0, high=1.0),
    Rule("need", "ref"),
)
INCUMBENT_RULES = (
    Rule("need", "ref", required=True, nullable=False),
    Rule("vendors", "refs", required=True, nullable=False),
    Rule("min_share", "number", low=0.0, high=1.0),
    Rule("min_volume", "number", low=0.0, high=1e12),
)
ADJUSTMENT_RULES = (
    Rule("vendors", "refs"),
    Rule("group", "ref"),
    Rule("percent", "number", low=-100.0, high=MAX_PERCENT),
    Rule("per_unit", "number", low=-MAX_ADJUSTMENT, high=MAX_ADJUSTMENT),
)


@dataclass(frozen=True)
class VendorGroup:
    """The group's share of labour hours or spend, over all needs or one, within
    [min_share, max_share] (0–1; None: no limit that side)."""

    index: int
    """Position in targets.vendor_groups (for field paths and row names)."""
    id: str
    label: str
    vendors: tuple[int, ...]
    """Vendor positions."""
    measure: str
    min_share: float | None
    max_share: float | None
    need: int = -1
    """Need position, or -1: the share is over all needs."""


@dataclass(frozen=True)
class IncumbentRule:
    """On one need, the incumbents' offers together get at least `required` units: the larger
    of min_share × volume and min_volume (both may be given)."""

    index: int
    need: int
    vendors: tuple[int, ...]
    min_share: float | None
    min_volume: float | None
    required: float
    """Units of the need."""


@dataclass(frozen=True)
class BidAdjustment:
    """Prices of the vendors' offers count in the optimization as price × (1 + percent/100) +
    per_unit ($ per unit); the reported spend and the budget use the real price."""

    index: int
    vendors: tuple[int, ...]
    percent: float
    per_unit: float


@dataclass(frozen=True)
class AwardRules:
    vendor_groups: tuple[VendorGroup, ...] = ()
    incumbents: tuple[IncumbentRule, ...] = ()
    adjustments: tuple[BidAdjustment, ...] = ()


NO_AWARD_RULES = AwardRules()


def _entries(targets: Mapping[str, Any], name: str, errors: ErrorList) -> list[Any]:
    raw = targets.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(f"targets.{name}", f"must be a list, got {type_name(raw)}")
        return []
    return raw


def _records(
    targets: Mapping[str, Any], name: str, rules: tuple[Rule, ...], errors: ErrorList
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(position, field path, checked values) of each well-formed entry of targets.<name>."""
    for index, record in enumerate(_entries(targets, name, errors)):
        path = f"targets.{name}[{index}]"
        values = read_fields(record, path, rules, errors, strict=True)
        if values is not None:
            yield index, path, values


def _positions(
    ids: tuple[str, ...], path: str, known: Mapping[str, int] | None, errors: ErrorList
) -> tuple[int, ...] | None:
    """Vendor positions of `ids` (None after an unknown id; () when vendors are not known)."""
    if known is None:
        return ()
    missing = [(k, vendor) for k, vendor in enumerate(ids) if vendor not in known]
    for k, vendor in missing:
        errors.add(f"{path}.vendors[{k}]", f"unknown vendor {vendor!r}")
    return None if missing else tuple(sorted(known[vendor] for vendor in ids))


def _need_position(
    need: str | None, path: str, known: Mapping[str, int] | None, errors: ErrorList
) -> int | None:
    if need is None or known is None:
        return -1
    if need not in known:
        errors.add(f"{path}.need", f"unknown need {need!r}")
        return None
    return known[need]


def _one_of_two(
    values: Mapping[str, Any], first: str, second: str, path: str, errors: ErrorList
) -> bool:
    if values[first] is None and values[second] is None:
        errors.add(path, f"set {first}, {second} or both")
        return False
    return True


def _groups(
    targets: Mapping[str, Any],
    vendor_pos: Mapping[str, int] | None,
    need_pos: Mapping[str, int] | None,
    errors: ErrorList,
) -> tuple[list[VendorGroup], dict[str, tuple[int, ...]]]:
    groups: list[VendorGroup] = []
    members: dict[str, tuple[int, ...]] = {}
    first_at: dict[str, int] = {}
    for index, path, values in _records(targets, "vendor_groups", GROUP_RULES, errors):
        if values["id"] in first_at:
            errors.add(
                f"{path}.id",
                f"duplicate id {values['id']!r} (first at "
                f"targets.vendor_groups[{first_at[values['id']]}])",
            )
            continue
        first_at[values["id"]] = index
        low, high = values["min_share"], values["max_share"]
        ok = _one_of_two(values, "min_share", "max_share", path, errors)
        if low is not None and high is not None and low > high:
            errors.add(f"{path}.max_share", f"must be at least min_share ({low:g}), got {high:g}")
            ok = False
        vendors = _positions(values["vendors"], path, vendor_pos, errors)
        need = _need_position(values["need"], path, need_pos, errors)
        if vendors is None or need is None or not ok:
            continue
        members[values["id"]] = vendors
        groups.append(
            VendorGroup(
                index=index,
                id=values["id"],
                label=values["label"] or values["id"],
                vendors=vendors,
                measure=values["measure"],
                min_share=low,
                max_share=high,
                need=need,
            )
        )
    return groups, members


def _incumbents(
    targets: Mapping[str, Any],
    vendor_pos: Mapping[str, int] | None,
    need_volume: Mapping[str, tuple[int, float]] | None,
    errors: ErrorList,
) -> list[IncumbentRule]:
    rules: list[IncumbentRule] = []
    need_pos = None if need_volume is None else {n: pos for n, (pos, _) in need_volume.items()}
    for index, path, values in _records(targets, "incumbents", INCUMBENT_RULES, errors):
        ok = _one_of_two(values, "min_share", "min_volume", path, errors)
        vendors = _positions(values["vendors"], path, vendor_pos, errors)
        need = _need_position(values["need"], path, need_pos, errors)
        if vendors is None or need is None or not ok:
            continue
        volume = need_volume[values["need"]][1] if need_volume is not None else 0.0
        share, least = values["min_share"], values["min_volume"]
        if need_volume is not None and least is not None and least > volume:
            errors.add(
                f"{path}.min_volume",
                f"must be at most need {values['need']!r}'s volume ({volume:g}), got {least:g}",
            )
            continue
        required = max((share or 0.0) * volume, least or 0.0)
        rules.append(IncumbentRule(index, need, vendors, share, least, required))
    return rules


def _adjustments(
    targets: Mapping[str, Any],
    vendor_pos: Mapping[str, int] | None,
    group_members: Mapping[str, tuple[int, ...]],
    group_ids: set[str],
    errors: ErrorList,
) -> list[BidAdjustment]:
    adjustments: list[BidAdjustment] = []
    for index, path, values in _records(targets, "adjustments", ADJUSTMENT_RULES, errors):
        ok = _one_of_two(values, "percent", "per_unit", path, errors)
        if (values["vendors"] is None) == (values["group"] is None):
            errors.add(path, "name either vendors or a group (one of them)")
            continue
        if values["group"] is not None:
            if values["group"] not in group_ids:
                errors.add(f"{path}.group", f"unknown vendor group {values['group']!r}")
                continue
            vendors: tuple[int, ...] | None = group_members.get(values["group"], ())
        else:
            vendors = _positions(values["vendors"], path, vendor_pos, errors)
        if vendors is None or not ok:
            continue
        adjustments.append(
            BidAdjustment(index, vendors, values["percent"] or 0.0, values["per_unit"] or 0.0)
        )
    return adjustments


def read_award_rules(
    targets: Mapping[str, Any],
    errors: ErrorList,
    vendor_pos: Mapping[str, int] | None = None,
    need_volume: Mapping[str, tuple[int, float]] | None = None,
) -> AwardRules:
    """The award rules of a version 2 `targets` object. `vendor_pos` maps vendor ids to
    positions and `need_volume` need ids to (position, volume); without them (a targets
    object checked alone) ids are not looked up and the positions are left empty."""
    need_pos = None if need_volume is None else {n: pos for n, (pos, _) in need_volume.items()}
    groups, members = _groups(targets, vendor_pos, need_pos, errors)
    group_ids = {
        record["id"]
        for record in _entries(targets, "vendor_groups", ErrorList())
        if isinstance(record, dict) and isinstance(record.get("id"), str)
    }
    return AwardRules(
        vendor_groups=tuple(groups),
        incumbents=tuple(_incumbents(targets, vendor_pos, need_volume, errors)),
        adjustments=tuple(_adjustments(targets, vendor_pos, members, group_ids, errors)),
    )


def split_targets(targets: Any) -> tuple[Any, dict[str, Any]]:
    """(the targets without the award-rule keys, the award-rule keys alone); a targets value
    that is not an object is passed through for the field checks to name."""
    if not isinstance(targets, dict):
        return targets, {}
    rest = {key: value for key, value in targets.items() if key not in AWARD_FIELDS}
    return rest, {key: targets[key] for key in AWARD_FIELDS if key in targets}
