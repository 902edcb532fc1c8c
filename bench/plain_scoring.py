"""The baseline of the scoring benchmarks: the default catalog and profile (DESIGN.md §4) written
out in plain numpy, with none of the `scoring` package's checks or explanation.

As a module it gives :func:`plain_numpy_totals` (bench_scoring.py compares ``score_table``
with it in one process). As a script it is the plain pandas implementation that
bench_commands.py --score runs as a whole process next to `procure score`:

    python bench/plain_scoring.py vendors.csv scores.csv

reads the vendor CSV with ``pandas.read_csv`` (its own type inference, no checks), computes
the same columns as `procure score` (vendor_id, the pillars, total, rank, knocked_out, the
eight metric values) and writes them in rank order with ``DataFrame.to_csv``. It imports
numpy and pandas only, so its start is the floor any pandas command pays. Ranks break ties by
the vendor id as text, which is the natural order for the zero-padded synthetic ids.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

FACTORS = {
    "none": 0.0,
    "self_reported": 0.5,
    "self_reported_documented": 0.7,
    "buyer_verified": 0.85,
    "third_party_limited": 0.9,
    "third_party_reasonable": 1.0,
}
# (metric key, evidence column, weight in the impact pillar, goalposts L, U)
METRICS = (
    ("impact_worker_share", "evidence_workforce", 0.25, 0, 0.5),
    ("impact_hire_share", "evidence_workforce", 0.15, 0, 0.5),
    ("living_wage_ratio", "evidence_wages", 0.20, 0.75, 1.25),
    ("entry_wage_to_min_wage", "evidence_wages", 0.10, 1.0, 1.5),
    ("training_hours_per_impact_worker", "evidence_training", 0.10, 0, 80),
    ("training_spend_per_fte_usd", "evidence_training", 0.10, 0, 500),
    ("impact_worker_retention_12m", "evidence_workforce", 0.05, 0.4, 0.9),
    ("impact_worker_promotion_rate", "evidence_workforce", 0.05, 0, 0.15),
)


def plain_numpy_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The output columns, in input order: ``vendor_id``, ``impact``, ``cost``, ``quality``
    (0-1), ``total`` (0-100), ``rank``, ``knocked_out`` and the raw value of each metric."""

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=float)

    def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = numerator / denominator
        values[~np.isfinite(values) | (denominator == 0)] = np.nan
        return values

    def normalised(values: np.ndarray, low: float, high: float) -> np.ndarray:
        return np.nan_to_num(np.clip((values - low) / (high - low), 0, 1), nan=0.0)

    def factor(name: str) -> np.ndarray:
        levels = frame[name].to_numpy(dtype=object)
        return np.select([levels == level for level in FACTORS], list(FACTORS.values()), np.nan)

    period = frame["pay_period"].to_numpy(dtype=object)
    hours = column("standard_weekly_hours")
    per_period = np.select(
        [period == "hour", period == "week", period == "month", period == "year"],
        [np.ones_like(hours), hours, hours * 52 / 12, hours * 52],
        np.nan,
    )
    entry = column("entry_level_wage")
    minimum = column("local_minimum_wage")
    values = {
        "impact_worker_share": ratio(column("impact_workers_end"), column("headcount_end")),
        "impact_hire_share": ratio(column("impact_worker_hires"), column("total_hires")),
        "living_wage_ratio": ratio(
            ratio(column("impact_worker_median_wage"), per_period),
            ratio(column("living_wage_benchmark"), per_period),
        ),
        "entry_wage_to_min_wage": ratio(ratio(entry, per_period), ratio(minimum, per_period)),
        "training_hours_per_impact_worker": ratio(
            column("training_hours_impact_workers"), column("impact_workers_end")
        ),
        "training_spend_per_fte_usd": ratio(column("training_spend_usd"), column("fte_avg")),
        "impact_worker_retention_12m": ratio(
            column("retention_cohort_retained_12m"), column("retention_cohort_hired")
        ),
        "impact_worker_promotion_rate": ratio(
            column("promotions_impact_workers"),
            (column("impact_workers_start") + column("impact_workers_end")) / 2,
        ),
    }
    factors = {name: factor(name) for _, name, _, _, _ in METRICS}
    impact = sum(
        weight * factors[evidence] * normalised(values[key], low, high)
        for key, evidence, weight, low, high in METRICS
    )
    price = column("price")
    categories, codes = np.unique(frame["category"].to_numpy(dtype=str), return_inverse=True)
    lowest = np.full(len(categories), np.inf)
    np.minimum.at(lowest, codes, price)
    cost = lowest[codes] / price
    quality = normalised(column("quality"), 0.8, 1.0)
    total = 100 * (0.45 * impact + 0.30 * cost + 0.25 * quality)
    knocked_out = entry < minimum
    total[knocked_out] = 0.0
    ids = frame["vendor_id"].to_numpy()
    rank = np.empty(len(total), dtype=int)
    rank[np.lexsort((ids.astype(str), -total))] = np.arange(1, len(total) + 1)
    return {
        "vendor_id": ids,
        "impact": impact,
        "cost": cost,
        "quality": quality,
        "total": total,
        "rank": rank,
        "knocked_out": knocked_out,
        **values,
    }


def plain_numpy_totals(frame: pd.DataFrame) -> np.ndarray:
    """The 0-100 totals, in input order."""
    return plain_numpy_columns(frame)["total"]


def main() -> None:
    source, target = sys.argv[1:3]
    scores = pd.DataFrame(plain_numpy_columns(pd.read_csv(source)))
    scores.sort_values("rank").to_csv(target, index=False)


if __name__ == "__main__":
    main()
