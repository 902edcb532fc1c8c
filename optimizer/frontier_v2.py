"""The frontier of a version 2 document: least cost against average impact (weighted by
labour hours) or against impact-worker hours.

Average impact is a ratio in version 2 (I / H), so a level is the row I − level·H ≥ 0, a
change of a coefficient rather than of a bound; and impact-worker hours are a new measure. This
sweep therefore solves each point as its own document through `optimizer.api.solve` (the
same model, explanation and tie-break as a scenario's solve), cold, rather than by the
warm bound changes of the version 1 sweep in `optimizer.frontier`. It costs about one solve
per point (bench/bench_optimizer.py measures it).

Points, from the measure of the cheapest plan up to the most reachable within the other
targets: `measure_value` (points or hours, as achieved), `target` (the level asked for),
`cost` ($), `status`, `cost_per_unit` ($ per point or per impact-worker hour, from the
target's shadow price; null at the top), and for `impact` the keys of version 1
(`avg_impact`, `target_avg_impact`, `cost_per_impact_point`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from optimizer.api import solve
from optimizer.problem import Document
from optimizer.status import Status
from optimizer.totals import clean

MEASURES = {
    "impact": ("min_avg_impact", "max_impact", "avg_impact"),
    "hours": ("min_impact_worker_hours", "max_impact_worker_hours", "impact_worker_hours"),
}
"""measure → (its target, the objective that maximises it, its total in the result)."""
BOTTOM_SLOPE_STEP = 1e-6
"""The lowest point's slope is read this fraction of the range above it (as in version 1)."""


def frontier_v2(
    document: Document,
    points: int,
    measure: str,
    on_point: Callable[[int, int], bool | None] | None = None,
) -> Document:
    """The version 2 frontier (see the module docstring); same shape as `frontier`."""
    target, objective, total = MEASURES[measure]

    def run(**changes: Any) -> Document:
        doc = copy.deepcopy(document)
        doc["targets"] = {**(doc.get("targets") or {}), target: None}
        doc.update(changes)
        return solve(doc)

    def least_cost_at(level: float) -> Document:
        doc = copy.deepcopy(document)
        doc["targets"] = {**(doc.get("targets") or {}), target: level}
        doc["objective"] = "min_cost"
        return solve(doc)

    cheapest = run(objective="min_cost")
    if cheapest["status"] != Status.OPTIMAL:
        out: Document = {"status": cheapest["status"], "points": [], "errors": cheapest["errors"]}
        if "explanation" in cheapest:
            out["explanation"] = cheapest["explanation"]
        return out
    top = run(objective=objective)
    low = float(cheapest["totals"][total] or 0.0)
    high = max(float(top["totals"][total] or 0.0), low) if top["status"] == Status.OPTIMAL else low
    levels = (
        [low] if points == 1 else [low + (high - low) * k / (points - 1) for k in range(points)]
    )
    if on_point is not None and on_point(0, len(levels)) is False:
        return _stopped(0, len(levels))
    found: list[dict[str, Any]] = []
    for level in levels:
        if level == high and top["status"] == Status.OPTIMAL:
            result, price = top, None
        else:
            result = least_cost_at(level)
            # at the cheapest plan the target does not bind: read the slope just above it,
            # what the next unit of the measure costs
            above = (
                least_cost_at(level + BOTTOM_SLOPE_STEP * (high - low)) if level == low else result
            )
            row = next((c for c in above["constraints"] if c["name"] == target), None)
            price = None if row is None or row["shadow_price"] is None else -row["shadow_price"]
        found.append(_point(measure, level, result, price, total))
        if on_point is not None and on_point(len(found), len(levels)) is False:
            return _stopped(len(found), len(levels))
    statuses = {point["status"] for point in found}
    return {
        "status": Status.OPTIMAL if statuses == {Status.OPTIMAL} else Status.TIME_LIMIT,
        "measure": measure,
        "points": found,
        "errors": [],
        "solver": {"solves": len(levels) + 2},
    }


def _point(
    measure: str, level: float, result: Document, price: float | None, total: str
) -> dict[str, Any]:
    optimal = result["status"] == Status.OPTIMAL
    value = result["totals"][total] if optimal else None
    point: dict[str, Any] = {
        "measure_value": value,
        "target": clean(level),
        "cost": result["totals"]["cost"] if optimal else None,
        "status": result["status"],
        "cost_per_unit": clean(price),
        "impact_worker_hours": result["totals"]["impact_worker_hours"] if optimal else None,
        "avg_impact": result["totals"]["avg_impact"] if optimal else None,
        "iterations": None,
    }
    if measure == "impact":
        point.update(target_avg_impact=clean(level), cost_per_impact_point=clean(price))
    return point


def _stopped(done: int, total: int) -> Document:
    return {
        "status": Status.STOPPED,
        "points": [],
        "errors": [
            {"field": "$", "message": f"stopped by the caller after {done} of {total} points"}
        ],
    }
