"""Scoring profiles: the default file, round trips and every validation rule."""

from __future__ import annotations

import json

import pytest

from scoring import ProfileError, profile_from_dict, score_table


def test_default_profile_is_the_design_numbers(profile):
    assert dict(profile.pillar_weights) == {"impact": 0.45, "cost": 0.30, "quality": 0.25}
    assert dict(profile.metric_weights) == {
        "impact_worker_share": 0.25,
        "impact_hire_share": 0.15,
        "living_wage_ratio": 0.20,
        "entry_wage_to_min_wage": 0.10,
        "training_hours_per_impact_worker": 0.10,
        "training_spend_per_fte_usd": 0.10,
        "impact_worker_retention_12m": 0.05,
        "impact_worker_promotion_rate": 0.05,
    }
    assert dict(profile.evidence_factors) == {
        "none": 0.0,
        "self_reported": 0.5,
        "self_reported_documented": 0.7,
        "buyer_verified": 0.85,
        "third_party_limited": 0.9,
        "third_party_reasonable": 1.0,
    }
    assert profile.knockout_below_minimum_wage is True
    assert profile.quality_goalposts == (0.8, 1.0)
    assert dict(profile.goalposts) == {}


def test_profile_round_trips_through_json(profile, catalog):
    custom = profile_from_dict(
        {**profile.to_dict(), "goalposts": {"living_wage_ratio": [0.8, 1.2]}}, catalog
    )
    assert profile_from_dict(json.loads(json.dumps(custom.to_dict())), catalog) == custom


def test_profile_goalposts_override_the_catalog(profile, catalog, golden_table):
    custom = profile_from_dict(
        {**profile.to_dict(), "goalposts": {"living_wage_ratio": [1.0, 2.0]}}, catalog
    )
    normalised = score_table(golden_table(), catalog, custom).normalised
    # V2 ratio 1.25 -> (1.25 - 1.0) / (2.0 - 1.0) = 0.25 instead of 1 with [0.75, 1.25]
    assert normalised.at["V2", "living_wage_ratio"] == pytest.approx(0.25)


def test_changed_quality_goalposts_change_the_quality_pillar(profile, catalog, golden_table):
    custom = profile_from_dict({**profile.to_dict(), "quality_goalposts": [0.5, 1.0]}, catalog)
    scores = score_table(golden_table(), catalog, custom).scores
    # V1 quality 0.95 -> (0.95 - 0.5) / 0.5 = 0.9
    assert scores.at["V1", "quality"] == pytest.approx(0.9)


def with_setting(profile, path, value):
    data = profile.to_dict()
    *parents, name = path.split(".")
    target = data
    for parent in parents:
        target = target[parent]
    if value is DELETE:
        del target[name]
    else:
        target[name] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("pillar_weights.cost", -0.1, "pillar_weights.cost", "must be at least 0"),
        ("pillar_weights.cost", 0.31, "pillar_weights", "must sum to 1, they sum to 1.01"),
        ("pillar_weights.cost", "0.30", "pillar_weights.cost", "must be a number"),
        ("pillar_weights.cost", True, "pillar_weights.cost", "must be a number"),
        ("pillar_weights.quality", DELETE, "pillar_weights.quality", "is required"),
        ("pillar_weights.price", 0.0, "pillar_weights.price", "unknown pillar"),
        ("metric_weights.living_wage_ratio", 0.21, "metric_weights", "must sum to 1"),
        (
            "metric_weights.living_wage_ratio",
            float("nan"),
            "metric_weights.living_wage_ratio",
            "finite",
        ),
        pytest.param(  # an int past the largest float: float() overflowed and the API answered 500
            "pillar_weights.cost",
            10**400,
            "pillar_weights.cost",
            "must be a finite number, got a number too large to represent",
            id="weight-10**400",
        ),
        pytest.param(
            "goalposts.living_wage_ratio",
            [0, 10**400],
            "goalposts.living_wage_ratio[1]",
            "must be a finite number, got a number too large to represent",
            id="goalpost-10**400",
        ),
        (
            "metric_weights.gender_pay_gap",
            0.0,
            "metric_weights.gender_pay_gap",
            "is not a metric of the catalog",
        ),
        (
            "goalposts.living_wage_ratio",
            [1, 1],
            "goalposts.living_wage_ratio",
            "L and U must differ",
        ),
        ("goalposts.pay_gap", [0, 1], "goalposts.pay_gap", "is not a metric of the catalog"),
        ("quality_goalposts", [0.9, 0.9], "quality_goalposts", "L and U must differ"),
        (
            "evidence_factors.buyer_verified",
            1.2,
            "evidence_factors.buyer_verified",
            "must be between 0 and 1",
        ),
        ("evidence_factors.none", DELETE, "evidence_factors.none", "is required"),
        (
            "evidence_factors.certified_scheme",
            0.9,
            "evidence_factors.certified_scheme",
            "unknown evidence level",
        ),
        ("knockout_below_minimum_wage", "yes", "knockout_below_minimum_wage", "true or false"),
        ("metric_weights", [0.5, 0.5], "metric_weights", "must be a table"),
        ("colour", "red", "colour", "unknown setting"),
        ("quality_goalposts", DELETE, "quality_goalposts", "is required"),
    ],
)
def test_each_invalid_setting_is_named(profile, catalog, path, value, field, message):
    with pytest.raises(ProfileError) as raised:
        profile_from_dict(with_setting(profile, path, value), catalog)
    errors = raised.value.errors
    assert [error.field for error in errors] == [field]
    assert message in errors[0].message


def test_weight_sums_are_checked_to_1e_9(profile, catalog):
    # 0.45 + 0.30 + (0.25 + 5e-10) is within 1e-9 of 1; + 2e-9 is not
    profile_from_dict(with_setting(profile, "pillar_weights.quality", 0.25 + 5e-10), catalog)
    with pytest.raises(ProfileError, match="pillar_weights: weights must sum to 1"):
        profile_from_dict(with_setting(profile, "pillar_weights.quality", 0.25 + 2e-9), catalog)


def test_all_profile_problems_are_reported_at_once(profile, catalog):
    data = with_setting(profile, "pillar_weights.cost", -1)
    data["evidence_factors"]["self_reported"] = 2
    data["goalposts"] = {"unknown_metric": [0, 1]}
    with pytest.raises(ProfileError) as raised:
        profile_from_dict(data, catalog)
    assert [error.field for error in raised.value.errors] == [
        "pillar_weights.cost",
        "evidence_factors.self_reported",
        "goalposts.unknown_metric",
    ]
    assert "pillar_weights.cost: must be at least 0, got -1" in str(raised.value)


def test_scoring_refuses_a_profile_from_another_catalog(profile, catalog, golden_table):
    from scoring import add_metric, catalog_from_dict

    extended = add_metric(
        catalog,
        {
            "key": "extra",
            "label": "Extra",
            "formula": "fte_avg",
            "unit": "FTE",
            "direction": "higher",
            "goalposts": [0, 1],
            "section": "workforce",
            "source": "GRI 2-7",
        },
    )
    weights = {**profile.to_dict()["metric_weights"], "impact_worker_share": 0.2, "extra": 0.05}
    extended_profile = profile_from_dict({**profile.to_dict(), "metric_weights": weights}, extended)
    smaller = catalog_from_dict({"metrics": catalog.to_dict()["metrics"]})
    with pytest.raises(
        ProfileError, match=r"metric_weights\.extra: is not a metric of the catalog"
    ):
        score_table(golden_table(), smaller, extended_profile)
