"""Version 2 award rules: vendor groups, incumbent rules and bid adjustments.

Hand-solved cases carry their arithmetic in their docstrings. Random documents with these
rules are checked against the independent dense LP in test_optimizer_version2.py
(`test_random_documents_with_award_rules_agree_with_the_independent_lp`)."""

from __future__ import annotations

import copy

import pytest

import optimizer

EXACT = 1e-9


def _doc(offers, targets=None, needs=("N",), vendors=("A", "B", "C"), **changes):
    doc = {
        "version": 2,
        "needs": [
            {"id": n, "unit": "hour", "volume": 100, "period": {"start": "2026-01", "months": 1}}
            for n in needs
        ],
        "vendors": [{"id": v, "quality": 0.9, "impact_score": 50} for v in vendors],
        "offers": offers,
        "targets": targets or {},
    }
    doc.update(changes)
    return doc


THREE_PRICES = [
    {"vendor": "A", "need": "N", "price": 10},
    {"vendor": "B", "need": "N", "price": 12},
    {"vendor": "C", "need": "N", "price": 15},
]


def _volumes(result):
    return {(a["need"], a["vendor"]): a["volume"] for a in result["allocations"]}


def _constraint(result, kind):
    (entry,) = [c for c in result["constraints"] if c["kind"] == kind]
    return entry


# ---------------------------------------------------------------------------------------------
# vendor groups


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_group_cap_on_labour_hours(solver):
    """100 hours; A $10, B $12, C $15; group Kenya = {A} at most 40% of labour hours.
    A takes 40 h ($400), B the other 60 h (60 × 12 = $720): $1,120 (without the cap A takes
    all 100 h for $1,000). One percentage point more cap moves 1 h from B to A: −$2."""
    group = {"id": "ke", "label": "Kenya", "vendors": ["A"], "measure": "hours", "max_share": 0.4}
    result = optimizer.solve(
        _doc(THREE_PRICES, {"vendor_groups": [group]}, options={"solver": solver})
    )
    assert result["status"] == "optimal"
    assert _volumes(result) == {("N", "A"): 40.0, ("N", "B"): 60.0}
    assert result["objective"]["value"] == pytest.approx(1120.0, abs=EXACT)
    cap = _constraint(result, "vendor_group_max_share")
    assert cap["name"] == "vendor_group_max_share_g00000"
    assert cap["label"] == "Group Kenya (A): at most 40% of labour hours"
    assert cap["binding"] is True and cap["slack"] == 0.0
    assert cap["shadow_price"] == pytest.approx(-2.0, abs=1e-6)
    assert cap["unit"] == "$ per percentage point of group Kenya's cap relaxed"
    # a cap is relaxed by raising it
    assert (cap["step"], cap["steps"], cap["direction"]) == (
        "percentage point of group Kenya's cap",
        None,
        "raised",
    )


def test_a_group_minimum_on_labour_hours():
    """Group {C} at least 25% of labour hours: C 25 h × $15 = $375, A 75 h × $10 = $750,
    $1,125. One point less moves 1 h from C to A: −$5. The label falls back to the id."""
    group = {"id": "local", "vendors": ["C"], "measure": "hours", "min_share": 0.25}
    result = optimizer.solve(_doc(THREE_PRICES, {"vendor_groups": [group]}))
    assert _volumes(result) == {("N", "A"): 75.0, ("N", "C"): 25.0}
    assert result["totals"]["cost"] == pytest.approx(1125.0, abs=EXACT)
    minimum = _constraint(result, "vendor_group_min_share")
    assert minimum["label"] == "Group local (C): at least 25% of labour hours"
    assert minimum["shadow_price"] == pytest.approx(-5.0, abs=1e-6)


