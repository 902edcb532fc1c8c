"""TOPSIS (Hwang & Yoon 1981): a second ranking view beside the weighted sum.

Vector-normalise each criterion (``r = x / sqrt(sum x^2)``), weight it, take the ideal
(best value of each criterion) and the anti-ideal (worst), and score each alternative by its
closeness ``C = D- / (D+ + D-)`` (0-1, 1 = at the ideal), where D+ and D- are Euclidean
distances to the ideal and the anti-ideal. Unlike the fixed-goalpost total, TOPSIS depends on
which vendors are in the pool: adding one can reorder others (rank reversal), so show it as
a view, never as the score of record.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.aggregate import rank_descending
from scoring.result import ScoreTables


def topsis(
    matrix: npt.ArrayLike, weights: npt.ArrayLike, benefit: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Closeness (0-1) of each alternative (rows) over criteria (columns).

    ``weights`` (one per criterion, >= 0) need not sum to 1; ``benefit`` is True where larger
    is better and False for cost criteria. A criterion whose values are all 0 carries no
    information and drops out; when an alternative is both ideal and anti-ideal (all
    alternatives equal) its closeness is 1.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape[0] == 0:  # no alternative (every vendor knocked out): nothing to rank
        return np.zeros(0)
    weights = np.asarray(weights)
    norms = np.sqrt((matrix**2).sum(axis=0))
    weighted = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0) * weights
    best = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    worst = np.where(benefit, weighted.min(axis=0), weighted.max(axis=0))
    to_best = np.sqrt(((weighted - best) ** 2).sum(axis=1))
    to_worst = np.sqrt(((weighted - worst) ** 2).sum(axis=1))
    spread = to_best + to_worst
    closeness: npt.NDArray[np.float64] = np.divide(
        to_worst, spread, out=np.ones_like(spread), where=spread > 0
    )
    return closeness


def topsis_ranking(result: ScoreTables) -> pd.DataFrame:
    """TOPSIS over the vendors that are not knocked out, on the same criteria as the total:
    each metric's evidence-adjusted normalised value (weight: impact pillar weight x metric
    weight) and the cost and quality pillars (their pillar weights), all larger-is-better.

    Returns ``closeness`` (0-1) and ``rank`` (1 = best; ties to the lower vendor id, as for
    the total), indexed by vendor id, for the vendors still in the running.
    """
    profile, scores = result.profile, result.scores
    eligible = ~scores["knocked_out"].to_numpy()
    adjusted = result.evidence_adjusted.to_numpy()
    matrix = np.column_stack([adjusted, scores["cost"], scores["quality"]])[eligible]
    pillar_weights = profile.pillar_weights
    weights = np.array(
        [
            *(pillar_weights["impact"] * profile.weight_of(key) for key in result.catalog.keys),
            pillar_weights["cost"],
            pillar_weights["quality"],
        ]
    )
    closeness = topsis(matrix, weights, np.ones(len(weights), dtype=bool))
    ids = scores.index[eligible]
    return pd.DataFrame(
        {"closeness": closeness, "rank": rank_descending(closeness, ids.to_numpy())}, index=ids
    )
