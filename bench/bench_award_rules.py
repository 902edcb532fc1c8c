"""Benchmark an event of 200 vendors × 500 lots with the award rules of issue #21: incumbent
rules, vendor groups, bid adjustments and constraint priorities that must be relaxed.

    python bench/bench_award_rules.py                        # LP, median of 3, then the MIP
    python bench/bench_award_rules.py --repeats 1 --mip-time-limit 20
    python bench/bench_award_rules.py --clock cpu --skip-mip
    python bench/bench_award_rules.py --repeats 1 --skip-mip --vendors 150 --lots 400
    python bench/bench_award_rules.py --mip-only --mip-time-limit 30

Every vendor bids on every lot (100,000 offers; `--vendors` and `--lots` make a smaller
event of the same shape, to try a change before the full size). Vendors sit in 8
countries; each country is a group capped at 20 % of labour hours (priority 4) and the local
country must keep 15 % of spend (hard); every lot keeps 30 % with its incumbent (priority 1);
new vendors carry a 3 % transition cost; the budget (priority 5) and an average impact of 62
(priority 3) cannot both hold, so the optimizer relaxes by priority (status
optimal_relaxed).

LP, the same document each repeat:

* `solve`: `optimizer.solve` with the tie-break off: parse, build, the infeasible first solve,
  one elastic run per priority level, the objective run, the relaxed model's solve, extract;
* `bare lex`: the same lexicographic elastic LP on bare HiGHS: the elastic model's arrays in
  one `passModel`, one run per level, each slack of the level then bounded by its value
  (plus LEVEL_ROOM), then the cost. That hold is stricter than the optimizer's (which keeps
  every split of a level with the same sum, `solve.hold_optimum`), so its cost can be
  higher; both are printed, and their difference. (A row Σ slack / scale ≤ optimum per
  level instead made HiGHS end "Unknown", or take 525 s, on this model.)
  overhead = (solve − bare lex) / bare lex;
* `bare final`: the relaxed model alone (what a buyer who knew the relaxed targets would
  solve), passed to a fresh HiGHS and run once; `solve / final` says what relaxing costs
  over one plain solve.

MIP: the same event with at most 3 vendors per lot and a minimum order of 50 hours on every
bid, under `--mip-time-limit` seconds for the whole call; it prints the status, the gap
reached, the objective and the best bound (objective × (1 − gap)), and bare HiGHS on the
relaxed MIP under the same limit (its gap and `mip_dual_bound`). "elapsed / time limit" is
the call's wall time over its limit (with `--clock cpu` it leaves out the MIP runs, which
use the CPU of a child process): a MIP run is killed `solve.MIP_KILL_GRACE`
seconds after its share of the limit (HiGHS' root node does not always check it; 100,000
binaries, the first elastic level alone under 15 s: 63.7 s before, 16.3 s after).

A script, never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizer  # noqa: E402
from optimizer.model import build_model, cost_vector, primary_cost  # noqa: E402
from optimizer.problem import parse_problem  # noqa: E402
from optimizer.relax import (  # noqa: E402
    elastic_model,
    even_spread,
    prioritised_rows,
    relaxation_scale,
    relaxed_bounds,
    target_measure,
)
from optimizer.solve import configured_highs, pass_model  # noqa: E402

VENDORS, LOTS, COUNTRIES = 200, 500, 8
LEVEL_ROOM = 1e-9
"""Bare lex: each slack of a level is held within this of its value, relative."""


def make_document(
    seed: int = 21, mip: bool = False, vendors: int = VENDORS, lots: int = LOTS
) -> dict:
    rng = np.random.default_rng(seed)
    country = rng.integers(0, COUNTRIES, vendors)
    impact = np.round(rng.uniform(10, 95, vendors), 1)
    volume = np.round(rng.uniform(200, 2000, lots))
    # dearer vendors tend to have more impact, so the budget and impact pull apart
    price = np.round(rng.uniform(15, 30, (vendors, lots)) + 0.15 * impact[:, None], 2)
    incumbent = rng.integers(0, vendors, lots)
    vendor_ids = [f"V{i:03d}" for i in range(vendors)]
    lot_ids = [f"L{j:03d}" for j in range(lots)]
    cheapest = float(volume @ price.min(axis=0))
    groups = [
        {
            "id": f"C{c}",
            "label": f"Country {c}",
            "vendors": [vendor_ids[i] for i in np.flatnonzero(country == c)],
            "measure": "hours",
            "max_share": 0.2,
        }
        for c in range(COUNTRIES)
    ]
    groups[0]["min_share"] = 0.15  # the local country, on spend below
    groups[0]["measure"] = "spend"
    priorities = {"budget": 5, "min_avg_impact": 3}
    priorities |= {f"vendor_groups.C{c}.max_share": 4 for c in range(1, COUNTRIES)}
    priorities |= {f"incumbents.{j}": 1 for j in range(lots)}
    return {
        "version": 2,
        "needs": [
            {
                "id": lot_ids[j],
                "unit": "hour",
                "volume": float(volume[j]),
                "period": {"start": f"2026-{1 + j % 6:02d}", "months": 1 + j % 3},
                "max_vendor_share": 0.6,
                **({"max_vendors": 3} if mip else {}),
            }
            for j in range(lots)
        ],
        "vendors": [
            {"id": vendor_ids[i], "quality": 0.9, "impact_score": float(impact[i])}
            for i in range(vendors)
        ],
        "offers": [
            {
                "vendor": vendor_ids[i],
                "need": lot_ids[j],
                "price": float(price[i, j]),
                **({"min_order": 50.0} if mip else {}),
            }
            for j in range(lots)
            for i in range(vendors)
        ],
        "targets": {
            "budget": round(cheapest * 1.12, 2),
            "min_avg_impact": 62.0,
            "vendor_groups": groups,
            "incumbents": [
                {"need": lot_ids[j], "vendors": [vendor_ids[incumbent[j]]], "min_share": 0.3}
                for j in range(lots)
            ],
            "adjustments": [
                {
                    "vendors": sorted(set(vendor_ids) - {vendor_ids[i] for i in incumbent}),
                    "percent": 3,
                }
            ],
            "priorities": priorities,
        },
        "objective": "min_cost",
        "options": {"time_limit": 3600, "tie_break": False},
    }


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def bare_lexicographic(doc: dict, clock) -> tuple[float, float, object]:
    """The lexicographic elastic LP on bare HiGHS: (seconds, cost, relaxed model). The model
    is built before the clock starts; the levels' slacks are held by column bounds."""
    problem, errors = parse_problem(doc)
    assert problem is not None, errors
    model = build_model(problem)
    pairs = prioritised_rows(model)
    rows = np.array([r for r, _ in pairs])
    spread = even_spread(model)
    scale = np.array([relaxation_scale(target_measure(model, r), spread) for r in rows])
    elastic = elastic_model(model, rows)
    slack_cols = model.lp.num_col + np.arange(rows.size)
    all_cols = np.arange(elastic.lp.num_col, dtype=np.int32)
    highs = configured_highs(1e-6)
    started = clock()
    pass_model(highs, elastic)
    for level in sorted({p.level for _, p in pairs}, reverse=True):
        members = slack_cols[[i for i, (_, p) in enumerate(pairs) if p.level == level]]
        cost = np.zeros(elastic.lp.num_col)
        cost[members] = 1.0 / scale[members - model.lp.num_col]
        highs.changeColsCost(all_cols.size, all_cols, cost)
        highs.run()
        assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        value = np.array(highs.getSolution().col_value)[members]
        upper = value + LEVEL_ROOM * (1 + value)
        highs.changeColsBounds(
            members.size, members.astype(np.int32), np.zeros(members.size), upper
        )
    highs.changeColsCost(all_cols.size, all_cols, primary_cost(elastic)[0])
    highs.run()
    seconds = clock() - started
    status = highs.getModelStatus()
    assert status == highspy.HighsModelStatus.kOptimal, highs.modelStatusToString(status)
    x = np.array(highs.getSolution().col_value)
    relaxed = relaxed_bounds(model, rows, np.maximum(x[slack_cols], 0.0), scale)
    return seconds, highs.getInfo().objective_function_value, relaxed