def test_a_group_cap_on_the_spend_of_one_need():
    """Needs N1 and N2 of 100 h; A $10, B $15 on both; group {A} at most 50% of the spend on
    N1 only. With a hours on N1 for A: 10a ≤ 0.5 × (10a + 15(100 − a)) → 12.5a ≤ 750 → a = 60:
    A $600 and B 40 × 15 = $600 on N1 (A's share exactly 50%); N2 all A, $1,000. $2,200."""
    offers = [
        {"vendor": v, "need": n, "price": p}
        for n in ("N1", "N2")
        for v, p in (("A", 10), ("B", 15))
    ]
    group = {"id": "g", "vendors": ["A"], "measure": "spend", "max_share": 0.5, "need": "N1"}
    result = optimizer.solve(
        _doc(offers, {"vendor_groups": [group]}, needs=("N1", "N2"), vendors=("A", "B"))
    )
    assert _volumes(result) == pytest.approx(
        {("N1", "A"): 60.0, ("N1", "B"): 40.0, ("N2", "A"): 100.0}
    )
    assert result["totals"]["cost"] == pytest.approx(2200.0, abs=1e-6)
    cap = _constraint(result, "vendor_group_max_share")
    assert cap["label"] == "Group g (A): at most 50% of spend on need N1"
    assert cap["need"] == "N1" and cap["binding"] is True


# ---------------------------------------------------------------------------------------------
# incumbent rules


def test_an_incumbent_share_of_a_need():
    """Incumbent C keeps at least 30% of need N: C 30 h × $15 = $450, A 70 h × $10 = $700,
    $1,150. One hour less with C goes to A: −$5. One more hour of need N keeps 0.3 h more
    with C: 0.3 × 15 + 0.7 × 10 = $11.50."""
    rule = {"need": "N", "vendors": ["C"], "min_share": 0.3}
    result = optimizer.solve(_doc(THREE_PRICES, {"incumbents": [rule]}))
    assert _volumes(result) == {("N", "A"): 70.0, ("N", "C"): 30.0}
    assert result["objective"]["value"] == pytest.approx(1150.0, abs=EXACT)
    entry = _constraint(result, "incumbent")
    assert entry["name"] == "incumbent_i00000"
    assert entry["label"] == "Need N: at least 30 hours (30% of it) kept with incumbent C"
    assert entry["shadow_price"] == pytest.approx(-5.0, abs=1e-6)
    assert entry["slack_unit"] == "hours" and entry["need"] == "N"
    assert entry["unit"] == "$ per hour less kept with incumbents on need N"
    assert (entry["step"], entry["steps"], entry["direction"]) == (
        "hour kept with incumbents on need N",
        "hours kept with incumbents on need N",
        "lowered",
    )
    assert _constraint(result, "demand")["shadow_price"] == pytest.approx(11.5, abs=1e-6)


def test_an_incumbent_rule_with_a_share_and_a_volume_keeps_the_larger():
    """min_share 0.3 (30 h) and min_volume 45 h: the larger, 45 h, stays with incumbents B
    and C. B is the cheaper incumbent: 45 × $12 = $540 + A 55 × $10 = $550, $1,090."""
    rule = {"need": "N", "vendors": ["B", "C"], "min_share": 0.3, "min_volume": 45}
    result = optimizer.solve(_doc(THREE_PRICES, {"incumbents": [rule]}))
    assert _volumes(result) == {("N", "A"): 55.0, ("N", "B"): 45.0}
    assert result["totals"]["cost"] == pytest.approx(1090.0, abs=EXACT)
    assert _constraint(result, "incumbent")["label"] == (
        "Need N: at least 45 hours (45% of it) kept with incumbents B and C"
    )


# ---------------------------------------------------------------------------------------------
# bid adjustments


NEW_VENDOR_A = [
    {"vendor": "A", "need": "N", "price": 10},
    {"vendor": "B", "need": "N", "price": 12, "capacity": 60},
]


