"""Read a solved model back into the result document (business terms, plain JSON values).

Rounding: every volume is rounded to 6 decimals (a millionth of a unit) and volumes that round
to 0 are left out; an allocation's cost is round(volume × price, 6). Totals, the objective
value and constraint slacks are computed from those rounded volumes, so the numbers in a
result always add up. Shadow prices and slacks are rounded to 6 decimals.

Shadow prices are the change in the objective per unit relaxation of the constraint:
$ of total cost for min_cost (≤ 0: relaxing a rule can only save money), points of average
impact for max_impact (≥ 0). The unit of each is in its `unit` field, e.g. "$ per point of
average impact relaxed". Demand rows are equalities: their price is the change per extra unit
of volume. They come from the duals of the primary (stage 1) solve; for a MIP, from the LP
with the binaries fixed at the reported plan. With bid adjustments (version 2) min_cost
minimises the adjusted cost, so its shadow prices are in adjusted dollars.

The same unit in parts, for readers that should not parse the text (None where there is no
price): `measure` is what the price is counted in (the objective's unit: "$", "points of
average impact", "impact-worker hours"); `step` is one step of the rule, singular ("point of
average impact on need N1", "labour hour of capacity at vendor V2", "$ of budget");
`direction` is "raised" or "lowered": the price is the change in the objective when the
rule's limit moves one step that way (a target lowered or a capacity raised relaxes the rule;
a need's demand raised tightens it). `steps` is the plural of `step` where a sentence may
count it in multiples ("$ of budget", "labour hours of capacity at vendor V2"), None for a
step on a bounded scale (a point of average impact, 0.01 of quality, a percentage point).
So "$ per point of average impact relaxed" is measure "$", step "point of average impact",
direction "lowered".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, NotRequired, TypedDict

import numpy as np

from optimizer.award import IncumbentRule, VendorGroup
from optimizer.columns import pair_suffix
from optimizer.fields import month_text
from optimizer.model import BOUND_NONE, BOUND_VENDOR_SHARE, INF, AllocationModel
from optimizer.problem import BoolArray, Document, FloatArray, IntArray
from optimizer.rows import AWARD_ROWS
from optimizer.solve import StagedSolution
from optimizer.status import Status
from optimizer.totals import (
    VOLUME_DECIMALS,
    allocations_and_totals,
    clean,
    clean_all,
    reported_columns,
)

MIP_GAP_DECIMALS = 9
"""Decimals of the reported relative MIP gap."""
HALF_CENT = 0.005
"""$: an amount this close to whole dollars is written without cents."""
QUALITY_STEP = 0.01
"""The relaxation a min_avg_quality shadow price is quoted per: 0.01 of average quality."""
PERCENTAGE_POINT = 0.01
"""The relaxation a spend-share shadow price is quoted per: one percentage point (0.01)."""
TINY = 1e-12
"""Guards divisions by a plan's hours or spend."""
ROW_BINDING_TOL = 1e-7
"""A row binds when its slack is within this, relative to max(1, |bound|), plus the rounding
that the reported volumes bring into it."""
BOUND_BINDING_TOL = 1e-6
"""An x column's capacity or share bound binds within this, relative to max(1, bound)."""


class RowDescription(TypedDict):
    """A model row or x bound in business terms; need and vendor are ids (None: not about
    one need or vendor)."""

    name: str
    kind: str
    label: str
    need: str | None
    vendor: str | None


RAISED = "raised"
"""A `direction`: the shadow price is per step the rule's limit is raised (more capacity,
budget or demand, a higher cap)."""
LOWERED = "lowered"
"""A `direction`: the shadow price is per step the rule's limit is lowered (a lower target or
required minimum)."""


class PriceStep(NamedTuple):
    """What a row's shadow price is quoted per, and what its slack is counted in."""

    bound_change: float
    """The row bound's change per unit relaxation (nan: the row has no price)."""
    unit_text: str
    """The phrase after "per" in the entry's `unit` ("point of average impact relaxed"), as
    results have always written it."""
    step: str
    """One step of the rule, singular ("point of average impact", "$ of budget")."""
    steps: str | None
    """Its plural, for a step a sentence may count in multiples ("labour hours of capacity at
    vendor V2"); None for a step on a bounded scale (a point of average impact, 0.01 of
    quality, a percentage point)."""
    direction: str
    """RAISED or LOWERED: which way one step moves the limit for the price quoted."""
    slack_unit: str


UNPRICED = PriceStep(math.nan, "", "", None, "", "")
"""The step of a row with no shadow price (an integer rule); only its slack unit is set."""


class ConstraintEntry(TypedDict):
    """One entry of the result's `constraints` (see the package docstring)."""

    name: str
    kind: str
    label: str
    binding: bool
    slack: float | None
    slack_unit: str
    shadow_price: float | None
    unit: str | None
    measure: str | None
    step: str | None
    steps: str | None
    direction: str | None
    meaning: str
    need: NotRequired[str]
    vendor: NotRequired[str]


def money(value: float) -> str:
    if abs(value - round(value)) < HALF_CENT:
        return f"${round(value):,.0f}"
    return f"${value:,.2f}"


