"""Demo organizations and users for `procure demo`. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import (
    create_organization,
    create_user,
    set_vendors_see_plan_share,
)
from procure.assurance.models import AssuranceGrant
from procure.assurance.services import grant_access, issue_attestation
from procure.audit.services import SYSTEM
from procure.campaigns.models import Campaign
from procure.campaigns.progress import today_utc
from procure.campaigns.services import create_campaign
from procure.demo_award import load_demo_award
from procure.demo_coalition import load_demo_plans_and_coalition
from procure.demo_corrective import load_demo_corrective_plan
from procure.demo_scenarios import load_demo_scenarios
from procure.demo_vendors import VENDORS, evidence_pdf, load_demo_vendors
from procure.disclosures.evidence_levels import months_after
from procure.disclosures.models import Disclosure
from procure.events.models import SourcingEvent
from procure.events.services import create_event, place_bid, publish_event
from procure.extensions import db
from procure.needs.models import Need
from procure.needs.services import create_need
from procure.settings import read_toml, resource_dir
from procure.states import AssuranceLevel, DisclosureState, Opinion
from procure.vendors.models import Vendor


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    name: str
    organization: str


DEMO_ORGANIZATIONS = (
    ("Northwind Retail Group", "buyer"),
    ("Kazi Data Works", "vendor"),
    ("Meridian Social Assurance", "assurance"),  # attests vendors' disclosures for every buyer
    ("Impact Procure Platform", "operator"),  # runs the platform: onboards organizations
    ("Harbor Foods Cooperative", "buyer"),  # a second buyer, in Northwind's coalition
    ("Impact Sourcing Compact", "backbone"),  # runs the buyers' coalition (procure.coalitions)
    ("Lakeshore Savings Bank", "buyer"),  # a third buyer, in the coalition
)

DEMO_LOGINS = (
    DemoLogin(
        "buyer",
        "buyer@northwind.example",
        "demo-purchasing-pass",
        "Amara Okafor",
        "Northwind Retail Group",
    ),
    DemoLogin(
        "executive",
        "exec@northwind.example",
        "demo-boardroom-pass",
        "Jonas Lindqvist",
        "Northwind Retail Group",
    ),
    DemoLogin(
        "admin",
        "admin@northwind.example",
        "demo-settings-pass",
        "Priya Raman",
        "Northwind Retail Group",
    ),
    DemoLogin(
        "vendor",
        "vendor@kazidata.example",
        "demo-kazidata-pass",
        "Wanjiru Kamau",
        "Kazi Data Works",
    ),
    DemoLogin(
        "assurer",
        "assurer@meridian.example",
        "demo-assurance-pass",
        "Nadia Mensah",
        "Meridian Social Assurance",
    ),
    DemoLogin(
        "operator",
        "operator@platform.example",
        "demo-onboarding-pass",
        "Tomás Herrera",
        "Impact Procure Platform",
    ),
    DemoLogin(
        "buyer",
        "buyer@harborfoods.example",
        "demo-harbor-pass",
        "Lucía Fernández",
        "Harbor Foods Cooperative",
    ),
    DemoLogin(
        "executive",
        "exec@harborfoods.example",
        "demo-harbor-board-pass",
        "Kwame Asante",
        "Harbor Foods Cooperative",
    ),
    DemoLogin(
        "coordinator",
        "coordinator@compact.example",
        "demo-compact-pass",
        "Ingrid Solberg",
        "Impact Sourcing Compact",
    ),
    DemoLogin(
        "buyer",
        "buyer@lakeshore.example",
        "demo-lakeshore-pass",
        "Farah Haddad",
        "Lakeshore Savings Bank",
    ),
    DemoLogin(
        "executive",
        "exec@lakeshore.example",
        "demo-lakeshore-board-pass",
        "Mateo Rossi",
        "Lakeshore Savings Bank",
    ),
)


def load_demo() -> list[DemoLogin]:
    """Create the demo organizations, users and vendors that do not exist yet; return the logins.

    The vendors (procure/demo_vendors.py) sign in with `ops@<slug>.example` and the vendor
    password; their disclosures are reviewed by the demo buyer, and two of them are attested by
    the demo assurance provider (`DEMO_ATTESTATIONS`).
    """
    organizations = {}
    for name, kind in DEMO_ORGANIZATIONS:
        organization = db.session.scalar(select(Organization).where(Organization.name == name))
        organizations[name] = organization or create_organization(name, kind, actor=SYSTEM)
    db.session.flush()
    for login in DEMO_LOGINS:
        if db.session.scalar(select(User.id).where(User.email == login.email)) is None:
            create_user(
                organizations[login.organization],
                login.email,
                login.name,
                login.role,
                login.password,
                actor=SYSTEM,
            )
    db.session.flush()
    buyer = db.session.scalars(select(User).where(User.email == "buyer@northwind.example")).one()
    load_demo_vendors(buyer)
    load_demo_needs(buyer)
    load_demo_campaigns(buyer)
    load_demo_events(buyer)
    assurer = db.session.scalars(select(User).where(User.email == "assurer@meridian.example")).one()
    load_demo_attestations(assurer)
    emails = [login.email for login in DEMO_LOGINS]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    load_demo_plans_and_coalition(users)
    load_demo_scenarios(users["buyer@northwind.example"])
    # Northwind lets vendors see how an improvement would change their share of its approved
    # plan: Kazi Data Works' "How to raise your score" panel shows its hours there
    set_vendors_see_plan_share(organizations["Northwind Retail Group"], True, actor=SYSTEM)
    load_demo_award(users["buyer@northwind.example"])
    load_demo_corrective_plan()
    return list(DEMO_LOGINS)


# The demo assurance provider's work: per vendor (by slug), the sections of its newest submitted
# version of its latest period that it attested, with (level, opinion). Lakeside's version is
# verified by Northwind (buyer-verified, lifted further); Mwangaza's waits for review
# (self-reported documented, lifted for every buyer at once); the qualified opinion counts one
# level lower than an unqualified one would.
DEMO_ATTESTATIONS = {
    "lakeside-annotation": (
        ("wages", AssuranceLevel.REASONABLE, Opinion.UNQUALIFIED),
        ("workforce", AssuranceLevel.LIMITED, Opinion.UNQUALIFIED),
    ),
    "mwangaza-ts": (
        ("wages", AssuranceLevel.REASONABLE, Opinion.UNQUALIFIED),
        ("training", AssuranceLevel.REASONABLE, Opinion.QUALIFIED),
    ),
}
DEMO_STANDARD = "ISAE 3000 (Revised)"


def _shared_with(assurer: User, vendor_id: int) -> bool:
    """Whether the vendor shared a version with the assurer's organization already."""
    return (
        db.session.scalar(
            select(AssuranceGrant.id).where(
                AssuranceGrant.provider_id == assurer.organization_id,
                AssuranceGrant.disclosure.has(Disclosure.vendor_id == vendor_id),
            )
        )
        is not None
    )


