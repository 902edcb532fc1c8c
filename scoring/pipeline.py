"""The scoring pipeline of DESIGN §4, end to end, and the what-if helper.

::

    metric value -> normalised (fixed goalposts) -> x evidence factor -> x metric weight
        -> impact pillar;  cost pillar;  quality pillar
        -> total = 100 x (w_impact x impact + w_cost x cost + w_quality x quality)
        -> knock-out (total 0) -> rank

Each step is a pure function of its own module; this module wires them and keeps every
intermediate table, so a scorecard can explain every point of a vendor's total.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scoring.aggregate import cost_pillar, minimum_wage_knockouts, quality_pillar, rank_descending
from scoring.catalog import Catalog
from scoring.contract import (
    CATEGORY_COLUMN,
    ID_COLUMN,
    REQUIRED_COLUMNS,
    WAGE_CURRENCY_COLUMN,
    WAGE_SITE_COLUMN,
)
from scoring.evidence import evidence_factors
from scoring.explain import explanation_table
from scoring.metrics import metric_values
from scoring.normalise import normalise
from scoring.profile import Profile, profile_from_dict
from scoring.result import ScoreTables
from scoring.table import validate_vendor_table

POINTS_PER_TOTAL = 100.0


@dataclass(frozen=True)
class ScoreResult(ScoreTables):
    """Everything the pipeline computed (the tables of :class:`~scoring.result.ScoreTables`),
    and the scorecard that explains it. Build it with :func:`score_table`."""

    @cached_property
    def explanation(self) -> pd.DataFrame:
        """The long scorecard table (see :func:`scoring.explain.explanation_table`)."""
        return explanation_table(self)


def score_table(
    table: pd.DataFrame, catalog: Catalog, profile: Profile, *, checked: bool = False
) -> ScoreResult:
    """Score every vendor of ``table`` (the input contract of :mod:`scoring.contract`).

    The table is checked first (raises :class:`~scoring.errors.TableError`), unless
    ``checked`` says it is already the result of :func:`~scoring.table.read_vendor_table` or
    :func:`~scoring.table.validate_vendor_table` (checking a million vendors again takes
    seconds). The profile must fit the catalog (raises :class:`~scoring.errors.ProfileError`).
    Inputs are not modified. All steps are vectorised over vendors.
    """
    vendors = table if checked else validate_vendor_table(table)
    # A profile checked against another catalog may name metrics this one lacks.
    profile = profile_from_dict(profile.to_dict(), catalog)
    index = pd.Index(vendors[ID_COLUMN], name=ID_COLUMN)

    values = metric_values(vendors, catalog)
    normalised = normalise(values, catalog, profile)
    factors = evidence_factors(vendors, catalog, profile)
    weights = np.array([profile.weight_of(key) for key in catalog.keys])
    contributions = normalised * factors * weights
    impact = contributions.sum(axis=1).to_numpy()
    cost = cost_pillar(vendors)
    quality = quality_pillar(vendors, profile.quality_goalposts)

    pillar_weights = profile.pillar_weights
    points = pd.concat(
        [
            contributions * (POINTS_PER_TOTAL * pillar_weights["impact"]),
            pd.DataFrame(
                {
                    "cost": POINTS_PER_TOTAL * pillar_weights["cost"] * cost,
                    "quality": POINTS_PER_TOTAL * pillar_weights["quality"] * quality,
                },
                index=index,
            ),
        ],
        axis=1,
    )
    if profile.knockout_below_minimum_wage:
        knocked_out, reasons = minimum_wage_knockouts(vendors)
    else:
        knocked_out = np.zeros(len(vendors), dtype=bool)
        reasons = pd.Series("", index=vendors.index)
    # The clip only removes float rounding (100 x (0.997 + 0.003) can be 100.00000000000001).
    total = np.where(
        knocked_out, 0.0, np.clip(points.sum(axis=1).to_numpy(), 0.0, POINTS_PER_TOTAL)
    )
    scores = pd.DataFrame(
        {
            CATEGORY_COLUMN: vendors[CATEGORY_COLUMN].to_numpy(),
            "impact": impact,
            "cost": cost,
            "quality": quality,
            "total": total,
            "rank": rank_descending(total, vendors[ID_COLUMN].to_numpy()),
            "knocked_out": knocked_out,
            "knockout_reason": reasons.to_numpy(),
            "impact_score": POINTS_PER_TOTAL * impact,
        },
        index=index,
    )
    return ScoreResult(
        scores=scores,
        metric_values=values,
        normalised=normalised,
        evidence_factors=factors,
        impact_contributions=contributions,
        points=points,
        vendors=vendors,
        catalog=catalog,
        profile=profile,
    )


@dataclass(frozen=True)
class Move:
    """One line of the vendor's total (a metric, the cost or quality pillar, the knock-out)
    that a what-if moved: its value in the metric's unit and its points, before and after."""

    metric: str
    label: str
    unit: str | None
    value_before: float | None  # None: not disclosed, or no value (the knock-out line)
    value_after: float | None
    points_before: float
    points_after: float

    @property
    def points_delta(self) -> float:
        return self.points_after - self.points_before


