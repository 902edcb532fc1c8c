"""Explain an infeasible problem in four layers (reference/optimizer.md §3).

* Layer 0 `data_checks`: instant bounds from the data, no solver: a need with no eligible
  offer, eligible supply below a need's volume, a max vendor share too small for the number of
  eligible vendors, all eligible capacity below total demand, the cheapest possible cover above
  the budget, the most impactful (or best quality) possible cover below the target, no impact
  vendor for an impact spend share, a vendor spend cap × vendors below 100 %, a need's
  minimum award per vendor that too few of its vendors can take.
* Layer 1 `relaxed_targets`: for each target set in the document, one solve with that target
  alone removed and the rest held, giving `achievable`: the least budget; the highest average
  impact or quality; the highest impact-vendor spend share and the lowest vendor spend cap
  (both ratios of spend, found by Dinkelbach's method: a few solves with a linear objective).
* Layer 1 for version 2's award rules, `relaxed_rules`: for each vendor group limit and
  incumbent rule, one solve (a Dinkelbach ratio for a group's share) with that rule's row alone
  removed, giving the limit the rest allows: the lowest workable group cap, the highest
  workable group minimum, the most that can stay with the incumbents.
* Layer 2 `conflict_set`: an irreducible infeasible set from HiGHS (`Highs.getIis`,
  iis_strategy 6 = from the whole LP, then reduced), on the LP relaxation, whatever solver was
  chosen, mapped to constraint names and business labels.
* Layer 3: `summary`, one sentence a buyer can act on, and `suggestions`, every such sentence.
  Where the conflict set holds an incumbent rule and a group limit, a sentence names both:
  "The incumbent rule for need 2 conflicts with the group cap for Kenya; keeping 30% with
  incumbents needs the cap at 52%."
"""

from __future__ import annotations

import math
from typing import Any, NotRequired, TypedDict

import highspy
import numpy as np

from optimizer.columns import vendor_pairs
from optimizer.model import BOUND_NONE, INF, TARGET_ROWS, AllocationModel, cost_vector
from optimizer.problem import DEFAULT_MIP_REL_GAP, FloatArray
from optimizer.result import (
    RowDescription,
    award_rule_name,
    bound_description,
    group_measure,
    money,
    need_units,
    number,
    percent,
    row_description,
    row_group,
    row_incumbents,
)
from optimizer.rows import AWARD_ROWS
from optimizer.solve import (
    MIN_RUN_SECONDS,
    Deadline,
    Solver,
    SolverSession,
    configured_highs,
    pass_model,
)
from optimizer.status import Status
from optimizer.totals import clean

DINKELBACH_ROUNDS = 30
"""At most this many solves per ratio target (Dinkelbach's method converges in a few)."""
DINKELBACH_TOL = 1e-10
"""The ratio has converged when a round moves it by at most this, relative to max(1, ratio)."""
NO_SPEND = 1e-12
"""$: a plan whose spend (the ratio's denominator) is at most this spends nothing."""
CHECK_REL_MARGIN = 1e-9
"""Layer 0 calls a bound violated only beyond this relative margin (float rounding)."""
CHECK_BUDGET_MARGIN = 1e-9
"""$, added to the relative margin for the budget check."""
CHECK_SCALE_MARGIN = 1e-12
"""Added to the relative margin for average-impact (points) and average-quality targets, and
the margin on the vendor spend caps adding up to 1 (share)."""
ROUNDING_GUARD = 1e-9
"""A sentence rounds the achievable value toward the safe side (a budget up, an average
down) to 0.1, 0.001 or a cent; this keeps float noise (0.80000000001) from moving it a step."""
CENTS_ROUNDING_GUARD = 1e-6
"""The same guard for a budget, in cents."""
HIGHS_IIS_STRATEGY = 6
"""HiGHS' `iis_strategy`: from the whole LP, then reduced to an irreducible set."""

Finding = dict[str, Any]
"""A layer-0 finding: `code`, `message` and the numbers behind it (which depend on the code)."""


class TargetEntry(TypedDict):
    """Layer 1 for one target: its value, the best achievable with it removed (None: not
    known), whether relaxing it is enough, and the sentence for the buyer."""

    target: float
    achievable: float | None
    feasible_if_relaxed: bool | None
    status: Status
    unit: str
    sentence: NotRequired[str]


class ConflictMember(TypedDict):
    name: str
    kind: str
    label: str


