"""`optimizer.totals.clean_all` rounds a whole array exactly as `clean` rounds one value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.totals import clean, clean_all


def _same(got: list[float | None], want: list[float | None]) -> bool:
    """Equal element by element, and 0.0 never -0.0 (repr tells them apart)."""
    return [repr(value) for value in got] == [repr(value) for value in want]


@pytest.mark.parametrize("decimals", [0, 2, 6, 9])
def test_clean_all_matches_clean_on_random_values(decimals):
    rng = np.random.default_rng(decimals)
    # decimal numbers (the common case: round() leaves them), products of two of them (rounded),
    # values of every magnitude, and the halves where numpy's round and round() can differ
    on_grid = np.round(rng.uniform(-1e6, 1e6, 20_000), decimals)
    products = np.round(rng.uniform(0, 5e3, 20_000), 6) * np.round(rng.uniform(0, 40, 20_000), 4)
    magnitudes = rng.uniform(-1, 1, 20_000) * 10.0 ** rng.integers(-12, 17, 20_000)
    halves = (rng.integers(-(10**6), 10**6, 20_000) + 0.5) / 10.0**decimals
    edges = np.array([0.0, -0.0, 1e9, -1e9, 10.0 ** (15 - decimals), 2.0**53, 0.5, 2.5])
    values = np.concatenate((on_grid, products, magnitudes, halves, edges))
    want = [clean(value, decimals) for value in values.tolist()]
    assert _same(clean_all(values, decimals), want)


def test_clean_all_drops_what_json_cannot_hold():
    values = np.array([math.nan, math.inf, -math.inf, -0.0, 1.0000004, 1.0000005, 2.0000015])
    assert _same(clean_all(values), [None, None, None, 0.0, 1.0, 1.000001, 2.000002])
    assert _same(clean_all(values), [clean(value) for value in values.tolist()])
