"""Projected against actual: what an approved plan was to buy by now, and what its deliveries
bought, per vendor and in total. Pure functions over plain data (`Plan`, `Delivered`,
`DisclosedShare`), and one thin loader (`actuals_of`) that reads them from the database; the
API, the scenario page, the board PDF and the home pages all print what `actuals_of` returns.

The plan, from the scenario's frozen documents (`plan_from_documents`):

- A line per vendor and need (`PlanLine`): the volume allocated (in the need's unit), its labour
  hours and its cost (USD). Hours are read through `procure.scenarios.figures`: in a version 2
  document each allocation's `hours` (volume × the offer's hours per unit); in a version 1
  document only work bought by the hour counts (an item or task bought then had no hours). The
  hours per unit of a line are its hours / its volume (1 for hourly work).
- A need's volume is spread evenly over its months (DESIGN §6). Its months are the period the
  version 2 document froze (`period`), else (version 1) the need's own period.

What is measured "to date": the months up to the latest month with any delivery of the
scenario (`through`). For each line, its allocated figures to date are its whole-period figures
× (its months up to `through`) / (all its months); a month in that window without a delivery
row counts as nothing delivered.

Impact-worker hours:

- projected to date = allocated hours to date × the vendor's impact-worker share in the plan
  (`impact_worker_share` of the problem document; a vendor without one counts 0, as figures.py
  counts it).
- actual = Σ over delivery rows of delivered volume × the line's hours per unit × the share
  the vendor disclosed for that month: impact workers / headcount at the end of the period,
  from the version of the period that `procure.scoring.adapter.period_versions` picks (the
  newest submitted one the buyer organization has not rejected) whose period covers the month
  (compared by month). Until such a disclosure exists, the vendor's newest earlier one is used
  and the figure is flagged ("share from the 2025 disclosure; no disclosure covers 2026-03
  yet"); with none at all, the hours are unknown, flagged, and add nothing.

The variance (actual − projected impact-worker hours) is split in two parts that add up to it
exactly: volume effect = (delivered − allocated hours) × the plan's share; share effect =
delivered hours × (actual share − the plan's share), where the actual share is the vendor's
actual impact-worker hours / its delivered hours (so hours with no disclosure to apply count
as no impact-worker hours, and the sentences say how many there are). The split is made per
vendor (its share in the plan is one number) and added up for the plan.

Jobs are impact-worker hours / the hours per FTE-year of the problem document
(`figures.hours_per_fte_year`); spend is the plan's cost to date (its cost pro rata, as the
volume) against the invoiced amounts in US dollars; cost per impact job = spend / jobs;
delivery reliability = delivered hours / allocated hours to date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import defer, undefer

from procure.deliveries.models import Delivery
from procure.disclosures.evidence_levels import months_after
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios import figures, page_facts
from procure.scenarios.models import Scenario
from procure.scenarios.review import problem_labels
from procure.scoring.adapter import period_versions_of_many
from procure.states import ScenarioStatus
from procure.vendors.capacity import calendar_months, month_text

# ---------------------------------------------------------------- plain data


@dataclass(frozen=True)
class PlanLine:
    """One vendor's allocation of one need, for the whole period: volume in the need's unit,
    labour hours as the document counts them, cost in USD, and the need's months."""

    vendor_id: int
    need_id: int
    unit: str
    volume: float
    hours: float
    cost: float
    months: tuple[date, ...]

    @property
    def hours_per_unit(self) -> float:
        """The labour hours one unit of this line took in the plan (0 where none count)."""
        return self.hours / self.volume if self.volume else 0.0