class ConflictSet(TypedDict):
    """Layer 2: the members of one irreducible infeasible set, or a note why there are none."""

    method: str
    constraints: list[ConflictMember]
    note: NotRequired[str]


class RuleEntry(TypedDict):
    """Layer 1 for one award rule (version 2): the row, the rule in words, the document field
    its limit is in and `limit_name`, its key in TARGET_LIMITS; the limit as set, the best
    the other rules allow with this one removed (None: not known) and that rounded toward
    holding (`limit`, by `workable_limit`)."""

    name: str
    kind: str
    rule: str
    label: str
    field: str
    limit_name: str
    target: float
    achievable: float | None
    limit: float | None
    feasible_if_relaxed: bool | None
    status: Status
    unit: str
    sentence: NotRequired[str]


class Explanation(TypedDict):
    """The `explanation` of an infeasible result (`rules` only with award rules)."""

    checks: list[Finding]
    targets: dict[str, TargetEntry]
    conflict: ConflictSet
    summary: str
    suggestions: list[str]
    rules: NotRequired[list[RuleEntry]]
    prioritised: NotRequired[list[str]]
    """Only when the rules without a priority admit no plan: the keys of targets.priorities,
    left out of every layer (they would give way; `optimizer.relax.explain_hard_conflict`)."""


# ---------------------------------------------------------------------------------------------
# layer 0


def _greedy_cover(
    model: AllocationModel, key: FloatArray, supply: FloatArray, volume: FloatArray
) -> FloatArray:
    """Fill each need from its offers in ascending `key` order, each up to `supply`."""
    order = np.lexsort((key, model.x_need))
    need = model.x_need[order]
    taken = supply[order]
    cumulative = np.cumsum(taken)
    need_first = np.searchsorted(need, need)  # index in `order` of each need's first offer
    before = cumulative - taken - (cumulative[need_first] - taken[need_first])
    fill = np.clip(volume[need] - before, 0.0, taken)
    out = np.zeros(model.n_x)
    out[order] = fill
    return out


def data_checks(model: AllocationModel) -> list[Finding]:
    """Layer 0: findings computed from the data alone, each with its numbers: first each
    need's own offers, then all capacity together, then the targets."""
    problem = model.problem
    volume = np.array([need.volume for need in problem.needs])
    vendor_capacity = np.array([INF if v.capacity is None else v.capacity for v in problem.vendors])
    # what each x column can supply on its own (units)
    supply = np.minimum(
        np.minimum(model.lp.col_upper[: model.n_x], volume[model.x_need]),
        vendor_capacity[model.x_vendor],
    )
    findings = _need_checks(model, supply)
    if findings:
        return findings
    if model.version == 2:
        # Monthly capacities and hour-weighted averages are left to the exact layers 1 and 2:
        # a greedy cover in units bounds neither.
        return _incumbent_checks(model) + _target_checks(model, supply, volume)
    capacity_short = _total_capacity_check(model, supply, vendor_capacity)
    if capacity_short is not None:
        return [capacity_short]
    return _target_checks(model, supply, volume)


