"""The demo's award round: Northwind ran a sealed sourcing event for its image annotation, five
data annotation vendors bid, the deadline passed and the buyer closed it; an award scenario of
the event is solved under the award rules a buyer of the big sourcing suites would set. Loading
twice changes nothing.

- The event ("Image annotation, first round 2026"): one lot, the need "Product image annotation
  for the 2026 catalogue" (30,000 hours, each vendor at most 40 %), sealed, minimum quality 0.9.
  Its evidence rule (`AWARD_EVIDENCE`) asks every bidder to have disclosed each evidence
  section (workforce, wages, training), self-reported or stronger: a bidder with a section it
  never disclosed is left out of the award, and "Vendors left out" says which section. Each of
  the five bidders meets it. A stricter rule would not leave a plan: few demo vendors back
  their training figures with a file, so "self-reported documented" would leave out the
  incumbent, Nile Bridge and Kigali Digital, and the other two bid 21,000 of the 30,000 hours
  (the open event, `procure.demo.DEMO_EVENT_TITLE`, shows that stricter rule to its bidders).
  It was published ten days ago, its deadline passed three days ago, and the buyer closed it
  today.
- Bids (`DEMO_AWARD_BIDS`): each vendor's price per hour and the hours it can give in the year.
- The award scenario ("Award: image annotation 2026", least cost), with three rules:
  - an incumbent rule: Kazi Data Works, the vendor of the 2025 contract, keeps at least 25 %;
  - a vendor group cap: the vendors based in Kenya get at most 40 % of the hours;
  - a bid adjustment: the two vendors new to Northwind count 0.40 USD more an hour (the
    onboarding and training of a transition), in the choice of the plan, not in its spend.

It is solved here (as the solve job would, `demo_scenarios.solve_here`), not submitted: the buyer
finds it ready to review and submit for the award.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from procure.accounts.models import User
from procure.demo_scenarios import solve_here
from procure.demo_vendors import VENDORS
from procure.events.models import SourcingEvent
from procure.events.services import close_event, create_event, place_bid, publish_event
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios import services as scenarios
from procure.scenarios.models import Scenario
from procure.states import Objective
from procure.vendors.models import Vendor

AWARD_EVENT_TITLE = "Image annotation, first round 2026"
AWARD_SCENARIO = "Award: image annotation 2026"
AWARD_NEED = "Product image annotation for the 2026 catalogue"
# per vendor (by slug): price in USD per hour, hours it can give in the lot's period
DEMO_AWARD_BIDS = {
    "kazidata": (7.90, 12000),
    "savannah-ai": (7.30, 12000),
    "nile-bridge": (6.95, 10000),
    "kigali-digital": (6.70, 9000),
    "accra-youth-tech": (6.85, 9000),
}
INCUMBENT = "kazidata"
NEW_VENDORS = ("kigali-digital", "accra-youth-tech")
TRANSITION_PER_HOUR = 0.40  # USD added to a new vendor's price in the choice of the plan
INCUMBENT_SHARE = 0.25
KENYA_CAP = 0.4
# the least evidence level, in every section, of a bidder whose bids count in the award
AWARD_EVIDENCE = "self_reported"


def _vendor_users() -> dict[str, User]:
    emails = {spec.slug: spec.user_email for spec in VENDORS}
    return {
        slug: db.session.scalars(select(User).where(User.email == emails[slug])).one()
        for slug in DEMO_AWARD_BIDS
    }


def award_rules(vendor_ids: dict[str, int], need_id: int) -> dict:
    """The award scenario's targets: the incumbent rule, the Kenya cap and the adjustment."""
    return {
        "incumbents": [
            {"need": need_id, "vendors": [vendor_ids[INCUMBENT]], "min_share": INCUMBENT_SHARE}
        ],
        "vendor_groups": [
            {
                "id": "kenya",
                "label": "Based in Kenya",
                "country": "KE",
                "measure": "hours",
                "max_share": KENYA_CAP,
            }
        ],
        "adjustments": [
            {"vendors": [vendor_ids[slug] for slug in NEW_VENDORS], "per_unit": TRANSITION_PER_HOUR}
        ],
    }


def load_demo_award(buyer: User, now: datetime | None = None) -> int:
    """Northwind's closed event with its bids and its solved award scenario, once; how many
    events were made (0 when it exists)."""
    now = now or datetime.now(UTC)
    exists = db.session.scalar(
        select(SourcingEvent.id).where(
            SourcingEvent.organization_id == buyer.organization_id,
            SourcingEvent.title == AWARD_EVENT_TITLE,
        )
    )
    if exists is not None:
        return 0
    bidders = _vendor_users()
    vendor_ids = {
        slug: db.session.scalars(
            select(Vendor.id).where(Vendor.organization_id == user.organization_id)
        ).one()
        for slug, user in bidders.items()
    }
    need_id = db.session.scalars(
        select(Need.id).where(
            Need.organization_id == buyer.organization_id, Need.title == AWARD_NEED
        )
    ).one()
    opened, deadline = now - timedelta(days=10), now - timedelta(days=3)
    event = create_event(
        buyer,
        {
            "title": AWARD_EVENT_TITLE,
            "message": "One lot, sealed bids: your price per hour and the hours you can give.",
            "need_ids": [need_id],
            "vendor_ids": list(vendor_ids.values()),
            "deadline": deadline,
            "sealed": True,
            "min_quality": 0.9,
            "evidence_required": AWARD_EVIDENCE,
        },
        opened,
    )
    event.created_at = opened
    publish_event(event, buyer, event.version, opened)
    lot = event.lots[0]
    for slug, (price, hours) in DEMO_AWARD_BIDS.items():
        place_bid(
            event,
            bidders[slug],
            {
                "lot_id": lot.id,
                "price": price,
                "currency": "USD",
                "unit": lot.unit,
                "capacity": hours,
                "valid_until": (now + timedelta(days=60)).date(),
            },
            opened + timedelta(days=2),
        )
    close_event(event, buyer, event.version, now)
    scenario = scenarios.create_scenario(
        buyer.organization_id,
        {
            "name": AWARD_SCENARIO,
            "need_ids": [need_id],
            "event_id": event.id,
            "objective": Objective.MIN_COST,
            "targets": award_rules(vendor_ids, need_id),
        },
        buyer,
    )
    solve_here(scenario, buyer)
    db.session.flush()
    return 1


def award_scenario(buyer: User) -> Scenario | None:
    """The demo's award scenario, if loaded."""
    return db.session.scalar(
        select(Scenario).where(
            Scenario.organization_id == buyer.organization_id, Scenario.name == AWARD_SCENARIO
        )
    )