def number(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float) -> str:
    return number(100.0 * share, 1) + "%"


def _given(target: float | None) -> float:
    """A target that the document sets (its row is free, and never described, otherwise)."""
    if target is None:
        raise ValueError("the target is not set")
    return target


# ---------------------------------------------------------------------------------------------
# names and labels of rows and bounds (shared with explain.py)


def row_description(model: AllocationModel, r: int) -> RowDescription:
    """Kind, business label and the need/vendor ids of model row r."""
    problem, kind = model.problem, model.row_kind[r]
    j, i = int(model.row_need[r]), int(model.row_vendor[r])
    return {
        "name": model.row_names[r],
        "kind": kind,
        "label": _row_label(model, r, kind, j, i),
        "need": problem.needs[j].id if j >= 0 else None,
        "vendor": problem.vendors[i].id if i >= 0 else None,
    }


def _row_label(model: AllocationModel, r: int, kind: str, j: int, i: int) -> str:
    """The business label of model row r of `kind`, about need position j and vendor
    position i (-1: none); only that kind's text is written."""
    problem, targets = model.problem, model.problem.targets
    need = problem.needs[j].id if j >= 0 else None
    vendor = problem.vendors[i].id if i >= 0 else None
    upper = model.lp.row_upper[r]
    if kind == "demand":
        return f"Need {need} must get its {number(upper, 6)} {need_units(model, j)}"
    if kind == "vendor_capacity":
        if model.row_month[r] >= 0:
            month = month_text(int(model.row_month[r]))
            return f"Vendor {vendor} can work at most {number(upper, 6)} labour hours in {month}"
        return f"Vendor {vendor} can take at most {number(upper, 6)} units"
    if kind == "min_impact_worker_hours":
        return f"At least {number(_given(targets.min_impact_worker_hours), 6)} impact-worker hours"
    if kind == "need_avg_impact":
        return (
            f"Need {need}: average impact at least "
            f"{number(_given(problem.needs[j].min_avg_impact), 6)}"
        )
    if kind == "need_avg_quality":
        return (
            f"Need {need}: average quality at least "
            f"{number(_given(problem.needs[j].min_avg_quality), 6)}"
        )
    if kind == "need_impact_spend_share":
        return (
            f"Need {need}: at least {percent(_given(problem.needs[j].min_impact_spend_share))} "
            f"of its spend with impact vendors"
        )
    if kind == "definition":
        return f"Definition of {model.row_names[r].replace('_', ' ')}"
    if kind == "budget":
        return f"Total cost at most {money(upper)} (budget)"
    if kind == "min_avg_impact":
        return f"Average impact at least {number(_given(targets.min_avg_impact), 6)}"
    if kind == "min_avg_quality":
        return f"Average quality at least {number(_given(targets.min_avg_quality), 6)}"
    if kind == "min_impact_spend_share":
        return (
            f"At least {percent(_given(targets.min_impact_spend_share))} of spend with impact "
            f"vendors (impact score ≥ {number(_given(targets.impact_vendor_min_score), 6)})"
        )
    if kind == "vendor_spend_cap":
        return f"Vendor {vendor}'s spend within the vendor spend cap"
    if kind == "max_vendor_spend_share":
        return f"No vendor above {percent(_given(targets.max_vendor_spend_share))} of total spend"
    if kind == "max_vendors":
        return f"Need {need} uses at most {number(upper, 0)} vendor{'' if upper == 1 else 's'}"
    if kind == "min_order":
        return (
            f"Vendor {vendor}{_offer_label(model, r)} gets nothing or at least "
            f"{number(_min_order(model, r), 6)} {need_units(model, j)} on need {need}"
        )
    if kind == "min_award":
        return (
            f"Vendor {vendor} gets nothing or at least "
            f"{number(_given(problem.needs[j].min_award), 6)} {need_units(model, j)} on need "
            f"{need} in total over its prices"
        )
    if kind == "vendor_use":
        return f"Vendor {vendor} gets volume on need {need} only if chosen"
    if kind == "max_vendor_share":
        return _share_label(model, j, vendor, upper, " over all its offers")
    if kind in ("vendor_group_min_share", "vendor_group_max_share", "incumbent"):
        return award_label(model, r)
    raise KeyError(kind)


def row_group(model: AllocationModel, r: int) -> VendorGroup:
    """The vendor group of a `vendor_group_…` row."""
    index = int(model.row_rule[r])
    return next(group for group in model.problem.award.vendor_groups if group.index == index)


def row_incumbents(model: AllocationModel, r: int) -> IncumbentRule:
    """The incumbent rule of an `incumbent_…` row."""
    index, rules = int(model.row_rule[r]), model.problem.award.incumbents
    if index < len(rules) and rules[index].index == index:  # in position order: no search
        return rules[index]
    return next(rule for rule in rules if rule.index == index)


def vendor_names(model: AllocationModel, vendors: Sequence[int]) -> str:
    """The ids of vendor positions as "A, B and C"."""
    names = [model.problem.vendors[i].id for i in vendors]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def group_measure(model: AllocationModel, group: VendorGroup) -> str:
    """What a group's share is of: "labour hours" or "spend", "… on need N" for one need."""
    measure = "labour hours" if group.measure == "hours" else "spend"
    return f"{measure} on need {model.problem.needs[group.need].id}" if group.need >= 0 else measure


