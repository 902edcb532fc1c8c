"""A coalition's progress arithmetic on plain data (procure.coalitions.progress), actual figures
included: the deliveries come in as plain per-member, per-month figures."""

from datetime import date

import pytest

from procure.coalitions.progress import (
    Delivered,
    PlanLine,
    Target,
    member_flags,
    target_progress,
    vendor_load,
)
from procure.vendors.capacity import calendar_months

MONTHS_2027 = tuple(calendar_months(date(2027, 1, 1), date(2027, 12, 31)))
# member 1's need runs 4 months from 2026-11: two of them (2027-01, 2027-02) are in 2027
STRADDLING = tuple(calendar_months(date(2026, 11, 1), date(2027, 2, 28)))


def line(member, vendor, months, hours, share, cost, score, per_fte_year=2000.0):
    return PlanLine(member, vendor, months, hours, hours * share, cost, score, per_fte_year)


LINES = [
    line(1, 7, STRADDLING, 4000, 0.5, 8000, 80),  # 2 of 4 months: 1,000 impact-worker hours
    line(2, 7, MONTHS_2027[:6], 1200, 0.25, 3000, 80, 1500),  # all in: 300 hours
    line(2, 8, MONTHS_2027[:6], 600, 1.0, 1000, 20, 1500),  # a non-impact vendor: 600 hours
]


def test_projected_hours_jobs_and_share_count_the_months_in_the_target():
    hours = target_progress(
        Target(1, "impact_worker_hours", 5000, MONTHS_2027), LINES, None, 50, [1, 2], {}
    )
    # 4,000 × 0.5 × 2/4 = 1,000; 1,200 × 0.25 = 300; 600 × 1.0 = 600 → 1,900 of 5,000
    assert hours["projected"] == pytest.approx(1900)
    assert hours["projected_share"] == pytest.approx(0.38)
    assert hours["actual"] is None and hours["actual_share"] is None
    jobs = target_progress(
        Target(2, "impact_worker_jobs", 2, MONTHS_2027), LINES, None, 50, [1, 2], {1: "One"}
    )
    # per plan: 1,000 / 2,000 = 0.5; (300 + 600) / 1,500 = 0.6 → 1.1 jobs
    assert jobs["projected"] == pytest.approx(1.1)
    assert [(row["member"], row["projected"]) for row in jobs["contributions"]] == [
        ("One", pytest.approx(0.5)),
        (None, pytest.approx(0.6)),  # member 2 does not share: "other members"
    ]
    # cumulative: January 500 / 2,000 + (50 + 100) / 1,500 = 0.35; February the same again
    assert [row["projected"] for row in jobs["months"][:3]] == [
        pytest.approx(0.35),
        pytest.approx(0.7),
        pytest.approx(0.8),
    ]
    assert jobs["months"][-1]["projected"] == pytest.approx(1.1)
    share = target_progress(
        Target(3, "impact_spend_share", 0.5, MONTHS_2027), LINES, None, 50, [1, 2], {1: "One"}
    )
    # 8,000 × 2/4 = 4,000 and 3,000 with impact vendors, 1,000 not: 7,000 / 8,000
    assert share["projected"] == pytest.approx(0.875)
    assert [row["projected"] for row in share["contributions"]] == [
        pytest.approx(4000 / 8000),
        pytest.approx(3000 / 8000),  # the parts add up to the coalition's share
    ]


def test_actual_progress_comes_from_the_delivered_figures_passed_in():
    delivered = [
        Delivered(1, date(2027, 1, 1), 400, 2000, spend=2000, impact_spend=2000),
        Delivered(2, date(2027, 3, 1), 150, 1500, spend=1000, impact_spend=0),
        Delivered(2, date(2026, 12, 1), 999, 1500),  # before the target's period: left out
    ]
    jobs = target_progress(
        Target(2, "impact_worker_jobs", 2, MONTHS_2027), LINES, delivered, 50, [1, 2], {}
    )
    # 400 / 2,000 + 150 / 1,500 = 0.3 jobs, 15 % of the target
    assert jobs["actual"] == pytest.approx(0.3)
    assert jobs["actual_share"] == pytest.approx(0.15)
    assert [row["actual"] for row in jobs["months"][:3]] == [
        pytest.approx(0.2),
        pytest.approx(0.2),
        pytest.approx(0.3),
    ]
    assert jobs["contributions"] == [
        {
            "member": None,
            "members": 2,
            "projected": pytest.approx(1.1),
            "actual": pytest.approx(0.3),
            "suppressed": False,  # the minimum defaults to 1 here: nothing is withheld
            "suppressed_figures": [],
        }
    ]
    share = target_progress(
        Target(3, "impact_spend_share", 0.5, MONTHS_2027), LINES, delivered, 50, [1, 2], {}
    )
    assert share["actual"] == pytest.approx(2000 / 3000)
    none_in_period = target_progress(
        Target(2, "impact_worker_jobs", 2, MONTHS_2027), LINES, delivered[2:], 50, [1, 2], {}
    )
    assert none_in_period["actual"] is None  # no delivery in the period: nothing to show


