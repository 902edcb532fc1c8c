"""Invalid documents: one message per problem, naming the JSON path; never an exception."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizer
from optimizer.fields import MAX_ERRORS
from optimizer.problem import _offers_fast, _offers_slow, parse_problem


def _valid() -> dict:
    return {
        "needs": [
            {"id": "N1", "volume": 100, "min_quality": 0.5, "max_vendor_share": 1.0},
            {"id": "N2", "volume": 50},
        ],
        "vendors": [
            {
                "id": "V1",
                "capacity": 200,
                "quality": 0.9,
                "impact_score": 70,
                "impact_worker_share": 0.4,
            },
            {"id": "V2", "capacity": None, "quality": 0.8, "impact_score": 30},
        ],
        "offers": [
            {"vendor": "V1", "need": "N1", "price": 10, "capacity": None},
            {"vendor": "V2", "need": "N1", "price": 9},
            {"vendor": "V1", "need": "N2", "price": 11, "min_order": 5},
            {"vendor": "V2", "need": "N2", "price": 12},
        ],
        "targets": {"budget": 5000, "min_avg_impact": 40},
        "objective": "min_cost",
        "options": {"solver": "highs", "time_limit": 10},
    }


def _errors(doc) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in optimizer.validate(doc)]


def test_the_valid_document_is_valid():
    assert optimizer.validate(_valid()) == []
    assert optimizer.solve(_valid())["status"] == "optimal"


CASES = [
    # (change, expected (field, message))
    (
        lambda d: d["offers"].append({"vendor": "V1", "need": "N9", "price": 5}),
        ("offers[4].need", "unknown need 'N9'"),
    ),
    (lambda d: d["offers"][1].update(vendor="V7"), ("offers[1].vendor", "unknown vendor 'V7'")),
    (
        lambda d: d["needs"][1].update(volume=-5),
        ("needs[1].volume", "must be greater than 0, got -5"),
    ),
    (lambda d: d["offers"][0].update(price=-1), ("offers[0].price", "must be at least 0, got -1")),
    (
        lambda d: d["vendors"][0].update(capacity="lots"),
        ("vendors[0].capacity", "must be a number, got string"),
    ),
    (
        lambda d: d["offers"][2].update(price=math.nan),
        ("offers[2].price", "must be a finite number, got nan"),
    ),
    (
        lambda d: d["needs"][0].update(volume=math.inf),
        ("needs[0].volume", "must be a finite number, got inf"),
    ),
    (
        lambda d: d["offers"][3].update(price=True),
        ("offers[3].price", "must be a number, got boolean"),
    ),
    (
        lambda d: d["vendors"][1].update(quality=False),
        ("vendors[1].quality", "must be a number, got boolean"),
    ),
    (
        lambda d: d["vendors"].append({"id": "V1", "capacity": 1, "quality": 1, "impact_score": 1}),
        ("vendors[2].id", "duplicate id 'V1' (first at vendors[0])"),
    ),
    (
        lambda d: d["needs"].append({"id": "N2", "volume": 3}),
        ("needs[2].id", "duplicate id 'N2' (first at needs[1])"),
    ),
    (
        lambda d: d["offers"].append({"vendor": "V2", "need": "N1", "price": 1}),
        ("offers[4]", "duplicate offer for vendor 'V2' and need 'N1' (first at offers[1])"),
    ),
    (
        lambda d: d["needs"][0].update(max_vendor_share=1.5),
        ("needs[0].max_vendor_share", "must be between 0 and 1, got 1.5"),
    ),
    (
        lambda d: d["vendors"][0].update(impact_worker_share=-0.1),
        ("vendors[0].impact_worker_share", "must be between 0 and 1, got -0.1"),
    ),
    (
        lambda d: d["targets"].update(min_impact_spend_share=1.2, impact_vendor_min_score=50),
        ("targets.min_impact_spend_share", "must be between 0 and 1, got 1.2"),
    ),
    (
        lambda d: d["targets"].update(max_vendor_spend_share=-0.5),
        ("targets.max_vendor_spend_share", "must be between 0 and 1, got -0.5"),
    ),
    (
        lambda d: d["vendors"][1].update(impact_score=120),
        ("vendors[1].impact_score", "must be between 0 and 100, got 120"),
    ),
    (
        lambda d: d.update(objective="max_profit"),
        ("objective", "unknown objective 'max_profit' (expected one of: max_impact, min_cost)"),
    ),
    (
        lambda d: d["options"].update(solver="gurobi"),
        ("options.solver", "unknown solver 'gurobi' (expected one of: cbc, highs)"),
    ),
    (
        lambda d: d["options"].update(time_limit=0),
        ("options.time_limit", "must be greater than 0, got 0"),
    ),
    (
        lambda d: d["needs"][0].update(volume=2.5e18),
        ("needs[0].volume", "must be at most 1e+12, got 2.5e+18"),
    ),
    (
        lambda d: d["options"].update(tie_break="yes"),
        ("options.tie_break", "must be true or false, got string"),
    ),
    (lambda d: d["needs"][0].pop("volume"), ("needs[0].volume", "required field is missing")),
    (lambda d: d["offers"][0].pop("price"), ("offers[0].price", "required field is missing")),
    (lambda d: d["vendors"][0].pop("id"), ("vendors[0].id", "required field is missing")),
    (lambda d: d.pop("offers"), ("offers", "required field is missing")),
    (lambda d: d.update(needs={"N1": 5}), ("needs", "must be a list, got object")),
    (lambda d: d.update(needs=[]), ("needs", "at least one need is required")),
    (lambda d: d["offers"].__setitem__(2, "V1/N2"), ("offers[2]", "must be an object, got string")),
    (lambda d: d.update(targets=[1, 2]), ("targets", "must be an object, got list")),
    (lambda d: d["targets"].update(min_avg_impct=50), ("targets.min_avg_impct", "unknown field")),
    (lambda d: d.update(objetive="max_impact"), ("objetive", "unknown field")),
    (
        lambda d: d["needs"][1].update(max_vendors=1.5),
        ("needs[1].max_vendors", "must be a whole number, got 1.5"),
    ),
    (
        lambda d: d["needs"][1].update(max_vendors=0),
        ("needs[1].max_vendors", "must be at least 1, got 0"),
    ),
    (lambda d: d["needs"][0].update(id=""), ("needs[0].id", "must not be empty")),
    (lambda d: d["needs"][0].update(id=7), ("needs[0].id", "must be a string, got number")),
    (
        lambda d: d["offers"][0].update(price=10**400),
        ("offers[0].price", "must be a finite number, got a number too large to represent"),
    ),
    (
        lambda d: d["offers"][0].update(min_order=-2),
        ("offers[0].min_order", "must be at least 0, got -2"),
    ),
    (
        lambda d: d["targets"].update(min_impact_spend_share=0.3),
        (
            "targets.impact_vendor_min_score",
            "required when min_impact_spend_share is set (it defines impact vendors)",
        ),
    ),
]


@pytest.mark.parametrize("change, expected", CASES)
def test_each_rule_has_its_message(change, expected):
    doc = _valid()
    change(doc)
    assert _errors(doc) == [expected]
    result = optimizer.solve(doc)
    assert result["status"] == "invalid"
    assert [(e["field"], e["message"]) for e in result["errors"]] == [expected]
    assert result["allocations"] == [] and result["constraints"] == []


def test_offers_of_an_empty_vendor_list_are_unknown():
    doc = _valid()
    doc["vendors"] = []
    assert {message for _, message in _errors(doc)} == {
        "unknown vendor 'V1'",
        "unknown vendor 'V2'",
    }


def test_one_message_per_problem():
    doc = _valid()
    doc["needs"][0]["volume"] = -1
    doc["offers"][1]["need"] = "N3"
    doc["targets"]["budget"] = "a lot"
    assert {field for field, _ in _errors(doc)} == {
        "needs[0].volume",
        "offers[1].need",
        "targets.budget",
    }


def test_not_an_object():
    for value in (None, [], "problem", 3, 2.5, True):
        assert _errors(value)[0][0] == "$"
        assert optimizer.solve(value)["status"] == "invalid"


def test_many_problems_are_capped():
    doc = _valid()
    doc["offers"] = [{"vendor": "V1", "need": "N1", "price": -i - 1} for i in range(500)]
    errors = optimizer.validate(doc)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1] == {"field": "$", "message": f"{500 - MAX_ERRORS} more problems not listed"}


def test_an_offer_of_a_broken_vendor_is_not_called_unknown():
    doc = _valid()
    doc["vendors"][0]["capacity"] = -1
    assert _errors(doc) == [("vendors[0].capacity", "must be at least 0, got -1")]


def test_documents_are_not_mutated(golden):
    for doc in (_valid(), golden("min_order"), {"needs": 5}):
        before = copy.deepcopy(doc)
        optimizer.validate(doc)
        optimizer.solve(doc)
        optimizer.frontier(doc, 3)
        assert doc == before


def test_fast_and_slow_offer_checks_agree(random_document):
    for seed in range(20):
        doc = random_document(seed)
        problem, errors = parse_problem(doc)
        assert errors == []
        needs = {n["id"]: i for i, n in enumerate(sorted(doc["needs"], key=lambda n: n["id"]))}
        vendors = {v["id"]: i for i, v in enumerate(sorted(doc["vendors"], key=lambda v: v["id"]))}
        fast = _offers_fast(doc["offers"], needs, vendors)
        slow = _offers_slow(doc["offers"], needs, vendors, set(needs), set(vendors), _Sink())
        for a, b in zip(fast, slow, strict=True):
            np.testing.assert_array_equal(a, b)


class _Sink(list):
    def add(self, field, message):
        self.append((field, message))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "needs",
                    "vendors",
                    "offers",
                    "targets",
                    "options",
                    "objective",
                    "id",
                    "volume",
                    "price",
                    "need",
                    "vendor",
                    "capacity",
                    "quality",
                    "impact_score",
                    "budget",
                    "solver",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_arbitrary_json_never_raises(value):
    errors = optimizer.validate(value)
    result = optimizer.solve(value)
    frontier = optimizer.frontier(value, 3)
    assert isinstance(errors, list)
    assert result["status"] in ("invalid", "optimal", "infeasible")
    assert frontier["status"] in ("invalid", "optimal", "infeasible")
    json.dumps(result, allow_nan=False)


PATHS = [
    ("needs", 0, "volume"),
    ("needs", 1, "max_vendor_share"),
    ("needs", 0, "id"),
    ("vendors", 0, "capacity"),
    ("vendors", 1, "quality"),
    ("vendors", 0, "id"),
    ("offers", 0, "price"),
    ("offers", 1, "need"),
    ("offers", 2, "vendor"),
    ("offers", 3, "capacity"),
    ("offers", 2, "min_order"),
    ("targets", None, "budget"),
    ("targets", None, "min_avg_impact"),
    ("options", None, "time_limit"),
    ("needs", 1, None),
    ("offers", 0, None),
    ("needs", None, None),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), JSON)
def test_a_garbage_field_in_a_valid_document_never_raises(path, value):
    doc = _valid()
    section, index, field = path
    if index is None and field is None:
        doc[section] = value
    elif index is None:
        doc[section][field] = value
    elif field is None:
        doc[section][index] = value
    else:
        doc[section][index][field] = value
    result = optimizer.solve(doc)
    # a tiny but valid options.time_limit (e.g. 0.002 s) may stop HiGHS first: a documented status
    assert result["status"] in ("invalid", "optimal", "infeasible", "time_limit")
    if result["status"] == "invalid":
        assert result["errors"] and all(e["field"] for e in result["errors"])
    json.dumps(result, allow_nan=False)


def test_values_above_the_limits_are_invalid_in_a_clean_offer_list():
    # found by the garbage-input property: the bulk path of clean offer lists skipped the upper
    # limits
    doc = _valid()
    doc["offers"][0]["price"] = 1e15
    result = optimizer.solve(doc)
    assert result["status"] == "invalid"
    assert result["errors"] == [
        {"field": "offers[0].price", "message": "must be at most 1e+09, got 1000000000000000.0"}
    ]
    doc = _valid()
    doc["offers"][1]["capacity"] = 1e13
    assert optimizer.validate(doc) == [
        {"field": "offers[1].capacity", "message": "must be at most 1e+12, got 10000000000000.0"}
    ]


def test_targets_alone_are_checked_by_the_document_rules():
    assert optimizer.validate_targets({"budget": 5000, "min_avg_impact": 60}) == []
    assert optimizer.validate_targets(None) == []
    problems = optimizer.validate_targets({"budget": -1, "min_avg_impact": 101, "budgett": 3})
    assert {p["field"] for p in problems} == {
        "targets.budget",
        "targets.min_avg_impact",
        "targets.budgett",
    }
    assert optimizer.validate_targets("cheap") == [
        {"field": "targets", "message": "must be an object, got string"}
    ]