def award_rule_name(model: AllocationModel, r: int) -> str:
    """The rule of an award row in a few words: "the group cap for Kenya", "the group
    minimum for Kenya", "the incumbent rule for need 2"."""
    if model.row_kind[r] == "incumbent":
        need = model.problem.needs[row_incumbents(model, r).need]
        return f"the incumbent rule for need {need.id}"
    group = row_group(model, r)
    side = "minimum" if model.row_kind[r] == "vendor_group_min_share" else "cap"
    return f"the group {side} for {group.label}"


def award_label(model: AllocationModel, r: int) -> str:
    """The label of an award-rule row (`optimizer.rows.add_award_rule_constraints`)."""
    if model.row_kind[r] == "incumbent":
        rule = row_incumbents(model, r)
        need = model.problem.needs[rule.need]
        of_need = f" ({percent(rule.required / need.volume)} of it)" if need.volume > 0 else ""
        return (
            f"Need {need.id}: at least {number(rule.required, 6)} {need_units(model, rule.need)}"
            f"{of_need} kept with {'incumbent' if len(rule.vendors) == 1 else 'incumbents'} "
            f"{vendor_names(model, rule.vendors)}"
        )
    group = row_group(model, r)
    low = model.row_kind[r] == "vendor_group_min_share"
    share = _given(group.min_share if low else group.max_share)
    return (
        f"Group {group.label} ({vendor_names(model, group.vendors)}): "
        f"{'at least' if low else 'at most'} {percent(share)} of {group_measure(model, group)}"
    )


def award_scope(model: AllocationModel, r: int, full: FloatArray) -> float:
    """What a group row's share is of in the plan `full`: Σ hours_per_unit·x (labour hours) or
    Σ price·x ($) over the group's need or all needs; 1 for an incumbent row."""
    if model.row_kind[r] == "incumbent":
        return 1.0
    group = row_group(model, r)
    measure = model.x_hours if group.measure == "hours" else model.x_price
    inside = model.x_need == group.need if group.need >= 0 else np.ones(model.n_x, dtype=bool)
    return float(np.sum(measure[inside] * full[: model.n_x][inside]))


def _award_step(model: AllocationModel, r: int, scope: float) -> PriceStep:
    """`_step` of an award row: a group row moves by 0.01 × scope per percentage point of
    share relaxed (its rows are homogeneous), an incumbent row by one unit per unit."""
    if model.row_kind[r] == "incumbent":
        need = row_incumbents(model, r).need
        units, need_id = need_units(model, need), model.problem.needs[need].id
        kept = f"kept with incumbents on need {need_id}"
        return PriceStep(
            -1.0,
            f"{units[:-1]} less {kept}",
            f"{units[:-1]} {kept}",
            f"{units} {kept}",
            LOWERED,
            units,
        )
    group = row_group(model, r)
    low = model.row_kind[r] == "vendor_group_min_share"
    step = f"percentage point of group {group.label}'s {'minimum' if low else 'cap'}"
    return PriceStep(
        (-PERCENTAGE_POINT if low else PERCENTAGE_POINT) * scope,
        f"{step} relaxed",
        step,
        None,
        LOWERED if low else RAISED,
        f"share of {group_measure(model, group)} (0-1)",
    )


def _offer_label(model: AllocationModel, r: int) -> str:
    """The text ` (offer <id>)` for a row about an offer that has an id (version 2), else
    an empty string."""
    labels, k = model.problem.offers.labels, int(model.row_x[r])
    label = labels[int(model.x_offer[k])] if labels and k >= 0 else None
    return f" (offer {label})" if label else ""


def _min_order(model: AllocationModel, r: int) -> float:
    """The minimum order of the offer a `min_order` row is about (units of its need)."""
    return float(model.problem.offers.min_order[int(model.x_offer[int(model.row_x[r])])])


def _share_label(
    model: AllocationModel, j: int, vendor: str | None, upper: float, offers: str = ""
) -> str:
    """The label of a max_vendor_share bound or row of need position j: the share, and the
    cap in the need's unit."""
    need = model.problem.needs[j]
    return _share_text(
        vendor,
        percent(need.max_vendor_share),
        need.id,
        number(upper, 6),
        need_units(model, j),
        offers,
    )


def _share_text(
    vendor: str | None, share: str, need: str, cap: str, units: str, offers: str = ""
) -> str:
    """`_share_label`'s text from its parts, already written as text."""
    return f"Vendor {vendor} may take at most {share} of need {need} ({cap} {units}{offers})"


def vendor_share_rows(model: AllocationModel) -> tuple[IntArray, IntArray, IntArray]:
    """(rows, entry_row, entry_col): version 2's `vendor_share_…` rows, and each term of them
    as (row, x column of one of the vendor's offers it sums)."""
    lp = model.lp
    is_share = model.kind_mask("max_vendor_share")
    if not is_share.any():
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    entry_row = np.repeat(np.arange(lp.num_row), np.diff(lp.start))
    in_share = is_share[entry_row]
    return np.flatnonzero(is_share), entry_row[in_share], lp.index[in_share].astype(np.int64)