def bare_final(relaxed, clock, time_limit: float | None = None) -> tuple[float, highspy.Highs]:
    """The relaxed model passed to a fresh HiGHS and run once (cold)."""
    highs = configured_highs(1e-6)
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    started = clock()
    pass_model(highs, relaxed)
    cols = np.arange(relaxed.lp.num_col, dtype=np.int32)
    highs.changeColsCost(cols.size, cols, cost_vector(relaxed, {"adjusted_spend": 1.0}))
    highs.run()
    return clock() - started, highs


def one_repeat(doc: dict, clock) -> dict[str, float]:
    lex, lex_cost, relaxed = bare_lexicographic(doc, clock)
    final, highs = bare_final(relaxed, clock)
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    started = clock()
    result = optimizer.solve(doc)
    seconds = clock() - started
    assert result["status"] == "optimal_relaxed", result["status"]
    value = result["objective"]["value"]
    return {
        "variables": result["model"]["variables"],
        "rows": result["model"]["constraints"],
        "solve": seconds,
        "lex": lex,
        "final": final,
        "overhead": (seconds - lex) / lex,
        "over_final": seconds / final,
        "relaxed": len(result["relaxations"]),
        "cost": value,
        "lex_cost": lex_cost,
        "iterations": result["solver"]["iterations"] or 0,
        "runs": len(result["solver"]["stages"]),
        "stages": result["solver"]["stages"],
    }