def load_demo_attestations(assurer: User, today: date | None = None) -> int:
    """Each demo vendor of DEMO_ATTESTATIONS shares its newest submitted version of its latest
    period with the assurer's organization, which attests the sections named, each dated 75
    days after the period's end (today at the latest) and valid for three years. A version
    shared already is left alone; returns how many versions were attested."""
    today = today or today_utc()
    attested = 0
    for slug, sections in DEMO_ATTESTATIONS.items():
        spec = next(spec for spec in VENDORS if spec.slug == slug)
        vendor_user = db.session.scalars(select(User).where(User.email == spec.user_email)).one()
        disclosure = db.session.scalars(
            select(Disclosure)
            .join(Vendor, Vendor.id == Disclosure.vendor_id)
            .where(
                Vendor.organization_id == vendor_user.organization_id,
                Disclosure.state == DisclosureState.SUBMITTED,
            )
            .order_by(Disclosure.period_end.desc(), Disclosure.number.desc())
        ).first()
        if disclosure is None or _shared_with(assurer, disclosure.vendor_id):
            continue
        grant = grant_access(disclosure, assurer.organization_id, vendor_user)
        issued_on = min(disclosure.period_end + timedelta(days=75), today)
        for section, level, opinion in sections:
            title = (
                f"{assurer.organization.name}: independent assurance statement, {spec.name}, "
                f"{section}, {disclosure.period_end.year} ({DEMO_STANDARD}, demo)"
            )
            issue_attestation(
                grant,
                {
                    "section": section,
                    "standard": DEMO_STANDARD,
                    "level": level,
                    "opinion": opinion,
                    "issued_on": issued_on,
                    "expires_on": months_after(issued_on, 36),
                },
                f"{slug}-{disclosure.period_end.year}-{section}-assurance.pdf",
                evidence_pdf(title),
                assurer,
            )
        attested += 1
    db.session.flush()
    return attested


# Northwind's needs for 2026 (volumes over the year; budgets in USD).
DEMO_NEEDS = (
    {
        "title": "Product image annotation for the 2026 catalogue",
        "service_category": "data_annotation",
        "volume": 30000,
        "unit": "hour",
        "budget_usd": 260000,
        "min_quality": 0.9,
        "max_vendor_share": 0.4,
        "min_avg_impact": 55,
    },
    {
        "title": "Customer support, English and Swahili",
        "service_category": "customer_support",
        "volume": 20000,
        "unit": "hour",
        "budget_usd": 210000,
        "min_quality": 0.88,
        "max_vendor_share": 0.5,
        "min_avg_impact": None,
    },
    {
        "title": "Digitising supplier invoices",
        "service_category": "digitisation_data_entry",
        "volume": 400000,
        "unit": "item",
        "budget_usd": 40000,
        "min_quality": 0.9,
        "max_vendor_share": 0.5,
        "min_avg_impact": None,
    },
)