def need_units(model: AllocationModel, j: int) -> str:
    """The plural of need position j's unit ("hours", "items"), or "units" (version 1, or
    no unit named)."""
    unit = model.problem.needs[j].unit if j >= 0 else None
    return f"{unit}s" if unit else "units"


def bound_description(model: AllocationModel, k: int) -> RowDescription:
    """Kind, business label and ids of the upper bound of x column k."""
    return bound_descriptions(model, [k])[0]


def bound_descriptions(
    model: AllocationModel, cols: Sequence[int] | IntArray
) -> list[RowDescription]:
    """`bound_description` of each x column in `cols`, read in one pass: the column data as
    plain lists, and the texts that repeat (a need's share and unit, a bound's number) once."""
    problem = model.problem
    positions = np.asarray(cols, dtype=np.int64)
    share_texts: dict[int, str] = {}
    unit_texts: dict[int, str] = {}
    numbers: dict[float, str] = {}
    descriptions: list[RowDescription] = []
    for j, i, rank, upper, bound_kind in zip(
        model.x_need[positions].tolist(),
        model.x_vendor[positions].tolist(),
        model.x_rank[positions].tolist(),
        model.lp.col_upper[positions].tolist(),
        model.x_bound_kind[positions].tolist(),
        strict=True,
    ):
        need = problem.needs[j]
        vendor = problem.vendors[i].id
        suffix = pair_suffix(j, i, rank, model.width)
        if j not in unit_texts:
            unit_texts[j] = need_units(model, j)
            share_texts[j] = percent(need.max_vendor_share)
        if upper not in numbers:
            numbers[upper] = number(upper, 6)
        if bound_kind == BOUND_VENDOR_SHARE:
            # `_share_label`, with the repeated parts written once
            label = _share_text(vendor, share_texts[j], need.id, numbers[upper], unit_texts[j])
            descriptions.append(
                {
                    "name": f"max_share{suffix}",
                    "kind": "max_vendor_share",
                    "need": need.id,
                    "vendor": vendor,
                    "label": label,
                }
            )
            continue
        descriptions.append(
            {
                "name": f"offer_capacity{suffix}",
                "kind": "offer_capacity",
                "need": need.id,
                "vendor": vendor,
                "label": f"Vendor {vendor}'s offer for need {need.id} is limited to "
                f"{numbers[upper]} {unit_texts[j]}",
            }
        )
    return descriptions


# ---------------------------------------------------------------------------------------------
# constraints and shadow prices

_REPORTED_ROWS = (
    "demand",
    "vendor_capacity",
    "budget",
    "min_avg_impact",
    "min_avg_quality",
    "min_impact_spend_share",
    "vendor_spend_cap",
    "max_vendor_spend_share",
    "max_vendors",
    "min_order",
    "min_award",
    "min_impact_worker_hours",
    "need_avg_impact",
    "need_avg_quality",
    "need_impact_spend_share",
    "max_vendor_share",
    *AWARD_ROWS,
)


def plural_need_units(model: AllocationModel) -> dict[str, str]:
    """Need id → its unit in the plural ("hours"), for the needs that name a unit (the
    first such need of an id)."""
    units: dict[str, str] = {}
    for need in model.problem.needs:
        if need.unit:
            units.setdefault(need.id, f"{need.unit}s")
    return units


