"""The plan in business terms: allocation lines and the totals computed from them.

Volumes are rounded to 6 decimals (a millionth of a unit) and volumes that round to 0 are left
out; an allocation's cost is round(volume × price, 6); every total is computed from those
rounded lines, so the numbers in a result always add up.

Version 2 counts work in labour hours (volume × hours_per_unit): averages are weighted by
hours, `labour_hours` and `impact_worker_hours` add across needs whatever their units, and
`needs` gives each need's own figures (its volume in its own unit)."""

from __future__ import annotations

import math
from typing import NotRequired, TypedDict

import numpy as np

from optimizer.model import AllocationModel, dot
from optimizer.problem import FloatArray, IntArray

VOLUME_DECIMALS = 6
"""Volumes are reported to a millionth of a unit."""
REPORT_DECIMALS = 6
"""Decimals of every other reported number (totals, slacks, shadow prices), unless stated."""


def clean(value: float | None, decimals: int = REPORT_DECIMALS) -> float | None:
    """A JSON-safe float rounded to `decimals` (no -0.0, no NaN/inf)."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:  # most slacks: round() (a decimal conversion) is the slow part
        return 0.0
    return round(value, decimals) + 0.0


def clean_all(values: FloatArray, decimals: int = REPORT_DECIMALS) -> list[float | None]:
    """`clean` of each value, the same floats, with round() (a decimal conversion, the slow
    part) only where a value may change: a finite value below 10^(15 − decimals) that
    numpy's round (× 10^decimals, to the nearest whole number, ÷ 10^decimals) leaves as it is
    is already the double nearest a number of `decimals` decimals, so round() returns it
    (its half ulp is far below half a unit of the last decimal, and the scaled value is a
    whole number a double holds exactly)."""
    kept = (
        np.isfinite(values)
        & (np.abs(values) < 10.0 ** (15 - decimals))
        & (np.round(values, decimals) == values)
    )
    return [
        value if keep else clean(value, decimals)
        for value, keep in zip((values + 0.0).tolist(), kept.tolist(), strict=True)
    ]


class Allocation(TypedDict):
    """One allocation line: volume in units, price in $ per unit, cost in $; version 2 adds
    the offer's id (when the document gives one), its hours per unit and the labour hours."""

    need: str
    vendor: str
    volume: float
    price: float
    cost: float
    offer: NotRequired[str]
    adjusted_price: NotRequired[float]
    """Version 2: $ per unit with the bid adjustments, where they change the price."""
    hours_per_unit: NotRequired[float]
    hours: NotRequired[float]


class NeedTotals(TypedDict):
    """Version 2: one need's figures (volume in the need's own unit, hours, $, points)."""

    need: str
    volume: float | None
    labour_hours: float | None
    cost: float | None
    avg_impact: float | None
    avg_quality: float | None
    impact_worker_hours: float | None


class Totals(TypedDict):
    """The plan's totals: cost $, avg_impact points 0–100, avg_quality and the shares 0–1,
    impact_worker_hours in hours (None where not defined). Version 1 adds volume in units
    (its averages weigh units); version 2 adds labour_hours, impact_worker_jobs (hours /
    hours_per_fte_year) and per-need figures, and weighs its averages by labour hours."""

    cost: float | None
    volume: NotRequired[float | None]
    labour_hours: NotRequired[float | None]
    avg_impact: float | None
    avg_quality: float | None
    impact_spend_share: float | None
    impact_worker_hours: float | None
    impact_worker_hours_coverage: float | None
    impact_worker_jobs: NotRequired[float | None]
    adjusted_cost: NotRequired[float | None]
    """Version 2 with bid adjustments: Σ volume × adjusted price, $ (what min_cost
    minimises); `cost` stays the real spend."""
    hours_per_fte_year: NotRequired[float]
    needs: NotRequired[list[NeedTotals]]


def reported_columns(model: AllocationModel, x: FloatArray) -> FloatArray:
    """The solution with x rounded as reported and S, I, M recomputed from the rounded x."""
    full = np.array(x, dtype=float)
    volumes = np.round(np.maximum(full[: model.n_x], 0.0), VOLUME_DECIMALS)
    full[: model.n_x] = volumes
    full[model.col_spend] = dot(volumes, model.x_price)
    full[model.col_impact] = dot(volumes, model.x_impact)
    if model.col_hours is not None and model.col_worker_hours is not None:
        full[model.col_impact] = dot(volumes, model.x_impact * model.x_hours)
        full[model.col_hours] = dot(volumes, model.x_hours)
        full[model.col_worker_hours] = dot(volumes, model.x_worker_share * model.x_hours)
    if model.col_adjusted_spend is not None:
        full[model.col_adjusted_spend] = dot(volumes, model.x_adjusted_price)
    if model.col_max_spend is not None:
        spend = np.bincount(
            model.x_vendor, weights=volumes * model.x_price, minlength=len(model.problem.vendors)
        )
        full[model.col_max_spend] = float(spend.max()) if spend.size else 0.0
    return full


