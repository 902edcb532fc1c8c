"""Shadow prices against finite differences, for both objectives.

A shadow price is the change in the objective per unit relaxation. Re-solving with the rule
relaxed by +δ and tightened by −δ gives one-sided slopes; the least cost is convex in the
relaxation (most impact concave), so the reported price must lie between the two slopes.
"""

from __future__ import annotations

import copy

import pytest

import optimizer

# the field each constraint kind moves, the direction that relaxes it, the business step
STEP = {
    "budget": 0.01,
    "min_avg_impact": 0.001,
    "min_avg_quality": 0.001,
    "min_impact_spend_share": 0.001,
    "max_vendor_spend_share": 0.001,
    "vendor_capacity": 0.01,
    "demand": 0.01,
    "offer_capacity": 0.01,
}


def _moved(doc: dict, constraint: dict, units: float) -> dict:
    """The document with `constraint` relaxed by `units` of its shadow-price unit."""
    out = copy.deepcopy(doc)
    kind, targets = constraint["kind"], out["targets"]
    if kind == "budget":
        targets["budget"] += units
    elif kind == "min_avg_impact":
        targets["min_avg_impact"] -= units
    elif kind == "min_avg_quality":
        targets["min_avg_quality"] -= 0.01 * units
    elif kind == "min_impact_spend_share":
        targets["min_impact_spend_share"] -= 0.01 * units
    elif kind == "max_vendor_spend_share":
        targets["max_vendor_spend_share"] += 0.01 * units
    elif kind == "vendor_capacity":
        next(v for v in out["vendors"] if v["id"] == constraint["vendor"])["capacity"] += units
    elif kind == "demand":
        next(n for n in out["needs"] if n["id"] == constraint["need"])["volume"] += units
    elif kind == "offer_capacity":
        offer = next(
            o
            for o in out["offers"]
            if (o["vendor"], o["need"]) == (constraint["vendor"], constraint["need"])
        )
        offer["capacity"] += units
    return out


def _objective(doc: dict) -> float | None:
    result = optimizer.solve(doc)
    return result["objective"]["value"] if result["status"] == "optimal" else None


@pytest.mark.parametrize("objective", ["min_cost", "max_impact"])
def test_shadow_prices_match_finite_differences(random_document, objective):
    checked = nonzero = 0
    for seed in range(60):
        doc = random_document(seed)
        doc["objective"] = objective
        result = optimizer.solve(doc)
        if result["status"] != "optimal":
            continue
        base = result["objective"]["value"]
        for constraint in result["constraints"]:
            kind, price = constraint["kind"], constraint["shadow_price"]
            if kind not in STEP:
                continue
            if kind != "demand":  # relaxing never hurts: cost falls, impact rises
                assert price * (1 if objective == "max_impact" else -1) >= -1e-9, constraint
            delta = STEP[kind]
            forward = _objective(_moved(doc, constraint, delta))
            backward = _objective(_moved(doc, constraint, -delta))
            slopes = [(forward - base) / delta]
            if backward is not None:
                slopes.append((base - backward) / delta)
            tolerance = 3e-3 + 1e-3 * abs(price)
            assert min(slopes) - tolerance <= price <= max(slopes) + tolerance, (
                seed,
                constraint["name"],
                price,
                slopes,
            )
            checked += 1
            nonzero += abs(price) > 1e-6
    assert checked >= 100 and nonzero >= 20, (checked, nonzero)


def test_shadow_price_units_name_the_objective(golden):
    cost = optimizer.solve(golden("impact_binding"))
    impact = optimizer.solve(golden("max_impact_budget"))
    assert {c["unit"].split(" per ")[0] for c in cost["constraints"]} == {"$"}
    assert {c["unit"].split(" per ")[0] for c in impact["constraints"]} == {
        "points of average impact"
    }
    assert all(
        "per unit relaxation" in c["meaning"] for c in cost["constraints"] if c["kind"] != "demand"
    )
