"""The impact spend report of a buyer organization (its approved scenarios) and of a coalition
(its active members' approved scenarios, with the coalition's own impact vendor threshold):
procure.spend.report's figures with the keys named and the notes that go with them, and the
rows the CSV and XLSX exports hold. Reads only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from procure.coalitions.models import Coalition
from procure.coalitions.services import active_members, min_cell_members
from procure.disclosures.validation import CATEGORY_FIELDS
from procure.reference import seed_reference
from procure.spend import adapter
from procure.spend.report import (
    OVERLAP_NOTE,
    SpendLine,
    contributions,
    spend_report,
    suppress_small_cells,
)
from procure.vendors.categories import category_label

EXPORT_COLUMNS = [
    "period",
    "key",
    "label",
    "impact_spend",
    "other_spend",
    "spend",
    "impact_share",
]
ALL_SPEND = "All spend"
BASIS_WORDS = {
    "planned": "Planned spend: each allocation's cost spread evenly over its need's months.",
    "actual": "Actual spend: the invoiced amounts of the deliveries recorded, in US dollars.",
}


def _labels(lines: list[SpendLine], by: str) -> dict[str, str]:
    if by == "category":
        keys = {line.category for line in lines}
        return {key: category_label(key) for key in keys}
    if by == "country":
        countries = seed_reference().countries
        keys = {line.country for line in lines}
        return {key: countries[key].name if key in countries else key for key in keys}
    return {key: field.label for key, field in CATEGORY_FIELDS.items()}


def _notes(report: Mapping[str, Any], query: Mapping[str, Any], threshold: float) -> list[str]:
    notes = [
        BASIS_WORDS[query["basis"]],
        f"Impact vendors: an impact score of at least {threshold:g} in the plan. Amounts in USD.",
    ]
    if report["groups_overlap"]:
        notes.append(OVERLAP_NOTE)
        if report.get("unattributed_suppressed"):
            notes.append(
                "The spend with vendors without a disclosure stating a headcount is not shown: "
                f"{report['suppressed_reason']}."
            )
        elif report["unattributed_spend"]:
            notes.append(
                f"{report['unattributed_spend']:,.0f} USD went to vendors without a disclosure "
                "stating a headcount, and reaches no group."
            )
    if report.get("suppressed_reason"):
        notes.append(
            f"A figure made up of fewer than {report['min_cell_members']} members reads "
            f'"{report["suppressed_reason"]}", and so does one that would let it be worked '
            "out from the figures around it."
        )
    return notes


def _report(
    lines: list[SpendLine],
    query: Mapping[str, Any],
    threshold: float,
    minimum: int | None = None,
) -> dict:
    """The report; with a `minimum` of contributing members (a coalition's), small cells
    withheld."""
    report = spend_report(
        lines,
        by=query["by"],
        period=query["period"],
        impact_vendor_min_score=threshold,
        labels=_labels(lines, query["by"]),
    )
    if minimum is not None:
        report = suppress_small_cells(
            {**report, "by": query["by"], "period": query["period"]}, lines, minimum, threshold
        )
    return {
        "basis": query["basis"],
        "by": query["by"],
        "period": query["period"],
        "impact_vendor_min_score": threshold,
        **report,
        "notes": _notes(report, query, threshold),
    }


def buyer_spend(organization_id: int, query: Mapping[str, Any]) -> dict[str, Any]:
    """The organization's spend report; `query`: basis, by, period, impact_vendor_min_score."""
    scenarios = adapter.approved_scenarios([organization_id])
    lines = adapter.spend_lines(scenarios, query["basis"])
    return _report(lines, query, query["impact_vendor_min_score"])


def coalition_spend(coalition: Coalition, query: Mapping[str, Any]) -> dict[str, Any]:
    """The coalition's spend report over its active members, at the coalition's threshold:
    aggregates only, small cells withheld (`coalition_min_cell_members`), with the
    contributions of the members that share theirs by name (none while the whole total is
    withheld: they are shares of its spend)."""
    members = active_members(coalition)
    ids = [member.organization_id for member in members]
    lines = adapter.spend_lines(adapter.approved_scenarios(ids), query["basis"])
    threshold = coalition.impact_vendor_min_score
    named = {m.organization_id: m.organization.name for m in members if m.shares_contribution}
    minimum = min_cell_members()
    report = _report(lines, query, threshold, minimum)
    shares = contributions(lines, ids, named, threshold, minimum)
    return {
        "members": len(members),
        **report,
        "contributions": [] if report["total"]["suppressed"] else shares,
    }


def export_columns(report: Mapping[str, Any]) -> list[str]:
    """The export's columns; a coalition's adds why a row's figures are not shown."""
    return EXPORT_COLUMNS + (["suppressed_reason"] if "min_cell_members" in report else [])


def export_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of the CSV and XLSX exports: the report's rows, each period's total, then (a
    coalition's) the whole total."""
    totals = [{"key": "", "label": ALL_SPEND, **total} for total in report["totals"]]
    whole = (
        [{"period": "all", "key": "", "label": ALL_SPEND, **report["total"]}]
        if "min_cell_members" in report
        else []
    )
    return [*report["rows"], *totals, *whole]
