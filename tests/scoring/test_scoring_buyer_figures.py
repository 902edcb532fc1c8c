"""The buyer's own figures in the vendor table (scoring.contract.BUYER_COLUMNS): delivery
reliability is an optional, checked column that formulas read; where it is empty the value is
unknown, scores 0 like any missing figure, and the explanation says why in words."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from scoring import catalog_from_dict, read_vendor_table, score_table
from scoring.contract import NO_DELIVERIES, TABLE_COLUMNS
from scoring.errors import TableError

RELIABILITY = {
    "key": "reliability",
    "label": "Delivery reliability",
    "formula": "delivery_reliability",
    "unit": "ratio",
    "direction": "higher",
    "goalposts": [0.5, 1.0],
    "section": "workforce",
    "source": "test",
}
PER_WORKER = {  # reliability times a disclosed figure: both reasons at once
    **RELIABILITY,
    "key": "reliable_training",
    "formula": "delivery_reliability * training_hours_impact_workers",
    "goalposts": [0, 1000],
}


def _catalog(catalog, *metrics):
    data = catalog.to_dict()
    data["metrics"].extend(metrics)
    return catalog_from_dict(data)


def test_the_column_is_optional_and_checked(make_table, vendor_row):
    table = make_table(vendor_row("A"), vendor_row("B"))
    checked = read_vendor_table(io.StringIO(table.to_csv(index=False)))
    assert list(checked.columns) == list(TABLE_COLUMNS)
    assert checked["delivery_reliability"].isna().all()  # absent: unknown for every vendor
    table["delivery_reliability"] = ["1.05", "-1"]
    with pytest.raises(TableError) as raised:
        read_vendor_table(io.StringIO(table.to_csv(index=False)))
    assert [(e.row, e.column, e.message) for e in raised.value.errors] == [
        (3, "delivery_reliability", "must not be negative")
    ]
    table["delivery_reliability"] = ["1.05", "often"]
    with pytest.raises(TableError) as raised:
        read_vendor_table(io.StringIO(table.to_csv(index=False)))
    assert [e.message for e in raised.value.errors] == ["must be a number, got 'often'"]


def test_reliability_scores_by_hand_and_its_absence_is_explained(
    make_table, vendor_row, catalog, profile
):
    """Goalposts 0.5 to 1: A at 0.9 scores (0.9 − 0.5) / (1 − 0.5) = 0.8; B at 1.05 is clipped
    to 1; C has no deliveries (NaN): no value, 0, and the reason in words."""
    metrics = _catalog(catalog, RELIABILITY, PER_WORKER)
    table = make_table(
        vendor_row("A"), vendor_row("B"), vendor_row("C", training_hours_impact_workers=math.nan)
    )
    table["delivery_reliability"] = [0.9, 1.05, math.nan]
    result = score_table(table, metrics, profile)
    assert result.metric_values["reliability"].tolist()[:2] == [0.9, 1.05]
    assert math.isnan(result.metric_values.loc["C", "reliability"])
    explained = result.explanation.set_index(["vendor_id", "metric"])
    assert explained.loc[("A", "reliability"), "normalised"] == pytest.approx(0.8)
    assert explained.loc[("B", "reliability"), "normalised"] == 1.0
    assert explained.loc[("C", "reliability"), "normalised"] == 0.0
    assert explained.loc[("C", "reliability"), "missing_reason"] == NO_DELIVERIES
    assert explained.loc[("C", "reliable_training"), "missing_reason"] == (
        "Not disclosed: Training hours, impact workers; no deliveries recorded yet against your "
        "approved plans that hold this vendor, so its delivery reliability (delivered / "
        "allocated work) is unknown and scores 0"
    )
    assert pd.isna(explained.loc[("A", "reliability"), "missing_reason"])
