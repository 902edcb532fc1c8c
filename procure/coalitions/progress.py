"""A coalition's progress toward its joint targets, and the load its members' plans put on each
vendor: pure arithmetic over plain data (no database, no request). The loader beside it
(procure.coalitions.adapter) turns the members' approved scenarios into `PlanLine`s.

Projected. Each allocation line of an active member's approved plan books labour hours, hours of
impact workers and spend (USD) over the months of its need. A line counts toward a target pro
rata by the months of its need that fall within the target's period: hours × overlapping months
/ the need's months (and so month by month: each month of the need gets hours / the need's
months). Months are calendar months: a month a period touches counts whole.

- `impact_worker_hours`: Σ the lines' impact-worker hours in the target's months.
- `impact_worker_jobs`: Σ impact-worker hours / the plan's hours per FTE-year (each plan's own
  setting, frozen in its problem document, then summed). As on a scenario's page, a job is one
  FTE-year of work: for a target of one year that is full-time jobs over the year.
- `beneficiary_group_hours`: as `impact_worker_hours`, with the hours of the impact workers of
  one beneficiary group (`Target.group`) in place of all impact workers' hours. A line's group
  hours are its labour hours × the group's share of the vendor's headcount (`group_shares`:
  impact workers of the group at the period's end / headcount at its end) in the disclosure the
  plan scored, as the impact spend report attributes spend to a group (procure.spend.report).
  A vendor whose disclosure states no headcount gives the group no hours.
- `impact_spend_share`: spend with impact vendors (impact score in the plan's problem document at
  least the coalition's `impact_vendor_min_score`) / all the members' spend, in the target's
  months; None without spend.

Actual. Delivered work comes in as plain per-member, per-month figures (`Delivered`), from the
deliveries the members record (procure.deliveries); the same sums run over them. A delivered
month's group hours are its delivered labour hours × the group's share in the disclosure its
impact-worker hours use (the one covering the month, else the newest earlier one). None where no
delivery falls in the target's period. Month by month, the cumulative actual value
ends at the last month any member recorded a delivery (None after it).

Contributions. A member that shares its contribution is named with its own figure; the others
are summed as "other members". For hours and jobs a contribution is the member's own sum; for
the spend share it is the member's spend with impact vendors as a share of all the members'
spend, so the contributions add up to the coalition's share. A member reading sees its own
figure in its own row (`own`), never summed into "other members".

Small cells (procure.coalitions.suppression, `minimum` contributing members). Each figure
carries its contributors: for hours and jobs the members with impact-worker hours in it, for
the spend share both the members with spend with impact vendors and those with other spend (a
share with one member's impact spend over three members' spend still prices that one member).
The coalition's value is shown only when safe. A month's cumulative value is shown only when
it is safe and so is the change since the last month shown (the difference of two shown
values is a figure too); the months shown end so that the value reached minus the last month
shown is safe as well. "Other members" is shown when it is safe counting the reader among its
contributors (the reader learns it anyway as the total minus its own figure); if not, the
members that share theirs are folded into it, the last first, until it is safe; if it still
is not, it is suppressed, and then so is the coalition's value (the same members make it).
When members that share are folded in, `folded_reason` says so and why (`folded_words`): with
three members and a minimum of three, one that does not share folds the other two in.

Vendor load. Per vendor and month of the coalition's period: the hours the members' plans book
together (a line's hours / its need's months, in each month of its need), the number of members
relying on the vendor, and the share of the vendor's monthly capacity that takes (None where it
states no capacity: no limit). Booked beyond capacity is over. The hours of a month are one
cell: with fewer than the minimum of members booking the vendor that month they, and the share
of capacity (hours over a published capacity), are withheld from everyone but the member
itself, who sees its own hours (`VendorMonth.own`) and whether the vendor is over.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from procure.coalitions.suppression import safe, suppressed_words, union
from procure.states import TargetMeasure


@dataclass(frozen=True)
class PlanLine:
    """One allocation line of an active member's approved plan."""

    member: int  # the member organization's id
    vendor: int  # the vendor's id
    months: tuple[date, ...]  # the months of the line's need, each its first day
    labour_hours: float  # over all the need's months
    impact_worker_hours: float  # labour hours × the vendor's impact-worker share (0–1)
    cost: float  # USD, over all the need's months
    impact_score: float | None  # the vendor's impact score (0–100) in the plan's document
    hours_per_fte_year: float  # the plan's
    # labour hours × each beneficiary group's share of the vendor's headcount, by group key
    group_hours: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivered:
    """A member's delivered work in one month (procure.deliveries' actuals, summed by month)."""

    member: int
    month: date  # its first day
    impact_worker_hours: float
    hours_per_fte_year: float  # of the plan the work was delivered against
    spend: float | None = None  # invoiced, USD; None: not known
    impact_spend: float | None = None  # of it, with impact vendors
    group_hours: Mapping[str, float] = field(default_factory=dict)  # by beneficiary group key


