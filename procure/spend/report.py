"""The impact spend report, supplier.io-style: spend (USD) with impact vendors and with the
others, per calendar quarter or year, by service category, vendor country or beneficiary group.
Pure arithmetic over plain data (`SpendLine`); the loader (procure.spend.adapter) turns approved
scenarios and their deliveries into lines, and nothing here reads the database.

Lines. A line is one vendor's spend on one need in one month of one member (a buyer
organization):

- planned: an allocation's cost spread evenly over its need's months (`spread_evenly`), as
  procure.deliveries.actuals spreads it;
- actual: a delivery row's invoiced amount in US dollars, in the month delivered.

Impact vendors. A line's vendor is an impact vendor when its impact score in the plan's problem
document (0–100) is at least `impact_vendor_min_score` (50 by default, DESIGN's
`impact_vendor_min_score`); a vendor without a score is not one.

Beneficiary groups. A vendor's spend is attributed to each group by the share of its headcount
in that group (`group_shares`): impact workers of the group at the end of the disclosed period /
headcount at its end. Planned spend uses the disclosure the plan scored; actual spend the one
deliveries' actuals apply to the month (the version of the period that covers it, else the
newest earlier one). A vendor without such a disclosure, or one stating no headcount, has no
group figures: its spend reaches no group (`unattributed_spend` says how much). Groups overlap
(a young refugee counts in both `refugee_or_displaced` and `youth_neet`), so group figures do
not add up to the total, nor to anything.

Worked example (one quarter, 2026-Q1). Alpha (KE, impact score 70) is allocated a 3-month
data-annotation need, 2026-01 to 2026-03, for 30,000 USD: 10,000 a month, 30,000 in the
quarter. Its scored disclosure states a headcount of 200 at the end, 50 refugees and 80 young
people not in employment or education. Beta (IN, impact score 40) is allocated a 3-month call
centre need for 12,000 USD: 12,000 in the quarter, with a headcount of 100 of whom 10 are
refugees.

- by category: data annotation 30,000 with impact vendors, 0 other; call centre 0 and 12,000.
- by country: KE 30,000 and 0; IN 0 and 12,000. Total 30,000 with impact vendors of 42,000
  (71.4 %).
- by group: refugees 30,000 × 50/200 = 7,500 with impact vendors, 12,000 × 10/100 = 1,200
  other; youth 30,000 × 80/200 = 12,000 and 0. 7,500 + 12,000 = 19,500 is not a figure of
  anything: some refugees may be young too.

Contributions (a coalition). A member that shares its contribution is named with its spend with
impact vendors as a share of all the members' spend; the others are summed as "other members",
so the contributions add up to the coalition's share (as procure.coalitions.progress does).

Small cells (a coalition; `suppress_small_cells`, procure.coalitions.suppression). A cell's
contributors are the members with spend with impact vendors in it and those with other spend
in it; a cell (row, period total or the total) with 1 to `minimum` − 1 of either is withheld:
its four figures null, `suppressed` true and the reason in words. Rows by category or country
add up to their period's total, so when a row is withheld and the total shown, more rows are
withheld until the withheld rows together are safe (the total minus the rows shown is their
sum): the smallest row that makes them safe on its own, else the smallest that helps
(procure.coalitions.suppression); a row that does not help stays shown. The periods' totals
add up to the whole total: when the withheld ones together are not safe, the whole total is
withheld (withholding another period's total instead would not do, its rows would still add up
to it). Group rows overlap and add up to nothing, so each is judged alone. "Other members"
below the minimum takes in the named members, the last first, until it is safe, or is
withheld; all of them are withheld with the whole total (they are shares of its spend).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from procure.coalitions.suppression import complementary, safe, suppressed_words, union

BASES = ("planned", "actual")
DIMENSIONS = ("category", "country", "group")
PERIODS = ("quarter", "year")
OTHER_MEMBERS = "Other members"
OVERLAP_NOTE = (
    "Beneficiary groups overlap (a person may be in several), so the group figures do not add "
    "up to the total: each is the spend attributed to the group by the vendor's share of "
    "headcount in it."
)


@dataclass(frozen=True)
class SpendLine:
    """One vendor's spend on one need in one month of one member."""

    member: int  # the buyer organization's id
    month: date  # its first day
    vendor_id: int
    category: str  # the need's service category key
    country: str  # the vendor's ISO code
    impact_score: float | None  # 0–100, in the plan's problem document
    spend: float  # USD
    groups: Mapping[str, float] = field(default_factory=dict)  # group -> share of headcount 0–1


