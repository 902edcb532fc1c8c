"""Rank stability under Dirichlet draws of the weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import rank_stability, score_table
from scoring.stability import dirichlet_around


@pytest.fixture
def result(golden_table, catalog, profile):
    return score_table(golden_table(), catalog, profile)


def test_same_seed_gives_the_same_output(result):
    first = rank_stability(result, draws=200, seed=7)
    pd.testing.assert_frame_equal(first, rank_stability(result, draws=200, seed=7))


@pytest.mark.parametrize("vary", ["pillars", "metrics", "both"])
def test_a_dominant_vendor_always_ranks_first(make_table, vendor_row, catalog, profile, vary):
    # "best" beats the others on every metric, on price and on quality
    table = make_table(
        vendor_row("best", price=10, quality=1.0),
        vendor_row("mid", price=12, quality=0.9, impact_workers_end=20, impact_worker_hires=5),
        vendor_row("low", price=15, quality=0.85, impact_workers_end=10, impact_worker_hires=2),
    )
    stability = rank_stability(score_table(table, catalog, profile), top_k=1, vary=vary)
    assert stability.at["best", "p_top_k"] == 1.0
    assert (stability.at["best", "rank_p05"], stability.at["best", "rank_p95"]) == (1, 1)
    assert stability.loc[["mid", "low"], "p_top_k"].tolist() == [0.0, 0.0]


def test_knocked_out_vendor_stays_last(result):
    stability = rank_stability(result, top_k=3)
    assert stability.at["V3", "p_top_k"] == 0.0
    assert (stability.at["V3", "rank_p05"], stability.at["V3", "rank_p95"]) == (4, 4)


def test_concentrated_draws_reproduce_the_profile_ranking(result):
    # concentration 1e9: the drawn weights differ from the profile's by ~1e-5, far less
    # than any gap between the golden totals (1.9 points at least), so ranks never move
    stability = rank_stability(result, concentration=1e9, vary="both")
    assert stability["rank_p05"].tolist() == [1, 2, 4, 3]
    assert stability["rank_p95"].tolist() == [1, 2, 4, 3]
    assert stability["rank"].tolist() == [1, 2, 4, 3]


def test_close_vendors_swap_under_draws(result):
    # V2 (58.14) and V4 (56.10) are close and differ in kind (V4 more impact and no quality,
    # V2 cheaper-looking and better quality): moving the pillar weights swaps them in some
    # draws, while V1 stays first and the knocked-out V3 last. The second place is always
    # V2's or V4's, so their chances of a top-2 place add up to 1.
    stability = rank_stability(result, top_k=2)
    assert stability.at["V1", "p_top_k"] == 1.0
    assert 0.0 < stability.at["V4", "p_top_k"] < stability.at["V2", "p_top_k"] < 1.0
    assert stability.at["V2", "p_top_k"] + stability.at["V4", "p_top_k"] == pytest.approx(1.0)
    assert (stability.at["V2", "rank_p05"], stability.at["V2", "rank_p95"]) == (2, 3)
    assert (stability.at["V4", "rank_p05"], stability.at["V4", "rank_p95"]) == (2, 3)


def test_dirichlet_draws_keep_zero_weights_and_sum_to_1():
    draws = dirichlet_around(np.array([0.5, 0.0, 0.5]), 50.0, 500, np.random.default_rng(3))
    assert (draws[:, 1] == 0).all()
    np.testing.assert_allclose(draws.sum(axis=1), 1.0, atol=1e-12)
    # mean 0.5 and variance w(1-w)/(concentration+1) = 0.25/51: sd 0.07, so the mean of
    # 500 draws is within 0.02 of 0.5 with overwhelming probability (about 6 sd)
    assert abs(draws[:, 0].mean() - 0.5) < 0.02


def test_bad_arguments_are_refused(result):
    with pytest.raises(ValueError, match="vary must be one of"):
        rank_stability(result, vary="all")
    with pytest.raises(ValueError, match="concentration > 0"):
        rank_stability(result, concentration=0)
