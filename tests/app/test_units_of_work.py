"""Units of work and shared monthly capacity (issue 17, the data side): hours per unit on offers,
labour hours per month on vendors, per-offer caps in units per month, and changes of both from a
month onward; the read functions the optimizer adapter calls; the pages; bad input; tenancy."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.vendors.capacity import (
    calendar_months,
    capacity_loading,
    offer_units_by_month,
    unstated_hours_reason,
    vendor_hours_by_month,
)
from procure.vendors.models import (
    Offer,
    OfferCapacityChange,
    Vendor,
    VendorCapacityChange,
)
from tests.conftest import csrf_token_from

ITEM_OFFER = {
    "service_category": "digitisation_data_entry",
    "unit": "item",
    "price": 0.05,
    "currency": "USD",
    "hours_per_unit": 0.03,
    "capacity_per_period": 200000,
    "quality": 0.95,
}


def _offer_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Offer.id)))


def _errors(response) -> set[str]:
    """The refused fields, nested API messages dotted (capacity_changes.1.from_month)."""
    from procure.forms import field_errors

    assert response.status_code == 422, (response.status_code, response.json)
    return set(field_errors(response.json["errors"]))


# --------------------------------------------------------------------------- hours per unit


@pytest.mark.parametrize(
    "hours_per_unit",
    [None, 0, -0.5, 1000.001, 5000, "lots"],
    ids=["missing", "zero", "negative", "just above 1,000", "far above", "text"],
)
def test_an_item_offer_needs_hours_per_unit_above_0_at_most_1000(
    client, make_vendor, bearer, hours_per_unit
):
    vendor, user = make_vendor()
    body = dict(ITEM_OFFER)
    if hours_per_unit is None:
        del body["hours_per_unit"]
    else:
        body["hours_per_unit"] = hours_per_unit
    before = _offer_count()
    response = client.post(f"/api/v1/vendors/{vendor.id}/offers", headers=bearer(user), json=body)
    assert _errors(response) == {"hours_per_unit"}
    assert _offer_count() == before


def test_hours_per_unit_is_the_vendors_figure_for_items_and_tasks_and_1_for_hours(
    client, make_vendor, bearer
):
    vendor, user = make_vendor()
    headers = bearer(user)
    url = f"/api/v1/vendors/{vendor.id}/offers"
    most = client.post(url, headers=headers, json=ITEM_OFFER | {"hours_per_unit": 1000})
    assert most.status_code == 201 and most.json["hours_per_unit"] == 1000
    task = client.post(
        url,
        headers=headers,
        json=ITEM_OFFER
        | {"service_category": "recruitment", "unit": "task", "hours_per_unit": 3.5},
    )
    assert task.status_code == 201 and task.json["hours_per_unit"] == 3.5
    hour = ITEM_OFFER | {"service_category": "transcription", "unit": "hour", "price": 6}
    del hour["hours_per_unit"]
    left_out = client.post(url, headers=headers, json=hour)
    assert left_out.status_code == 201 and left_out.json["hours_per_unit"] == 1
    one = client.post(url, headers=headers, json=hour | {"hours_per_unit": 1})
    assert one.status_code == 201 and one.json["hours_per_unit"] == 1
    before = _offer_count()
    two = client.post(url, headers=headers, json=hour | {"hours_per_unit": 2})
    assert _errors(two) == {"hours_per_unit"}
    assert "per hour takes 1 hour" in two.json["errors"]["hours_per_unit"][0]
    assert _offer_count() == before
    # the offer the fixture made (an hour offer, inserted without the field) takes 1 hour
    assert db.session.get(Offer, vendor.offers[0].id).hours_per_unit == 1


def test_changing_the_unit_asks_for_the_hours_again(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    offer = vendor.offers[0]  # per hour
    to_items = {"unit": "item", "service_category": "digitisation_data_entry", "version": 1}
    assert _errors(client.patch(f"/api/v1/offers/{offer.id}", headers=headers, json=to_items)) == {
        "hours_per_unit"
    }
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).unit == "hour"
    done = client.patch(
        f"/api/v1/offers/{offer.id}", headers=headers, json=to_items | {"hours_per_unit": 0.04}
    )
    assert done.status_code == 200 and done.json["hours_per_unit"] == 0.04
    back = client.patch(
        f"/api/v1/offers/{offer.id}",
        headers=headers,
        json={"unit": "hour", "service_category": "transcription", "version": 2},
    )
    assert back.status_code == 200 and back.json["hours_per_unit"] == 1


def test_an_offer_without_its_hours_must_state_them_on_its_next_edit(client, make_vendor, bearer):
    """Item and task offers entered before 0017 have no hours per unit (NULL, not a guess): the
    adapter leaves them out with a reason, and editing one asks for the figure."""
    vendor, user = make_vendor()
    headers = bearer(user)
    legacy = Offer(
        vendor_id=vendor.id,
        service_category="digitisation_data_entry",
        unit="item",
        price=0.05,
        currency="USD",
        capacity_per_period=1000,
        quality=0.9,
    )
    db.session.add(legacy)
    db.session.commit()
    assert legacy.hours_per_unit is None
    assert "has not stated hours_per_unit" in unstated_hours_reason(legacy)
    assert unstated_hours_reason(vendor.offers[0]) is None
    price_only = client.patch(
        f"/api/v1/offers/{legacy.id}", headers=headers, json={"price": 0.06, "version": 1}
    )
    assert _errors(price_only) == {"hours_per_unit"}
    withdrawn = client.patch(
        f"/api/v1/offers/{legacy.id}", headers=headers, json={"active": False, "version": 1}
    )
    assert withdrawn.status_code == 200
    stated = client.patch(
        f"/api/v1/offers/{legacy.id}",
        headers=headers,
        json={"price": 0.06, "hours_per_unit": 0.025, "active": True, "version": 2},
    )
    assert stated.status_code == 200 and stated.json["hours_per_unit"] == 0.025


# --------------------------------------------------------------------------- vendor capacity


def test_vendor_capacity_and_its_changes_through_the_api(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    url = f"/api/v1/vendors/{vendor.id}"
    assert client.get(url, headers=headers).json["capacity_hours_per_month"] is None
    saved = client.patch(
        url,
        headers=headers,
        json={
            "capacity_hours_per_month": 17600,
            "capacity_changes": [
                {"from_month": "2027-01", "hours_per_month": 123200},
                {"from_month": "2026-07", "hours_per_month": 52800},
            ],
            "version": 1,
        },
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["version"] == 2
    assert saved.json["capacity_hours_per_month"] == 17600
    assert saved.json["capacity_changes"] == [
        {"from_month": "2026-07", "hours_per_month": 52800},
        {"from_month": "2027-01", "hours_per_month": 123200},
    ]
    # a change of the changes alone is a new version of the profile, checked as one
    moved = client.patch(
        url,
        headers=headers,
        json={
            "capacity_changes": [
                {"from_month": "2027-01", "hours_per_month": 100000},
                {"from_month": "2026-09", "hours_per_month": 60000},
            ],
            "version": 2,
        },
    )
    assert moved.status_code == 200 and moved.json["version"] == 3
    stale = client.patch(url, headers=headers, json={"capacity_changes": [], "version": 2})
    assert stale.status_code == 409
    db.session.expire_all()
    stored = db.session.scalars(
        select(VendorCapacityChange).order_by(VendorCapacityChange.from_month)
    ).all()
    assert [(c.from_month, c.hours_per_month) for c in stored] == [
        (date(2026, 9, 1), 60000),
        (date(2027, 1, 1), 100000),
    ]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "vendor.update").order_by(AuditEvent.id)
    ).all()
    assert events[-1].changes == {
        "before": {
            "capacity_changes": [
                {"from_month": "2026-07", "hours_per_month": 52800},
                {"from_month": "2027-01", "hours_per_month": 123200},
            ]
        },
        "after": {
            "capacity_changes": [
                {"from_month": "2026-09", "hours_per_month": 60000},
                {"from_month": "2027-01", "hours_per_month": 100000},
            ]
        },
    }
    assert events[-1].actor_id == user.id
    cleared = client.patch(
        url,
        headers=headers,
        json={"capacity_hours_per_month": None, "capacity_changes": [], "version": 3},
    )
    assert cleared.status_code == 200
    assert cleared.json["capacity_hours_per_month"] is None
    assert cleared.json["capacity_changes"] == []


def _change(month, hours=1000):
    return {"from_month": month, "hours_per_month": hours}


BAD_CAPACITY = {
    "month 13": ({"capacity_changes": [_change("2026-13")]}, {"capacity_changes.0.from_month"}),
    "no dash": ({"capacity_changes": [_change("202607")]}, {"capacity_changes.0.from_month"}),
    "a whole date": (
        {"capacity_changes": [_change("2026-07-01")]},
        {"capacity_changes.0.from_month"},
    ),
    "a number": ({"capacity_changes": [_change(202607)]}, {"capacity_changes.0.from_month"}),
    "before 2000": ({"capacity_changes": [_change("1999-12")]}, {"capacity_changes.0.from_month"}),
    "after 2100": ({"capacity_changes": [_change("2101-01")]}, {"capacity_changes.0.from_month"}),
    "no month": (
        {"capacity_changes": [{"hours_per_month": 5}]},
        {"capacity_changes.0.from_month"},
    ),
    "a negative capacity": ({"capacity_hours_per_month": -1}, {"capacity_hours_per_month"}),
    "a negative change": (
        {"capacity_changes": [_change("2026-07", -5)]},
        {"capacity_changes.0.hours_per_month"},
    ),
    "two changes for one month": (
        {"capacity_changes": [_change("2026-07"), _change("2026-08"), _change("2026-07", 5)]},
        {"capacity_changes.2.from_month"},
    ),
}


@pytest.mark.parametrize("body, refused", list(BAD_CAPACITY.values()), ids=list(BAD_CAPACITY))
def test_bad_vendor_capacity_names_the_field_and_changes_nothing(
    client, make_vendor, bearer, body, refused
):
    vendor, user = make_vendor()
    headers = bearer(user)
    url = f"/api/v1/vendors/{vendor.id}"
    first = {"capacity_hours_per_month": 800, "capacity_changes": [_change("2026-01", 900)]}
    assert client.patch(url, headers=headers, json=first | {"version": 1}).status_code == 200
    response = client.patch(url, headers=headers, json=body | {"version": 2})
    assert _errors(response) == refused
    shown = client.get(url, headers=headers).json
    assert shown["version"] == 2
    assert shown["capacity_hours_per_month"] == 800
    assert shown["capacity_changes"] == [{"from_month": "2026-01", "hours_per_month": 900}]


def test_the_month_rules_in_words(client, make_vendor, bearer):
    vendor, user = make_vendor()
    response = client.patch(
        f"/api/v1/vendors/{vendor.id}",
        headers=bearer(user),
        json={"capacity_changes": [_change("2101-01"), _change("2026-7")], "version": 1},
    )
    errors = response.json["errors"]["capacity_changes"]
    assert errors["0"]["from_month"] == ["Give a month from 2000-01 to 2100-12 (not 2101-01)."]
    assert errors["1"]["from_month"] == ["Give the month as YYYY-MM, e.g. 2026-07 (not '2026-7')."]


def test_a_new_profile_states_its_capacity(client, make_user, bearer):
    user = make_user("vendor")
    created = client.post(
        "/api/v1/vendors",
        headers=bearer(user),
        json={
            "name": "Growing Ltd",
            "country": "KE",
            "capacity_hours_per_month": 17600,
            "capacity_changes": [_change("2026-07", 123200)],
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["capacity_changes"] == [
        {"from_month": "2026-07", "hours_per_month": 123200}
    ]
    event_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "vendor.create")
    ).one()
    assert event_.changes["after"]["capacity_changes"] == [
        {"from_month": "2026-07", "hours_per_month": 123200}
    ]


# --------------------------------------------------------------------------- offer caps


def test_offer_caps_and_their_changes(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    created = client.post(
        f"/api/v1/vendors/{vendor.id}/offers",
        headers=headers,
        json=ITEM_OFFER
        | {
            "capacity_per_period": None,
            "capacity_changes": [{"from_month": "2026-07", "units_per_month": 50000}],
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["capacity_per_period"] is None
    assert created.json["capacity_changes"] == [{"from_month": "2026-07", "units_per_month": 50000}]
    offer_id = created.json["id"]
    duplicate = client.patch(
        f"/api/v1/offers/{offer_id}",
        headers=headers,
        json={
            "capacity_changes": [
                {"from_month": "2026-09", "units_per_month": 1},
                {"from_month": "2026-09", "units_per_month": 2},
            ],
            "version": 1,
        },
    )
    assert _errors(duplicate) == {"capacity_changes.1.from_month"}
    negative = client.patch(
        f"/api/v1/offers/{offer_id}",
        headers=headers,
        json={
            "capacity_per_period": -3,
            "capacity_changes": [{"from_month": "1999-01", "units_per_month": -1}],
            "version": 1,
        },
    )
    assert _errors(negative) == {
        "capacity_per_period",
        "capacity_changes.0.from_month",
        "capacity_changes.0.units_per_month",
    }
    changed = client.patch(
        f"/api/v1/offers/{offer_id}",
        headers=headers,
        json={
            "capacity_per_period": 40000,
            "capacity_changes": [
                {"from_month": "2026-07", "units_per_month": 60000},
                {"from_month": "2027-01", "units_per_month": 90000},
            ],
            "version": 1,
        },
    )
    assert changed.status_code == 200 and changed.json["version"] == 2
    db.session.expire_all()
    offer = db.session.get(Offer, offer_id)
    assert offer_units_by_month(offer, [date(2026, 6, 1), date(2026, 7, 1), date(2027, 1, 1)]) == [
        40000,
        60000,
        90000,
    ]
    event_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "offer.update")).one()
    assert event_.changes["after"]["capacity_changes"][1] == {
        "from_month": "2027-01",
        "units_per_month": 90000,
    }


def test_openapi_shows_the_new_fields(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    offer = schemas["Offer"]["properties"]
    assert "vendor's own figure" in offer["hours_per_unit"]["description"]
    assert "units per month" in offer["capacity_per_period"]["description"]
    vendor = schemas["Vendor"]["properties"]
    assert vendor["capacity_changes"]["items"]["$ref"].endswith("VendorCapacityChange")
    month = schemas["VendorCapacityChange"]["properties"]["from_month"]
    assert month["type"] == "string" and month["pattern"] == r"^\d{4}-\d{2}$"


# --------------------------------------------------------------------------- read functions


def test_hours_in_force_month_by_month():
    vendor = Vendor(capacity_hours_per_month=1000.0)
    vendor.capacity_changes = [  # out of order on purpose: the reading sorts them
        VendorCapacityChange(from_month=date(2027, 1, 1), hours_per_month=0.0),
        VendorCapacityChange(from_month=date(2026, 7, 1), hours_per_month=3000.0),
    ]
    months = [date(2026, 6, 1), date(2026, 7, 1), date(2026, 12, 1), date(2027, 1, 1)]
    # before the first change the starting figure; from 2026-07 3,000; from 2027-01 none left
    assert vendor_hours_by_month(vendor, months) == [1000.0, 3000.0, 3000.0, 0.0]
    unstated = Vendor(capacity_hours_per_month=None)
    unstated.capacity_changes = [
        VendorCapacityChange(from_month=date(2026, 7, 1), hours_per_month=500.0)
    ]
    assert vendor_hours_by_month(unstated, months[:2]) == [None, 500.0]
    offer = Offer(capacity_per_period=None)
    assert offer_units_by_month(offer, months[:1]) == [None]
    offer.capacity_changes = [OfferCapacityChange(from_month=date(2026, 7, 1), units_per_month=9)]
    assert offer_units_by_month(offer, months) == [None, 9, 9, 9]
    with pytest.raises(ValueError, match="first day of a month"):
        vendor_hours_by_month(vendor, [date(2026, 7, 15)])
    assert calendar_months(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]


def test_many_vendors_are_read_with_four_queries_and_none_per_vendor(app, make_vendor):
    """The adapter loads vendors with capacity_loading(): one SELECT for the vendors and one per
    relationship, whatever their number; the read functions then query nothing."""
    for index in range(12):
        vendor, _ = make_vendor(f"Vendor {index:02d}")
        vendor.capacity_hours_per_month = 1000.0 + index
        vendor.capacity_changes.append(
            VendorCapacityChange(from_month=date(2026, 7, 1), hours_per_month=2000.0 + index)
        )
        vendor.offers[0].capacity_changes.append(
            OfferCapacityChange(from_month=date(2026, 8, 1), units_per_month=50.0 + index)
        )
    db.session.commit()
    db.session.expire_all()
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        vendors = db.session.scalars(
            select(Vendor).options(*capacity_loading()).order_by(Vendor.name)
        ).all()
        loaded = len(statements)
        months = calendar_months(date(2026, 6, 1), date(2026, 8, 31))
        hours = [vendor_hours_by_month(v, months) for v in vendors]
        units = [offer_units_by_month(o, months) for v in vendors for o in v.offers]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # vendors; their changes; their offers; the offers' changes (one SELECT ... IN each)
    assert loaded == 4 and len(statements) == 4, [s[:60] for s in statements]
    assert hours[5] == [1005.0, 2005.0, 2005.0]
    assert units[5] == [10000.0, 10000.0, 55.0]  # the fixture's offer caps 10,000 a month


def test_the_vendor_list_reads_every_vendors_changes_in_one_query(
    client, make_vendor, make_user, bearer
):
    """GET /api/v1/vendors shows each vendor's capacity changes: the statements it runs do not
    grow with the number of vendors (10,000 of them must not cost 10,000 queries)."""
    headers = bearer(make_user("buyer"))

    def statements_for_the_list() -> int:
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            shown = client.get("/api/v1/vendors", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert shown.status_code == 200
        assert all(len(v["capacity_changes"]) == 1 for v in shown.json)
        return len(statements)

    def add_vendors(count):
        for _ in range(count):
            vendor, _ = make_vendor()
            vendor.capacity_changes.append(
                VendorCapacityChange(from_month=date(2026, 7, 1), hours_per_month=100.0)
            )
        db.session.commit()

    add_vendors(2)
    few = statements_for_the_list()
    add_vendors(6)
    assert statements_for_the_list() == few


# --------------------------------------------------------------------------- tenancy


def test_other_vendors_cannot_read_or_change_capacity_buyers_read_it(
    client, make_vendor, make_user, bearer
):
    vendor_a, user_a = make_vendor("Vendor A")
    _, user_b = make_vendor("Vendor B")
    headers_a, headers_b = bearer(user_a), bearer(user_b)
    offer_a = vendor_a.offers[0]
    assert (
        client.patch(
            f"/api/v1/vendors/{vendor_a.id}",
            headers=headers_a,
            json={"capacity_hours_per_month": 900, "version": 1},
        ).status_code
        == 200
    )
    capacity = {"capacity_hours_per_month": 1, "capacity_changes": [_change("2026-07", 1)]}
    cap = {
        "capacity_per_period": 1,
        "capacity_changes": [{"from_month": "2026-07", "units_per_month": 1}],
    }
    assert client.get(f"/api/v1/vendors/{vendor_a.id}", headers=headers_b).status_code == 404
    assert client.get(f"/api/v1/offers/{offer_a.id}", headers=headers_b).status_code == 404
    assert (
        client.patch(
            f"/api/v1/vendors/{vendor_a.id}", headers=headers_b, json=capacity | {"version": 2}
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/offers/{offer_a.id}", headers=headers_b, json=cap | {"version": 1}
        ).status_code
        == 404
    )
    for role in ("buyer", "executive"):
        headers = bearer(make_user(role))
        shown = client.get(f"/api/v1/vendors/{vendor_a.id}", headers=headers)
        assert shown.status_code == 200 and shown.json["capacity_hours_per_month"] == 900
        offers = client.get(f"/api/v1/vendors/{vendor_a.id}/offers", headers=headers).json
        assert offers[0]["hours_per_unit"] == 1 and offers[0]["capacity_per_period"] == 10000
        assert (
            client.patch(
                f"/api/v1/vendors/{vendor_a.id}", headers=headers, json=capacity | {"version": 2}
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"/api/v1/offers/{offer_a.id}", headers=headers, json=cap | {"version": 1}
            ).status_code
            == 403
        )
    db.session.expire_all()
    kept = db.session.get(Vendor, vendor_a.id)
    assert kept.capacity_hours_per_month == 900 and kept.capacity_changes == []
    assert db.session.get(Offer, offer_a.id).capacity_per_period == 10000
    assert db.session.scalar(select(func.count(OfferCapacityChange.id))) == 0


def test_another_vendors_offer_page_form_changes_nothing(client, make_vendor, sign_in):
    vendor_a, _ = make_vendor("Vendor A")
    _, user_b = make_vendor("Vendor B")
    sign_in(client, user_b)
    token = csrf_token_from(client.get("/vendor/offers").text)
    response = client.post(
        f"/vendor/offers/{vendor_a.offers[0].id}",
        data={
            "csrf_token": token,
            "version": "1",
            "capacity_per_period": "1",
            "capacity_changes.0.from_month": "2026-07",
            "capacity_changes.0.units_per_month": "1",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(OfferCapacityChange.id))) == 0


# --------------------------------------------------------------------------- pages


def test_profile_page_adds_and_removes_capacity_changes(client, make_vendor, sign_in):
    vendor, user = make_vendor("Kazi Ltd")
    sign_in(client, user)
    page = client.get("/vendor/profile")
    assert 'name="capacity_changes.0.from_month" type="month"' in page.text
    form = {
        "csrf_token": csrf_token_from(page.text),
        "version": "1",
        "name": "Kazi Ltd",
        "country": "KE",
        "service_categories": "data_annotation",
        "sites.0.name": "Nairobi CBD",
        "sites.0.city": "Nairobi",
        "sites.0.country": "KE",
        "capacity_hours_per_month": "17,600",
        "capacity_changes.0.from_month": "2026-07",
        "capacity_changes.0.hours_per_month": "52,800",
        "capacity_changes.1.from_month": "",
        "capacity_changes.1.hours_per_month": "",
    }
    assert client.post("/vendor/profile", data=form).status_code == 302
    db.session.expire_all()
    vendor = db.session.get(Vendor, vendor.id)
    assert vendor.capacity_hours_per_month == 17600 and vendor.version == 2
    assert [(c.from_month, c.hours_per_month) for c in vendor.capacity_changes] == [
        (date(2026, 7, 1), 52800)
    ]
    shown = client.get("/vendor/profile").text
    assert 'value="2026-07"' in shown and 'value="52800"' in shown and 'value="17600"' in shown
    # add a second change and remove the first in one save
    form |= {
        "version": "2",
        "capacity_changes.0.remove": "on",
        "capacity_changes.1.from_month": "2027-01",
        "capacity_changes.1.hours_per_month": "123200",
    }
    assert client.post("/vendor/profile", data=form).status_code == 302
    db.session.expire_all()
    assert [(c.from_month, c.hours_per_month) for c in vendor.capacity_changes] == [
        (date(2027, 1, 1), 123200)
    ]
    # the buyer's view of the vendor shows it
    assert vendor.version == 3


def test_profile_page_refuses_bad_capacity_at_the_field(client, make_vendor, sign_in):
    vendor, user = make_vendor("Kazi Ltd")
    sign_in(client, user)
    form = {
        "csrf_token": csrf_token_from(client.get("/vendor/profile").text),
        "version": "1",
        "name": "Kazi Ltd",
        "country": "KE",
        "capacity_hours_per_month": "-5",
        "capacity_changes.0.from_month": "2026-07",
        "capacity_changes.0.hours_per_month": "100",
    }
    negative = client.post("/vendor/profile", data=form)
    assert negative.status_code == 422
    assert 'href="#capacity_hours_per_month"' in negative.text
    assert "Capacity cannot be negative." in negative.text
    bad_month = client.post(
        "/vendor/profile",
        data=form | {"capacity_hours_per_month": "", "capacity_changes.0.from_month": "2101-01"},
    )
    assert bad_month.status_code == 422
    assert 'id="capacity_changes-0-from_month-error"' in bad_month.text
    assert "Give a month from 2000-01 to 2100-12 (not 2101-01)." in bad_month.text
    twice = client.post(
        "/vendor/profile",
        data=form
        | {
            "capacity_hours_per_month": "",
            "capacity_changes.1.from_month": "2026-07",
            "capacity_changes.1.hours_per_month": "200",
        },
    )
    assert twice.status_code == 422
    assert 'href="#capacity_changes-1-from_month"' in twice.text
    assert "2026-07 is listed twice" in twice.text
    db.session.expire_all()
    kept = db.session.get(Vendor, vendor.id)
    assert kept.version == 1 and kept.capacity_changes == []
    assert kept.capacity_hours_per_month is None


def test_rate_card_pages_take_hours_per_unit_and_cap_changes(
    app, client, make_vendor, make_user, sign_in
):
    vendor, user = make_vendor("Kazi Ltd")
    sign_in(client, user)
    page = client.get("/vendor/offers")
    assert "Hours per unit (your own figure)" in page.text
    form = {
        "csrf_token": csrf_token_from(page.text),
        "service_category": "digitisation_data_entry",
        "unit": "item",
        "price": "0.05",
        "currency": "USD",
        "hours_per_unit": "",
        "capacity_per_period": "",
        "quality": "0.95",
    }
    refused = client.post("/vendor/offers", data=form)
    assert refused.status_code == 422 and 'href="#hours_per_unit"' in refused.text
    assert client.post("/vendor/offers", data=form | {"hours_per_unit": "0.03"}).status_code == 302
    offer = db.session.scalars(select(Offer).where(Offer.unit == "item")).one()
    assert offer.hours_per_unit == 0.03 and offer.capacity_per_period is None
    edit = {
        "csrf_token": form["csrf_token"],
        "version": "1",
        "service_category": "digitisation_data_entry",
        "unit": "item",
        "currency": "USD",
        "price": "0.05",
        "hours_per_unit": "0.025",
        "capacity_per_period": "100,000",
        "capacity_changes.0.from_month": "2026-07",
        "capacity_changes.0.units_per_month": "150000",
        "capacity_changes.1.from_month": "",
        "capacity_changes.1.units_per_month": "",
        "quality": "0.95",
        "active": "on",
    }
    saved = client.post(f"/vendor/offers/{offer.id}", data=edit, follow_redirects=True)
    assert "The offer is updated." in saved.text
    assert "from 2026-07: 150,000" in saved.text
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.hours_per_unit == 0.025 and offer.capacity_per_period == 100000
    assert [(c.from_month, c.units_per_month) for c in offer.capacity_changes] == [
        (date(2026, 7, 1), 150000)
    ]
    twice = client.post(
        f"/vendor/offers/{offer.id}",
        data=edit
        | {
            "version": "2",
            "capacity_changes.1.from_month": "2026-07",
            "capacity_changes.1.units_per_month": "1",
        },
        follow_redirects=True,
    )
    assert "The offer was not changed. From month (capacity changes, item 2):" in twice.text
    removed = client.post(
        f"/vendor/offers/{offer.id}",
        data=edit | {"version": "2", "capacity_changes.0.remove": "on"},
        follow_redirects=True,
    )
    assert "The offer is updated." in removed.text
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).capacity_changes == []
    # buyers read the figures on the vendor's page
    buyer = app.test_client()
    sign_in(buyer, make_user("buyer"))
    detail = buyer.get(f"/vendors/{vendor.id}").text
    assert "Hours per unit (vendor's figure)" in detail and ">0.025<" in detail
