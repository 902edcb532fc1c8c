"""The loader of the impact spend report: approved scenarios (a buyer organization's, or a
coalition's active members') and their deliveries as plain `SpendLine`s for the arithmetic of
procure.spend.report.

Each scenario is read from its frozen documents through procure.deliveries.actuals (`plan_of`:
each allocation's cost and its need's months) and its impact scores from the problem document;
the need's service category from the need (of the scenario's own organization; "unknown" when
it is gone), the vendor's country from the vendor. Beneficiary-group shares come from the
disclosure the plan scored (`meta.scored_disclosures`) for planned spend, and for a delivery
from the disclosure deliveries' actuals apply to its month (`share_for_month` over the versions
`period_versions` picks for the scenario's organization).

It reads without the reader's scopes (a coalition's backbone reads no scenario): nothing it
returns names a need, a scenario, a price or a budget, only months, vendor ids, categories,
countries, scores and spend, which the report adds up before anything is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from procure.deliveries.actuals import DisclosedShare, plan_of, share_for_month
from procure.deliveries.models import Delivery
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.figures import record_id
from procure.scenarios.models import Scenario
from procure.scoring.adapter import period_versions
from procure.spend.report import SpendLine, group_shares, spread_evenly
from procure.states import ScenarioStatus
from procure.vendors.models import Vendor

UNKNOWN_CATEGORY = "unknown"


def approved_scenarios(organization_ids: Iterable[int]) -> list[Scenario]:
    """The approved scenarios of these buyer organizations, oldest first."""
    ids = sorted(set(organization_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Scenario)
            .where(Scenario.organization_id.in_(ids), Scenario.status == ScenarioStatus.APPROVED)
            .order_by(Scenario.id)
        )
    )


def _scores(problem: dict[str, Any]) -> dict[int, float | None]:
    scores = {}
    for vendor in problem.get("vendors", []):
        vendor_id = record_id(vendor.get("id"))
        if vendor_id is not None:
            scores[vendor_id] = vendor.get("impact_score")
    return scores


def _categories(organization_id: int, need_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(need_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Need.id, Need.service_category).where(
            Need.id.in_(ids), Need.organization_id == organization_id
        )
    )
    return {key: value for key, value in rows}


def _countries(vendor_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Vendor.id, Vendor.country).where(Vendor.id.in_(ids)))
    return {key: value for key, value in rows}


def _scored_groups(problem: dict[str, Any]) -> dict[int, dict[str, float]]:
    """Each vendor's group shares from the disclosure the plan scored."""
    scored = {
        vendor_id: disclosure_id
        for key, disclosure_id in (
            (problem.get("meta") or {}).get("scored_disclosures") or {}
        ).items()
        if (vendor_id := record_id(key)) is not None
    }
    if not scored:
        return {}
    rows = db.session.execute(
        select(Disclosure.id, Disclosure.figures).where(Disclosure.id.in_(scored.values()))
    )
    figures = {disclosure_id: stated for disclosure_id, stated in rows}
    return {
        vendor_id: group_shares((figures.get(disclosure_id) or {}).get("workforce"))
        for vendor_id, disclosure_id in scored.items()
    }


def planned_lines(scenario: Scenario) -> list[SpendLine]:
    """The scenario's allocations, each its cost spread evenly over its need's months."""
    plan = plan_of(scenario)
    problem = scenario.problem or {}
    scores, groups = _scores(problem), _scored_groups(problem)
    categories = _categories(scenario.organization_id, (need for _, need in plan.lines))
    countries = _countries(plan.vendor_ids())
    return [
        SpendLine(
            member=scenario.organization_id,
            month=month,
            vendor_id=line.vendor_id,
            category=categories.get(line.need_id, UNKNOWN_CATEGORY),
            country=countries.get(line.vendor_id, ""),
            impact_score=scores.get(line.vendor_id),
            spend=amount,
            groups=groups.get(line.vendor_id, {}),
        )
        for line in plan.lines.values()
        for month, amount in spread_evenly(line.cost, line.months)
    ]


def actual_lines(scenario: Scenario) -> list[SpendLine]:
    """The scenario's delivery rows: each its invoiced USD in its month, with the groups of the
    disclosure that applies to the month."""
    rows = db.session.scalars(
        select(Delivery).where(Delivery.scenario_id == scenario.id).order_by(Delivery.id)
    ).all()
    if not rows:
        return []
    vendor_ids = {row.vendor_id for row in rows}
    scores = _scores(scenario.problem or {})
    categories = _categories(scenario.organization_id, (row.need_id for row in rows))
    countries = _countries(vendor_ids)
    disclosed: dict[int, list[DisclosedShare]] = {}
    groups_of: dict[int, dict[str, float]] = {}
    for vendor_id, versions in period_versions(scenario.organization_id, vendor_ids).items():
        disclosed[vendor_id] = [
            DisclosedShare(d.id, d.period_start, d.period_end, None) for d in versions
        ]
        groups_of.update({d.id: group_shares((d.figures or {}).get("workforce")) for d in versions})
    lines = []
    for row in rows:
        used = share_for_month(disclosed.get(row.vendor_id, ()), row.month)
        lines.append(
            SpendLine(
                member=scenario.organization_id,
                month=row.month,
                vendor_id=row.vendor_id,
                category=categories.get(row.need_id, UNKNOWN_CATEGORY),
                country=countries.get(row.vendor_id, ""),
                impact_score=scores.get(row.vendor_id),
                spend=row.invoiced_usd,
                groups=groups_of.get(used.disclosure.disclosure_id, {}) if used.disclosure else {},
            )
        )
    return lines


def spend_lines(scenarios: Iterable[Scenario], basis: str) -> list[SpendLine]:
    """Planned or actual lines of these scenarios."""
    read = planned_lines if basis == "planned" else actual_lines
    return [line for scenario in scenarios for line in read(scenario)]