def spread_evenly(cost: float, months: Sequence[date]) -> list[tuple[date, float]]:
    """A cost (USD) spread evenly over `months`: (month, cost / the number of months)."""
    if not months:
        return []
    return [(month, cost / len(months)) for month in months]


def period_of(month: date, period: str) -> str:
    """ "2026-Q1" (a calendar quarter) or "2026" (a year)."""
    if period == "year":
        return str(month.year)
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def is_impact_vendor(line: SpendLine, impact_vendor_min_score: float) -> bool:
    return line.impact_score is not None and line.impact_score >= impact_vendor_min_score


def _parts(line: SpendLine, by: str) -> list[tuple[str, float]]:
    """The keys a line's spend goes to, with the amount each gets."""
    if by == "category":
        return [(line.category, line.spend)]
    if by == "country":
        return [(line.country, line.spend)]
    return [(group, line.spend * share) for group, share in sorted(line.groups.items())]


def _figures(impact: float, other: float) -> dict[str, Any]:
    spend = impact + other
    return {
        "impact_spend": impact,
        "other_spend": other,
        "spend": spend,
        "impact_share": impact / spend if spend else None,
    }


def spend_report(
    lines: Iterable[SpendLine],
    *,
    by: str,
    period: str,
    impact_vendor_min_score: float,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Spend with impact vendors and other spend (USD) per period and key of `by` (category,
    country or group), the periods' totals and the whole total. Rows are ordered by period, then
    by spend (largest first), then label; `labels` names the keys (the key where missing)."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {', '.join(DIMENSIONS)}, got {by!r}")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    labels = labels or {}
    by_key: defaultdict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_period: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    unattributed = 0.0
    for line in lines:
        side = 0 if is_impact_vendor(line, impact_vendor_min_score) else 1
        label = period_of(line.month, period)
        by_period[label][side] += line.spend
        if by == "group" and not line.groups:
            unattributed += line.spend
        for key, amount in _parts(line, by):
            by_key[(label, key)][side] += amount
    rows = [
        {"period": label, "key": key, "label": labels.get(key, key), **_figures(*sums)}
        for (label, key), sums in by_key.items()
    ]
    rows.sort(key=lambda row: (row["period"], -row["spend"], row["label"]))
    totals = [{"period": label, **_figures(*by_period[label])} for label in sorted(by_period)]
    return {
        "periods": sorted(by_period),
        "rows": rows,
        "totals": totals,
        "total": _figures(
            sum(t["impact_spend"] for t in totals), sum(t["other_spend"] for t in totals)
        ),
        "groups_overlap": by == "group",
        "unattributed_spend": unattributed if by == "group" else None,
    }


def contributions(
    lines: Iterable[SpendLine],
    members: Sequence[int],
    named: Mapping[int, str],
    impact_vendor_min_score: float,
    minimum: int = 1,
) -> list[dict[str, Any]]:
    """Each named member's spend with impact vendors as a share of all the members' spend, and
    the other members' together (left out when there are none); empty without spend. With a
    `minimum` of contributing members, "other members" below it takes in named members (the
    last first) until it is safe, or is withheld (null, `suppressed`)."""
    impact: defaultdict[int, float] = defaultdict(float)
    total = 0.0
    for line in lines:
        total += line.spend
        if is_impact_vendor(line, impact_vendor_min_score):
            impact[line.member] += line.spend
    if not total:
        return []

    def contributing(ids: Iterable[int]) -> list[set[int]]:
        return [{member for member in ids if impact[member]}]

    shown_named = [member for member in members if member in named]
    others = [member for member in members if member not in named]
    while others and shown_named and not safe(contributing(others), minimum):
        others.append(shown_named.pop())
    shown = [
        {"member": named[member], "impact_share": impact[member] / total}
        for member in members
        if member in shown_named
    ]
    if others:
        rest = sum(impact[member] for member in others)
        hidden = not safe(contributing(others), minimum)
        shown.append(
            {
                "member": OTHER_MEMBERS,
                "impact_share": None if hidden else rest / total,
                **({"suppressed": True} if hidden else {}),
            }
        )
    return shown


