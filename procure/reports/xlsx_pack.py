"""The analyst pack: the board report's figures as an XLSX workbook of five or six plain tables.

Sheets: "Allocations" (one row per need and vendor, with its labour hours and the price as the
vendor stated it: original price, currency, rate and rate date, where the scenario's documents
keep them), "Needs" (one row per need: its volume, labour hours, cost, impact-worker hours,
jobs, averages and each of its own targets with what was achieved and whether it binds, as
`procure.scenarios.figures.need_lines` reads them; then the plan's totals), "Scores" (one row
per vendor),
"Comparison" (one row per measure, one column per scenario), "Actuals" (projected against
actual per vendor and for the plan, once an approved plan has a delivery) and "Assumptions"
(section, item, value, detail: the scenario, targets, weights, metric catalog, evidence
factors and sources).
Each sheet has one header row and nothing else above or beside the table, so
`pandas.read_excel(..., sheet_name=...)` reads it back as is. The Scores sheet's "Impact score"
header carries a note saying how the average treats work without a score (as the board report's
note does: procure.reports.allocation_totals).

Numbers are written as numbers with a display format (money, percent, ...); every text cell
goes through `procure.spreadsheets.escape_cell`, so a vendor named `=HYPERLINK(...)` is stored
as text that no spreadsheet will run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from procure.reports.allocation_totals import IMPACT_AVERAGE_RULE, vendor_totals
from procure.spreadsheets import escape_cell

SHEETS = ("Allocations", "Needs", "Scores", "Comparison", "Assumptions")
ACTUALS_SHEET = "Actuals"
"""Between Comparison and Assumptions, once an approved plan has a delivery."""
NUMBER_FORMATS = {
    "money": '"$"#,##0.00',
    "price": '"$"#,##0.00##',
    "percent": "0.0%",
    "number": "#,##0.0",
    "integer": "#,##0",
    "ratio": "0.00",
    "ratio4": "#,##0.00##",
    "rate": "0.000000##",
    "signed": "#,##0.00",
}
ALLOCATION_COLUMNS = [
    ("Need", None),
    ("Vendor", None),
    ("Volume", "number"),
    ("Unit", None),
    ("Price per unit", "price"),
    ("Cost", "money"),
    ("Impact score", "number"),
    ("Need id", None),
    ("Vendor id", None),
    ("Hours per unit", "ratio"),
    ("Labour hours", "number"),
    ("Original price", "ratio4"),
    ("Currency", None),
    ("Rate (USD per unit of currency)", "rate"),
    ("Rate date", None),
]
SCORE_COLUMNS = [
    ("Vendor", None),
    ("Impact score", "number"),
    ("Cost", "money"),
    ("Share of cost", "percent"),
    ("Needs served", "integer"),
    ("Volume", "number"),
    ("Share of volume", "percent"),
    ("Impact-worker share", "percent"),
    ("Impact-worker hours", "number"),
    ("Living-wage ratio", "ratio"),
    ("Labour hours", "number"),
    ("Share of labour hours", "percent"),
]
NEED_COLUMNS = [
    ("Need", None),
    ("Need id", None),
    ("Unit", None),
    ("Volume", "number"),
    ("Labour hours", "number"),
    ("Cost", "money"),
    ("Impact-worker hours", "number"),
    ("Full-time jobs", "ratio"),
    ("Average impact", "number"),
    ("Average quality", "percent"),
    ("Averages weighted by", None),
]
ALL_NEEDS = "All needs"
"""The Needs sheet's last row: the plan's own totals (the figures of the API and the page)."""
NEED_TARGET_FORMATS = {
    "min_avg_impact": "number",
    "min_avg_quality": "percent",
    "min_quality": "percent",
    "max_vendor_share": "percent",
    "min_impact_spend_share": "percent",
}
"""A need's own targets in the order of their columns, and the display format of each."""
NEEDS_NOTE = (
    "One row per need, then the plan's totals. Volume is in the need's own unit; labour hours "
    "(volume × hours per unit) and dollars are what add across needs. Jobs = impact-worker "
    "hours / the hours per FTE-year frozen in the problem document. For each of a need's own "
    "targets: the target, what the plan achieved and whether it binds (from the solved "
    "constraints; the minimum offer quality is an eligibility rule and never binds). "
    "Scenarios solved before labour hours were counted show volume-weighted averages, "
    "impact-worker hours of work bought by the hour only, and no labour hours."
)
ASSUMPTION_COLUMNS = [("Section", None), ("Item", None), ("Value", None), ("Detail", None)]
# projected against actual to the latest month delivered, per vendor then for the plan, as the
# board PDF's and the API's `to_date` figures (present once an approved plan has a delivery)
ACTUAL_COLUMNS = [
    ("Vendor", None),
    ("Labour hours allocated", "number"),
    ("Labour hours delivered", "number"),
    ("Delivery reliability", "percent"),
    ("Impact-worker hours projected", "number"),
    ("Impact-worker hours actual", "number"),
    ("Variance", "signed"),
    ("Volume effect", "signed"),
    ("Share effect", "signed"),
    ("Planned spend", "money"),
    ("Invoiced spend", "money"),
]
ACTUAL_KEYS = (
    "allocated_hours",
    "delivered_hours",
    "delivery_reliability",
    "projected_impact_worker_hours",
    "actual_impact_worker_hours",
    "variance",
    "volume_effect",
    "share_effect",
    "planned_spend",
    "invoiced_spend",
)
THE_PLAN = "The plan"
ACTUALS_NOTE = (
    "Projected against actual to the latest month with a delivery (the months before it; a "
    "need's volume spread evenly over its months). Actual impact-worker hours = delivered "
    "labour hours × the impact-worker share of the disclosure covering the month (or the "
    "newest earlier one, flagged on the page). Variance = volume effect + share effect."
)

