"""The loader of a coalition's figures: the active members' approved scenarios as plain
`PlanLine`s, the vendors' capacity by month, and the delivered work by month, for the pure
arithmetic of procure.coalitions.progress.

It reads the members' scenarios without the readers' scopes (the backbone reads no scenario, a
member no other member's): nothing it returns names a need, a scenario, a price or a budget,
only vendors, months, hours and spend, which progress.py adds up before anything is shown.

Each line is read from the approved scenario's frozen documents through
procure.scenarios.figures (hours, impact-worker shares, hours per FTE-year), so a figure is
computed as the scenario's own page computes it. A need's months come from the problem
document (`period`: its first month and how many), as frozen at approval: a later edit of the
need does not move an approved plan; documents without a period (version 1) fall back to the
need's own dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from procure.coalitions.models import CoalitionMember
from procure.coalitions.progress import Delivered, PlanLine, group_shares, is_impact_vendor
from procure.deliveries.actuals import actuals_of_many
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.figures import (
    allocation_hours,
    hours_per_fte_year,
    need_units,
    record_id,
    vendor_shares,
)
from procure.scenarios.models import Scenario
from procure.states import ScenarioStatus
from procure.vendors.capacity import calendar_months, capacity_loading, vendor_hours_by_month
from procure.vendors.models import Vendor


def _months_from(period: dict) -> tuple[date, ...]:
    """The months of a problem document's need `period` ({"start": "2026-01", "months": 12})."""
    year, month = (int(part) for part in str(period["start"]).split("-")[:2])
    months = []
    for _ in range(int(period["months"])):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _need_months(problem: dict) -> dict[str, tuple[date, ...]]:
    """Each need's months by optimizer id: the document's period, else the need's own dates."""
    months: dict[str, tuple[date, ...]] = {}
    missing: dict[int, str] = {}
    for need in problem.get("needs", []):
        if need.get("period"):
            months[need["id"]] = _months_from(need["period"])
        elif (need_id := record_id(need["id"], "N")) is not None:
            missing[need_id] = need["id"]
    if missing:
        for record in db.session.scalars(select(Need).where(Need.id.in_(list(missing)))):
            months[missing[record.id]] = tuple(
                calendar_months(record.period_start, record.period_end)
            )
    return months


def scored_disclosures(problem: dict[str, Any]) -> dict[int, int]:
    """The disclosure the plan scored (`meta.scored_disclosures`), by vendor id."""
    return {
        vendor_id: disclosure_id
        for key, disclosure_id in (
            (problem.get("meta") or {}).get("scored_disclosures") or {}
        ).items()
        if (vendor_id := record_id(key)) is not None
    }


