"""Disclosure validation: one failing and one passing case per rule, drafts vs submit, garbage."""

from __future__ import annotations

import copy
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procure.disclosures.validation import (
    CATEGORY_FIELDS,
    EVIDENCE_FIELDS,
    PERIOD_FIELDS,
    TRAINING_FIELDS,
    WAGE_FIELDS,
    WORKFORCE_FIELDS,
    Issue,
    hourly_wage,
    normalise_disclosure,
    validate_disclosure,
)
from procure.reference_data import load_reference

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
REFERENCE = load_reference(CONFIG_DIR)  # frozen and read-only: safe to share between tests
TODAY = date(2026, 2, 1)


def valid_document() -> dict[str, Any]:
    """A complete disclosure that passes every rule with no warning. Its arithmetic:

    headcount 100 + hires 30 − departures (15 + 5) = 110 = headcount at end = 90 FT + 20 PT;
    impact workers 40 + 12 hired − 4 left = 48; categories sum to 65 ≥ 48 (they overlap);
    training 4,100 h ÷ 102.5 FTE = 40 h per FTE; 95 trained ≤ 100 + 30.
    """
    return {
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "workforce": {
            "headcount_start": 100,
            "headcount_end": 110,
            "full_time_end": 90,
            "part_time_end": 20,
            "fte_avg": 102.5,
            "total_hires": 30,
            "impact_worker_hires": 12,
            "departures_voluntary": 15,
            "departures_involuntary": 5,
            "impact_worker_departures": 4,
            "impact_workers_start": 40,
            "impact_workers_end": 48,
            "categories": {
                "long_term_unemployed": 20,
                "below_poverty_line": 25,
                "refugee_or_displaced": 5,
                "disability": 3,
                "youth_neet": 10,
                "women_low_participation": 0,
                "other": 2,
            },
            "other_category_label": "Returning migrant workers",
            "retention_cohort_hired": 10,
            "retention_cohort_retained_12m": 7,
            "promotions_all": 8,
            "promotions_impact_workers": 3,
        },
        "wages": [
            {
                "site": "Nairobi",
                "country": "KE",
                "currency": "KES",
                "pay_period": "month",
                "standard_weekly_hours": 45,
                "entry_level_wage": 25000,
                "impact_worker_median_wage": 28000,
                "local_minimum_wage": 15201.65,
                "minimum_wage_source": "Regulation of Wages (General) Order 2024",
                "minimum_wage_date": "2024-11-01",
                "living_wage_benchmark": 30000,
                "living_wage_source": "Anker reference value, urban Kenya",
                "living_wage_date": "2025-06-30",
            }
        ],
        "training": {
            "training_hours_all": 4100,
            "training_hours_impact_workers": 2200,
            "training_spend": 1_500_000,
            "training_currency": "KES",
            "employees_trained": 95,
        },
        "evidence": {
            "workforce": "self_reported_documented",
            "wages": "buyer_verified",
            "training": "self_reported",
        },
    }


_STEP = re.compile(r"([a-z_0-9]+)(?:\[(\d+)\])?")


