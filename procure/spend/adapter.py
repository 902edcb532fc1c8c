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

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from procure.coalitions.adapter import scored_disclosures, workforce_groups
from procure.coalitions.progress import group_shares
from procure.deliveries.actuals import DisclosedShare, plan_of, share_for_month
from procure.deliveries.models import Delivery
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.figures import record_id
from procure.scenarios.models import Scenario
from procure.scoring.adapter import period_versions
from procure.spend.report import SpendLine, spread_evenly
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


def _categories(needs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Each need's service category by (organization, need id), in one query: a need counts only
    for its own organization."""
    ids = sorted({need for _, need in needs})
    if not ids:
        return {}
    rows = db.session.execute(
        select(Need.organization_id, Need.id, Need.service_category).where(Need.id.in_(ids))
    )
    return {(organization, need): category for organization, need, category in rows}


def _countries(vendor_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Vendor.id, Vendor.country).where(Vendor.id.in_(ids)))
    return {key: value for key, value in rows}


def planned_lines(scenarios: Sequence[Scenario]) -> list[SpendLine]:
    """The scenarios' allocations, each its cost spread evenly over its need's months. The
    categories, countries and scored disclosures of all of them are read at once."""
    plans = {scenario.id: plan_of(scenario) for scenario in scenarios}
    scored = {s.id: scored_disclosures(s.problem or {}) for s in scenarios}
    categories = _categories(
        (s.organization_id, need) for s in scenarios for _, need in plans[s.id].lines
    )
    countries = _countries(v for plan in plans.values() for v in plan.vendor_ids())
    groups = workforce_groups(d for by_vendor in scored.values() for d in by_vendor.values())
    lines = []
    for scenario in scenarios:
        scores = _scores(scenario.problem or {})
        for line in plans[scenario.id].lines.values():
            disclosure = scored[scenario.id].get(line.vendor_id)
            for month, amount in spread_evenly(line.cost, line.months):
                lines.append(
                    SpendLine(
                        member=scenario.organization_id,
                        month=month,
                        vendor_id=line.vendor_id,
                        category=categories.get(
                            (scenario.organization_id, line.need_id), UNKNOWN_CATEGORY
                        ),
                        country=countries.get(line.vendor_id, ""),
                        impact_score=scores.get(line.vendor_id),
                        spend=amount,
                        groups=groups.get(disclosure, {}) if disclosure is not None else {},
                    )
                )
    return lines


def actual_lines(scenarios: Sequence[Scenario]) -> list[SpendLine]:
    """The scenarios' delivery rows: each its invoiced USD in its month, with the groups of the
    disclosure that applies to the month. The deliveries, categories and countries of all of
    them are read at once, the disclosures once per buyer organization."""
    by_id = {scenario.id: scenario for scenario in scenarios}
    if not by_id:
        return []
    rows = db.session.scalars(
        select(Delivery).where(Delivery.scenario_id.in_(list(by_id))).order_by(Delivery.id)
    ).all()
    if not rows:
        return []
    owner = {row.id: by_id[row.scenario_id].organization_id for row in rows}
    categories = _categories((owner[row.id], row.need_id) for row in rows)
    countries = _countries(row.vendor_id for row in rows)
    vendors_of: dict[int, set[int]] = {}
    for row in rows:
        vendors_of.setdefault(owner[row.id], set()).add(row.vendor_id)
    disclosed: dict[tuple[int, int], list[DisclosedShare]] = {}
    groups_of: dict[int, dict[str, float]] = {}
    for organization, vendor_ids in vendors_of.items():
        for vendor_id, versions in period_versions(organization, vendor_ids).items():
            disclosed[(organization, vendor_id)] = [
                DisclosedShare(d.id, d.period_start, d.period_end, None) for d in versions
            ]
            groups_of.update(
                {d.id: group_shares((d.figures or {}).get("workforce")) for d in versions}
            )
    scores = {key: _scores(scenario.problem or {}) for key, scenario in by_id.items()}
    lines = []
    for row in rows:
        organization = owner[row.id]
        used = share_for_month(disclosed.get((organization, row.vendor_id), ()), row.month)
        lines.append(
            SpendLine(
                member=organization,
                month=row.month,
                vendor_id=row.vendor_id,
                category=categories.get((organization, row.need_id), UNKNOWN_CATEGORY),
                country=countries.get(row.vendor_id, ""),
                impact_score=scores[row.scenario_id].get(row.vendor_id),
                spend=row.invoiced_usd,
                groups=groups_of.get(used.disclosure.disclosure_id, {}) if used.disclosure else {},
            )
        )
    return lines


def spend_lines(scenarios: Iterable[Scenario], basis: str) -> list[SpendLine]:
    """Planned or actual lines of these scenarios: a few queries for all of them, not per plan
    (planned: the needs, the vendors and the scored disclosures; actual: the deliveries, the
    needs, the vendors and the disclosures of each buyer organization)."""
    read = planned_lines if basis == "planned" else actual_lines
    return read(list(scenarios))
