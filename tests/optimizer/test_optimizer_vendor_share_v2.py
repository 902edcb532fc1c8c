"""Version 2: a need's max_vendor_share caps the vendor, not each of its offers. A vendor with
two offers for one need gets a `vendor_share_…` row over both; its offers keep their column
bounds. Hand-solved cases carry their arithmetic in comments (the random documents checked
against the independent LP are in test_optimizer_version2.py)."""

from __future__ import annotations

import pytest

import optimizer
from optimizer.model import build_model
from optimizer.problem import parse_problem

EXACT = 1e-9


def _doc(offers, vendors=("A", "B"), volume=1000, share=0.5, **options):
    return {
        "version": 2,
        "needs": [
            {
                "id": "N",
                "unit": "hour",
                "volume": volume,
                "max_vendor_share": share,
                "period": {"start": "2026-01", "months": 1},
            }
        ],
        "vendors": [{"id": v, "quality": 0.9, "impact_score": 50} for v in vendors],
        "offers": [{"need": "N", **offer} for offer in offers],
        "options": options,
    }


A_TWO_CHEAP_OFFERS = [
    {"vendor": "A", "price": 5, "capacity": 400, "id": "a-cheap"},
    {"vendor": "A", "price": 6, "capacity": 400, "id": "a-std"},
    {"vendor": "B", "price": 9},
]


def _volumes(result):
    return {(a["vendor"], a.get("offer")): a["volume"] for a in result["allocations"]}


def _share_entries(result, vendor):
    return [
        c
        for c in result["constraints"]
        if c["kind"] == "max_vendor_share" and c["vendor"] == vendor
    ]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_two_offers_of_one_vendor_share_its_cap(solver):
    # 1,000 hours, at most 50% (500 h) per vendor. A's offers: $5 (400 h), $6 (400 h); B: $9.
    # A takes 500 h in all: 400 × 5 + 100 × 6 = 2,600; B the other 500 h: 500 × 9 = 4,500;
    # 7,100 in all. A bound of 500 h on each of A's offers alone (the old model) would let A
    # take 800 h: 400 × 5 + 400 × 6 + 200 × 9 = 6,200, with 80% of the need at one vendor.
    result = optimizer.solve(_doc(A_TWO_CHEAP_OFFERS, solver=solver))
    assert result["status"] == "optimal"
    assert result["totals"]["cost"] == pytest.approx(7100, abs=EXACT)
    assert _volumes(result) == pytest.approx(
        {("A", "a-cheap"): 400, ("A", "a-std"): 100, ("B", None): 500}, abs=EXACT
    )
    (row,) = _share_entries(result, "A")
    assert row["name"] == "vendor_share_n00000_v00000"
    assert row["need"] == "N" and row["binding"] is True and row["slack"] == 0
    assert row["label"] == "Vendor A may take at most 50% of need N (500 hours over all its offers)"
    assert row["unit"] == "$ per extra unit for vendor A on need N"
    assert (row["measure"], row["step"], row["steps"], row["direction"]) == (
        "$",
        "unit for vendor A on need N",
        "units for vendor A on need N",
        "raised",
    )
    assert row["slack_unit"] == "hours"
    # B's only offer keeps the rule as its column bound, at 500 h too
    (bound,) = _share_entries(result, "B")
    assert bound["name"] == "max_share_n00000_v00001" and bound["binding"] is True


