"""Infeasibility explained: data checks (layer 0), one target relaxed (1), the conflicting
set (2) and the sentence a buyer can act on (3)."""

from __future__ import annotations

import pytest

import optimizer


def _doc(needs, vendors, offers, targets=None) -> dict:
    return {"needs": needs, "vendors": vendors, "offers": offers, "targets": targets or {}}


def _vendor(vid, capacity=None, quality=0.9, impact=50):
    return {"id": vid, "capacity": capacity, "quality": quality, "impact_score": impact}


def _explain(doc) -> dict:
    result = optimizer.solve(doc)
    assert result["status"] == "infeasible", result["status"]
    return result["explanation"]


TWO_VENDORS = [_vendor("V1", 30, impact=50), _vendor("V2", 40, impact=90)]
TWO_OFFERS = [
    {"vendor": "V1", "need": "N1", "price": 10},
    {"vendor": "V2", "need": "N1", "price": 12},
]


@pytest.mark.parametrize(
    "doc, code, message",
    [
        (
            _doc([{"id": "N1", "volume": 100, "min_quality": 0.99}], TWO_VENDORS, TWO_OFFERS),
            "no_eligible_offer",
            "Need N1 has no eligible offer (2 offers excluded: vendor quality below the minimum "
            "0.99).",
        ),
        (
            _doc(
                [{"id": "N1", "volume": 100, "max_vendor_share": 0.3}],
                [_vendor("V1"), _vendor("V2")],
                TWO_OFFERS,
            ),
            "max_vendor_share_too_low",
            "Need N1 allows at most 30% per vendor but has only 2 eligible vendors, so at most 60% "
            "of it can be placed; raise the share to at least 50% or add vendors.",
        ),
        # supply: V1 30 + V2 40 = 70 of 100
        (
            _doc([{"id": "N1", "volume": 100}], TWO_VENDORS, TWO_OFFERS),
            "need_capacity_short",
            "Need N1 needs 100 units but its eligible offers can supply at most 70 (short by 30).",
        ),
        # each need can be covered by V1 alone (cap 100), but not both: 100 of 120
        (
            _doc(
                [{"id": "N1", "volume": 60}, {"id": "N2", "volume": 60}],
                [_vendor("V1", 100)],
                [
                    {"vendor": "V1", "need": "N1", "price": 5},
                    {"vendor": "V1", "need": "N2", "price": 5},
                ],
            ),
            "total_capacity_short",
            "All eligible vendors together can supply at most 100 of the 120 units needed.",
        ),
        # cheapest cover: 60 × $10 + 40 × $12 = $1,080 > $1,000
        (
            _doc(
                [{"id": "N1", "volume": 100}],
                [_vendor("V1", 60), _vendor("V2", 100)],
                TWO_OFFERS,
                {"budget": 1000},
            ),
            "budget_below_cheapest_cover",
            "Even at the cheapest eligible prices the work costs at least $1,080, above the budget "
            "of $1,000 (short by $80).",
        ),
        # best impact: 100 units of V2 (impact 90) → 90 < 95
        (
            _doc(
                [{"id": "N1", "volume": 100}],
                [_vendor("V1", None, impact=50), _vendor("V2", None, impact=90)],
                TWO_OFFERS,
                {"min_avg_impact": 95},
            ),
            "impact_target_unreachable",
            "Even the best eligible vendors reach an average impact of at most 90 (target 95).",
        ),
        (
            _doc(
                [{"id": "N1", "volume": 100}],
                [_vendor("V1", None, quality=0.8), _vendor("V2", None, quality=0.85)],
                TWO_OFFERS,
                {"min_avg_quality": 0.9},
            ),
            "quality_target_unreachable",
            "Even the best eligible vendors reach an average quality of at most 0.85 (target 0.9).",
        ),
        (
            _doc(
                [{"id": "N1", "volume": 100}],
                [_vendor("V1"), _vendor("V2")],
                TWO_OFFERS,
                {"min_impact_spend_share": 0.2, "impact_vendor_min_score": 95},
            ),
            "no_impact_vendor",
            "No eligible offer comes from an impact vendor (impact score ≥ 95), so the impact "
            "spend share is 0% (target 20%).",
        ),
        (
            _doc(
                [{"id": "N1", "volume": 100}],
                [_vendor("V1"), _vendor("V2")],
                TWO_OFFERS,
                {"max_vendor_spend_share": 0.3},
            ),
            "vendor_spend_cap_too_low",
            "Only 2 vendors can be paid, so a cap of 30% of spend per vendor cannot add up to "
            "100%; the cap must be at least 50%.",
        ),
    ],
)
def test_data_checks(doc, code, message):
    explanation = _explain(doc)
    assert [(c["code"], c["message"]) for c in explanation["checks"]] == [(code, message)]
    assert explanation["summary"] == message


