"""The metric catalog: the default file, custom metrics and their validation."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import CatalogError, add_metric, catalog_from_dict, score_table

# DESIGN.md §4, "Default metric catalog": key, formula, goalposts, section, direction.
DESIGN_CATALOG = [
    ("impact_worker_share", "impact_workers_end / headcount_end", (0.0, 0.5), "workforce"),
    ("impact_hire_share", "impact_worker_hires / total_hires", (0.0, 0.5), "workforce"),
    (
        "living_wage_ratio",
        "impact_worker_median_wage_hourly / living_wage_benchmark_hourly",
        (0.75, 1.25),
        "wages",
    ),
    (
        "entry_wage_to_min_wage",
        "entry_level_wage_hourly / local_minimum_wage_hourly",
        (1.0, 1.5),
        "wages",
    ),
    (
        "training_hours_per_impact_worker",
        "training_hours_impact_workers / impact_workers_end",
        (0.0, 80.0),
        "training",
    ),
    ("training_spend_per_fte_usd", "training_spend_usd / fte_avg", (0.0, 500.0), "training"),
    (
        "impact_worker_retention_12m",
        "retention_cohort_retained_12m / retention_cohort_hired",
        (0.4, 0.9),
        "workforce",
    ),
    (
        "impact_worker_promotion_rate",
        "promotions_impact_workers / mean(impact_workers_start, impact_workers_end)",
        (0.0, 0.15),
        "workforce",
    ),
]


def test_default_catalog_is_the_design_table(catalog):
    assert [
        (metric.key, metric.formula.text, metric.goalposts, metric.section) for metric in catalog
    ] == DESIGN_CATALOG
    assert {metric.direction for metric in catalog} == {"higher"}
    assert all(("IRIS+" in metric.source or "GRI" in metric.source) for metric in catalog)


def test_catalog_round_trips_through_a_dict(catalog):
    assert catalog_from_dict(catalog.to_dict()) == catalog


def custom_metric(**changes):
    metric = {
        "key": "training_hours_per_fte",
        "label": "Training hours for impact workers per FTE",
        "formula": "training_hours_impact_workers / fte_avg",
        "unit": "hours per FTE",
        "direction": "higher",
        "goalposts": [0, 20],
        "section": "training",
        "source": "GRI 404-1",
    }
    metric.update(changes)
    return metric


def test_custom_metric_is_scored_and_shown(catalog, profile, golden_table):
    extended = add_metric(catalog, custom_metric())
    result = score_table(golden_table(), extended, profile)
    # V1: 1200 / 90 = 13.333 hours per FTE -> n = 13.333 / 20 = 0.6667; weight 0 in the
    # default profile, so totals do not move
    assert result.metric_values.at["V1", "training_hours_per_fte"] == pytest.approx(1200 / 90)
    assert result.normalised.at["V1", "training_hours_per_fte"] == pytest.approx(2 / 3)
    assert result.scores.at["V1", "total"] == pytest.approx(67.275)
    row = result.explanation.set_index(["vendor_id", "metric"]).loc[
        ("V1", "training_hours_per_fte")
    ]
    assert row["weight"] == 0.0
    assert row["points"] == 0.0


def test_lower_is_better_metric_reverses_the_goalposts(catalog, profile, make_table, vendor_row):
    extended = add_metric(
        catalog,
        custom_metric(
            key="headcount_shrink",
            formula="headcount_start / headcount_end",
            direction="lower",
            goalposts=[0.5, 1.5],
            section="workforce",
        ),
    )
    table = make_table(
        vendor_row("A", headcount_start=50, headcount_end=100),
        vendor_row("B", headcount_start=120, headcount_end=100),
    )
    normalised = score_table(table, extended, profile).normalised["headcount_shrink"]
    # A: 0.5 -> 1 - (0.5-0.5)/1 = 1;  B: 1.2 -> 1 - (1.2-0.5)/1 = 0.3
    np.testing.assert_allclose(normalised, [1.0, 0.3], atol=1e-12)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key": "2nd_share"}, "metrics[8].key", "must be an identifier"),
        ({"key": "with space"}, "metrics[8].key", "must be an identifier"),
        ({"key": "lambda"}, "metrics[8].key", "must be an identifier"),
        ({"key": "total"}, "metrics[8].key", "reserved"),
        ({"key": "fte_avg"}, "metrics[8].key", "reserved"),
        ({"key": "impact_worker_share"}, "metrics[8].key", "duplicate key 'impact_worker_share'"),
        ({"direction": "up"}, "metrics[8].direction", "must be one of higher, lower"),
        (
            {"section": "policies"},
            "metrics[8].section",
            "must be one of workforce, wages, training",
        ),
        ({"goalposts": [1, 1]}, "metrics[8].goalposts", "L and U must differ"),
        ({"goalposts": [0]}, "metrics[8].goalposts", "pair of numbers"),
        ({"goalposts": [0, "high"]}, "metrics[8].goalposts[1]", "must be a number"),
        (
            {"formula": "training_spend / fte_avg"},
            "metrics[8].formula",
            "unknown field 'training_spend'",
        ),
        (
            {"formula": "entry_level_wage / fte_avg"},
            "metrics[8].formula",
            "unknown field 'entry_level_wage'",
        ),
        ({"formula": "__import__('os')"}, "metrics[8].formula", "unknown function '__import__'"),
        ({"label": " "}, "metrics[8].label", "non-empty text"),
        ({"source": None}, "metrics[8].source", "non-empty text"),
        ({"colour": "red"}, "metrics[8].colour", "unknown setting"),
    ],
)
def test_invalid_custom_metric_is_refused_with_the_setting_named(catalog, changes, field, message):
    with pytest.raises(CatalogError) as raised:
        add_metric(catalog, custom_metric(**changes))
    assert [(error.field, message in error.message) for error in raised.value.errors] == [
        (field, True)
    ]


def test_missing_metric_settings_are_listed(catalog):
    incomplete = custom_metric()
    del incomplete["unit"], incomplete["source"]
    with pytest.raises(CatalogError) as raised:
        add_metric(catalog, incomplete)
    assert [error.field for error in raised.value.errors] == [
        "metrics[8].unit",
        "metrics[8].source",
    ]


def test_all_catalog_problems_are_reported_at_once():
    with pytest.raises(CatalogError) as raised:
        catalog_from_dict(
            {
                "metrics": [
                    custom_metric(direction="sideways"),
                    custom_metric(key="b", formula="x.y", goalposts=[2, 2]),
                ]
            }
        )
    assert [error.field for error in raised.value.errors] == [
        "metrics[0].direction",
        "metrics[1].formula",
        "metrics[1].goalposts",
    ]


def test_catalog_needs_metrics():
    with pytest.raises(CatalogError, match="metrics: must be a non-empty list"):
        catalog_from_dict({"metrics": []})


def test_a_measured_metric_is_never_discounted(catalog, profile, golden_table):
    """The same formula in the training section and in "measured": the training one carries the
    vendor's training evidence factor, the measured one the factor 1 and its own level."""
    as_training = add_metric(catalog, custom_metric(section="training"))
    as_measured = add_metric(catalog, custom_metric(section="measured"))
    key = "training_hours_per_fte"
    discounted = score_table(golden_table(), as_training, profile).evidence_factors[key]
    whole = score_table(golden_table(), as_measured, profile)
    assert (whole.evidence_factors[key] == 1.0).all() and (discounted < 1.0).any()
    rows = whole.explanation[whole.explanation["metric"] == key]
    assert set(rows["evidence_level"]) == {"measured_by_the_buyer"}
    assert set(rows["section"]) == {"measured"}