def _need_checks(model: AllocationModel, supply: FloatArray) -> list[Finding]:
    """A need with no eligible offer, a max vendor share too small for its eligible vendors,
    or eligible offers that cannot supply its volume. A vendor counts once however many
    offers it has for the need (version 2), and supplies at most the share of it."""
    problem = model.problem
    count = len(problem.needs)
    first, _ = vendor_pairs(model.x_rank)
    pair_need = model.x_need[first]
    share_cap = np.array([need.max_vendor_share * need.volume for need in problem.needs])
    pair_supply = np.minimum(np.add.reduceat(supply, first), share_cap[pair_need])
    per_need = np.bincount(pair_need, weights=pair_supply, minlength=count)
    vendors_per_need = np.bincount(pair_need, minlength=count)
    all_offers = np.bincount(problem.offers.need, minlength=count)
    findings: list[Finding] = []
    for j, need in enumerate(problem.needs):
        eligible = int(vendors_per_need[j])
        if eligible == 0:
            excluded = int(all_offers[j])
            reason = (
                f" ({excluded} offers excluded: vendor quality below the minimum "
                f"{number(need.min_quality, 4)})"
                if excluded
                else ""
            )
            findings.append(
                {
                    "code": "no_eligible_offer",
                    "need": need.id,
                    "offers_excluded": excluded,
                    "message": f"Need {need.id} has no eligible offer{reason}.",
                }
            )
        elif need.max_vendor_share * eligible < 1.0:
            reach = need.max_vendor_share * eligible
            findings.append(
                {
                    "code": "max_vendor_share_too_low",
                    "need": need.id,
                    "max_vendor_share": need.max_vendor_share,
                    "eligible_vendors": eligible,
                    "message": f"Need {need.id} allows at most "
                    f"{percent(need.max_vendor_share)} per vendor but has only {eligible} "
                    f"eligible vendors, so at most {percent(reach)} of it can be placed; "
                    f"raise the share to at least {percent(1.0 / eligible)} or add vendors.",
                }
            )
        elif per_need[j] < need.volume * (1 - CHECK_REL_MARGIN):
            findings.append(
                {
                    "code": "need_capacity_short",
                    "need": need.id,
                    "volume": need.volume,
                    "max_supply": clean(per_need[j]),
                    "short_by": clean(need.volume - per_need[j]),
                    "message": f"Need {need.id} needs {number(need.volume, 6)} "
                    f"{need_units(model, j)} but its eligible offers can supply at most "
                    f"{number(per_need[j], 6)} (short by "
                    f"{number(need.volume - per_need[j], 6)}).",
                }
            )
        elif (need.min_award or 0.0) > 0:
            finding = _min_award_check(model, j, pair_supply[pair_need == j])
            if finding is not None:
                findings.append(finding)
    return findings


def _min_award_check(model: AllocationModel, j: int, supply: FloatArray) -> Finding | None:
    """Version 2: need position j's min_award out of reach. A vendor given anything gets at
    least the minimum, so only vendors that can supply that much (`supply`: each eligible
    vendor's most on the need, units) can be used; when together they supply less than the
    volume, no plan exists. The workable minimum is the largest that leaves enough of them:
    the supply of the vendor with which the largest ones first cover the volume."""
    need = model.problem.needs[j]
    minimum = float(need.min_award or 0.0)
    supply = np.sort(np.minimum(supply, need.volume))[::-1]
    able = supply >= minimum * (1 - CHECK_REL_MARGIN)
    reach = float(supply[able].sum())
    if reach >= need.volume * (1 - CHECK_REL_MARGIN):
        return None
    covered = np.cumsum(supply) >= need.volume * (1 - CHECK_REL_MARGIN)
    workable = float(supply[int(np.argmax(covered))])  # covered: _need_checks ran before
    units = need_units(model, j)
    count = int(able.sum())
    who = (
        f"none of its {supply.size} eligible vendors can take that much"
        if count == 0
        else f"only {count} of its {supply.size} eligible vendors can take that much, and "
        f"together they can supply at most {number(reach, 6)} of its {number(need.volume, 6)} "
        f"{units}"
    )
    return {
        "code": "min_award_out_of_reach",
        "need": need.id,
        "min_award": minimum,
        "vendors_able": count,
        "max_supply": clean(reach),
        "workable_min_award": clean(workable),
        "message": f"Need {need.id} gives a vendor nothing or at least {number(minimum, 6)} "
        f"{units}, but {who}; lower the minimum award to {number(workable, 6)} {units} or "
        f"less, or add vendors.",
    }


def _incumbent_checks(model: AllocationModel) -> list[Finding]:
    """Version 2: an incumbent rule whose incumbents have no eligible offer for its need."""
    findings: list[Finding] = []
    for rule in model.problem.award.incumbents:
        offered = (model.x_need == rule.need) & np.isin(model.x_vendor, rule.vendors)
        if rule.required > 0 and not offered.any():
            need = model.problem.needs[rule.need].id
            names = ", ".join(model.problem.vendors[i].id for i in rule.vendors)
            findings.append(
                {
                    "code": "incumbents_without_offer",
                    "need": need,
                    "message": f"The incumbent rule for need {need} keeps work with {names}, "
                    f"but none of them has an eligible offer for need {need}.",
                }
            )
    return findings


def _total_capacity_check(
    model: AllocationModel, supply: FloatArray, vendor_capacity: FloatArray
) -> Finding | None:
    """All eligible vendors together below the total volume."""
    total = model.total_volume
    by_vendor = np.bincount(model.x_vendor, weights=supply, minlength=len(model.problem.vendors))
    reachable = np.minimum(by_vendor, vendor_capacity)
    if reachable.sum() < total * (1 - CHECK_REL_MARGIN):
        return {
            "code": "total_capacity_short",
            "volume": total,
            "max_supply": clean(reachable.sum()),
            "message": f"All eligible vendors together can supply at most "
            f"{number(reachable.sum(), 6)} of the {number(total, 6)} units needed.",
        }
    return None


