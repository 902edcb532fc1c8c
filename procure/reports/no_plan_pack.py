"""The analyst pack of a scenario whose targets cannot all hold (status infeasible): no plan, so
no allocation, score, comparison or impact sheet, but why there is none, from the same report
context as the board PDF's (`procure.scenarios.report_context`, its `infeasibility`).

Sheets: "No plan" (section, text: that no plan meets every target, the explanation's summary,
the rules that cannot all hold together, each target, the award rules and the suggested
fixes), "Targets" (one row per target the explanation relaxed alone: asked, the best the others
allow, the change needed, what relaxing it alone does, whether it is in the conflicting set
and the explanation's own sentence), "Conflict" (the rules that cannot all hold together),
"Needs" (each need's volume and own targets), "Vendors left out" (with the reason) and
"Assumptions" (as the plan's pack, without the figures a plan would have).
Each sheet is one plain table, written as `procure.reports.xlsx_pack` writes its own.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment

from procure.reports.xlsx_pack import (
    ASSUMPTION_COLUMNS,
    NEED_TARGET_FORMATS,
    assumption_rows,
    cell_value,
    export_pack,
    need_target_columns,
    write_sheet_table,
)

NO_PLAN_SHEETS = ("No plan", "Targets", "Conflict", "Needs", "Vendors left out", "Assumptions")
NO_PLAN = (
    "No plan meets every target. This pack therefore holds no allocation: no vendor is given "
    "work until the targets are changed and the scenario is solved again."
)
NO_FIX = "None: the needs and vendors may have to change, not only the targets."
TARGET_FORMATS = {
    "budget": "money",
    "min_avg_impact": "number",
    "min_avg_quality": "ratio4",
    "min_impact_worker_hours": "integer",
    "min_impact_spend_share": "percent",
    "max_vendor_spend_share": "percent",
}
"""Each target's figures as the board PDF prints them (dollars, points, a 0–1 quality, hours,
shares in per cent); a target not named here as a plain number."""
TARGET_COLUMNS = [
    ("Target", None),
    ("Asked", None),
    ("Best the others allow", None),
    ("Change needed", None),
    ("Relaxing it alone", None),
    ("In the conflicting set", None),
    ("The explanation says", None),
    ("Target key", None),
]
TARGETS_NOTE = (
    "Each target relaxed alone, with the others held: “best the others allow” is the figure "
    "that target could be set to for a plan to exist, and the change needed is that figure "
    "less the one asked, in the target's unit. “In the conflicting set”: the target is one of "
    "the rules that cannot all hold together (the Conflict sheet)."
)
CONFLICT_COLUMNS = [("Rule", None), ("Kind", None)]
CONFLICT_NOTE = (
    "One set of rules that cannot all hold together, as the solver found it in the problem "
    "without its whole-number rules: without any one of them, the others can."
)
LEFT_OUT_COLUMNS = [("Vendor", None), ("Vendor id", None), ("Reason", None)]
NEED_COLUMNS = [("Need", None), ("Need id", None), ("Unit", None), ("Volume needed", "number")]
PLAN_SECTIONS = frozenset({"KPI", "Impact", "Comparison", "Target"})
"""Assumption rows about a plan's figures: an infeasible scenario has none."""


def _summary_rows(context: dict, why: dict) -> list[list[Any]]:
    """The first sheet: that there is no plan, and why, in the order the board PDF says it."""
    rows: list[list[Any]] = [
        ["Scenario", (context.get("scenario") or {}).get("name")],
        ["Outcome", NO_PLAN],
        ["Why", why.get("summary")],
    ]
    conflict = why.get("conflict") or []
    rows += [["Cannot all hold together", member["rule"]] for member in conflict]
    if not conflict and why.get("conflict_note"):
        rows.append(["Cannot all hold together", why["conflict_note"]])
    rows += [
        [
            "Target",
            f"{row['label']}: asked {row['asked']}, the best the others allow "
            f"{row['reachable']}; relaxing it alone {row['relaxing_alone']}",
        ]
        for row in why.get("targets") or []
    ]
    rows += [["Award rule", rule] for rule in why.get("rules") or []]
    rows += [["Suggested fix", fix] for fix in why.get("fixes") or [NO_FIX]]
    left_out = why.get("left_out") or []
    if left_out:
        rows.append(
            [
                "Vendors left out",
                f"{len(left_out)} not in the problem, so their capacity and prices were not "
                "available to a plan (the Vendors left out sheet)",
            ]
        )
    return rows


def _need_table(needs: list[dict]) -> tuple[list[tuple[str, str | None]], list[list[Any]]]:
    """Each need's volume asked for and its own targets (nothing was placed: no figures)."""
    target_columns = need_target_columns(needs)
    columns = NEED_COLUMNS + [
        (f"{label}: target", NEED_TARGET_FORMATS[field]) for field, label in target_columns
    ]
    rows = []
    for need in needs:
        targets = {t["field"]: t.get("target") for t in need.get("targets") or []}
        rows.append(
            [need.get("need"), need.get("need_id"), need.get("unit"), need.get("volume_needed")]
            + [targets.get(field) for field, _ in target_columns]
        )
    return columns, rows


def export_no_plan_pack(context: dict) -> bytes:
    """The XLSX workbook (bytes) of an infeasible scenario's report context (the same dict as
    `render_board_pdf`, its `infeasibility` set)."""
    why = context["infeasibility"]
    workbook = Workbook()
    workbook.properties.creator = "impact-procure"
    workbook.properties.title = str(
        cell_value((context.get("scenario") or {}).get("name")) or "Scenario"
    )[:200]

    sheet = workbook.active
    sheet.title = "No plan"
    write_sheet_table(sheet, [("Section", None), ("Text", None)], _summary_rows(context, why))

    targets = list(why.get("targets") or [])
    sheet = workbook.create_sheet("Targets")
    write_sheet_table(
        sheet,
        TARGET_COLUMNS,
        [
            [
                row["label"],
                row["target"],
                row["limit"],
                row["change"],
                row["relaxing_alone"],
                row["conflicting"],
                row["sentence"],
                row["name"],
            ]
            for row in targets
        ],
        row_formats=[TARGET_FORMATS.get(row["name"], "ratio4") for row in targets],
    )
    sheet.cell(row=1, column=1).comment = Comment(
        TARGETS_NOTE, "impact-procure", width=360, height=140
    )

    sheet = workbook.create_sheet("Conflict")
    conflict = why.get("conflict") or []
    write_sheet_table(
        sheet,
        CONFLICT_COLUMNS,
        [[member["rule"], member["kind"]] for member in conflict]
        or ([[why["conflict_note"], None]] if why.get("conflict_note") else []),
    )
    sheet.cell(row=1, column=1).comment = Comment(
        CONFLICT_NOTE, "impact-procure", width=320, height=100
    )

    write_sheet_table(workbook.create_sheet("Needs"), *_need_table(context.get("needs") or []))
    write_sheet_table(
        workbook.create_sheet("Vendors left out"),
        LEFT_OUT_COLUMNS,
        [
            [entry["vendor"], entry["vendor_id"], entry["reason"]]
            for entry in why.get("left_out") or []
        ],
    )
    write_sheet_table(
        workbook.create_sheet("Assumptions"),
        ASSUMPTION_COLUMNS,
        [row for row in assumption_rows(context) if row[0] not in PLAN_SECTIONS],
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_scenario_pack(context: dict) -> bytes:
    """A scenario's XLSX pack: its plan's (`export_pack`), or why it has none."""
    return export_no_plan_pack(context) if context.get("infeasibility") else export_pack(context)
