"""TOPSIS: a hand-computed example and the vendor view."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring import score_table, topsis, topsis_ranking


def test_hand_computed_example_with_a_cost_criterion():
    # Criteria: quality (benefit), price (cost); weights 0.5 each.
    #   A (3, 4), B (4, 3), C (0, 0)
    # vector norms: sqrt(9 + 16 + 0) = 5 for both columns
    #   r: A (.6, .8), B (.8, .6), C (0, 0); weighted v: A (.3, .4), B (.4, .3), C (0, 0)
    # ideal = (max quality, min price) = (.4, 0); anti-ideal = (min, max) = (0, .4)
    #   A: D+ = sqrt(.1^2 + .4^2) = sqrt(.17), D- = sqrt(.3^2 + 0) = .3
    #   B: D+ = sqrt(0 + .3^2) = .3,           D- = sqrt(.4^2 + .1^2) = sqrt(.17)
    #   C: D+ = sqrt(.4^2 + 0) = .4,           D- = sqrt(0 + .4^2) = .4
    # closeness D- / (D+ + D-): A .3/(.3+sqrt(.17)), B sqrt(.17)/(.3+sqrt(.17)), C 0.5
    closeness = topsis(
        np.array([[3, 4], [4, 3], [0, 0]]), np.array([0.5, 0.5]), np.array([True, False])
    )
    root = math.sqrt(0.17)
    np.testing.assert_allclose(
        closeness, [0.3 / (0.3 + root), root / (0.3 + root), 0.5], rtol=0, atol=1e-12
    )


def test_all_zero_criterion_drops_out_and_equal_alternatives_are_at_the_ideal():
    # second column carries nothing; on the first, A = 1 is ideal and B = 0 anti-ideal
    np.testing.assert_array_equal(
        topsis(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0.5, 0.5]), np.array([True, True])),
        [1.0, 0.0],
    )
    np.testing.assert_array_equal(
        topsis(np.array([[2.0], [2.0]]), np.array([1.0]), np.array([True])), [1.0, 1.0]
    )


def test_vendor_view_leaves_out_knocked_out_vendors(golden_table, catalog, profile):
    ranking = topsis_ranking(score_table(golden_table(), catalog, profile))
    assert ranking.index.tolist() == ["V1", "V2", "V4"]  # V3 is knocked out
    assert sorted(ranking["rank"]) == [1, 2, 3]
    assert ranking["closeness"].between(0, 1).all()


def test_when_every_vendor_is_knocked_out_the_view_is_empty(golden_table, catalog, profile):
    # V3 alone (entry 16,640 < minimum 18,720 a year) is knocked out: nothing is left to rank,
    # and the view says so instead of failing (a lone knocked-out vendor broke every ranking)
    lone = golden_table().iloc[[2]]
    ranking = topsis_ranking(score_table(lone, catalog, profile))
    assert ranking.empty and list(ranking.columns) == ["closeness", "rank"]
    assert topsis(np.zeros((0, 2)), np.array([0.5, 0.5]), np.array([True, True])).shape == (0,)


def test_a_vendor_best_on_every_criterion_has_closeness_1(make_table, vendor_row, catalog, profile):
    # B equals A except for a higher price and no training disclosed: A is the ideal
    table = make_table(
        vendor_row("A"),
        vendor_row("B", price=40, training_hours_impact_workers=math.nan),
    )
    ranking = topsis_ranking(score_table(table, catalog, profile))
    assert ranking.at["A", "closeness"] == pytest.approx(1.0)
    assert ranking.at["B", "closeness"] == pytest.approx(0.0)
    assert ranking["rank"].tolist() == [1, 2]
