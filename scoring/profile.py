"""Scoring profiles: a buyer's weights, goalposts, evidence factors and knock-out policy.

A profile is data. It round-trips through a plain dict (``profile_from_dict(p.to_dict(),
catalog) == p``) so the app can keep it as JSON; ``config/scoring_profile.toml`` holds the
default (DESIGN §4). Shape::

    knockout_below_minimum_wage = true      # false turns the minimum-wage knock-out off
    quality_goalposts = [0.8, 1.0]          # quality pillar = clip((q - L) / (U - L), 0, 1)
    evidence_age_months = 24                # optional (default 24): see Profile

    [pillar_weights]                        # >= 0, sum to 1
    impact = 0.45
    cost = 0.30
    quality = 0.25

    [metric_weights]                        # within the impact pillar; >= 0, sum to 1;
    impact_worker_share = 0.25              # catalog metrics left out weigh 0
    ...

    [evidence_factors]                      # all six levels, each 0-1
    none = 0.0
    ...

    [goalposts]                             # optional per-metric overrides of the catalog's
    living_wage_ratio = [0.8, 1.2]
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from types import MappingProxyType
from typing import Any

from scoring.catalog import Catalog, Metric
from scoring.contract import EVIDENCE_LEVELS, PILLARS
from scoring.errors import FieldErrors, ProfileError

WEIGHT_SUM_TOLERANCE = 1e-9
REQUIRED_SETTINGS = (
    "pillar_weights",
    "metric_weights",
    "evidence_factors",
    "knockout_below_minimum_wage",
    "quality_goalposts",
)
OPTIONAL_SETTINGS = ("goalposts", "evidence_age_months")
# A verification counts one evidence level lower from this many months after the end of the
# period it is about (a profile that leaves the setting out, as stored profiles do, takes this).
DEFAULT_EVIDENCE_AGE_MONTHS = 24
MAX_EVIDENCE_AGE_MONTHS = 120
NOT_IN_CATALOG = "is not a metric of the catalog"


@dataclass(frozen=True)
class Profile:
    """A validated scoring profile (build it with :func:`profile_from_dict`).

    - ``pillar_weights``: impact, cost, quality weights in the total (each 0-1, sum 1);
    - ``metric_weights``: weight of each metric inside the impact pillar (0-1, sum 1);
    - ``evidence_factors``: multiplier 0-1 per evidence level;
    - ``knockout_below_minimum_wage``: whether an entry wage below the minimum wage zeroes
      the total;
    - ``quality_goalposts``: quality (0-1 scale) that scores 0 and 1 in the quality pillar;
    - ``goalposts``: per-metric overrides of the catalog goalposts, in the metric's unit;
    - ``evidence_age_months``: whole months after a reporting period's end from which a buyer's
      verification of that period's disclosure counts one evidence level lower (1-120). The
      pipeline does not read it: the app applies it when it derives a section's effective
      evidence level, before the table reaches :func:`scoring.score_table`.
    """

    pillar_weights: Mapping[str, float]
    metric_weights: Mapping[str, float]
    evidence_factors: Mapping[str, float]
    knockout_below_minimum_wage: bool
    quality_goalposts: tuple[float, float]
    goalposts: Mapping[str, tuple[float, float]]
    evidence_age_months: int = DEFAULT_EVIDENCE_AGE_MONTHS

    def weight_of(self, metric_key: str) -> float:
        """Weight of a metric inside the impact pillar (0 when the profile leaves it out)."""
        return self.metric_weights.get(metric_key, 0.0)

    def goalposts_of(self, metric: Metric) -> tuple[float, float]:
        """The profile's goalposts for ``metric``, else the catalog's."""
        return self.goalposts.get(metric.key, metric.goalposts)

    def to_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready plain data, in the shape :func:`profile_from_dict` reads."""
        return {
            "pillar_weights": dict(self.pillar_weights),
            "metric_weights": dict(self.metric_weights),
            "evidence_factors": dict(self.evidence_factors),
            "knockout_below_minimum_wage": self.knockout_below_minimum_wage,
            "quality_goalposts": list(self.quality_goalposts),
            "goalposts": {key: list(bounds) for key, bounds in self.goalposts.items()},
            "evidence_age_months": self.evidence_age_months,
        }