@dataclass(frozen=True)
class Plan:
    """An approved scenario's allocation as plain data, keyed by record ids (not "V3")."""

    lines: Mapping[tuple[int, int], PlanLine]  # (vendor id, need id)
    vendor_names: Mapping[int, str]
    need_titles: Mapping[int, str]
    shares: Mapping[int, float | None]  # the vendor's impact-worker share in the plan (0–1)
    hours_per_fte_year: float
    counts_hours: bool  # a version 2 document

    def vendor_ids(self) -> list[int]:
        return sorted({vendor_id for vendor_id, _ in self.lines})

    def needs_of(self, vendor_id: int) -> list[int]:
        """The needs the plan gives the vendor work in, by id."""
        return self._needs_by_vendor.get(vendor_id, [])

    @cached_property
    def _needs_by_vendor(self) -> dict[int, list[int]]:
        """Each vendor's needs, sorted, worked out once: asked vendor by vendor, a scan of every
        line each time took 32 s of a 10,000-vendor plan's page."""
        needs: defaultdict[int, list[int]] = defaultdict(list)
        for vendor_id, need_id in sorted(self.lines):
            needs[vendor_id].append(need_id)
        return dict(needs)


@dataclass(frozen=True)
class Delivered:
    """One delivery row: volume in the need's unit, the invoiced amount in USD."""

    vendor_id: int
    need_id: int
    month: date  # its first day
    volume: float
    invoiced_usd: float


@dataclass(frozen=True)
class DisclosedShare:
    """A vendor's disclosure of one period: impact workers / headcount at its end (None when it
    states no headcount)."""

    disclosure_id: int
    period_start: date
    period_end: date
    share: float | None


@dataclass(frozen=True)
class ShareUsed:
    """The share applied to one month's delivery, where it came from, and why it is flagged."""

    share: float | None
    disclosure: DisclosedShare | None
    covers: bool  # the disclosure's period covers the month

    @property
    def flagged(self) -> bool:
        return not self.covers or self.share is None


# ---------------------------------------------------------------- months


def _month_of(day: date) -> date:
    return day.replace(day=1)


def period_label(start: date, end: date) -> str:
    """ "2025" for a calendar year, else "2024-07 to 2025-06"."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{month_text(start)} to {month_text(end)}"


def need_months_of(problem: Mapping[str, Any] | None) -> dict[int, tuple[date, ...]]:
    """The months of each need whose period the (version 2) problem document froze, by need
    id; a need without a `period` (version 1) is left out."""
    months = {}
    for need in (problem or {}).get("needs", []):
        period = need.get("period") or {}
        if period.get("start") and period.get("months"):
            first = date.fromisoformat(period["start"] + "-01")
            last = months_after(first, int(period["months"]) - 1)
            months[_record_id(need["id"])] = tuple(calendar_months(first, last))
    return months


def _record_id(optimizer_id: str) -> int:
    """The record id in an optimizer id the plan's own documents hold: "V12" -> 12."""
    found = figures.record_id(optimizer_id)
    assert found is not None, optimizer_id  # the app wrote these documents
    return found


# ---------------------------------------------------------------- the plan


def plan_from_documents(
    problem: Mapping[str, Any] | None,
    result: Mapping[str, Any] | None,
    need_months: Mapping[int, Sequence[date]],
    hours_per_fte_year: float,
) -> Plan:
    """The plan of a scenario's problem and result documents; `need_months` the months of each
    need (`need_months_of`, completed from the needs' own periods for version 1)."""
    units = figures.need_units(problem)
    volume: defaultdict[tuple[int, int], float] = defaultdict(float)
    hours: defaultdict[tuple[int, int], float] = defaultdict(float)
    cost: defaultdict[tuple[int, int], float] = defaultdict(float)
    unit_of: dict[tuple[int, int], str] = {}
    for allocation in (result or {}).get("allocations", []):
        key = (_record_id(allocation["vendor"]), _record_id(allocation["need"]))
        volume[key] += float(allocation["volume"])
        hours[key] += figures.allocation_hours(allocation, problem, units)
        cost[key] += float(allocation["cost"])
        unit_of[key] = units.get(allocation["need"], "hour")
    names, titles = problem_labels(problem)  # type: ignore[arg-type]
    return Plan(
        lines={
            key: PlanLine(
                key[0],
                key[1],
                unit_of[key],
                volume[key],
                hours[key],
                cost[key],
                tuple(need_months.get(key[1], ())),
            )
            for key in volume
        },
        vendor_names={_record_id(k): v for k, v in names.items()},
        need_titles={_record_id(k): v for k, v in titles.items()},
        shares={_record_id(k): v for k, v in figures.vendor_shares(problem).items()},
        hours_per_fte_year=hours_per_fte_year,
        counts_hours=figures.counts_hours(problem),
    )


