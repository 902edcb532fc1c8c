"""Totals over a scenario's allocations, shared by the board report and the analyst pack, so the
two documents print the same figure for the same vendor.

An allocation is a dict of the report context (tests/reports/sample_context.py): need_id, need,
vendor_id, vendor, volume (units of the need), cost (USD), impact_score (0–100, None when the
vendor has no score yet) and, for scenarios whose documents count labour hours (version 2),
hours (volume × hours per unit). Work is weighed by its labour hours where the allocations have
them, by its volume otherwise (scenarios solved before hours were counted, shown as they were).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Printed where the impact-score columns are labelled (the board report, the pack's Scores sheet).
IMPACT_AVERAGE_RULE = (
    "Impact scores are averages weighted by the labour hours each vendor takes (by volume for "
    "scenarios solved before labour hours were counted). Work with a vendor "
    "that has no impact score is left out of the average (not counted as 0); where no work "
    "has a score the average is blank."
)


def work(allocation: Mapping[str, Any]) -> float:
    """What an allocation weighs: its labour hours where it has them, else its volume."""
    hours = allocation.get("hours")
    return hours if hours is not None else (allocation.get("volume") or 0.0)


def impact_average(allocations: Iterable[Mapping[str, Any]]) -> float | None:
    """The average impact score (0–100) of the allocations that have one, weighted by their
    labour hours (by volume where the allocations have no hours: version 1 scenarios).

    Allocations without a score are left out, not counted as 0: an unscored vendor is unknown,
    not the worst. None when no allocation with work has a score.
    """
    scored = [
        (allocation["impact_score"], work(allocation))
        for allocation in allocations
        if allocation.get("impact_score") is not None
    ]
    volume = sum(weight for _, weight in scored)
    return sum(score * weight for score, weight in scored) / volume if volume else None


def vendor_totals(allocations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per vendor, largest cost first: vendor_id, vendor, cost (USD), share_of_cost (0–1
    of the plan's cost; None when the plan costs nothing), needs (how many it serves), volume
    (units, summed across needs; None where its allocations count labour hours in different
    units, which do not add), hours (labour hours, None without them) and impact_score
    (`impact_average` of its allocations).

    Vendors are keyed by id and name, so two vendors of one name stay two rows.
    """
    by_vendor: dict[tuple, list[Mapping[str, Any]]] = {}
    for allocation in allocations:
        by_vendor.setdefault((allocation.get("vendor_id"), allocation.get("vendor")), []).append(
            allocation
        )
    total_cost = sum(
        allocation.get("cost") or 0.0 for lines in by_vendor.values() for allocation in lines
    )
    rows = []
    for (vendor_id, vendor), lines in by_vendor.items():
        cost = sum(allocation.get("cost") or 0.0 for allocation in lines)
        in_hours = all(allocation.get("hours") is not None for allocation in lines)
        mixed = len({allocation.get("unit") for allocation in lines}) > 1
        rows.append(
            {
                "vendor_id": vendor_id,
                "vendor": vendor,
                "cost": cost,
                "share_of_cost": cost / total_cost if total_cost else None,
                "needs": len(
                    {(allocation.get("need_id"), allocation.get("need")) for allocation in lines}
                ),
                "volume": None
                if in_hours and mixed
                else sum(allocation.get("volume") or 0.0 for allocation in lines),
                "hours": sum(allocation["hours"] for allocation in lines) if in_hours else None,
                "impact_score": impact_average(lines),
            }
        )
    return sorted(rows, key=lambda row: (-row["cost"], str(row["vendor"])))
