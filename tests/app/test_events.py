"""Sourcing events: a buyer's needs out to bid, invited vendors' bids, and sealing.

The figures bid are chosen to be found in any answer that leaks them: a price of 13.579 and a
capacity of 24,680 units (vendor A), 17.531 and 35,790 (vendor B).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from procure.access import route_rules
from procure.audit.models import AuditEvent
from procure.events.models import Bid, LotWithdrawal, SourcingEvent
from procure.extensions import db
from procure.notifications.models import Notification

FUTURE = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
A_FIGURES = ("13.579", "13.58", "24680", "24,680")
B_FIGURES = ("17.531", "17.53", "35790", "35,790")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _bid(lot_id: int, price=13.579, capacity=24680, **changes) -> dict:
    return {
        "lot_id": lot_id,
        "price": price,
        "currency": "USD",
        "unit": "hour",
        "capacity": capacity,
        "valid_until": (FUTURE + timedelta(days=60)).date().isoformat(),
        "comment": "Two shifts",
        **changes,
    }


@dataclass
class Sourcing:
    users: dict
    headers: dict
    vendors: dict
    need_ids: list[int]
    need_y: int


@pytest.fixture
def sourcing(app, make_org, make_user, make_vendor, bearer) -> Sourcing:
    from procure.needs.services import create_need

    vendor_a, user_a = make_vendor("Vendor A")
    vendor_b, user_b = make_vendor("Vendor B")
    vendor_c, user_c = make_vendor("Vendor C")
    x, y = make_org("buyer", "Buyer X"), make_org("buyer", "Buyer Y")
    users = {
        "vendor_a": user_a,
        "vendor_b": user_b,
        "vendor_c": user_c,
        "admin_vendor_b": make_user("admin", organization=user_b.organization),
        "buyer_x": make_user("buyer", organization=x),
        "executive_x": make_user("executive", organization=x),
        "admin_x": make_user("admin", organization=x),
        "buyer_y": make_user("buyer", organization=y),
        "executive_y": make_user("executive", organization=y),
        "operator": make_user("operator"),
        "assurer": make_user("assurer", organization=make_org("assurance", "Assurer")),
    }
    needs = []
    for organization, title, unit in ((x, "Labelling", "hour"), (x, "Invoices", "item")):
        needs.append(
            create_need(
                organization.id,
                {
                    "title": title,
                    "service_category": "data_annotation",
                    "volume": 1000,
                    "unit": unit,
                    "period_start": date(2027, 1, 1),
                    "period_end": date(2027, 12, 31),
                },
                users["buyer_x"],
            ).id
        )
    need_y = create_need(
        y.id,
        {
            "title": "Y's need",
            "service_category": "data_annotation",
            "volume": 10,
            "unit": "hour",
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
        },
        users["buyer_y"],
    ).id
    db.session.commit()
    headers = {name: bearer(user) for name, user in users.items()}
    return Sourcing(users, headers, {"a": vendor_a, "b": vendor_b, "c": vendor_c}, needs, need_y)


def _create(client, s: Sourcing, **changes) -> dict:
    body = {
        "title": "Annotation 2027",
        "need_ids": s.need_ids,
        "vendor_ids": [s.vendors["a"].id, s.vendors["b"].id],
        "deadline": _iso(FUTURE),
        "min_quality": 0.9,
        "evidence_required": "self_reported_documented",
        **changes,
    }
    response = client.post("/api/v1/events", headers=s.headers["buyer_x"], json=body)
    assert response.status_code == 201, response.json
    return response.json


def _published(client, s: Sourcing, **changes) -> dict:
    event = _create(client, s, **changes)
    response = client.post(
        f"/api/v1/events/{event['id']}/publish",
        headers=s.headers["buyer_x"],
        json={"version": event["version"]},
    )
    assert response.status_code == 200, response.json
    return response.json


def _past_deadline(event_id: int) -> None:
    """The deadline moved into the past, as time passing would."""
    db.session.execute(
        update(SourcingEvent)
        .where(SourcingEvent.id == event_id)
        .values(deadline=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )


def _actions(target_type: str, target_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_draft_is_published_the_invited_vendors_are_told_and_each_change_is_audited(
    client, sourcing
):
    s = sourcing
    event = _create(client, s)
    assert event["state"] == "draft" and event["sealed"] is True and event["version"] == 1
    assert [lot["unit"] for lot in event["lots"]] == ["hour", "item"]
    assert [row["has_bid"] for row in event["invited"]] == [False, False]
    # a draft: no vendor sees it, none is told
    assert (
        client.get(f"/api/v1/events/{event['id']}", headers=s.headers["vendor_a"]).status_code
        == 404
    )
    assert client.get("/api/v1/events", headers=s.headers["vendor_a"]).json == []
    assert _kinds(s.users["vendor_a"]) == []

    published = client.post(
        f"/api/v1/events/{event['id']}/publish", headers=s.headers["buyer_x"], json={"version": 1}
    )
    assert published.status_code == 200 and published.json["state"] == "published"
    assert published.json["version"] == 2
    assert _kinds(s.users["vendor_a"]) == ["event_published"]
    assert _kinds(s.users["vendor_b"]) == ["event_published"]
    assert _kinds(s.users["admin_vendor_b"]) == ["event_published"]  # acts as its vendor
    assert _kinds(s.users["vendor_c"]) == []  # not invited
    seen = client.get(f"/api/v1/events/{event['id']}", headers=s.headers["vendor_a"])
    assert seen.status_code == 200 and seen.json["invited"] == []  # nor who else is invited
    assert seen.json["evidence_required"] == "self_reported_documented"
    assert [e["id"] for e in client.get("/api/v1/events", headers=s.headers["vendor_a"]).json] == [
        event["id"]
    ]
    assert _actions("SourcingEvent", event["id"]) == ["event.create", "event.publish"]


def test_a_stale_version_is_refused_with_409_and_changes_nothing(client, sourcing):
    s = sourcing
    event = _published(client, s)
    for path, body in (
        ("publish", {"version": 2}),  # current version, but published already
        ("cancel", {"version": 1}),
        ("extend", {"version": 1, "deadline": _iso(FUTURE + timedelta(days=1))}),
    ):
        response = client.post(
            f"/api/v1/events/{event['id']}/{path}", headers=s.headers["buyer_x"], json=body
        )
        assert response.status_code == 409, (path, response.json)
    stored = db.session.get(SourcingEvent, event["id"])
    db.session.refresh(stored)
    assert (stored.state, stored.version, stored.deadline) == ("published", 2, FUTURE)


def test_the_deadline_extends_later_only_and_is_audited(client, sourcing):
    s = sourcing
    event = _published(client, s)
    path = f"/api/v1/events/{event['id']}/extend"
    earlier = client.post(
        path,
        headers=s.headers["buyer_x"],
        json={"version": 2, "deadline": _iso(FUTURE - timedelta(days=1))},
    )
    assert earlier.status_code == 422 and "deadline" in earlier.json["errors"]
    later = FUTURE + timedelta(days=7)
    extended = client.post(
        path, headers=s.headers["buyer_x"], json={"version": 2, "deadline": _iso(later)}
    )
    assert extended.status_code == 200 and extended.json["deadline"].startswith(
        later.strftime("%Y-%m-%dT%H:%M")
    )
    assert _actions("SourcingEvent", event["id"])[-1] == "event.extend"


def test_bad_events_are_refused_naming_the_field(client, sourcing):
    s = sourcing
    cases = {
        "need_ids": {"need_ids": [s.need_y]},  # another organization's need
        "vendor_ids": {"vendor_ids": [999999]},
        "deadline": {"deadline": _iso(datetime.now(UTC) - timedelta(hours=1))},
        "min_quality": {"min_quality": 1.5},
        "evidence_required": {"evidence_required": "rumour"},
    }
    for field, change in cases.items():
        body = {
            "title": "Bad",
            "need_ids": s.need_ids,
            "vendor_ids": [s.vendors["a"].id],
            "deadline": _iso(FUTURE),
            **change,
        }
        response = client.post("/api/v1/events", headers=s.headers["buyer_x"], json=body)
        assert response.status_code == 422 and field in response.json["errors"], field
    assert db.session.scalar(select(SourcingEvent.id)) is None
    refused = client.post(
        "/api/v1/events",
        headers=s.headers["vendor_a"],
        json={"title": "x", "need_ids": [], "vendor_ids": [], "deadline": _iso(FUTURE)},
    )
    assert refused.status_code == 403


def test_an_invited_vendor_bids_and_amends_and_bad_bids_are_refused_naming_the_field(
    client, sourcing
):
    s = sourcing
    event = _published(client, s)
    hour_lot, item_lot = (lot["id"] for lot in event["lots"])
    bids = f"/api/v1/events/{event['id']}/bids"
    headers = s.headers["vendor_a"]
    other = _published(client, s, title="Other")  # a lot of another event
    refusals = {
        "unit": _bid(hour_lot, unit="task"),
        "price": _bid(hour_lot, price=0),
        "currency": _bid(hour_lot, currency="XYZ"),
        "lot_id": _bid(other["lots"][0]["id"]),
        "hours_per_unit": _bid(item_lot, unit="item"),  # an item lot needs the vendor's hours
        "valid_until": _bid(hour_lot, valid_until=date.today().isoformat()),
        "capacity": _bid(hour_lot, capacity=0),
    }
    for field, body in refusals.items():
        response = client.post(bids, headers=headers, json=body)
        assert response.status_code == 422 and field in response.json["errors"], (
            field,
            response.json,
        )
    assert db.session.scalar(select(Bid.id)) is None

    placed = client.post(bids, headers=headers, json=_bid(hour_lot))
    assert placed.status_code == 201, placed.json
    assert (placed.json["price"], placed.json["hours_per_unit"], placed.json["version"]) == (
        13.579,
        1.0,
        1,
    )
    again = client.post(bids, headers=headers, json=_bid(hour_lot, price=12))
    assert again.status_code == 409 and "lot_id" in again.json["errors"]
    item = client.post(bids, headers=headers, json=_bid(item_lot, unit="item", hours_per_unit=0.05))
    assert item.status_code == 201 and item.json["hours_per_unit"] == 0.05

    amend = {k: v for k, v in _bid(hour_lot, price=12.5).items() if k != "lot_id"}
    stale = client.put(
        f"/api/v1/bids/{placed.json['id']}", headers=headers, json={**amend, "version": 7}
    )
    assert stale.status_code == 409
    amended = client.put(
        f"/api/v1/bids/{placed.json['id']}", headers=headers, json={**amend, "version": 1}
    )
    assert amended.status_code == 200 and (amended.json["price"], amended.json["version"]) == (
        12.5,
        2,
    )
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Bid", AuditEvent.target_id == str(placed.json["id"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in history] == ["bid.place", "bid.amend"]
    assert history[1].changes["before"]["price"] == "13.5790"  # the old figure is kept
    assert history[1].organization_id == s.users["vendor_a"].organization_id

    # a vendor not invited does not see the event, so cannot bid on it
    assert client.post(bids, headers=s.headers["vendor_c"], json=_bid(hour_lot)).status_code == 404
    # the buyer side never bids
    assert client.post(bids, headers=s.headers["buyer_x"], json=_bid(hour_lot)).status_code == 403

    _past_deadline(event["id"])
    late = client.post(bids, headers=s.headers["vendor_b"], json=_bid(hour_lot))
    assert late.status_code == 409 and "deadline" in late.json["errors"]
    late_amend = client.put(
        f"/api/v1/bids/{placed.json['id']}", headers=headers, json={**amend, "version": 2}
    )
    assert late_amend.status_code == 409 and "deadline" in late_amend.json["errors"]
    assert db.session.scalar(select(Bid.price).where(Bid.id == placed.json["id"])) == 12.5


def _bid_both(client, s, event) -> tuple[int, int]:
    lot = event["lots"][0]["id"]
    bids = f"/api/v1/events/{event['id']}/bids"
    a = client.post(bids, headers=s.headers["vendor_a"], json=_bid(lot))
    b = client.post(
        bids, headers=s.headers["vendor_b"], json=_bid(lot, price=17.531, capacity=35790)
    )
    assert a.status_code == b.status_code == 201
    return a.json["id"], b.json["id"]


def test_sealed_bids_are_read_by_their_vendor_only_until_the_event_closes(client, sourcing):
    s = sourcing
    event = _published(client, s)
    bid_a, bid_b = _bid_both(client, s, event)
    bids = f"/api/v1/events/{event['id']}/bids"
    for actor in ("buyer_x", "executive_x", "admin_x"):
        assert client.get(bids, headers=s.headers[actor]).json == [], actor
        assert client.get(f"/api/v1/bids/{bid_a}", headers=s.headers[actor]).status_code == 404
        detail = client.get(f"/api/v1/events/{event['id']}", headers=s.headers[actor]).json
        assert [row["has_bid"] for row in detail["invited"]] == [True, True]  # whether, not what
    assert [b["id"] for b in client.get(bids, headers=s.headers["vendor_a"]).json] == [bid_a]
    assert client.get(f"/api/v1/bids/{bid_b}", headers=s.headers["vendor_a"]).status_code == 404
    assert (
        client.get(f"/api/v1/bids/{bid_b}", headers=s.headers["admin_vendor_b"]).status_code == 200
    )

    early = client.post(
        f"/api/v1/events/{event['id']}/close", headers=s.headers["buyer_x"], json={"version": 2}
    )
    assert early.status_code == 409  # sealed until the deadline
    assert client.get(bids, headers=s.headers["buyer_x"]).json == []

    _past_deadline(event["id"])
    assert client.get(bids, headers=s.headers["buyer_x"]).json == []  # still sealed until closed
    closed = client.post(
        f"/api/v1/events/{event['id']}/close", headers=s.headers["buyer_x"], json={"version": 2}
    )
    assert closed.status_code == 200 and closed.json["state"] == "closed"
    for actor in ("buyer_x", "executive_x", "admin_x"):
        read = client.get(bids, headers=s.headers[actor]).json
        assert sorted((b["vendor"], b["price"]) for b in read) == [
            ("Vendor A", 13.579),
            ("Vendor B", 17.531),
        ]
    assert client.get(f"/api/v1/bids/{bid_b}", headers=s.headers["vendor_a"]).status_code == 404
    for actor in ("buyer_y", "executive_y", "operator", "assurer", "vendor_c"):
        assert client.get(bids, headers=s.headers[actor]).status_code in (403, 404), actor
        assert client.get(f"/api/v1/bids/{bid_a}", headers=s.headers[actor]).status_code in (
            403,
            404,
        )
    assert _kinds(s.users["vendor_a"]) == ["event_published", "event_closed"]
    assert _actions("SourcingEvent", event["id"])[-1] == "event.close"


def test_an_unsealed_event_shows_its_bids_while_open_and_a_cancelled_one_never(client, sourcing):
    s = sourcing
    open_event = _published(client, s, sealed=False)
    _bid_both(client, s, open_event)
    read = client.get(f"/api/v1/events/{open_event['id']}/bids", headers=s.headers["buyer_x"])
    assert len(read.json) == 2
    closed = client.post(
        f"/api/v1/events/{open_event['id']}/close",
        headers=s.headers["buyer_x"],
        json={"version": 2},
    )
    assert closed.status_code == 200  # unsealed: it may close before its deadline

    sealed = _published(client, s, title="Sealed")
    _bid_both(client, s, sealed)
    cancelled = client.post(
        f"/api/v1/events/{sealed['id']}/cancel", headers=s.headers["buyer_x"], json={"version": 2}
    )
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    assert (
        client.get(f"/api/v1/events/{sealed['id']}/bids", headers=s.headers["buyer_x"]).json == []
    )
    assert _kinds(s.users["vendor_b"]).count("event_closed") == 2
    again = client.post(
        f"/api/v1/events/{sealed['id']}/cancel", headers=s.headers["buyer_x"], json={"version": 3}
    )
    assert again.status_code == 409


def test_another_buyer_organization_neither_sees_nor_changes_the_event(client, sourcing):
    s = sourcing
    event = _published(client, s)
    for actor in ("buyer_y", "executive_y"):
        assert (
            client.get(f"/api/v1/events/{event['id']}", headers=s.headers[actor]).status_code == 404
        )
        assert client.get("/api/v1/events", headers=s.headers[actor]).json == []
    for path in ("publish", "close", "cancel"):
        response = client.post(
            f"/api/v1/events/{event['id']}/{path}",
            headers=s.headers["buyer_y"],
            json={"version": 2},
        )
        assert response.status_code == 404, path
    assert client.get("/api/v1/events", headers=s.headers["vendor_c"]).json == []
    assert (
        client.get(f"/api/v1/events/{event['id']}", headers=s.headers["vendor_c"]).status_code
        == 404
    )
    assert db.session.get(SourcingEvent, event["id"]).state == "published"


def _get_routes(app) -> list[str]:
    """Every GET route of the events area (API and pages) and of its awards (what each vendor
    won, the award and its workbook), and the home and notification pages where events show."""
    paths = sorted(
        {
            path
            for path, method, endpoint, _ in route_rules(app)
            if method == "GET"
            and endpoint.split(".")[0] in ("events_api", "event_pages", "awards_api")
        }
    )
    return [*paths, "/", "/notifications"]


def _readable(response) -> str:
    """A response's text; for a workbook (a bid sheet), the values of every cell."""
    if response.mimetype != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        return response.text
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.data))
    return " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )


def test_no_get_route_leaks_a_sealed_bid_to_anyone_during_the_open_phase(
    app, client, sourcing, sign_in
):
    s = sourcing
    event = _published(client, s)
    bid_a, bid_b = _bid_both(client, s, event)
    lot = event["lots"][0]["id"]
    values = {"event_id": event["id"], "bid_id": bid_a, "lot_id": lot}
    routes = _get_routes(app)
    assert len(routes) >= 8  # the events API and pages are all there
    assert "/api/v1/events/<int:event_id>/award.xlsx" in routes  # and the award's
    # what each actor must never read: every figure it did not bid itself
    hidden = {actor: A_FIGURES + B_FIGURES for actor in s.users}
    hidden["vendor_a"] = B_FIGURES
    hidden["vendor_b"] = hidden["admin_vendor_b"] = A_FIGURES
    leaks, tried = [], 0
    for actor in ["anonymous", *s.users]:
        browser = app.test_client()
        if actor != "anonymous":
            sign_in(browser, s.users[actor])
        for route in routes:
            for bid_id in (bid_a, bid_b):
                url = route
                for name, value in {**values, "bid_id": bid_id}.items():
                    url = url.replace(f"<int:{name}>", str(value))
                response = browser.get(url)
                tried += 1
                assert response.status_code < 500, (actor, url)
                text = _readable(response)
                for figure in hidden.get(actor, A_FIGURES + B_FIGURES):
                    if figure in text:
                        leaks.append(f"{actor} {url}: {figure}")
    assert tried >= 12 * 8 * 2
    assert leaks == []
    # the vendors do read their own figures (so the search above can find them)
    own = app.test_client()
    sign_in(own, s.users["vendor_a"])
    assert "13.579" in own.get(f"/api/v1/bids/{bid_a}").text
    assert "13.58" in own.get(f"/events/{event['id']}").text
    assert "13.579" in _readable(own.get(f"/api/v1/events/{event['id']}/bid-sheet.xlsx"))