# ---------------------------------------------------------------- shares


def share_for_month(disclosures: Iterable[DisclosedShare], month: date) -> ShareUsed:
    """The share that applies to `month`: the disclosure whose period covers it (the latest
    ending where periods overlap); else the newest one that ended before it (flagged); else
    none (unknown, flagged)."""
    covering = [
        d for d in disclosures if _month_of(d.period_start) <= month <= _month_of(d.period_end)
    ]
    if covering:
        chosen = max(covering, key=lambda d: (d.period_end, d.period_start))
        return ShareUsed(chosen.share, chosen, covers=True)
    earlier = [d for d in disclosures if _month_of(d.period_end) < month]
    if earlier:
        chosen = max(earlier, key=lambda d: (d.period_end, d.period_start))
        return ShareUsed(chosen.share, chosen, covers=False)
    return ShareUsed(None, None, covers=False)


def _flag_text(used: ShareUsed, months: list[date]) -> str:
    listed = ", ".join(month_text(m) for m in months)
    if used.disclosure is None:
        return f"no disclosure up to {listed}: its impact-worker hours are unknown"
    label = period_label(used.disclosure.period_start, used.disclosure.period_end)
    if used.share is None:
        return (
            f"the {label} disclosure states no headcount for {listed}: its impact-worker "
            "hours are unknown"
        )
    return f"share from the {label} disclosure; no disclosure covers {listed} yet"


# ---------------------------------------------------------------- the comparison


def _one_unit(lines: Sequence[PlanLine]) -> str | None:
    units = {line.unit for line in lines}
    return units.pop() if len(units) == 1 else None


def _to_date(
    rows: Sequence[dict[str, Any]],
    share: float | None,
    hours_per_fte_year: float,
    unit: str | None,
) -> dict[str, Any]:
    """Add up line rows (each with its allocated and delivered figures to date) into the
    figures of a vendor, with the variance split at the plan's `share` (None: 0)."""
    allocated = sum(r["allocated_hours"] for r in rows)
    delivered = sum(r["delivered_hours"] for r in rows)
    actual = sum(r["actual_impact_worker_hours"] for r in rows)
    planned_share = share or 0.0
    projected = allocated * planned_share
    unknown = sum(r["unknown_share_hours"] for r in rows)
    return {
        "unit": unit,
        "allocated_volume": sum(r["allocated_volume"] for r in rows) if unit else None,
        "delivered_volume": sum(r["delivered_volume"] for r in rows) if unit else None,
        "allocated_hours": allocated,
        "delivered_hours": delivered,
        "unknown_share_hours": unknown,
        "delivery_reliability": figures.ratio(delivered, allocated),
        "projected_share": share,
        "actual_share": figures.ratio(actual, delivered - unknown),
        "projected_impact_worker_hours": projected,
        "actual_impact_worker_hours": actual,
        "variance": actual - projected,
        "volume_effect": (delivered - allocated) * planned_share,
        "share_effect": actual - delivered * planned_share,
        **_jobs_and_spend(
            projected,
            actual,
            sum(r["planned_spend"] for r in rows),
            sum(r["invoiced_spend"] for r in rows),
            hours_per_fte_year,
        ),
    }


def _jobs_and_spend(
    projected: float, actual: float, planned: float, invoiced: float, hours_per_fte_year: float
) -> dict[str, Any]:
    projected_jobs, actual_jobs = projected / hours_per_fte_year, actual / hours_per_fte_year
    return {
        "projected_jobs": projected_jobs,
        "actual_jobs": actual_jobs,
        "planned_spend": planned,
        "invoiced_spend": invoiced,
        "planned_cost_per_job": figures.ratio(planned, projected_jobs),
        "actual_cost_per_job": figures.ratio(invoiced, actual_jobs),
    }


