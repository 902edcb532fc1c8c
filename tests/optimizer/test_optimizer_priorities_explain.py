"""Constraint priorities and the infeasibility explanation: when the rules without a priority
admit no plan, the prioritised targets would give way, so the explanation is built without
them and says that the hard rules conflict; a prioritised target is never named as the cause.

Hand-solved: one need N of 100 hours (hours_per_unit 1), each vendor at most 40 % of it; A
and B are based in Kenya ($10 an hour, impact 50), C in Ghana ($20, impact 90). The hard
rule: Kenya gets at most 50 % of the hours. C can take at most 40 hours, so Kenya needs at
least 60: the cap must be at least 60 %. The prioritised targets would also fail: at most 40
hours each, the cheapest cover is A 40 + B 40 at $10 and C 20 at $20, $1,200, above the $500
budget (priority 5), and the best average impact with C at 40 % is 0.4 × 90 + 0.6 × 50 = 66,
below 80 (priority 3). Before the fix the explanation said the budget was short ("Even at the
cheapest eligible prices the work costs at least $1,200 …")."""

from __future__ import annotations

import pytest

import optimizer

PRIORITISED = {
    "budget": 500,
    "min_avg_impact": 80,
    "priorities": {"budget": 5, "min_avg_impact": 3},
}
KENYA_CAP = "vendor_group_max_share_g00000"
CAP_SENTENCE = (
    "The group cap for Kenya must be at least 60% of labour hours for the other rules to hold "
    "(it is 50%)."
)
HARD_CONFLICT = (
    "The rules without a priority conflict: no plan meets them even with every prioritised "
    "target relaxed."
)


def _doc(targets, vendors=("A", "B", "C"), **need):
    """Need N: 100 hours, at most 40 % per vendor; A, B Kenya $10 impact 50; C (and D, capped
    at 10 hours) Ghana $20 impact 90; Kenya capped at 50 % of the hours (hard)."""
    kenya = {"A", "B"}
    rules = {
        "vendor_groups": [
            {
                "id": "KE",
                "label": "Kenya",
                "vendors": ["A", "B"],
                "measure": "hours",
                "max_share": 0.5,
            }
        ],
        **targets,
    }
    offers = [
        {"vendor": v, "need": "N", "price": 10 if v in kenya else 20}
        | ({"capacity": 10} if v == "D" else {})
        for v in vendors
    ]
    return {
        "version": 2,
        "needs": [
            {
                "id": "N",
                "unit": "hour",
                "volume": 100,
                "max_vendor_share": 0.4,
                "period": {"start": "2026-01", "months": 1},
                **need,
            }
        ],
        "vendors": [
            {"id": v, "quality": 0.9, "impact_score": 50 if v in kenya else 90} for v in vendors
        ],
        "offers": offers,
        "targets": rules,
    }


def _explain(doc):
    result = optimizer.solve(doc)
    assert result["status"] == "infeasible", result["status"]
    assert "relaxations" not in result
    return result["explanation"]


def _names(explanation):
    return {member["name"] for member in explanation["conflict"]["constraints"]}


def _check_hard_conflict(explanation, without):
    """The explanation names only the hard rules: the cap's fix is 60 %, no prioritised target
    is in the checks, the targets or the conflicting set, and it is the explanation of the same
    hard rules without the prioritised targets, with the summary saying that they conflict."""
    assert explanation["checks"] == []  # no "budget_below_cheapest_cover"
    assert explanation["targets"] == {}  # budget and average impact would give way
    assert not {"budget", "min_avg_impact"} & _names(explanation)
    assert KENYA_CAP in _names(explanation)
    (cap,) = explanation["rules"]
    assert (cap["name"], cap["achievable"], cap["limit"]) == (KENYA_CAP, pytest.approx(0.6), 0.6)
    assert cap["feasible_if_relaxed"] is True
    assert cap["sentence"] == CAP_SENTENCE
    assert explanation["summary"] == f"{HARD_CONFLICT} {CAP_SENTENCE}"
    assert explanation["prioritised"] == ["budget", "min_avg_impact"]
    assert "budget" not in " ".join(explanation["suggestions"]).lower()
    hard = {k: v for k, v in explanation.items() if k not in ("summary", "prioritised")}
    plain = {k: v for k, v in without.items() if k != "summary"}
    assert hard == plain
    assert without["summary"] == CAP_SENTENCE


