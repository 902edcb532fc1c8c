"""Benchmark version 2 problem documents: our overhead against the bare HiGHS solve of the
same LP, and an 11-point frontier against one cold solve.

    python bench/bench_optimizer_v2.py                     # 10k, 100k, 250k; median of 3
    python bench/bench_optimizer_v2.py --quick             # 10k and 50k, one repeat
    python bench/bench_optimizer_v2.py --sizes 250000 --repeats 5 --clock cpu
    python bench/bench_optimizer_v2.py --sizes 10000 --clock cpu --breakdown  # + steps
    python bench/bench_optimizer_v2.py --sizes 10000 --instructions all        # callgrind

The documents mix hourly and per-item needs over overlapping periods, with per-need impact
targets, a portfolio impact-worker-hour target and monthly capacities for every vendor, so
every version 2 row family is in the model. For each size it prints:

* `optimizer.solve` time with the tie-break off (parse + build + solve + extract);
* the bare HiGHS time of the same LP: the model's arrays passed in one `passModel` call to a
  fresh HiGHS with the same options, and run; the overhead ratio (solve − bare) / bare, whose
  goal is under 30 %;
* an 11-point frontier of average impact and of impact-worker hours against one cold solve
  (the default solve, tie-break on), whose goal is under 3×, and the frontier's simplex
  iterations (a figure the machine's load does not move; from 50,000 columns most of them
  run in column generation models of a few thousand columns, far cheaper each than an
  iteration on the whole LP, so compare iterations only at one setting of
  `frontier_v2.COLUMN_GENERATION_FROM`).

Each repeat measures every figure once, in turn; the table shows medians over the repeats,
and each ratio is the median of the ratios within one repeat, so the machine's load cancels
out as far as it can. `--clock cpu` measures the process's CPU time instead of wall time
(HiGHS runs on one thread here), steadier when other work shares the machine.

`--instructions` counts instructions instead of seconds, which the machine's load does not
move: each step runs once in a process of its own under `valgrind --tool=callgrind`
(PYTHONHASHSEED=0), and a step's count is the process's total less that of a process that
only builds what the step starts from (`--step`; `document`: the document, `model`: the
parsed, built model). bare = model → bare; solve, cold, impact, hours = document → each.
`--instructions overhead` runs only the overhead's steps, `frontier` only the frontier's. It
takes minutes at 10k and an hour or more at 250k on a loaded machine (callgrind runs some
30–60× slower).

It is a script, never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
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
from optimizer.result import plan_result  # noqa: E402
from optimizer.solve import (  # noqa: E402
    Deadline,
    configured_highs,
    make_solver,
    pass_model,
    solve_model,
)

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


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def bare_highs(doc: dict, clock) -> tuple[float, float]:
    """passModel + run of the model's own arrays on a fresh HiGHS: (seconds, objective)."""
    problem, errors = parse_problem(doc)
    assert problem is not None, errors
    model = build_model(problem)
    highs = configured_highs(1e-6)
    started = clock()
    pass_model(highs, model)
    highs.changeColsCost(
        model.lp.num_col, np.arange(model.lp.num_col, dtype=np.int32), primary_cost(model)[0]
    )
    highs.run()
    seconds = clock() - started
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return seconds, highs.getInfo().objective_function_value


def breakdown(doc: dict, clock) -> dict[str, float]:
    """`optimizer.solve`'s steps (tie-break off), each timed once: parse, build, solve (open
    the HiGHS session and run it), result (the result document), with the bare HiGHS time
    and solve − bare (`extra`: the session's own cost)."""
    plain_doc = {**doc, "options": {**doc["options"], "tie_break": False}}
    figures = {"bare": bare_highs(doc, clock)[0]}
    started = clock()
    problem, errors = parse_problem(plain_doc)
    assert problem is not None, errors
    figures["parse"] = clock() - started
    figures["build"], model = timed(clock, lambda: build_model(problem))
    solver = make_solver(problem.options)
    figures["solve"], staged = timed(
        clock, lambda: solve_model(model, solver, Deadline(3600), tie_break=False)
    )
    figures["result"], _ = timed(clock, lambda: plan_result(model, staged, {}))
    figures["extra"] = figures["solve"] - figures["bare"]
    return figures


def timed(clock, action):
    started = clock()
    value = action()
    return clock() - started, value


def one_repeat(doc: dict, clock) -> dict[str, float]:
    """Every figure of one size, measured once."""
    bare, bare_objective = bare_highs(doc, clock)
    plain_doc = {**doc, "options": {**doc["options"], "tie_break": False}}
    plain, result = timed(clock, lambda: optimizer.solve(plain_doc))
    assert result["status"] == "optimal", result["status"]
    assert abs(result["objective"]["value"] - bare_objective) <= 1e-6 * bare_objective
    cold, _ = timed(clock, lambda: optimizer.solve(doc))
    figures = {"variables": result["model"]["variables"], "bare": bare, "plain": plain}
    figures["cold"] = cold
    figures["overhead"] = (plain - bare) / bare
    for measure in ("impact", "hours"):
        seconds, front = timed(clock, lambda m=measure: optimizer.frontier(doc, 11, measure=m))
        assert front["status"] == "optimal", front["status"]
        figures[measure] = seconds
        figures[f"{measure}_ratio"] = seconds / cold
        figures[f"{measure}_iterations"] = front["solver"]["iterations"]
    return figures


STEPS = ("document", "model", "bare", "solve", "cold", "impact", "hours")
"""`--step`: what one process does after making the document (see the module docstring)."""


