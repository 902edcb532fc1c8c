"""Benchmark: scoring 100,000 synthetic vendors with the default catalog and profile.

Compares ``scoring.score_table`` with a plain numpy implementation of the same formulas
(``plain_scoring.py``, with the default numbers hard-coded), checks that both give the same
totals within 1e-9, and times the rank-stability analysis (1,000 vendors x 1,000 draws).

Run from the repository root:  python bench/bench_scoring.py [--vendors N] [--repeat R]

With ``--process`` it compares whole processes instead (issue #23, goal under 1.5x): for a
synthetic vendor CSV of each size in ``--sizes`` (100,000 and 1,000,000 by default), the
`procure score FILE -o OUT` command (the console script's entry point, ``python -m procure``)
against ``plain_scoring.py FILE OUT``, a plain pandas script of the same formulas that reads
the same file and writes the same columns. The two run interleaved, best and median of
``--repeat`` rounds (3 by default here), in wall time and in CPU time (user + system, which
other load on the machine barely moves), and both outputs must give the same ranking and
totals within 1e-9.

    python bench/bench_scoring.py --process [--sizes 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plain_scoring import plain_numpy_totals

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


def process_times(
    commands: dict[str, list[str]], repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds (user + system, the child's own) of each command, run interleaved
    ``repeat`` times. CPU time barely moves when other processes load the machine; wall does."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=True, cwd=ROOT)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def compare_processes(sizes: list[int], repeat: int) -> None:
    """`procure score` against the plain pandas script, as whole processes on the same file."""
    print(f"whole processes on the same CSV; best / median of {repeat} interleaved runs")
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            source = Path(folder) / f"vendors_{size}.csv"
            synthetic_vendors(size).to_csv(source, index=False)
            outputs = {name: Path(folder) / f"{name}_{size}.csv" for name in ("procure", "plain")}
            commands = {
                "procure": [
                    *(sys.executable, "-m", "procure", "score", str(source)),
                    *("-o", str(outputs["procure"]), "--max-rows", str(size)),
                ],
                "plain": [
                    sys.executable,
                    str(ROOT / "bench" / "plain_scoring.py"),
                    str(source),
                    str(outputs["plain"]),
                ],
            }
            wall, cpu = process_times(commands, repeat)
            megabytes = source.stat().st_size / 1e6
            print(f"{size:,} vendors ({megabytes:,.0f} MB of CSV); wall, then CPU (user + sys)")
            for label, spent in (("wall", wall), ("CPU", cpu)):
                plain_best, plain_median = min(spent["plain"]), statistics.median(spent["plain"])
                best, median = min(spent["procure"]), statistics.median(spent["procure"])
                report(
                    f"plain pandas script (read, score, write), {label}", plain_best, plain_median
                )
                report(
                    f"procure score, {label}",
                    best,
                    median,
                    f"ratio {best / plain_best:.2f}x (best), {median / plain_median:.2f}x (median)",
                )
            procure, plain = (pd.read_csv(outputs[name]) for name in ("procure", "plain"))
            same_order = procure["vendor_id"].equals(plain["vendor_id"])
            difference = np.max(np.abs(procure["total"].to_numpy() - plain["total"].to_numpy()))
            print(f"  same ranking: {same_order}; largest |total difference| {difference:.3g}")
            if not (same_order and difference <= 1e-9):
                failures.append(size)
    if failures:
        raise SystemExit(f"FAIL: procure score and plain pandas disagree at {failures} vendors")
    print("goal (issue #23): procure score under 1.5x the plain pandas script")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, help="rounds (7; 3 with --process)")
    parser.add_argument("--process", action="store_true", help="whole processes, see above")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    arguments = parser.parse_args()
    if arguments.process:
        compare_processes(arguments.sizes, arguments.repeat or 3)
        return
    repeat = arguments.repeat or 7

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
