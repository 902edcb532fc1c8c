"""The demo's approved plans, what was delivered against them, and the coalition they count
toward. Loading twice changes nothing.

- Northwind's "2026 outsourcing plan" covers its three 2026 needs: solved from the demo's
  vendors, submitted by its buyer and approved by its executive. Deliveries are recorded for
  January to October 2026: most vendors delivered their monthly share, some less, one more
  (`DELIVERY_FACTORS`), each invoiced at its plan price, so projected against actual shows a
  real variance.
- Harbor Foods Cooperative, a second buyer, has one need (customer support from July 2026 to
  June 2027) and an approved plan for it, with deliveries for July to October 2026.
- The Impact Sourcing Compact, a backbone organization, runs "Impact Sourcing Compact
  2026–2027": both buyers are members (Northwind shares its contribution by name), with joint
  targets of jobs for impact workers in 2026 and in 2027 and of a share of spend with impact
  vendors in 2026.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import optimizer
from procure.accounts.models import User
from procure.coalitions import services as coalitions
from procure.coalitions.models import Coalition
from procure.deliveries.actuals import plan_of
from procure.deliveries.services import (
    UNCHANGED,
    approved_or_409,
    check_delivery,
    recorded_rows,
    save_checked,
)
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.needs.models import Need
from procure.needs.services import create_need
from procure.scenarios import services as scenarios
from procure.scenarios.models import Scenario
from procure.states import Decision, FrontierStatus, ScenarioStatus

NORTHWIND_PLAN = "2026 outsourcing plan"
HARBOR_PLAN = "Loyalty support plan 2026–27"
HARBOR_NEED = {
    "title": "Customer support for the loyalty programme",
    "service_category": "customer_support",
    "volume": 12000,
    "unit": "hour",
    "budget_usd": 150000,
    "min_quality": 0.85,
    "max_vendor_share": 0.6,
    "min_avg_impact": None,
    "period_start": date(2026, 7, 1),
    "period_end": date(2027, 6, 30),
}
# Deliveries are recorded up to this month (the demo's "today" is later in 2026).
DELIVERED_THROUGH = date(2026, 10, 1)
# What each vendor of a plan delivered of its monthly share, by its place in the plan (largest
# first), the last repeated: the largest vendor on plan, the second short, the third over.
DELIVERY_FACTORS = (1.0, 0.8, 1.1, 0.95)
COALITION = "Impact Sourcing Compact 2026–2027"


def _approved_plan(buyer: User, executive: User, name: str, need_ids: list[int]) -> Scenario:
    """The organization's approved scenario of this name: created, solved (here, not as a job:
    the demo loads before any worker runs), submitted and approved once."""
    existing = db.session.scalar(
        select(Scenario).where(
            Scenario.organization_id == buyer.organization_id, Scenario.name == name
        )
    )
    if existing is not None:
        return existing
    scenario = scenarios.create_scenario(
        buyer.organization_id, {"name": name, "need_ids": need_ids, "targets": {}}, buyer
    )
    problem, settings = scenarios.problem_for(scenario)
    result = optimizer.solve(problem)
    frontier = {"status": FrontierStatus.SKIPPED, "points": []}
    scenarios.store_solution(scenario, problem, settings, result, frontier, actor=buyer)
    if scenario.status != ScenarioStatus.SOLVED:
        raise RuntimeError(f"The demo plan {name!r} did not solve: {result.get('status')}")
    scenarios.submit_scenario(scenario, buyer)
    scenarios.decide_scenario(scenario, Decision.APPROVED, "Approved for the demo.", executive)
    return scenario


def _record_deliveries(scenario: Scenario, buyer: User) -> int:
    """Each vendor's monthly share of each need it holds, times its factor, for the plan's
    months up to DELIVERED_THROUGH, invoiced at the plan's price; once."""
    approved_or_409(scenario)
    plan = plan_of(scenario)  # built once: record_delivery would build it for every row
    rows = recorded_rows(scenario)
    recorded = 0
    by_size = sorted(
        plan.vendor_ids(),
        key=lambda v: (-sum(plan.lines[(v, n)].hours for n in plan.needs_of(v)), v),
    )
    for place, vendor_id in enumerate(by_size):
        factor = DELIVERY_FACTORS[min(place, len(DELIVERY_FACTORS) - 1)]
        for need_id in plan.needs_of(vendor_id):
            line = plan.lines[(vendor_id, need_id)]
            price = line.cost / line.volume if line.volume else 0.0
            for month in line.months:
                if month > DELIVERED_THROUGH:
                    break
                volume = round(line.volume / len(line.months) * factor, 1)
                checked, errors = check_delivery(
                    plan,
                    {
                        "vendor_id": vendor_id,
                        "need_id": need_id,
                        "month": month,
                        "delivered_volume": volume,
                        "invoiced_amount": round(volume * price, 2),
                        "currency": "USD",
                    },
                )
                if checked is None:
                    raise ValidationFailed(errors)
                _, outcome = save_checked(scenario, buyer, checked, rows)
                recorded += outcome != UNCHANGED
    return recorded


