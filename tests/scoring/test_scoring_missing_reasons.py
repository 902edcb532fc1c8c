"""Why a figure is missing: every scorecard value that cannot be computed names the disclosed
figure that is empty or 0 (scoring.metrics.missing_reasons), in the explanation's
``missing_reason`` column."""

from __future__ import annotations

import math

import pytest

from scoring import catalog_from_dict, compile_formula, score_table
from scoring.contract import FORMULA_FIELDS
from scoring.explain import QUALITY_NOT_STATED


def _reasons(result) -> dict[tuple[str, str], str]:
    rows = result.explanation
    flagged = rows[rows["missing_reason"].notna()]
    return {
        (vendor, metric): reason
        for vendor, metric, reason in flagged[["vendor_id", "metric", "missing_reason"]].to_numpy()
    }


def test_each_golden_value_not_disclosed_says_why(golden_table, catalog, profile):
    """The golden file's eight unknown values (test_scoring_golden) each with its reason."""
    result = score_table(golden_table(), catalog, profile)
    assert _reasons(result) == {
        # impact_worker_hires / total_hires = 0 / 0: the divisor is 0, not the numerator
        ("V2", "impact_hire_share"): "Cannot be computed: Hires in the period is 0 "
        "(a division by zero)",
        ("V2", "impact_worker_retention_12m"): "Not disclosed: Impact workers hired 12–24 "
        "months before period end, Retention cohort still employed after 12 months",
        ("V2", "training_hours_per_impact_worker"): "Not disclosed: Training hours, impact workers",
        ("V4", "impact_worker_promotion_rate"): "Not disclosed: Impact workers promoted",
        ("V4", "impact_worker_retention_12m"): "Not disclosed: Impact workers hired 12–24 "
        "months before period end, Retention cohort still employed after 12 months",
        ("V4", "quality"): QUALITY_NOT_STATED,
        ("V4", "training_hours_per_impact_worker"): "Not disclosed: Training hours, impact workers",
        ("V4", "training_spend_per_fte_usd"): "Not disclosed: Average full-time equivalents, "
        "Training spend (USD)",
    }
    # exactly the values flagged not disclosed, and no known value has a reason
    rows = result.explanation
    assert (rows["missing_reason"].notna() == rows["not_disclosed"]).all()


def test_missing_wage_data_is_named(make_table, vendor_row, catalog, profile):
    """Wages compare per hour: a monthly wage without weekly hours, a weekly wage over 0 hours,
    and a median wage not disclosed (a wage without a pay period is refused with the table)."""
    table = make_table(
        vendor_row("A", pay_period="month", standard_weekly_hours=math.nan),
        vendor_row("B", pay_period="week", standard_weekly_hours=0),
        vendor_row("D", impact_worker_median_wage=math.nan),
    )
    reasons = _reasons(score_table(table, catalog, profile))
    hours = "Standard weekly hours (to turn the wage paid per {} into an hourly one)"
    assert reasons[("A", "entry_wage_to_min_wage")] == "Not disclosed: " + hours.format("month")
    assert reasons[("B", "living_wage_ratio")] == (
        f"Cannot be computed: {hours.format('week')} is 0 (a division by zero)"
    )
    assert reasons[("D", "living_wage_ratio")] == "Not disclosed: Median wage of impact workers"
    assert ("D", "entry_wage_to_min_wage") not in reasons  # D's entry wage is known


def test_a_custom_metric_names_only_its_divisor_at_zero(make_table, vendor_row, catalog, profile):
    custom = catalog.to_dict()
    custom["metrics"].append(
        {
            "key": "promoted_per_hire",
            "label": "Promotions per impact-worker hire",
            "formula": "promotions_impact_workers / (impact_worker_hires - 10)",
            "unit": "ratio",
            "direction": "higher",
            "goalposts": [0.0, 1.0],
            "section": "workforce",
            "source": "test",
        }
    )
    table = make_table(vendor_row("A", promotions_impact_workers=0, impact_worker_hires=10))
    result = score_table(table, catalog_from_dict(custom), profile)
    # 0 / (10 − 10): neither field is 0 where it divides, but the value is still unknown
    assert _reasons(result) == {
        ("A", "promoted_per_hire"): "Cannot be computed: the formula gives no finite number "
        "for these figures"
    }


def test_divisors_are_the_fields_right_of_a_division():
    fields = set(FORMULA_FIELDS)
    formula = compile_formula(
        "promotions_impact_workers / mean(impact_workers_start, impact_workers_end) + fte_avg",
        fields,
    )
    assert formula.divisors == {"impact_workers_start", "impact_workers_end"}
    assert compile_formula("fte_avg * 2", fields).divisors == frozenset()


@pytest.mark.parametrize("nan_row", [0, 2])
def test_the_explanation_keeps_its_reasons_in_vendor_order(
    make_table, vendor_row, catalog, profile, nan_row
):
    rows = [vendor_row(name) for name in "ABC"]
    rows[nan_row] = vendor_row("ABC"[nan_row], training_hours_impact_workers=math.nan)
    explanation = score_table(make_table(*rows), catalog, profile).explanation
    flagged = explanation[explanation["missing_reason"].notna()]
    assert flagged["vendor_id"].tolist() == ["ABC"[nan_row]]
    assert flagged["metric"].tolist() == ["training_hours_per_impact_worker"]
