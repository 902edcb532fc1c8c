"""Vendor profiles and rate cards through the API and pages."""

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.vendors.models import Offer, Vendor
from tests.conftest import csrf_token_from


def test_vendor_creates_and_edits_its_profile_with_version_checks(client, make_user, bearer):
    user = make_user("vendor")
    headers = bearer(user)
    created = client.post(
        "/api/v1/vendors",
        headers=headers,
        json={
            "name": "Kazi Data",
            "country": "KE",
            "service_categories": ["data_annotation"],
            "sites": [{"name": "Nairobi CBD", "city": "Nairobi", "country": "KE"}],
        },
    )
    assert created.status_code == 201, created.json
    vendor_id, version = created.json["id"], created.json["version"]
    again = client.post("/api/v1/vendors", headers=headers, json={"name": "Again", "country": "KE"})
    assert again.status_code == 409
    edited = client.patch(
        f"/api/v1/vendors/{vendor_id}",
        headers=headers,
        json={"description": "Impact sourcing in Nairobi", "version": version},
    )
    assert edited.status_code == 200 and edited.json["version"] == version + 1
    stale = client.patch(
        f"/api/v1/vendors/{vendor_id}",
        headers=headers,
        json={"description": "overwrites the newer edit", "version": version},
    )
    assert stale.status_code == 409 and "version 2 is current" in stale.json["message"]
    assert db.session.get(Vendor, vendor_id).description == "Impact sourcing in Nairobi"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "Vendor")
    ).all()
    assert actions == ["vendor.create", "vendor.update"]