def _step(
    model: AllocationModel,
    kind: str,
    desc: RowDescription,
    spend: float,
    hours: float = 0.0,
    need_hours: float = 0.0,
    need_spend: float = 0.0,
    plural_units: Mapping[str, str] | None = None,
) -> PriceStep:
    """What a row kind's shadow price is quoted per (see `PriceStep`).

    Version 2's average rows are homogeneous (Σ (impact − target)·hours·x ≥ 0): one point of
    target relaxed moves them by the plan's labour hours (of the need, for a need's own row),
    to first order. Only `kind`'s step is built; `plural_units` (`plural_need_units`) saves
    a scan of the needs per call."""
    total = model.total_volume if model.version == 1 else hours
    vendor, need = desc["vendor"], desc["need"]
    capacity_unit = "labour hours" if model.version == 2 else "units"
    capacity = f"of capacity at vendor {vendor}"
    # the need's own unit where the document names it (version 2), else "units"
    units = "units"
    if need is not None and kind in ("demand", "offer_capacity", "max_vendor_share", "min_award"):
        plural = plural_units if plural_units is not None else plural_need_units(model)
        units = plural.get(need, units)
    on_need = f" on need {need}"
    # the bound kinds first: most entries are bounds
    if kind == "max_vendor_share":
        return PriceStep(
            1.0,
            f"extra unit for vendor {vendor} on need {need}",
            f"unit for vendor {vendor} on need {need}",
            f"units for vendor {vendor} on need {need}",
            RAISED,
            units,
        )
    if kind == "offer_capacity":
        return PriceStep(
            1.0,
            f"extra unit on vendor {vendor}'s offer for need {need}",
            f"unit on vendor {vendor}'s offer for need {need}",
            f"units on vendor {vendor}'s offer for need {need}",
            RAISED,
            units,
        )
    if kind == "demand":
        return PriceStep(
            1.0,
            f"extra unit of volume for need {need}",
            f"unit of volume for need {need}",
            f"units of volume for need {need}",
            RAISED,
            units,
        )
    if kind == "vendor_capacity":
        return PriceStep(
            1.0,
            f"extra {capacity_unit[:-1]} {capacity}",
            f"{capacity_unit[:-1]} {capacity}",
            f"{capacity_unit} {capacity}",
            RAISED,
            capacity_unit,
        )
    if kind == "min_impact_worker_hours":
        return PriceStep(
            -1.0,
            "impact-worker hour less required",
            "impact-worker hour required",
            "impact-worker hours required",
            LOWERED,
            "impact-worker hours",
        )
    if kind == "need_avg_impact":
        return PriceStep(
            -need_hours,
            f"point of need {need}'s average impact relaxed",
            f"point of average impact{on_need}",
            None,
            LOWERED,
            "points of average impact",
        )
    if kind == "need_avg_quality":
        return PriceStep(
            -QUALITY_STEP * need_hours,
            f"0.01 of need {need}'s average quality relaxed",
            f"0.01 of average quality{on_need}",
            None,
            LOWERED,
            "average quality (0-1)",
        )
    if kind == "need_impact_spend_share":
        return PriceStep(
            -PERCENTAGE_POINT * need_spend,
            f"percentage point of need {need}'s impact spend share relaxed",
            f"percentage point of impact spend share{on_need}",
            None,
            LOWERED,
            "share of the need's spend (0-1)",
        )
    if kind == "budget":
        return PriceStep(1.0, "extra $ of budget", "$ of budget", "$ of budget", RAISED, "$")
    if kind == "min_avg_impact":
        return PriceStep(
            -total,
            "point of average impact relaxed",
            "point of average impact",
            None,
            LOWERED,
            "points of average impact",
        )
    if kind == "min_avg_quality":
        return PriceStep(
            -QUALITY_STEP * total,
            "0.01 of average quality relaxed",
            "0.01 of average quality",
            None,
            LOWERED,
            "average quality (0-1)",
        )
    if kind == "min_impact_spend_share":
        return PriceStep(
            -PERCENTAGE_POINT * spend,
            "percentage point of impact spend share relaxed",
            "percentage point of impact spend share",
            None,
            LOWERED,
            "share of total spend (0-1)",
        )
    if kind == "max_vendor_spend_share":
        return PriceStep(
            PERCENTAGE_POINT * spend,
            "percentage point of vendor spend cap relaxed",
            "percentage point of vendor spend cap",
            None,
            RAISED,
            "share of total spend (0-1)",
        )
    if kind == "vendor_spend_cap":
        return PriceStep(
            1.0,
            f"extra $ of spend above the cap at vendor {vendor}",
            f"$ of spend above the cap at vendor {vendor}",
            f"$ of spend above the cap at vendor {vendor}",
            RAISED,
            "$",
        )
    if kind == "max_vendors":
        return UNPRICED._replace(slack_unit="vendors")
    if kind == "min_order":
        return UNPRICED._replace(slack_unit="units")
    if kind == "min_award":
        return UNPRICED._replace(slack_unit=units)
    raise KeyError(kind)


def _slack_scale(
    model: AllocationModel,
    kind: str,
    spend: float,
    hours: float,
    need_hours: float,
    need_spend: float,
) -> float:
    """What a row's slack is divided by to be read in its target's own unit."""
    if kind in ("min_avg_impact", "min_avg_quality"):
        return model.total_volume if model.version == 1 else max(hours, TINY)
    if kind in ("need_avg_impact", "need_avg_quality"):
        return max(need_hours, TINY)
    if kind == "need_impact_spend_share":
        return need_spend if need_spend > 0 else 1.0
    if kind in ("min_impact_spend_share", "max_vendor_spend_share"):
        return spend if spend > 0 else 1.0
    return 1.0