def _harbor_need(buyer: User) -> Need:
    need = db.session.scalar(
        select(Need).where(
            Need.organization_id == buyer.organization_id, Need.title == HARBOR_NEED["title"]
        )
    )
    return need or create_need(buyer.organization_id, dict(HARBOR_NEED), buyer)


def _coalition(coordinator: User, members: list[tuple[User, bool]]) -> Coalition:
    """The coalition, its targets and its members (executive, shares by name), once."""
    existing = db.session.scalar(select(Coalition).where(Coalition.name == COALITION))
    if existing is not None:
        return existing
    coalition = coalitions.create_coalition(
        coordinator,
        {
            "name": COALITION,
            "charter": "Member buyers send a growing share of their outsourced work to vendors "
            "that hire and train people the labour market leaves out, and report it one way.",
            "theory_of_change": "Steady, pooled demand lets impact vendors hire ahead of orders; "
            "shared measurement keeps the claims comparable.",
            "period_start": date(2026, 1, 1),
            "period_end": date(2027, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    for measure, value, label, year in (
        ("impact_worker_jobs", 30, "30 full-time jobs for impact workers in 2026", 2026),
        (
            "impact_spend_share",
            0.5,
            "Half of the members' outsourcing spend with impact vendors in 2026",
            2026,
        ),
        ("impact_worker_jobs", 40, "40 full-time jobs for impact workers in 2027", 2027),
    ):
        coalitions.add_target(
            coalition,
            coordinator,
            {
                "measure": measure,
                "value": value,
                "label": label,
                "period_start": date(year, 1, 1),
                "period_end": date(year, 12, 31),
            },
        )
    for executive, shares in members:
        coalitions.invite_member(coalition, coordinator, executive.organization_id)
        coalitions.accept_invitation(coalition, executive)
        if shares:
            coalitions.set_sharing(coalition, executive, True)
    db.session.flush()
    return coalition


def load_demo_plans_and_coalition(users: dict[str, User]) -> None:
    """`users` by demo email: Northwind's and Harbor Foods' buyers and executives, and the
    Compact's coordinator."""
    northwind, northwind_exec = users["buyer@northwind.example"], users["exec@northwind.example"]
    harbor, harbor_exec = users["buyer@harborfoods.example"], users["exec@harborfoods.example"]
    northwind_needs = db.session.scalars(
        select(Need.id)
        .where(
            Need.organization_id == northwind.organization_id, Need.period_start >= date(2026, 1, 1)
        )
        .order_by(Need.id)
    ).all()
    plan = _approved_plan(northwind, northwind_exec, NORTHWIND_PLAN, list(northwind_needs))
    _record_deliveries(plan, northwind)
    harbor_plan = _approved_plan(harbor, harbor_exec, HARBOR_PLAN, [_harbor_need(harbor).id])
    _record_deliveries(harbor_plan, harbor)
    _coalition(users["coordinator@compact.example"], [(northwind_exec, True), (harbor_exec, False)])
    db.session.flush()