def test_the_pages_make_publish_bid_and_close_an_event(app, client, sourcing, sign_in):
    s = sourcing
    buyer = app.test_client()
    sign_in(buyer, s.users["buyer_x"])
    from tests.conftest import csrf_token_from

    token = csrf_token_from(buyer.get("/events/new").text)
    made = buyer.post(
        "/events/new",
        data={
            "csrf_token": token,
            "title": "Page event",
            "need_ids": [str(s.need_ids[0])],
            "vendor_ids": [str(s.vendors["a"].id)],
            "deadline": FUTURE.strftime("%Y-%m-%dT%H:%M"),
            "sealed": ["true", "false"],
            "evidence_required": "self_reported_documented",
        },
    )
    assert made.status_code == 302, made.text
    event = db.session.scalars(select(SourcingEvent)).one()
    # the evidence level reads as words, on the event's page and its bid form
    assert "evidence required: self-reported documented" in buyer.get(f"/events/{event.id}").text
    assert "self_reported" not in buyer.get(f"/events/{event.id}").text
    assert event.sealed is True and len(event.lots) == 1
    refused = buyer.post(
        "/events/new", data={"csrf_token": token, "title": "x", "deadline": "yesterday"}
    )
    assert refused.status_code == 422 and "deadline" in refused.text
    published = buyer.post(
        f"/events/{event.id}/publish", data={"csrf_token": token, "version": "1"}
    )
    assert published.status_code == 302
    db.session.refresh(event)
    assert event.state == "published"

    vendor = app.test_client()
    sign_in(vendor, s.users["vendor_a"])
    assert "Page event" in vendor.get("/").text  # on its home page
    lot = event.lots[0]
    form = vendor.get(f"/events/{event.id}/lots/{lot.id}/bid")
    assert form.status_code == 200
    assert "Evidence required: self-reported documented or stronger in every section." in form.text
    vendor_token = csrf_token_from(form.text)
    fields = {
        "csrf_token": vendor_token,
        "unit": "hour",
        "price": "0",
        "currency": "USD",
        "capacity": "24680",
        "valid_until": (FUTURE + timedelta(days=30)).date().isoformat(),
    }
    zero = vendor.post(f"/events/{event.id}/lots/{lot.id}/bid", data=fields)
    assert zero.status_code == 422 and "above 0" in zero.text
    placed = vendor.post(
        f"/events/{event.id}/lots/{lot.id}/bid", data={**fields, "price": "13.579"}
    )
    assert placed.status_code == 302
    amended = vendor.post(
        f"/events/{event.id}/lots/{lot.id}/bid", data={**fields, "price": "14", "version": "1"}
    )
    assert amended.status_code == 302
    assert db.session.scalar(select(Bid.price)) == 14

    page = buyer.get(f"/events/{event.id}")
    assert "Vendor A" in page.text and "yes" in page.text and "24,680" not in page.text
    assert "sealed until the event is closed" in page.text
    _past_deadline(event.id)
    closed = buyer.post(f"/events/{event.id}/close", data={"csrf_token": token, "version": "2"})
    assert closed.status_code == 302
    after = buyer.get(f"/events/{event.id}")
    assert "14.00 USD per hour" in after.text and "24,680" in after.text