def _target_checks(model: AllocationModel, supply: FloatArray, volume: FloatArray) -> list[Finding]:
    """Targets out of reach whatever the plan: the cheapest cover above the budget, the best
    cover below an average target, no impact vendor, vendor spend caps below 100 % in all."""
    targets, total = model.problem.targets, model.total_volume
    findings: list[Finding] = []
    if targets.budget is not None:
        cheapest = float(_greedy_cover(model, model.x_price, supply, volume) @ model.x_price)
        if cheapest > targets.budget * (1 + CHECK_REL_MARGIN) + CHECK_BUDGET_MARGIN:
            findings.append(
                {
                    "code": "budget_below_cheapest_cover",
                    "budget": targets.budget,
                    "cheapest_cover": clean(cheapest),
                    "short_by": clean(cheapest - targets.budget),
                    "message": f"Even at the cheapest eligible prices the work costs at least "
                    f"{money(cheapest)}, above the budget of {money(targets.budget)} "
                    f"(short by {money(cheapest - targets.budget)}).",
                }
            )
    averages = (
        ("min_avg_impact", model.x_impact, "impact", 1),
        ("min_avg_quality", model.x_quality, "quality", 3),
    )
    for name, per_x, label, digits in averages if model.version == 1 else ():
        target = getattr(targets, name)
        if target is None:
            continue
        best = float(_greedy_cover(model, -per_x, supply, volume) @ per_x) / total
        if best < target * (1 - CHECK_REL_MARGIN) - CHECK_SCALE_MARGIN:
            findings.append(
                {
                    "code": f"{label}_target_unreachable",
                    "target": target,
                    "upper_bound": clean(best),
                    "message": f"Even the best eligible vendors reach an average {label} of "
                    f"at most {number(best, digits + 1)} (target {number(target, 6)}).",
                }
            )
    min_score = targets.impact_vendor_min_score  # always set with min_impact_spend_share
    if targets.min_impact_spend_share and min_score is not None:
        qualifying = model.impact_vendor[model.x_vendor] & (model.x_price > 0)
        if not qualifying.any():
            findings.append(
                {
                    "code": "no_impact_vendor",
                    "target": targets.min_impact_spend_share,
                    "message": f"No eligible offer comes from an impact vendor (impact score ≥ "
                    f"{number(min_score, 6)}), so the impact "
                    f"spend share is 0% (target "
                    f"{percent(targets.min_impact_spend_share)}).",
                }
            )
    if targets.max_vendor_spend_share is not None:
        able = len(set(model.x_vendor[model.x_price > 0].tolist()))  # np.unique imports numpy.ma
        if able and targets.max_vendor_spend_share * able < 1.0 - CHECK_SCALE_MARGIN:
            findings.append(
                {
                    "code": "vendor_spend_cap_too_low",
                    "target": targets.max_vendor_spend_share,
                    "vendors": able,
                    "message": f"Only {able} vendors can be paid, so a cap of "
                    f"{percent(targets.max_vendor_spend_share)} of spend per vendor "
                    f"cannot add up to 100%; the cap must be at least "
                    f"{percent(1.0 / able)}.",
                }
            )
    return findings


# ---------------------------------------------------------------------------------------------
# layer 1


def _best_ratio(
    model: AllocationModel,
    session: SolverSession,
    numerator: FloatArray,
    denominator: FloatArray,
    maximise: bool,
    deadline: Deadline,
) -> tuple[float | None, Status]:
    """max (or min) of numerator·x / denominator·x over the session's constraints by
    Dinkelbach's method (a ratio of spends, in [0, 1], or version 2's hour-weighted
    averages, which start from 0 too)."""
    ratio = 0.0 if maximise else 1.0
    for _ in range(DINKELBACH_ROUNDS):
        cost = (ratio * denominator - numerator) if maximise else (numerator - ratio * denominator)
        session.set_cost(cost)
        outcome = session.run(deadline.remaining())
        if outcome.status != Status.OPTIMAL:
            return None, outcome.status
        top, bottom = float(numerator @ outcome.plan), float(denominator @ outcome.plan)
        if bottom <= NO_SPEND:
            return (1.0 if maximise else 0.0), Status.OPTIMAL
        new_ratio = top / bottom
        if abs(new_ratio - ratio) <= DINKELBACH_TOL * max(1.0, abs(ratio)):
            return new_ratio, Status.OPTIMAL
        ratio = new_ratio
    return ratio, Status.OPTIMAL