class ShadowPricer:
    """Turns duals of the minimised primary cost into business shadow prices.

    A vendor share rule is a bound on each x of the need and, where the vendor has several
    offers there (version 2), also a `vendor_share_…` row over them. Where both bind (one
    offer at the share, the others at 0) the solver may put the dual on either: the row's
    price adds the duals of its offers' share bounds, which are then not listed on their own
    (`folded_x`), and a need's demand price counts every one of these duals once."""

    def __init__(
        self,
        model: AllocationModel,
        row_dual: FloatArray | None,
        col_dual: FloatArray | None,
        full: FloatArray,
    ) -> None:
        self.model, self.row_dual, self.col_dual = model, row_dual, col_dual
        self._incumbent: dict[int, list[tuple[int, float]]] | None = None
        """Need position → its incumbent rows set by their share (`_incumbent_rows`)."""
        objective = model.problem.objective
        self.max_impact = objective == "max_impact"
        self.max_hours = objective == "max_impact_worker_hours"
        self.sign = -1.0 if self.max_impact or self.max_hours else 1.0
        hours = max(model.hours(full), TINY)
        self.per_objective = 1.0 / hours if self.max_impact else 1.0
        self.avg_impact = float(full[model.col_impact]) / hours
        self.objective_unit = (
            "points of average impact"
            if self.max_impact
            else "impact-worker hours"
            if self.max_hours
            else "$"
        )
        count = len(model.problem.needs)
        self.share_dual: FloatArray = np.zeros(count)
        """Per need: the duals of its binding vendor share bounds and rows, whose limits all
        move with share × volume."""
        share_rows, entry_row, entry_col = vendor_share_rows(model)
        self.folded_x: BoolArray = np.zeros(model.n_x, dtype=bool)
        """x columns whose share bound is priced with their vendor's `vendor_share_…` row."""
        self.folded_x[entry_col] = True
        self.folded_dual: FloatArray = np.zeros(model.lp.num_row)
        """Per row (`vendor_share_…` rows only): the summed duals of its offers' binding share
        bounds."""
        if col_dual is not None:
            share_bound = (model.x_bound_kind == BOUND_VENDOR_SHARE) & model.x_at_upper(full)
            bound_dual = np.where(share_bound, col_dual[: model.n_x], 0.0)
            # with weights, bincount sums floats (numpy's stubs say it counts, as intp)
            self.share_dual = np.bincount(
                model.x_need[share_bound], weights=bound_dual[share_bound], minlength=count
            ).astype(np.float64, copy=False)
            self.folded_dual = np.bincount(
                entry_row, weights=bound_dual[entry_col], minlength=model.lp.num_row
            ).astype(np.float64, copy=False)
        if row_dual is not None and share_rows.size:
            self.share_dual = self.share_dual + np.bincount(
                model.row_need[share_rows], weights=row_dual[share_rows], minlength=count
            ).astype(np.float64, copy=False)

    def available(self) -> bool:
        return self.row_dual is not None

    def row(self, r: int, step: float) -> float | None:
        if self.row_dual is None or math.isnan(step):
            return None
        return float(self.sign * self.row_dual[r] * step * self.per_objective)

    def vendor_share(self, r: int) -> float | None:
        """The price of `vendor_share_…` row r: its dual with its offers' share bounds'."""
        price = self.row(r, 1.0)
        if price is None:
            return None
        return price + self.sign * float(self.folded_dual[r]) * self.per_objective

    def bound(self, k: int) -> float | None:
        if self.col_dual is None:
            return None
        return float(self.sign * self.col_dual[k] * self.per_objective)

    def bounds(self, cols: IntArray) -> list[float | None]:
        """`bound` of each x column in `cols`, in one array operation."""
        if self.col_dual is None:
            return [None] * cols.size
        prices: list[float | None] = (self.sign * self.col_dual[cols] * self.per_objective).tolist()
        return prices

    def _incumbent_dual(self, j: int) -> float:
        """Σ min_share × dual over need position j's incumbent rows set by their share."""
        if self.row_dual is None:
            return 0.0
        if self._incumbent is None:  # the rows of every need, found in one pass
            self._incumbent = {}
            incumbent = np.flatnonzero(self.model.kind_mask("incumbent"))
            # sorted set, not np.unique (which imports numpy.ma on its first call)
            for need in sorted(set(self.model.row_need[incumbent].tolist())):
                self._incumbent[need] = _incumbent_rows(self.model, need)
        return math.fsum(share * float(self.row_dual[r]) for r, share in self._incumbent.get(j, []))

    def demand(self, r: int) -> float | None:
        """d objective / d volume of the need: the demand dual plus the average targets'
        right-hand sides and the vendor share bounds and rows, which all move with the
        volume."""
        if self.row_dual is None:
            return None
        model, problem = self.model, self.model.problem
        j = int(model.row_need[r])
        dual = float(self.row_dual[r])
        if model.version == 2:  # the average rows are homogeneous: only the share bound moves
            dual += problem.needs[j].max_vendor_share * float(self.share_dual[j])
            dual += self._incumbent_dual(j)
            change = self.sign * dual
            return change * self.per_objective
        for name, target in (
            ("min_avg_impact", problem.targets.min_avg_impact),
            ("min_avg_quality", problem.targets.min_avg_quality),
        ):
            if target is not None:
                dual += target * self.row_dual[model.row_index[name]]
        dual += problem.needs[j].max_vendor_share * float(self.share_dual[j])
        change = self.sign * dual
        if self.max_impact:
            return (change - self.avg_impact) / model.total_volume
        return change


def _incumbent_rows(model: AllocationModel, j: int) -> list[tuple[int, float]]:
    """(row, min_share) of need position j's incumbent rows whose limit is their share of
    the volume (it moves with the volume; a min_volume that is larger does not)."""
    rows = []
    of_need = model.kind_mask("incumbent") & (model.row_need == j)
    for r in np.flatnonzero(of_need).tolist():
        rule = row_incumbents(model, r)
        share = rule.min_share
        if (
            rule.need == j
            and share is not None
            and rule.required <= share * model.problem.needs[j].volume
        ):
            rows.append((r, share))
    return rows