def changed(changes: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of the valid document with values set at paths like "wages[0].currency"."""
    doc = copy.deepcopy(base if base is not None else valid_document())
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = doc
        for step in parents:
            key, index = _STEP.fullmatch(step).groups()
            node = node[key] if index is None else node[key][int(index)]
        node[last] = value
    return doc


def issues(doc: Any, *, for_submit: bool = False, today: date = TODAY) -> tuple[list, list]:
    report = validate_disclosure(doc, REFERENCE, today=today, for_submit=for_submit)
    return (
        [(i.field, i.message) for i in report.errors],
        [(i.field, i.message) for i in report.warnings],
    )


def test_valid_document_has_no_errors_and_no_warnings():
    assert issues(valid_document(), for_submit=True) == ([], [])


# --- errors: one failing case per rule, with its exact field and message ---------------------

ERROR_CASES = [
    # field values, then the one error expected
    (
        {"workforce.impact_worker_hires": 45},
        "workforce.impact_worker_hires",
        "Impact workers hired (45) cannot exceed hires in the period (30).",
    ),
    (
        {"workforce.impact_workers_end": 111},
        "workforce.impact_workers_end",
        "Impact workers at period end (111) cannot exceed employees at period end (110).",
    ),
    (
        {"workforce.impact_workers_start": 101},
        "workforce.impact_workers_start",
        "Impact workers at period start (101) cannot exceed employees at period start (100).",
    ),
    # 100 + 31 = 131 departures from 100 + 30 = 130 people ever employed
    (
        {"workforce.departures_voluntary": 100, "workforce.departures_involuntary": 31},
        "workforce.departures_voluntary",
        "Departures (100 + 31 = 131) cannot exceed employees at period start plus hires in the "
        "period (100 + 30 = 130).",
    ),
    (
        {
            "workforce.departures_voluntary": None,
            "workforce.departures_involuntary": 131,
            "workforce.impact_worker_departures": None,
        },
        "workforce.departures_involuntary",
        "Departures (131) cannot exceed employees at period start plus hires in the period "
        "(100 + 30 = 130).",
    ),
    (
        {"workforce.impact_worker_departures": 21},
        "workforce.impact_worker_departures",
        "Impact-worker departures (21) cannot exceed all departures (15 + 5 = 20).",
    ),
    (
        {"workforce.full_time_end": 91},
        "workforce.full_time_end",
        "Full-time employees at period end (91) plus part-time employees at period end (20) make "
        "111, but employees at period end is 110; they must be equal.",
    ),
    (
        {"workforce.categories.refugee_or_displaced": 49},
        "workforce.categories.refugee_or_displaced",
        "Refugees or displaced people (49) cannot exceed impact workers at period end (48).",
    ),
    (
        {"workforce.other_category_label": None},
        "workforce.other_category_label",
        'Name the other impact-worker category: 2 impact workers are counted under "other".',
    ),
    (
        {"workforce.other_category_label": "   "},  # blank text is no label
        "workforce.other_category_label",
        'Name the other impact-worker category: 2 impact workers are counted under "other".',
    ),
    (
        {"workforce.retention_cohort_retained_12m": 11},
        "workforce.retention_cohort_retained_12m",
        "Retention cohort still employed after 12 months (11) cannot exceed impact workers hired "
        "12–24 months before period end (10).",
    ),
    (
        {"workforce.promotions_impact_workers": 9},
        "workforce.promotions_impact_workers",
        "Impact workers promoted (9) cannot exceed employees promoted (8).",
    ),
    # 213,201 h ÷ 102.5 FTE = 2,080.0098 h per FTE
    (
        {"training.training_hours_all": 213_201, "training.training_hours_impact_workers": 2200},
        "training.training_hours_all",
        "Training hours per FTE (2,080.01 = 213,201 hours ÷ 102.5 FTE) cannot exceed 2,080, a full "
        "working year.",
    ),
    (
        {"training.training_hours_impact_workers": 4101},
        "training.training_hours_impact_workers",
        "Training hours, impact workers (4,101) cannot exceed training hours, all employees "
        "(4,100).",
    ),
    (
        {"training.employees_trained": 131},
        "training.employees_trained",
        "Employees who completed training (131) cannot exceed employees at period start plus "
        "hires in the period (100 + 30 = 130).",
    ),
    (
        {"workforce.fte_avg": 0},
        "workforce.fte_avg",
        "Average full-time equivalents must be greater than 0; got 0.",
    ),
    (
        {"workforce.fte_avg": -1.5},
        "workforce.fte_avg",
        "Average full-time equivalents must be greater than 0; got -1.5.",
    ),
    (
        {"workforce.fte_avg": 110.5},
        "workforce.fte_avg",
        "Average full-time equivalents (110.5) cannot exceed the larger of employees at period "
        "start (100) and employees at period end (110).",
    ),
    (
        {"period_end": "2025-01-01"},
        "period_end",
        "Last day of the period (2025-01-01) must be after first day of the period (2025-01-01).",
    ),
    (
        {"wages[0].country": "XK"},
        "wages[0].country",  # Kosovo's code is user-assigned, not ISO
        'Site "Nairobi": country "XK" is not an ISO 3166-1 country code (two letters, e.g. KE for '
        "Kenya).",
    ),
    (
        {"wages[0].country": "Kenya"},
        "wages[0].country",
        'Site "Nairobi": country must be an ISO code of two or three letters; got "Kenya".',
    ),
    (
        {"wages[0].currency": "KSH"},
        "wages[0].currency",
        'Site "Nairobi": currency "KSH" is not an ISO 4217 currency code (three letters, e.g. '
        "KES).",
    ),
    (
        {"wages[0].currency": "XAU"},
        "wages[0].currency",
        'Site "Nairobi": currency "XAU" (Gold) is not a currency that payments are made in.',
    ),
    (
        {"training.training_currency": "ABC"},
        "training.training_currency",
        'Training spend currency "ABC" is not an ISO 4217 currency code (three letters, e.g. KES).',
    ),
    (
        {"wages[0].pay_period": "day"},
        "wages[0].pay_period",
        'Site "Nairobi": pay period must be one of hour, week, month, year; got "day".',
    ),
    (
        {"wages[0].standard_weekly_hours": 0},
        "wages[0].standard_weekly_hours",
        'Site "Nairobi": standard weekly hours must be greater than 0; got 0.',
    ),
    (
        {"wages[0].standard_weekly_hours": 100.5},
        "wages[0].standard_weekly_hours",
        'Site "Nairobi": standard weekly hours must be at most 100; got 100.5.',
    ),
    (
        {"wages[0].entry_level_wage": 0},
        "wages[0].entry_level_wage",
        'Site "Nairobi": entry-level wage must be greater than 0; got 0.',
    ),
    (
        {"wages[0].living_wage_benchmark": -30000},
        "wages[0].living_wage_benchmark",
        'Site "Nairobi": living-wage benchmark must be greater than 0; got -30,000.',
    ),
    (
        {"wages[0].site": None, "wages[0].impact_worker_median_wage": 0},
        "wages[0].impact_worker_median_wage",  # an unnamed site is named by its position
        "Site 1: median wage of impact workers must be greater than 0; got 0.",
    ),
    (
        {"evidence.wages": "gold"},
        "evidence.wages",
        "Evidence level for the wages section must be one of none, self_reported, "
        "self_reported_documented, buyer_verified, third_party_limited, third_party_reasonable; "
        'got "gold".',
    ),
    (
        {"period_end": "31/12/2025"},
        "period_end",
        "Last day of the period must be a date written YYYY-MM-DD, e.g. 2025-12-31; got "
        '"31/12/2025".',
    ),
    (
        {"period_end": "2025-02-30"},
        "period_end",
        'Last day of the period is not a real date; got "2025-02-30".',
    ),
    (
        {"wages[0].minimum_wage_date": 20241101},
        "wages[0].minimum_wage_date",
        'Site "Nairobi": minimum wage effective date must be a date written YYYY-MM-DD, e.g. '
        "2025-12-31; got 20,241,101.",
    ),
    (
        {"wages[0].living_wage_date": "2026-03-01"},
        "wages[0].living_wage_date",
        'Site "Nairobi": living-wage reference date (2026-03-01) is in the future (today is '
        "2026-02-01).",
    ),
    (
        {"wages[0].minimum_wage_date": "2026-02-02"},
        "wages[0].minimum_wage_date",
        'Site "Nairobi": minimum wage effective date (2026-02-02) is in the future (today is '
        "2026-02-01).",
    ),
    (
        {"workforce.headcount_start": -3},
        "workforce.headcount_start",
        "Employees at period start cannot be negative; got -3.",
    ),
    (
        {"workforce.total_hires": 12.5},
        "workforce.total_hires",
        "Hires in the period must be a whole number; got 12.5.",
    ),
    (
        {"workforce.total_hires": "30"},
        "workforce.total_hires",
        'Hires in the period must be a whole number; got "30".',
    ),
    (
        {"workforce.total_hires": True},
        "workforce.total_hires",
        "Hires in the period must be a whole number; got true.",
    ),
    (
        {"workforce.total_hires": math.nan},
        "workforce.total_hires",
        "Hires in the period must be a finite number; got not a number (NaN).",
    ),
    (
        {"workforce.total_hires": [30]},
        "workforce.total_hires",
        "Hires in the period must be a whole number; got a list.",
    ),
    (
        {"workforce.total_hires": 2_000_000_000},
        "workforce.total_hires",
        "Hires in the period is too large to be right (2,000,000,000); check the figure.",
    ),
    (
        {"training.training_spend": -1},
        "training.training_spend",
        "Training spend cannot be negative; got -1.",
    ),
    (
        {"training.training_spend": math.inf},
        "training.training_spend",
        "Training spend must be a finite number; got infinity.",
    ),
    ({"wages[0].site": 7}, "wages[0].site", "Site 1: site name must be text; got 7."),
    (
        {"workforce.categories": [5]},
        "workforce.categories",
        "Impact-worker categories must be a group of named fields; got a list.",
    ),
    (
        {"training": "none"},
        "training",
        'Training figures must be a group of named fields; got "none".',
    ),
    (
        {"wages": {"site": "Nairobi"}},
        "wages",
        "Wages must be a list of sites; got a group of fields.",
    ),
    ({"vendor_name": "Acme"}, "vendor_name", '"vendor_name" is not a field of the disclosure.'),
    (
        {"workforce.total_hire": 30},
        "workforce.total_hire",
        '"total_hire" is not a field of the disclosure. Did you mean "total_hires"?',
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    ERROR_CASES,
    ids=[f"{case[1]}={list(case[0].values())[-1]}" for case in ERROR_CASES],
)
def test_each_error_names_its_field_with_a_plain_message(changes, field, message):
    errors, _ = issues(changed(changes))
    assert errors == [(field, message)]


def test_duplicate_site_names_are_an_error_on_the_later_site():
    doc = valid_document()
    doc["wages"].append(dict(doc["wages"][0], site=" nairobi "))  # case and spaces do not count
    errors, _ = issues(doc)
    assert errors == [
        (
            "wages[1].site",
            'Site "nairobi" has the same name as site 1; give each site its own name.',
        )
    ]


def test_a_non_object_document_is_one_error_even_on_submit():
    assert issues([1, 2], for_submit=True)[0] == [
        ("", "The disclosure must be a group of named fields; got a list.")
    ]


PASSING_CASES = [
    # each sits on the boundary its rule allows
    {"workforce.impact_worker_hires": 30},
    {"workforce.impact_workers_end": 110},
    {"workforce.impact_workers_start": 100},
    {"workforce.departures_voluntary": 100, "workforce.departures_involuntary": 30},
    {"workforce.impact_worker_departures": 20},
    {"workforce.categories.refugee_or_displaced": 48},
    {"workforce.categories.other": 0, "workforce.other_category_label": None},
    {"workforce.retention_cohort_retained_12m": 10},
    {"workforce.promotions_impact_workers": 8},
    {"training.training_hours_all": 213_200},  # 213,200 ÷ 102.5 = 2,080 exactly
    {"training.training_hours_impact_workers": 4100},
    {"training.employees_trained": 130},
    {"workforce.fte_avg": 110},
    {"workforce.total_hires": 30.0},  # a whole number written as a float
    {"period_end": "2025-01-02"},
    {"wages[0].country": "ke", "wages[0].currency": "kes"},  # codes are upper-cased
    {"training.training_currency": "USD"},
    {"wages[0].pay_period": " Month "},
    {"wages[0].standard_weekly_hours": 100},
    {"wages[0].entry_level_wage": 0.01},
    {"evidence.wages": "THIRD_PARTY_REASONABLE"},
    {"period_start": date(2025, 1, 1)},  # date objects are as good as ISO strings
    {"wages[0].living_wage_date": "2026-02-01", "wages[0].minimum_wage_date": "2026-02-01"},
    {"training.training_spend": 0},
]


@pytest.mark.parametrize("changes", PASSING_CASES, ids=[str(case) for case in PASSING_CASES])
def test_values_on_the_boundary_pass(changes):
    errors, _ = issues(changed(changes), for_submit=True)
    assert errors == []


# --- warnings -----------------------------------------------------------------------------

WARNING_CASES = [
    # departures 18 + 5: 100 + 30 − 23 = 107 vs 110, a gap of 3 > 2 % of 110 = 2.2
    (
        {"workforce.departures_voluntary": 18},
        "workforce.headcount_end",
        "Headcount does not reconcile: start 100 + hires 30 − departures 23 = 107, but the end of "
        "period figure is 110 (a gap of 3, 2.7 % of the end figure); a gap over 2% needs an "
        "explanation, such as transfers.",
    ),
    # 40 + 12 − 5 = 47 vs 48, a gap of 1 > 2 % of 48 = 0.96
    (
        {"workforce.impact_worker_departures": 5},
        "workforce.impact_workers_end",
        "Impact-worker count does not reconcile: start 40 + hires 12 − departures 5 = 47, but the "
        "end "
        "of period figure is 48 (a gap of 1, 2.1 % of the end figure); a gap over 2% needs an "
        "explanation, such as transfers.",
    ),
    # 12 months before 2025-12-31 is 2024-12-31
    (
        {"wages[0].living_wage_date": "2024-12-30"},
        "wages[0].living_wage_date",
        'Site "Nairobi": the living-wage benchmark is dated 2024-12-30, more than 12 months before '
        "the period end (2025-12-31); use a newer benchmark or one updated for inflation.",
    ),
    (
        {"wages[0].standard_weekly_hours": 48.5},
        "wages[0].standard_weekly_hours",
        'Site "Nairobi": a standard week of 48.5 hours is over the 48-hour week of ILO '
        "conventions C1 "
        "and C30.",
    ),
    # a 12-month period from 2025-01-01 ends 2025-12-31; 2026-02-01 is 32 days later
    (
        {"period_end": "2026-02-01"},
        "period_end",
        "The period runs from 2025-01-01 to 2026-02-01 (397 days); a reporting period is expected "
        "to "
        "be 12 months (within 31 days), so figures may not compare with other vendors'.",
    ),
    (
        {"period_end": "2025-06-30"},
        "period_end",
        "The period runs from 2025-01-01 to 2025-06-30 (181 days); a reporting period is expected "
        "to "
        "be 12 months (within 31 days), so figures may not compare with other vendors'.",
    ),
    (
        {"wages[0].entry_level_wage": 15000},
        "wages[0].entry_level_wage",
        'Site "Nairobi": the entry-level wage (15,000 KES per month) is below the local minimum '
        "wage "
        "(15,201.65 KES per month); under the default scoring profile this knocks the vendor out.",
    ),
    # 20,501 h ÷ 102.5 FTE = 200.0098 h per FTE
    (
        {"training.training_hours_all": 20_501},
        "training.training_hours_all",
        "Training hours per FTE (200.01 = 20,501 hours ÷ 102.5 FTE) are over 200, unusually high; "
        "check that on-the-job work is not counted as training.",
    ),
    # 20 + 25 = 45 of 48 impact workers in a category
    (
        {"workforce.categories": {"long_term_unemployed": 20, "below_poverty_line": 25}},
        "workforce.categories",
        "3 impact workers are in no category: the categories add up to 45 but there are 48 impact "
        "workers at period end.",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), WARNING_CASES, ids=[case[1] for case in WARNING_CASES]
)
def test_each_warning_names_its_field_and_does_not_block(changes, field, message):
    errors, warnings = issues(changed(changes), for_submit=True)
    assert errors == []
    assert warnings == [(field, message)]


@pytest.mark.parametrize(
    "changes",
    [
        {"workforce.departures_voluntary": 17},  # 100 + 30 − 22 = 108, gap 2 ≤ 2.2
        {"workforce.impact_worker_departures": 4},
        {"wages[0].living_wage_date": "2024-12-31"},  # exactly 12 months old
        {"wages[0].standard_weekly_hours": 48},
        {"period_end": "2026-01-31"},  # 31 days past 12 months
        {"wages[0].entry_level_wage": 15201.65},
        {"training.training_hours_all": 20_500},  # 200 h per FTE exactly
        {"workforce.categories": {"long_term_unemployed": 20, "below_poverty_line": 28}},
        {"workforce.categories": None, "workforce.other_category_label": None},  # not disclosed
        {"workforce.departures_involuntary": None},  # reconciliation needs both departures
    ],
    ids=str,
)
def test_no_warning_within_tolerance(changes):
    assert issues(changed(changes), for_submit=True) == ([], [])


def test_a_wage_below_minimum_warns_per_site_without_currency_when_none_given():
    doc = changed(
        {
            "wages[0].entry_level_wage": 10,
            "wages[0].local_minimum_wage": 12,
            "wages[0].currency": None,
            "wages[0].pay_period": None,
        }
    )
    assert issues(doc)[1] == [
        (
            "wages[0].entry_level_wage",
            'Site "Nairobi": the entry-level wage (10) is below the local minimum wage (12); '
            "under the "
            "default scoring profile this knocks the vendor out.",
        )
    ]


# --- drafts and submission ------------------------------------------------------------------


def test_a_sparse_draft_passes_but_submitting_it_lists_each_missing_field():
    draft = {"period_start": "2025-01-01", "workforce": {"headcount_start": 10, "total_hires": 2}}
    assert issues(draft, for_submit=False) == ([], [])

    errors, _ = issues(draft, for_submit=True)
    missing_workforce = [
        "headcount_end",
        "full_time_end",
        "part_time_end",
        "fte_avg",
        "impact_worker_hires",
        "impact_workers_start",
        "impact_workers_end",
    ]
    assert [field for field, _ in errors] == (
        ["period_end"]
        + [f"workforce.{key}" for key in missing_workforce]
        + ["wages", "evidence.workforce", "evidence.wages", "evidence.training"]
    )
    assert ("workforce.fte_avg", "Average full-time equivalents is required to submit.") in errors
    assert ("wages", "Wages for at least one site are required to submit.") in errors


def test_submitting_a_site_without_its_benchmarks_names_each_missing_field():
    doc = valid_document()
    for key in ("local_minimum_wage", "minimum_wage_source", "living_wage_date"):
        doc["wages"][0][key] = None
    errors, _ = issues(doc, for_submit=True)
    assert errors == [
        (
            "wages[0].local_minimum_wage",
            'Site "Nairobi": local minimum wage is required to submit.',
        ),
        (
            "wages[0].minimum_wage_source",
            'Site "Nairobi": minimum wage source is required to submit.',
        ),
        (
            "wages[0].living_wage_date",
            'Site "Nairobi": living-wage reference date is required to submit.',
        ),
    ]


def test_training_spend_needs_its_currency_to_submit():
    doc = changed({"training.training_currency": None})
    assert issues(doc)[0] == []
    assert issues(doc, for_submit=True)[0] == [
        ("training.training_currency", "Training spend currency is required to submit.")
    ]


def test_optional_fields_may_be_left_out_on_submit():
    doc = valid_document()
    for key in (
        "departures_voluntary",
        "departures_involuntary",
        "impact_worker_departures",
        "retention_cohort_hired",
        "retention_cohort_retained_12m",
        "promotions_all",
        "promotions_impact_workers",
        "categories",
        "other_category_label",
    ):
        del doc["workforce"][key]
    del doc["wages"][0]["impact_worker_median_wage"]
    doc["training"] = {}
    assert issues(doc, for_submit=True) == ([], [])


def test_an_unreadable_value_is_not_also_reported_missing():
    errors, _ = issues(changed({"workforce.fte_avg": "about 100"}), for_submit=True)
    assert errors == [
        ("workforce.fte_avg", 'Average full-time equivalents must be a number; got "about 100".')
    ]


# --- normalising --------------------------------------------------------------------------


def test_normalise_gives_the_full_shape_with_clean_values():
    doc = changed(
        {
            "workforce.total_hires": 30.0,
            "wages[0].country": " ke",
            "wages[0].pay_period": "Month",
            "period_start": date(2025, 1, 1),
            "evidence.training": "Self_Reported",
        }
    )
    del doc["workforce"]["promotions_all"]
    clean = normalise_disclosure(doc)
    assert clean["period_start"] == "2025-01-01"
    assert clean["workforce"]["total_hires"] == 30
    assert isinstance(clean["workforce"]["total_hires"], int)
    assert clean["workforce"]["fte_avg"] == 102.5
    assert clean["workforce"]["promotions_all"] is None
    assert clean["wages"][0]["country"] == "KE"
    assert clean["wages"][0]["pay_period"] == "month"
    assert clean["wages"][0]["standard_weekly_hours"] == 45.0
    assert clean["wages"][0]["minimum_wage_date"] == "2024-11-01"
    assert clean["evidence"]["training"] == "self_reported"
    assert set(clean) == set(PERIOD_FIELDS) | {"workforce", "wages", "training", "evidence"}
    assert set(clean["workforce"]) == set(WORKFORCE_FIELDS) | {"categories"}
    assert set(clean["workforce"]["categories"]) == set(CATEGORY_FIELDS)
    assert set(clean["wages"][0]) == set(WAGE_FIELDS)
    assert set(clean["training"]) == set(TRAINING_FIELDS)
    assert set(clean["evidence"]) == set(EVIDENCE_FIELDS)
    assert issues(clean, for_submit=True) == ([], [])


def test_normalise_leaves_out_unknown_keys_that_validate_reports():
    doc = changed({"workforce.total_hire": 30, "notes": "x"})
    assert "total_hire" not in normalise_disclosure(doc)["workforce"]
    assert "notes" not in normalise_disclosure(doc)
    assert [field for field, _ in issues(doc)[0]] == ["notes", "workforce.total_hire"]


def test_validation_and_normalising_do_not_change_the_input():
    doc = changed({"wages[0].country": "ke", "period_start": date(2025, 1, 1), "extra": [1]})
    before = copy.deepcopy(doc)
    validate_disclosure(doc, REFERENCE, today=TODAY, for_submit=True)
    normalise_disclosure(doc)
    assert doc == before


# --- garbage never raises ------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.dates().map(date.isoformat)
    | st.decimals(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _shaped(fields: dict) -> st.SearchStrategy:
    """Documents with the right keys and arbitrary values, to reach the cross-field rules."""
    return st.fixed_dictionaries({}, optional={key: json_values for key in fields})


numbers = (
    st.none()
    | st.integers(-5, 300)
    | st.floats(-5, 3000)
    | st.sampled_from([math.nan, math.inf, True, "12", 10**400])
)
shaped_documents = st.fixed_dictionaries(
    {},
    optional={
        "period_start": st.none() | st.dates() | st.dates().map(date.isoformat) | json_values,
        "period_end": st.none() | st.dates() | st.dates().map(date.isoformat) | json_values,
        "workforce": st.fixed_dictionaries(
            {},
            optional={
                **{key: numbers for key in WORKFORCE_FIELDS},
                "categories": st.fixed_dictionaries(
                    {}, optional={key: numbers for key in CATEGORY_FIELDS}
                )
                | json_values,
            },
        )
        | json_values,
        "wages": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    **{key: numbers for key in WAGE_FIELDS},
                    "site": st.sampled_from(["A", "a", " ", None]),
                    "country": st.sampled_from(["KE", "XX", "", "aq", None]),
                    "currency": st.sampled_from(["KES", "XAU", "USD", "x", None]),
                    "pay_period": st.sampled_from(["hour", "week", "month", "year", "day", None]),
                    "living_wage_date": st.dates().map(date.isoformat) | st.dates() | json_values,
                    "minimum_wage_date": st.dates().map(date.isoformat) | json_values,
                },
            )
            | json_values,
            max_size=3,
        )
        | json_values,
        "training": _shaped(TRAINING_FIELDS)
        | st.fixed_dictionaries({}, optional={key: numbers for key in TRAINING_FIELDS}),
        "evidence": _shaped(EVIDENCE_FIELDS),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    doc=json_values | shaped_documents,
    for_submit=st.booleans(),
    today=st.dates(min_value=date(1, 1, 2)),
)
def test_any_input_gives_a_report_and_never_raises(doc, for_submit, today):
    before = copy.deepcopy(doc)
    report = validate_disclosure(doc, REFERENCE, today=today, for_submit=for_submit)
    for issue in report.errors + report.warnings:
        assert isinstance(issue, Issue) and isinstance(issue.field, str) and issue.message
    clean = normalise_disclosure(doc)
    assert normalise_disclosure(clean) == clean  # normalising twice changes nothing more
    assert repr(doc) == repr(before)  # repr, because NaN != NaN


@settings(max_examples=150, deadline=None)
@given(doc=shaped_documents)
def test_a_normalised_document_keeps_only_the_rule_errors(doc):
    # Normalising drops what could not be read, so only cross-field and code errors remain,
    # and those are the same as for the original document.
    raw_errors = validate_disclosure(doc, REFERENCE, today=TODAY, for_submit=False).errors
    clean_errors = validate_disclosure(
        normalise_disclosure(doc), REFERENCE, today=TODAY, for_submit=False
    ).errors
    assert set(clean_errors) <= set(raw_errors)


# --- wage per hour ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "pay_period", "hours", "expected"),
    [
        (12.5, "hour", 40, 12.5),
        (800, "week", 40, 20.0),  # 800 ÷ 40
        (4000, "month", 40, 23.0769),  # 40 h × 52 / 12 = 173.33 h a month; 4,000 ÷ 173.33
        (52_000, "year", 40, 25.0),  # 52,000 ÷ (40 × 52)
    ],
)
def test_hourly_wage(amount, pay_period, hours, expected):
    assert hourly_wage(amount, pay_period, hours) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(("pay_period", "hours"), [("day", 40), ("month", 0)])
def test_hourly_wage_rejects_unknown_period_and_zero_hours(pay_period, hours):
    with pytest.raises(ValueError):
        hourly_wage(100, pay_period, hours)