@pytest.mark.parametrize(
    "targets",
    [
        {"adjustments": [{"vendors": ["A"], "percent": 10, "per_unit": 2}]},
        {
            "vendor_groups": [{"id": "new", "vendors": ["A"], "measure": "hours", "max_share": 1}],
            "adjustments": [{"group": "new", "percent": 30}],
        },
    ],
    ids=["by_vendor", "by_group"],
)
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_transition_cost_counts_in_the_choice_but_not_in_the_spend(targets, solver):
    """A $10 carries a transition cost: 10 × 1.1 + 2 = $13 (or 10 × 1.3), above B's $12, so B
    takes all it can, 60 h, and A the other 40 h. Real spend 60 × 12 + 40 × 10 = $1,120;
    what was minimised 720 + 40 × 13 = $1,240. The budget of $1,150 holds on the real spend
    (the adjusted $1,240 would not fit); without the adjustment A takes all 100 h ($1,000)."""
    targets = {**copy.deepcopy(targets), "budget": 1150}
    result = optimizer.solve(
        _doc(NEW_VENDOR_A, targets, vendors=("A", "B"), options={"solver": solver})
    )
    assert result["status"] == "optimal"
    assert _volumes(result) == {("N", "A"): 40.0, ("N", "B"): 60.0}
    lines = {a["vendor"]: a for a in result["allocations"]}
    assert lines["A"]["price"] == 10.0 and lines["A"]["adjusted_price"] == pytest.approx(13.0)
    assert lines["A"]["cost"] == 400.0
    assert "adjusted_price" not in lines["B"]
    assert result["totals"]["cost"] == pytest.approx(1120.0, abs=EXACT)
    assert result["totals"]["adjusted_cost"] == pytest.approx(1240.0, abs=EXACT)
    assert result["objective"] == {"name": "min_cost", "value": 1240.0, "unit": "$"}
    budget = _constraint(result, "budget")
    assert budget["binding"] is False and budget["slack"] == pytest.approx(30.0)
    plain = optimizer.solve(_doc(NEW_VENDOR_A, {}, vendors=("A", "B")))
    assert _volumes(plain) == {("N", "A"): 100.0}
    assert "adjusted_cost" not in plain["totals"]


# ---------------------------------------------------------------------------------------------
# an infeasible conflict, explained


def _conflict_doc():
    """Needs N1, N2 of 100 h (200 h in all). Kenya = {A, B}, at most 25% of labour hours
    (50 h). C, the only other vendor, can take 70 h of N1, so Kenya needs 30 h there; the
    incumbent rule keeps 30% of N2 (30 h) with A: Kenya at least 60 h = 30% > 25%."""
    offers = [{"vendor": v, "need": n, "price": 10} for n in ("N1", "N2") for v in ("A", "B")]
    offers += [
        {"vendor": "C", "need": "N1", "price": 10, "capacity": 70},
        {"vendor": "C", "need": "N2", "price": 10},
    ]
    targets = {
        "vendor_groups": [
            {
                "id": "ke",
                "label": "Kenya",
                "vendors": ["A", "B"],
                "measure": "hours",
                "max_share": 0.25,
            }
        ],
        "incumbents": [{"need": "N2", "vendors": ["A"], "min_share": 0.3}],
    }
    return _doc(offers, targets, needs=("N1", "N2"))


def test_an_incumbent_rule_against_a_group_cap_is_explained_in_plain_words():
    """Removing the cap, the least Kenya share with everything else held is 60 / 200 = 30%;
    removing the incumbent rule, A can keep at most 50 − 30 = 20 h of N2 (20%)."""
    result = optimizer.solve(_conflict_doc())
    assert result["status"] == "infeasible"
    explanation = result["explanation"]
    assert explanation["summary"] == (
        "The incumbent rule for need N2 conflicts with the group cap for Kenya; keeping 30% "
        "with incumbents needs the cap at 30%."
    )
    names = {member["name"] for member in explanation["conflict"]["constraints"]}
    assert {"vendor_group_max_share_g00000", "incumbent_i00000"} <= names
    rules = {entry["kind"]: entry for entry in explanation["rules"]}
    cap, kept = rules["vendor_group_max_share"], rules["incumbent"]
    assert cap["field"] == "targets.vendor_groups[0].max_share"
    assert cap["achievable"] == pytest.approx(0.3) and cap["limit"] == 0.3
    assert cap["sentence"] == (
        "The group cap for Kenya must be at least 30% of labour hours for the other rules to "
        "hold (it is 25%)."
    )
    assert kept["field"] == "targets.incumbents[0].min_share"
    assert kept["achievable"] == pytest.approx(0.2) and kept["limit"] == 0.2
    assert kept["sentence"] == (
        "At most 20% of need N2 can stay with its incumbents while the other rules hold (the "
        "incumbent rule keeps 30%)."
    )
    assert optimizer.workable_limit(cap["limit_name"], cap["achievable"]) == cap["limit"]
    # the limit the explanation gives works: the cap at 30% solves
    fixed = _conflict_doc()
    fixed["targets"]["vendor_groups"][0]["max_share"] = cap["limit"]
    assert optimizer.solve(fixed)["status"] == "optimal"


