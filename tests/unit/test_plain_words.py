"""Figures in words a buyer reads: numbers without scientific notation, shadow prices as what
one more unit of a rule costs, and one figure per limit of an infeasible scenario."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import optimizer
from procure.formatting import about_money, plain_number
from procure.scenarios.review import price_words, target_fixes


@pytest.mark.parametrize(
    ("value", "significant", "text"),
    [
        (0.00000735, 6, "0.00000735"),  # "{:.6g}" said 7.35e-06
        (310000.0, 4, "310,000"),  # "{:,.4g}" said 3.1e+05
        (164.1025641, 6, "164.103"),
        (1 / 0.0073529, 4, "136"),
        (2.5, 4, "2.5"),
        (0, 6, "0"),
        (-1234.5, 6, "-1,234.5"),
        (None, 6, "—"),
        (float("nan"), 6, "—"),
    ],
)
def test_numbers_are_written_out(value, significant, text):
    assert plain_number(value, significant) == text


def test_money_in_a_sentence_is_rounded_to_dollars_above_ten():
    assert about_money(-2918.67) == "$2,919"
    assert about_money(5.5) == "$5.50"


@pytest.mark.parametrize(
    ("price", "unit", "words"),
    [
        # min cost: relaxing the target by a point saves $2,918.67; one more point costs that
        (
            -2918.67,
            "$ per point of average impact relaxed",
            "Each extra point of average impact costs about $2,919",
        ),
        (
            -30.0,
            "$ per 0.01 of need N2's average quality relaxed",
            "Each extra 0.01 of average quality on need N2 costs about $30",
        ),
        (
            -1.5,
            "$ per impact-worker hour less required",
            "Each extra impact-worker hour required costs about $1.50",
        ),
        (
            -300.0,
            "$ per percentage point of vendor spend cap relaxed",
            "Each percentage point less on the vendor spend cap costs about $300",
        ),
        (
            -12.3,
            "$ per extra labour hour of capacity at vendor V2",
            "Each extra labour hour of capacity at vendor V2 would save about $12",
        ),
        (
            5.5,
            "$ per extra unit of volume for need N1",
            "Each extra unit of volume for need N1 costs about $5.50",
        ),
        # maximising: the price is what the measure gains per unit relaxed; 0.0034 points per
        # $ is under 0.1, so it is said per $1,000: 0.0034 × 1,000 = 3.4 points
        (
            0.0034,
            "points of average impact per extra $ of budget",
            "Each extra $1,000 of budget raises the reachable average impact by about 3.4 points",
        ),
        (
            40.0,
            "impact-worker hours per percentage point of impact spend share relaxed",
            "Each extra percentage point of impact spend share lowers the reachable impact-worker "
            "hours by about 40 hours",
        ),
    ],
)
def test_a_shadow_price_is_said_as_what_one_more_unit_costs(price, unit, words):
    """A result stored before constraints carried their unit in parts: read from its text."""
    assert price_words({"shadow_price": price, "unit": unit}) == words


@pytest.mark.parametrize(
    ("price", "unit", "words"),
    [
        # award rules, as stored results have always read them
        (
            -5.0,
            "$ per hour less kept with incumbents on need N",
            "Each hour less kept with incumbents on need N would save about $5.00",
        ),
        (
            -2.0,
            "$ per percentage point of group Kenya's cap relaxed",
            "Each percentage point less on the group Kenya's cap costs about $2.00",
        ),
        (
            -3.0,
            "$ per extra unit for vendor A on need N",
            "Each extra unit for vendor A on need N would save about $3.00",
        ),
        # -0.004 $ per labour hour: × 1,000 = $4 saved per 1,000 labour hours
        (
            -0.004,
            "$ per extra labour hour of capacity at vendor V2",
            "Each extra 1,000 labour hours of capacity at vendor V2 would save about $4.00",
        ),
        # -0.02 $ per hour less required → one more costs $0.02, × 100 = $2
        (
            -0.02,
            "$ per impact-worker hour less required",
            "Each extra 100 impact-worker hours required costs about $2.00",
        ),
    ],
)
def test_a_stored_result_reads_as_it_did_with_small_effects_scaled(price, unit, words):
    assert price_words({"shadow_price": price, "unit": unit}) == words


def _priced(price, measure, step, steps, direction, unit="(not read)"):
    return {
        "shadow_price": price,
        "unit": unit,
        "measure": measure,
        "step": step,
        "steps": steps,
        "direction": direction,
    }


@pytest.mark.parametrize(
    ("constraint", "words"),
    [
        # a target lowered by a point saves $2,918.67, so one more point costs that
        (
            _priced(-2918.67, "$", "point of average impact on need N1", None, "lowered"),
            "Each extra point of average impact on need N1 costs about $2,919",
        ),
        (
            _priced(-12.3, "$", "labour hour of capacity at vendor V2", "labour hours …", "raised"),
            "Each extra labour hour of capacity at vendor V2 would save about $12",
        ),
        # a cap raised by a point saves $300: said as one more point of the cap
        (
            _priced(-300.0, "$", "percentage point of vendor spend cap", None, "raised"),
            "Each extra percentage point of vendor spend cap would save about $300",
        ),
        (
            _priced(-5.0, "$", "hour kept with incumbents on need N", "hours …", "lowered"),
            "Each extra hour kept with incumbents on need N costs about $5.00",
        ),
        # 0.00243 hours per $: under 0.1, so per $1,000 (0.00243 × 1,000 = 2.43 hours)
        (
            _priced(0.00243, "impact-worker hours", "$ of budget", "$ of budget", "raised"),
            "Each extra $1,000 of budget raises the reachable impact-worker hours by about 2.43 "
            "hours",
        ),
        # 0.0625 points per labour hour: × 100 = 6.25 points
        (
            _priced(
                0.0625,
                "points of average impact",
                "labour hour of capacity at vendor V1",
                "labour hours of capacity at vendor V1",
                "raised",
            ),
            "Each extra 100 labour hours of capacity at vendor V1 raises the reachable average "
            "impact by about 6.25 points",
        ),
        # $0.0004 per unit saved by lowering the requirement: one more costs $0.0004, × 10,000
        # = $4 (about_money would have said "$0.00")
        (
            _priced(
                -0.0004,
                "$",
                "impact-worker hour required",
                "impact-worker hours required",
                "lowered",
            ),
            "Each extra 10,000 impact-worker hours required costs about $4.00",
        ),
        # 0.1 is not small: said per unit, with cents
        (
            _priced(
                0.1, "$", "unit of volume for need N1", "units of volume for need N1", "raised"
            ),
            "Each extra unit of volume for need N1 costs about $0.10",
        ),
        # a percentage point is never multiplied: a tiny amount keeps two significant digits
        (
            _priced(-0.0034, "$", "percentage point of impact spend share", None, "lowered"),
            "Each extra percentage point of impact spend share costs about $0.0034",
        ),
    ],
)
def test_a_shadow_price_is_read_from_its_unit_in_parts(constraint, words):
    """The structured fields, not the text: `unit` here says nothing the sentence could use."""
    assert price_words(constraint) == words


def test_a_stored_result_reads_as_the_same_plan_solved_now():
    """The stored result of the impact_binding case (written before constraints carried their
    unit in parts) says each price as a fresh solve of the same case does."""
    data = Path(__file__).resolve().parents[1] / "data" / "optimizer"
    stored = json.loads((data / "results" / "solve_impact_binding.json").read_text())
    fresh = optimizer.solve(json.loads((data / "impact_binding.json").read_text()))
    assert all("step" not in c for c in stored["constraints"])
    assert all("step" in c for c in fresh["constraints"])
    old = {c["name"]: price_words(c) for c in stored["constraints"]}
    new = {c["name"]: price_words(c) for c in fresh["constraints"]}
    assert old == new
    # $5 saved per point relaxed, $11.50 per unit of N1 (tests/optimizer/test_optimizer_golden)
    assert new["min_avg_impact"] == "Each extra point of average impact costs about $5.00"
    assert new["demand_n00000"] == "Each extra unit of volume for need N1 costs about $12"


@given(
    price=st.floats(min_value=1e-8, max_value=1e6) | st.floats(min_value=-1e6, max_value=-1e-8),
    multipliable=st.booleans(),
    direction=st.sampled_from(["raised", "lowered"]),
)
def test_a_money_sentence_never_says_about_nothing(price, multipliable, direction):
    steps = "labour hours of capacity at vendor V2" if multipliable else None
    words = price_words(
        _priced(price, "$", "labour hour of capacity at vendor V2", steps, direction)
    )
    assert words is not None
    assert not re.search(r"about \$0(\.0+)?$", words), words


def test_a_rule_without_a_price_has_no_words():
    assert price_words({"shadow_price": None, "unit": None}) is None
    assert price_words({"shadow_price": 0.0, "unit": "$ per extra $ of budget"}) is None


def test_each_limit_has_one_figure_the_sentence_and_the_fix_share():
    """The reachable average impact 70.4999 is said as 70.4 (rounded toward holding), in the
    sentence, in the table and as the value the fix applies; a budget of 310,250.491 needs
    310,250.50."""
    explanation = {
        "targets": {
            "min_avg_impact": {"target": 75.0, "achievable": 70.4999, "feasible_if_relaxed": True},
            "budget": {"target": 300000.0, "achievable": 310250.491, "feasible_if_relaxed": True},
            "min_avg_quality": {"target": 0.99, "achievable": None, "feasible_if_relaxed": False},
        }
    }
    rows = {r["name"]: r for r in target_fixes(explanation, {"budget": "Budget (USD)"})}
    impact = rows["min_avg_impact"]
    assert (impact["asked"], impact["reachable"], impact["fix"]) == ("75", "70.4", 70.4)
    budget = rows["budget"]
    assert (budget["label"], budget["asked"], budget["reachable"], budget["fix"]) == (
        "Budget (USD)",
        "$300,000",
        "$310,250.50",
        310250.5,
    )
    assert rows["min_avg_quality"]["fix"] is None and rows["min_avg_quality"]["reachable"] == "—"
    from optimizer.explain import _sentence

    assert "70.4 (target 75)" in _sentence("min_avg_impact", 75.0, 70.4999)
    assert "$310,250.50" in _sentence("budget", 300000.0, 310250.491)
    assert optimizer.workable_limit("max_vendor_spend_share", 0.41201) == 0.413


def test_vendors_below_a_living_wage_are_named_with_their_ratio():
    from procure.scenarios.review import below_living_wage

    impact = {
        "by_vendor": [
            {"vendor": "Gramin Mahila BPO", "living_wage_ratio": 0.97},  # flagged
            {"vendor": "Kazi Data Works", "living_wage_ratio": 1.0},  # exactly a living wage
            {"vendor": "No Wages Yet", "living_wage_ratio": None},  # not disclosed: not judged
            {"vendor": "Lakeside", "living_wage_ratio": 0.8049},
        ]
    }
    assert below_living_wage(impact) == ["Gramin Mahila BPO (0.97)", "Lakeside (0.80)"]
    assert below_living_wage(None) == []


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("service_category", "Service category"),
        ("targets.min_avg_impact", "Min avg impact (targets)"),
        ("evidence.workforce", "Workforce (evidence)"),
        ("sites[0].name", "Name (site 1)"),
        ("service_categories.0", "Service categories, item 1"),
    ],
)
def test_an_error_summary_never_shows_a_raw_key(key, words):
    from procure.formatting import field_words

    assert field_words(key) == words


def test_the_decision_page_marks_the_best_and_warns():
    from procure.scenarios.review import best_of, plan_warnings

    assert best_of("total_cost", [6400.0, 7000.0, 6400.0]) == [0, 2]  # a tie marks both
    assert best_of("fte_jobs", [1.2, None, 3.4]) == [2]
    assert best_of("avg_impact", [55.0, 55.0]) == []  # all equal: no best
    assert best_of("below_living_wage", [["A (0.9)"], []]) == [1]  # the fewest
    assert best_of("vendors", [2, 3]) == []  # no better direction
    cheapest = {"fte_jobs": 12.4, "largest_vendor_share": 0.4, "below_living_wage": []}
    greener = {
        "fte_jobs": 11.2,
        "largest_vendor_share": 0.62,
        "below_living_wage": ["B (0.97)"],
        "vendors": 3,
    }
    assert plan_warnings(greener, cheapest) == [
        "1 of 3 vendors below a living wage",
        "1.2 fewer full-time jobs for impact workers than the cheapest plan",  # 12.4 − 11.2
        "One vendor takes 62 % of the spend",
    ]
    assert plan_warnings(cheapest, cheapest) == []


def test_a_form_box_holds_every_digit_and_no_exponent():
    from procure.formatting import exact_number

    assert exact_number(0.0000625) == "0.0000625"  # "{:g}" gave 6.25e-05
    assert exact_number(1234567.125) == "1234567.125"  # no thousands separator in a box
    assert exact_number(1.0) == "1"


def test_a_number_input_shows_a_stored_figure_as_typed_and_what_was_typed_as_it_was():
    from decimal import Decimal

    from procure.formatting import input_number

    assert input_number(1000.0) == "1000" and input_number(20000.0) == "20000"
    assert input_number(1234.5678) == "1234.5678" and float(input_number(1234.5678)) == 1234.5678
    assert input_number(0.1 + 0.2) == "0.30000000000000004"  # reads back as the same float
    assert input_number(1e16) == "10000000000000000"  # "{:.15g}" gave 1e+16
    assert input_number(Decimal("3.50")) == "3.5" and input_number(7) == "7"
    assert input_number(None) == "" and input_number(float("nan")) == ""
    assert input_number("1,000.0") == "1,000.0"  # typed text, shown again as it was


def test_audit_actions_read_as_what_happened():
    from procure.formatting import action_words

    assert action_words("scenario.submit") == "Submitted for approval"
    assert action_words("scenario.approve") == "Approved"
    assert action_words("attestation.withdraw") == "Withdrawn"
    assert action_words("delivery.record_import") == "Record import"  # a verb not listed


def test_the_decision_chart_draws_near_budgets_and_tells_far_ones():
    from procure.scenarios.review import chart_inputs

    def figures(cost, hours, budget):
        return {
            "total_cost": cost,
            "impact_worker_hours": hours,
            "avg_impact": 50.0,
            "budget": budget,
        }

    comparison = {
        "scenarios": ["Cheapest", "Impact 60", "Most jobs"],
        "figures": [
            figures(302_856.0, 44_142.0, 510_000.0),
            figures(335_952.0, 44_692.0, 510_000.0),
            figures(334_000.0, 52_959.0, 334_000.0),
        ],
    }
    drawn = chart_inputs(comparison)
    assert drawn["measure"] == "hours"
    assert drawn["plans"][2] == ("Most jobs", 52_959.0, 334_000.0)
    # 334,000 is within 1.15 × the dearest plan (335,952 → 386,345); 510,000 is not
    assert drawn["drawn"] == [(334_000.0, "Most jobs")]
    assert drawn["far"] == [(510_000.0, "Cheapest, Impact 60")]
    comparison["figures"][2]["impact_worker_hours"] = None  # solved before hours were counted
    for f in comparison["figures"]:
        f["budget"] = 340_000.0
    drawn = chart_inputs(comparison)
    assert drawn["measure"] == "impact" and drawn["drawn"] == [(340_000.0, "all plans")]


def test_an_offer_lines_key_reads_as_what_it_is():
    from procure.scenarios.review import plain_words

    # a problem's bid lines say so (`source`); its rate cards' lines do not
    offers = {"O12": {"id": "O12"}, "B3": {"id": "B3", "source": "bid"}}
    plain = plain_words({"V2": "Kazi Data Works"}, {"N1": "Labelling"}, offers)
    assert plain("Vendor V2 (offer O12) gets nothing or at least 500 hours on need N1") == (
        "Kazi Data Works (rate card) gets nothing or at least 500 hours on “Labelling”"
    )
    assert (
        plain("Vendor V2 (offer B3)'s offer for need N1")
        == "Kazi Data Works (bid)'s offer for “Labelling”"
    )


def test_two_rate_cards_of_one_vendor_read_apart_by_their_stated_price():
    from procure.scenarios.review import plain_words

    offers = {
        "O12": {"id": "O12", "original_price": 12.5, "currency": "EUR", "unit": "record"},
        "O13": {"id": "O13", "original_price": 0.9, "currency": "KES", "unit": "hour"},
        "B3": {"id": "B3", "source": "bid", "price": 11.0, "unit": "hour"},  # no currency: USD
    }
    plain = plain_words({"V2": "Kazi Data Works"}, {"N1": "Labelling"}, offers)
    assert plain("Vendor V2 (offer O12) and vendor V2 (offer O13) on need N1") == (
        "Kazi Data Works (rate card at 12.5 EUR per record) and "
        "Kazi Data Works (rate card at 0.9 KES per hour) on “Labelling”"
    )
    assert plain("Vendor V2 (offer B3)") == "Kazi Data Works (bid at 11 USD per hour)"
    assert plain("Vendor V2 (offer O99)") == "Kazi Data Works (rate card)"  # not in the problem


def test_an_offer_line_is_a_bid_by_its_source_as_its_price_source_says():
    """offer_words and figures.price_source read one rule (`figures.is_bid`): the line's
    `source`, never the first letter of its key."""
    from procure.scenarios.figures import price_source
    from procure.scenarios.review import plain_words

    offers = {
        "O7": {
            "id": "O7",
            "source": "bid",
            "bid_id": 7,
            "original_price": 11.0,
            "currency": "USD",
            "unit": "hour",
        },
        "B8": {"id": "B8", "original_price": 9.0, "currency": "EUR", "unit": "hour"},
    }
    plain = plain_words({"V2": "Kazi Data Works"}, {"N1": "Labelling"}, offers)
    assert plain("Vendor V2 (offer O7)") == "Kazi Data Works (bid at 11 USD per hour)"
    assert plain("Vendor V2 (offer B8)") == "Kazi Data Works (rate card at 9 EUR per hour)"
    assert price_source({"offer": "O7"}, offers)["source"] == "bid"
    assert price_source({"offer": "B8"}, offers)["source"] == "offer"
