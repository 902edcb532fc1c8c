"""Step 3 of the pipeline: the evidence discount, ``n_adj = f x n``.

Each metric belongs to one evidence section (workforce, wages, training); the vendor's
evidence level for that section picks the factor ``f`` (0-1) from the profile. A metric of a
figure the buyer measured itself (section ``measured``) has the factor 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.catalog import Catalog
from scoring.contract import EVIDENCE_COLUMNS, EVIDENCE_LEVELS, ID_COLUMN, METRIC_SECTIONS, SECTIONS
from scoring.profile import Profile


def evidence_factors(vendors: pd.DataFrame, catalog: Catalog, profile: Profile) -> pd.DataFrame:
    """The evidence factor (0-1) of each vendor (rows, indexed by vendor id) for each catalog
    metric (columns), from the vendor's evidence level in the metric's section."""
    by_section = np.column_stack(
        [_factors(vendors[EVIDENCE_COLUMNS[section]], profile) for section in SECTIONS]
        + [np.ones(len(vendors))]  # measured: never discounted
    )
    section_of_metric = [METRIC_SECTIONS.index(metric.section) for metric in catalog]
    return pd.DataFrame(
        by_section[:, section_of_metric],
        index=pd.Index(vendors[ID_COLUMN], name=ID_COLUMN),
        columns=list(catalog.keys),
    )


def _factors(levels: pd.Series, profile: Profile) -> npt.NDArray[np.float64]:
    """Factor per vendor, through the level's position among the six known levels."""
    codes: npt.NDArray[np.intp] = pd.Categorical(levels, categories=EVIDENCE_LEVELS).codes
    return np.array([profile.evidence_factors[level] for level in EVIDENCE_LEVELS])[codes]