@dataclass(frozen=True)
class WhatIf:
    """The effect of changing one vendor's inputs: totals in points (0-100), ranks (1 =
    best) and impact scores (0-100), before and after, and every line of the total that
    moved (``moves``, the largest move first), so a fall is never left unexplained (more
    impact workers dilute the training hours per impact worker)."""

    vendor_id: Hashable
    total_before: float
    total_after: float
    rank_before: int
    rank_after: int
    impact_score_before: float
    impact_score_after: float
    moves: tuple[Move, ...] = ()

    @property
    def total_delta(self) -> float:
        """Points gained (positive) or lost (negative) on the 0-100 total."""
        return self.total_after - self.total_before

    @property
    def rank_delta(self) -> int:
        """Places gained (positive) or lost (negative)."""
        return self.rank_before - self.rank_after


def what_if(
    table: pd.DataFrame,
    catalog: Catalog,
    profile: Profile,
    vendor_id: Hashable,
    changes: Mapping[str, object],
    *,
    scored: ScoreResult | None = None,
) -> WhatIf:
    """Re-score the whole table with some of one vendor's input cells changed.

    ``changes`` maps input columns (any contract column but ``vendor_id``, and ``wage_site``
    and ``wage_currency``) to new values, e.g. ``{"impact_workers_end": 60}``. Everyone is
    re-scored because a price change moves the category's lowest price and any change can move
    ranks. ``table`` is not modified. ``scored`` is ``score_table(table, catalog, profile)``
    when the caller has it: several what-ifs on one table then score the unchanged table once.
    """
    changeable = {*REQUIRED_COLUMNS, WAGE_SITE_COLUMN, WAGE_CURRENCY_COLUMN} - {ID_COLUMN}
    unknown = [name for name in changes if name not in changeable]
    if unknown:
        raise ValueError(f"cannot change {', '.join(map(repr, unknown))}: not an input column")
    scored_before = scored if scored is not None else score_table(table, catalog, profile)
    before = scored_before.scores
    if vendor_id not in before.index:
        raise KeyError(f"vendor_id {vendor_id!r} is not in the table")
    # the checked table: the scores' own copy of it when given (never changed in place)
    changed = scored_before.vendors.copy() if scored is not None else validate_vendor_table(table)
    # The checked table and the scores both hold the vendors in input order.
    position = int(before.index.get_indexer(pd.Index([vendor_id]))[0])
    for column, value in changes.items():
        cells = changed[column].astype(object).tolist()
        cells[position] = value
        changed[column] = pd.Series(cells, index=changed.index, dtype=object)
    scored_after = score_table(changed, catalog, profile)
    after = scored_after.scores
    total_before, rank_before, impact_score_before = _vendor_scores(before, position)
    total_after, rank_after, impact_score_after = _vendor_scores(after, position)
    return WhatIf(
        vendor_id=vendor_id,
        total_before=total_before,
        total_after=total_after,
        rank_before=rank_before,
        rank_after=rank_after,
        impact_score_before=impact_score_before,
        impact_score_after=impact_score_after,
        moves=_moves(scored_before.explanation, scored_after.explanation, vendor_id),
    )


def _moves(before: pd.DataFrame, after: pd.DataFrame, vendor_id: Hashable) -> tuple[Move, ...]:
    """The vendor's explanation lines whose points or value differ, the largest move first."""

    def lines(explanation: pd.DataFrame) -> dict[str, dict[Hashable, Any]]:
        own = explanation[explanation[ID_COLUMN] == vendor_id]
        return {str(row["metric"]): row for row in own.to_dict("records")}

    def number(value: Any) -> float | None:
        return None if value is None or value != value else float(value)

    old, new = lines(before), lines(after)
    moves = []
    for metric in dict.fromkeys([*old, *new]):
        was, now = old.get(metric, {}), new.get(metric, {})
        line = now or was
        points_before, points_after = float(was.get("points", 0.0)), float(now.get("points", 0.0))
        value_before, value_after = number(was.get("raw_value")), number(now.get("raw_value"))
        if abs(points_after - points_before) < 1e-9 and value_before == value_after:
            continue
        moves.append(
            Move(
                metric=metric,
                label=str(line.get("label") or metric),
                unit=line.get("unit") or None,
                value_before=value_before,
                value_after=value_after,
                points_before=points_before,
                points_after=points_after,
            )
        )
    return tuple(sorted(moves, key=lambda move: -abs(move.points_delta)))


def _vendor_scores(scores: pd.DataFrame, position: int) -> tuple[float, int, float]:
    """``(total, rank, impact_score)`` of the vendor in row ``position`` of ``scores``."""
    return (
        float(scores["total"].to_numpy(dtype=float)[position]),
        int(scores["rank"].to_numpy(dtype=np.int64)[position]),
        float(scores["impact_score"].to_numpy(dtype=float)[position]),
    )
