"""The demo's corrective action plan: Northwind's buyer asks Kazi Data Works to improve its weakest
impact metric as Northwind's scorecard shows it (the disclosed metric with the lowest normalised
value), to a quarter of the metric's goalpost range better, within 90 days; Kazi's vendor user
has answered with two actions. So the first sign-in of either shows an open plan. Loading twice
changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from procure.accounts.models import User
from procure.corrective.models import CorrectivePlan
from procure.corrective.services import answer_plan, open_plan, today
from procure.extensions import db
from procure.scoring import services as scoring
from procure.scoring_defaults import default_profile
from procure.vendors.models import Vendor

BUYER_EMAIL = "buyer@northwind.example"
VENDOR_EMAIL = "vendor@kazidata.example"
DUE_IN_DAYS = 90


def _weakest_line(vendor: Vendor, organization_id: int) -> dict | None:
    """The vendor's disclosed impact metric with the lowest normalised value on the buyer's
    scorecard (ties: the catalog's order)."""
    card = scoring.scorecard(
        vendor.id,
        default_profile(),
        organization_id=organization_id,
        metrics=scoring.catalog_for(organization_id),
    )
    lines = [
        line
        for line in (card or {}).get("explanation") or ()
        if line["pillar"] == "impact" and line["raw_value"] is not None
    ]
    return min(lines, key=lambda line: line["normalised"], default=None)


def load_demo_corrective_plan(on: date | None = None) -> int:
    """Northwind's plan on Kazi Data Works, once, with Kazi's answer; how many plans were opened
    (0 when it exists, or Kazi is not scored)."""
    on = on or today()
    users = {
        user.email: user
        for user in db.session.scalars(
            select(User).where(User.email.in_((BUYER_EMAIL, VENDOR_EMAIL)))
        )
    }
    buyer, vendor_user = users[BUYER_EMAIL], users[VENDOR_EMAIL]
    vendor = db.session.scalars(
        select(Vendor).where(Vendor.organization_id == vendor_user.organization_id)
    ).one()
    exists = db.session.scalar(
        select(CorrectivePlan.id).where(
            CorrectivePlan.organization_id == buyer.organization_id,
            CorrectivePlan.vendor_id == vendor.id,
        )
    )
    line = _weakest_line(vendor, buyer.organization_id) if exists is None else None
    if line is None:
        return 0
    metric = next(
        m for m in scoring.catalog_for(buyer.organization_id).metrics if m.key == line["metric"]
    )
    low, high = metric.goalposts
    step = 0.25 * (high - low) * (1 if metric.direction == "higher" else -1)
    plan = open_plan(
        buyer,
        vendor,
        {
            "metric": metric.key,
            "target": round(line["raw_value"] + step, 2),
            "due_on": on + timedelta(days=DUE_IN_DAYS),
            "note": f"Your {metric.label.lower()} is the weakest of your impact metrics on our "
            "scorecard. Tell us what you will do, and show it in your next disclosure.",
        },
        on,
    )
    answer_plan(
        plan,
        vendor_user,
        [
            {
                "text": "Agree a cohort target with our two referral partners",
                "on": on + timedelta(days=14),
            },
            {
                "text": "Report the first cohort in the next disclosure",
                "on": on + timedelta(days=75),
            },
        ],
    )
    db.session.flush()
    return 1
