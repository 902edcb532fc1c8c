"""Hand-solved instances (tests/data/optimizer/*.json): allocations, totals and shadow prices.

Shadow prices are the change in the objective per unit relaxation of a constraint (for demand,
per extra unit of volume); the arithmetic behind every expected number is in the comments.
"""

from __future__ import annotations

import json

import pytest

import optimizer

EXACT = 1e-6  # results are rounded to 6 decimals


def _lines(result: dict) -> list[tuple]:
    return [
        (a["need"], a["vendor"], a["volume"], a["price"], a["cost"]) for a in result["allocations"]
    ]


def _solved(golden, name: str, solver: str = "highs") -> dict:
    doc = golden(name)
    doc["options"] = {**doc.get("options", {}), "solver": solver}
    result = optimizer.solve(doc)
    assert result["status"] == "optimal"
    return result


def _constraint(result: dict, name: str) -> dict:
    matches = [c for c in result["constraints"] if c["name"] == name]
    assert len(matches) == 1, [c["name"] for c in result["constraints"]]
    return matches[0]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_min_cost_with_binding_impact_target(golden, solver):
    # N1 needs 100 units. V1: $10, impact 50, quality 0.9; V2: $12, impact 90, quality 0.8.
    # Average impact ≥ 80: 50·x1 + 90·x2 ≥ 80·100 with x1 + x2 = 100 → 40·x2 ≥ 3000 → x2 = 75.
    # x1 = 25. Cost = 25·10 + 75·12 = 250 + 900 = 1150 (the budget of 2000 has 850 slack).
    result = _solved(golden, "impact_binding", solver)
    assert _lines(result) == [("N1", "V1", 25.0, 10.0, 250.0), ("N1", "V2", 75.0, 12.0, 900.0)]
    assert result["objective"] == {"name": "min_cost", "value": 1150.0, "unit": "$"}
    totals = result["totals"]
    assert totals["cost"] == 1150.0 and totals["volume"] == 100.0
    assert totals["avg_impact"] == pytest.approx(80.0, abs=EXACT)
    # quality: (0.9·25 + 0.8·75) / 100 = (22.5 + 60) / 100 = 0.825
    assert totals["avg_quality"] == pytest.approx(0.825, abs=EXACT)
    # both vendors score ≥ 50, so all spend is impact spend
    assert totals["impact_spend_share"] == pytest.approx(1.0, abs=EXACT)
    # impact-worker hours: V1 25 units × 0.5 = 12.5; V2 does not disclose → coverage 25/100
    assert totals["impact_worker_hours"] == pytest.approx(12.5, abs=EXACT)
    assert totals["impact_worker_hours_coverage"] == pytest.approx(0.25, abs=EXACT)

    # LP duals: 10 = y_d + 50·y_i, 12 = y_d + 90·y_i → y_i = 0.05 $/impact-unit, y_d = 7.5.
    # Relaxing the target by 1 point lowers the right side by 100 → cost changes by
    # −0.05·100 = −$5 (check: target 79 → x2 = 72.5, cost 275 + 870 = 1145 = 1150 − 5).
    impact = _constraint(result, "min_avg_impact")
    assert impact["binding"] is True and impact["slack"] == 0.0
    assert impact["shadow_price"] == pytest.approx(-5.0, abs=EXACT)
    assert impact["unit"] == "$ per point of average impact relaxed"
    # the same unit in parts: $ per point the target is lowered, never counted in multiples
    assert (impact["measure"], impact["step"], impact["steps"], impact["direction"]) == (
        "$",
        "point of average impact",
        None,
        "lowered",
    )
    # One more unit of N1: 7.5 + 80·0.05 = $11.5 (check: 101 units at avg 80 → x2 = 75.75,
    # x1 = 25.25, cost 252.5 + 909 = 1161.5 = 1150 + 11.5).
    demand = _constraint(result, "demand_n00000")
    assert demand["need"] == "N1" and demand["shadow_price"] == pytest.approx(11.5, abs=EXACT)
    budget = _constraint(result, "budget")
    assert budget["binding"] is False and budget["slack"] == pytest.approx(850.0, abs=EXACT)
    assert budget["shadow_price"] == 0.0
    capacity = _constraint(result, "capacity_v00001")
    assert capacity["vendor"] == "V2" and capacity["slack"] == pytest.approx(25.0, abs=EXACT)
    assert capacity["binding"] is False and capacity["shadow_price"] == 0.0
    assert "per unit relaxation" in impact["meaning"]
    json.dumps(result, allow_nan=False)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_max_impact_with_binding_budget(golden, solver):
    # Maximise 50·x1 + 90·x2 with x1 + x2 = 100 and 10·x1 + 12·x2 ≤ 1100:
    # 1000 + 2·x2 ≤ 1100 → x2 = 50, x1 = 50; impact (2500 + 4500) / 100 = 70; cost 1100.
    result = _solved(golden, "max_impact_budget", solver)
    assert _lines(result) == [("N1", "V1", 50.0, 10.0, 500.0), ("N1", "V2", 50.0, 12.0, 600.0)]
    assert result["objective"]["name"] == "max_impact"
    assert result["objective"]["value"] == pytest.approx(70.0, abs=EXACT)
    assert result["totals"]["cost"] == pytest.approx(1100.0, abs=EXACT)
    # Duals of total impact: 50 = y_d + 10·y_b, 90 = y_d + 12·y_b → y_b = 20, y_d = −150.
    # +$1 of budget: +20 impact·units → +20/100 = +0.2 points of average impact.
    budget = _constraint(result, "budget")
    assert budget["binding"] is True
    assert budget["shadow_price"] == pytest.approx(0.2, abs=EXACT)
    assert budget["unit"] == "points of average impact per extra $ of budget"
    assert (budget["measure"], budget["step"], budget["steps"], budget["direction"]) == (
        "points of average impact",
        "$ of budget",
        "$ of budget",
        "raised",
    )
    # +1 unit of volume (budget fixed): d(I/ΣD)/dD = (y_d − avg)/ΣD = (−150 − 70)/100 = −2.2
    # (check: 101 units → x2 = 45, x1 = 56, avg 6850/101 = 67.82, about −2.2 per unit).
    assert _constraint(result, "demand_n00000")["shadow_price"] == pytest.approx(-2.2, abs=EXACT)
    for name in ("capacity_v00000", "capacity_v00001"):
        assert _constraint(result, name)["shadow_price"] == 0.0


