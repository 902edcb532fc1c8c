"""Demo organizations and users for `procure demo`. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import create_organization, create_user
from procure.audit.services import SYSTEM
from procure.campaigns.models import Campaign
from procure.campaigns.progress import today_utc
from procure.campaigns.services import create_campaign
from procure.demo_vendors import VENDORS, load_demo_vendors
from procure.extensions import db
from procure.needs.models import Need
from procure.needs.services import create_need
from procure.settings import read_toml, resource_dir
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
    ("Impact Procure Platform", "operator"),  # runs the platform: onboards organizations
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
        "operator",
        "operator@platform.example",
        "demo-onboarding-pass",
        "Tomás Herrera",
        "Impact Procure Platform",
    ),
)


def load_demo() -> list[DemoLogin]:
    """Create the demo organizations, users and vendors that do not exist yet; return the logins.

    The vendors (procure/demo_vendors.py) sign in with `ops@<slug>.example` and the vendor
    password; their disclosures are reviewed by the demo buyer.
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
    return list(DEMO_LOGINS)


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