@dataclass(frozen=True)
class Target:
    id: int
    measure: str  # a TargetMeasure
    value: float  # hours, jobs, or a share 0–1
    months: tuple[date, ...]  # the target period's months, each its first day
    group: str | None = None  # the beneficiary group of `beneficiary_group_hours`


def group_shares(workforce: Mapping[str, Any] | None) -> dict[str, float]:
    """Per beneficiary group stated: impact workers of the group at the period's end / headcount
    at its end (0–1). Empty without a headcount; a group not stated is left out."""
    workforce = workforce or {}
    headcount = workforce.get("headcount_end")
    if not headcount:
        return {}
    return {
        group: count / headcount
        for group, count in (workforce.get("categories") or {}).items()
        if count is not None
    }


# measures summed as hours: in a group's target the tallies hold that group's hours
HOURS_MEASURES = (TargetMeasure.IMPACT_WORKER_HOURS, TargetMeasure.BENEFICIARY_GROUP_HOURS)


@dataclass
class Sums:
    """Figures added up: impact-worker hours, jobs (FTE-years) and spend (USD), with the members
    whose figures are in them (hours; spend with impact vendors; other spend)."""

    impact_worker_hours: float = 0.0
    jobs: float = 0.0
    spend: float = 0.0
    impact_spend: float = 0.0
    spend_known: bool = False
    hours_by: set[int] = field(default_factory=set)
    impact_spend_by: set[int] = field(default_factory=set)
    other_spend_by: set[int] = field(default_factory=set)

    def add(
        self,
        member: int,
        impact_worker_hours: float,
        hours_per_fte_year: float,
        spend: float | None,
        impact_spend: float | None,
    ) -> None:
        self.impact_worker_hours += impact_worker_hours
        self.jobs += impact_worker_hours / hours_per_fte_year
        if impact_worker_hours:
            self.hours_by.add(member)
        if spend is not None:
            self.spend += spend
            self.impact_spend += impact_spend or 0.0
            self.spend_known = True
            if impact_spend:
                self.impact_spend_by.add(member)
            if spend - (impact_spend or 0.0):
                self.other_spend_by.add(member)

    def contributors(self, measure: str) -> list[set[int]]:
        """The members in the figure of `measure`, by part (suppression.safe)."""
        if measure == TargetMeasure.IMPACT_SPEND_SHARE:
            return [self.impact_spend_by, self.other_spend_by]
        return [self.hours_by]

    def value(self, measure: str, spend_of_all: float | None = None) -> float | None:
        """The sum in `measure`; the spend share over `spend_of_all` when given (a member's
        part of the coalition's share), else over its own spend."""
        if measure in HOURS_MEASURES:
            return self.impact_worker_hours
        if measure == TargetMeasure.IMPACT_WORKER_JOBS:
            return self.jobs
        total = self.spend if spend_of_all is None else spend_of_all
        if not self.spend_known or not total:
            return None
        return self.impact_spend / total


@dataclass
class Tally:
    """Sums by member and by month, for one target's months."""

    by_member: dict[int, Sums] = field(default_factory=dict)
    by_month: dict[date, Sums] = field(default_factory=dict)
    total: Sums = field(default_factory=Sums)

    def add(
        self,
        member: int,
        month: date,
        impact_worker_hours: float,
        hours_per_fte_year: float,
        spend: float | None,
        impact_spend: float | None,
    ) -> None:
        figures = (member, impact_worker_hours, hours_per_fte_year, spend, impact_spend)
        self.by_member.setdefault(member, Sums()).add(*figures)
        self.by_month.setdefault(month, Sums()).add(*figures)
        self.total.add(*figures)


