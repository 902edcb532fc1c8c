"""Pairwise judgements to an AHP comparison matrix (scoring.ahp.judgement_matrix)."""

import pytest

from scoring import AhpError, ahp_pairs, ahp_weights, judgement_matrix

PILLARS = ("impact", "cost", "quality")


def test_pairs_are_each_pair_once_in_label_order():
    assert ahp_pairs(PILLARS) == [("impact", "cost"), ("impact", "quality"), ("cost", "quality")]


def test_judgements_fill_a_reciprocal_matrix():
    # impact is 3x cost, 5x quality; cost is 2x quality
    matrix = judgement_matrix(
        PILLARS, {("impact", "cost"): 3, ("impact", "quality"): 5, ("cost", "quality"): 2}
    )
    assert matrix == [[1.0, 3.0, 5.0], [1 / 3, 1.0, 2.0], [1 / 5, 1 / 2, 1.0]]
    weights = ahp_weights(list(PILLARS), matrix).weights
    # Saaty's worked 3x3 example: about 0.648, 0.230, 0.122
    assert weights["impact"] == pytest.approx(0.648, abs=1e-3)
    assert weights["cost"] == pytest.approx(0.230, abs=1e-3)
    assert weights["quality"] == pytest.approx(0.122, abs=1e-3)


def test_a_missing_pair_counts_as_equally_important():
    matrix = judgement_matrix(PILLARS, {("impact", "cost"): 2})
    assert matrix[0][2] == matrix[2][0] == matrix[1][2] == 1.0


@pytest.mark.parametrize("value", [0, -2, float("nan"), float("inf")])
def test_a_judgement_that_is_not_positive_is_refused_naming_its_pair(value):
    with pytest.raises(AhpError) as refused:
        judgement_matrix(PILLARS, {("impact", "cost"): 3, ("cost", "quality"): value})
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("cost.quality", "Use a positive number.")
    ]


def test_an_unknown_pair_is_refused():
    with pytest.raises(AhpError) as refused:
        judgement_matrix(PILLARS, {("impact", "speed"): 3})
    assert refused.value.errors[0].field == "judgements"