def _contributors(
    lines: Iterable[SpendLine], by: str, period: str, impact_vendor_min_score: float
) -> tuple[dict[tuple[str, str], list[set[int]]], dict[str, list[set[int]]], list[set[int]]]:
    """The members with spend with impact vendors and with other spend, per row (period, key),
    per period, and for the unattributed spend (by group)."""
    rows: defaultdict[tuple[str, str], list[set[int]]] = defaultdict(lambda: [set(), set()])
    periods: defaultdict[str, list[set[int]]] = defaultdict(lambda: [set(), set()])
    unattributed: list[set[int]] = [set(), set()]
    for line in lines:
        if not line.spend:
            continue
        side = 0 if is_impact_vendor(line, impact_vendor_min_score) else 1
        label = period_of(line.month, period)
        periods[label][side].add(line.member)
        if by == "group" and not line.groups:
            unattributed[side].add(line.member)
        for key, amount in _parts(line, by):
            if amount:
                rows[(label, key)][side].add(line.member)
    return dict(rows), dict(periods), unattributed


def _withhold(figures: dict[str, Any], hidden: bool, reason: str) -> dict[str, Any]:
    if not hidden:
        return {**figures, "suppressed": False, "suppressed_reason": None}
    blank = {key: None for key in ("impact_spend", "other_spend", "spend", "impact_share")}
    return {**figures, **blank, "suppressed": True, "suppressed_reason": reason}


def suppress_small_cells(
    report: Mapping[str, Any],
    lines: Sequence[SpendLine],
    minimum: int,
    impact_vendor_min_score: float,
) -> dict[str, Any]:
    """`report` (of `spend_report` over `lines`) with its small cells withheld, primary and
    complementary, as the module's docstring says; every row and total gains `suppressed` and
    `suppressed_reason`."""
    reason = suppressed_words(minimum)
    by, period = report["by"], report["period"]
    row_members, period_members, unattributed = _contributors(
        lines, by, period, impact_vendor_min_score
    )
    rows = list(report["rows"])

    def members_of(row: Mapping[str, Any]) -> list[set[int]]:
        return row_members.get((row["period"], row["key"]), [set(), set()])

    hidden_rows = {i for i, row in enumerate(rows) if not safe(members_of(row), minimum)}
    hidden_periods = {
        label
        for label in report["periods"]
        if not safe(period_members.get(label, [set(), set()]), minimum)
    }
    if by != "group":  # rows add up to their period's total
        for label in report["periods"]:
            if label in hidden_periods:
                continue
            indexes = [i for i, row in enumerate(rows) if row["period"] == label]
            table = [rows[i] for i in indexes]
            more = complementary(
                table,
                members_of,
                lambda row: row["spend"],
                {n for n, i in enumerate(indexes) if i in hidden_rows},
                minimum,
            )
            hidden_rows |= {indexes[n] for n in more}
    every = union(list(period_members.values()))
    withheld_periods = [period_members[label] for label in hidden_periods]
    total_hidden = not safe(every, minimum) or bool(
        withheld_periods and not safe(union(withheld_periods), minimum)
    )
    unattributed_hidden = by == "group" and not safe(unattributed, minimum)
    return {
        **report,
        "rows": [_withhold(row, i in hidden_rows, reason) for i, row in enumerate(rows)],
        "totals": [
            _withhold(total, total["period"] in hidden_periods, reason)
            for total in report["totals"]
        ],
        "total": _withhold(report["total"], total_hidden, reason),
        "unattributed_spend": None if unattributed_hidden else report["unattributed_spend"],
        "unattributed_suppressed": unattributed_hidden,
        "min_cell_members": minimum,
        "suppressed_reason": reason
        if hidden_rows or hidden_periods or total_hidden or unattributed_hidden
        else None,
    }
