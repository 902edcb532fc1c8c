"""The XLSX pack: four plain tables that read back through pandas, numbers as numbers, text
escaped."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from procure.reports.xlsx_pack import SHEETS, export_pack
from tests.reports.sample_context import sample_context


def read(pack: bytes, sheet: str) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(pack), sheet_name=sheet, engine="openpyxl")


@pytest.fixture(scope="module")
def sample():
    return sample_context()


@pytest.fixture(scope="module")
def pack(sample):
    return export_pack(sample)


def test_the_pack_has_five_sheets_with_their_headers(pack, sample):
    workbook = load_workbook(io.BytesIO(pack))
    assert (
        workbook.sheetnames
        == ["Allocations", "Needs", "Scores", "Comparison", "Assumptions"]
        == list(SHEETS)
    )
    headers = {name: [cell.value for cell in workbook[name][1]] for name in workbook.sheetnames}
    assert headers["Allocations"] == [
        "Need",
        "Vendor",
        "Volume",
        "Unit",
        "Price per unit",
        "Cost",
        "Impact score",
        "Need id",
        "Vendor id",
        "Hours per unit",
        "Labour hours",
        "Original price",
        "Currency",
        "Rate (USD per unit of currency)",
        "Rate date",
    ]
    assert headers["Scores"] == [
        "Vendor",
        "Impact score",
        "Cost",
        "Share of cost",
        "Needs served",
        "Volume",
        "Share of volume",
        "Impact-worker share",
        "Impact-worker hours",
        "Living-wage ratio",
        "Labour hours",
        "Share of labour hours",
    ]
    assert headers["Comparison"] == ["Measure"] + sample["comparison"]["scenarios"]
    assert headers["Assumptions"] == ["Section", "Item", "Value", "Detail"]


def test_allocations_round_trip_with_numbers_equal(pack, sample):
    frame = read(pack, "Allocations")
    assert len(frame) == len(sample["allocations"])
    for row, allocation in zip(frame.to_dict("records"), sample["allocations"], strict=True):
        assert (row["Need"], row["Vendor"], row["Unit"]) == (
            allocation["need"],
            allocation["vendor"],
            allocation["unit"],
        )
        assert (row["Volume"], row["Price per unit"], row["Cost"], row["Impact score"]) == (
            allocation["volume"],
            allocation["price"],
            allocation["cost"],
            allocation["impact_score"],
        )
    assert frame["Cost"].sum() == pytest.approx(
        sample["kpis"][0]["value"], abs=0.005
    )  # the Total cost KPI


def test_scores_give_each_vendor_its_cost_and_impact_figures(pack, sample):
    frame = read(pack, "Scores").set_index("Vendor")
    by_vendor = {row["vendor"]: row for row in sample["impact"]["by_vendor"]}
    assert set(frame.index) == set(by_vendor)
    vendor = sample["allocations"][0]["vendor"]
    lines = [a for a in sample["allocations"] if a["vendor"] == vendor]
    assert frame.loc[vendor, "Cost"] == pytest.approx(sum(a["cost"] for a in lines))
    assert frame.loc[vendor, "Needs served"] == len({a["need"] for a in lines})
    assert frame.loc[vendor, "Impact score"] == pytest.approx(
        lines[0]["impact_score"]
    )  # one score per vendor
    for name, row in by_vendor.items():
        assert frame.loc[name, "Impact-worker hours"] == row["impact_worker_hours"]
        assert frame.loc[name, "Living-wage ratio"] == row["living_wage_ratio"]
        assert frame.loc[name, "Share of volume"] == row["share_of_volume"]
    assert frame["Share of cost"].sum() == pytest.approx(1.0)
    assert list(frame["Cost"]) == sorted(frame["Cost"], reverse=True)  # largest first


def test_comparison_keeps_one_column_per_scenario_and_its_formats(pack, sample):
    frame = read(pack, "Comparison")
    assert list(frame["Measure"]) == [row["label"] for row in sample["comparison"]["rows"]]
    for index, name in enumerate(sample["comparison"]["scenarios"]):
        assert list(frame[name]) == [row["values"][index] for row in sample["comparison"]["rows"]]
    sheet = load_workbook(io.BytesIO(pack))["Comparison"]
    assert sheet["B2"].number_format == '"$"#,##0.00'  # Total cost: money
    assert sheet["B3"].number_format == "0.0%"  # Cost premium: percent
    assert sheet["C1"].fill.fgColor.rgb.endswith("E6F4F2")  # the chosen scenario's column is tinted


def test_assumptions_hold_weights_targets_and_sources_as_values(pack, sample):
    frame = read(pack, "Assumptions")
    value = {
        (r["Section"], r["Item"]): r["Value"]
        for r in frame.to_dict("records")
        if isinstance(r["Item"], str)
    }
    assert value[("Pillar weight", "impact")] == 0.45
    assert value[("Evidence factor", "buyer_verified")] == 0.85
    assert value[("Scenario", "Name")] == sample["scenario"]["name"]
    assert value[("Scenario", "Approved by")] == "Jonas Lindqvist"
    binding = sample["constraints"][0]
    assert (
        value[("Target", binding["label"])] == binding["shadow_price"]
    )  # a negative number, not text
    for metric in sample["method"]["metrics"]:
        assert value[("Metric weight", metric["label"])] == metric["weight"]
    sources = frame.loc[frame["Section"] == "Source", "Value"].tolist()
    assert sources == sample["method"]["sources"]


def test_formula_looking_text_is_escaped_and_never_a_formula():
    context = sample_context(6, 2)
    context["allocations"][0]["vendor"] = '=HYPERLINK("x")'
    context["allocations"][1]["need"] = "+1 555 0100"
    context["allocations"][2]["vendor"] = "-2+3"
    context["allocations"][3]["vendor"] = "@SUM(A1:A9)"
    context["allocations"][4]["unit"] = "\x00=cmd|' /C calc'!A0"  # a control character first
    context["comparison"]["scenarios"][0] = "=1+1"
    context["comparison"]["rows"].append(
        {
            "label": "Binding targets",
            "format": "text",
            "values": [[], ["=budget"], ["Average impact", "Budget"]],
        }
    )
    context["organization"] = "<script>alert(1)</script> & Co"
    pack = export_pack(context)

    allocations = read(pack, "Allocations")
    assert allocations.loc[0, "Vendor"] == '\'=HYPERLINK("x")'
    assert allocations.loc[1, "Need"] == "'+1 555 0100"
    assert allocations.loc[2, "Vendor"] == "'-2+3"
    assert allocations.loc[3, "Vendor"] == "'@SUM(A1:A9)"
    assert allocations.loc[4, "Unit"] == "'=cmd|' /C calc'!A0"
    comparison = read(pack, "Comparison")
    assert "'=1+1" in comparison.columns
    binding = comparison.iloc[-1].tolist()
    assert binding[0] == "Binding targets" and pd.isna(binding[1])
    assert binding[2:] == ["'=budget", "Average impact, Budget"]
    assert ("Report", "Organization", "<script>alert(1)</script> & Co") in {
        (r["Section"], r["Item"], r["Value"]) for r in read(pack, "Assumptions").to_dict("records")
    }

    workbook = load_workbook(io.BytesIO(pack))
    kinds = {cell.data_type for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert "f" not in kinds  # no cell anywhere is a formula
    numbers = [
        cell.value
        for row in workbook["Allocations"].iter_rows(min_row=2, min_col=6, max_col=6)
        for cell in row
    ]
    assert numbers and all(
        isinstance(number, (int, float)) for number in numbers
    )  # costs stay numbers


def test_an_empty_context_gives_empty_tables():
    pack = export_pack({"scenario": {"name": "Bare"}})
    assert load_workbook(io.BytesIO(pack)).sheetnames == list(SHEETS)
    assert (
        read(pack, "Allocations").empty
        and read(pack, "Needs").empty
        and read(pack, "Scores").empty
        and read(pack, "Comparison").empty
    )


def test_two_vendors_of_one_name_are_two_score_rows():
    context = sample_context(6, 2)
    vendors = sorted({a["vendor_id"] for a in context["allocations"]})[:2]
    for row in context["allocations"] + context["impact"]["by_vendor"]:
        if row["vendor_id"] in vendors:
            row["vendor"] = "Same Name Ltd"
    scores = read(export_pack(context), "Scores")
    same = scores[scores["Vendor"] == "Same Name Ltd"]
    assert len(same) == 2 and len(scores) == 6
    assert sorted(same["Cost"]) == pytest.approx(
        sorted(
            sum(a["cost"] for a in context["allocations"] if a["vendor_id"] == vendor)
            for vendor in vendors
        )
    )
    assert set(same["Impact-worker hours"]) == {
        row["impact_worker_hours"]
        for row in context["impact"]["by_vendor"]
        if row["vendor_id"] in vendors
    }


# ------------------------------------------------------------------ the Needs sheet


def _needs_context(in_hours: bool = True) -> dict:
    """Two needs as `board_context` gives them: an hourly one with an impact target that binds
    and a vendor share that does not, and an item one with an impact spend share target."""
    return {
        "scenario": {"name": "Mixed"},
        "impact": {
            "labour_hours": 1400.0 if in_hours else None,
            "impact_worker_hours": 550.0,
            "fte_jobs": 550.0 / 2080,
        },
        "totals": {"cost": 8600.0, "avg_impact": 52.5, "avg_quality": 0.93},
        "needs": [
            {
                "need_id": "N1",
                "need": "Annotation",
                "unit": "hour",
                "volume": 1000.0,
                "labour_hours": 1000.0 if in_hours else None,
                "cost": 7000.0,
                "impact_worker_hours": 400.0,
                "jobs": 400.0 / 2080,
                "avg_impact": 55.0,
                "avg_quality": 0.92,
                "targets": [
                    {
                        "field": "min_avg_impact",
                        "label": "Minimum average impact",
                        "target": 55.0,
                        "achieved": 55.0,
                        "binding": True,
                    },
                    {
                        "field": "max_vendor_share",
                        "label": "Largest vendor share",
                        "target": 0.8,
                        "achieved": 0.6,
                        "binding": False,
                    },
                ],
            },
            {
                "need_id": "N2",
                "need": "=Invoices",
                "unit": "item",
                "volume": 10000.0,
                "labour_hours": 400.0 if in_hours else None,
                "cost": 1600.0,
                "impact_worker_hours": 150.0,
                "jobs": 150.0 / 2080,
                "avg_impact": 46.25,
                "avg_quality": 0.955,
                "targets": [
                    {
                        "field": "min_impact_spend_share",
                        "label": "Minimum impact spend share",
                        "target": 0.5,
                        "achieved": 0.75,
                        "binding": False,
                    }
                ],
            },
        ],
    }


def test_the_needs_sheet_has_a_row_per_need_with_its_own_targets_then_the_totals():
    pack = export_pack(_needs_context())
    frame = read(pack, "Needs")
    assert list(frame.columns) == [
        "Need",
        "Need id",
        "Unit",
        "Volume",
        "Labour hours",
        "Cost",
        "Impact-worker hours",
        "Full-time jobs",
        "Average impact",
        "Average quality",
        "Averages weighted by",
        # only the targets some need sets, in one fixed order
        "Minimum average impact: target",
        "Minimum average impact: achieved",
        "Minimum average impact: binds",
        "Largest vendor share: target",
        "Largest vendor share: achieved",
        "Largest vendor share: binds",
        "Minimum impact spend share: target",
        "Minimum impact spend share: achieved",
        "Minimum impact spend share: binds",
    ]
    rows = frame.to_dict("records")
    assert [r["Need"] for r in rows] == ["Annotation", "'=Invoices", "All needs"]
    assert [r["Unit"] for r in rows[:2]] == ["hour", "item"]
    assert [r["Volume"] for r in rows[:2]] == [1000.0, 10000.0]
    first, second, total = rows
    assert (first["Minimum average impact: target"], first["Minimum average impact: binds"]) == (
        55.0,
        "yes",
    )
    assert first["Largest vendor share: achieved"] == 0.6
    assert first["Largest vendor share: binds"] == "no"
    assert pd.isna(first["Minimum impact spend share: target"])  # not a target of this need
    assert second["Minimum impact spend share: achieved"] == 0.75
    # the totals row: the plan's own figures; 1,000 hours and 10,000 items have no sum
    assert pd.isna(total["Volume"]) and pd.isna(total["Unit"])
    assert (total["Labour hours"], total["Impact-worker hours"], total["Cost"]) == (
        1400.0,
        550.0,
        8600.0,
    )
    assert total["Full-time jobs"] == 550.0 / 2080
    assert set(frame["Averages weighted by"]) == {"labour hours"}
    sheet = load_workbook(io.BytesIO(pack))["Needs"]
    assert sheet["J2"].number_format == "0.0%"  # average quality: a percent
    assert "labour hours" in sheet["A1"].comment.text


def test_the_needs_sheet_of_a_version_1_scenario_says_it_weighs_volume():
    frame = read(export_pack(_needs_context(in_hours=False)), "Needs")
    assert frame["Labour hours"].isna().all()
    assert set(frame["Averages weighted by"]) == {
        "volume (solved before labour hours were counted)"
    }
