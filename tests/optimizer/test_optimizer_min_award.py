"""Version 2: a need's `min_award` is a minimum per vendor (issue 21): a vendor given anything
on the need gets at least this much in total over its offers for it, however its volume is
split over its prices. One binary per (vendor, need) pair holds it (shared with max_vendors);
`min_order` stays a rule of each offer.

The hand-solved case carries its arithmetic in comments. Random small documents are checked
against a brute-force enumeration written here with scipy alone: every on/off choice of the
(vendor, need) pairs, one LP each (`scipy.optimize.linprog`), the best of them."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from scipy.optimize import linprog

import optimizer
from optimizer.model import build_model
from optimizer.problem import parse_problem

SOLVERS = ["highs", "cbc"]


def _need(volume, need_id="N", **extra):
    return {
        "id": need_id,
        "volume": volume,
        "unit": "hour",
        "period": {"start": "2027-01", "months": 1},
        **extra,
    }


def _vendors(*ids):
    return [{"id": v, "quality": 0.9, "impact_score": 50} for v in ids]


# Need N, 100 hours. Vendor A gave two prices: a1 $10 for at most 30 h, a2 $11 for at most
# 40 h; vendor C one: $12 for up to 100 h.
TWO_PRICES = {
    "version": 2,
    "needs": [_need(100, min_award=40)],
    "vendors": _vendors("A", "C"),
    "offers": [
        {"vendor": "A", "need": "N", "price": 10, "capacity": 30, "id": "a1"},
        {"vendor": "A", "need": "N", "price": 11, "capacity": 40, "id": "a2"},
        {"vendor": "C", "need": "N", "price": 12, "capacity": 100},
    ],
}


def _volumes(result):
    return {(a["vendor"], a.get("offer")): a["volume"] for a in result["allocations"]}


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_prices_each_below_the_minimum_count_together(solver):
    # Per vendor, at least 40 h each vendor that gets any. A alone has 30 + 40 = 70 < 100 h,
    # so C is in; C alone: 100 × 12 = 1,200. With both, A = a h (40 ≤ a ≤ 70) and C = 100 − a
    # ≥ 40 h, so a ≤ 60: A's cheapest a hours cost 30 × 10 + (a − 30) × 11 and C's 12 ×
    # (100 − a): total 300 + 11a − 330 + 1,200 − 12a = 1,170 − a, least at a = 60: a1 30 h
    # ($300) + a2 30 h ($330) + C 40 h ($480) = $1,110. Each of A's prices gets 30 h, below
    # 40, and their 60 h together are above it. C sits at its minimum: its row binds.
    result = optimizer.solve({**TWO_PRICES, "options": {"solver": solver}})
    assert result["status"] == "optimal"
    assert result["totals"]["cost"] == pytest.approx(1110)
    assert _volumes(result) == pytest.approx({("A", "a1"): 30, ("A", "a2"): 30, ("C", None): 40})
    assert result["model"]["binaries"] == 2  # one for A (both its prices), one for C
    rows = [c for c in result["constraints"] if c["kind"] == "min_award"]
    assert rows == [
        {
            "name": "min_award_n00000_v00001",
            "kind": "min_award",
            "label": "Vendor C gets nothing or at least 40 hours on need N in total over its "
            "prices",
            "binding": True,
            "slack": 0.0,
            "slack_unit": "hours",
            "shadow_price": None,
            "unit": None,
            "measure": None,
            "step": None,
            "steps": None,
            "direction": None,
            "meaning": "Integer rule (min_award): no shadow price.",
            "need": "N",
            "vendor": "C",
        }
    ]  # A, at 60 h above its minimum, is not listed (as a min_order row above its minimum)


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_same_minimum_per_price_line_gives_another_plan(solver):
    # min_order 40 on each line instead (the rule per price): a1 holds at most 30 < 40 h, so
    # it gets nothing; a2 gets 0 or exactly 40 h (its cap); C 0 or 40–100 h. a2 40 h ($440) +
    # C 60 h ($720) = $1,160 beats C alone ($1,200). Without any minimum: a1 30 + a2 40 +
    # C 30 = 300 + 440 + 360 = $1,100.
    per_line = {
        **TWO_PRICES,
        "needs": [_need(100)],
        "offers": [{**offer, "min_order": 40} for offer in TWO_PRICES["offers"]],
        "options": {"solver": solver},
    }
    result = optimizer.solve(per_line)
    assert result["totals"]["cost"] == pytest.approx(1160)
    assert _volumes(result) == pytest.approx({("A", "a2"): 40, ("C", None): 60})
    free = {**TWO_PRICES, "needs": [_need(100)], "options": {"solver": solver}}
    assert optimizer.solve(free)["totals"]["cost"] == pytest.approx(1100)


def test_one_binary_per_vendor_and_need_switches_all_its_offers():
    problem, errors = parse_problem(TWO_PRICES)
    assert errors == []
    model = build_model(problem)
    names = model.column_names()
    assert [names[c] for c in model.y_cols.tolist()] == [
        "vendor_used_n00000_v00000",
        "y_n00000_v00001",
    ]
    r = model.row_index["min_award_n00000_v00000"]
    cols = model.lp.index[model.lp.start[r] : model.lp.start[r + 1]].tolist()
    values = model.lp.value[model.lp.start[r] : model.lp.start[r + 1]].tolist()
    # x_a1 + x_a2 − 40·vendor_used ≥ 0
    assert [names[c] for c in cols] == [
        "x_n00000_v00000",
        "x_n00000_v00000_o1",
        "vendor_used_n00000_v00000",
    ]
    assert values == [1.0, 1.0, -40.0]
    assert (model.lp.row_lower[r], model.lp.row_upper[r]) == (0.0, math.inf)
    # the big-M rows: each x ≤ its tightest known bound × the binary (30, 40, then C: its
    # capacity 100 = the need's volume)
    for name, upper in (
        ("vendor_use_n00000_v00000", 30.0),
        ("vendor_use_n00000_v00000_o1", 40.0),
        ("use_n00000_v00001", 100.0),
    ):
        row = model.row_index[name]
        assert model.lp.value[model.lp.start[row] : model.lp.start[row + 1]].tolist() == [
            1.0,
            -upper,
        ]


def test_a_need_without_a_minimum_gets_no_binary():
    doc = {**TWO_PRICES, "needs": [_need(100, min_award=0)]}
    result = optimizer.solve(doc)
    assert result["model"]["binaries"] == 0 and "mip_gap" not in result
    assert result["totals"]["cost"] == pytest.approx(1100)


def test_min_award_and_max_vendors_share_the_vendor_binary():
    # At most one vendor and at least 40 h each: A has only 70 h, so C alone, $1,200.
    doc = {**TWO_PRICES, "needs": [_need(100, min_award=40, max_vendors=1)]}
    result = optimizer.solve(doc)
    assert result["totals"]["cost"] == pytest.approx(1200)
    assert result["model"]["binaries"] == 2


# ---------------------------------------------------------------------------------------------
# explanations


def _hundred_hours(min_award, *lines):
    """Need N, 100 hours, with this min_award; one offer per (vendor, price, capacity)."""
    return {
        "version": 2,
        "needs": [_need(100, min_award=min_award)],
        "vendors": _vendors(*sorted({vendor for vendor, _, _ in lines})),
        "offers": [
            {"vendor": vendor, "need": "N", "price": price, "capacity": capacity}
            for vendor, price, capacity in lines
        ],
    }


def _explanation(doc):
    result = optimizer.solve(doc)
    assert result["status"] == "infeasible"
    return result["explanation"]


def test_a_minimum_no_vendor_can_take_is_explained_with_the_workable_one():
    # 100 h, at least 60 h per vendor. A's two prices hold 30 + 25 = 55 h, B 50 h, C 45 h: all
    # below 60 (together they have 150 h, so the need's supply is not short). Largest first,
    # 55 + 50 = 105 ≥ 100 h: a minimum of 50 h leaves A and B (A 50 + B 50 h works).
    doc = _hundred_hours(60, ("A", 10, 30), ("A", 11, 25), ("B", 12, 50), ("C", 13, 45))
    explanation = _explanation(doc)
    check = explanation["checks"][0]
    assert (check["code"], check["vendors_able"], check["workable_min_award"]) == (
        "min_award_out_of_reach",
        0,
        50.0,
    )
    assert explanation["summary"] == (
        "Need N gives a vendor nothing or at least 60 hours, but none of its 3 eligible vendors "
        "can take that much; lower the minimum award to 50 hours or less, or add vendors."
    )
    doc["needs"][0]["min_award"] = 50
    assert optimizer.solve(doc)["totals"]["cost"] == pytest.approx(
        30 * 10 + 20 * 11 + 50 * 12  # A 50 h (a1 30, a2 20) + B 50 h = 1,120
    )


def test_too_few_vendors_able_is_explained():
    # 100 h, at least 40 h each. Only A (70 h over two prices) reaches 40; B has 30 h.
    # Largest first, 70 + 30 = 100: a minimum of 30 h works (A 70 + B 30).
    doc = _hundred_hours(40, ("A", 10, 30), ("A", 11, 40), ("B", 12, 30))
    assert _explanation(doc)["summary"] == (
        "Need N gives a vendor nothing or at least 40 hours, but only 1 of its 2 eligible "
        "vendors can take that much, and together they can supply at most 70 of its 100 hours; "
        "lower the minimum award to 30 hours or less, or add vendors."
    )


def test_minimums_that_fit_alone_but_not_together_are_named_in_the_summary():
    # 100 h, at least 60 h each; A and B 80 h each. Either alone is 20 h short; both need
    # 120 h. Each can take 60 h, so no data check fires, and the LP relaxation has a plan.
    doc = _hundred_hours(60, ("A", 10, 80), ("B", 12, 80))
    explanation = _explanation(doc)
    assert explanation["checks"] == [] and explanation["conflict"]["constraints"] == []
    assert explanation["summary"] == (
        "The minimum awards per vendor, minimum orders and vendor-count limits cannot all hold "
        "together (without them a plan exists)."
    )


# ---------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-5, "must be at least 0, got -5"),
        ("lots", "must be a number, got string"),
        (True, "must be a number, got boolean"),
        (float("nan"), "must be a finite number, got nan"),
        (2e12, "must be at most 1e+12, got 2000000000000.0"),
    ],
)
def test_a_bad_min_award_is_named(value, message):
    doc = {
        **TWO_PRICES,
        "needs": [_need(100, "M"), _need(100, min_award=value)],
    }
    errors = optimizer.validate(doc)
    assert [e["field"] for e in errors] == ["needs[1].min_award"]
    assert errors[0]["message"] == message
    assert optimizer.solve(doc)["status"] == "invalid"


def test_a_version_1_document_refuses_min_award():
    doc = {
        "needs": [{"id": "N", "volume": 100, "min_award": 40}],
        "vendors": _vendors("A"),
        "offers": [{"vendor": "A", "need": "N", "price": 10}],
    }
    assert optimizer.validate(doc) == [
        {"field": "needs[0].min_award", "message": 'only in version 2 documents (set "version": 2)'}
    ]


# ---------------------------------------------------------------------------------------------
# brute force


def _brute_force(doc):
    """Least cost of a version 2 document with one-month needs in the same month, offers with
    capacities and hours per unit, vendor hours that month, max_vendor_share, max_vendors and
    min_award: every on/off choice of the (vendor, need) pairs of needs with a rule, one LP
    each (None: no choice has a plan)."""
    needs = {n["id"]: n for n in doc["needs"]}
    offers = doc["offers"]
    hours = {row["vendor"]: row["hours"] for row in doc.get("capacities", [])}
    pairs = sorted({(o["vendor"], o["need"]) for o in offers})
    ruled = [p for p in pairs if needs[p[1]].get("min_award") or needs[p[1]].get("max_vendors")]
    n = len(offers)
    price = np.array([o["price"] for o in offers], float)
    best = None
    for on in itertools.product([False, True], repeat=len(ruled)):
        chosen = {p for p, flag in zip(ruled, on, strict=True) if flag}
        if any(
            sum(1 for v, j in chosen if j == need_id) > need.get("max_vendors", math.inf)
            for need_id, need in needs.items()
        ):
            continue
        bounds, a_ub, b_ub, a_eq, b_eq = [], [], [], [], []
        for o in offers:
            need = needs[o["need"]]
            cap = min(o.get("capacity", math.inf), need.get("max_vendor_share", 1) * need["volume"])
            off = (o["vendor"], o["need"]) in ruled and (o["vendor"], o["need"]) not in chosen
            bounds.append((0.0, 0.0 if off else cap))
        for need_id, need in needs.items():
            a_eq.append([1.0 if o["need"] == need_id else 0.0 for o in offers])
            b_eq.append(need["volume"])
        for vendor, need_id in pairs:
            need = needs[need_id]
            member = [1.0 if (o["vendor"], o["need"]) == (vendor, need_id) else 0.0 for o in offers]
            a_ub.append(member)  # the vendor's share over all its offers for the need
            b_ub.append(need.get("max_vendor_share", 1) * need["volume"])
            if (vendor, need_id) in chosen and need.get("min_award"):
                a_ub.append([-m for m in member])
                b_ub.append(-need["min_award"])
        for vendor, limit in hours.items():
            a_ub.append(
                [o.get("hours_per_unit", 1) if o["vendor"] == vendor else 0 for o in offers]
            )
            b_ub.append(limit)
        found = linprog(
            price,
            A_ub=np.array(a_ub).reshape(-1, n),
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=bounds,
            method="highs",
        )
        if found.status == 0 and (best is None or found.fun < best):
            best = float(found.fun)
    return best


def _random_document(seed):
    """Up to two one-month needs, one or two vendors with one to three offers per need and
    vendor "Z", dear but unlimited, on every need (so most documents have a plan)."""
    rng = random.Random(seed)
    vendors = _vendors(*(f"V{i}" for i in range(rng.randint(1, 2))), "Z")
    needs = []
    for j in range(rng.randint(1, 2)):
        extra = {}
        if rng.random() < 0.85:
            extra["min_award"] = rng.choice([10, 20, 30, 40])
        if rng.random() < 0.3:
            extra["max_vendors"] = rng.randint(1, 2)
        if rng.random() < 0.3:
            extra["max_vendor_share"] = rng.choice([0.6, 0.8])
        needs.append(_need(rng.choice([30, 50, 70]), f"N{j}", **extra))
    offers = [
        {
            "vendor": vendor["id"],
            "need": need["id"],
            "price": rng.randint(5, 20),
            "capacity": rng.choice([15, 25, 40]),
            "hours_per_unit": rng.choice([1, 1.5]),
        }
        for need in needs
        for vendor in vendors[:-1]
        if rng.random() < 0.9
        for _ in range(rng.randint(1, 3))
    ]
    offers += [{"vendor": "Z", "need": need["id"], "price": 25} for need in needs]
    capacities = [
        {"vendor": vendor["id"], "month": "2027-01", "hours": rng.choice([40, 60, 90])}
        for vendor in vendors[:-1]
        if rng.random() < 0.5
    ]
    return {
        "version": 2,
        "needs": needs,
        "vendors": vendors,
        "offers": offers,
        "capacities": capacities,
    }


@pytest.mark.parametrize("solver", SOLVERS)
def test_random_documents_agree_with_a_brute_force_enumeration(solver):
    # 40 seeds: 31 have a plan (11 of them dearer for the minimum), 9 none
    seeds = range(40) if solver == "highs" else range(20)  # CBC runs a process per solve
    agreed = infeasible = 0
    for seed in seeds:
        doc = _random_document(seed)
        expected = _brute_force(doc)
        result = optimizer.solve({**doc, "options": {"solver": solver}})
        if expected is None:
            assert result["status"] == "infeasible", seed
            infeasible += 1
            continue
        assert result["status"] == "optimal", (seed, result.get("errors"))
        assert result["totals"]["cost"] == pytest.approx(expected, rel=1e-6, abs=1e-6), seed
        volume = {}
        for line in result["allocations"]:
            key = (line["vendor"], line["need"])
            volume[key] = volume.get(key, 0.0) + line["volume"]
        for need in doc["needs"]:
            minimum = need.get("min_award") or 0
            for (vendor, need_id), total in volume.items():
                if need_id == need["id"] and total > 1e-6:
                    assert total >= minimum - 1e-6, (seed, vendor, need_id)
        agreed += 1
    assert agreed >= len(seeds) // 2 and infeasible >= 1