def test_an_incumbent_volume_beyond_reach_is_said_in_the_needs_unit():
    """Incumbent A on N2 with min_volume 40 h against the 25% cap: at most 20 h can stay."""
    doc = _conflict_doc()
    doc["targets"]["incumbents"] = [{"need": "N2", "vendors": ["A"], "min_volume": 40}]
    explanation = optimizer.solve(doc)["explanation"]
    assert explanation["summary"] == (
        "The incumbent rule for need N2 conflicts with the group cap for Kenya; keeping 40 "
        "hours with incumbents needs the cap at 35%."
    )
    kept = next(e for e in explanation["rules"] if e["kind"] == "incumbent")
    assert kept["limit_name"] == "incumbent_min_volume" and kept["limit"] == 20.0
    assert kept["sentence"].startswith("At most 20 hours of need N2 can stay")


# ---------------------------------------------------------------------------------------------
# validation


def _rules_doc(**targets):
    base = {
        "vendor_groups": [{"id": "ke", "vendors": ["A"], "measure": "hours", "max_share": 0.5}],
        "incumbents": [{"need": "N", "vendors": ["C"], "min_share": 0.3}],
        "adjustments": [{"vendors": ["B"], "percent": 5}],
    }
    base.update(targets)
    return _doc(THREE_PRICES, base)


GROUP = {"id": "ke", "vendors": ["A"], "measure": "hours", "max_share": 0.5}
KEPT = {"need": "N", "vendors": ["C"], "min_share": 0.3}