def test_the_demo_has_a_published_event_with_one_sealed_bid(demo, client, bearer):
    from procure.accounts.models import User
    from procure.demo import DEMO_EVENT_TITLE

    # the demo's other event, closed and awarded, is procure/demo_award.py's
    (event,) = db.session.scalars(
        select(SourcingEvent).where(SourcingEvent.title == DEMO_EVENT_TITLE)
    ).all()
    assert (event.state, len(event.lots), len(event.invited)) == ("published", 2, 2)
    (bid,) = db.session.scalars(select(Bid).where(Bid.event_id == event.id)).all()
    kazidata = db.session.scalars(select(User).where(User.email == "vendor@kazidata.example")).one()
    assert bid.vendor.organization_id == kazidata.organization_id
    bids = f"/api/v1/events/{event.id}/bids"
    assert (
        client.get(bids, headers=bearer(demo, "demo-purchasing-pass")).json == []
    )  # Northwind's buyer: sealed
    assert [
        b["price"] for b in client.get(bids, headers=bearer(kazidata, "demo-kazidata-pass")).json
    ] == [8.4]


# ---------------------------------------------------------------- withdrawing a bid


def _stored_bids() -> list[tuple]:
    db.session.expire_all()
    return [
        (bid.id, bid.vendor_id, bid.lot_id, bid.price, bid.version)
        for bid in db.session.scalars(select(Bid).order_by(Bid.id))
    ]


