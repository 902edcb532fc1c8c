"""Golden case: four vendors scored by hand with the default catalog and profile.

tests/data/scoring/golden_vendors.csv (n = normalised value, f = evidence factor):

V1 annotation, price 20, quality 0.95, pay per hour, all evidence third_party_reasonable (f 1)
  impact_worker_share 30/100 = 0.3            n = 0.3/0.5 = 0.6
  impact_hire_share 10/40 = 0.25              n = 0.25/0.5 = 0.5
  living_wage_ratio 13/13 = 1.0               n = (1.0-0.75)/0.5 = 0.5
  entry_wage_to_min_wage 12/10 = 1.2          n = (1.2-1.0)/0.5 = 0.4
  training_hours_per_impact_worker 1200/30 = 40   n = 40/80 = 0.5
  training_spend_per_fte_usd 27000/90 = 300   n = 300/500 = 0.6
  impact_worker_retention_12m 7/10 = 0.7      n = (0.7-0.4)/0.5 = 0.6
  impact_worker_promotion_rate 3/mean(20,30) = 0.12   n = 0.12/0.15 = 0.8
  impact = .25*.6 + .15*.5 + .20*.5 + .10*.4 + .10*.5 + .10*.6 + .05*.6 + .05*.8
         = .15 + .075 + .10 + .04 + .05 + .06 + .03 + .04 = 0.545
  cost = lowest annotation price 16 / 20 = 0.8;  quality = (0.95-0.8)/0.2 = 0.75
  total = 100 * (.45*.545 + .30*.8 + .25*.75) = 24.525 + 24 + 18.75 = 67.275

V2 annotation, price 16, quality 0.9, pay per month at 40 h/week (173.33 h/month);
  evidence workforce self_reported (0.5), wages buyer_verified (0.85), training none (0)
  impact_worker_share 100/200 = 0.5 -> n 1 -> 0.5*1 = 0.5
  impact_hire_share 0/0 -> not disclosed -> 0
  living_wage_ratio 2600/2080 = 1.25 (15.00/h over 12.00/h) -> n 1 -> 0.85
  entry_wage_to_min_wage 1950/1560 = 1.25 (11.25/h over 9.00/h) -> n 0.5 -> 0.425
  training_hours_per_impact_worker: hours not disclosed -> 0
  training_spend_per_fte_usd 20000/200 = 100 -> n 0.2 -> x 0 (no evidence) = 0
  impact_worker_retention_12m: cohort not disclosed -> 0
  impact_worker_promotion_rate 6/mean(100,100) = 0.06 -> n 0.4 -> 0.5*0.4 = 0.2
  impact = .25*.5 + .20*.85 + .10*.425 + .05*.2 = .125 + .17 + .0425 + .01 = 0.3475
  cost = 16/16 = 1;  quality = (0.9-0.8)/0.2 = 0.5
  total = 100 * (.45*.3475 + .30*1 + .25*.5) = 15.6375 + 30 + 12.5 = 58.1375

V3 annotation, price 32, quality 1.0, pay per year at 40 h/week (2080 h/year);
  evidence workforce third_party_limited (0.9), wages self_reported_documented (0.7),
  training third_party_reasonable (1)
  impact_worker_share 10/50 = 0.2 -> n 0.4 -> 0.36
  impact_hire_share 20/20 = 1 -> n 1 (clipped) -> 0.9
  living_wage_ratio 20800/20800 = 1 -> n 0.5 -> 0.35
  entry_wage_to_min_wage 16640/18720 = 0.889 (8/h over 9/h) -> n 0 -> 0
  training_hours_per_impact_worker 1000/10 = 100 -> n 1 -> 1
  training_spend_per_fte_usd 50000/50 = 1000 -> n 1 -> 1
  impact_worker_retention_12m 9/10 = 0.9 -> n 1 -> 0.9
  impact_worker_promotion_rate 0/10 = 0 -> n 0 -> 0
  impact = .25*.36 + .15*.9 + .20*.35 + .10*1 + .10*1 + .05*.9
         = .09 + .135 + .07 + .1 + .1 + .045 = 0.54
  cost = 16/32 = 0.5;  quality = (1.0-0.8)/0.2 = 1
  total before knock-out = 100 * (.45*.54 + .30*.5 + .25*1) = 24.3 + 15 + 25 = 64.3
  entry wage 16640 < minimum 18720 per year -> knocked out, total 0

V4 support (alone in its category), price 25, quality not disclosed, pay per week at
  50 h/week; evidence workforce buyer_verified (0.85), wages third_party_reasonable (1),
  training empty (= none, 0)
  impact_worker_share 40/40 = 1 -> n 1 -> 0.85
  impact_hire_share 5/10 = 0.5 -> n 1 -> 0.85
  living_wage_ratio 650/520 = 1.25 (13.00/h over 10.40/h) -> n 1 -> 1
  entry_wage_to_min_wage 600/500 = 1.2 (12/h over 10/h) -> n 0.4 -> 0.4
  training, retention and promotions not disclosed -> 0
  impact = .25*.85 + .15*.85 + .20*1 + .10*.4 = .2125 + .1275 + .2 + .04 = 0.58
  cost = 25/25 = 1;  quality not disclosed -> 0
  total = 100 * (.45*.58 + .30*1 + .25*0) = 26.1 + 30 = 56.1

Ranks: V1 67.275, V2 58.1375, V4 56.1, V3 0.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from scoring import (
    output_table,
    profile_from_dict,
    read_vendor_table,
    score_table,
    what_if,
    write_output_table,
)
from scoring.metrics import formula_fields

EXPECTED = pd.DataFrame(
    {
        "impact": [0.545, 0.3475, 0.54, 0.58],
        "cost": [0.8, 1.0, 0.5, 1.0],
        "quality": [0.75, 0.5, 1.0, 0.0],
        "total": [67.275, 58.1375, 0.0, 56.1],
        "rank": [1, 2, 4, 3],
        "knocked_out": [False, False, True, False],
    },
    index=pd.Index(["V1", "V2", "V3", "V4"], name="vendor_id"),
)


@pytest.fixture
def result(golden_table, catalog, profile):
    return score_table(golden_table(), catalog, profile)


def test_pillars_totals_and_ranks_match_the_hand_computation(result):
    scores = result.scores
    for column in ("impact", "cost", "quality", "total"):
        np.testing.assert_allclose(scores[column], EXPECTED[column], rtol=0, atol=1e-9)
    assert scores["rank"].tolist() == EXPECTED["rank"].tolist()
    assert scores["knocked_out"].tolist() == EXPECTED["knocked_out"].tolist()


def test_impact_score_for_the_optimizer_is_100_times_the_impact_pillar(result):
    # 100 x (0.545, 0.3475, 0.54, 0.58)
    np.testing.assert_allclose(result.scores["impact_score"], [54.5, 34.75, 54.0, 58.0], atol=1e-9)


def test_knocked_out_vendor_gets_a_reason(result):
    # the golden table gives no wage currency: the amounts alone, to the cent
    assert result.scores.at["V3", "knockout_reason"] == (
        "entry-level wage 16,640.00 per year is below the local minimum wage 18,720.00 per year"
    )
    assert result.scores.at["V1", "knockout_reason"] == ""


def test_the_knock_out_reason_names_the_site_the_wages_come_from(golden_table, catalog, profile):
    table = golden_table().assign(wage_site=["", "Kisumu", " Nairobi CBD ", None])
    scores = score_table(
        read_vendor_table(io.StringIO(table.to_csv(index=False))), catalog, profile
    )
    assert scores.scores.at["V3", "knockout_reason"] == (
        "entry-level wage 16,640.00 per year is below the local minimum wage 18,720.00 per year "
        "at the site Nairobi CBD"
    )


def test_the_knock_out_reason_gives_the_wages_in_their_currency_to_the_cent(
    golden_table, catalog, profile
):
    """The scenario page's "Vendors left out" said "entry-level wage 83.6538 per hour is below
    the local minimum wage 87.2091 per hour" (issue #17): V3's wages per hour, 83.6538 and
    87.2091, round to 83.65 and 87.21, after the site's currency code."""
    table = golden_table().assign(
        wage_currency=["USD", None, " KES ", ""], wage_site=["", "", "Nairobi", ""]
    )
    v3 = table["vendor_id"] == "V3"
    table.loc[v3, ["pay_period", "entry_level_wage", "local_minimum_wage"]] = [
        "hour",
        83.6538,
        87.2091,
    ]
    scores = score_table(
        read_vendor_table(io.StringIO(table.to_csv(index=False))), catalog, profile
    ).scores
    assert scores.at["V3", "knockout_reason"] == (
        "entry-level wage KES 83.65 per hour is below the local minimum wage KES 87.21 per hour "
        "at the site Nairobi"
    )
    assert scores["knocked_out"].tolist() == [False, False, True, False]