def test_max_vendor_share_binding(golden):
    # Share cap 0.6 × 100 = 60 per vendor. Cheapest: V1 ($10) takes 60, then V2 ($12) 40.
    # Cost 600 + 480 = 1080; impact (50·60 + 90·40)/100 = 66.
    result = _solved(golden, "vendor_share")
    assert _lines(result) == [("N1", "V1", 60.0, 10.0, 600.0), ("N1", "V2", 40.0, 12.0, 480.0)]
    assert result["totals"]["cost"] == 1080.0
    assert result["totals"]["avg_impact"] == pytest.approx(66.0, abs=EXACT)
    # One more unit allowed to V1 replaces a unit of V2: 10 − 12 = −$2.
    share = _constraint(result, "max_share_n00000_v00000")
    assert share["kind"] == "max_vendor_share" and share["vendor"] == "V1"
    assert share["binding"] is True and share["shadow_price"] == pytest.approx(-2.0, abs=EXACT)
    # One more unit of N1: the cap grows to 60.6 → cost 606 + 40.4·12 = 1090.8 → +$10.8
    # (dual: 12 + 0.6·(−2) = 10.8).
    assert _constraint(result, "demand_n00000")["shadow_price"] == pytest.approx(10.8, abs=EXACT)
    assert not [
        c for c in result["constraints"] if c["kind"] == "max_vendor_share" and c["vendor"] != "V1"
    ]