def test_the_vendor_share_rows_shadow_price_in_the_example():
    # The example above is degenerate: A's row and B's bound both bind at 500 h (A 500 + B
    # 500 = 1,000). The LP's duals: a-std is basic, so u + a = 6 (u: demand, a: A's row);
    # B sits at its bound, so u + b = 9 with b ≤ 0 (B's bound). Any a ≤ −3 fits; HiGHS
    # reports u = 9, b = 0, a = 6 − 9 = −3: one more hour for A moves an hour from B ($9) to
    # a-std ($6). (One hour less for A has no plan at all: B is full.) The demand price moves
    # both caps by 0.5 h an hour: u + 0.5 × (a + b) = 9 − 1.5 = 7.5, that is one more hour
    # placed half at a-std and half at B: 0.5 × 6 + 0.5 × 9 = 7.5.
    result = optimizer.solve(_doc(A_TWO_CHEAP_OFFERS))
    (row,) = _share_entries(result, "A")
    assert row["shadow_price"] == pytest.approx(-3, abs=EXACT)
    assert _share_entries(result, "B")[0]["shadow_price"] == pytest.approx(0, abs=EXACT)
    demand = next(c for c in result["constraints"] if c["kind"] == "demand")
    assert demand["shadow_price"] == pytest.approx(7.5, abs=EXACT)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_unique_vendor_share_price(solver):
    # As above, but B can do only 300 h and C charges $10: A 500 h (2,600), B 300 (2,700),
    # C 200 (2,000): 7,300. C is basic, so the demand dual is u = 10 and a-std (basic)
    # gives a = 6 − 10 = −4: one more hour for A saves $4, one less costs $4. Demand:
    # u + 0.5 × a = 10 − 2 = 8 (the extra hour half at a-std, half at C: 3 + 5 = 8).
    offers = [*A_TWO_CHEAP_OFFERS[:2], {"vendor": "B", "price": 9, "capacity": 300}]
    offers.append({"vendor": "C", "price": 10})
    result = optimizer.solve(_doc(offers, ("A", "B", "C"), solver=solver))
    assert result["totals"]["cost"] == pytest.approx(7300, abs=EXACT)
    (row,) = _share_entries(result, "A")
    assert row["shadow_price"] == pytest.approx(-4, abs=EXACT)
    demand = next(c for c in result["constraints"] if c["kind"] == "demand")
    assert demand["shadow_price"] == pytest.approx(8, abs=EXACT)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_share_bound_and_row_binding_together_are_priced_once(solver):
    # A's offers have no caps: a1 ($5) takes all of A's 500 h and a2 ($6) nothing, so a1's
    # column bound (500 h) and A's row both bind. B ($9) can do 300 h, C ($10) the last 200:
    # 2,500 + 2,700 + 2,000 = 7,200. With u = 10 (C basic), a1 gives a + d = 5 − 10 = −5
    # (d: a1's bound dual) and a2 at 0 only a ≤ 6 − 10 = −4; the solver splits −5 as it
    # likes (HiGHS: a = −4, d = −1). The rule is one: its price is a + d = −5 (one more hour
    # for A: an hour from C at $10 to a1 at $5), listed once, on the row. Demand:
    # u + 0.5 × (a + d) = 10 − 2.5 = 7.5 (half at a1, half at C: 2.5 + 5), each dual once.
    offers = [
        {"vendor": "A", "price": 5, "id": "a1"},
        {"vendor": "A", "price": 6, "id": "a2"},
        {"vendor": "B", "price": 9, "capacity": 300},
        {"vendor": "C", "price": 10},
    ]
    result = optimizer.solve(_doc(offers, ("A", "B", "C"), solver=solver))
    assert result["totals"]["cost"] == pytest.approx(7200, abs=EXACT)
    assert _volumes(result) == pytest.approx(
        {("A", "a1"): 500, ("B", None): 300, ("C", None): 200}, abs=EXACT
    )
    (row,) = _share_entries(result, "A")
    assert row["name"] == "vendor_share_n00000_v00000"
    assert row["shadow_price"] == pytest.approx(-5, abs=EXACT)
    demand = next(c for c in result["constraints"] if c["kind"] == "demand")
    assert demand["shadow_price"] == pytest.approx(7.5, abs=EXACT)


def test_rows_only_where_a_vendor_has_several_offers_that_could_exceed_its_share():
    def model(offers, share=0.5):
        problem, errors = parse_problem(_doc(offers, ("A", "B"), share=share))
        assert not errors
        return build_model(problem)

    names = [n for n in model(A_TWO_CHEAP_OFFERS).row_names if n.startswith("vendor_share")]
    assert names == ["vendor_share_n00000_v00000"]  # A only: B has one offer
    # 200 + 250 h can never pass 500 h: no row
    capped = [
        {**A_TWO_CHEAP_OFFERS[0], "capacity": 200},
        {**A_TWO_CHEAP_OFFERS[1], "capacity": 250},
    ]
    assert not [n for n in model([*capped, A_TWO_CHEAP_OFFERS[2]]).row_names if "share" in n]
    # share 1 holds nothing
    assert not [n for n in model(A_TWO_CHEAP_OFFERS, share=1).row_names if "share" in n]