def _achievable(
    model: AllocationModel, session: SolverSession, name: str, deadline: Deadline
) -> tuple[float | None, Status]:
    """Best value of target `name` with its own row removed (the session has it free).
    Version 2's averages are ratios (weighted by labour hours): Dinkelbach's method."""
    if model.version == 2 and name in ("min_avg_impact", "min_avg_quality"):
        numerator = (
            cost_vector(model, {"impact": 1.0})
            if name == "min_avg_impact"
            else cost_vector(model, x_cost=model.x_quality * model.x_hours)
        )
        hours = cost_vector(model, {"hours": 1.0})
        return _best_ratio(model, session, numerator, hours, True, deadline)
    if name == "min_impact_worker_hours":
        cost = cost_vector(model, {"worker_hours": -1.0})
        session.set_cost(cost)
        outcome = session.run(deadline.remaining())
        if outcome.status != Status.OPTIMAL:
            return None, outcome.status
        return -float(cost @ outcome.plan), Status.OPTIMAL
    if name in ("budget", "min_avg_impact", "min_avg_quality"):
        cost = {
            "budget": lambda: cost_vector(model, {"spend": 1.0}),
            "min_avg_impact": lambda: cost_vector(model, {"impact": -1.0}),
            "min_avg_quality": lambda: cost_vector(model, x_cost=-model.x_quality),
        }[name]()
        session.set_cost(cost)
        outcome = session.run(deadline.remaining())
        if outcome.status != Status.OPTIMAL:
            return None, outcome.status
        value = float(cost @ outcome.plan)
        return (value if name == "budget" else -value / model.total_volume), Status.OPTIMAL
    spend = cost_vector(model, {"spend": 1.0})
    if name == "min_impact_spend_share":
        impact_spend = cost_vector(
            model, x_cost=model.x_price * model.impact_vendor[model.x_vendor]
        )
        return _best_ratio(model, session, impact_spend, spend, True, deadline)
    return _best_ratio(
        model, session, cost_vector(model, {"max_spend": 1.0}), spend, False, deadline
    )


_TARGET_UNITS = {
    "budget": "$",
    "min_avg_impact": "points of average impact",
    "min_avg_quality": "average quality (0-1)",
    "min_impact_spend_share": "share of total spend (0-1)",
    "max_vendor_spend_share": "share of total spend (0-1)",
    "min_impact_worker_hours": "impact-worker hours",
}


# how far a reachable value is rounded (toward holding) when it is said or applied: cents of a
# budget, tenths of an impact score, thousandths of a quality or a share, whole hours
TARGET_LIMITS = {
    "budget": 100,
    "min_avg_impact": 10,
    "min_avg_quality": 1000,
    "min_impact_worker_hours": 1,
    "min_impact_spend_share": 1000,
    "max_vendor_spend_share": 1000,
    "vendor_group_min_share": 1000,
    "vendor_group_max_share": 1000,
    "incumbent_min_share": 1000,
    "incumbent_min_volume": 1000,
}
_UPPER_LIMITS = ("budget", "max_vendor_spend_share", "vendor_group_max_share")  # from above
_SHARE_LIMITS = (
    "min_impact_spend_share",
    "max_vendor_spend_share",
    "vendor_group_min_share",
    "vendor_group_max_share",
    "incumbent_min_share",
)


def workable_limit(name: str, achievable: float) -> float:
    """The target `name` set to what the others allow: `achievable` rounded to the target's
    step (cents, tenths of a point, thousandths of a share, whole hours) toward holding, up for
    a budget or a cap, down for a minimum. The one figure the sentences say and a buyer applies."""
    scale = TARGET_LIMITS[name]
    if name in _UPPER_LIMITS:
        guard = CENTS_ROUNDING_GUARD if name == "budget" else ROUNDING_GUARD
        return math.ceil(achievable * scale - guard) / scale
    return math.floor(achievable * scale + ROUNDING_GUARD) / scale


