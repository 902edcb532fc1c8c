"""AHP weights and consistency, against Saaty's published house-buying example.

Source: T. L. Saaty (1990), "How to make a decision: The Analytic Hierarchy Process",
European Journal of Operational Research 48, 9-26, the example of a family choosing one of
three houses. The published figures are rounded to three decimals, hence atol 5e-4.
"""

from __future__ import annotations

import pytest

from scoring import AhpError, ahp_weights

# Saaty (1990): the eight house criteria compared pairwise; published priorities
# .173 .054 .188 .018 .031 .036 .167 .333, lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE_CRITERIA = [
    "size",
    "transport",
    "neighbourhood",
    "age",
    "yard",
    "modern",
    "condition",
    "financing",
]
HOUSE_CRITERIA_MATRIX = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
# Saaty (1990): the three houses compared on yard space; published priorities
# A .674, B .101, C .226, lambda_max = 3.086, C.I. = 0.043, C.R. = 0.074.
YARD_MATRIX = [[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]]


def test_saaty_yard_space_example():
    result = ahp_weights(["A", "B", "C"], YARD_MATRIX)
    assert result.weights == pytest.approx({"A": 0.674, "B": 0.101, "C": 0.226}, abs=5e-4)
    assert result.lambda_max == pytest.approx(3.086, abs=5e-4)
    assert result.consistency_index == pytest.approx(0.043, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.074, abs=5e-4)


def test_saaty_criteria_example_is_refused_with_its_consistency_ratio():
    with pytest.raises(AhpError, match=r"consistency ratio 0\.169 is above 0\.10"):
        ahp_weights(HOUSE_CRITERIA, HOUSE_CRITERIA_MATRIX)


def test_saaty_criteria_weights_when_the_limit_is_relaxed():
    result = ahp_weights(HOUSE_CRITERIA, HOUSE_CRITERIA_MATRIX, max_consistency_ratio=1.0)
    published = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    assert list(result.weights.values()) == pytest.approx(published, abs=5e-4)
    assert result.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.169, abs=5e-4)


def test_a_consistent_matrix_gives_exact_ratios():
    # a_ij = w_i / w_j with w = (4, 2, 1) / 7: lambda_max = n = 3, CI = CR = 0
    result = ahp_weights(
        ["impact", "cost", "quality"], [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    )
    assert result.weights == pytest.approx(
        {"impact": 4 / 7, "cost": 2 / 7, "quality": 1 / 7}, abs=1e-12
    )
    assert result.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_two_criteria_are_always_consistent():
    # [[1, 3], [1/3, 1]]: w = (3, 1) / 4
    result = ahp_weights(["a", "b"], [[1, 3], [1 / 3, 1]])
    assert result.weights == pytest.approx({"a": 0.75, "b": 0.25}, abs=1e-12)
    assert result.consistency_ratio == 0.0


def test_typed_reciprocals_are_accepted():
    # 0.333 for 1/3: 3 x 0.333 = 0.999, within the 0.01 tolerance
    result = ahp_weights(["a", "b"], [[1, 3], [0.333, 1]])
    assert result.weights["a"] == pytest.approx(0.75, abs=1e-3)


@pytest.mark.parametrize(
    ("matrix", "field", "message"),
    [
        ([[1, 3, 2], [1 / 3, 1, 2], [0.5, 1 / 3, 1]], "matrix[1][2]", "are not reciprocal"),
        ([[1, 3, 0], [1 / 3, 1, 1], [1, 1, 1]], "matrix[0][2]", "must be a positive number, got 0"),
        ([[1, -3, 1], [1 / 3, 1, 1], [1, 1, 1]], "matrix[0][1]", "must be a positive number"),
        ([[2, 1, 1], [1, 1, 1], [1, 1, 1]], "matrix[0][0]", "compared with itself must be 1"),
        ([[1, 1], [1, 1]], "matrix", "must be 3 x 3"),
        ([[1, "x", 1], [1, 1, 1], [1, 1, 1]], "matrix", "square table of numbers"),
    ],
)
def test_invalid_matrices_are_refused(matrix, field, message):
    with pytest.raises(AhpError) as raised:
        ahp_weights(["a", "b", "c"], matrix)
    assert raised.value.errors[0].field == field
    assert message in raised.value.errors[0].message