def _switched_on(model: AllocationModel, r: int, full: FloatArray) -> bool:
    """Whether the binary in row r is on in the plan `full` (a `min_award` row: the vendor got
    volume on the need)."""
    cols = model.lp.index[model.lp.start[r] : model.lp.start[r + 1]]
    return bool((full[cols[model.lp.integer[cols]]] > 0.5).any())


def _meaning(pricer: ShadowPricer, unit_step: str, has_price: bool, kind: str) -> str:
    if not has_price:
        rule = "min_award" if kind == "min_award" else "min_order / max_vendors"
        return f"Integer rule ({rule}): no shadow price."
    head, tail = _meaning_parts(pricer, kind)
    return f"{head}{unit_step}{tail}"


def _meaning_parts(pricer: ShadowPricer, kind: str) -> tuple[str, str]:
    """A priced entry's `meaning` is head + its step's unit text + tail."""
    objective = (
        "average impact (points)"
        if pricer.max_impact
        else "impact-worker hours"
        if pricer.max_hours
        else "total cost ($)"
    )
    if kind == "demand":
        return (
            f"Change in {objective} per ",
            ". Demand must be met exactly, so this is the marginal effect of one more unit "
            "(it includes what the average targets then require).",
        )
    direction = (
        "positive: relaxing it lets average impact rise"
        if pricer.max_impact
        else "positive: relaxing it lets impact-worker hours rise"
        if pricer.max_hours
        else "negative: relaxing it lowers the cost"
    )
    return (
        f"Change in {objective} per ",
        ": the shadow price is the change in the objective per unit relaxation of this "
        f"constraint ({direction}; 0 when it does not bind).",
    )


def constraint_report(
    model: AllocationModel, staged: StagedSolution, full: FloatArray
) -> list[ConstraintEntry]:
    """One entry per active business row, plus every binding offer-capacity or max-share
    bound of an x column (a share bound within a vendor's `vendor_share_…` row is priced
    with that row)."""
    lp = model.lp
    spend = float(full[model.col_spend])
    hours = model.hours(full)
    activity = lp.row_activity(full)
    abs_sum = np.abs(lp.value)
    coefficient_mass = (
        np.add.reduceat(abs_sum, np.minimum(lp.start[:-1], max(abs_sum.size - 1, 0)))
        if abs_sum.size
        else np.zeros(lp.num_row)
    )
    coefficient_mass = np.where(np.diff(lp.start) > 0, coefficient_mass, 0.0)
    pricer = ShadowPricer(model, staged.row_dual, staged.col_dual, full)
    x, count = full[: model.n_x], len(model.problem.needs)
    hours_by_need = np.bincount(model.x_need, weights=x * model.x_hours, minlength=count)
    spend_by_need = np.bincount(model.x_need, weights=x * model.x_price, minlength=count)
    plural_units = plural_need_units(model)
    lower, upper = lp.row_lower, lp.row_upper
    slack_of = np.where(
        lower == upper, 0.0, np.where(upper < INF, upper - activity, activity - lower)
    )
    bound_of = np.where(upper < INF, np.abs(upper), np.abs(lower))
    tolerance = ROW_BINDING_TOL * np.fmax(1.0, bound_of) + 10**-VOLUME_DECIMALS * coefficient_mass
    binding_of = slack_of <= tolerance
    # a vendor's month with hours to spare (one of up to 12 a vendor, noise) and a share
    # row that does not hold the vendor back are left out, as a share bound is
    listed = binding_of | ((model.row_month < 0) & ~model.kind_mask("max_vendor_share"))
    listed &= model.kind_mask(*_REPORTED_ROWS) & ~((lower == -INF) & (upper == INF))
    entries: list[ConstraintEntry] = []
    for r in np.flatnonzero(listed).tolist():
        kind, slack, binding = model.row_kind[r], slack_of[r], bool(binding_of[r])
        if kind == "min_order" and not (binding and full[model.row_x[r]] > 0):
            continue
        if kind == "min_award" and not (binding and _switched_on(model, r, full)):
            continue  # listed, as a min_order row is, where the vendor sits at the minimum
        desc = row_description(model, r)
        j = int(model.row_need[r])
        need_hours = float(hours_by_need[j]) if j >= 0 else 0.0
        need_spend = float(spend_by_need[j]) if j >= 0 else 0.0
        if kind in AWARD_ROWS:
            scope = award_scope(model, r, full)
            step = _award_step(model, r, scope)
        else:
            step = _step(model, kind, desc, spend, hours, need_hours, need_spend, plural_units)
        price = (
            pricer.demand(r)
            if kind == "demand"
            else pricer.vendor_share(r)
            if kind == "max_vendor_share"
            else pricer.row(r, step.bound_change)
        )
        has_price = not math.isnan(step.bound_change)
        scale = (
            (scope if scope > 0 else 1.0)
            if kind in AWARD_ROWS
            else _slack_scale(model, kind, spend, hours, need_hours, need_spend)
        )
        entries.append(
            _entry(desc, binding, 0.0 if binding else slack / scale, step, price, pricer, has_price)
        )
    at_bound = np.flatnonzero(
        model.x_at_upper(full, BOUND_BINDING_TOL)
        & (model.x_bound_kind != BOUND_NONE)
        & (lp.col_upper[: model.n_x] > 0)
        & ~(pricer.folded_x & (model.x_bound_kind == BOUND_VENDOR_SHARE))
    )
    entries.extend(_bound_entries(model, at_bound, pricer, plural_units))
    return entries


