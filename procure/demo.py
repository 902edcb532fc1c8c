"""Demo organizations and users for `procure demo`. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import create_organization, create_user
from procure.demo_vendors import load_demo_vendors
from procure.extensions import db


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
)

DEMO_LOGINS = (
    DemoLogin("buyer", "buyer@northwind.example", "demo-buyer-pass", "Amara Okafor", "Northwind Retail Group"),
    DemoLogin("executive", "exec@northwind.example", "demo-exec-pass", "Jonas Lindqvist", "Northwind Retail Group"),
    DemoLogin("admin", "admin@northwind.example", "demo-admin-pass", "Priya Raman", "Northwind Retail Group"),
    DemoLogin("vendor", "vendor@kazidata.example", "demo-vendor-pass", "Wanjiru Kamau", "Kazi Data Works"),
)


def load_demo() -> list[DemoLogin]:
    """Create the demo organizations, users and vendors that do not exist yet; return the logins.

    The vendors (procure/demo_vendors.py) sign in with `ops@<slug>.example` and the vendor
    password; their disclosures are reviewed by the demo buyer.
    """
    organizations = {}
    for name, kind in DEMO_ORGANIZATIONS:
        organization = db.session.scalar(select(Organization).where(Organization.name == name))
        organizations[name] = organization or create_organization(name, kind)
    db.session.flush()
    for login in DEMO_LOGINS:
        if db.session.scalar(select(User.id).where(User.email == login.email)) is None:
            create_user(organizations[login.organization], login.email, login.name, login.role, login.password)
    db.session.flush()
    buyer = db.session.scalar(select(User).where(User.email == "buyer@northwind.example"))
    load_demo_vendors(buyer)
    return list(DEMO_LOGINS)