def limit_text(name: str, value: float) -> str:
    """A target's value in its unit: "$310,250.50", "70.4", "0.955", "12,480", "42.5%"."""
    if name == "budget":
        return money(value)
    if name in _SHARE_LIMITS:
        return percent(value)
    decimals = {
        "min_avg_impact": 1,
        "min_avg_quality": 3,
        "min_impact_worker_hours": 0,
        "incumbent_min_volume": 3,
    }
    return number(value, decimals.get(name, 6))


def _sentence(name: str, target: float, achievable: float) -> str:
    limit = limit_text(name, workable_limit(name, achievable))
    shares = ("min_impact_spend_share", "max_vendor_spend_share")
    asked = percent(target) if name in shares else number(target, 6)
    if name == "budget":
        least = workable_limit(name, achievable)
        return (
            f"Budget short by {money(least - target)}: the least budget that meets all "
            f"other targets is {limit}."
        )
    said = {
        "min_avg_impact": "The highest reachable average impact is",
        "min_avg_quality": "The highest reachable average quality is",
        "min_impact_worker_hours": "The most impact-worker hours reachable are",
        "min_impact_spend_share": "The highest reachable share of spend with impact vendors is",
        "max_vendor_spend_share": "The lowest workable cap on one vendor's share of spend is",
    }
    return f"{said[name]} {limit} (target {asked})."


def relaxed_targets(
    model: AllocationModel, solver: Solver, deadline: Deadline
) -> dict[str, TargetEntry]:
    """Layer 1: {target name: {target, achievable, feasible_if_relaxed, status, unit,
    sentence}} for every target set in the document."""
    session = solver.open(model)
    lp, targets = model.lp, model.problem.targets
    out: dict[str, TargetEntry] = {}
    for name in TARGET_ROWS:
        if not model.target_active(name):
            continue
        r = model.row_index[name]
        session.set_row_bounds([r], [-INF], [INF])
        achievable, status = _achievable(model, session, name, deadline)
        session.set_row_bounds([r], [lp.row_lower[r]], [lp.row_upper[r]])
        target = getattr(targets, name)
        known = {Status.OPTIMAL: True, Status.INFEASIBLE: False}  # otherwise unknown (time limit)
        entry: TargetEntry = {
            "target": target,
            "achievable": clean(achievable),
            "feasible_if_relaxed": known.get(status),
            "status": status,
            "unit": _TARGET_UNITS[name],
        }
        if status == Status.OPTIMAL and achievable is not None:
            entry["sentence"] = _sentence(name, target, achievable)
        out[name] = entry
    return out


def award_limit(model: AllocationModel, r: int) -> tuple[str, str, float]:
    """(TARGET_LIMITS key, document field, value as set) of award row r. An incumbent rule
    with both limits is said by the one that sets its volume (the larger)."""
    kind = model.row_kind[r]
    if kind == "incumbent":
        rule = row_incumbents(model, r)
        path = f"targets.incumbents[{rule.index}]"
        volume = model.problem.needs[rule.need].volume
        if rule.min_share is not None and rule.min_share * volume >= (rule.min_volume or 0.0):
            return "incumbent_min_share", f"{path}.min_share", rule.min_share
        return "incumbent_min_volume", f"{path}.min_volume", rule.min_volume or 0.0
    group = row_group(model, r)
    field = "min_share" if kind == "vendor_group_min_share" else "max_share"
    value = group.min_share if field == "min_share" else group.max_share
    return kind, f"targets.vendor_groups[{group.index}].{field}", value or 0.0


def _award_achievable(
    model: AllocationModel, session: SolverSession, r: int, deadline: Deadline
) -> tuple[float | None, Status]:
    """The best value of award row r's limit with the row removed (the session has it
    free): the group's least (cap) or greatest (minimum) share, by Dinkelbach's method, or
    the most volume the incumbents can keep (as a share of the need where the rule is one)."""
    if model.row_kind[r] == "incumbent":
        rule = row_incumbents(model, r)
        kept = (model.x_need == rule.need) & np.isin(model.x_vendor, rule.vendors)
        cost = cost_vector(model, x_cost=-kept.astype(float))
        session.set_cost(cost)
        outcome = session.run(deadline.remaining())
        if outcome.status != Status.OPTIMAL:
            return None, outcome.status
        most = -float(cost @ outcome.plan)
        if award_limit(model, r)[0] == "incumbent_min_share":
            return most / model.problem.needs[rule.need].volume, Status.OPTIMAL
        return most, Status.OPTIMAL
    group = row_group(model, r)
    measure = model.x_hours if group.measure == "hours" else model.x_price
    inside = model.x_need == group.need if group.need >= 0 else np.ones(model.n_x, dtype=bool)
    scope = np.where(inside, measure, 0.0)
    member = np.isin(model.x_vendor, group.vendors)
    return _best_ratio(
        model,
        session,
        cost_vector(model, x_cost=scope * member),
        cost_vector(model, x_cost=scope),
        model.row_kind[r] == "vendor_group_min_share",
        deadline,
    )