def _whole_period(
    lines: Sequence[PlanLine], share: float | None, hours_per_fte_year: float
) -> dict[str, Any]:
    unit = _one_unit(lines)
    hours = sum(line.hours for line in lines)
    worker_hours = hours * (share or 0.0)
    return {
        "unit": unit,
        "volume": sum(line.volume for line in lines) if unit else None,
        "hours": hours,
        "impact_worker_hours": worker_hours,
        "jobs": worker_hours / hours_per_fte_year,
        "spend": sum(line.cost for line in lines),
    }


class MonthFigures(TypedDict):
    """One delivered month of a line (`_line`), as the API and the pages print it."""

    month: str  # "YYYY-MM"
    delivered_volume: float
    delivered_hours: float
    invoiced_spend: float
    actual_share: float | None
    actual_impact_worker_hours: float | None
    disclosure_id: int | None
    flagged: bool


def _line(
    plan: Plan,
    line: PlanLine,
    delivered: Sequence[Delivered],
    disclosures: Sequence[DisclosedShare],
    through: date | None,
) -> tuple[dict[str, Any], list[tuple[date, ShareUsed]]]:
    """One vendor's figures of one need to date, with its delivery months; and the share each
    delivered month used (for the flags)."""
    window = [m for m in line.months if through is not None and m <= through]
    fraction = len(window) / len(line.months) if line.months else 0.0
    months: list[MonthFigures] = []
    shares_used: list[tuple[date, ShareUsed]] = []
    for row in sorted(delivered, key=lambda r: r.month):
        hours = row.volume * line.hours_per_unit
        used = share_for_month(disclosures, row.month)
        shares_used.append((row.month, used))
        months.append(
            {
                "month": month_text(row.month),
                "delivered_volume": row.volume,
                "delivered_hours": hours,
                "invoiced_spend": row.invoiced_usd,
                "actual_share": used.share,
                "actual_impact_worker_hours": None if used.share is None else hours * used.share,
                "disclosure_id": used.disclosure.disclosure_id if used.disclosure else None,
                "flagged": used.flagged,
            }
        )
    delivered_hours = sum(m["delivered_hours"] for m in months)
    figures_to_date = {
        "need_id": line.need_id,
        "need": plan.need_titles.get(line.need_id, f"need {line.need_id}"),
        "unit": line.unit,
        "hours_per_unit": line.hours_per_unit,
        "allocated_volume": line.volume * fraction,
        "delivered_volume": sum(m["delivered_volume"] for m in months),
        "allocated_hours": line.hours * fraction,
        "delivered_hours": delivered_hours,
        "unknown_share_hours": sum(
            m["delivered_hours"] for m in months if m["actual_share"] is None
        ),
        "actual_impact_worker_hours": sum(m["actual_impact_worker_hours"] or 0.0 for m in months),
        "delivery_reliability": figures.ratio(
            sum(m["delivered_volume"] for m in months), line.volume * fraction
        ),
        "planned_spend": line.cost * fraction,
        "invoiced_spend": sum(m["invoiced_spend"] for m in months),
        "months": months,
    }
    return figures_to_date, shares_used


def _vendor_flags(name: str, shares_used: Iterable[tuple[date, ShareUsed]]) -> list[str]:
    """One sentence per disclosure (or lack of one) that a flagged month of the vendor used."""
    by_source: dict[tuple, tuple[ShareUsed, list[date]]] = {}
    for month, used in shares_used:
        if not used.flagged:
            continue
        key = (used.disclosure.disclosure_id if used.disclosure else None, used.share is None)
        entry = by_source.setdefault(key, (used, []))
        if month not in entry[1]:
            entry[1].append(month)
    return [f"{name}: {_flag_text(used, sorted(listed))}." for used, listed in by_source.values()]


def _percent(share: float | None) -> str:
    return "none disclosed" if share is None else f"{share * 100:.1f} %"


