"""AHP (Saaty): weights from a pairwise comparison matrix, with a consistency check.

``matrix[i][j]`` says how much more important criterion i is than j on Saaty's 1-9 scale
(1/3 means j is moderately more important); it must be positive and reciprocal
(``matrix[j][i] = 1 / matrix[i][j]``, diagonal 1). The weights are the principal
eigenvector, normalised to sum to 1. ``CI = (lambda_max - n) / (n - 1)`` and
``CR = CI / RI(n)`` with Saaty's random index; a CR above 0.10 is refused, because such
judgements contradict each other too much to yield meaningful weights. Use AHP to elicit
criterion weights (pillar or metric weights), never to rank vendors: it re-ranks poorly
when alternatives change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from scoring.errors import AhpError, FieldError, FieldErrors

# Saaty's random consistency index by matrix size (impact-metrics.md §2.7).
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
MAX_CONSISTENCY_RATIO = 0.10
# Judgements are typed by people: 0.333 for 1/3 must pass as reciprocal.
RECIPROCITY_TOLERANCE = 0.01


@dataclass(frozen=True)
class AhpResult:
    """``weights`` by label (0-1, sum 1), ``lambda_max`` (the principal eigenvalue),
    ``consistency_index`` and ``consistency_ratio`` (0 is perfectly consistent)."""

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float


def ahp_weights(
    labels: Sequence[str],
    matrix: Sequence[Sequence[float]] | npt.NDArray[np.float64],
    *,
    max_consistency_ratio: float = MAX_CONSISTENCY_RATIO,
) -> AhpResult:
    """Weights for ``labels`` from their pairwise comparison ``matrix`` (n x n, n = 1-10).

    Raises :class:`~scoring.errors.AhpError` listing every entry that is not a positive
    finite number, a diagonal entry other than 1, every non-reciprocal pair, or, for a valid
    matrix, a consistency ratio above ``max_consistency_ratio`` (the value is in the message).
    """
    comparisons = _checked_matrix(labels, matrix)
    size = len(labels)
    eigenvalues, eigenvectors = np.linalg.eig(comparisons)
    principal = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[principal].real)
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    consistency_index = (lambda_max - size) / (size - 1) if size > 2 else 0.0
    consistency_ratio = consistency_index / RANDOM_INDEX[size] if size > 2 else 0.0
    if consistency_ratio > max_consistency_ratio:
        message = (
            f"consistency ratio {consistency_ratio:.3f} is above {max_consistency_ratio:.2f}: "
            "the comparisons contradict each other; revise them"
        )
        raise AhpError([FieldError("matrix", message)])
    return AhpResult(
        weights=dict(zip(labels, map(float, weights), strict=True)),
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        consistency_ratio=consistency_ratio,
    )


def pairs(labels: Sequence[str]) -> list[tuple[str, str]]:
    """The judgements a full comparison of ``labels`` needs: each pair once, in label order."""
    return list(combinations(labels, 2))


def judgement_matrix(
    labels: Sequence[str], judgements: Mapping[tuple[str, str], float]
) -> list[list[float]]:
    """The reciprocal comparison matrix from one judgement per pair ``(first, second)``: how
    much more important ``first`` is than ``second`` (1/9 to 9). A missing pair counts as 1
    (equally important).

    Raises :class:`~scoring.errors.AhpError` naming ``"first.second"`` for a judgement that
    is not a positive finite number, and ``"judgements"`` for a pair of unknown labels.
    """
    index = {label: position for position, label in enumerate(labels)}
    matrix = [[1.0] * len(labels) for _ in labels]
    errors = FieldErrors()
    for (first, second), value in judgements.items():
        if first not in index or second not in index:
            errors.add("judgements", f"unknown pair {first!r}, {second!r}")
        elif not (np.isfinite(value) and value > 0):
            errors.add(f"{first}.{second}", "Use a positive number.")
        else:
            matrix[index[first]][index[second]] = float(value)
            matrix[index[second]][index[first]] = 1.0 / float(value)
    errors.raise_if_any(AhpError)
    return matrix


def _checked_matrix(
    labels: Sequence[str], matrix: Sequence[Sequence[float]] | npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    size = len(labels)
    try:
        comparisons = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise AhpError([FieldError("matrix", "must be a square table of numbers")]) from None
    if comparisons.shape != (size, size):
        message = f"must be {size} x {size} (a row and a column per label), got {comparisons.shape}"
        raise AhpError([FieldError("matrix", message)])
    if size not in RANDOM_INDEX:
        message = f"AHP supports 1 to {max(RANDOM_INDEX)} criteria, got {size}"
        raise AhpError([FieldError("matrix", message)])
    errors = FieldErrors()
    for i, j in zip(*np.nonzero(~(np.isfinite(comparisons) & (comparisons > 0))), strict=True):
        errors.add(f"matrix[{i}][{j}]", f"must be a positive number, got {comparisons[i, j]:g}")
    errors.raise_if_any(AhpError)
    for i in range(size):
        if abs(comparisons[i, i] - 1.0) > RECIPROCITY_TOLERANCE:
            message = f"a criterion compared with itself must be 1, got {comparisons[i, i]:g}"
            errors.add(f"matrix[{i}][{i}]", message)
    for i, j in zip(*np.triu_indices(size, k=1), strict=True):
        if abs(comparisons[i, j] * comparisons[j, i] - 1.0) > RECIPROCITY_TOLERANCE:
            errors.add(
                f"matrix[{i}][{j}]",
                f"{comparisons[i, j]:g} and matrix[{j}][{i}] = {comparisons[j, i]:g} are not "
                "reciprocal (their product must be 1)",
            )
    errors.raise_if_any(AhpError)
    return comparisons