def test_a_vendor_withdraws_its_bid_before_the_deadline_and_may_bid_again(client, sourcing):
    s = sourcing
    event = _published(client, s)
    bid_a, bid_b = _bid_both(client, s, event)
    lot = event["lots"][0]["id"]
    url = f"/api/v1/bids/{bid_a}/withdraw"
    before = _stored_bids()
    # a stale version: 409, nothing changed
    stale = client.post(url, headers=s.headers["vendor_a"], json={"version": 7})
    assert stale.status_code == 409 and "version" in stale.json["errors"]
    missing = client.post(url, headers=s.headers["vendor_a"], json={})
    assert missing.status_code == 422 and "version" in missing.json["errors"]
    assert _stored_bids() == before

    withdrawn = client.post(url, headers=s.headers["vendor_a"], json={"version": 1})
    assert withdrawn.status_code == 204, withdrawn.text
    assert [row[0] for row in _stored_bids()] == [bid_b]
    assert client.get(f"/api/v1/bids/{bid_a}", headers=s.headers["vendor_a"]).status_code == 404
    # withdrawing it again: 409, saying from which lot and when; another vendor still gets 404
    again = client.post(url, headers=s.headers["vendor_a"], json={"version": 1})
    assert again.status_code == 409, again.text
    assert again.json["message"].startswith("You withdrew this bid from lot Labelling on ")
    assert "already" in again.json["message"]
    for other in ("vendor_b", "admin_vendor_b"):
        assert client.post(url, headers=s.headers[other], json={"version": 1}).status_code == 404
    # the state change is audited under the vendor's organization, with the figures it had
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bid.withdraw")).one()
    assert audit.target_type == "Bid" and audit.target_id == str(bid_a)
    assert audit.organization_id == s.users["vendor_a"].organization_id
    assert audit.actor_id == s.users["vendor_a"].id
    assert audit.changes["before"]["price"] == "13.5790"
    assert audit.changes["before"]["lot_id"] == lot
    assert audit.changes["after"] == {"state": "withdrawn"}
    # sealed still: the buyer side reads no bid, and now that A has none
    detail = client.get(f"/api/v1/events/{event['id']}", headers=s.headers["buyer_x"]).json
    assert [row["has_bid"] for row in detail["invited"]] == [False, True]
    assert client.get(f"/api/v1/events/{event['id']}/bids", headers=s.headers["buyer_x"]).json == []

    # the lot may be bid on again until the deadline
    rebid = client.post(
        f"/api/v1/events/{event['id']}/bids",
        headers=s.headers["vendor_a"],
        json=_bid(lot, price=14.25),
    )
    assert rebid.status_code == 201, rebid.json
    # after the deadline: 409, the bid stays
    _past_deadline(event["id"])
    late = client.post(
        f"/api/v1/bids/{rebid.json['id']}/withdraw",
        headers=s.headers["vendor_a"],
        json={"version": 1},
    )
    assert late.status_code == 409 and "deadline" in late.json["errors"]
    closed = client.post(
        f"/api/v1/events/{event['id']}/close", headers=s.headers["buyer_x"], json={"version": 2}
    )
    assert closed.status_code == 200
    # the buyer reads the live bids only: A's new one, never the withdrawn figures
    read = client.get(f"/api/v1/events/{event['id']}/bids", headers=s.headers["buyer_x"])
    assert sorted((b["vendor"], b["price"]) for b in read.json) == [
        ("Vendor A", 14.25),
        ("Vendor B", 17.531),
    ]
    assert "13.579" not in read.text
    assert client.get(f"/api/v1/bids/{bid_a}", headers=s.headers["buyer_x"]).status_code == 404
    after_close = client.post(
        f"/api/v1/bids/{rebid.json['id']}/withdraw",
        headers=s.headers["vendor_a"],
        json={"version": 1},
    )
    assert after_close.status_code == 409