def test_a_vendor_share_row_with_room_is_not_listed():
    # Share 0.6: B ($4) takes its 600 h; A the other 400 h at a-cheap (400 × 5). A's row
    # (600 h) has 200 h to spare: like a share bound with room, it is left out of the list.
    offers = [*A_TWO_CHEAP_OFFERS[:2], {"vendor": "B", "price": 4}]
    result = optimizer.solve(_doc(offers, share=0.6))
    assert result["totals"]["cost"] == pytest.approx(600 * 4 + 400 * 5, abs=EXACT)
    assert _share_entries(result, "A") == []
    assert [c["name"] for c in _share_entries(result, "B")] == ["max_share_n00000_v00001"]


def test_too_low_a_share_counts_vendors_not_offers():
    # 40% per vendor and two vendors (A with two offers): at most 80% can be placed. Counting
    # A's two offers as two vendors would have made it 120% and found nothing.
    offers = [
        {"vendor": "A", "price": 5, "id": "a1"},
        {"vendor": "A", "price": 6, "id": "a2"},
        {"vendor": "B", "price": 9},
    ]
    result = optimizer.solve(_doc(offers, volume=100, share=0.4))
    assert result["status"] == "infeasible"
    (check,) = result["explanation"]["checks"]
    assert check["code"] == "max_vendor_share_too_low" and check["eligible_vendors"] == 2
    assert result["explanation"]["summary"] == (
        "Need N allows at most 40% per vendor but has only 2 eligible vendors, so at most 80% "
        "of it can be placed; raise the share to at least 50% or add vendors."
    )


def test_a_short_need_counts_a_vendor_at_most_its_share():
    # 60% per vendor: A (two uncapped offers) can supply 600 h, not 1,200; B's offer 300 h.
    # 900 of the 1,000 hours; the conflict names A's row over both its offers.
    offers = [
        {"vendor": "A", "price": 5, "id": "a1"},
        {"vendor": "A", "price": 6, "id": "a2"},
        {"vendor": "B", "price": 9, "capacity": 300},
    ]
    result = optimizer.solve(_doc(offers, share=0.6))
    explanation = result["explanation"]
    assert explanation["summary"] == (
        "Need N needs 1,000 hours but its eligible offers can supply at most 900 (short by 100)."
    )
    assert {c["name"]: c["label"] for c in explanation["conflict"]["constraints"]} == {
        "demand_n00000": "Need N must get its 1,000 hours",
        "vendor_share_n00000_v00000": (
            "Vendor A may take at most 60% of need N (600 hours over all its offers)"
        ),
        "offer_capacity_n00000_v00001": "Vendor B's offer for need N is limited to 300 hours",
    }


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_vendor_share_row_with_max_vendors(solver):
    # 100 hours, at most 2 vendors and 50 h each. V1: a $8 (30 h), b $9 (30 h); V2 $10 (30
    # h); V3 $11. V1 with V3: V1 50 h (a 30 × 8 + b 20 × 9 = 420), V3 50 h (550): 970. V1
    # with V2 places only 50 + 30 = 80 h, V2 with V3 only 30 + 50. Without the row V1 could
    # take 60 h (a 30 + b 30) and V3 40: 240 + 270 + 440 = 950.
    doc = _doc(
        [
            {"vendor": "V1", "price": 8, "capacity": 30, "id": "a"},
            {"vendor": "V1", "price": 9, "capacity": 30, "id": "b"},
            {"vendor": "V2", "price": 10, "capacity": 30},
            {"vendor": "V3", "price": 11},
        ],
        ("V1", "V2", "V3"),
        volume=100,
        solver=solver,
    )
    doc["needs"][0]["max_vendors"] = 2
    result = optimizer.solve(doc)
    assert result["totals"]["cost"] == pytest.approx(970, abs=EXACT)
    assert _volumes(result) == pytest.approx(
        {("V1", "a"): 30, ("V1", "b"): 20, ("V3", None): 50}, abs=EXACT
    )
    # given the chosen vendors, one more hour for V1 moves one from V3 ($11) to b ($9)
    (row,) = _share_entries(result, "V1")
    assert row["binding"] is True and row["shadow_price"] == pytest.approx(-2, abs=EXACT)
