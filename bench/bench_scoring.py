"""Benchmark: scoring 100,000 synthetic vendors with the default catalog and profile.

Compares ``scoring.score_table`` with a plain numpy implementation of the same formulas
(written out below, with the default numbers hard-coded), checks that both give the same
totals within 1e-9, and times the rank-stability analysis (1,000 vendors x 1,000 draws).

Run from the repository root:  python bench/bench_scoring.py [--vendors N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import load_catalog, load_profile, rank_stability, score_table
from scoring.contract import EVIDENCE_LEVELS, PAY_PERIODS, REQUIRED_COLUMNS
from scoring.table import validate_vendor_table

CATEGORIES = [f"service_{index:02d}" for index in range(20)]


def synthetic_vendors(count: int, seed: int = 0) -> pd.DataFrame:
    """Plausible vendors: ~10 % of each disclosure cell left empty, mixed pay periods and
    evidence levels, about 1 vendor in 12 paying an entry wage below the minimum wage."""
    rng = np.random.default_rng(seed)

    def counts(low: int, high: int) -> np.ndarray:
        values = rng.integers(low, high, count).astype(float)
        values[rng.random(count) < 0.1] = np.nan
        return values

    headcount_end = counts(5, 2000)
    hours = rng.choice([35.0, 40.0, 45.0, 48.0], count)
    period = rng.choice(PAY_PERIODS, count)
    hours_per_period = np.select(
        [period == "hour", period == "week", period == "month"],
        [1.0, hours, hours * 52 / 12],
        hours * 52,
    )
    minimum_hourly = rng.uniform(2, 15, count)
    entry_hourly = minimum_hourly * rng.uniform(0.92, 1.6, count)

    def wage(hourly: np.ndarray) -> np.ndarray:
        values = hourly * hours_per_period
        values[rng.random(count) < 0.1] = np.nan
        return values

    frame = pd.DataFrame(
        {
            "vendor_id": [f"V{index:06d}" for index in range(count)],
            "category": rng.choice(CATEGORIES, count),
            "price": rng.uniform(5, 60, count),
            "quality": np.where(rng.random(count) < 0.05, np.nan, rng.uniform(0.6, 1.0, count)),
            "headcount_start": counts(5, 2000),
            "headcount_end": headcount_end,
            "fte_avg": counts(5, 2000),
            "total_hires": counts(0, 400),
            "impact_worker_hires": counts(0, 200),
            "impact_workers_start": counts(0, 800),
            "impact_workers_end": counts(0, 800),
            "retention_cohort_hired": counts(0, 100),
            "retention_cohort_retained_12m": counts(0, 100),
            "promotions_impact_workers": counts(0, 60),
            "pay_period": period,
            "standard_weekly_hours": hours,
            "entry_level_wage": wage(entry_hourly),
            "impact_worker_median_wage": wage(entry_hourly * rng.uniform(1.0, 1.5, count)),
            "local_minimum_wage": wage(minimum_hourly),
            "living_wage_benchmark": wage(minimum_hourly * rng.uniform(1.1, 1.8, count)),
            "training_hours_impact_workers": counts(0, 40000),
            "training_spend_usd": counts(0, 900000),
            "evidence_workforce": rng.choice(EVIDENCE_LEVELS, count),
            "evidence_wages": rng.choice(EVIDENCE_LEVELS, count),
            "evidence_training": rng.choice(EVIDENCE_LEVELS, count),
        }
    )
    return frame[list(REQUIRED_COLUMNS)]


# ---- plain numpy: the default catalog and profile of DESIGN.md §4, written out ----------

FACTORS = {
    "none": 0.0,
    "self_reported": 0.5,
    "self_reported_documented": 0.7,
    "buyer_verified": 0.85,
    "third_party_limited": 0.9,
    "third_party_reasonable": 1.0,
}


def plain_numpy_totals(frame: pd.DataFrame) -> np.ndarray:
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
    workforce, wages, training = (
        factor("evidence_workforce"),
        factor("evidence_wages"),
        factor("evidence_training"),
    )
    impact = (
        0.25
        * workforce
        * normalised(ratio(column("impact_workers_end"), column("headcount_end")), 0, 0.5)
        + 0.15
        * workforce
        * normalised(ratio(column("impact_worker_hires"), column("total_hires")), 0, 0.5)
        + 0.20
        * wages
        * normalised(
            ratio(
                ratio(column("impact_worker_median_wage"), per_period),
                ratio(column("living_wage_benchmark"), per_period),
            ),
            0.75,
            1.25,
        )
        + 0.10
        * wages
        * normalised(ratio(ratio(entry, per_period), ratio(minimum, per_period)), 1.0, 1.5)
        + 0.10
        * training
        * normalised(
            ratio(column("training_hours_impact_workers"), column("impact_workers_end")), 0, 80
        )
        + 0.10
        * training
        * normalised(ratio(column("training_spend_usd"), column("fte_avg")), 0, 500)
        + 0.05
        * workforce
        * normalised(
            ratio(column("retention_cohort_retained_12m"), column("retention_cohort_hired")),
            0.4,
            0.9,
        )
        + 0.05
        * workforce
        * normalised(
            ratio(
                column("promotions_impact_workers"),
                (column("impact_workers_start") + column("impact_workers_end")) / 2,
            ),
            0,
            0.15,
        )
    )
    price = column("price")
    categories, codes = np.unique(frame["category"].to_numpy(dtype=str), return_inverse=True)
    lowest = np.full(len(categories), np.inf)
    np.minimum.at(lowest, codes, price)
    cost = lowest[codes] / price
    quality = normalised(column("quality"), 0.8, 1.0)
    total = 100 * (0.45 * impact + 0.30 * cost + 0.25 * quality)
    total[entry < minimum] = 0.0
    return total


# ---- timing ----------------------------------------------------------------------------


def timed(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple]:
    """``name -> (best, median, last result)``, wall times in seconds over ``repeat`` rounds.

    The runs are interleaved, one of each per round, so that load from other processes hits
    them alike and their ratio stays meaningful; garbage is collected before each run.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {
        name: (min(spent), statistics.median(spent), results[name]) for name, spent in times.items()
    }


