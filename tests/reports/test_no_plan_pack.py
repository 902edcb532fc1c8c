"""The XLSX pack of an infeasible scenario, from a hand-made report context: the paths a solve
in the app rarely takes (no conflicting set found, no fix, a time limit, a share target), and
text escaped as in the plan's pack."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from procure.reports.no_plan_pack import NO_FIX, NO_PLAN_SHEETS, export_scenario_pack
from procure.reports.xlsx_pack import SHEETS
from tests.reports.sample_context import sample_context


def _context() -> dict:
    return {
        "organization": "Acme",
        "scenario": {"name": "No way", "status": "infeasible"},
        "needs": [],
        "infeasibility": {
            "summary": "The minimum orders and vendor-count limits cannot all hold together.",
            "lines": [],
            "fixes": [],
            "targets": [
                {
                    "name": "max_vendor_spend_share",
                    "label": "Largest share of spend per vendor (0–1)",
                    "asked": "30%",
                    "reachable": "—",
                    "target": 0.3,
                    "limit": None,
                    "change": None,
                    "fix": None,
                    "feasible_if_relaxed": None,
                    "relaxing_alone": "unknown (the solver's time ran out)",
                    "conflicting": False,
                    "sentence": None,
                }
            ],
            "conflict": [],
            "conflict_note": "HiGHS found no conflicting rows.",
            "rules": [],
            "left_out": [{"vendor": "=HYPERLINK(1)", "vendor_id": 7, "reason": "no rate card"}],
        },
    }


def test_without_a_conflicting_set_or_a_fix_the_pack_says_so():
    workbook = load_workbook(io.BytesIO(export_scenario_pack(_context())))
    assert workbook.sheetnames == list(NO_PLAN_SHEETS)
    summary = dict(workbook["No plan"].iter_rows(min_row=2, values_only=True))
    assert summary["Cannot all hold together"] == "HiGHS found no conflicting rows."
    assert summary["Suggested fix"] == NO_FIX
    assert list(workbook["Conflict"].iter_rows(min_row=2, values_only=True)) == [
        ("HiGHS found no conflicting rows.", None)
    ]
    targets = workbook["Targets"]
    assert [cell.value for cell in targets[2]][:6] == [
        "Largest share of spend per vendor (0–1)",
        0.3,
        None,
        None,
        "unknown (the solver's time ran out)",
        "no",
    ]
    assert targets["B2"].number_format == "0.0%"  # 30.0 %, as the PDF's "30%"
    # a formula-like vendor name is text no spreadsheet runs
    assert workbook["Vendors left out"]["A2"].value == "'=HYPERLINK(1)"


def test_a_plan_context_makes_the_plans_pack():
    workbook = load_workbook(io.BytesIO(export_scenario_pack(sample_context())))
    assert workbook.sheetnames == list(SHEETS)
