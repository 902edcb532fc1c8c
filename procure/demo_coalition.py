"""The demo's approved plans, what was delivered against them, and the coalition they count
toward. Loading twice changes nothing.

- Northwind's "2026 outsourcing plan" covers its three 2026 needs: solved from the demo's
  vendors, submitted by its buyer and approved by its executive. Deliveries are recorded for
  January to October 2026: most vendors delivered their monthly share, some less, one more
  (`DELIVERY_FACTORS`), each invoiced at its plan price, so projected against actual shows a
  real variance.
- Harbor Foods Cooperative and Lakeshore Savings Bank, two more buyers (`MEMBERS`), each have
  two 2026 needs, customer support that asks for a share of its spend with impact vendors and
  the digitisation of documents, and an approved plan for them, with deliveries for January
  to October 2026 as Northwind's.
- The Impact Sourcing Compact, a backbone organization, runs "Impact Sourcing Compact
  2026–2027": the three buyers are members, each sharing its contribution by name, with joint
  targets of jobs for impact workers in 2026 and in 2027, of a share of spend with impact
  vendors in 2026 and of hours of work by people below the poverty line in 2026
  (`GROUP_TARGET`; the members' plan vendors employ no refugees). The
  backbone sets the coalition profile (`COALITION_PILLARS`: more weight on impact than the
  default profile) and Lakeshore adopts it, so its rankings and scorecards say "Coalition
  profile: Impact Sourcing Compact 2026–2027, version 1". Its approved plan was solved
  before, under the default profile, and says so. Lakeshore's buyer then verifies KaziData's
  latest version (`REVIEWED_VENDOR`), so KaziData's "what each buyer sees" shows Lakeshore
  under the coalition profile, by name.

Why so. Aggregates across members are shown only when at least `coalition_min_cell_members`
(3 by default) members contribute to them (procure.coalitions.suppression). All three have
work, spend with impact vendors and other spend in every month of 2026, so the backbone sees
the 2026 targets' projected and actual figures month by month, and the spend report's totals.
Their support and digitisation plans book the same four vendors, whose monthly load shows; a
vendor only one or two members book (Northwind's annotation vendors) stays withheld. In the
spend report by service category annotation is Northwind's alone, so it is withheld, and with
it customer support (the total minus the rows shown would give it otherwise); digitisation,
all spend with other vendors by the three, shows. All three share their contributions, so the
backbone sees each by name. Were one of them not to share, "other members" would be that
member's own figure: the other two would be folded into it, one row of three, and the page
would say why. No member has a plan for 2027 yet: that target's progress is zero.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import optimizer
from procure.accounts.models import User
from procure.coalitions import measurement
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
from procure.disclosures.models import Disclosure
from procure.disclosures.reviews import review_version
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.needs.models import Need
from procure.needs.services import create_need
from procure.scenarios import services as scenarios
from procure.scenarios.models import Scenario
from procure.scoring.versions import bump
from procure.scoring_defaults import default_profile
from procure.states import Decision, DisclosureState, FrontierStatus, ScenarioStatus
from procure.vendors.models import Vendor

NORTHWIND_PLAN = "2026 outsourcing plan"
HARBOR_PLAN = "Loyalty support and records plan 2026"
HARBOR_NEEDS = (
    {
        "title": "Customer support for the loyalty programme",
        "service_category": "customer_support",
        "volume": 12000,
        "unit": "hour",
        "budget_usd": 150000,
        "min_quality": 0.85,
        "max_vendor_share": 0.6,
        "min_avg_impact": None,
        "min_impact_spend_share": 0.3,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    },
    {
        "title": "Digitising delivery notes from member farms",
        "service_category": "digitisation_data_entry",
        "volume": 150000,
        "unit": "item",
        "budget_usd": 15000,
        "min_quality": 0.9,
        "max_vendor_share": 0.6,
        "min_avg_impact": None,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    },
)
LAKESHORE_PLAN = "Customer service and records plan 2026"
LAKESHORE_NEEDS = (
    {
        "title": "Customer support for card and mortgage customers",
        "service_category": "customer_support",
        "volume": 15000,
        "unit": "hour",
        "budget_usd": 180000,
        "min_quality": 0.88,
        "max_vendor_share": 0.5,
        "min_avg_impact": None,
        "min_impact_spend_share": 0.4,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    },
    {
        "title": "Digitising archived loan files",
        "service_category": "digitisation_data_entry",
        "volume": 200000,
        "unit": "item",
        "budget_usd": 20000,
        "min_quality": 0.9,
        "max_vendor_share": 0.5,
        "min_avg_impact": None,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    },
)
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
    problem, basis = scenarios.problem_for(scenario)
    result = optimizer.solve(problem)
    frontier = {"status": FrontierStatus.SKIPPED, "points": []}
    scenarios.store_solution(scenario, problem, basis, result, frontier, actor=buyer)
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
    if recorded:
        bump(scenario.organization_id)  # the stored rankings are outdated once, as an import
    return recorded


def _need(buyer: User, spec: dict) -> Need:
    """The organization's need of this title, created from `spec` once."""
    need = db.session.scalar(
        select(Need).where(
            Need.organization_id == buyer.organization_id, Need.title == spec["title"]
        )
    )
    return need or create_need(buyer.organization_id, dict(spec), buyer)


