"""How stable the ranking is when the weights move.

Weights are drawn from a Dirichlet distribution centred on the profile's weights:
``alpha = concentration x weights``. The draws average to the profile's weights; a larger
concentration keeps them closer (with the default 50, a weight of 0.45 has a standard
deviation of about 0.07). A weight of 0 stays 0. Each draw re-totals every vendor (one
matrix product for all draws) and re-ranks them (total descending, ties to the lower
vendor id; knocked-out vendors keep a total of 0).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.aggregate import natural_order
from scoring.contract import PILLARS
from scoring.pipeline import POINTS_PER_TOTAL
from scoring.result import ScoreTables

VARY_CHOICES = ("pillars", "metrics", "both")


def dirichlet_around(
    weights: npt.NDArray[np.float64], concentration: float, draws: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """``draws`` x len(weights) random weights, each row summing to 1, with mean ``weights``
    (which must be >= 0 and sum to 1); zero weights stay zero."""
    weights = np.asarray(weights, dtype=float)
    positive = weights > 0
    sampled = np.zeros((draws, len(weights)))
    sampled[:, positive] = rng.dirichlet(concentration * weights[positive], size=draws)
    return sampled


def rank_stability(
    result: ScoreTables,
    *,
    draws: int = 1000,
    concentration: float = 50.0,
    top_k: int = 3,
    seed: int = 0,
    vary: str = "pillars",
) -> pd.DataFrame:
    """Each vendor's rank under ``draws`` random weightings around the profile's.

    ``vary`` picks what moves: ``"pillars"`` (impact/cost/quality weights), ``"metrics"``
    (the metric weights inside the impact pillar) or ``"both"``. The same ``seed`` gives the
    same output. Returns, indexed by vendor id: ``rank`` (with the profile's own weights),
    ``p_top_k`` (share of draws, 0-1, in which the vendor ranks ``top_k`` or better),
    ``rank_p05``, ``rank_median`` and ``rank_p95`` (5th, 50th and 95th percentile of its
    drawn ranks; they are actual ranks, numpy's ``inverted_cdf`` method; the 90 % interval is
    ``rank_p05``-``rank_p95``).
    """
    if vary not in VARY_CHOICES:
        raise ValueError(f"vary must be one of {', '.join(VARY_CHOICES)}, got {vary!r}")
    if draws < 1 or concentration <= 0 or top_k < 1:
        raise ValueError("draws and top_k must be >= 1 and concentration > 0")
    profile, scores = result.profile, result.scores
    rng = np.random.default_rng(seed)
    pillar_weights = np.array([profile.pillar_weights[pillar] for pillar in PILLARS])
    metric_weights = np.array([profile.weight_of(key) for key in result.catalog.keys])
    if vary in ("pillars", "both"):
        pillar_weights = dirichlet_around(pillar_weights, concentration, draws, rng)
    if vary in ("metrics", "both"):
        metric_weights = dirichlet_around(metric_weights, concentration, draws, rng)
    pillar_weights = np.atleast_2d(pillar_weights)
    impact = np.atleast_2d(metric_weights) @ result.evidence_adjusted.to_numpy().T
    totals = POINTS_PER_TOTAL * (
        pillar_weights[:, [0]] * impact
        + pillar_weights[:, [1]] * scores["cost"].to_numpy()
        + pillar_weights[:, [2]] * scores["quality"].to_numpy()
    )
    totals = np.broadcast_to(totals, (draws, len(scores))).copy()
    totals[:, scores["knocked_out"].to_numpy()] = 0.0

    # Columns in natural id order, so a stable sort sends ties to the lower id.
    by_id = natural_order(scores.index.to_numpy())
    order = np.argsort(-totals[:, by_id], axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(scores) + 1)[None, :], axis=1)
    ranks_by_vendor = np.empty_like(ranks)
    ranks_by_vendor[:, by_id] = ranks
    low, median, high = np.percentile(ranks_by_vendor, [5, 50, 95], axis=0, method="inverted_cdf")
    return pd.DataFrame(
        {
            "rank": scores["rank"].to_numpy(),
            "p_top_k": (ranks_by_vendor <= top_k).mean(axis=0),
            "rank_p05": low.astype(int),
            "rank_median": median.astype(int),
            "rank_p95": high.astype(int),
        },
        index=scores.index,
    )
