"""Version 2's shadow prices on averages and hours against finite differences.

A version 2 average row is homogeneous, Σ (impact − target) · hours · x ≥ 0, so moving the
target changes the row's coefficients, not its right-hand side. The price the optimizer
reports per point of target is the row's dual times the plan's labour hours (of the need, for
a need's own row): the envelope theorem makes that the exact derivative of the objective in
the target, at the optimum. Re-solving with the target moved by ±δ and taking the central
difference must give the same figure, to the accuracy of the step.
"""

from __future__ import annotations

import copy

import optimizer
from tests.optimizer.test_optimizer_version2 import random_v2_document

DELTA = 1e-3  # points of average impact, hours of impact work, or 0.001 of quality


def _moved(doc: dict, constraint: dict, relax_by: float) -> dict:
    """The document with `constraint`'s target relaxed by `relax_by` of its step."""
    out = copy.deepcopy(doc)
    kind = constraint["kind"]
    if kind == "need_avg_impact":
        need = next(n for n in out["needs"] if n["id"] == constraint["need"])
        need["min_avg_impact"] -= relax_by
    elif kind == "min_avg_quality":
        out["targets"]["min_avg_quality"] -= 0.01 * relax_by  # quoted per point of quality
    else:  # min_avg_impact, min_impact_worker_hours
        out["targets"][kind] -= relax_by
    return out


def _cost(doc: dict) -> float | None:
    result = optimizer.solve(doc)
    return result["objective"]["value"] if result["status"] == "optimal" else None


def test_average_and_hours_prices_are_the_derivative_of_the_least_cost():
    checked: dict[str, int] = {}
    for seed in range(300):
        doc = random_v2_document(seed)
        doc["objective"] = "min_cost"
        result = optimizer.solve(copy.deepcopy(doc))
        if result["status"] != "optimal":
            continue
        for constraint in result["constraints"]:
            kind, price = constraint["kind"], constraint["shadow_price"]
            if (
                kind
                not in (
                    "min_avg_impact",
                    "need_avg_impact",
                    "min_avg_quality",
                    "min_impact_worker_hours",
                )
                or not constraint["binding"]
            ):
                continue
            relaxed = _cost(_moved(doc, constraint, DELTA))
            tightened = _cost(_moved(doc, constraint, -DELTA))
            if relaxed is None or tightened is None:
                continue
            central = (relaxed - tightened) / (2 * DELTA)  # cost change per unit relaxed
            assert abs(central - price) <= 1e-3 * max(1.0, abs(price)), (
                seed,
                constraint["name"],
                price,
                central,
            )
            checked[kind] = checked.get(kind, 0) + 1
    # each kind met often enough to mean something (the counts at these seeds)
    assert checked.get("min_avg_impact", 0) >= 10 and checked.get("need_avg_impact", 0) >= 10, (
        checked
    )