HEADER_FONT = Font(bold=True, color="1C2430")
HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
CHOSEN_FILL = PatternFill("solid", fgColor="E6F4F2")
MAX_COLUMN_WIDTH = 60


def cell_value(value: Any) -> Any:
    """What goes into a cell: numbers as numbers, text escaped, yes/no for booleans, None empty.

    Control characters that XLSX cannot hold (NUL, form feed, ...) are dropped from text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):  # e.g. the names of the targets that bind
        value = ", ".join(str(item) for item in value if item is not None) or None
        return None if value is None else escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def write_sheet_table(
    sheet,
    columns: Sequence[tuple[str, str | None]],
    rows: Iterable[Sequence[Any]],
    row_formats: Sequence[str | None] | None = None,
) -> None:
    """Header row, then rows; a column's format applies unless `row_formats` gives one per row."""
    sheet.append([cell_value(name) for name, _ in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [len(str(name)) for name, _ in columns]
    for index, row in enumerate(rows):
        values = [cell_value(value) for value in row]
        sheet.append(values)
        for column, value in enumerate(values):
            fmt = row_formats[index] if row_formats and column > 0 else columns[column][1]
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and fmt in NUMBER_FORMATS
            ):
                sheet.cell(row=sheet.max_row, column=column + 1).number_format = NUMBER_FORMATS[fmt]
            shown = (
                f"{value:,.2f}"
                if isinstance(value, float)
                else str(value if value is not None else "")
            )
            widths[column] = max(widths[column], len(shown))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "B2" if len(columns) > 2 else "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def _allocation_rows(allocations: list[dict]) -> list[list[Any]]:
    return [
        [
            a.get("need"),
            a.get("vendor"),
            a.get("volume"),
            a.get("unit"),
            a.get("price"),
            a.get("cost"),
            a.get("impact_score"),
            a.get("need_id"),
            a.get("vendor_id"),
            a.get("hours_per_unit"),
            a.get("hours"),
            a.get("original_price"),
            a.get("currency"),
            a.get("rate"),
            a.get("rate_date"),
        ]
        for a in allocations
    ]


def _score_rows(allocations: list[dict], by_vendor: list[dict]) -> list[list[Any]]:
    """One row per vendor: its totals over the allocations (`vendor_totals`, as in the board
    report), then the impact table's figures, matched by vendor id and name (two vendors of one
    name stay two rows); vendors in the impact table without allocations come last."""
    totals = {(row["vendor_id"], row["vendor"]): row for row in vendor_totals(allocations)}
    impact_rows = {(row.get("vendor_id"), row.get("vendor")): row for row in by_vendor}
    rows = []
    for key in [*totals, *(key for key in impact_rows if key not in totals)]:
        entry = totals.get(key) or {}
        impact = impact_rows.get(key, {})
        rows.append(
            [
                key[1],
                entry.get("impact_score"),
                entry.get("cost"),
                entry.get("share_of_cost"),
                entry.get("needs"),
                impact.get("volume", entry.get("volume")),
                impact.get("share_of_volume"),
                impact.get("impact_worker_share"),
                impact.get("impact_worker_hours"),
                impact.get("living_wage_ratio"),
                entry.get("hours"),
                impact.get("share_of_hours"),
            ]
        )
    return rows


def need_target_columns(needs: list[dict]) -> list[tuple[str, str]]:
    """(field, label) of every own target some need sets, in `NEED_TARGET_FORMATS` order."""
    labels = {t["field"]: t["label"] for need in needs for t in need.get("targets") or []}
    return [(field, labels[field]) for field in NEED_TARGET_FORMATS if field in labels]


def _need_table(context: dict) -> tuple[list[tuple[str, str | None]], list[list[Any]]]:
    """The Needs sheet: its columns (the targets some need sets add three each) and rows."""
    needs = list(context.get("needs") or [])
    impact = context.get("impact") or {}
    totals = context.get("totals") or {}
    in_hours = impact.get("labour_hours") is not None
    weighted_by = "labour hours" if in_hours else "volume (solved before labour hours were counted)"
    target_columns = need_target_columns(needs)
    columns = list(NEED_COLUMNS)
    for field, label in target_columns:
        fmt = NEED_TARGET_FORMATS[field]
        columns += [
            (f"{label}: target", fmt),
            (f"{label}: achieved", fmt),
            (f"{label}: binds", None),
        ]
    rows = []
    for need in needs:
        targets = {t["field"]: t for t in need.get("targets") or []}
        row = [
            need.get("need"),
            need.get("need_id"),
            need.get("unit"),
            need.get("volume"),
            need.get("labour_hours"),
            need.get("cost"),
            need.get("impact_worker_hours"),
            need.get("jobs"),
            need.get("avg_impact"),
            need.get("avg_quality"),
            weighted_by,
        ]
        for field, _ in target_columns:
            target = targets.get(field) or {}
            row += [target.get("target"), target.get("achieved"), target.get("binding")]
        rows.append(row)
    if needs:
        units = {need.get("unit") for need in needs}
        unit = units.pop() if len(units) == 1 else None
        volumes = [need.get("volume") for need in needs]
        rows.append(
            [
                ALL_NEEDS,
                None,
                unit,
                # units of different kinds do not add
                sum(volumes) if unit is not None and None not in volumes else None,
                impact.get("labour_hours"),
                totals.get("cost"),
                impact.get("impact_worker_hours"),
                impact.get("fte_jobs"),
                totals.get("avg_impact"),
                totals.get("avg_quality"),
                weighted_by,
            ]
            + [None] * (3 * len(target_columns))
        )
    return columns, rows


def assumption_rows(context: dict) -> list[list[Any]]:
    scenario = context.get("scenario") or {}
    method = context.get("method") or {}
    impact = context.get("impact") or {}
    comparison = context.get("comparison") or {}
    in_hours = impact.get("labour_hours") is not None
    rows: list[list[Any]] = [
        ["Report", "Organization", context.get("organization"), None],
        ["Report", "Generated at", context.get("generated_at"), None],
        ["Scenario", "Name", scenario.get("name"), None],
        ["Scenario", "Id", scenario.get("id"), None],
        ["Scenario", "Status", scenario.get("status"), None],
        ["Scenario", "Objective", scenario.get("objective"), None],
        ["Scenario", "Approved by", scenario.get("approved_by"), None],
        ["Scenario", "Approved at", scenario.get("approved_at"), None],
        ["Scenario", "Decision comment", scenario.get("decision_comment"), None],
        ["Scenario", "Scoring profile", scenario.get("profile") or method.get("profile"), None],
    ]
    # a plan solved with targets relaxed by their priorities: what each reaches, and why
    rows += [
        ["Target that gave way", row["label"], row["reached"], row["sentence"]]
        for row in context.get("relaxations") or []
    ]
    scenarios, chosen = comparison.get("scenarios") or [], comparison.get("chosen")
    if isinstance(chosen, int) and 0 <= chosen < len(scenarios):
        rows.append(
            [
                "Comparison",
                "Scenario under decision",
                scenarios[chosen],
                f"column {chosen + 2} of Comparison",
            ]
        )
    rows += [["Summary", None, sentence, None] for sentence in context.get("summary") or []]
    rows += [
        ["KPI", kpi.get("label"), kpi.get("value"), kpi.get("format")]
        for kpi in context.get("kpis") or []
    ]
    for key, label in (
        ("labour_hours", "Labour hours"),
        ("impact_worker_hours", "Impact-worker hours"),
        ("fte_jobs", "Jobs sustained (FTE)"),
        ("hours_per_fte_year", "Hours per FTE-year"),
        (
            "training_hours_per_impact_worker",
            "Training hours per impact worker "
            + ("(weighted by labour hours)" if in_hours else "(volume-weighted)"),
        ),
        ("living_wage_ratio", "Living-wage ratio"),
    ):
        if key in impact and (key != "labour_hours" or impact[key] is not None):
            rows.append(["Impact", label, impact[key], None])
    for constraint in context.get("constraints") or []:
        detail = (
            f"shadow price in {constraint.get('unit') or 'business units'}; "
            f"binding: {'yes' if constraint.get('binding') else 'no'}; "
            f"slack: {constraint.get('slack')}"
        )
        rows.append(["Target", constraint.get("label"), constraint.get("shadow_price"), detail])
    for pillar, weight in (method.get("pillar_weights") or {}).items():
        rows.append(["Pillar weight", pillar, weight, None])
    for metric in method.get("metrics") or []:
        goalposts = metric.get("goalposts") or []
        detail = "; ".join(
            part
            for part in (
                f"key {metric.get('key')}" if metric.get("key") else "",
                f"formula {metric.get('formula')}" if metric.get("formula") else "",
                f"goalposts {goalposts[0]} to {goalposts[1]}" if len(goalposts) == 2 else "",
                f"section {metric.get('section')}" if metric.get("section") else "",
                f"source {metric.get('source')}" if metric.get("source") else "",
            )
            if part
        )
        rows.append(["Metric weight", metric.get("label"), metric.get("weight"), detail])
    for level, factor in (method.get("evidence_factors") or {}).items():
        rows.append(["Evidence factor", level, factor, None])
    rows += [["Source", None, source, None] for source in method.get("sources") or []]
    return rows


def export_pack(context: dict) -> bytes:
    """The XLSX workbook (bytes) for a report context (the same dict as `render_board_pdf`)."""
    workbook = Workbook()
    workbook.properties.creator = "impact-procure"
    workbook.properties.title = str(
        cell_value((context.get("scenario") or {}).get("name")) or "Scenario"
    )[:200]
    allocations = list(context.get("allocations") or [])

    sheet = workbook.active
    sheet.title = "Allocations"
    write_sheet_table(sheet, ALLOCATION_COLUMNS, _allocation_rows(allocations))

    sheet = workbook.create_sheet("Needs")
    write_sheet_table(sheet, *_need_table(context))
    sheet.cell(row=1, column=1).comment = Comment(
        NEEDS_NOTE, "impact-procure", width=360, height=160
    )

    sheet = workbook.create_sheet("Scores")
    write_sheet_table(
        sheet,
        SCORE_COLUMNS,
        _score_rows(allocations, list((context.get("impact") or {}).get("by_vendor") or [])),
    )
    impact_header = sheet.cell(
        row=1, column=[name for name, _ in SCORE_COLUMNS].index("Impact score") + 1
    )
    impact_header.comment = Comment(IMPACT_AVERAGE_RULE, "impact-procure", width=320, height=110)

    comparison = context.get("comparison") or {}
    scenario_names = list(comparison.get("scenarios") or [])
    comparison_rows = list(comparison.get("rows") or [])
    sheet = workbook.create_sheet("Comparison")
    write_sheet_table(
        sheet,
        [("Measure", None)] + [(name, None) for name in scenario_names],
        [[row.get("label")] + list(row.get("values") or []) for row in comparison_rows],
        row_formats=[row.get("format", "number") for row in comparison_rows],
    )
    chosen = comparison.get("chosen")
    if isinstance(chosen, int) and 0 <= chosen < len(scenario_names):
        for cells in sheet.iter_rows(min_col=chosen + 2, max_col=chosen + 2):
            for cell in cells:
                cell.fill = CHOSEN_FILL
                cell.font = Font(bold=True)

    actuals = context.get("actuals")
    if actuals:
        sheet = workbook.create_sheet(ACTUALS_SHEET)
        rows = [
            [v.get("vendor")] + [v["to_date"].get(key) for key in ACTUAL_KEYS]
            for v in actuals.get("vendors") or []
        ]
        rows.append([THE_PLAN] + [actuals["to_date"].get(key) for key in ACTUAL_KEYS])
        write_sheet_table(sheet, ACTUAL_COLUMNS, rows)
        sheet.cell(row=1, column=1).comment = Comment(
            f"{ACTUALS_NOTE} Through {actuals.get('through')}.",
            "impact-procure",
            width=360,
            height=140,
        )

    write_sheet_table(
        workbook.create_sheet("Assumptions"), ASSUMPTION_COLUMNS, assumption_rows(context)
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