@pytest.mark.parametrize(
    ("targets", "field", "words"),
    [
        (
            {"vendor_groups": [{**GROUP, "vendors": ["A", "Z"]}]},
            "vendor_groups[0].vendors[1]",
            "unknown vendor 'Z'",
        ),
        ({"vendor_groups": [{**GROUP, "vendors": []}]}, "vendor_groups[0].vendors", "at least one"),
        (
            {"vendor_groups": [{**GROUP, "vendors": ["A", "A"]}]},
            "vendor_groups[0].vendors",
            "twice",
        ),
        (
            {"vendor_groups": [{**GROUP, "min_share": 0.6}]},
            "vendor_groups[0].max_share",
            "at least min_share",
        ),
        (
            {"vendor_groups": [{**GROUP, "measure": "volume"}]},
            "vendor_groups[0].measure",
            "hours, spend",
        ),
        (
            {"vendor_groups": [{**GROUP, "max_share": 1.5}]},
            "vendor_groups[0].max_share",
            "between 0 and 1",
        ),
        ({"vendor_groups": [GROUP, GROUP]}, "vendor_groups[1].id", "duplicate id 'ke'"),
        (
            {"vendor_groups": [{**GROUP, "max_share": None}]},
            "vendor_groups[0]",
            "min_share, max_share",
        ),
        ({"vendor_groups": [{**GROUP, "need": "N9"}]}, "vendor_groups[0].need", "unknown need"),
        (
            {"vendor_groups": [{**GROUP, "colour": "red"}]},
            "vendor_groups[0].colour",
            "unknown field",
        ),
        ({"vendor_groups": {"id": "ke"}}, "vendor_groups", "must be a list"),
        (
            {"incumbents": [{**KEPT, "need": "N9"}]},
            "incumbents[0].need",
            "unknown need",
        ),
        (
            {"incumbents": [{**KEPT, "vendors": ["Q"]}]},
            "incumbents[0].vendors[0]",
            "unknown vendor",
        ),
        (
            {"incumbents": [{**KEPT, "min_share": None}]},
            "incumbents[0]",
            "min_share, min_volume",
        ),
        (
            {"incumbents": [{**KEPT, "min_share": 2}]},
            "incumbents[0].min_share",
            "between 0 and 1",
        ),
        (
            {"incumbents": [{**KEPT, "min_volume": 150}]},
            "incumbents[0].min_volume",
            "volume (100)",
        ),
        ({"incumbents": [{"vendors": ["C"], "min_share": 0.3}]}, "incumbents[0].need", "required"),
        ({"adjustments": [{"vendors": ["B"]}]}, "adjustments[0]", "percent, per_unit"),
        (
            {"adjustments": [{"vendors": ["B"], "group": "ke", "percent": 5}]},
            "adjustments[0]",
            "either vendors or a group",
        ),
        ({"adjustments": [{"percent": 5}]}, "adjustments[0]", "either vendors or a group"),
        (
            {"adjustments": [{"group": "eu", "percent": 5}]},
            "adjustments[0].group",
            "unknown vendor group 'eu'",
        ),
        (
            {"adjustments": [{"vendors": ["B"], "percent": -150}]},
            "adjustments[0].percent",
            "at least -100",
        ),
        (
            {"adjustments": [{"vendors": ["X"], "per_unit": 1}]},
            "adjustments[0].vendors[0]",
            "unknown vendor",
        ),
    ],
)
def test_bad_award_rules_name_the_field(targets, field, words):
    errors = optimizer.validate(_rules_doc(**targets))
    assert [e["field"] for e in errors] == [f"targets.{field}"], errors
    assert words in errors[0]["message"]
    result = optimizer.solve(_rules_doc(**targets))
    assert result["status"] == "invalid" and result["errors"] == errors


def test_award_rules_are_refused_in_a_version1_document():
    doc = {
        "needs": [{"id": "N", "volume": 10}],
        "vendors": [{"id": "A", "quality": 1, "impact_score": 1}],
        "offers": [{"vendor": "A", "need": "N", "price": 1}],
        "targets": {"incumbents": [{"need": "N", "vendors": ["A"], "min_share": 1}]},
    }
    assert optimizer.validate(doc) == [
        {"field": "targets.incumbents", "message": 'only in version 2 documents (set "version": 2)'}
    ]


def test_validate_targets_checks_award_rules_without_the_vendors():
    """A stored scenario's targets alone: shapes and limits are checked, ids are not looked up."""
    good = {"vendor_groups": [GROUP], "adjustments": [{"group": "ke", "per_unit": 3}]}
    assert optimizer.validate_targets(good) == []
    bad = {"vendor_groups": [{**GROUP, "min_share": 0.9}], "incumbents": [{"need": "N"}]}
    assert [e["field"] for e in optimizer.validate_targets(bad)] == [
        "targets.vendor_groups[0].max_share",
        "targets.incumbents[0].vendors",
    ]


def test_the_document_is_not_changed():
    doc = _rules_doc()
    before = copy.deepcopy(doc)
    assert optimizer.solve(doc)["status"] == "optimal"
    assert doc == before


def test_incumbents_without_an_eligible_offer_are_named_first():
    """C's quality 0.7 is below N's minimum 0.8: the incumbent rule cannot be met at all."""
    doc = _doc(THREE_PRICES, {"incumbents": [KEPT]})
    doc["needs"][0]["min_quality"] = 0.8
    doc["vendors"][2]["quality"] = 0.7
    explanation = optimizer.solve(doc)["explanation"]
    assert explanation["checks"][0]["code"] == "incumbents_without_offer"
    assert explanation["summary"] == (
        "The incumbent rule for need N keeps work with C, but none of them has an eligible "
        "offer for need N."
    )