def allocations_and_totals(
    model: AllocationModel, full: FloatArray
) -> tuple[list[Allocation], Totals]:
    """Allocation lines (need id, vendor id order) and the totals computed from them."""
    if model.version == 2:
        return hour_allocations_and_totals(model, full)
    problem = model.problem
    used = np.flatnonzero(full[: model.n_x] > 0)
    volumes = full[used].tolist()
    prices = model.x_price[used].tolist()
    costs = [round(v * p, VOLUME_DECIMALS) for v, p in zip(volumes, prices, strict=True)]
    needs = [problem.needs[j].id for j in model.x_need[used].tolist()]
    vendor_pos = model.x_vendor[used].tolist()
    allocations: list[Allocation] = [
        {
            "need": need,
            "vendor": problem.vendors[i].id,
            "volume": v + 0.0,
            "price": p,
            "cost": c + 0.0,
        }
        for need, i, v, p, c in zip(needs, vendor_pos, volumes, prices, costs, strict=True)
    ]
    total_volume = math.fsum(volumes)
    total_cost = math.fsum(costs)
    vendors = problem.vendors
    used_by = list(zip(volumes, vendor_pos, strict=True))
    impact = math.fsum(v * vendors[i].impact_score for v, i in used_by)
    quality = math.fsum(v * vendors[i].quality for v, i in used_by)
    known = [
        (v, share) for v, i in used_by if (share := vendors[i].impact_worker_share) is not None
    ]
    impact_spend_share = None
    if problem.targets.impact_vendor_min_score is not None and total_cost > 0:
        impact_spend = math.fsum(
            c for c, i in zip(costs, vendor_pos, strict=True) if model.impact_vendor[i]
        )
        impact_spend_share = clean(impact_spend / total_cost)
    totals: Totals = {
        "cost": clean(total_cost),
        "volume": clean(total_volume),
        "avg_impact": clean(impact / total_volume) if total_volume > 0 else None,
        "avg_quality": clean(quality / total_volume) if total_volume > 0 else None,
        "impact_spend_share": impact_spend_share,
        "impact_worker_hours": clean(math.fsum(v * h for v, h in known)) if known else None,
        "impact_worker_hours_coverage": (
            clean(math.fsum(v for v, _ in known) / total_volume) if total_volume > 0 else None
        ),
    }
    return allocations, totals


def hour_allocations_and_totals(
    model: AllocationModel, full: FloatArray
) -> tuple[list[Allocation], Totals]:
    """Version 2: the lines with their labour hours, and totals that add hours and dollars,
    never units of different kinds."""
    problem = model.problem
    used = np.flatnonzero(full[: model.n_x] > 0)
    labels = problem.offers.labels
    allocations: list[Allocation] = []
    costs: list[float] = []  # round(volume × price, VOLUME_DECIMALS) of each line
    volume_of, price_of = full[used], model.x_price[used]
    hours_of = volume_of * model.x_hours[used]  # a line's labour hours, volume × hours_per_unit
    columns = zip(
        volume_of.tolist(),
        price_of.tolist(),
        clean_all(volume_of * price_of, VOLUME_DECIMALS),
        model.x_hours[used].tolist(),
        clean_all(hours_of),
        model.x_need[used].tolist(),
        model.x_vendor[used].tolist(),
        model.x_offer[used].tolist(),
        clean_all(model.x_adjusted_price[used]),
        strict=True,
    )  # plain floats and ints, read once
    needs, vendors = problem.needs, problem.vendors
    for volume, price, cost, per_unit, hours, j, i, offer, adjusted in columns:
        line: Allocation = {
            "need": needs[j].id,
            "vendor": vendors[i].id,
            "volume": volume + 0.0,
            "price": price,
            "cost": cost + 0.0,
            "hours_per_unit": per_unit,
            "hours": hours or 0.0,
        }
        label = labels[offer] if labels else None
        if label is not None:
            line["offer"] = label
        if adjusted is not None and adjusted != price:
            line["adjusted_price"] = adjusted
        allocations.append(line)
        costs.append(cost)
    lines = _Lines(model, used, costs, hours_of)
    totals = _hour_totals(model, lines)
    totals["needs"] = [_need_totals(model, j, lines) for j in range(len(needs))]
    if model.col_adjusted_spend is not None:
        totals["adjusted_cost"] = clean(
            math.fsum(
                round(line["volume"] * line.get("adjusted_price", line["price"]), VOLUME_DECIMALS)
                for line in allocations
            )
        )
    return allocations, totals


