"""A buyer reads on the scorecard why figures are blank (issue 17), in the browser: the reason
beside each blank value, the offers left out of the price comparison, and why a vendor has no
score; none of it breaks the page's accessibility."""

from __future__ import annotations

from sqlalchemy import select

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.vendors.models import Offer
from tests.conftest import TEST_PASSWORD, valid_document


def test_the_scorecard_shows_why_a_figure_is_blank(journey, world, make_vendor, axe_check):
    beta = world["beta"]
    disclosure = db.session.scalars(select(Disclosure).where(Disclosure.vendor_id == beta.id)).one()
    figures = valid_document()
    figures["workforce"].update(total_hires=0, impact_worker_hires=0)
    figures["wages"][0]["standard_weekly_hours"] = None
    disclosure.figures = {
        k: v for k, v in figures.items() if k not in ("period_start", "period_end")
    }
    db.session.add(
        Offer(
            vendor_id=beta.id,
            service_category="data_annotation",
            unit="hour",
            price=900,
            currency="CAD",
            capacity_per_period=100,
            quality=0.9,
        )
    )
    gamma, _ = make_vendor("Gamma Drafts")
    db.session.commit()

    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go(f"/vendors/{beta.id}/scorecard")
    page = journey.page
    reasons = page.locator(".missing-reason")
    assert reasons.count() == 3  # hires 0, and the two wage ratios without weekly hours
    assert "Hires in the period is 0 (a division by zero)" in reasons.nth(0).inner_text()
    assert "Standard weekly hours" in reasons.nth(1).inner_text()
    assert (
        "priced in CAD, which has no exchange rate" in page.locator(".missing-reasons").inner_text()
    )
    journey.shot("blank-figures-with-reasons")
    assert axe_check(page) == []

    journey.go(f"/vendors/{gamma.id}/scorecard")
    assert "No submitted disclosure" in page.locator(".missing-reasons").inner_text()
    journey.shot("no-score-and-why")
    assert axe_check(page) == []