def run_step(doc: dict, step: str) -> None:
    """Do one step once (`--step`), for an instruction count of the whole process."""
    if step in ("model", "bare"):
        problem, errors = parse_problem(doc)
        assert problem is not None, errors
        model = build_model(problem)
        if step == "bare":
            highs = configured_highs(1e-6)
            pass_model(highs, model)
            columns = np.arange(model.lp.num_col, dtype=np.int32)
            highs.changeColsCost(model.lp.num_col, columns, primary_cost(model)[0])
            highs.run()
            assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    elif step in ("solve", "cold"):
        options = {**doc["options"], "tie_break": step == "cold"}
        assert optimizer.solve({**doc, "options": options})["status"] == "optimal"
    elif step in ("impact", "hours"):
        front = optimizer.frontier(doc, 11, measure=step)
        assert front["status"] == "optimal", front["status"]
        print(f"iterations {front['solver']['iterations']}")


def instructions(size: int, step: str) -> tuple[int, str]:
    """(instructions, stdout) of one `--step` process under callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
        + [__file__, "--sizes", str(size), "--step", step],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    assert found is not None, done.stderr
    return int(found.group(1)), done.stdout


INSTRUCTION_STEPS = {
    "overhead": ("document", "model", "bare", "solve"),
    "frontier": ("document", "cold", "impact", "hours"),
}
INSTRUCTION_STEPS["all"] = tuple(dict.fromkeys(sum(INSTRUCTION_STEPS.values(), ())))


def count_instructions(sizes: list[int], which: str) -> None:
    """`--instructions`: the steps' instructions (millions) and their ratios."""
    print("millions of instructions (callgrind), one run of each step")
    for size in sizes:
        raw, line = {}, f"{size:>8,}:"
        for step in INSTRUCTION_STEPS[which]:
            raw[step], out = instructions(size, step)
            if step in ("impact", "hours"):
                raw[f"{step}_iterations"] = int(out.split()[-1])
        n = {step: raw[step] - raw["document"] for step in raw if step in STEPS[3:]}
        if "bare" in raw:
            n["bare"] = raw["bare"] - raw["model"]
            line += (
                f" bare {n['bare'] / 1e6:,.0f}, solve {n['solve'] / 1e6:,.0f}, overhead "
                f"{(n['solve'] - n['bare']) / n['bare']:.1%};"
            )
        if "cold" in raw:
            line += f" cold {n['cold'] / 1e6:,.0f}"
            for measure in ("impact", "hours"):
                line += (
                    f", {measure} {n[measure] / 1e6:,.0f} ({n[measure] / n['cold']:.2f}x, "
                    f"{raw[measure + '_iterations']:,} iterations)"
                )
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--quick", action="store_true", help="10k and 50k, one repeat")
    parser.add_argument("--sizes", type=int, nargs="+", choices=sorted({*SIZES, *QUICK_SIZES}))
    parser.add_argument("--repeats", type=int, help="repeats per size (default 3; 1 if --quick)")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall (default) or process CPU time"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time optimizer.solve's steps (parse, build, solve, result) against bare",
    )
    parser.add_argument(
        "--instructions",
        choices=sorted(INSTRUCTION_STEPS),
        help="count instructions under callgrind: the overhead's steps, the frontier's or all",
    )
    parser.add_argument("--step", choices=STEPS, help="run one step once (for --instructions)")
    args = parser.parse_args()
    shapes = {**SIZES, **QUICK_SIZES}
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    if args.step:
        run_step(make_document(*shapes[sizes[0]]), args.step)
        return
    if args.instructions:
        count_instructions(sizes, args.instructions)
        return
    repeats = args.repeats or (1 if args.quick else 3)
    clock = CLOCKS[args.clock]
    print(
        f"HiGHS {highspy.Highs().version()}, version 2 documents, {args.clock} time, "
        f"median of {repeats}"
    )
    print(
        f"{'variables':>10} {'bare':>7} {'solve':>7} {'overhead':>8} {'cold':>7} "
        f"{'frontier impact':>15} {'ratio':>6} {'iterations':>10} "
        f"{'frontier hours':>14} {'ratio':>6} {'iterations':>10}"
    )
    for size in sizes:
        doc = make_document(*shapes[size])
        runs = [one_repeat(doc, clock) for _ in range(repeats)]
        m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"{int(m['variables']):>10,} {m['bare']:>7.3f} {m['plain']:>7.3f} "
            f"{m['overhead']:>8.1%} {m['cold']:>7.3f} {m['impact']:>15.3f} "
            f"{m['impact_ratio']:>5.2f}x {int(m['impact_iterations']):>10,} "
            f"{m['hours']:>14.3f} {m['hours_ratio']:>5.2f}x {int(m['hours_iterations']):>10,}",
            flush=True,
        )
        if args.breakdown:
            steps = [breakdown(doc, clock) for _ in range(repeats)]
            s = {key: statistics.median(step[key] for step in steps) for key in steps[0]}
            print(
                f"{'':>10} steps (ms): parse {s['parse'] * 1e3:.1f}, build "
                f"{s['build'] * 1e3:.1f}, solve {s['solve'] * 1e3:.1f} (bare "
                f"{s['bare'] * 1e3:.1f}, {s['extra'] * 1e3:+.1f}), result {s['result'] * 1e3:.1f}",
                flush=True,
            )
    print(
        "bare = the model's LP passed to a fresh HiGHS and run; solve = optimizer.solve "
        "with tie_break off; overhead = (solve - bare) / bare; cold = the default solve "
        "(tie-break on); ratio = frontier / cold; iterations = the frontier's simplex "
        "iterations; seconds and ratios are medians over the repeats."
    )


if __name__ == "__main__":
    main()