def test_knock_out_can_be_turned_off(golden_table, catalog, profile):
    lenient = profile_from_dict(
        {**profile.to_dict(), "knockout_below_minimum_wage": False}, catalog
    )
    scores = score_table(golden_table(), catalog, lenient).scores
    # V3 keeps its 64.3 and ranks second: V1 67.275 > V3 64.3 > V2 58.1375 > V4 56.1
    assert scores.at["V3", "total"] == pytest.approx(64.3, abs=1e-9)
    assert scores["rank"].tolist() == [1, 3, 2, 4]
    assert not scores["knocked_out"].any()


def test_wages_are_converted_per_hour(golden_table):
    fields = formula_fields(golden_table())
    # V1 hour: 12; V2 month: 1950 / (40*52/12) = 11.25; V3 year: 16640 / (40*52) = 8;
    # V4 week: 600 / 50 = 12
    np.testing.assert_allclose(fields["entry_level_wage_hourly"], [12, 11.25, 8, 12], atol=1e-12)
    # living wage: 13; 2080 / 173.33 = 12; 20800 / 2080 = 10; 520 / 50 = 10.4
    np.testing.assert_allclose(
        fields["living_wage_benchmark_hourly"], [13, 12, 10, 10.4], atol=1e-12
    )


def test_missing_weekly_hours_leaves_a_monthly_wage_undisclosed(
    make_table, vendor_row, catalog, profile
):
    table = make_table(
        vendor_row("A", pay_period="month", standard_weekly_hours=math.nan),
        vendor_row("B", pay_period="hour", standard_weekly_hours=math.nan),
        vendor_row("C", pay_period="week", standard_weekly_hours=0),
    )
    result = score_table(table, catalog, profile)
    hourly = formula_fields(result.vendors)["entry_level_wage_hourly"]
    # A: month with unknown hours -> NaN; B: hourly wages need no hours -> 12;
    # C: 12 per week over 0 hours -> NaN, never inf
    np.testing.assert_array_equal(hourly, [math.nan, 12.0, math.nan])
    # so A and C show entry_wage_to_min_wage as not disclosed
    assert result.metric_values["entry_wage_to_min_wage"].isna().tolist() == [True, False, True]