def test_spend_share_targets_relaxed():
    # Impact vendors: V2 only (score 90 ≥ 50), capacity 50. Most impact spend: V2 50 × $20
    # = 1000 of 1000 + 50 × $10 = 1500 → 66.67 %.
    doc = _doc(
        [{"id": "N1", "volume": 100}],
        [_vendor("V1", None, impact=30), _vendor("V2", 50, impact=90)],
        [{"vendor": "V1", "need": "N1", "price": 10}, {"vendor": "V2", "need": "N1", "price": 20}],
        {"min_impact_spend_share": 0.9, "impact_vendor_min_score": 50},
    )
    explanation = _explain(doc)
    share = explanation["targets"]["min_impact_spend_share"]
    assert share["achievable"] == pytest.approx(2 / 3, abs=1e-6)
    assert explanation["summary"] == (
        "The highest reachable share of spend with impact vendors is 66.6% (target 90%)."
    )
    # Lowest cap on one vendor's share of spend: equal spend 10·x1 = 20·x2 with x1 + x2 = 100
    # → x1 = 66.67, x2 = 33.33, each 50 % of spend (V2's capacity 50 is not reached).
    doc["targets"] = {"max_vendor_spend_share": 0.4}
    cap = _explain(doc)["targets"]["max_vendor_spend_share"]
    assert cap["achievable"] == pytest.approx(0.5, abs=1e-6)
    assert cap["sentence"] == (
        "The lowest workable cap on one vendor's share of spend is 50% (target 40%)."
    )


def test_quality_relaxed_sentence():
    # min cost needs 40 units of V2 (quality 0.8) at least... average quality at most:
    # V1 30 units @0.95, V2 70 @0.8 (V1 capacity 30) → (28.5 + 56) / 100 = 0.845
    doc = _doc(
        [{"id": "N1", "volume": 100}],
        [_vendor("V1", 30, quality=0.95), _vendor("V2", None, quality=0.8)],
        TWO_OFFERS,
        {"min_avg_quality": 0.9},
    )
    explanation = _explain(doc)
    assert explanation["checks"][0]["code"] == "quality_target_unreachable"
    quality = explanation["targets"]["min_avg_quality"]
    assert quality["achievable"] == pytest.approx(0.845, abs=1e-6)
    assert quality["sentence"] == "The highest reachable average quality is 0.845 (target 0.9)."


def test_conflict_set_when_no_single_target_helps():
    # Each target alone is easy (all V0 costs $500; V1 has impact 90; V2 quality 0.95), so
    # layer 0 finds nothing, but every pair conflicts:
    #   budget + impact: impact 80 needs x1 ≥ 87.5 → ≥ 18·87.5 + 5·12.5 = $1,637.5 > $1,500;
    #   budget + quality: quality 0.9 needs x2 ≥ 66.7 → ≥ 21·66.7 + 5·33.3 = $1,567 > $1,500;
    #   impact + quality: with x2 ≥ 66.7 impact ≤ (90·33.3 + 50·66.7)/100 = 63.3 < 80.
    vendors = [
        _vendor("V0", None, quality=0.8, impact=10),
        _vendor("V1", None, quality=0.8, impact=90),
        _vendor("V2", None, quality=0.95, impact=50),
    ]
    offers = [
        {"vendor": "V0", "need": "N1", "price": 5},
        {"vendor": "V1", "need": "N1", "price": 18},
        {"vendor": "V2", "need": "N1", "price": 21},
    ]
    doc = _doc(
        [{"id": "N1", "volume": 100}],
        vendors,
        offers,
        {"budget": 1500, "min_avg_impact": 80, "min_avg_quality": 0.9},
    )
    explanation = _explain(doc)
    assert explanation["checks"] == []
    assert {e["feasible_if_relaxed"] for e in explanation["targets"].values()} == {False}
    # HiGHS returns one irreducible set: the demand and one of the conflicting pairs
    names = {m["name"] for m in explanation["conflict"]["constraints"]}
    assert "demand_n00000" in names and len(names) == 3
    assert names - {"demand_n00000"} < {"budget", "min_avg_impact", "min_avg_quality"}
    labels = {
        "budget": "Total cost at most $1,500 (budget)",
        "min_avg_impact": "Average impact at least 80",
        "min_avg_quality": "Average quality at least 0.9",
    }
    assert explanation["summary"] == (
        "No single target change is enough. These rules cannot all hold together: Need N1 "
        "must get its 100 units; "
        + "; ".join(
            labels[n] for n in ("budget", "min_avg_impact", "min_avg_quality") if n in names
        )
        + "."
    )