def test_the_buyer_side_reads_a_withdrawal_as_withdrawn_never_its_figures(
    app, client, sourcing, sign_in
):
    """Before migration 0039 a vendor that withdrew its only bid read "not yet", as if it never
    bid. Now the lot keeps when (`LotWithdrawal`, 0043): "withdrawn" until it bids again."""
    s = sourcing
    event = _published(client, s)
    bid_a, _ = _bid_both(client, s, event)
    url = f"/api/v1/events/{event['id']}"

    def statuses():
        invited = client.get(url, headers=s.headers["buyer_x"]).json["invited"]
        return [(row["name"], row["status"], row["has_bid"]) for row in invited]

    assert statuses() == [("Vendor A", "bid", True), ("Vendor B", "bid", True)]
    withdrawn = client.post(
        f"/api/v1/bids/{bid_a}/withdraw", headers=s.headers["vendor_a"], json={"version": 1}
    )
    assert withdrawn.status_code == 204
    assert statuses() == [("Vendor A", "withdrawn", False), ("Vendor B", "bid", True)]
    row = client.get(url, headers=s.headers["buyer_x"]).json["invited"][0]
    withdrawal = db.session.scalars(
        select(LotWithdrawal).where(LotWithdrawal.vendor_id == s.vendors["a"].id)
    ).one()
    assert row["withdrawn_at"] == withdrawal.withdrawn_at.isoformat()
    buyer = app.test_client()
    sign_in(buyer, s.users["buyer_x"])
    page = buyer.get(f"/events/{event['id']}").text
    when = withdrawal.withdrawn_at.strftime("%Y-%m-%d %H:%M")
    lot = event["lots"][0]["title"]
    assert (
        f'<td>Vendor A</td><td>withdrawn<br><span class="muted small">withdrawn from lot {lot} '
        f"on {when} UTC</span>"
    ) in page
    assert "13.58" not in page and "13.579" not in page  # sealed: never the figures
    # a vendor reads no invited list at all
    assert client.get(url, headers=s.headers["vendor_b"]).json["invited"] == []
    # bidding again is "bid" again; the moment of the withdrawal stays
    rebid = client.post(
        f"{url}/bids", headers=s.headers["vendor_a"], json=_bid(event["lots"][0]["id"])
    )
    assert rebid.status_code == 201
    assert statuses() == [("Vendor A", "bid", True), ("Vendor B", "bid", True)]