def test_explanation_points_sum_to_the_total_for_every_vendor(result):
    points = result.explanation.groupby("vendor_id", sort=False)["points"].sum()
    np.testing.assert_allclose(points.loc[EXPECTED.index], EXPECTED["total"], rtol=0, atol=1e-9)


def test_explanation_rows_for_one_vendor(result):
    rows = result.explanation.set_index(["vendor_id", "metric"])
    living_wage = rows.loc[("V2", "living_wage_ratio")]
    # raw 1.25 -> n 1, f 0.85 (buyer_verified), weight 0.20 -> 0.17 of the impact pillar,
    # 45 x 0.17 = 7.65 points
    assert living_wage["raw_value"] == pytest.approx(1.25)
    assert living_wage["normalised"] == pytest.approx(1.0)
    assert living_wage["evidence_level"] == "buyer_verified"
    assert living_wage["evidence_factor"] == pytest.approx(0.85)
    assert living_wage["weight"] == pytest.approx(0.20)
    assert living_wage["impact_contribution"] == pytest.approx(0.17)
    assert living_wage["points"] == pytest.approx(7.65)
    assert not living_wage["not_disclosed"]
    # cost 1.0 x 30 = 30 points; quality 0.5 x 25 = 12.5 points
    assert rows.loc[("V2", "cost"), "points"] == pytest.approx(30.0)
    assert rows.loc[("V2", "quality"), "points"] == pytest.approx(12.5)