def _coalition(coordinator: User, members: list[tuple[User, bool]]) -> Coalition:
    """The coalition and its targets, once, and its members (executive, shares by name) that
    are not members or invited yet."""
    coalition = db.session.scalar(select(Coalition).where(Coalition.name == COALITION))
    coalition = coalition or _new_coalition(coordinator)
    for executive, shares in members:
        if coalitions.open_membership(coalition, executive.organization_id) is not None:
            continue
        coalitions.invite_member(coalition, coordinator, executive.organization_id)
        coalitions.accept_invitation(coalition, executive)
        if shares:
            coalitions.set_sharing(coalition, executive, True)
    db.session.flush()
    return coalition


def _new_coalition(coordinator: User) -> Coalition:
    """The coalition with its charter and joint targets."""
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
    return coalition


# a joint target in the hours of one beneficiary group
GROUP_TARGET = {
    "measure": "beneficiary_group_hours",
    "beneficiary_group": "below_poverty_line",
    "value": 20000,
    "label": "20,000 hours of work by people below the poverty line in 2026",
    "period_start": date(2026, 1, 1),
    "period_end": date(2026, 12, 31),
}
# the coalition profile's pillar weights: the default profile's otherwise, more weight on impact
COALITION_PILLARS = {"impact": 0.6, "cost": 0.25, "quality": 0.15}
ADOPTER = "exec@lakeshore.example"  # the member that ranks under the coalition profile
# a vendor whose latest version the adopter's buyer verifies: its "what each buyer sees" then
# names the coalition profile for Lakeshore, the default profile for Northwind
ADOPTER_BUYER, REVIEWED_VENDOR = "buyer@lakeshore.example", "vendor@kazidata.example"


def _adopter_review(buyer: User, vendor_user: User) -> None:
    """The buyer's organization verifies the vendor's latest submitted version, once."""
    vendor = db.session.scalars(
        select(Vendor).where(Vendor.organization_id == vendor_user.organization_id)
    ).first()
    if vendor is None:
        return
    latest = db.session.scalars(
        select(Disclosure)
        .where(Disclosure.vendor_id == vendor.id, Disclosure.state == DisclosureState.SUBMITTED)
        .order_by(Disclosure.period_end.desc(), Disclosure.number.desc())
    ).first()
    if latest is not None and latest.review_by(buyer.organization_id) is None:
        review_version(latest, "verified", "", buyer)


def _shared_measurement(coalition: Coalition, coordinator: User, adopter: User) -> None:
    """The group target, the coalition profile and its adopter, each once."""
    if not any(target.beneficiary_group for target in coalition.targets):
        coalitions.add_target(coalition, coordinator, dict(GROUP_TARGET))
    if measurement.profile_record(coalition.id) is None:
        weights = default_profile().to_dict() | {"pillar_weights": COALITION_PILLARS}
        measurement.set_profile(coalition, coordinator, weights, None)
    membership = coalitions.open_membership(coalition, adopter.organization_id)
    if membership is not None and not membership.uses_profile:
        coalitions.set_uses_profile(coalition, adopter, True)
    db.session.flush()


# The other buyers: (buyer's email, executive's email, plan, needs, shares by name)
MEMBERS = (
    ("buyer@harborfoods.example", "exec@harborfoods.example", HARBOR_PLAN, HARBOR_NEEDS, True),
    ("buyer@lakeshore.example", "exec@lakeshore.example", LAKESHORE_PLAN, LAKESHORE_NEEDS, True),
)


def load_demo_plans_and_coalition(users: dict[str, User]) -> None:
    """`users` by demo email: the buyers and executives of Northwind and of MEMBERS,
    and the Compact's coordinator."""
    northwind, northwind_exec = users["buyer@northwind.example"], users["exec@northwind.example"]
    northwind_needs = db.session.scalars(
        select(Need.id)
        .where(
            Need.organization_id == northwind.organization_id, Need.period_start >= date(2026, 1, 1)
        )
        .order_by(Need.id)
    ).all()
    plan = _approved_plan(northwind, northwind_exec, NORTHWIND_PLAN, list(northwind_needs))
    _record_deliveries(plan, northwind)
    members = [(northwind_exec, True)]
    for buyer_email, executive_email, name, needs, shares in MEMBERS:
        buyer, executive = users[buyer_email], users[executive_email]
        need_ids = [_need(buyer, need).id for need in needs]
        member_plan = _approved_plan(buyer, executive, name, need_ids)
        _record_deliveries(member_plan, buyer)
        members.append((executive, shares))
    coordinator = users["coordinator@compact.example"]
    coalition = _coalition(coordinator, members)
    _shared_measurement(coalition, coordinator, users[ADOPTER])
    _adopter_review(users[ADOPTER_BUYER], users[REVIEWED_VENDOR])
    db.session.flush()