def mip_run(time_limit: float, clock, vendors: int, lots: int) -> None:
    doc = make_document(mip=True, vendors=vendors, lots=lots)
    doc["options"] = {"time_limit": time_limit, "tie_break": False, "mip_rel_gap": 1e-4}
    started = clock()
    result = optimizer.solve(doc)
    seconds = clock() - started
    stages = ", ".join(
        f"{s['stage']} {s['status']} {s['seconds']:.1f}s" for s in result["solver"]["stages"]
    )
    print(
        f"\nMIP (max 3 vendors per lot, min order 50 h, mip_rel_gap 1e-4): "
        f"{result['model']['binaries']:,} binaries, time limit {time_limit:g} s for the call"
    )
    print(
        f"  optimizer.solve: {result['status']} in {seconds:.1f} s "
        f"(elapsed / time limit {seconds / time_limit:.2f}); runs: {stages}"
    )
    if result.get("objective"):
        gap = result.get("mip_gap")
        value = result["objective"]["value"]
        bound = value * (1 - gap) if gap is not None else float("nan")
        reached = "unknown" if gap is None else f"{gap:.4%}"
        print(
            f"  objective ${value:,.2f}, gap reached {reached}, best bound ${bound:,.2f}; "
            f"{len(result.get('relaxations', []))} targets relaxed"
        )
    # bare HiGHS on the relaxed MIP: the LP's relaxed bounds with the MIP's binaries
    lp_doc = make_document(mip=False, vendors=vendors, lots=lots)
    _, _, relaxed_lp = bare_lexicographic(lp_doc, clock)
    mip_problem, _ = parse_problem(make_document(mip=True, vendors=vendors, lots=lots))
    mip_model = build_model(mip_problem)
    relaxed_mip = _with_bounds_of(mip_model, relaxed_lp)
    bare, highs = bare_final(relaxed_mip, clock, time_limit)
    info = highs.getInfo()
    print(
        f"  bare HiGHS, the relaxed MIP alone (the LP's relaxed targets): "
        f"{highs.modelStatusToString(highs.getModelStatus())} in {bare:.1f} s, objective "
        f"${info.objective_function_value:,.2f}, gap {info.mip_gap:.4%}, best bound "
        f"${info.mip_dual_bound:,.2f}"
    )


def _with_bounds_of(mip_model, relaxed_lp):
    """The MIP model with the relaxed LP's bounds on the rows they share (by name)."""
    lower, upper = mip_model.lp.row_lower.copy(), mip_model.lp.row_upper.copy()
    for r, name in enumerate(relaxed_lp.row_names):
        target = mip_model.row_index.get(name)
        if target is not None:
            lower[target], upper[target] = relaxed_lp.lp.row_lower[r], relaxed_lp.lp.row_upper[r]
    return replace(mip_model, lp=replace(mip_model.lp, row_lower=lower, row_upper=upper))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--repeats", type=int, default=3, help="LP repeats (default 3)")
    parser.add_argument("--mip-time-limit", type=float, default=60.0, help="seconds (60)")
    parser.add_argument("--skip-mip", action="store_true")
    parser.add_argument("--mip-only", action="store_true", help="skip the LP part")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--vendors", type=int, default=VENDORS, help=f"({VENDORS})")
    parser.add_argument("--lots", type=int, default=LOTS, help=f"({LOTS})")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]
    if args.mip_only:
        mip_run(args.mip_time_limit, clock, args.vendors, args.lots)
        return
    doc = make_document(vendors=args.vendors, lots=args.lots)
    print(
        f"HiGHS {highspy.Highs().version()}, {args.vendors} vendors x {args.lots} lots, "
        f"{args.clock} time, median of {args.repeats}"
    )
    runs = [one_repeat(doc, clock) for _ in range(args.repeats)]
    m = {key: statistics.median(run[key] for run in runs) for key in runs[0] if key != "stages"}
    print(
        f"{'variables':>10} {'rows':>7} {'relaxed':>7} {'runs':>5} {'iterations':>10} "
        f"{'bare lex':>8} {'solve':>7} {'overhead':>8} {'bare final':>10} {'solve/final':>11}"
    )
    print(
        f"{int(m['variables']):>10,} {int(m['rows']):>7,} {int(m['relaxed']):>7} "
        f"{int(m['runs']):>5} {int(m['iterations']):>10,} {m['lex']:>8.3f} {m['solve']:>7.3f} "
        f"{m['overhead']:>8.1%} {m['final']:>10.3f} {m['over_final']:>10.2f}x"
    )
    print(
        "bare lex = the lexicographic elastic LP on bare HiGHS (levels held by slack bounds); "
        "solve = optimizer.solve, tie-break off; overhead = (solve - bare lex) / bare lex; "
        "bare final = the relaxed model alone, one cold HiGHS run."
    )
    print(
        f"objective: solve ${m['cost']:,.2f}, bare lex ${m['lex_cost']:,.2f} "
        f"({m['cost'] / m['lex_cost'] - 1:+.4%})"
    )
    print(
        "solve's runs (last repeat): "
        + ", ".join(f"{s['stage']} {s['seconds']:.1f}s" for s in runs[-1]["stages"])
    )
    if not args.skip_mip:
        mip_run(args.mip_time_limit, clock, args.vendors, args.lots)


if __name__ == "__main__":
    main()