def report(label: str, best: float, median: float, note: str = "") -> None:
    print(f"  {label:<52} {best * 1e3:8.1f} ms / {median * 1e3:8.1f} ms  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    repeat = arguments.repeat

    catalog = load_catalog(ROOT / "config" / "metrics.toml")
    profile = load_profile(ROOT / "config" / "scoring_profile.toml", catalog)
    vendors = synthetic_vendors(arguments.vendors)
    print(f"{arguments.vendors:,} synthetic vendors; best / median of {repeat} runs")

    timings = timed(
        {
            "plain numpy totals": lambda: plain_numpy_totals(vendors),
            "score_table": lambda: score_table(vendors, catalog, profile),
            "  of which the table check": lambda: validate_vendor_table(vendors),
            "score_table + explanation": (
                lambda: score_table(vendors, catalog, profile).explanation
            ),
        },
        repeat,
    )
    numpy_best, numpy_median, numpy_totals = timings["plain numpy totals"]
    best, median, result = timings["score_table"]
    notes = {
        "score_table": (
            f"ratio {best / numpy_best:.2f}x (best), {median / numpy_median:.2f}x (median)"
        ),
        "score_table + explanation": f"({len(result.explanation):,} scorecard rows)",
    }
    for name, (name_best, name_median, _) in timings.items():
        report(name, name_best, name_median, notes.get(name, ""))

    difference = np.max(np.abs(result.scores["total"].to_numpy() - numpy_totals))
    knocked_out = int(result.scores["knocked_out"].sum())
    print(f"  largest |total difference| {difference:.3g} points ({knocked_out:,} knocked out)")
    if not difference <= 1e-9:
        raise SystemExit("FAIL: score_table and plain numpy disagree by more than 1e-9")

    small = score_table(synthetic_vendors(1000, seed=1), catalog, profile)
    stability = timed(
        {
            f"rank_stability 1,000 vendors x 1,000 draws ({vary})": (
                lambda vary=vary: rank_stability(small, draws=1000, vary=vary)
            )
            for vary in ("pillars", "both")
        },
        repeat,
    )
    for name, (name_best, name_median, _) in stability.items():
        report(name, name_best, name_median)


if __name__ == "__main__":
    main()