def _rule_sentence(model: AllocationModel, r: int, entry: RuleEntry) -> str:
    limit = limit_text(entry["limit_name"], _given_limit(entry))
    asked = limit_text(entry["limit_name"], entry["target"])
    if model.row_kind[r] == "incumbent":
        need = model.problem.needs[row_incumbents(model, r).need]
        units = _incumbent_units(model, r, entry)
        return (
            f"At most {limit}{units} of need {need.id} can stay with its incumbents while the "
            f"other rules hold (the incumbent rule keeps {asked}{units})."
        )
    group = row_group(model, r)
    if model.row_kind[r] == "vendor_group_max_share":
        return (
            f"The group cap for {group.label} must be at least {limit} of "
            f"{group_measure(model, group)} for the other rules to hold (it is {asked})."
        )
    return (
        f"The group minimum for {group.label} can be at most {limit} of "
        f"{group_measure(model, group)} for the other rules to hold (it is {asked})."
    )


def _incumbent_units(model: AllocationModel, r: int, entry: RuleEntry) -> str:
    """The text ' hours' after an incumbent rule's volume (in its need's unit); "" after a share."""
    if entry["limit_name"] == "incumbent_min_share":
        return ""
    return f" {need_units(model, row_incumbents(model, r).need)}"


def _given_limit(entry: RuleEntry) -> float:
    if entry["limit"] is None:
        raise ValueError("the rule has no workable limit")
    return entry["limit"]


def relaxed_rules(model: AllocationModel, solver: Solver, deadline: Deadline) -> list[RuleEntry]:
    """Layer 1 for the award rules (version 2): one entry per group limit and incumbent rule,
    in row order."""
    rows = [r for r, kind in enumerate(model.row_kind) if kind in AWARD_ROWS]
    if not rows:
        return []
    session = solver.open(model)
    lp = model.lp
    out: list[RuleEntry] = []
    known = {Status.OPTIMAL: True, Status.INFEASIBLE: False}  # otherwise unknown (time limit)
    for r in rows:
        session.set_row_bounds([r], [-INF], [INF])
        achievable, status = _award_achievable(model, session, r, deadline)
        session.set_row_bounds([r], [lp.row_lower[r]], [lp.row_upper[r]])
        limit_name, field, target = award_limit(model, r)
        found = status == Status.OPTIMAL and achievable is not None
        entry: RuleEntry = {
            "name": model.row_names[r],
            "kind": model.row_kind[r],
            "rule": award_rule_name(model, r),
            "label": row_description(model, r)["label"],
            "field": field,
            "limit_name": limit_name,
            "target": target,
            "achievable": clean(achievable),
            "limit": workable_limit(limit_name, achievable)
            if found and achievable is not None
            else None,
            "feasible_if_relaxed": known.get(status),
            "status": status,
            "unit": "units of the need" if limit_name == "incumbent_min_volume" else "share (0-1)",
        }
        if found:
            entry["sentence"] = _rule_sentence(model, r, entry)
        out.append(entry)
    return out


def conflict_sentences(
    model: AllocationModel, conflict: ConflictSet, rules: list[RuleEntry]
) -> list[str]:
    """For each incumbent rule and group limit together in the conflict set: "The incumbent
    rule for need 2 conflicts with the group cap for Kenya; keeping 30% with incumbents needs
    the cap at 52.2%." (the group's workable limit with all other rules held)."""
    by_name = {entry["name"]: entry for entry in rules}
    members = [member["name"] for member in conflict["constraints"] if member["name"] in by_name]
    kept = [by_name[name] for name in members if by_name[name]["kind"] == "incumbent"]
    groups = [by_name[name] for name in members if by_name[name]["kind"] != "incumbent"]
    sentences = []
    for incumbent in kept:
        units = _incumbent_units(model, model.row_index[incumbent["name"]], incumbent)
        keeping = limit_text(incumbent["limit_name"], incumbent["target"]) + units
        for group in groups:
            side = "cap" if group["kind"] == "vendor_group_max_share" else "minimum"
            needs = (
                f"needs the {side} at {limit_text(group['limit_name'], group['limit'])}"
                if group["limit"] is not None
                else f"cannot hold with any {side}"
            )
            sentences.append(
                f"{incumbent['rule'][0].upper()}{incumbent['rule'][1:]} conflicts with "
                f"{group['rule']}; keeping {keeping} with incumbents {needs}."
            )
    return sentences