def is_impact_vendor(impact_score: float | None, min_score: float) -> bool:
    """Whether a vendor counts as an impact vendor: its impact score at least `min_score`."""
    return impact_score is not None and impact_score >= min_score


def projected_tally(
    lines: Iterable[PlanLine], months: Sequence[date], min_score: float, group: str | None = None
) -> Tally:
    """The plans' figures in `months`, each line spread evenly over its need's months. With a
    `group`, the hours (and jobs) tallied are that beneficiary group's."""
    wanted = set(months)
    tally = Tally()
    for line in lines:
        if not line.months:
            continue
        part = 1.0 / len(line.months)
        impact = is_impact_vendor(line.impact_score, min_score)
        hours = line.impact_worker_hours if group is None else line.group_hours.get(group, 0.0)
        for month in line.months:
            if month in wanted:
                tally.add(
                    line.member,
                    month,
                    hours * part,
                    line.hours_per_fte_year,
                    line.cost * part,
                    line.cost * part if impact else 0.0,
                )
    return tally


def actual_tally(
    delivered: Iterable[Delivered], months: Sequence[date], group: str | None = None
) -> Tally:
    """The delivered figures in `months` (with a `group`, that beneficiary group's hours)."""
    wanted = set(months)
    tally = Tally()
    for entry in delivered:
        if entry.month in wanted:
            tally.add(
                entry.member,
                entry.month,
                entry.impact_worker_hours if group is None else entry.group_hours.get(group, 0.0),
                entry.hours_per_fte_year,
                entry.spend,
                entry.impact_spend,
            )
    return tally


def _cumulative(tally: Tally, measure: str, months: Sequence[date]) -> list[float | None]:
    """The value reached by the end of each month."""
    running = Sums()
    values = []
    for month in months:
        if month in tally.by_month:
            _merge(running, tally.by_month[month])
        values.append(running.value(measure))
    return values


def shown_months(
    increments: Sequence[Sequence[Collection[int]]], minimum: int, end_shown: bool
) -> list[bool]:
    """Which months' cumulative values may be shown, given each month's contributors
    (`increments`, by part): the value reached must be safe and so must the change since the
    last month shown. When the value reached at the end is shown (`end_shown`), months are
    taken back from the end until the change after the last one shown is safe too."""
    shown: list[bool] = []
    reached: list[set[int]] = []
    since: list[set[int]] = []
    for increment in increments:
        reached = union([reached, increment]) if reached else [set(m) for m in increment]
        since = union([since, increment]) if since else [set(m) for m in increment]
        shown.append(safe(reached, minimum) and safe(since, minimum))
        if shown[-1]:
            since = []
    while end_shown:
        last = max((i for i, ok in enumerate(shown) if ok), default=-1)
        tail = increments[last + 1 :]
        if not tail or safe(union(tail), minimum):
            break
        shown[last] = False  # last ≥ 0: from the start the tail is the whole, safe when shown
    return shown


OTHER_MEMBERS = None  # the key of the contribution that sums the members not named
YOUR_ORGANIZATION = "Your organization"


def folded_words(minimum: int, sharing: int, members: int, folded: int) -> str:
    """Why `folded` of the `sharing` members (of `members`) that share their contribution are
    summed into "other members" instead of named."""
    counted = "is" if folded == 1 else "are"
    return (
        "A member that shares its contribution is shown by name only when the members summed "
        f'as "other members" are none or at least {minimum}: {sharing} of {members} members '
        f'share theirs, so {folded} {counted} summed as "other members" too.'
    )


