"""Step 2 of the pipeline: fixed-goalpost normalisation to 0-1.

Fixed goalposts (rather than the min and max of the current vendors) keep a vendor's score
from moving when another vendor joins or leaves.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.catalog import Catalog
from scoring.profile import Profile


def goalpost_scores(
    values: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64] | float,
    upper: npt.NDArray[np.float64] | float,
    higher_is_better: npt.NDArray[np.bool_] | bool = True,
) -> npt.NDArray[np.float64]:
    """``clip((x - L) / (U - L), 0, 1)``, or one minus that where lower is better.

    Values are in the metric's own unit and the result is 0-1. A missing value (NaN,
    "not disclosed") scores 0: it is never imputed. Arrays broadcast, so ``values`` may be
    vendors x metrics with one ``lower``/``upper``/``higher_is_better`` per metric.
    """
    with np.errstate(invalid="ignore"):
        scores = np.clip((values - lower) / (upper - lower), 0.0, 1.0)
    scores = np.where(higher_is_better, scores, 1.0 - scores)
    return np.nan_to_num(scores, nan=0.0)


def normalise(values: pd.DataFrame, catalog: Catalog, profile: Profile) -> pd.DataFrame:
    """Normalised metric values (0-1, 0 where not disclosed), same shape as ``values``,
    using the profile's goalposts or else the catalog's."""
    goalposts = np.array([profile.goalposts_of(metric) for metric in catalog])
    higher = np.array([metric.direction == "higher" for metric in catalog])
    scores = goalpost_scores(values.to_numpy(dtype=float), goalposts[:, 0], goalposts[:, 1], higher)
    return pd.DataFrame(scores, index=values.index, columns=values.columns)