def load_demo_needs(buyer: User) -> None:
    """The demo buyer's needs, created once."""
    for spec in DEMO_NEEDS:
        exists = db.session.scalar(
            select(Need.id).where(
                Need.organization_id == buyer.organization_id, Need.title == spec["title"]
            )
        )
        if exists is None:
            create_need(
                buyer.organization_id,
                {**spec, "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)},
                buyer,
            )
    db.session.flush()


DEMO_CAMPAIGNS = resource_dir("config") / "demo" / "campaigns.toml"


def load_demo_campaigns(buyer: User, today: date | None = None) -> int:
    """The demo buyer's campaigns (config/demo/campaigns.toml) that it has not started yet, each
    started `started_days_ago` days before `today` and due `deadline_days` after it; how many
    were started."""
    today = today or today_utc()
    emails = {spec.slug: spec.user_email for spec in VENDORS}
    started = 0
    for spec in read_toml(DEMO_CAMPAIGNS)["campaigns"]:
        exists = db.session.scalar(
            select(Campaign.id).where(
                Campaign.organization_id == buyer.organization_id, Campaign.title == spec["title"]
            )
        )
        if exists is not None:
            continue
        on = today - timedelta(days=spec["started_days_ago"])
        vendor_ids = db.session.scalars(
            select(Vendor.id)
            .join(User, User.organization_id == Vendor.organization_id)
            .where(User.email.in_([emails[slug] for slug in spec["vendors"]]))
            .order_by(Vendor.name)
        ).all()
        fields = {
            key: spec.get(key) for key in ("title", "year", "period_start", "period_end", "message")
        }
        # started on `on`, as the buyer would have then (the deadline was not past on that day)
        created = create_campaign(
            buyer,
            {
                **fields,
                "deadline": today + timedelta(days=spec["deadline_days"]),
                "vendor_ids": list(vendor_ids),
                "emails": spec["emails"],
            },
            on,
        )
        moment = datetime.combine(on, time(9, 0), tzinfo=UTC)
        created.campaign.created_at = moment
        for request in created.campaign.requests:
            request.created_at = moment
        started += 1
    db.session.flush()
    return started


DEMO_EVENT_TITLE = "Annotation and support, second round 2026"
DEMO_EVENT_VENDORS = ("kazidata", "lakeside-annotation")  # KaziData bids on the first lot


def load_demo_events(buyer: User, now: datetime | None = None) -> int:
    """Northwind's sourcing event, once: its first two needs as lots, two demo vendors invited,
    published with a deadline two weeks after `now`, and KaziData's sealed bid on the first lot;
    how many events were made."""
    now = now or datetime.now(UTC)
    exists = db.session.scalar(
        select(SourcingEvent.id).where(
            SourcingEvent.organization_id == buyer.organization_id,
            SourcingEvent.title == DEMO_EVENT_TITLE,
        )
    )
    if exists is not None:
        return 0
    emails = {spec.slug: spec.user_email for spec in VENDORS}
    bidders = {
        slug: db.session.scalars(select(User).where(User.email == emails[slug])).one()
        for slug in DEMO_EVENT_VENDORS
    }
    vendor_ids = [
        db.session.scalars(
            select(Vendor.id).where(Vendor.organization_id == user.organization_id)
        ).one()
        for user in bidders.values()
    ]
    needs = db.session.scalars(
        select(Need.id)
        .where(Need.organization_id == buyer.organization_id)
        .where(Need.title.in_([spec["title"] for spec in DEMO_NEEDS[:2]]))
        .order_by(Need.id)
    ).all()
    event = create_event(
        buyer,
        {
            "title": DEMO_EVENT_TITLE,
            "message": "Bid per lot: price per hour, your capacity in the period, validity.",
            "need_ids": list(needs),
            "vendor_ids": vendor_ids,
            "deadline": now + timedelta(days=14),
            "sealed": True,
            "min_quality": 0.9,
            "evidence_required": "self_reported_documented",
        },
        now,
    )
    publish_event(event, buyer, event.version, now)
    place_bid(
        event,
        bidders["kazidata"],
        {
            "lot_id": event.lots[0].id,
            "price": 8.4,
            "currency": "USD",
            "unit": event.lots[0].unit,
            "capacity": 9000,
            "valid_until": (now + timedelta(days=90)).date(),
            "comment": "Two shifts in Nairobi; Swahili-speaking reviewers.",
        },
        now,
    )
    db.session.flush()
    return 1
