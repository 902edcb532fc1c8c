"""Per-vendor totals, computed once for the board report and the analyst pack: the impact
average leaves work without a score out (the board report used to count it as 0)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from procure.reports.allocation_totals import IMPACT_AVERAGE_RULE, impact_average, vendor_totals
from procure.reports.board_pdf import render_board_html, report_view
from procure.reports.xlsx_pack import export_pack
from tests.reports.sample_context import sample_context


def _line(need_id, vendor_id, vendor, volume, cost, impact_score):
    return {
        "need_id": need_id,
        "need": f"Need {need_id}",
        "vendor_id": vendor_id,
        "vendor": vendor,
        "volume": volume,
        "cost": cost,
        "impact_score": impact_score,
    }


ALLOCATIONS = [
    _line("N1", "V1", "Alpha", 100.0, 800.0, 60.0),
    _line("N2", "V1", "Alpha", 300.0, 1800.0, None),  # this line of Alpha's has no score
    _line("N1", "V2", "Beta", 200.0, 1200.0, 40.0),
    _line("N2", "V3", "Gamma", 50.0, 100.0, None),  # Gamma has no score at all
]


def test_vendor_totals_by_hand():
    rows = vendor_totals(ALLOCATIONS)
    # total cost 800 + 1,800 + 1,200 + 100 = 3,900
    assert [(row["vendor"], row["cost"], row["needs"], row["volume"]) for row in rows] == [
        ("Alpha", 2600.0, 2, 400.0),
        ("Beta", 1200.0, 1, 200.0),
        ("Gamma", 100.0, 1, 50.0),
    ]
    assert [row["share_of_cost"] for row in rows] == pytest.approx(
        [2600 / 3900, 1200 / 3900, 100 / 3900]
    )
    # Alpha: only the 100 scored units count, 60 x 100 / 100 = 60 (counting the other 300 as 0
    # gave 15)
    assert [row["impact_score"] for row in rows] == [60.0, 40.0, None]


def test_impact_average_weights_by_volume_and_skips_unscored_work():
    assert impact_average(ALLOCATIONS) == pytest.approx(
        (60 * 100 + 40 * 200) / 300
    )  # 46.67, not 14000 / 650
    assert impact_average(ALLOCATIONS[1:2]) is None
    assert (
        impact_average([_line("N1", "V1", "Alpha", 0.0, 0.0, 50.0)]) is None
    )  # no volume, no average
    assert impact_average([]) is None


def test_a_plan_that_costs_nothing_has_no_shares():
    rows = vendor_totals([_line("N1", "V1", "Alpha", 10.0, 0.0, 50.0)])
    assert rows[0]["share_of_cost"] is None and rows[0]["impact_score"] == 50.0


def _context_with_unscored_lines() -> dict:
    context = sample_context(20, 4)
    by_vendor: dict[str, list[dict]] = {}
    for allocation in context["allocations"]:
        by_vendor.setdefault(allocation["vendor_id"], []).append(allocation)
    for lines in by_vendor.values():  # one line of each vendor that has two or more loses its score
        if len(lines) > 1:
            lines[-1]["impact_score"] = None
    by_vendor[sorted(by_vendor)[-1]][0]["impact_score"] = None  # and a vendor has none at all
    return context


def test_the_board_report_and_the_pack_print_the_same_vendor_figures():
    context = _context_with_unscored_lines()
    expected = {row["vendor"]: row for row in vendor_totals(context["allocations"])}
    assert any(row["impact_score"] is None for row in expected.values())
    view = report_view(context, include_charts=False)
    board = {row["vendor"]: row for row in view["vendors"]}
    scores = pd.read_excel(io.BytesIO(export_pack(context)), sheet_name="Scores").set_index(
        "Vendor"
    )
    assert set(board) == set(scores.index) == set(expected)
    for vendor, row in expected.items():
        assert board[vendor]["impact_score"] == row["impact_score"]
        assert board[vendor]["cost"] == scores.loc[vendor, "Cost"] == row["cost"]
        if row["impact_score"] is None:
            assert pd.isna(scores.loc[vendor, "Impact score"])
        else:
            assert scores.loc[vendor, "Impact score"] == pytest.approx(row["impact_score"])


def test_the_folded_others_line_averages_by_the_same_rule():
    context = _context_with_unscored_lines()
    view = report_view(context, include_charts=False)
    others = view["vendor_rows"][-1]
    assert others["others"] and others["vendor"] == "Others (5 vendors)"  # 20 vendors, 15 shown
    folded = {row["vendor_id"] for row in view["vendors"][15:]}
    assert others["impact_score"] == pytest.approx(
        impact_average(a for a in context["allocations"] if a["vendor_id"] in folded)
    )
    assert others["share_of_cost"] == pytest.approx(
        sum(row["share_of_cost"] for row in view["vendors"][15:])
    )


def test_the_rule_is_said_where_the_impact_columns_are_labelled():
    context = _context_with_unscored_lines()
    assert IMPACT_AVERAGE_RULE in " ".join(render_board_html(context).split())
    scores = load_workbook(io.BytesIO(export_pack(context)))["Scores"]
    header = next(cell for cell in scores[1] if cell.value == "Impact score")
    assert header.comment is not None and header.comment.text == IMPACT_AVERAGE_RULE