def _contributions(
    projected: Tally,
    actual: Tally | None,
    measure: str,
    members: Sequence[int],
    named: Mapping[int, str],
    minimum: int,
    own: int | None,
) -> tuple[list[dict], int]:
    """The reader's own figures (`own`), the named members' own figures, then "other members"
    (None as the name) summed; folded and suppressed as the module's docstring says. With the
    number of members that share theirs folded into "other members"."""
    tallies = [projected] if actual is None else [projected, actual]

    def summed(ids: Iterable[int], tally: Tally) -> Sums:
        into = Sums()
        for member in ids:
            _merge(into, tally.by_member.get(member, Sums()))
        return into

    def part(tally: Tally | None, sums: Sums) -> float | None:
        return None if tally is None else sums.value(measure, tally.total.spend)

    def unsafe(ids: list[int]) -> list[Tally]:
        # the reader counts among "other members"' contributors: it learns them as total − own
        seen = ids + ([own] if own is not None else [])
        return [t for t in tallies if not safe(summed(seen, t).contributors(measure), minimum)]

    shown_named = [m for m in members if m in named and m != own]
    others = [m for m in members if m not in named and m != own]
    folded = 0
    while others and unsafe(others) and shown_named:
        others.append(shown_named.pop())
        folded += 1
    withheld = unsafe(others) if others else []

    def row(label: str | None, ids: list[int], hide: Sequence[Tally] = ()) -> dict:
        figures = {"projected": projected, "actual": actual}
        hidden = [
            key
            for key, tally in figures.items()
            if tally is not None and any(tally is t for t in hide)
        ]
        return {
            "member": label,
            "members": len(ids),
            **{
                key: None if key in hidden else part(tally, summed(ids, tally or Tally()))
                for key, tally in figures.items()
            },
            "suppressed": bool(hidden),
            "suppressed_figures": hidden,
        }

    # the reader's own part of the spend share is over all the members' spend: from it and its
    # own spend it would learn the others' spend, so it shows when that sum is safe
    over_all = [
        t
        for t in tallies
        if measure == TargetMeasure.IMPACT_SPEND_SHARE
        and not safe([t.total.impact_spend_by | t.total.other_spend_by], minimum)
    ]
    rows = (
        [row(named.get(own, YOUR_ORGANIZATION), [own], over_all)]
        if own is not None and own in members
        else []
    )
    rows += [row(named[m], [m]) for m in members if m in shown_named]
    if others:
        rows.append(row(OTHER_MEMBERS, others, withheld))
    return rows, folded


def _merge(into: Sums, sums: Sums) -> None:
    into.impact_worker_hours += sums.impact_worker_hours
    into.jobs += sums.jobs
    into.spend += sums.spend
    into.impact_spend += sums.impact_spend
    into.spend_known = into.spend_known or sums.spend_known
    into.hours_by |= sums.hours_by
    into.impact_spend_by |= sums.impact_spend_by
    into.other_spend_by |= sums.other_spend_by


def target_progress(
    target: Target,
    lines: Sequence[PlanLine],
    delivered: Sequence[Delivered] | None,
    min_score: float,
    members: Sequence[int],
    named: Mapping[int, str],
    minimum: int = 1,
    own: int | None = None,
) -> dict:
    """Projected (and actual, when `delivered` is given and holds work in the target's period)
    progress toward `target`: the value reached, its share of the target, the cumulative value
    month by month (the actual one None after the last month any member recorded a delivery),
    and the contributions (`named`: the members that share theirs, by id).

    `members`: the active members' ids, in the order contributions are listed. `minimum`: the
    fewest contributing members a figure shown may have (1: every figure shows); `own`: the
    member reading, whose own figures show in full."""
    projected = projected_tally(lines, target.months, min_score, target.group)
    actual = actual_tally(delivered, target.months, target.group) if delivered is not None else None
    if actual is not None and not actual.by_month:
        actual = None
    # the actual line ends at the last month any member recorded a delivery: after it nothing
    # is known yet, which a flat line would read as nothing delivered
    last = max((entry.month for entry in delivered or ()), default=None)
    known = [last is not None and month <= last for month in target.months]
    series: dict[str, tuple[float | None, list[float | None], bool, list[bool]]] = {}
    for key, tally in (("projected", projected), ("actual", actual)):
        if tally is None:
            series[key] = (None, [None] * len(target.months), False, [False] * len(known))
            continue
        value = tally.total.value(target.measure)
        whole = safe(tally.total.contributors(target.measure), minimum)
        increments = [
            tally.by_month.get(month, Sums()).contributors(target.measure)
            for month in target.months
        ]
        shown = shown_months(increments, minimum, whole)
        values = _cumulative(tally, target.measure, target.months)
        if key == "actual":
            values = [v if k else None for v, k in zip(values, known, strict=True)]
        hidden = [not ok and v is not None for ok, v in zip(shown, values, strict=True)]
        values = [None if h else v for h, v in zip(hidden, values, strict=True)]
        series[key] = (value if whole else None, values, not whole, hidden)
    (projected_value, projected_months, projected_hidden, projected_gaps) = series["projected"]
    (actual_value, actual_months, actual_hidden, actual_gaps) = series["actual"]
    withheld = [key for key in ("projected", "actual") if series[key][2]]
    any_gap = withheld or any(projected_gaps) or any(actual_gaps)
    contributions, folded = _contributions(
        projected, actual, target.measure, members, named, minimum, own
    )
    sharing = sum(member in named for member in members)
    return {
        "projected": projected_value,
        "projected_share": None if projected_value is None else projected_value / target.value,
        "actual": actual_value,
        "actual_share": None if actual_value is None else actual_value / target.value,
        "suppressed": bool(withheld),
        "suppressed_figures": withheld,
        "suppressed_reason": suppressed_words(minimum)
        if any_gap or any(row["suppressed"] for row in contributions)
        else None,
        "months": [
            {
                "month": month,
                "projected": p,
                "actual": a,
                "suppressed": pg or ag,
                "suppressed_figures": [k for k, h in (("projected", pg), ("actual", ag)) if h],
            }
            for month, p, a, pg, ag in zip(
                target.months,
                projected_months,
                actual_months,
                projected_gaps,
                actual_gaps,
                strict=True,
            )
        ],
        "contributions": contributions,
        "folded_reason": folded_words(minimum, sharing, len(members), folded) if folded else None,
    }