class _Lines:
    """The figures of the allocation lines (in column order, so each need's lines are
    consecutive) as plain lists, with where each need's lines start, to be summed exactly
    (`math.fsum`) over the plan or one need. A line's hours, and hours × impact, quality or
    impact-worker share, are products of two floats, the same computed here for all lines at
    once as one at a time; the lines of vendors without an impact-worker share are in the
    plain lists and left out of the `known_` ones."""

    def __init__(
        self, model: AllocationModel, used: IntArray, costs: list[float], hours: FloatArray
    ) -> None:
        vendors = model.problem.vendors
        impact_score = np.array([vendor.impact_score for vendor in vendors], dtype=float)
        worker_share = np.array(
            [
                math.nan if vendor.impact_worker_share is None else vendor.impact_worker_share
                for vendor in vendors
            ],
            dtype=float,
        )
        vendor, need = model.x_vendor[used], model.x_need[used]
        share = worker_share[vendor]
        known = ~np.isnan(share)
        count = len(model.problem.needs)
        self.costs = costs
        self.impact_spend = [
            cost
            for cost, impact in zip(costs, model.impact_vendor[vendor].tolist(), strict=True)
            if impact
        ]
        self.hours = hours.tolist()
        self.impact_hours = (hours * impact_score[vendor]).tolist()
        self.quality_hours = (hours * model.x_quality[used]).tolist()
        self.known_hours = hours[known].tolist()
        self.worker_hours = (hours[known] * share[known]).tolist()
        self.start: list[int] = np.searchsorted(need, np.arange(count + 1)).tolist()
        self.known_start: list[int] = np.searchsorted(need[known], np.arange(count + 1)).tolist()


def _ratio(numerator: float, weight: float) -> float | None:
    """numerator / weight, cleaned (None without weight): an average weighted by hours."""
    return clean(numerator / weight) if weight > 0 else None


def _hour_totals(model: AllocationModel, lines: _Lines) -> Totals:
    problem = model.problem
    total_cost = math.fsum(lines.costs)
    hours = math.fsum(lines.hours)
    worker_hours = math.fsum(lines.worker_hours) if lines.known_hours else None
    impact_spend_share = None
    if problem.targets.impact_vendor_min_score is not None and total_cost > 0:
        impact_spend_share = clean(math.fsum(lines.impact_spend) / total_cost)
    per_fte = problem.settings.hours_per_fte_year
    return {
        "cost": clean(total_cost),
        "labour_hours": clean(hours),
        "avg_impact": _ratio(math.fsum(lines.impact_hours), hours),
        "avg_quality": _ratio(math.fsum(lines.quality_hours), hours),
        "impact_spend_share": impact_spend_share,
        "impact_worker_hours": clean(worker_hours),
        "impact_worker_hours_coverage": (
            clean(math.fsum(lines.known_hours) / hours) if hours > 0 else None
        ),
        "impact_worker_jobs": None if worker_hours is None else clean(worker_hours / per_fte),
        "hours_per_fte_year": per_fte,
    }


def _need_totals(model: AllocationModel, j: int, lines: _Lines) -> NeedTotals:
    need = model.problem.needs[j]
    first, end = lines.start[j], lines.start[j + 1]
    known_first, known_end = lines.known_start[j], lines.known_start[j + 1]
    hours = math.fsum(lines.hours[first:end])
    return {
        "need": need.id,
        "volume": need.volume,
        "labour_hours": clean(hours),
        "cost": clean(math.fsum(lines.costs[first:end])),
        "avg_impact": _ratio(math.fsum(lines.impact_hours[first:end]), hours),
        "avg_quality": _ratio(math.fsum(lines.quality_hours[first:end]), hours),
        "impact_worker_hours": (
            clean(math.fsum(lines.worker_hours[known_first:known_end]))
            if known_end > known_first
            else None
        ),
    }