def variance_sentences(name: str, to_date: Mapping[str, Any], *, total: bool = False) -> list[str]:
    """The variance of impact-worker hours to date in words: the whole, then its volume and
    share effects (which add up to it)."""
    actual, projected = (
        to_date["actual_impact_worker_hours"],
        to_date["projected_impact_worker_hours"],
    )
    difference = to_date["variance"]
    if abs(difference) < 0.5:
        against = "as projected"
    else:
        against = f"{abs(difference):,.0f} {'more' if difference > 0 else 'fewer'} than projected"
    sentences = [
        f"{name}: {actual:,.0f} impact-worker hours delivered to date against "
        f"{projected:,.0f} projected, {against}."
    ]
    delivered, allocated = to_date["delivered_hours"], to_date["allocated_hours"]
    volume, share = to_date["volume_effect"], to_date["share_effect"]
    gap = delivered - allocated
    if abs(gap) < 0.5:
        volume_words = f"Labour hours were delivered as allocated ({delivered:,.0f})"
    else:
        volume_words = (
            f"{abs(gap):,.0f} labour hours {'more' if gap > 0 else 'fewer'} than allocated "
            f"({delivered:,.0f} of {allocated:,.0f})"
        )
    plan_share = (
        "the plan's shares"
        if total
        else f"the plan's share ({_percent(to_date['projected_share'])})"
    )
    sentences.append(
        f"{volume_words}: {_signed(volume)} impact-worker hours at {plan_share} (volume effect)."
    )
    if total:
        share_words = "The vendors' disclosed shares against the plan's"
    else:
        share_words = (
            f"An impact-worker share of {_percent(to_date['actual_share'])} against the plan's "
            f"{_percent(to_date['projected_share'])}"
        )
    sentences.append(f"{share_words}: {_signed(share)} impact-worker hours (share effect).")
    if to_date["unknown_share_hours"] >= 0.5:
        sentences.append(
            f"{to_date['unknown_share_hours']:,.0f} delivered labour hours have no disclosure "
            "to apply and count as no impact-worker hours."
        )
    return sentences


def _signed(value: float) -> str:
    if abs(value) < 0.5:
        return "0"
    return f"{'+' if value > 0 else '−'}{abs(value):,.0f}"


def compare_to_plan(
    plan: Plan,
    delivered: Sequence[Delivered],
    disclosed: Mapping[int, Sequence[DisclosedShare]],
) -> dict[str, Any]:
    """Projected against actual for the plan's vendors, to the latest month delivered, and the
    plan's whole-period figures beside them (plain data: numbers, text, months as "YYYY-MM").
    Deliveries of a vendor or need the plan does not hold are left out (none can be recorded)."""
    through = max((row.month for row in delivered), default=None)
    rows_of: defaultdict[tuple[int, int], list[Delivered]] = defaultdict(list)
    for row in delivered:
        rows_of[(row.vendor_id, row.need_id)].append(row)
    per_fte_year = plan.hours_per_fte_year
    vendors: list[dict[str, Any]] = []
    all_lines: list[PlanLine] = []
    flags: list[str] = []
    for vendor_id in plan.vendor_ids():
        name = plan.vendor_names.get(vendor_id, f"vendor {vendor_id}")
        share = plan.shares.get(vendor_id)
        plan_lines = [plan.lines[(vendor_id, n)] for n in plan.needs_of(vendor_id)]
        computed = [
            _line(
                plan,
                line,
                rows_of[(vendor_id, line.need_id)],
                disclosed.get(vendor_id, ()),
                through,
            )
            for line in plan_lines
        ]
        lines = [line for line, _ in computed]
        all_lines.extend(plan_lines)
        to_date = _to_date(lines, share, per_fte_year, _one_unit(plan_lines))
        vendor_flags = _vendor_flags(name, (pair for _, used in computed for pair in used))
        flags.extend(vendor_flags)
        explained = variance_sentences(name, to_date) if through is not None else []
        vendors.append(
            {
                "vendor_id": vendor_id,
                "vendor": name,
                "to_date": to_date,
                "whole_period": _whole_period(plan_lines, share, per_fte_year),
                "needs": lines,
                "flags": vendor_flags,
                "sentences": explained,
            }
        )
    vendors.sort(key=lambda v: (-v["whole_period"]["hours"], v["vendor"]))
    unit = _one_unit(all_lines)
    total = _total([v["to_date"] for v in vendors], per_fte_year, unit)
    whole: dict[str, Any] = {
        "unit": unit,
        "volume": sum(line.volume for line in all_lines) if unit else None,
        "hours": sum(v["whole_period"]["hours"] for v in vendors),
        "impact_worker_hours": sum(v["whole_period"]["impact_worker_hours"] for v in vendors),
        "spend": sum(v["whole_period"]["spend"] for v in vendors),
    }
    whole["jobs"] = whole["impact_worker_hours"] / per_fte_year
    return {
        "deliveries": len(delivered),
        "through": month_text(through) if through is not None else None,
        "counts_hours": plan.counts_hours,
        "hours_per_fte_year": per_fte_year,
        "to_date": total,
        "whole_period": whole,
        "vendors": vendors,
        "flags": flags,
        "sentences": (
            variance_sentences("The plan", total, total=True) if through is not None else []
        ),
    }


