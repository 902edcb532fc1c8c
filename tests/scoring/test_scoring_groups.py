"""Beneficiary groups in metric formulas (issue #20): the impact workers at period end by group,
named as the disclosure's categories, are optional columns of the vendor table that formulas
read; the standard metrics of config/metrics.toml (one per group) are ready to add to a
catalog and are not in the default one, so no default score moves."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from scoring import (
    TableError,
    add_metric,
    load_standard_metrics,
    profile_from_dict,
    read_vendor_table,
    score_table,
    validate_vendor_table,
)
from scoring.catalog import CatalogError
from scoring.contract import FORMULA_FIELDS, GROUP_COLUMNS, TABLE_COLUMNS
from tests.scoring.conftest import CONFIG

GROUPS = [
    "long_term_unemployed",
    "below_poverty_line",
    "refugee_or_displaced",
    "disability",
    "youth_neet",
    "women_low_participation",
]
REFUGEE_SHARE = {
    "key": "refugee_share",
    "label": "Refugees as a share of headcount",
    "formula": "refugee_or_displaced / headcount_end",
    "unit": "ratio",
    "direction": "higher",
    "goalposts": [0.0, 0.25],
    "section": "workforce",
    "source": "test",
}


def _with_groups(make_table, vendor_row, **groups: list[object]) -> pd.DataFrame:
    """Three golden-like vendors (headcount 100 at the end), with group columns given."""
    return make_table(vendor_row("V1"), vendor_row("V2"), vendor_row("V3")).assign(**groups)


def test_each_group_is_a_formula_field_named_as_the_disclosure_names_it():
    assert list(GROUP_COLUMNS) == GROUPS
    assert set(GROUPS) <= FORMULA_FIELDS
    assert "other" not in FORMULA_FIELDS  # its meaning is each vendor's own label


def test_a_custom_group_metric_scores_the_hand_checked_value(
    catalog, profile, make_table, vendor_row
):
    # headcount_end 100 each: V1 20 refugees -> 0.20 -> n = 0.20 / 0.25 = 0.8;
    # V2 40 -> 0.40 -> n = 1 (capped); V3 left empty -> not disclosed, n = 0
    mine = add_metric(catalog, REFUGEE_SHARE)
    table = _with_groups(make_table, vendor_row, refugee_or_displaced=[20, 40, math.nan])
    result = score_table(table, mine, profile)
    values = result.metric_values["refugee_share"]
    assert values["V1"] == pytest.approx(0.20) and values["V2"] == pytest.approx(0.40)
    assert math.isnan(values["V3"])
    assert result.normalised["refugee_share"].tolist()[:2] == pytest.approx([0.8, 1.0])
    rows = result.explanation.set_index(["vendor_id", "metric"])
    assert rows.loc[("V3", "refugee_share"), "missing_reason"] == (
        "Not disclosed: Refugees or displaced people"
    )
    assert pd.isna(rows.loc[("V1", "refugee_share"), "missing_reason"])


def test_if_missing_scores_a_group_left_empty_as_the_formula_says(
    catalog, profile, make_table, vendor_row
):
    # V3's empty count read as 0: 0 / 100 = 0.0, a known value with no reason
    mine = add_metric(
        catalog,
        REFUGEE_SHARE | {"formula": "if_missing(refugee_or_displaced, 0) / headcount_end"},
    )
    table = _with_groups(make_table, vendor_row, refugee_or_displaced=[20, 40, math.nan])
    result = score_table(table, mine, profile)
    assert result.metric_values["refugee_share"].tolist() == pytest.approx([0.2, 0.4, 0.0])
    lines = result.explanation[result.explanation["metric"] == "refugee_share"]
    assert lines["missing_reason"].isna().all() and not lines["not_disclosed"].any()


def test_a_table_without_group_columns_reads_them_as_not_disclosed(
    catalog, profile, make_table, vendor_row
):
    mine = add_metric(catalog, REFUGEE_SHARE)
    table = make_table(vendor_row("V1"))
    checked = validate_vendor_table(table)
    assert list(checked.columns) == list(TABLE_COLUMNS)  # nothing added
    result = score_table(table, mine, profile)
    assert math.isnan(result.metric_values.loc["V1", "refugee_share"])


def test_group_columns_do_not_move_a_default_score(golden_table, catalog, profile):
    # the golden vendors scored with and without their group counts: the same totals
    plain = score_table(golden_table(), catalog, profile).scores
    counted = golden_table().assign(
        refugee_or_displaced=[5, 0, 10, 3], youth_neet=[1, 2, 3, 4], disability=math.nan
    )
    with_groups = score_table(counted, catalog, profile)
    assert with_groups.vendors["refugee_or_displaced"].tolist() == [5, 0, 10, 3]  # read, kept
    pd.testing.assert_frame_equal(with_groups.scores, plain)
    assert list(with_groups.metric_values.columns) == list(catalog.keys)


def test_a_bad_group_count_is_refused_naming_its_cell(make_table, vendor_row):
    table = make_table(vendor_row("V1"), vendor_row("V2")).assign(youth_neet=[3, -1])
    with pytest.raises(TableError, match=r"row 3, youth_neet: must not be negative"):
        validate_vendor_table(table)


def test_a_csv_with_a_group_column_keeps_it(make_table, vendor_row):
    text = (
        make_table(vendor_row("V1"), vendor_row("V2"))
        .assign(disability=[2, ""])
        .to_csv(index=False)
    )
    checked = read_vendor_table(io.StringIO(text))
    assert list(checked.columns) == [*TABLE_COLUMNS, "disability"]
    assert checked["disability"].iloc[0] == 2.0 and math.isnan(checked["disability"].iloc[1])


def test_the_standard_group_metrics_are_outside_the_default_catalog(catalog, profile):
    standard = load_standard_metrics(CONFIG / "metrics.toml")
    assert list(standard.keys) == [f"{group}_share" for group in GROUPS]
    assert not set(standard.keys) & set(catalog.keys)
    assert len(catalog) == 8 and set(profile.metric_weights) <= set(catalog.keys)
    for metric in standard:
        group = metric.key.removesuffix("_share")
        assert metric.formula.text == f"{group} / headcount_end"
        assert (metric.direction, metric.goalposts, metric.section) == (
            "higher",
            (0.0, 0.25),
            "workforce",
        )


def test_a_standard_group_metric_weighed_in_a_profile_scores_a_demo_like_vendor(
    catalog, profile, make_table, vendor_row
):
    # A demo-like vendor: 200 employees at the end, 50 refugees or displaced people.
    # refugee_or_displaced_share = 50 / 200 = 0.25 -> n = 0.25 / 0.25 = 1.0.
    # With all the impact weight on it (third_party_reasonable: factor 1), impact = 1.0, and
    # the total = 100 x (0.45 x 1.0 + 0.30 x cost 1.0 + 0.25 x quality 0.75) = 93.75
    # (quality 0.95 -> (0.95 - 0.8) / 0.2 = 0.75).
    standard = load_standard_metrics(CONFIG / "metrics.toml")
    mine = add_metric(catalog, standard["refugee_or_displaced_share"].to_dict())
    settings = profile.to_dict() | {"metric_weights": {"refugee_or_displaced_share": 1.0}}
    weighed = profile_from_dict(settings, mine)
    table = make_table(vendor_row("V1", headcount_start=180, headcount_end=200)).assign(
        refugee_or_displaced=[50]
    )
    result = score_table(table, mine, weighed)
    assert result.metric_values.loc["V1", "refugee_or_displaced_share"] == pytest.approx(0.25)
    assert result.scores.loc["V1", "impact"] == pytest.approx(1.0)
    assert result.scores.loc["V1", "total"] == pytest.approx(93.75)


def test_a_standard_metric_with_a_key_of_the_catalog_is_refused(tmp_path):
    text = (CONFIG / "metrics.toml").read_text(encoding="utf-8")
    clash = text.replace('key = "disability_share"', 'key = "impact_worker_share"')
    (tmp_path / "metrics.toml").write_text(clash, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"standard_metrics\[3\]\.key: 'impact_worker_share'"):
        load_standard_metrics(tmp_path / "metrics.toml")