def test_profile_errors_name_the_field_and_change_nothing(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    response = client.patch(
        f"/api/v1/vendors/{vendor.id}",
        headers=headers,
        json={
            "country": "XX",
            "service_categories": ["astrology"],
            "version": vendor.version,
            "sites": [{"name": "A", "country": "KE"}, {"name": "a", "country": "ZZ"}],
        },
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "country": ["Unknown country code 'XX': use ISO 3166-1 alpha-2, e.g. KE."],
        "service_categories.0": ["Unknown service category 'astrology'."],
        "sites.1.name": ["Site 'a' is listed twice."],
        "sites.1.country": ["Unknown country code 'ZZ': use ISO 3166-1 alpha-2."],
    }
    db.session.refresh(vendor)
    assert vendor.country == "KE" and vendor.version == 1


def test_offers_are_validated_and_versioned(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    bad = client.post(
        f"/api/v1/vendors/{vendor.id}/offers",
        headers=headers,
        json={
            "service_category": "transcription",
            "unit": "hour",
            "price": 0,
            "currency": "XYZ",
            "capacity_per_period": 100,
            "quality": 1.5,
        },
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"quality"}  # the schema's range check answers first
    bad = client.post(
        f"/api/v1/vendors/{vendor.id}/offers",
        headers=headers,
        json={
            "service_category": "transcription",
            "unit": "hour",
            "price": 0,
            "currency": "XYZ",
            "capacity_per_period": 100,
            "quality": 0.9,
        },
    )
    assert bad.json["errors"] == {
        "currency": ["Unknown currency 'XYZ': use an ISO 4217 code, e.g. USD."],
        "price": ["The price must be at least 0.0001."],
    }
    good = client.post(
        f"/api/v1/vendors/{vendor.id}/offers",
        headers=headers,
        json={
            "service_category": "transcription",
            "unit": "hour",
            "price": 6.5,
            "currency": "USD",
            "capacity_per_period": 2000,
            "quality": 0.92,
        },
    )
    assert good.status_code == 201 and good.json["price"] == 6.5
    db.session.expire_all()
    assert "transcription" in db.session.get(Vendor, vendor.id).service_categories
    offer_id = good.json["id"]
    withdrawn = client.patch(
        f"/api/v1/offers/{offer_id}", headers=headers, json={"active": False, "version": 1}
    )
    assert withdrawn.status_code == 200 and withdrawn.json["active"] is False
    assert (
        client.patch(
            f"/api/v1/offers/{offer_id}", headers=headers, json={"price": 1, "version": 1}
        ).status_code
        == 409
    )


def test_access_rules_for_vendor_routes(client, make_vendor, make_user, bearer):
    vendor_a, user_a = make_vendor("Vendor A")
    vendor_b, user_b = make_vendor("Vendor B")
    headers_b = bearer(user_b)
    buyer_headers = bearer(make_user("buyer"))
    executive_headers = bearer(make_user("executive"))
    offer_a = db.session.scalars(select(Offer).where(Offer.vendor_id == vendor_a.id)).one()
    # another vendor: 404 on read and write
    assert client.get(f"/api/v1/vendors/{vendor_a.id}", headers=headers_b).status_code == 404
    assert (
        client.patch(
            f"/api/v1/vendors/{vendor_a.id}",
            headers=headers_b,
            json={"name": "Hijacked", "version": 1},
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/offers/{offer_a.id}", headers=headers_b).status_code == 404
    assert (
        client.patch(
            f"/api/v1/offers/{offer_a.id}", headers=headers_b, json={"price": 1, "version": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/vendors/{vendor_a.id}/offers",
            headers=headers_b,
            json={
                "service_category": "seo",
                "unit": "hour",
                "price": 1,
                "currency": "USD",
                "capacity_per_period": 1,
                "quality": 1,
            },
        ).status_code
        == 404
    )
    assert [v["id"] for v in client.get("/api/v1/vendors", headers=headers_b).json] == [vendor_b.id]
    # buyers and executives read every profile and offer but change nothing
    assert {v["id"] for v in client.get("/api/v1/vendors", headers=buyer_headers).json} == {
        vendor_a.id,
        vendor_b.id,
    }
    assert (
        client.get(f"/api/v1/vendors/{vendor_a.id}/offers", headers=executive_headers).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/vendors/{vendor_a.id}",
            headers=buyer_headers,
            json={"name": "x", "version": 1},
        ).status_code
        == 403
    )
    assert client.get("/api/v1/vendors").status_code == 401
    db.session.refresh(vendor_a)
    assert vendor_a.name == "Vendor A"


def test_vendor_pages(client, make_user, sign_in):
    user = make_user("vendor")
    sign_in(client, user)
    assert (
        client.get("/vendor/offers").status_code == 302
    )  # no profile yet: sent to the profile page
    page = client.get("/vendor/profile")
    bad = client.post(
        "/vendor/profile",
        data={
            "csrf_token": csrf_token_from(page.text),
            "name": "Kazi",
            "country": "",
            "sites.0.name": "HQ",
            "sites.0.country": "ke",
        },
    )
    assert bad.status_code == 422 and "Unknown country code" in bad.text
    assert db.session.scalar(select(Vendor.id)) is None
    good = client.post(
        "/vendor/profile",
        data={
            "csrf_token": csrf_token_from(page.text),
            "name": "Kazi",
            "country": "KE",
            "service_categories": ["data_annotation"],
            "sites.0.name": "HQ",
            "sites.0.country": "ke",
        },
    )
    assert good.status_code == 302
    vendor = db.session.scalars(select(Vendor)).one()
    assert vendor.sites == [{"name": "HQ", "city": "", "country": "KE"}]
    offers_page = client.get("/vendor/offers")
    assert "No offers yet" in offers_page.text
    added = client.post(
        "/vendor/offers",
        data={
            "csrf_token": csrf_token_from(offers_page.text),
            "service_category": "data_annotation",
            "unit": "hour",
            "price": "7.5",
            "currency": "usd",
            "capacity_per_period": "5000",
            "quality": "0.96",
        },
    )
    assert added.status_code == 302
    assert "7.50 USD" in client.get("/vendor/offers").text


def test_buyer_directory_filters_by_category(client, make_vendor, make_user, sign_in):
    make_vendor("Annotators Ltd")
    sign_in(client, make_user("buyer"))
    assert "Annotators Ltd" in client.get("/vendors").text
    filtered = client.get("/vendors?category=fundraising")
    assert (
        "Annotators Ltd" not in filtered.text
        and "No vendor offers Fundraising yet" in filtered.text
    )