def _total(
    vendors: Sequence[Mapping[str, Any]], hours_per_fte_year: float, unit: str | None
) -> dict[str, Any]:
    """The plan's figures to date: the vendors' added up (each vendor's variance split at its
    own share, so the plan's effects are the sums of theirs)."""
    added = {
        key: sum(v[key] for v in vendors)
        for key in (
            "allocated_hours",
            "delivered_hours",
            "unknown_share_hours",
            "projected_impact_worker_hours",
            "actual_impact_worker_hours",
            "variance",
            "volume_effect",
            "share_effect",
            "planned_spend",
            "invoiced_spend",
        )
    }
    known = added["delivered_hours"] - added["unknown_share_hours"]
    return {
        "unit": unit,
        "allocated_volume": sum(v["allocated_volume"] for v in vendors) if unit else None,
        "delivered_volume": sum(v["delivered_volume"] for v in vendors) if unit else None,
        **added,
        "delivery_reliability": figures.ratio(added["delivered_hours"], added["allocated_hours"]),
        "projected_share": None,
        "actual_share": figures.ratio(added["actual_impact_worker_hours"], known),
        **_jobs_and_spend(
            added["projected_impact_worker_hours"],
            added["actual_impact_worker_hours"],
            added["planned_spend"],
            added["invoiced_spend"],
            hours_per_fte_year,
        ),
    }


# ---------------------------------------------------------------- the loader


def plan_of(scenario: Scenario) -> Plan:
    """The scenario's plan from its stored documents, as its page lines keep them cut to the plan
    (`page_facts.plan_documents`: at 10,000 vendors about 5 % of the two, read without loading
    them), else whole; the months of a need the document did not freeze (version 1) are the
    need's own period."""
    stored = page_facts.stored_plan_documents(scenario)
    problem, result = stored or (scenario.problem or {}, scenario.result or {})
    months = need_months_of(problem)
    missing = [
        _record_id(a["need"])
        for a in result.get("allocations", [])
        if _record_id(a["need"]) not in months
    ]
    if missing:
        for need in db.session.scalars(select(Need).where(Need.id.in_(set(missing)))):
            months[need.id] = tuple(calendar_months(need.period_start, need.period_end))
    return plan_from_documents(problem, result, months, figures.hours_per_fte_year(problem))


def disclosed_shares_of_many(
    wanted: Mapping[int | None, Collection[int]],
) -> dict[int | None, dict[int, list[DisclosedShare]]]:
    """Each vendor's share per disclosed period, for each buyer organization of `wanted`
    (organization id -> vendor ids), by organization id: from the version `period_versions`
    picks for that organization, read for all of them in one query."""
    shares: dict[int | None, dict[int, list[DisclosedShare]]] = {}
    for organization_id, by_vendor in period_versions_of_many(wanted).items():
        into = shares.setdefault(organization_id, {})
        for vendor_id, versions in by_vendor.items():
            into[vendor_id] = [_disclosed_share(disclosure) for disclosure in versions]
    return shares


def _disclosed_share(disclosure: Disclosure) -> DisclosedShare:
    workforce = (disclosure.figures or {}).get("workforce") or {}
    return DisclosedShare(
        disclosure.id,
        disclosure.period_start,
        disclosure.period_end,
        figures.ratio(workforce.get("impact_workers_end"), workforce.get("headcount_end")),
    )