def test_explanation_flags_what_was_not_disclosed(result):
    flagged = result.explanation.loc[result.explanation["not_disclosed"], ["vendor_id", "metric"]]
    assert sorted(map(tuple, flagged.to_numpy())) == [
        ("V2", "impact_hire_share"),  # 0 hires: zero denominator
        ("V2", "impact_worker_retention_12m"),
        ("V2", "training_hours_per_impact_worker"),
        ("V4", "impact_worker_promotion_rate"),
        ("V4", "impact_worker_retention_12m"),
        ("V4", "quality"),
        ("V4", "training_hours_per_impact_worker"),
        ("V4", "training_spend_per_fte_usd"),
    ]


def test_explanation_knock_out_row_cancels_the_points(result):
    rows = result.explanation
    knock_out = rows[rows["metric"] == "knock_out"]
    assert knock_out["vendor_id"].tolist() == ["V3"]
    assert knock_out["points"].iloc[0] == pytest.approx(-64.3)
    assert len(rows) == 4 * (8 + 2) + 1


def test_output_table_is_in_rank_order_with_metric_columns(result, catalog):
    table = output_table(result)
    assert list(table.columns) == [
        "vendor_id",
        "impact",
        "cost",
        "quality",
        "total",
        "rank",
        "knocked_out",
        *catalog.keys,
    ]
    assert table["vendor_id"].tolist() == ["V1", "V2", "V4", "V3"]
    assert table.loc[0, "training_spend_per_fte_usd"] == pytest.approx(300.0)  # 27000 / 90
    assert math.isnan(table.loc[1, "impact_hire_share"])  # V2: 0 / 0


def test_written_output_reads_back(result):
    buffer = io.StringIO()
    write_output_table(result, buffer)
    written = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert written["vendor_id"].tolist() == ["V1", "V2", "V4", "V3"]
    np.testing.assert_allclose(written["total"], [67.275, 58.1375, 56.1, 0.0], atol=1e-9)


def test_scoring_does_not_modify_its_input(golden_table, catalog, profile):
    table = golden_table()
    before = table.copy()
    score_table(table, catalog, profile)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(("first", "second"), [("V2", "V10"), (2, 10), ("v2", "V10")])
def test_ties_go_to_the_lower_id_in_natural_order(
    make_table, vendor_row, catalog, profile, first, second
):
    # Identical vendors tie; "V10" sorts before "V2" as plain text, but V2 < V10 naturally.
    table = make_table(vendor_row(second), vendor_row(first))
    scores = score_table(table, catalog, profile).scores
    assert scores.at[first, "rank"] == 1
    assert scores.at[second, "rank"] == 2


def test_what_if_more_quality_lifts_v4_to_first(golden_table, catalog, profile):
    change = what_if(golden_table(), catalog, profile, "V4", {"quality": 0.9})
    # quality pillar 0 -> (0.9-0.8)/0.2 = 0.5, +25 x 0.5 = +12.5 points: 56.1 -> 68.6,
    # which passes V1 (67.275): rank 3 -> 1
    assert change.total_before == pytest.approx(56.1, abs=1e-9)
    assert change.total_after == pytest.approx(68.6, abs=1e-9)
    assert change.total_delta == pytest.approx(12.5, abs=1e-9)
    assert (change.rank_before, change.rank_after, change.rank_delta) == (3, 1, 2)


