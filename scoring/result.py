"""The tables one scoring run computed, shared by the pipeline and every view of its result.

:class:`ScoreTables` is plain data: the pipeline (:mod:`scoring.pipeline`) builds it, and the
scorecard (:mod:`scoring.explain`), the output table (:mod:`scoring.table`), TOPSIS, the rank
stability and the peer percentiles read it. Keeping it here, below all of them, is what lets
the pipeline offer the scorecard as ``ScoreResult.explanation`` without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring.catalog import Catalog
from scoring.profile import Profile


@dataclass(frozen=True)
class ScoreTables:
    """Everything the pipeline computed, one row per vendor, indexed by vendor id in input
    order. :func:`scoring.pipeline.score_table` builds it (as a
    :class:`~scoring.pipeline.ScoreResult`).

    - ``scores``: ``category``; the pillars ``impact``, ``cost``, ``quality`` (0-1);
      ``total`` (0-100 points); ``rank`` (1 = best; ties to the lower vendor id in natural
      order, see :mod:`scoring.aggregate`); ``knocked_out`` and
      ``knockout_reason``; ``impact_score`` = 100 x impact (the optimizer's 0-100 score).
    - ``metric_values``: raw metric values in each metric's unit (NaN = not disclosed).
    - ``normalised``: 0-1 after the goalposts (0 where not disclosed).
    - ``evidence_factors``: 0-1 factor applied to each metric.
    - ``impact_contributions``: weight x factor x normalised, per metric; the impact pillar
      is their sum (0-1).
    - ``points``: contribution of each metric and of the ``cost`` and ``quality`` pillars
      to the total, in points; a row sums to the total before any knock-out.
    - ``vendors``: the checked input table.
    """

    scores: pd.DataFrame
    metric_values: pd.DataFrame
    normalised: pd.DataFrame
    evidence_factors: pd.DataFrame
    impact_contributions: pd.DataFrame
    points: pd.DataFrame
    vendors: pd.DataFrame
    catalog: Catalog
    profile: Profile

    @property
    def evidence_adjusted(self) -> pd.DataFrame:
        """``n_adj`` = evidence factor x normalised value (0-1), per vendor and metric."""
        return self.normalised * self.evidence_factors