def _bound_entries(
    model: AllocationModel, cols: IntArray, pricer: ShadowPricer, plural_units: Mapping[str, str]
) -> list[ConstraintEntry]:
    """The entries of the binding bounds of x columns `cols`: `_entry` of each with its
    `_step` (binding, no slack, priced), the texts that repeat written once."""
    bounds = pricer.bounds(cols)
    prices = [None] * len(bounds) if pricer.col_dual is None else clean_all(np.array(bounds))
    measure = pricer.objective_unit
    head, tail = _meaning_parts(pricer, "offer_capacity")  # the same for both kinds
    entries: list[ConstraintEntry] = []
    for desc, price in zip(bound_descriptions(model, cols), prices, strict=True):
        kind, need, vendor = desc["kind"], desc["need"], desc["vendor"]
        # `_step`'s texts of the two bound kinds: "unit …", "extra unit …", "units …"
        if kind == "max_vendor_share":
            step = f"unit for vendor {vendor} on need {need}"
        else:
            step = f"unit on vendor {vendor}'s offer for need {need}"
        unit_text = f"extra {step}"
        entry: ConstraintEntry = {
            "name": desc["name"],
            "kind": kind,
            "label": desc["label"],
            "binding": True,
            "slack": 0.0,
            "slack_unit": plural_units.get(need, "units") if need is not None else "units",
            "shadow_price": price,
            "unit": f"{measure} per {unit_text}",
            "measure": measure,
            "step": step,
            "steps": f"{step[:4]}s{step[4:]}",
            "direction": RAISED,
            "meaning": f"{head}{unit_text}{tail}",
        }
        if need is not None:
            entry["need"] = need
        if vendor is not None:
            entry["vendor"] = vendor
        entries.append(entry)
    return entries


def _entry(
    desc: RowDescription,
    binding: bool,
    slack: float,
    step: PriceStep,
    price: float | None,
    pricer: ShadowPricer,
    has_price: bool,
) -> ConstraintEntry:
    entry: ConstraintEntry = {
        "name": desc["name"],
        "kind": desc["kind"],
        "label": desc["label"],
        "binding": bool(binding),
        "slack": clean(max(slack, 0.0)),
        "slack_unit": step.slack_unit,
        "shadow_price": clean(price) if has_price else None,
        "unit": f"{pricer.objective_unit} per {step.unit_text}" if has_price else None,
        "measure": pricer.objective_unit if has_price else None,
        "step": step.step if has_price else None,
        "steps": step.steps if has_price else None,
        "direction": step.direction if has_price else None,
        "meaning": _meaning(pricer, step.unit_text, has_price, desc["kind"]),
    }
    need, vendor = desc["need"], desc["vendor"]
    if need is not None:
        entry["need"] = need
    if vendor is not None:
        entry["vendor"] = vendor
    return entry


# ---------------------------------------------------------------------------------------------
# whole documents


def model_summary(model: AllocationModel) -> dict[str, int]:
    return {
        "variables": model.lp.num_col,
        "constraints": model.lp.num_row,
        "binaries": int(model.y_cols.size),
        "ineligible_offers": len(model.problem.offers) - model.n_x,
    }


def empty_result(status: Status, errors: Sequence[Mapping[str, str]] | None = None) -> Document:
    """The document shape with nothing solved (invalid input, solver errors)."""
    return {
        "status": status,
        "objective": None,
        "allocations": [],
        "totals": None,
        "constraints": [],
        "solver": None,
        "errors": list(errors or []),
    }


def plan_result(
    model: AllocationModel, staged: StagedSolution, solver_info: Mapping[str, Any]
) -> Document:
    """The result document for a solve that produced a plan (optimal, or a MIP incumbent
    at the time limit)."""
    problem = model.problem
    if staged.x is None:
        raise ValueError(f"a {staged.status} solve without a plan has no plan result")
    full = reported_columns(model, staged.x)
    allocations, totals = allocations_and_totals(model, full)
    objective: dict[str, Any]
    if problem.objective == "max_impact":
        objective = {
            "name": "max_impact",
            "value": totals["avg_impact"],
            "unit": "points of average impact",
        }
    elif problem.objective == "max_impact_worker_hours":
        objective = {
            "name": "max_impact_worker_hours",
            "value": totals["impact_worker_hours"],
            "unit": "impact-worker hours",
        }
    else:
        # with bid adjustments, the adjusted cost is what was minimised (totals has both)
        cost = totals.get("adjusted_cost", totals["cost"])
        objective = {"name": "min_cost", "value": cost, "unit": "$"}
    result = empty_result(staged.status)
    result.update(
        objective=objective,
        allocations=allocations,
        totals=totals,
        constraints=constraint_report(model, staged, full),
        solver=solver_info,
        tie_break=staged.tie_break,
        model=model_summary(model),
    )
    if model.lp.is_mip:
        result["mip_gap"] = clean(staged.mip_gap, MIP_GAP_DECIMALS)
    return result