def test_hall_shortage_is_found_by_the_total_check():
    # N1 and N2 can only go to V1 (capacity 150): V1 150 + V2 at most N3's 10 = 160 of 210.
    doc = _doc(
        [{"id": "N1", "volume": 100}, {"id": "N2", "volume": 100}, {"id": "N3", "volume": 10}],
        [_vendor("V1", 150), _vendor("V2", 1000)],
        [
            {"vendor": "V1", "need": "N1", "price": 5},
            {"vendor": "V1", "need": "N2", "price": 5},
            {"vendor": "V1", "need": "N3", "price": 5},
            {"vendor": "V2", "need": "N3", "price": 5},
        ],
    )
    explanation = _explain(doc)
    assert explanation["summary"] == (
        "All eligible vendors together can supply at most 160 of the 210 units needed."
    )
    assert {m["name"] for m in explanation["conflict"]["constraints"]} == {
        "demand_n00000",
        "demand_n00001",
        "capacity_v00000",
    }


def test_offer_bounds_appear_in_the_conflict_set():
    doc = _doc(
        [{"id": "N1", "volume": 100}],
        [_vendor("V1"), _vendor("V2")],
        [
            {"vendor": "V1", "need": "N1", "price": 5, "capacity": 40},
            {"vendor": "V2", "need": "N1", "price": 5, "capacity": 50},
        ],
    )
    explanation = _explain(doc)
    assert explanation["checks"][0]["code"] == "need_capacity_short"
    assert {m["kind"] for m in explanation["conflict"]["constraints"]} == {
        "demand",
        "offer_capacity",
    }


def test_integer_rules_conflict():
    # 120 units; each vendor takes 0 or at least 70 and at most 100: one is too few, two too
    # many. Without the integer rules 60 + 60 works, so no LP conflict exists.
    doc = _doc(
        [{"id": "N1", "volume": 120}],
        [_vendor("V1", 100), _vendor("V2", 100)],
        [
            {"vendor": "V1", "need": "N1", "price": 5, "min_order": 70},
            {"vendor": "V2", "need": "N1", "price": 6, "min_order": 70},
        ],
    )
    explanation = _explain(doc)
    assert explanation["checks"] == [] and explanation["conflict"]["constraints"] == []
    assert explanation["summary"] == (
        "The minimum orders and vendor-count limits cannot all "
        "hold together (without them a plan exists)."
    )


def test_targets_that_stay_infeasible_when_relaxed():
    # Budget $900 is below the cheapest cover ($1,000) and impact 95 above the best (90):
    # relaxing either alone leaves the other broken.
    doc = _doc(
        [{"id": "N1", "volume": 100}],
        [_vendor("V1", None, impact=50), _vendor("V2", None, impact=90)],
        TWO_OFFERS,
        {"budget": 900, "min_avg_impact": 95},
    )
    explanation = _explain(doc)
    for name in ("budget", "min_avg_impact"):
        entry = explanation["targets"][name]
        assert entry["feasible_if_relaxed"] is False and entry["achievable"] is None
        assert "sentence" not in entry
    assert [c["code"] for c in explanation["checks"]] == [
        "budget_below_cheapest_cover",
        "impact_target_unreachable",
    ]