# ---------------------------------------------------------------------------------------------
# layer 2


def _integer_rules_note(model: AllocationModel) -> str:
    """Why a MIP whose LP relaxation is feasible has no plan: its whole-number rules."""
    rules = "minimum orders and vendor-count limits"
    if any((need.min_award or 0.0) > 0 for need in model.problem.needs):
        rules = "minimum awards per vendor, minimum orders and vendor-count limits"
    return f"The {rules} cannot all hold together (without them a plan exists)."


def _member(desc: RowDescription) -> ConflictMember:
    return {"name": desc["name"], "kind": desc["kind"], "label": desc["label"]}


def conflict_set(model: AllocationModel, deadline: Deadline) -> ConflictSet:
    """Layer 2: the rows and offer bounds of one irreducible infeasible set (LP relaxation)."""
    h = configured_highs(DEFAULT_MIP_REL_GAP)  # an LP: the gap does not apply
    pass_model(h, model, continuous=True)
    h.setOptionValue("iis_strategy", HIGHS_IIS_STRATEGY)
    h.setOptionValue("iis_time_limit", max(deadline.remaining(), MIN_RUN_SECONDS))
    h.setOptionValue("time_limit", max(deadline.remaining(), MIN_RUN_SECONDS))
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return {
            "method": "highs_iis",
            "constraints": [],
            "note": "HiGHS could not compute an irreducible infeasible set in time.",
        }
    rows = sorted(set(iis.row_index_))
    if not rows:
        return {
            "method": "highs_iis",
            "constraints": [],
            "note": _integer_rules_note(model)
            if model.lp.is_mip
            else "HiGHS found no conflicting rows.",
        }
    members: list[ConflictMember] = []
    for r in rows:
        if model.row_kind[r] == "definition":
            continue
        members.append(_member(row_description(model, r)))
    upper_bound = {
        int(highspy.IisBoundStatus.kIisBoundStatusUpper),
        int(highspy.IisBoundStatus.kIisBoundStatusBoxed),
    }
    for col, bound in sorted(zip(iis.col_index_, iis.col_bound_, strict=True)):
        if col < model.n_x and int(bound) in upper_bound and model.x_bound_kind[col] != BOUND_NONE:
            members.append(_member(bound_description(model, col)))
    return {"method": "highs_iis", "constraints": members}


# ---------------------------------------------------------------------------------------------
# all layers


def explain_infeasible(model: AllocationModel, solver: Solver, deadline: Deadline) -> Explanation:
    """The `explanation` of an infeasible result: checks, targets, conflict, summary."""
    checks = data_checks(model)
    targets = relaxed_targets(model, solver, deadline)
    rules = relaxed_rules(model, solver, deadline)
    conflict = conflict_set(model, deadline)
    suggestions = [finding["message"] for finding in checks]
    suggestions += conflict_sentences(model, conflict, rules)
    suggestions += [entry["sentence"] for entry in targets.values() if "sentence" in entry]
    suggestions += [entry["sentence"] for entry in rules if "sentence" in entry]
    if suggestions:
        summary = suggestions[0]
    elif conflict["constraints"]:
        labels = "; ".join(member["label"] for member in conflict["constraints"])
        summary = f"These rules cannot all hold together: {labels}."
        if targets:
            summary = "No single target change is enough. " + summary
    elif conflict.get("note"):
        summary = conflict["note"]
    else:
        summary = (
            "No single target change makes the plan feasible; the demand, capacity and "
            "share limits conflict."
        )
    explanation: Explanation = {
        "checks": checks,
        "targets": targets,
        "conflict": conflict,
        "summary": summary,
        "suggestions": suggestions,
    }
    if rules:
        explanation["rules"] = rules
    return explanation