def test_nobody_but_the_bids_vendor_withdraws_it(client, sourcing, make_user, bearer):
    """Another vendor (and its admin): 404, as for reading the bid; the buyer side of the event
    and another buyer organization (its buyer, executive and admin): 403, as for amending it.
    Each also tries the amendment route, to show the two answer alike.
    Nothing changes, and nothing is audited."""
    s = sourcing
    event = _published(client, s)
    bid_a, _ = _bid_both(client, s, event)
    admin_y = bearer(make_user("admin", organization=s.users["buyer_y"].organization))
    before = _stored_bids()
    url = f"/api/v1/bids/{bid_a}/withdraw"
    for headers, status in (
        (s.headers["vendor_b"], 404),
        (s.headers["admin_vendor_b"], 404),
        (s.headers["vendor_c"], 404),
        (s.headers["buyer_x"], 403),
        (s.headers["executive_x"], 403),
        (s.headers["buyer_y"], 403),
        (s.headers["executive_y"], 403),
        (admin_y, 403),
        (s.headers["operator"], 403),
    ):
        response = client.post(url, headers=headers, json={"version": 1})
        assert response.status_code == status, (headers, response.status_code)
        figures = {key: value for key, value in _bid(0).items() if key != "lot_id"}
        amend = client.put(f"/api/v1/bids/{bid_a}", headers=headers, json={**figures, "version": 1})
        assert amend.status_code == status
    assert _stored_bids() == before
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bid.withdraw")).all()
        == []
    )


