"""Random instances against an independent linprog model (tests/optimizer/conftest.py)."""

from __future__ import annotations

import json

import pytest

import optimizer

SEEDS = range(200)


def _relative_gap(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(b))


def test_objective_and_plan_agree_with_linprog(random_document, reference, plan_violations):
    feasible = infeasible = 0
    for seed in SEEDS:
        doc = random_document(seed)
        result = optimizer.solve(doc)
        status, value, _ = reference.solve(doc)
        assert result["status"] == status, seed
        if status != "optimal":
            infeasible += 1
            continue
        feasible += 1
        # objectives are computed from volumes rounded to 6 decimals
        assert _relative_gap(result["objective"]["value"], value) <= 1e-6, (seed, value)
        assert plan_violations(doc, result) == [], seed
        json.dumps(result, allow_nan=False)
    assert feasible >= 50 and infeasible >= 10, (feasible, infeasible)


def test_totals_are_the_sum_of_the_allocations(random_document):
    for seed in range(30):
        doc = random_document(seed)
        result = optimizer.solve(doc)
        if result["status"] != "optimal":
            continue
        lines = result["allocations"]
        assert result["totals"]["cost"] == pytest.approx(sum(a["cost"] for a in lines), abs=1e-6)
        assert result["totals"]["volume"] == pytest.approx(
            sum(a["volume"] for a in lines), abs=1e-6
        )
        assert all(a["volume"] > 0 for a in lines)
        assert lines == sorted(lines, key=lambda a: (a["need"], a["vendor"]))


def test_achievable_values_agree_with_linprog(random_document, reference):
    checked = set()
    compared = 0
    for seed in SEEDS:
        doc = random_document(seed)
        result = optimizer.solve(doc)
        if result["status"] != "infeasible":
            continue
        for name, entry in result["explanation"]["targets"].items():
            expected = reference.achievable(doc, name)
            if expected is None:
                assert entry["feasible_if_relaxed"] is False, (seed, name)
                assert entry["achievable"] is None
                continue
            assert entry["feasible_if_relaxed"] is True, (seed, name, expected)
            tolerance = 1e-6  # achievable values are rounded to 6 decimals
            assert _relative_gap(entry["achievable"], expected) <= tolerance, (
                seed,
                name,
                entry["achievable"],
                expected,
            )
            checked.add(name)
            compared += 1
    assert compared >= 20
    assert checked >= {"budget", "min_avg_impact"}


def test_share_targets_achievable_agree_with_linprog(random_document, reference):
    """Force the two spend-share targets out of reach so that layer 1 answers for them."""
    seen = set()
    for seed in range(60):
        doc = random_document(seed, targets=False)
        if optimizer.solve(doc)["status"] != "optimal":
            continue
        name = ("min_impact_spend_share", "max_vendor_spend_share")[seed % 2]
        if name == "min_impact_spend_share":
            doc["targets"] = {name: 0.999, "impact_vendor_min_score": 60.0}
        else:
            doc["targets"] = {name: 0.01}
        result = optimizer.solve(doc)
        if result["status"] != "infeasible":
            continue
        entry = result["explanation"]["targets"][name]
        expected = reference.achievable(doc, name)
        assert entry["feasible_if_relaxed"] is True
        assert abs(entry["achievable"] - expected) <= 1e-6, (seed, entry, expected)
        seen.add(name)
    assert seen == {"min_impact_spend_share", "max_vendor_spend_share"}
