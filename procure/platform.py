"""The platform operator's view across tenants: counts per organization, never a record.

It reads every area's tables, so it sits above them all (next to the app), and the API route
that serves it lives here too.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from procure.access import access, roles
from procure.accounts.models import Organization, User
from procure.accounts.schemas import PlatformSummarySchema
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.vendors.models import Vendor

blp = Blueprint(
    "platform_api", __name__, url_prefix="/api/v1", description="The platform operator's counts"
)


# What the operator's summary counts per organization.
PLATFORM_COUNTS = ("users", "active_users", "vendors", "disclosures", "needs", "scenarios")


def platform_summary() -> dict:
    """For the operator: per organization its name and kind and how many users (and active
    ones), vendor profiles, disclosure versions, needs and scenarios it holds, with the totals.
    Counts only: no record of any tenant leaves here."""

    def per_organization(column, *joins_and_filters) -> dict[int, int]:
        statement = select(column, func.count()).group_by(column)
        for clause in joins_and_filters:
            statement = clause(statement)
        return {organization_id: count for organization_id, count in db.session.execute(statement)}

    counts = {
        "users": per_organization(User.organization_id),
        "active_users": per_organization(
            User.organization_id, lambda s: s.where(User.active.is_(True))
        ),
        "vendors": per_organization(Vendor.organization_id),
        "disclosures": per_organization(
            Vendor.organization_id, lambda s: s.join(Disclosure, Disclosure.vendor_id == Vendor.id)
        ),
        "needs": per_organization(Need.organization_id),
        "scenarios": per_organization(Scenario.organization_id),
    }
    organizations = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind).order_by(Organization.name)
    ).all()
    rows = [
        {
            "id": organization.id,
            "name": organization.name,
            "kind": organization.kind,
            **{key: counts[key].get(organization.id, 0) for key in PLATFORM_COUNTS},
        }
        for organization in organizations
    ]
    totals = {key: sum(row[key] for row in rows) for key in PLATFORM_COUNTS}
    return {"organizations": rows, "totals": totals}


@blp.route("/platform/summary")
class PlatformSummary(MethodView):
    @access(roles("operator"))
    @blp.response(200, PlatformSummarySchema)
    def get(self):
        """Per organization, counts of its users and records (the platform operator): counts
        only, never a tenant's records"""
        return platform_summary()