# ---------------------------------------------------------------- vendor load


@dataclass(frozen=True)
class VendorMonth:
    month: date
    booked_hours: float  # by all the members' plans together
    capacity: float | None  # the vendor's labour hours that month; None: no limit stated
    load: float | None  # booked / capacity (1.0 = full); None without a capacity above 0
    by_member: Mapping[int, float] = field(default_factory=dict)  # the hours each member books

    def own(self, member: int) -> float:
        """The hours `member`'s own plans book."""
        return self.by_member.get(member, 0.0)

    def shown(self, minimum: int) -> bool:
        """Whether the hours together (and the load) may be shown to someone other than one
        member: enough members book the vendor this month."""
        return safe([set(self.by_member)], minimum)

    @property
    def over(self) -> bool:
        """Booked beyond the vendor's capacity."""
        return self.capacity is not None and self.booked_hours > self.capacity


@dataclass(frozen=True)
class VendorLoad:
    vendor: int
    members: frozenset[int]  # the members whose plans book it in the period
    months: tuple[VendorMonth, ...]  # the months it is booked in

    @property
    def over(self) -> bool:
        return any(month.over for month in self.months)


def vendor_load(
    lines: Iterable[PlanLine],
    months: Sequence[date],
    capacities: Mapping[int, Mapping[date, float | None]],
) -> list[VendorLoad]:
    """Per vendor booked in `months`: the hours the plans book each month (a line's labour hours
    / its need's months, in each month of its need), against the vendor's capacity that month
    (`capacities`: hours per month by vendor and month; a missing month has no limit). Vendors
    in id order, months in order."""
    wanted = set(months)
    booked: dict[int, dict[date, dict[int, float]]] = {}
    members: dict[int, set[int]] = {}
    for line in lines:
        if not line.months:
            continue
        part = line.labour_hours / len(line.months)
        for month in line.months:
            if month in wanted and part > 0:
                by_member = booked.setdefault(line.vendor, {}).setdefault(month, {})
                by_member[line.member] = by_member.get(line.member, 0.0) + part
                members.setdefault(line.vendor, set()).add(line.member)
    loads = []
    for vendor in sorted(booked):
        rows = []
        for month in sorted(booked[vendor]):
            hours = sum(booked[vendor][month].values())
            capacity = capacities.get(vendor, {}).get(month)
            load = hours / capacity if capacity else None
            rows.append(VendorMonth(month, hours, capacity, load, booked[vendor][month]))
        loads.append(VendorLoad(vendor, frozenset(members[vendor]), tuple(rows)))
    return loads


def member_flags(loads: Iterable[VendorLoad], member: int) -> list[VendorLoad]:
    """The vendors booked beyond capacity that `member`'s own plans book: what it is told
    (which of its vendors, in which months, the total load), never who else books them."""
    return [load for load in loads if load.over and member in load.members]
