"""Benchmark version 2 problem documents: our overhead against the bare HiGHS solve of the
same LP, and an 11-point frontier against one cold solve.

    python bench/bench_optimizer_v2.py            # 10k, 100k and 250k variables
    python bench/bench_optimizer_v2.py --quick    # 10k and 50k

The documents mix hourly and per-item needs over overlapping periods, with per-need impact
targets, a portfolio impact-worker-hour target and monthly capacities for every vendor, so
every version 2 row family is in the model. For each size it prints:

* `optimizer.solve` wall time with the tie-break off (parse + build + solve + extract);
* the bare HiGHS time of the same LP: the model's arrays passed in one `passModel` call to a
  fresh HiGHS with the same options, and run; the overhead ratio (solve − bare) / bare, whose
  goal is under 30 %;
* an 11-point frontier of average impact and of impact-worker hours against one cold solve
  (the default solve, tie-break on), whose goal is under 3×.

It is a script, never collected by pytest (no test_ prefix). Ratios are measured in the same
run, so the machine's load cancels out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizer  # noqa: E402
from optimizer.model import build_model, primary_cost  # noqa: E402
from optimizer.problem import parse_problem  # noqa: E402
from optimizer.solve import configured_highs, pass_model  # noqa: E402

SIZES = {10_000: (100, 100), 100_000: (400, 250), 250_000: (1000, 250)}
QUICK_SIZES = {10_000: (100, 100), 50_000: (250, 200)}


def make_document(vendors: int, needs: int, seed: int = 11) -> dict:
    """Every vendor offers every need; half the needs are per item (0.02–0.1 h an item)."""
    rng = np.random.default_rng(seed)
    hourly = rng.random(needs) < 0.5
    volume = np.where(hourly, rng.uniform(500, 3000, needs), rng.uniform(10_000, 60_000, needs))
    start = rng.integers(1, 10, needs)
    months = rng.integers(1, 4, needs)
    impact = np.round(rng.uniform(10, 95, vendors), 1)
    hours_per_unit = np.where(
        hourly[None, :], 1.0, np.round(rng.uniform(0.02, 0.1, (vendors, needs)), 3)
    )
    price = np.round(rng.uniform(10, 40, (vendors, needs)) * hours_per_unit, 4)
    need_ids = [f"N{j:05d}" for j in range(needs)]
    vendor_ids = [f"V{i:05d}" for i in range(vendors)]
    monthly_work = sum(
        float(volume[j]) * (1.0 if hourly[j] else 0.06) / int(months[j]) for j in range(needs)
    )
    capacity = rng.uniform(0.5, 1.5, vendors) * monthly_work / vendors * 4
    return {
        "version": 2,
        "needs": [
            {
                "id": need_ids[j],
                "unit": "hour" if hourly[j] else "item",
                "volume": float(np.round(volume[j])),
                "max_vendor_share": 0.3,
                "period": {"start": f"2026-{int(start[j]):02d}", "months": int(months[j])},
                **({"min_avg_impact": 55.0} if j % 3 == 0 else {}),
            }
            for j in range(needs)
        ],
        "vendors": [
            {
                "id": vendor_ids[i],
                "quality": 0.9,
                "impact_score": float(impact[i]),
                "impact_worker_share": float(np.round(rng.uniform(0.05, 0.8), 2)),
            }
            for i in range(vendors)
        ],
        "offers": [
            {
                "vendor": vendor_ids[i],
                "need": need_ids[j],
                "price": float(price[i, j]),
                "hours_per_unit": float(hours_per_unit[i, j]),
            }
            for j in range(needs)
            for i in range(vendors)
        ],
        "capacities": [
            {"vendor": vendor_ids[i], "month": f"2026-{m:02d}", "hours": float(capacity[i])}
            for i in range(vendors)
            for m in range(1, 13)
        ],
        "targets": {"min_avg_impact": 50.0},
        "objective": "min_cost",
        "options": {"time_limit": 3600},
    }


def bare_highs(doc: dict) -> tuple[float, float]:
    """passModel + run of the model's own arrays on a fresh HiGHS: (seconds, objective)."""
    problem, errors = parse_problem(doc)
    assert problem is not None, errors
    model = build_model(problem)
    highs = configured_highs(1e-6)
    started = time.perf_counter()
    pass_model(highs, model)
    highs.changeColsCost(
        model.lp.num_col, np.arange(model.lp.num_col, dtype=np.int32), primary_cost(model)[0]
    )
    highs.run()
    seconds = time.perf_counter() - started
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return seconds, highs.getInfo().objective_function_value


def best_of(repeats: int, action):
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - started)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    repeats = 1 if args.quick else 2
    print(f"HiGHS {highspy.Highs().version()}, version 2 documents, best of {repeats}")
    print(
        f"{'variables':>10} {'bare':>8} {'solve':>8} {'overhead':>8} {'cold':>8} "
        f"{'frontier impact':>15} {'ratio':>6} {'frontier hours':>14} {'ratio':>6}"
    )
    for vendors, needs in sizes.values():
        doc = make_document(vendors, needs)
        bare, bare_objective = min((bare_highs(doc) for _ in range(repeats)), key=lambda t: t[0])
        plain_doc = {**doc, "options": {**doc["options"], "tie_break": False}}
        plain, result = best_of(repeats, lambda d=plain_doc: optimizer.solve(d))
        assert result["status"] == "optimal", result["status"]
        assert abs(result["objective"]["value"] - bare_objective) <= 1e-6 * bare_objective
        cold, _ = best_of(repeats, lambda d=doc: optimizer.solve(d))
        impact_seconds, impact = best_of(1, lambda d=doc: optimizer.frontier(d, 11))
        hours_seconds, hours = best_of(1, lambda d=doc: optimizer.frontier(d, 11, measure="hours"))
        assert impact["status"] == "optimal" and hours["status"] == "optimal"
        print(
            f"{result['model']['variables']:>10,} {bare:>8.3f} {plain:>8.3f} "
            f"{(plain - bare) / bare:>8.1%} {cold:>8.3f} {impact_seconds:>15.3f} "
            f"{impact_seconds / cold:>5.2f}x {hours_seconds:>14.3f} {hours_seconds / cold:>5.2f}x"
        )
    print(
        "bare = the model's LP passed to a fresh HiGHS and run; solve = optimizer.solve wall "
        "time with tie_break off; overhead = (solve - bare) / bare; cold = the default solve "
        "(tie-break on); ratio = frontier / cold."
    )


if __name__ == "__main__":
    main()