def test_the_vendor_withdraws_from_its_event_page_after_confirming(app, client, sourcing, sign_in):
    from tests.conftest import csrf_token_from

    s = sourcing
    event = _published(client, s)
    bid_a, bid_b = _bid_both(client, s, event)
    vendor = app.test_client()
    sign_in(vendor, s.users["vendor_a"])
    page = vendor.get(f"/events/{event['id']}").text
    action = f'action="/events/{event["id"]}/bids/{bid_a}/withdraw"'
    assert action in page
    assert 'data-confirm="Withdraw your bid on “Labelling”?' in page
    assert f"/bids/{bid_b}/withdraw" not in page  # never another vendor's
    token = csrf_token_from(page)
    url = f"/events/{event['id']}/bids/{bid_a}/withdraw"
    before = _stored_bids()
    # another vendor's user: 404; the buyer: 403; nothing changed
    other = app.test_client()
    sign_in(other, s.users["vendor_b"])
    other_token = csrf_token_from(other.get(f"/events/{event['id']}").text)
    assert other.post(url, data={"csrf_token": other_token, "version": "1"}).status_code == 404
    buyer = app.test_client()
    sign_in(buyer, s.users["buyer_x"])
    buyer_token = csrf_token_from(buyer.get(f"/events/{event['id']}").text)
    assert buyer.post(url, data={"csrf_token": buyer_token, "version": "1"}).status_code == 403
    # the bid of another event's path: 404
    elsewhere = _published(client, s, title="Elsewhere")
    wrong = vendor.post(
        f"/events/{elsewhere['id']}/bids/{bid_a}/withdraw",
        data={"csrf_token": token, "version": "1"},
    )
    assert wrong.status_code == 404
    # a stale version: refused and said, nothing changed
    stale = vendor.post(url, data={"csrf_token": token, "version": "5"}, follow_redirects=True)
    assert "was changed since you loaded it" in stale.text
    assert _stored_bids() == before

    done = vendor.post(url, data={"csrf_token": token, "version": "1"})
    assert done.status_code == 302
    shown = vendor.get(done.headers["Location"]).text
    assert "Your bid is withdrawn" in shown
    assert f"/bids/{bid_a}/withdraw" not in shown and "13.58" not in shown
    assert [row[0] for row in _stored_bids()] == [bid_b]
    # a second press (another tab): 409 on the event's page, saying so; another vendor: 404
    twice = vendor.post(url, data={"csrf_token": token, "version": "1"})
    assert twice.status_code == 409
    assert "You withdrew this bid from lot Labelling on " in twice.text
    assert other.post(url, data={"csrf_token": other_token, "version": "1"}).status_code == 404
    assert (
        vendor.post(
            f"/events/{elsewhere['id']}/bids/{bid_a}/withdraw",
            data={"csrf_token": token, "version": "1"},
        ).status_code
        == 404
    )
    # past the deadline the page offers no withdrawal, and a post is refused (409, said)
    rebid = client.post(
        f"/api/v1/events/{event['id']}/bids",
        headers=s.headers["vendor_a"],
        json=_bid(event["lots"][0]["id"]),
    ).json
    _past_deadline(event["id"])
    page = vendor.get(f"/events/{event['id']}").text
    assert "/withdraw" not in page
    late = vendor.post(
        f"/events/{event['id']}/bids/{rebid['id']}/withdraw",
        data={"csrf_token": token, "version": "1"},
        follow_redirects=True,
    )
    assert "Bids were taken until" in late.text
    assert rebid["id"] in [row[0] for row in _stored_bids()]