def test_a_vendor_booked_beyond_its_capacity_is_flagged_to_its_members_only():
    capacities = {7: {month: 1200.0 for month in MONTHS_2027}, 8: {}}
    loads = vendor_load(LINES, MONTHS_2027, capacities)
    alpha, beta = loads
    # vendor 7 in 2027-01: 4,000 / 4 = 1,000 + 1,200 / 6 = 200 → 1,200 of 1,200: full, not over
    assert alpha.months[0].booked_hours == pytest.approx(1200)
    assert alpha.months[0].load == pytest.approx(1.0) and not alpha.months[0].over
    assert alpha.members == {1, 2} and not alpha.over
    assert beta.months[0].capacity is None and beta.months[0].load is None
    capacities[7] = {month: 1100.0 for month in MONTHS_2027}
    loads = vendor_load(LINES, MONTHS_2027, capacities)
    assert [m.over for m in loads[0].months] == [True, True, False, False, False, False]
    assert [load.vendor for load in member_flags(loads, 1)] == [7]
    assert [load.vendor for load in member_flags(loads, 3)] == []


def test_small_cells_fold_the_named_into_other_members_and_show_each_reader_its_own():
    """Three members book the whole of 2027 (impact-worker hours): member 1 1,200 (named, it
    shares), member 2 600, member 3 300; at a minimum of 3 contributing members.

    The backbone: "other members" would be 2 and 3 (two < 3), and the total minus member 1's
    named 1,200 would give it: member 1 is folded in, one row of 2,100 (3 members). Member 2
    reading: its own 600 in its own row; the others without it would be 3 alone (with the
    reader, 2 < 3), so member 1 is folded in: 1,200 + 300 = 1,500 (with the reader 3 members).
    The months: every month has the three, each shown (2,100 / 12 = 175 a month)."""
    whole_year = MONTHS_2027
    lines = [
        line(1, 7, whole_year, 1200, 1.0, 0, None),
        line(2, 7, whole_year, 600, 1.0, 0, None),
        line(3, 8, whole_year, 300, 1.0, 0, None),
    ]
    target = Target(1, "impact_worker_hours", 3000, MONTHS_2027)
    named = {1: "Member 1"}
    seen_by_backbone = target_progress(target, lines, None, 50, [1, 2, 3], named, 3)
    assert seen_by_backbone["projected"] == pytest.approx(2100)
    assert [(r["member"], r["members"]) for r in seen_by_backbone["contributions"]] == [(None, 3)]
    assert seen_by_backbone["contributions"][0]["projected"] == pytest.approx(2100)
    assert seen_by_backbone["months"][0]["projected"] == pytest.approx(175)
    seen_by_2 = target_progress(target, lines, None, 50, [1, 2, 3], named, 3, own=2)
    rows = [(r["member"], r["members"], r["projected"]) for r in seen_by_2["contributions"]]
    assert rows == [("Your organization", 1, pytest.approx(600)), (None, 2, pytest.approx(1500))]
    # member 3 leaves the year after June: from July 1 and 2 alone add to the sum, so July on
    # is withheld, and so is June (the value reached, 3 members, minus June's is two members')
    lines[2] = line(3, 8, whole_year[:6], 300, 1.0, 0, None)
    months = target_progress(target, lines, None, 50, [1, 2, 3], {}, 3)["months"]
    assert [m["suppressed"] for m in months] == [False] * 5 + [True] * 7
    # two members, one fewer than the minimum: no figure but the reader's own
    alone = target_progress(target, lines[:2], None, 50, [1, 2], {}, 3, own=1)
    assert alone["projected"] is None and alone["suppressed_figures"] == ["projected"]
    assert [(r["member"], r["projected"]) for r in alone["contributions"]] == [
        ("Your organization", pytest.approx(1200)),
        (None, None),
    ]


def test_a_vendor_month_shows_its_hours_only_with_enough_members_booking_it():
    """Vendor 7 in 2027-01: member 1 1,000 h (4,000 / 4 months), member 2 200 (1,200 / 6):
    1,200 h of 1,000 capacity, over. Two members: at a minimum of 3 the hours are withheld
    from all but each member, who reads its own."""
    loads = vendor_load(LINES, MONTHS_2027, {7: {MONTHS_2027[0]: 1000.0}})
    january = loads[0].months[0]
    assert january.booked_hours == pytest.approx(1200) and january.over
    assert january.shown(2) and not january.shown(3)
    assert january.own(1) == pytest.approx(1000) and january.own(2) == pytest.approx(200)