def workforce_groups(disclosure_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """The beneficiary-group shares of these disclosures (`group_shares`), by disclosure id, in
    one query."""
    ids = sorted(set(disclosure_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Disclosure.id, Disclosure.figures).where(Disclosure.id.in_(ids))
    )
    return {key: group_shares((stated or {}).get("workforce")) for key, stated in rows}


def scenario_lines(
    scenario: Scenario, groups: Mapping[int, Mapping[str, float]] | None = None
) -> list[PlanLine]:
    """The allocation lines of one approved scenario, as plain figures. `groups`: the group
    shares of the disclosures the plan scored, by disclosure id (`workforce_groups`; read here
    when not given)."""
    problem, result = scenario.problem or {}, scenario.result or {}
    scored = scored_disclosures(problem)
    if groups is None:
        groups = workforce_groups(scored.values())
    shares, units = vendor_shares(problem), need_units(problem)
    scores = {v["id"]: v.get("impact_score") for v in problem.get("vendors", [])}
    months = _need_months(problem)
    per_fte_year = hours_per_fte_year(problem)
    lines = []
    for allocation in result.get("allocations", []):
        vendor = record_id(allocation.get("vendor"), "V")
        if vendor is None:
            continue
        hours = allocation_hours(allocation, problem, units)
        disclosure = scored.get(vendor)
        shares_of_groups = groups.get(disclosure, {}) if disclosure is not None else {}
        lines.append(
            PlanLine(
                member=scenario.organization_id,
                vendor=vendor,
                months=months.get(allocation["need"], ()),
                labour_hours=hours,
                impact_worker_hours=hours * (shares.get(allocation["vendor"]) or 0.0),
                cost=float(allocation.get("cost") or 0.0),
                impact_score=scores.get(allocation["vendor"]),
                hours_per_fte_year=per_fte_year,
                group_hours={group: hours * part for group, part in shares_of_groups.items()},
            )
        )
    return lines


def approved(members: Sequence[CoalitionMember]) -> list[Scenario]:
    """The members' approved scenarios, in id order: load them once and hand them to
    `plan_lines` and `delivered`."""
    organizations = [member.organization_id for member in members]
    if not organizations:
        return []
    return list(
        db.session.scalars(
            select(Scenario)
            .where(
                Scenario.organization_id.in_(organizations),
                Scenario.status == ScenarioStatus.APPROVED,
            )
            .order_by(Scenario.id)
        )
    )


def plan_groups(scenarios: Iterable[Scenario]) -> dict[int, dict[str, float]]:
    """The group shares of every disclosure the scenarios' plans scored, read at once
    (`workforce_groups`), by disclosure id."""
    return workforce_groups(
        d for scenario in scenarios for d in scored_disclosures(scenario.problem or {}).values()
    )


def plan_lines(
    scenarios: Iterable[Scenario], groups: Mapping[int, Mapping[str, float]] | None = None
) -> list[PlanLine]:
    """Every allocation line of the approved scenarios (`approved`). `groups`: their
    `plan_groups`, when the caller has read them already."""
    scenarios = list(scenarios)
    if groups is None:
        groups = plan_groups(scenarios)
    return [line for scenario in scenarios for line in scenario_lines(scenario, groups)]


def delivered(
    scenarios: Iterable[Scenario],
    impact_vendor_min_score: float,
    known_groups: Mapping[int, Mapping[str, float]] | None = None,
) -> list[Delivered] | None:
    """The delivered work by member and month, from each approved scenario's (`approved`)
    actuals (procure.deliveries.actuals: delivered hours × the impact-worker share of the
    disclosure that covers the month, or the newest earlier one; hours with no share to apply
    count none), with the invoiced spend and its part with impact vendors (impact score in the
    plan's problem document at least `impact_vendor_min_score`), and per beneficiary group the
    delivered hours × the group's share in the disclosure the month's impact-worker hours use.
    None when no member recorded any. `known_groups`: group shares by disclosure id the request
    has read already (the plans' `plan_groups`); only the others are read."""
    sums: dict[tuple[int, date, float], list[float]] = {}
    by_group: dict[tuple[int, date, float], dict[str, float]] = {}
    scenarios = list(scenarios)
    every = actuals_of_many(scenarios)  # the members' deliveries in one read
    groups: dict[int, Mapping[str, float]] = dict(known_groups or {})
    groups.update(
        workforce_groups(
            month["disclosure_id"]
            for actuals in every.values()
            for vendor in actuals["vendors"]
            for need in vendor["needs"]
            for month in need["months"]
            if month["disclosure_id"] is not None and month["disclosure_id"] not in groups
        )
    )
    for scenario in scenarios:
        actuals = every[scenario.id]
        if not actuals["deliveries"]:
            continue
        scores = {
            v["id"]: v.get("impact_score") for v in (scenario.problem or {}).get("vendors", [])
        }
        per_fte_year = actuals["hours_per_fte_year"]
        for vendor in actuals["vendors"]:
            impact_vendor = is_impact_vendor(
                scores.get(f"V{vendor['vendor_id']}"), impact_vendor_min_score
            )
            for need in vendor["needs"]:
                for month in need["months"]:
                    year, number = (int(part) for part in month["month"].split("-"))
                    key = (scenario.organization_id, date(year, number, 1), per_fte_year)
                    entry = sums.setdefault(key, [0.0, 0.0, 0.0])
                    entry[0] += month["actual_impact_worker_hours"] or 0.0
                    entry[1] += month["invoiced_spend"]
                    entry[2] += month["invoiced_spend"] if impact_vendor else 0.0
                    into = by_group.setdefault(key, {})
                    for group, part in groups.get(month["disclosure_id"], {}).items():
                        into[group] = into.get(group, 0.0) + month["delivered_hours"] * part
    if not sums:
        return None
    return [
        Delivered(*key[:2], hours, key[2], spend, impact_spend, group_hours=by_group[key])
        for key, (hours, spend, impact_spend) in sorted(sums.items())
    ]


def capacities(vendor_ids: Iterable[int], months: Sequence[date]) -> dict[int, dict]:
    """Each vendor's labour hours per month in force in `months` (None: no limit stated), read
    as the optimizer's adapter reads them (procure.vendors.capacity)."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    vendors = db.session.scalars(
        select(Vendor).where(Vendor.id.in_(ids)).options(*capacity_loading())
    ).all()
    return {
        vendor.id: dict(zip(months, vendor_hours_by_month(vendor, months), strict=True))
        for vendor in vendors
    }


def vendor_names(vendor_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(Vendor.id, Vendor.name).where(Vendor.id.in_(ids))).all())