def test_min_impact_spend_share(golden):
    # Impact vendors score ≥ 50: only V2 ($20). Share 0.5: 20·x2 ≥ 0.5·(10·x1 + 20·x2)
    # → 10·x2 ≥ 5·x1 → x1 ≤ 2·x2; with x1 + x2 = 100: x2 = 100/3, x1 = 200/3.
    # Rounded to 6 decimals: 66.666667 × 10 = 666.66667 and 33.333333 × 20 = 666.66666.
    result = _solved(golden, "impact_spend_share")
    assert _lines(result) == [
        ("N1", "V1", 66.666667, 10.0, 666.66667),
        ("N1", "V2", 33.333333, 20.0, 666.66666),
    ]
    totals = result["totals"]
    assert totals["cost"] == pytest.approx(1333.33333, abs=EXACT)  # sum of the two lines
    assert totals["impact_spend_share"] == pytest.approx(0.5, abs=EXACT)
    # cost(τ) = 1000 + 10·x2 with x2 = 1000τ/(20 − 10τ): d cost/dτ = 200000/(20 − 10τ)²
    # = 200000/225 = 888.89 $ per unit of share → −8.888889 $ per percentage point relaxed.
    share = _constraint(result, "min_impact_spend_share")
    assert share["binding"] is True
    assert share["shadow_price"] == pytest.approx(-8.888889, abs=EXACT)
    # cost(D) = 10·D + 10·D/3 → +$13.333333 per unit of volume
    assert _constraint(result, "demand_n00000")["shadow_price"] == pytest.approx(
        13.333333, abs=EXACT
    )


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_min_order_mip(golden, solver):
    # LP optimum would be V1 30 (cap) + V2 60 (cap) + V3 10, but V3 has min_order 20:
    # V3 = 0 leaves 90 < 100, so V3 ≥ 20: V1 30, V2 50, V3 20. Cost 300 + 600 + 260 = 1160.
    result = _solved(golden, "min_order", solver)
    assert _lines(result) == [
        ("N1", "V1", 30.0, 10.0, 300.0),
        ("N1", "V2", 50.0, 12.0, 600.0),
        ("N1", "V3", 20.0, 13.0, 260.0),
    ]
    if solver == "highs":  # COIN_CMD does not report a gap: null with CBC
        assert result["mip_gap"] is not None and result["mip_gap"] <= 1e-6
    else:
        assert "mip_gap" in result and result["mip_gap"] is None
    assert result["model"]["binaries"] == 1
    order = [c for c in result["constraints"] if c["kind"] == "min_order"]
    assert [(c["vendor"], c["binding"], c["shadow_price"]) for c in order] == [("V3", True, None)]
    # Fixed-LP duals (V3 kept in): one more unit at V1 replaces V2: 10 − 12 = −$2;
    # one more unit of demand goes to V2: +$12.
    assert _constraint(result, "capacity_v00000")["shadow_price"] == pytest.approx(-2.0, abs=EXACT)
    assert _constraint(result, "demand_n00000")["shadow_price"] == pytest.approx(12.0, abs=EXACT)


def test_max_vendors_mip(golden):
    # Without the rule: V1 60 + V3 40 = 600 + 440 = 1040. With one vendor only V2 or V3 can
    # take all 100: V3 at $11 → 1100.
    result = _solved(golden, "max_vendors")
    assert _lines(result) == [("N1", "V3", 100.0, 11.0, 1100.0)]
    assert result["mip_gap"] <= 1e-6 and result["model"]["binaries"] == 3
    rule = _constraint(result, "max_vendors_n00000")
    assert rule["binding"] is True and rule["shadow_price"] is None
    # with V3 as the chosen vendor one more unit costs $11
    assert _constraint(result, "demand_n00000")["shadow_price"] == pytest.approx(11.0, abs=EXACT)


def test_lp_without_integer_rules_reports_no_gap(golden):
    result = optimizer.solve(golden("vendor_share"))
    assert "mip_gap" not in result and result["model"]["binaries"] == 0


def test_infeasible_budget_explained(golden):
    # impact_binding needs $1150 for average impact 80; with a budget of $1100 no plan works.
    doc = golden("impact_binding")
    doc["targets"]["budget"] = 1100
    result = optimizer.solve(doc)
    assert result["status"] == "infeasible" and result["allocations"] == []
    explanation = result["explanation"]
    assert explanation["checks"] == []  # cheapest cover $1000 ≤ $1100; best impact 90 ≥ 80
    budget = explanation["targets"]["budget"]
    assert budget["feasible_if_relaxed"] is True
    assert budget["achievable"] == pytest.approx(1150.0, abs=EXACT)
    # Within $1100 the most impact is 70 (the max_impact golden case).
    impact = explanation["targets"]["min_avg_impact"]
    assert impact["achievable"] == pytest.approx(70.0, abs=EXACT)
    assert explanation["summary"] == (
        "Budget short by $50: the least budget that meets all other targets is $1,150."
    )
    assert (
        explanation["suggestions"][1] == "The highest reachable average impact is 70 (target 80)."
    )
    # The irreducible conflict: all 100 units, the budget and the impact target.
    names = {member["name"] for member in explanation["conflict"]["constraints"]}
    assert names == {"demand_n00000", "budget", "min_avg_impact"}
    json.dumps(result, allow_nan=False)
