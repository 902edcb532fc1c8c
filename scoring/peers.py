"""Peer percentiles: where a vendor stands on each metric among vendors of its category."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.contract import CATEGORY_COLUMN
from scoring.result import ScoreTables


def peer_percentiles(result: ScoreTables) -> pd.DataFrame:
    """Percentile rank (0-100) of each vendor's raw metric value among the vendors of the
    same service category that disclosed that metric; same shape and index as
    ``result.metric_values``.

    percentile = 100 x r / N, where N counts the category's vendors that disclosed the metric
    (the vendor included) and r is the vendor's rank among them from worst to best (the
    metric's direction decides what "better" means); tied values share their average rank.
    So the best vendor gets 100 and a vendor alone in its category gets 100. A vendor that
    did not disclose the metric gets NaN and is not counted as a peer. Knocked-out vendors
    still count as peers: their disclosures are as real as anyone's.
    """
    values = result.metric_values
    sign = np.array([1.0 if metric.direction == "higher" else -1.0 for metric in result.catalog])
    merit = values * sign
    return merit.groupby(result.scores[CATEGORY_COLUMN], sort=False).rank(pct=True) * 100.0