def test_a_hard_group_cap_conflict_is_not_blamed_on_prioritised_targets():
    """The LP case: Kenya ≤ 50 % against C's 40 % share (see the module docstring)."""
    explanation = _explain(_doc(PRIORITISED))
    _check_hard_conflict(explanation, _explain(_doc({})))
    # the conflicting set: the need's volume, C's 40 % and the Kenya cap (A + B ≤ 50 and
    # C ≤ 40 cannot make 100)
    assert len(explanation["conflict"]["constraints"]) == 3
    # the fix is exact: with the cap at 60 % the hard rules hold (C 40, Kenya 60), and the
    # budget and the impact target give way
    fixed = _doc(PRIORITISED)
    fixed["targets"]["vendor_groups"][0]["max_share"] = 0.6
    result = optimizer.solve(fixed)
    assert result["status"] == "optimal_relaxed" and "explanation" not in result
    assert {r["target"] for r in result["relaxations"]} == {"budget", "min_avg_impact"}


def test_a_hard_conflict_with_max_vendors_is_not_blamed_on_prioritised_targets():
    """The MIP case: D (Ghana, at most 10 hours) added and N given to at most 3 vendors. All
    four vendors would hold the cap (C 40 + D 10 + Kenya 50 = 100, Kenya at 50 %), but with
    three: {C, D, one Kenyan} reach 40 + 10 + 40 = 90 < 100 and {A, B, D} 90 too, so it is
    {C, A, B}: C 40, Kenya 60, and the cap must be at least 60 %."""
    four = ("A", "B", "C", "D")
    assert optimizer.solve(_doc({}, four))["status"] == "optimal"  # max_vendors is the cause
    explanation = _explain(_doc(PRIORITISED, four, max_vendors=3))
    _check_hard_conflict(explanation, _explain(_doc({}, four, max_vendors=3)))
    assert "max_vendors_n00000" in _names(explanation)


def test_every_kind_of_prioritised_target_is_left_out():
    """A group minimum (Ghana, C, at least 50 %: C may take 40 %), an incumbent rule (A keeps
    45 %: A may take 40 %) and need N's own average impact of 85 (at most 0.4 × 90 + 0.6 × 50
    = 66), each with a priority, fail too but would give way: the explanation is the hard
    Kenya cap's alone. The Ghana group comes first, so the cap keeps its place in the
    document: row g00001 and field targets.vendor_groups[1].max_share."""
    doc = _doc(
        {
            "incumbents": [{"need": "N", "vendors": ["A"], "min_share": 0.45}],
            "priorities": {
                "vendor_groups.GH.min_share": 2,
                "incumbents.0": 4,
                "needs.N.min_avg_impact": 1,
            },
        },
        min_avg_impact=85,
    )
    ghana = {"id": "GH", "label": "Ghana", "vendors": ["C"], "measure": "hours", "min_share": 0.5}
    doc["targets"]["vendor_groups"].insert(0, ghana)
    explanation = _explain(doc)
    assert explanation["checks"] == [] and explanation["targets"] == {}
    (cap,) = explanation["rules"]
    cap_row = "vendor_group_max_share_g00001"
    assert (cap["name"], cap["field"], cap["limit"]) == (
        cap_row,
        "targets.vendor_groups[1].max_share",
        0.6,
    )
    assert cap["sentence"] == CAP_SENTENCE
    assert explanation["summary"] == f"{HARD_CONFLICT} {CAP_SENTENCE}"
    assert explanation["prioritised"] == [
        "incumbents.0",
        "needs.N.min_avg_impact",
        "vendor_groups.GH.min_share",
    ]
    names = _names(explanation)
    assert cap_row in names and len(names) == 3
    assert not {n for n in names if n.startswith(("incumbent", "need_avg", "vendor_group_min"))}
