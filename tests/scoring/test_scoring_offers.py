"""Every offer priced once: the offer a vendor is scored on, and the cost pillar against the
lowest price of all offers of its category and unit.

Golden case (prices in US dollars per unit; q = offer quality; p = cost pillar):

  V1 annotation per hour 20.00 q .95 (its first offer)
  V1 annotation per hour 16.00 q .90 (a second, cheaper one)
  V2 annotation per hour 18.00 q 1.0
  V2 annotation per item  0.50 q .85
  V3 annotation per item  0.40 q .90
  V3 support    per hour 10.00 q .95
  V4 annotation per hour 12.80 q .85 (V4 has no disclosure: no row in the vendor table)

Lowest price per category and unit, over all seven offers:
  annotation/hour min(20, 16, 18, 12.8) = 12.8;  annotation/item min(0.5, 0.4) = 0.4;
  support/hour 10.
Each offer's pillar, and the vendor's best (ties: higher quality):
  V1 12.8/20 = 0.64, 12.8/16 = 0.8          -> the second offer: p 0.8, quality .90
  V2 12.8/18 = 0.7111, 0.4/0.5 = 0.8        -> the item offer:   p 0.8, quality .85
  V3 0.4/0.4 = 1, 10/10 = 1 (tie)           -> support, q .95:   p 1,   quality .95
  V4 12.8/12.8 = 1                          -> its only offer
The old rule (first offer, lowest of first offers in the category) put V1 at 20 with quality
.95 and compared it with V3's 0.40 per *item*: 0.4/20 = 0.02.

Totals with the default profile; every row has the disclosure figures of the golden V1
(impact pillar 0.545, see test_scoring_golden.py); quality pillar = (q - 0.8)/0.2:
  V1 100 x (.45 x .545 + .30 x .8 + .25 x .5)  = 24.525 + 24 + 12.5  = 61.025
  V2 100 x (.45 x .545 + .30 x .8 + .25 x .25) = 24.525 + 24 + 6.25  = 54.775
  V3 100 x (.45 x .545 + .30 x 1  + .25 x .75) = 24.525 + 30 + 18.75 = 73.275
  ranks: V3 1, V1 2, V2 3
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from scoring import TableError, best_offers, read_vendor_table, score_table, what_if
from scoring.contract import OPTIONAL_COLUMNS, TABLE_COLUMNS

OFFERS = pd.DataFrame(
    {
        "vendor_id": ["V1", "V1", "V2", "V2", "V3", "V3", "V4"],
        "category": ["annotation"] * 5 + ["support", "annotation"],
        "unit": ["hour", "hour", "hour", "item", "item", "hour", "hour"],
        "price": [20.0, 16.0, 18.0, 0.5, 0.4, 10.0, 12.8],
        "quality": [0.95, 0.90, 1.0, 0.85, 0.90, 0.95, 0.85],
        "offer_id": [11, 12, 21, 22, 31, 32, 41],
    }
)


def _table(chosen: pd.DataFrame, vendor_row, make_table, vendors=("V1", "V2", "V3")):
    """The vendor table: each vendor's disclosure (the golden V1's figures) and its best offer."""
    offer_of = chosen.set_index("vendor_id")
    rows = [
        vendor_row(
            vendor_id,
            category=offer_of.at[vendor_id, "category"],
            price=offer_of.at[vendor_id, "price"],
            quality=offer_of.at[vendor_id, "quality"],
        )
        for vendor_id in vendors
    ]
    table = make_table(*rows)
    table["unit"] = [offer_of.at[v, "unit"] for v in vendors]
    table["lowest_price"] = [offer_of.at[v, "lowest_price"] for v in vendors]
    return table


def test_each_vendor_gets_its_best_offer_and_the_lowest_price_of_all_offers():
    chosen = best_offers(OFFERS).set_index("vendor_id")
    assert chosen.index.tolist() == ["V1", "V2", "V3", "V4"]  # order of first appearance
    # V1: the cheaper second offer, and its quality (not the first offer's .95)
    assert chosen.loc["V1", ["offer_id", "price", "quality"]].tolist() == [12, 16.0, 0.90]
    # V2: per item 0.4/0.5 = 0.8 beats per hour 12.8/18 = 0.711
    assert chosen.loc["V2", ["offer_id", "unit"]].tolist() == [22, "item"]
    # V3: 1 in both; the higher quality (.95) decides
    assert chosen.loc["V3", ["offer_id", "category"]].tolist() == [32, "support"]
    # annotation per hour: V4's 12.8, although V4 is never scored; per item 0.4
    assert chosen["lowest_price"].tolist() == [12.8, 0.4, 10.0, 12.8]


def test_two_offers_in_one_category_the_cheaper_sets_cost_and_quality(
    vendor_row, make_table, catalog, profile
):
    table = _table(best_offers(OFFERS), vendor_row, make_table)
    scores = score_table(table, catalog, profile).scores
    np.testing.assert_allclose(scores["cost"], [0.8, 0.8, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(scores["quality"], [0.5, 0.25, 0.75], rtol=0, atol=1e-12)
    np.testing.assert_allclose(scores["total"], [61.025, 54.775, 73.275], rtol=0, atol=1e-9)
    assert scores["rank"].tolist() == [2, 3, 1]


def test_a_category_in_two_units_compares_each_unit_apart(vendor_row, make_table, catalog, profile):
    # Scoring the annotation category alone: V3 is then scored on its item offer
    # (0.4/0.4 = 1, quality .90 -> 0.5); V2 per item 0.4/0.5 = 0.8, never against hourly prices.
    annotation = OFFERS[OFFERS["category"] == "annotation"]
    chosen = best_offers(annotation)
    table = _table(chosen, vendor_row, make_table)
    scores = score_table(table, catalog, profile).scores
    np.testing.assert_allclose(scores["cost"], [0.8, 0.8, 1.0], rtol=0, atol=1e-12)
    assert scores.loc["V3", "quality"] == pytest.approx(0.5)
    assert scores["category"].tolist() == ["annotation"] * 3
    # the same rows without units mix hours and items: 0.4 per item would undercut V1's
    # 16 per hour, 0.4/16 = 0.025
    mixed = table.drop(columns=list(OPTIONAL_COLUMNS))
    assert score_table(mixed, catalog, profile).scores.loc["V1", "cost"] == pytest.approx(0.025)


def test_the_category_minimum_counts_offers_on_no_row(vendor_row, make_table, catalog, profile):
    table = _table(best_offers(OFFERS), vendor_row, make_table)
    # Without lowest_price only the rows count: annotation per hour has V1's 16 alone -> 1.0,
    # although V4 sells it at 12.8 (12.8/16 = 0.8 with the column).
    rows_only = table.drop(columns=["lowest_price"])
    assert score_table(rows_only, catalog, profile).scores.loc["V1", "cost"] == pytest.approx(1.0)
    assert score_table(table, catalog, profile).scores.loc["V1", "cost"] == pytest.approx(0.8)


def test_the_cost_pillar_never_passes_one(vendor_row, make_table, catalog, profile):
    # A what-if price cut below the stated lowest price: V1 at 10 per hour is now the lowest
    # itself, 10/10 = 1 (not 12.8/10 = 1.28): +30 x 0.2 = +6 points, 61.025 -> 67.025
    table = _table(best_offers(OFFERS), vendor_row, make_table)
    change = what_if(table, catalog, profile, "V1", {"price": 10.0})
    assert change.total_after == pytest.approx(67.025, abs=1e-9)
    with pytest.raises(ValueError, match="'lowest_price'"):
        what_if(table, catalog, profile, "V1", {"lowest_price": 1.0})


def test_prices_are_used_unrounded(vendor_row, make_table, catalog, profile):
    # KES 9.5 at 0.00774 USD per KES = 0.07353 USD (0.0735 when rounded to 4 places); against a
    # lowest of 0.05: 0.05/0.07353 = 0.679995..., not 0.05/0.0735 = 0.680272...
    price = 9.5 * 0.00774
    table = make_table(
        vendor_row("A", price=price, category="entry"), vendor_row("B", price=0.05, category="x")
    )
    table["unit"] = ["item", "item"]
    table["lowest_price"] = [0.05, 0.05]
    cost = score_table(table, catalog, profile).scores.loc["A", "cost"]
    assert cost == pytest.approx(0.05 / 0.07353, rel=1e-12)
    assert not math.isclose(cost, 0.05 / 0.0735, rel_tol=1e-6)


def test_the_optional_columns_read_from_csv_and_are_checked(vendor_row, make_table):
    table = _table(best_offers(OFFERS), vendor_row, make_table)
    table["unit"] = [" Hour", "ITEM", ""]
    text = table.to_csv(index=False)
    checked = read_vendor_table(io.StringIO(text))
    assert list(checked.columns) == list(TABLE_COLUMNS)
    assert checked["unit"].tolist()[:2] == ["hour", "item"] and pd.isna(checked.at[2, "unit"])
    assert checked["lowest_price"].tolist() == [12.8, 0.4, 10.0]
    table["lowest_price"] = ["0", "cheap", "-1"]
    with pytest.raises(TableError) as raised:
        read_vendor_table(io.StringIO(table.to_csv(index=False)))
    assert [(e.row, e.column, e.message) for e in raised.value.errors] == [
        (2, "lowest_price", "must be greater than 0"),
        (3, "lowest_price", "must be a number, got 'cheap'"),
        (4, "lowest_price", "must not be negative"),
    ]


def test_best_offers_refuses_a_price_of_zero_and_missing_columns():
    with pytest.raises(ValueError, match="above 0"):
        best_offers(OFFERS.assign(price=[0.0, 1, 1, 1, 1, 1, 1]))
    with pytest.raises(ValueError, match="unit"):
        best_offers(OFFERS.drop(columns=["unit"]))


def test_best_offers_does_not_modify_its_input():
    offers = OFFERS.copy()
    best_offers(offers)
    pd.testing.assert_frame_equal(offers, OFFERS)
