"""Benchmark the optimizer's own overhead against a raw HiGHS solve of the same LP.

    python bench/bench_optimizer.py            # 10k, 100k and 250k variables (a few minutes)
    python bench/bench_optimizer.py --quick    # 10k and 50k variables

For each size it prints:

* `optimizer.solve` wall time (parse + build + solve + extract) without the tie-break stages
  and with them;
* the raw HiGHS time for the same LP, built here directly with numpy/scipy and passed in one
  `passModel` call (same options: serial dual simplex, threads=1), and the overhead ratio
  (solve − raw) / raw; the goal is under 30 % at 250k;
* the time to write the official PuLP model (`optimizer.model.to_pulp`) for comparison;
* an 11-point frontier against one cold solve (goal under 3×), in time and in simplex
  iterations;
* peak memory (ru_maxrss) of a process that solves the largest size.

It is a script, never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizer  # noqa: E402
from optimizer.model import build_model, primary_cost, to_pulp  # noqa: E402
from optimizer.problem import parse_problem  # noqa: E402

SIZES = {10_000: (100, 100), 100_000: (400, 250), 250_000: (1000, 250)}
QUICK_SIZES = {10_000: (100, 100), 50_000: (250, 200)}


def make_document(vendors: int, needs: int, seed: int = 7) -> dict:
    """Every vendor offers every need; the impact, quality and impact-spend targets bind."""
    rng = np.random.default_rng(seed)
    volume = np.round(rng.uniform(500, 3000, needs))
    total = volume.sum()
    capacity = np.round(rng.uniform(0.5, 1.5, vendors) * total / vendors * 2)
    quality = np.round(rng.uniform(0.82, 1.0, vendors), 3)  # all eligible: exact sizes
    impact = np.round(rng.uniform(10, 95, vendors), 1)
    price = np.round(rng.uniform(10, 40, (vendors, needs)), 2)
    need_ids = [f"N{j:05d}" for j in range(needs)]
    vendor_ids = [f"V{i:05d}" for i in range(vendors)]
    return {
        "needs": [
            {
                "id": need_ids[j],
                "volume": float(volume[j]),
                "min_quality": 0.82,
                "max_vendor_share": 0.3,
            }
            for j in range(needs)
        ],
        "vendors": [
            {
                "id": vendor_ids[i],
                "capacity": float(capacity[i]),
                "quality": float(quality[i]),
                "impact_score": float(impact[i]),
                "impact_worker_share": 0.3,
            }
            for i in range(vendors)
        ],
        # need-major, so that the raw LP below has the optimizer's column order
        "offers": [
            {"vendor": vendor_ids[i], "need": need_ids[j], "price": p, "capacity": None}
            for j, column in enumerate(price.T.tolist())
            for i, p in enumerate(column)
        ],
        "targets": {
            "budget": float(total * 40),
            "min_avg_impact": 65.0,
            "min_avg_quality": 0.9,
            "min_impact_spend_share": 0.5,
            "impact_vendor_min_score": 60.0,
        },
        "objective": "min_cost",
        "options": {"time_limit": 3600},
    }


def raw_highs(doc: dict) -> tuple[float, float, float]:
    """The same LP built directly from the document with numpy/scipy (same rows, columns and
    order as optimizer.model, minus the impact-shortfall column that is fixed at 0); returns
    (seconds for passModel + run, seconds for run, objective)."""
    needs, vendors, offers = doc["needs"], doc["vendors"], doc["offers"]
    targets = doc["targets"]
    need_pos = {n["id"]: j for j, n in enumerate(needs)}
    vendor_pos = {v["id"]: i for i, v in enumerate(vendors)}
    need = np.array([need_pos[o["need"]] for o in offers])
    vendor = np.array([vendor_pos[o["vendor"]] for o in offers])
    price = np.array([o["price"] for o in offers])
    volume = np.array([n["volume"] for n in needs])
    quality = np.array([v["quality"] for v in vendors])[vendor]
    impact = np.array([v["impact_score"] for v in vendors])[vendor]
    keep = quality >= np.array([n["min_quality"] for n in needs])[need]
    need, vendor, price, quality, impact = (a[keep] for a in (need, vendor, price, quality, impact))
    n, k, v = need.size, len(needs), len(vendors)
    spend_col, impact_col = n, n + 1
    total = volume.sum()
    is_impact = impact >= targets["impact_vendor_min_score"]
    cols = np.arange(n)
    # rows: demand k, capacity v, spend def, impact def, budget, impact target, quality,
    # impact spend share
    r0 = k + v
    rows = [
        need,
        k + vendor,
        np.full(n, r0),
        [r0],
        np.full(n, r0 + 1),
        [r0 + 1],
        [r0 + 2],
        [r0 + 3],
        np.full(n, r0 + 4),
        np.full(is_impact.sum(), r0 + 5),
        [r0 + 5],
    ]
    columns = [
        cols,
        cols,
        cols,
        [spend_col],
        cols,
        [impact_col],
        [spend_col],
        [impact_col],
        cols,
        cols[is_impact],
        [spend_col],
    ]
    values = [
        np.ones(n),
        np.ones(n),
        price,
        [-1.0],
        impact,
        [-1.0],
        [1.0],
        [1.0],
        quality,
        price[is_impact],
        [-targets["min_impact_spend_share"]],
    ]
    matrix = sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(r0 + 6, n + 2),
    )
    inf = highspy.kHighsInf
    capacity = np.array([c["capacity"] for c in vendors])
    row_lower = np.concatenate(
        [
            volume,
            np.full(v, -inf),
            [0, 0, -inf, targets["min_avg_impact"] * total, targets["min_avg_quality"] * total, 0],
        ]
    )
    row_upper = np.concatenate([volume, capacity, [0, 0, targets["budget"], inf, inf, inf]])
    share = np.array([nd["max_vendor_share"] for nd in needs])[need] * volume[need]
    col_upper = np.concatenate([share, [inf, inf]])
    cost = np.zeros(n + 2)
    cost[spend_col] = 1.0
    h = highspy.Highs()
    for option, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("simplex_strategy", 1),
        ("parallel", "off"),
    ):
        h.setOptionValue(option, value)
    started = time.perf_counter()
    h.passModel(
        n + 2,
        r0 + 6,
        matrix.nnz,
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        cost,
        np.zeros(n + 2),
        col_upper,
        row_lower,
        row_upper,
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data,
        np.zeros(n + 2, np.int32),
    )
    run_started = time.perf_counter()
    h.run()
    done = time.perf_counter()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return done - started, done - run_started, h.getInfo().objective_function_value


def best_of(repeats: int, action):
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - started)
    return min(times), value


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_probe(vendors: int, needs: int) -> None:
    """Child process: resident memory with the input document built, then the peak while
    `optimizer.solve` runs (the high-water mark is reset after the document is built, via
    /proc/self/clear_refs, so that building the document does not count)."""
    doc = make_document(vendors, needs)
    gc.collect()
    before = _status_mib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    result = optimizer.solve(doc)
    peak = _status_mib("VmHWM")
    print(
        json.dumps(
            {
                "document_mib": round(before, 1),
                "peak_mib": round(peak, 1),
                "peak_reset": reset,
                "status": result["status"],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--memory-probe", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        memory_probe(*args.memory_probe)
        return
    sizes = QUICK_SIZES if args.quick else SIZES
    repeats = 1 if args.quick else 2
    print(f"HiGHS {highspy.Highs().version()}, serial dual simplex, best of {repeats}")
    header = (
        f"{'variables':>10} {'raw run':>8} {'raw pass+run':>12} {'solve':>8} "
        f"{'overhead':>8} {'own':>6} {'+tie-break':>10} {'overhead':>8} {'to_pulp':>8} "
        f"{'frontier 11':>11} {'ratio':>6} {'ratio+tb':>8} {'iterations':>13}"
    )
    print(header)
    largest = None
    for vendors, needs in sizes.values():
        doc = make_document(vendors, needs)
        raw_total, raw_run, raw_objective = min(
            (raw_highs(doc) for _ in range(repeats)), key=lambda t: t[0]
        )
        plain_doc = {**doc, "options": {**doc["options"], "tie_break": False}}
        plain, result = best_of(repeats, lambda plain_doc=plain_doc: optimizer.solve(plain_doc))
        assert result["status"] == "optimal", result["status"]
        assert abs(result["objective"]["value"] - raw_objective) <= 1e-6 * raw_objective
        staged, staged_result = best_of(repeats, lambda doc=doc: optimizer.solve(doc))
        assert staged_result["tie_break"] == "applied"
        problem = parse_problem(doc)[0]
        model = build_model(problem)
        pulp_seconds, _ = best_of(1, lambda model=model: to_pulp(model, primary_cost(model)[0]))
        frontier_seconds, frontier = best_of(repeats, lambda doc=doc: optimizer.frontier(doc, 11))
        assert frontier["status"] == "optimal"
        iterations = f"{frontier['solver']['iterations']:,}/{result['solver']['iterations']:,}"
        own = (plain - result["solver"]["time"]) / result["solver"]["time"]
        print(
            f"{model.lp.num_col:>10,} {raw_run:>8.3f} {raw_total:>12.3f} {plain:>8.3f} "
            f"{(plain - raw_total) / raw_total:>8.1%} {own:>6.1%} {staged:>10.3f} "
            f"{(staged - raw_total) / raw_total:>8.1%} {pulp_seconds:>8.3f} "
            f"{frontier_seconds:>11.3f} {frontier_seconds / plain:>5.2f}x "
            f"{frontier_seconds / staged:>7.2f}x {iterations:>13}"
        )
        largest = (vendors, needs)
    probe = subprocess.run(
        [sys.executable, __file__, "--memory-probe", *map(str, largest)],
        capture_output=True,
        text=True,
        check=True,
    )
    memory = json.loads(probe.stdout.strip().splitlines()[-1])
    print(
        f"memory at {model.lp.num_col:,} variables: {memory['document_mib']} MiB resident "
        f"with the input document built, peak {memory['peak_mib']} MiB while solving"
        + ("" if memory["peak_reset"] else " (peak includes building the document)")
    )
    print(
        "solve = optimizer.solve wall time (tie_break off); overhead = (solve - raw "
        "pass+run) / raw pass+run; own = (solve - its HiGHS run time) / its HiGHS run time, "
        "which is free of the run-to-run variation of the simplex; +tie-break = the default "
        "solve with stages 2 and 3; to_pulp = writing the official PuLP model (not on the "
        "HiGHS path); ratio = frontier / solve (tie_break off); ratio+tb = frontier / the default "
        "solve with its tie-break stages, the cold solve `procure optimize` runs; iterations = "
        "simplex iterations of the frontier (all its runs) / of the solve (tie_break off), "
        "which unlike the times do not vary with the machine's load."
    )


if __name__ == "__main__":
    main()
