"""Same document, same allocation: repeated, shuffled, through JSON, and across solvers."""

from __future__ import annotations

import copy
import json
import random

import optimizer


def _shuffled(doc: dict, seed: int) -> dict:
    out = copy.deepcopy(doc)
    rng = random.Random(seed)
    for key in ("needs", "vendors", "offers"):
        rng.shuffle(out[key])
    return out


def _tied_document() -> dict:
    """Many equally good plans: 3 needs, 6 vendors with the same price, impact and quality."""
    vendors = [{"id": f"V{i}", "capacity": 150, "quality": 0.9, "impact_score": 60}
               for i in range(1, 7)]
    needs = [{"id": f"N{j}", "volume": 200, "max_vendor_share": 0.5} for j in range(1, 4)]
    offers = [{"vendor": v["id"], "need": n["id"], "price": 20} for v in vendors for n in needs]
    return {"needs": needs, "vendors": vendors, "offers": offers,
            "targets": {"budget": 20000, "min_avg_impact": 55}, "objective": "min_cost"}


def test_same_document_twice_and_shuffled(random_document):
    docs = [_tied_document()] + [random_document(seed) for seed in range(25)]
    solved = 0
    for doc in docs:
        first = optimizer.solve(doc)
        if first["status"] != "optimal":
            continue
        solved += 1
        assert optimizer.solve(doc)["allocations"] == first["allocations"]
        for seed in range(3):
            assert optimizer.solve(_shuffled(doc, seed))["allocations"] == \
                first["allocations"]
    assert solved >= 10


def test_result_json_round_trip_and_resolve(random_document):
    for seed in range(15):
        doc = random_document(seed)
        result = optimizer.solve(doc)
        if result["status"] != "optimal":
            continue
        again = json.loads(json.dumps(result, allow_nan=False))
        assert again["allocations"] == result["allocations"]
        stored_problem = json.loads(json.dumps(doc))
        assert optimizer.solve(stored_problem)["allocations"] == again["allocations"]


def test_tie_break_gives_one_plan_across_solvers():
    # Every plan costs 600 × $20 = $12,000 and has impact 60; HiGHS and CBC would each pick
    # one of them. Stage 3's fixed weights make both return the same one.
    doc = _tied_document()
    highs = optimizer.solve(doc)
    cbc = optimizer.solve({**doc, "options": {"solver": "cbc"}})
    assert highs["tie_break"] == cbc["tie_break"] == "applied"
    assert highs["totals"]["cost"] == cbc["totals"]["cost"] == 12000.0
    assert highs["allocations"] == cbc["allocations"]


def test_tie_break_off_is_reported():
    result = optimizer.solve({**_tied_document(), "options": {"tie_break": False}})
    assert result["tie_break"] == "off"
    assert [s["stage"] for s in result["solver"]["stages"]] == ["primary"]


def test_second_stage_takes_free_impact():
    # V1 and V2 cost the same; V2 has more impact. Cost alone cannot tell them apart;
    # stage 2 must give the volume to V2.
    doc = {"needs": [{"id": "N1", "volume": 100}],
           "vendors": [{"id": "V1", "capacity": None, "quality": 0.9, "impact_score": 40},
                       {"id": "V2", "capacity": None, "quality": 0.9, "impact_score": 70}],
           "offers": [{"vendor": "V1", "need": "N1", "price": 10},
                      {"vendor": "V2", "need": "N1", "price": 10}]}
    result = optimizer.solve(doc)
    assert [(a["vendor"], a["volume"]) for a in result["allocations"]] == [("V2", 100.0)]
    assert result["totals"]["avg_impact"] == 70.0
