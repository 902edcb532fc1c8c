"""Peer percentiles within a service category."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring import add_metric, peer_percentiles, score_table


def test_golden_peer_percentiles(golden_table, catalog, profile):
    peers = peer_percentiles(score_table(golden_table(), catalog, profile))
    # annotation: V1, V2, V3; support: V4 alone
    # impact_worker_share V1 .3, V2 .5, V3 .2 -> worst to best V3, V1, V2 -> 100 x (2, 3, 1) / 3
    np.testing.assert_allclose(peers["impact_worker_share"], [200 / 3, 100, 100 / 3, 100])
    # impact_hire_share V1 .25, V2 not disclosed, V3 1.0 -> N = 2: V1 100 x 1/2, V3 100 x 2/2
    np.testing.assert_allclose(peers["impact_hire_share"], [50, math.nan, 100, 100])
    # living_wage_ratio V1 1.0, V2 1.25, V3 1.0: V1 and V3 tie on ranks 1 and 2 -> 1.5
    #   -> 100 x 1.5 / 3 = 50; V2 100 x 3/3
    np.testing.assert_allclose(peers["living_wage_ratio"], [50, 100, 50, 100])
    # V4 disclosed no training: not a peer and no percentile
    assert math.isnan(peers.at["V4", "training_spend_per_fte_usd"])


def test_lower_is_better_metrics_rank_small_values_high(golden_table, catalog, profile):
    extended = add_metric(
        catalog,
        {
            "key": "headcount_growth",
            "label": "Headcount growth",
            "unit": "ratio",
            "formula": "headcount_end / headcount_start",
            "direction": "lower",
            "goalposts": [1.0, 2.0],
            "section": "workforce",
            "source": "GRI 401-1",
        },
    )
    peers = peer_percentiles(score_table(golden_table(), extended, profile))
    # V1 100/80 = 1.25, V2 200/190 = 1.053, V3 50/10 = 5 -> lower is better:
    # worst to best V3, V1, V2 -> 100 x (2, 3, 1) / 3
    assert peers["headcount_growth"].tolist()[:3] == pytest.approx([200 / 3, 100, 100 / 3])
