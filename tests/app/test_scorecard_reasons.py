"""The scorecard says why a figure is missing (issue 17): beside each blank value the disclosed
figure that is missing or 0; for a vendor without a score, why (no submitted disclosure, a
rejected one, no offer in the category, only offers no price compares with); offers left out
of the comparison and an offer in another unit than its category's, on the page and in the
API."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.vendors.models import Offer
from tests.conftest import valid_document


def _api_card(client, world, vendor, **query):
    return client.get(
        f"/api/v1/vendors/{vendor.id}/scorecard", headers=world["headers"], query_string=query
    )


def _page(client, world, vendor, sign_in, **query) -> str:
    page_client = client.application.test_client()  # signed in afresh for each page
    sign_in(page_client, world["buyer"])
    response = page_client.get(f"/vendors/{vendor.id}/scorecard", query_string=query)
    assert response.status_code == 200
    return html.unescape(response.text)


def _refigure(vendor, change) -> None:
    """Change the figures of the vendor's submitted disclosure as stored (a case the forms'
    rules may not let through, as older disclosures can hold)."""
    disclosure = db.session.scalars(
        select(Disclosure).where(Disclosure.vendor_id == vendor.id)
    ).one()
    figures = valid_document()
    change(figures)
    disclosure.figures = {
        k: v for k, v in figures.items() if k not in ("period_start", "period_end")
    }
    db.session.commit()


def test_each_blank_value_says_which_figure_is_missing(client, world, sign_in):
    """Beta hired nobody (0 of 0 hires), gave no training hours, and pays per month without
    stating its weekly hours."""

    def change(figures):
        figures["workforce"].update(total_hires=0, impact_worker_hires=0)
        figures["training"]["training_hours_impact_workers"] = None
        figures["wages"][0]["standard_weekly_hours"] = None

    _refigure(world["beta"], change)
    answer = _api_card(client, world, world["beta"])
    assert answer.status_code == 200, answer.json
    reasons = {
        line["metric"]: line["missing_reason"]
        for line in answer.json["explanation"]
        if line["raw_value"] is None
    }
    hours = "Standard weekly hours (to turn the wage paid per month into an hourly one)"
    assert reasons == {
        "impact_hire_share": "Cannot be computed: Hires in the period is 0 (a division by zero)",
        "training_hours_per_impact_worker": "Not disclosed: Training hours, impact workers",
        "living_wage_ratio": f"Not disclosed: {hours}",
        "entry_wage_to_min_wage": f"Not disclosed: {hours}",
    }
    known = [line for line in answer.json["explanation"] if line["raw_value"] is not None]
    assert known and all(line["missing_reason"] is None for line in known)

    page = _page(client, world, world["beta"], sign_in)
    for reason in reasons.values():
        assert f'— <span class="missing-reason muted small">{reason}</span>' in page
    assert "cannot be computed</span>" in page and "not disclosed</span>" in page


def test_a_vendor_without_a_submitted_disclosure_is_told_why(
    client, world, make_vendor, sign_in, bearer
):
    vendor, user = make_vendor("Gamma Drafts")
    reason = "No submitted disclosure: drafts are not scored."
    answer = _api_card(client, world, vendor)
    assert answer.status_code == 404 and reason in answer.json["message"]
    assert reason in _page(client, world, vendor, sign_in)
    # its own scorecard page says so too; another vendor reads none of it
    own = client.application.test_client()
    sign_in(own, user)
    assert reason in html.unescape(own.get("/scorecard").text)
    other = client.get(f"/api/v1/vendors/{vendor.id}/scorecard", headers=bearer(make_vendor()[1]))
    assert other.status_code == 404 and reason not in other.json["message"]


def test_a_rejected_disclosure_is_the_reason_for_that_organization(
    client, world, sign_in, make_user, bearer
):
    beta = world["beta"]
    disclosure = db.session.scalars(select(Disclosure).where(Disclosure.vendor_id == beta.id)).one()
    rejected = client.post(
        f"/api/v1/disclosures/{disclosure.id}/review",
        headers=world["headers"],
        json={"decision": "rejected", "comment": "Figures do not add up"},
    )
    assert rejected.status_code in (200, 201), rejected.json
    reason = "Your organization rejected every submitted version of its disclosure."
    answer = _api_card(client, world, beta)
    assert answer.status_code == 404 and reason in answer.json["message"]
    assert reason in _page(client, world, beta, sign_in)
    # another buyer organization did not reject it: Beta is scored for it
    other = bearer(make_user("buyer"))
    assert client.get(f"/api/v1/vendors/{beta.id}/scorecard", headers=other).status_code == 200


def test_no_offer_in_the_category_is_the_reason(client, world, sign_in):
    answer = _api_card(client, world, world["alpha"], category="digitisation_data_entry")
    assert answer.status_code == 404
    assert "No active offer in " in answer.json["message"]
    page = _page(client, world, world["alpha"], sign_in, category="digitisation_data_entry")
    assert "No active offer in " in page and "the cost pillar needs a price" in page


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"currency": "CAD"},
            "priced in CAD, which has no exchange rate to US dollars: the platform operator "
            "can add one",
        ),
        ({"price": 0}, "priced at 0, which no price compares with"),
    ],
)
def test_an_offer_no_price_compares_with_is_the_reason(client, world, sign_in, change, reason):
    """An offer stored before currencies were checked where entered (CAD has no rate), or one
    priced at 0: the vendor's only offer, so it has no score, and the reason names the offer."""
    offer = world["alpha"].offers[0]
    for name, value in change.items():
        setattr(offer, name, value)
    db.session.commit()
    expected = f"Offer {offer.id} is left out: Data annotation, per hour: {reason}."
    answer = _api_card(client, world, world["alpha"])
    assert answer.status_code == 404 and expected in answer.json["message"]
    assert expected in _page(client, world, world["alpha"], sign_in)


def test_a_scored_card_lists_the_offers_left_out_and_a_unit_apart(client, world, sign_in):
    """Alpha also sells annotation per item in CAD (no rate: not compared); Beta's offer is
    per item while data annotation is bought per hour, so it compares with per-item offers
    only."""
    alpha, beta = world["alpha"], world["beta"]
    db.session.add(
        Offer(
            vendor_id=alpha.id,
            service_category="data_annotation",
            unit="item",
            price=0.5,
            currency="CAD",
            hours_per_unit=0.1,
            capacity_per_period=1000,
            quality=0.9,
        )
    )
    beta.offers[0].unit, beta.offers[0].hours_per_unit = "item", 0.05
    db.session.commit()
    card = _api_card(client, world, alpha).json
    (left,) = card["offers_left_out"]
    assert (left["currency"], left["unit"]) == ("CAD", "item")
    assert left["reason"].startswith("Data annotation, per item: priced in CAD")
    assert card["offer"]["unit_note"] is None  # Alpha's scored offer is per hour
    note = _api_card(client, world, beta).json["offer"]["unit_note"]
    assert note == (
        "Priced per item, while Data annotation is bought per hour: the cost pillar compares "
        "it with the lowest per-item price of the category only."
    )
    page = _page(client, world, alpha, sign_in)
    assert f"Offer {left['offer_id']}: {left['reason']}" in page
    assert note in _page(client, world, beta, sign_in)
