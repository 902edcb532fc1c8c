"""The scorecard: a long table that explains every point of every vendor's total.

For each vendor, in input order: one row per catalog metric, then a ``cost`` row and a
``quality`` row, then, for a knocked-out vendor only, a ``knock_out`` row whose ``points``
cancel the rest. So for every vendor the ``points`` column sums to its ``total`` (to
floating-point rounding, below 1e-9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.contract import EVIDENCE_COLUMNS, ID_COLUMN, METRIC_SECTIONS, SECTIONS, UNIT_COLUMN
from scoring.metrics import missing_reasons
from scoring.result import ScoreTables

# the evidence level a measured metric's rows show: the buyer's own figure, not a claim
MEASURED_LEVEL = "measured_by_the_buyer"

COST_LABEL = "Price: lowest in category and unit / this price"
QUALITY_LABEL = "Delivery quality"
EXPLANATION_COLUMNS = (
    ID_COLUMN,
    "pillar",
    "metric",
    "label",
    "raw_value",
    "unit",
    "normalised",
    "section",
    "evidence_level",
    "evidence_factor",
    "weight",
    "pillar_weight",
    "impact_contribution",
    "points",
    "not_disclosed",
    "missing_reason",
)
QUALITY_NOT_STATED = "Not disclosed: the offer scored states no quality"


def explanation_table(result: ScoreTables) -> pd.DataFrame:
    """One row per vendor and scorecard line, with the columns of ``EXPLANATION_COLUMNS``:

    - ``raw_value`` in ``unit`` (the metric value; the price for ``cost``, in "price per
      hour" when the offer's unit is known; the 0-1 quality for ``quality``), NaN when not
      disclosed, and ``not_disclosed`` True then;
    - ``normalised`` 0-1 (for ``cost`` and ``quality`` rows: the pillar value);
    - ``section``, ``evidence_level`` and ``evidence_factor`` (0-1) for metric rows;
    - ``weight``: weight inside the pillar (metric weight for impact metrics, 1 for cost and
      quality); ``pillar_weight``: the pillar's weight in the total;
    - ``impact_contribution``: weight x factor x normalised, the metric's share of the
      impact pillar (0-1; NaN for other rows);
    - ``points``: contribution to the total in points (0-100 scale);
    - ``missing_reason``: why ``raw_value`` is NaN, naming the disclosed figure that is missing
      or 0 (:func:`scoring.metrics.missing_reasons`); None where the value is known.
    """
    catalog, profile, vendors, scores = (
        result.catalog,
        result.profile,
        result.vendors,
        result.scores,
    )
    ids = scores.index.to_numpy()
    size, metric_count = len(ids), len(catalog)
    section_of_metric = [METRIC_SECTIONS.index(metric.section) for metric in catalog]
    levels = np.column_stack(
        [vendors[EVIDENCE_COLUMNS[section]].to_numpy(dtype=object) for section in SECTIONS]
        + [np.full(len(vendors), MEASURED_LEVEL, dtype=object)]
    )[:, section_of_metric]
    raw = result.metric_values.to_numpy()

    def per_metric(values: Sequence[object] | npt.NDArray[Any]) -> npt.NDArray[np.object_]:
        return np.tile(np.asarray(values, dtype=object), size)

    metric_rows = pd.DataFrame(
        {
            ID_COLUMN: np.repeat(ids, metric_count),
            "pillar": "impact",
            "metric": per_metric(catalog.keys),
            "label": per_metric([metric.label for metric in catalog]),
            "raw_value": raw.ravel(),
            "unit": per_metric([metric.unit for metric in catalog]),
            "normalised": result.normalised.to_numpy().ravel(),
            "section": per_metric([metric.section for metric in catalog]),
            "evidence_level": levels.ravel(),
            "evidence_factor": result.evidence_factors.to_numpy().ravel(),
            "weight": np.tile([profile.weight_of(key) for key in catalog.keys], size),
            "pillar_weight": profile.pillar_weights["impact"],
            "impact_contribution": result.impact_contributions.to_numpy().ravel(),
            "points": result.points[list(catalog.keys)].to_numpy().ravel(),
            "not_disclosed": np.isnan(raw).ravel(),
            "missing_reason": missing_reasons(vendors, catalog, result.metric_values).ravel(),
            "_order": np.tile(np.arange(metric_count), size),
            "_position": np.repeat(np.arange(size), metric_count),
        }
    )
    price = vendors["price"].to_numpy(dtype=float)
    quality = vendors["quality"].to_numpy(dtype=float)
    price_units = [
        f"price per {unit}" if isinstance(unit, str) else "price per unit"
        for unit in vendors[UNIT_COLUMN].to_numpy(dtype=object)
    ]
    cost_rows = _pillar_rows(result, "cost", COST_LABEL, price_units, price, metric_count)
    quality_rows = _pillar_rows(
        result, "quality", QUALITY_LABEL, "0-1", quality, metric_count + 1, QUALITY_NOT_STATED
    )
    knocked_out = scores["knocked_out"].to_numpy()
    knockout_rows = pd.DataFrame(
        {
            ID_COLUMN: ids[knocked_out],
            "pillar": "knock_out",
            "metric": "knock_out",
            "label": scores["knockout_reason"].to_numpy()[knocked_out],
            "points": -result.points.sum(axis=1).to_numpy()[knocked_out],
            "not_disclosed": False,
            "missing_reason": None,
            "_order": metric_count + 2,
            "_position": np.flatnonzero(knocked_out),
        }
    )
    rows = pd.concat([metric_rows, cost_rows, quality_rows, knockout_rows], ignore_index=True)
    order = np.lexsort((rows["_order"].to_numpy(), rows["_position"].to_numpy()))
    return rows.iloc[order][list(EXPLANATION_COLUMNS)].reset_index(drop=True)


def _pillar_rows(
    result: ScoreTables,
    pillar: str,
    label: str,
    unit: str | list[str],
    raw: npt.NDArray[np.float64],
    order: int,
    missing: str | None = None,
) -> pd.DataFrame:
    """One scorecard row per vendor for the single-criterion cost or quality pillar
    (``raw`` is the price or the quality; NaN = not disclosed, which a price never is, and
    ``missing`` says so; ``unit`` one for all vendors or one per vendor)."""
    return pd.DataFrame(
        {
            ID_COLUMN: result.scores.index.to_numpy(),
            "pillar": pillar,
            "metric": pillar,
            "label": label,
            "raw_value": raw,
            "unit": unit,
            "normalised": result.scores[pillar].to_numpy(),
            "weight": 1.0,
            "pillar_weight": result.profile.pillar_weights[pillar],
            "points": result.points[pillar].to_numpy(),
            "not_disclosed": np.isnan(raw),
            "missing_reason": [missing if unknown else None for unknown in np.isnan(raw)],
            "_order": order,
            "_position": np.arange(len(raw)),
        }
    )