def test_what_if_more_impact_hires_for_v2(golden_table, catalog, profile):
    change = what_if(
        golden_table(), catalog, profile, "V2", {"total_hires": 50, "impact_worker_hires": 20}
    )
    # impact_hire_share 20/50 = 0.4 -> n 0.8 -> x 0.5 (self_reported) = 0.4 -> +0.15 x 0.4 = +0.06
    # impact 0.3475 -> 0.4075 (impact score 34.75 -> 40.75); total +45 x 0.06 = +2.7 -> 60.8375
    assert change.total_after == pytest.approx(60.8375, abs=1e-9)
    assert change.impact_score_after == pytest.approx(40.75, abs=1e-9)
    assert change.rank_after == 2
    # the one line that moved, and by how much: V2 disclosed no impact hires (0 points), now
    # 0.4 -> impact pillar +0.06 x 100 x 0.45 = +2.7 points
    [move] = change.moves
    assert move.metric == "impact_hire_share"
    assert (move.value_before, move.value_after) == (None, pytest.approx(0.4))
    assert (move.points_before, move.points_after) == (0.0, pytest.approx(2.7, abs=1e-9))


def test_what_if_a_price_rise_moves_the_category_minimum(golden_table, catalog, profile):
    change = what_if(golden_table(), catalog, profile, "V2", {"price": 40})
    # lowest annotation price becomes V1's 20: V2 cost 20/40 = 0.5
    # total = 100 x (.45 x .3475 + .30 x .5 + .25 x .5) = 15.6375 + 15 + 12.5 = 43.1375
    # below V4's 56.1: rank 2 -> 3
    assert change.total_after == pytest.approx(43.1375, abs=1e-9)
    assert change.total_delta == pytest.approx(-15.0, abs=1e-9)
    assert change.rank_after == 3
    # the cost line alone moved: 30 x (1 - 0.5) = -15 points
    assert [(m.metric, round(m.points_delta, 9)) for m in change.moves] == [("cost", -15.0)]


def test_what_if_refuses_unknown_columns_and_vendors(golden_table, catalog, profile):
    with pytest.raises(ValueError, match="'headcount'"):
        what_if(golden_table(), catalog, profile, "V1", {"headcount": 3})
    with pytest.raises(KeyError, match="V9"):
        what_if(golden_table(), catalog, profile, "V9", {"quality": 1.0})


def test_what_if_checks_the_new_values(golden_table, catalog, profile):
    from scoring import TableError

    with pytest.raises(TableError) as raised:
        what_if(golden_table(), catalog, profile, "V2", {"price": "cheap"})
    assert raised.value.errors[0][:2] == (3, "price")


def test_integer_vendor_ids_stay_integers(make_table, vendor_row, catalog, profile):
    scores = score_table(make_table(vendor_row(7), vendor_row(3)), catalog, profile).scores
    assert scores.index.tolist() == [7, 3]


def test_csv_with_blank_cells_reads_like_the_frame(catalog, profile):
    text = (
        "vendor_id,category,price,quality,headcount_start,headcount_end,fte_avg,total_hires,"
        "impact_worker_hires,impact_workers_start,impact_workers_end,retention_cohort_hired,"
        "retention_cohort_retained_12m,promotions_impact_workers,pay_period,"
        "standard_weekly_hours,entry_level_wage,impact_worker_median_wage,local_minimum_wage,"
        "living_wage_benchmark,training_hours_impact_workers,training_spend_usd,"
        "evidence_workforce,evidence_wages,evidence_training\n"
        "X1, cleaning ,10,,,,,,,,,,,,,,,,,,,,,,\n"
    )
    scores = score_table(read_vendor_table(io.StringIO(text)), catalog, profile).scores
    # nothing disclosed: impact 0, cost 10/10 = 1, quality 0 -> total 30
    assert scores.at["X1", "total"] == pytest.approx(30.0)
    assert scores.at["X1", "category"] == "cleaning"
