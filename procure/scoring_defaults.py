"""The default metric catalog and scoring profile (config/metrics.toml and
config/scoring_profile.toml), read once per process. Reference data, as procure.reference is:
outside every area, so that any area reads the defaults from this one place (the disclosure
pages age evidence by the default profile's `evidence_age_months`)."""

from __future__ import annotations

from functools import lru_cache

import scoring
from procure.settings import resource_dir


@lru_cache(maxsize=1)
def catalog() -> scoring.Catalog:
    return scoring.load_catalog(resource_dir("config") / "metrics.toml")


@lru_cache(maxsize=1)
def standard_metrics() -> scoring.Catalog:
    """The standard metrics (config/metrics.toml's [[standard_metrics]]: one per beneficiary
    group), which a buyer or a coalition adds to its catalog by key; none is in `catalog()`."""
    return scoring.load_standard_metrics(resource_dir("config") / "metrics.toml")


@lru_cache(maxsize=1)
def default_profile() -> scoring.Profile:
    return scoring.load_profile(resource_dir("config") / "scoring_profile.toml", catalog())


DEFAULT_IMPACT_VENDOR_MIN_SCORE = 50.0
"""The impact score (0–100) from which a vendor counts as an impact vendor when nothing else
names one: in spend reports, coalitions, the spend-share target and the plans' comparison."""