def profile_from_dict(data: Mapping[str, Any], catalog: Catalog) -> Profile:
    """Build and validate a profile against ``catalog``.

    Raises :class:`ProfileError` listing every problem, each with the setting it is about
    (e.g. ``metric_weights.living_wage_ratio``): weights must be numbers >= 0 that sum to 1
    within 1e-9 (pillar weights; metric weights within the impact pillar), every metric weight
    and goalpost must name a catalog metric, goalposts need L != U, evidence factors must
    be given for all six levels, each within 0-1, and ``evidence_age_months`` (optional) must be
    a whole number of months from 1 to 120.
    """
    errors = FieldErrors()
    if errors.read_table(data, "profile") is None:
        errors.raise_if_any(ProfileError)
    for unknown in sorted(set(data) - set(REQUIRED_SETTINGS) - set(OPTIONAL_SETTINGS)):
        errors.add(unknown, "unknown setting")
    for missing in [name for name in REQUIRED_SETTINGS if name not in data]:
        errors.add(missing, "is required")
    errors.raise_if_any(ProfileError)

    pillar_weights = _read_weights(
        data["pillar_weights"],
        "pillar_weights",
        PILLARS,
        f"unknown pillar (known: {', '.join(PILLARS)})",
        errors,
        all_required=True,
    )
    metric_weights = _read_weights(
        data["metric_weights"],
        "metric_weights",
        catalog.keys,
        NOT_IN_CATALOG,
        errors,
        all_required=False,
    )
    evidence_factors = _read_evidence_factors(data["evidence_factors"], errors)
    knockout = data["knockout_below_minimum_wage"]
    if not isinstance(knockout, bool):
        errors.add("knockout_below_minimum_wage", f"must be true or false, got {knockout!r}")
    quality_goalposts = errors.read_goalposts(data["quality_goalposts"], "quality_goalposts")
    goalposts = _read_metric_goalposts(data.get("goalposts", {}), catalog, errors)
    age_months = _read_age_months(
        data.get("evidence_age_months", DEFAULT_EVIDENCE_AGE_MONTHS), errors
    )
    errors.raise_if_any(ProfileError)
    assert quality_goalposts is not None  # read_goalposts records an error when it gives None
    return Profile(
        pillar_weights=MappingProxyType(pillar_weights),
        metric_weights=MappingProxyType(metric_weights),
        evidence_factors=MappingProxyType(evidence_factors),
        knockout_below_minimum_wage=knockout,
        quality_goalposts=quality_goalposts,
        goalposts=MappingProxyType(goalposts),
        evidence_age_months=age_months,
    )


def load_profile(path: str | PathLike[str], catalog: Catalog) -> Profile:
    """Read a profile TOML file and validate it against ``catalog``. A TOML syntax error
    raises ``tomllib.TOMLDecodeError`` (a ValueError); bad content, ProfileError."""
    with open(path, "rb") as file:
        return profile_from_dict(tomllib.load(file), catalog)


def _read_weights(
    value: Any,
    field: str,
    names: tuple[str, ...],
    unknown_message: str,
    errors: FieldErrors,
    *,
    all_required: bool,
) -> dict[str, float]:
    """Weights >= 0 summing to 1 within 1e-9; ``names`` are the allowed keys."""
    table = errors.read_table(value, field)
    if table is None:
        return {}
    known_errors = len(errors.errors)
    weights: dict[str, float] = {}
    for name, weight in table.items():
        if name not in names:
            errors.add(f"{field}.{name}", unknown_message)
            continue
        number = errors.read_number(weight, f"{field}.{name}", low=0.0)
        if number is not None:
            weights[name] = number
    if all_required:
        for missing in [name for name in names if name not in table]:
            errors.add(f"{field}.{missing}", "is required")
    if len(errors.errors) == known_errors:  # a sum is only worth checking over valid weights
        total = math.fsum(weights.values())
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            errors.add(field, f"weights must sum to 1, they sum to {total:.12g}")
    return weights


def _read_evidence_factors(value: Any, errors: FieldErrors) -> dict[str, float]:
    table = errors.read_table(value, "evidence_factors")
    if table is None:
        return {}
    for unknown in sorted(set(table) - set(EVIDENCE_LEVELS)):
        known = ", ".join(EVIDENCE_LEVELS)
        errors.add(f"evidence_factors.{unknown}", f"unknown evidence level (known: {known})")
    factors: dict[str, float] = {}
    for level in EVIDENCE_LEVELS:
        if level not in table:
            errors.add(f"evidence_factors.{level}", "is required")
            continue
        factor = errors.read_number(table[level], f"evidence_factors.{level}", low=0.0, high=1.0)
        if factor is not None:
            factors[level] = factor
    return factors


def _read_age_months(value: Any, errors: FieldErrors) -> int:
    """A whole number of months, 1-120 (a float such as 24.0 is refused: months are counted)."""
    months = errors.read_number(
        value, "evidence_age_months", low=1.0, high=float(MAX_EVIDENCE_AGE_MONTHS)
    )
    if months is None:
        return DEFAULT_EVIDENCE_AGE_MONTHS
    if not isinstance(value, int):
        errors.add("evidence_age_months", f"must be a whole number of months, got {value!r}")
        return DEFAULT_EVIDENCE_AGE_MONTHS
    return value


def _read_metric_goalposts(
    value: Any, catalog: Catalog, errors: FieldErrors
) -> dict[str, tuple[float, float]]:
    table = errors.read_table(value, "goalposts")
    if table is None:
        return {}
    goalposts: dict[str, tuple[float, float]] = {}
    for key, bounds in table.items():
        if key not in catalog:
            errors.add(f"goalposts.{key}", NOT_IN_CATALOG)
            continue
        checked = errors.read_goalposts(bounds, f"goalposts.{key}")
        if checked is not None:
            goalposts[key] = checked
    return goalposts