def actuals_of(scenario: Scenario, plan: Plan | None = None) -> dict[str, Any]:
    """Projected against actual for one scenario (`compare_to_plan`), from its deliveries; the
    caller has checked that the reader may see the scenario. `plan`: the scenario's plan where
    the caller has built it already (`plan_of`)."""
    plans = {scenario.id: plan} if plan is not None else None
    return actuals_of_many([scenario], plans)[scenario.id]


PLAN_LOAD = (defer(Scenario.problem), defer(Scenario.result), undefer(Scenario.page_lines))
"""How the deliveries' pages and API load a scenario: its page lines, which keep its plan
(`plan_of`), never its problem and result documents (8.7 MB a plan at 10,000 vendors)."""

NOTHING_DELIVERED = {"deliveries": 0}
"""What a page shows of a plan without deliveries ("No deliveries recorded yet"): the figures
of `compare_to_plan` with nothing delivered are its whole plan, worked out vendor by vendor."""


def actuals_of_many(
    scenarios: Sequence[Scenario],
    plans: Mapping[int, Plan] | None = None,
    *,
    undelivered: bool = True,
) -> dict[int, dict[str, Any]]:
    """`actuals_of` for each scenario, by id, read in a fixed number of queries whatever their
    number (the home page, a coalition and the spend report add up many plans): one for every
    delivery, and one reading of the disclosed shares per buyer organization. `undelivered`
    False: a plan without deliveries gets `NOTHING_DELIVERED` (with its id), its plan unread,
    for a page that shows no more of it (at 10,000 vendors the figures took seconds)."""
    delivered: dict[int, list[Delivered]] = {s.id: [] for s in scenarios}
    if scenarios:
        rows = db.session.scalars(
            select(Delivery)
            .where(Delivery.scenario_id.in_([s.id for s in scenarios]))
            .order_by(Delivery.scenario_id, Delivery.month)
        )
        for row in rows:
            delivered[row.scenario_id].append(
                Delivered(
                    row.vendor_id, row.need_id, row.month, row.delivered_volume, row.invoiced_usd
                )
            )
    answers: dict[int, dict[str, Any]] = {}
    if not undelivered:  # the deliveries read above serve the rest: none is read again
        answers = {
            s.id: {"scenario_id": s.id, **NOTHING_DELIVERED}
            for s in scenarios
            if not delivered[s.id]
        }
        scenarios = [s for s in scenarios if delivered[s.id]]
    built = {s.id: (plans or {}).get(s.id) or plan_of(s) for s in scenarios}
    wanted: dict[int | None, set[int]] = {}
    for scenario in scenarios:
        if delivered[scenario.id]:  # shares matter only where something was delivered
            wanted.setdefault(scenario.organization_id, set()).update(
                built[scenario.id].vendor_ids()
            )
    shares = disclosed_shares_of_many(wanted)  # every organization's in one read
    return answers | {
        s.id: {
            "scenario_id": s.id,
            **compare_to_plan(
                built[s.id],
                delivered[s.id],
                shares.get(s.organization_id, {}) if delivered[s.id] else {},
            ),
        }
        for s in scenarios
    }


VENDORS_SHOWN = 50
"""The most vendors a page lists of projected against actual (the API and the Excel pack list
every one): a plan of 10,000 vendors is three tables of 10,000 rows otherwise."""


def shown_vendors(actuals: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], int]:
    """The vendors a page lists of `actuals` (`actuals_of`), the most labour hours allocated over
    the whole period first, at most `VENDORS_SHOWN`; and how many it leaves out."""
    vendors = (actuals or {}).get("vendors") or []  # `compare_to_plan`: most hours first
    return vendors[:VENDORS_SHOWN], max(0, len(vendors) - VENDORS_SHOWN)


def actuals_if_approved(
    scenario: Scenario, plan: Plan | None = None, *, undelivered: bool = True
) -> dict[str, Any] | None:
    """`actuals_of` for an approved scenario (`undelivered` as `actuals_of_many` takes it); None
    for any other (only an approved plan takes deliveries)."""
    if scenario.status != ScenarioStatus.APPROVED:
        return None
    plans = {scenario.id: plan} if plan is not None else None
    return actuals_of_many([scenario], plans, undelivered=undelivered)[scenario.id]
