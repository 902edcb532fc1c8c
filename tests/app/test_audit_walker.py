"""The audit walker: every state-changing route of the URL map, made to succeed, writes an audit
event.

`STEPS` says, for each POST/PUT/PATCH/DELETE route (pages and API), who calls it, how to make
the call succeed (the records it needs, the path ids, the body) and which audit actions it
must write, with the calling user as their actor. A route that changes nothing (a preview, a
what-if) declares no action: the walker checks then that no table changed at all. A
state-changing route missing from the table fails the test.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select

from procure.access import route_rules
from procure.audit.models import AuditEvent
from procure.events.models import Bid
from procure.extensions import db
from procure.notifications.models import Notification
from tests.app.walking import NEED, World, default_settings, fill
from tests.conftest import PDF, TEST_PASSWORD, disclosure_form_fields, metric_body, valid_document

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
OFFER = {
    "service_category": "data_annotation",
    "unit": "hour",
    "price": 7,
    "currency": "USD",
    "capacity_per_period": 5000,
    "quality": 0.93,
}


def database_rows() -> dict[str, list]:
    """Every row of every table, to show that a request changed nothing."""
    db.session.commit()  # a fresh snapshot (SQLite keeps the read transaction's)
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        ]
        for table in db.metadata.sorted_tables
    }


@dataclass(frozen=True)
class Step:
    """How to make one route succeed, and what it must write to the audit log.

    `prepare(world)` returns the path ids and the body (JSON for the API, form fields for pages;
    a (file, name) tuple makes it multipart). An empty `actions` means the route changes nothing.
    """

    actor: str
    actions: tuple[str, ...]
    prepare: Callable[[World], tuple[dict, dict]] = lambda w: ({}, {})
    anonymous: bool = False  # called without a session or token (signing in)
    own_session: bool = False  # a page session of its own (it ends or renews the session)


def _queued_coalition_report(w: World) -> int:
    """A queued job its starter may cancel (a re-scoring job is the system's: nobody cancels
    it); never run here, so its params need not name a real coalition."""
    return w.job("queued", kind="report.coalition_pdf", params={})


def _plan_share_on(w: World) -> bool:
    """Whether the admin's organization lets vendors see their share of its approved plans."""
    from procure.accounts.models import Organization

    organization = db.session.get(Organization, w.users["admin"].organization_id)
    assert organization is not None
    db.session.refresh(organization)
    return organization.vendors_see_plan_share


def _page_form(document: dict, **extra) -> dict:
    return {**disclosure_form_fields(document), **extra}


def _need_form(**extra) -> dict:
    form = {k: str(v) for k, v in NEED.items()}
    return {**form, **extra}


def _draft_form(w: World) -> tuple[dict, dict]:
    draft = w.draft()
    document = valid_document()
    document["training"]["employees_trained"] = 90
    return {"disclosure_id": draft["id"]}, _page_form(
        document, edit_version=str(draft["edit_version"])
    )


def _offer_form(**extra) -> dict:
    return {**{k: str(v) for k, v in OFFER.items()}, "active": "on", **extra}


def _what_if_form() -> dict:
    return {"impact_workers_end": "80"}


def _metric_form(w: World) -> dict:
    key = f"page_metric_{next(w.counter)}"
    return {
        "key": key,
        "label": "Page metric",
        "formula": "impact_workers_end / headcount_end",
        "unit": "ratio",
        "direction": "higher",
        "section": "workforce",
        "source": "walk",
        "goalposts.low": "0",
        "goalposts.high": "1",
    }


def _profile_form(w: World) -> dict:
    return {
        "name": w.unique("Page profile"),
        "action": "save",
        "pillar_weights.impact": "0.5",
        "pillar_weights.cost": "0.3",
        "pillar_weights.quality": "0.2",
    }


def _csv_upload(w: World) -> dict:
    return {"file": (io.BytesIO(w.flat_csv()), "disclosures.csv")}


def _evidence_upload() -> dict:
    return {
        "section": "wages",
        "level": "self_reported_documented",
        "file": (io.BytesIO(PDF), "payroll.pdf"),
    }


def _wages_section(w: World) -> dict:
    """The wages section of a submitted version with a payroll file in it (a section without a
    file cannot be verified)."""
    draft = w.draft()
    uploaded = w.call(
        "vendor", "POST", f"/api/v1/disclosures/{draft['id']}/evidence", _evidence_upload()
    )
    assert uploaded.status_code == 201, uploaded.text
    w.api("vendor", "POST", f"/api/v1/disclosures/{draft['id']}/submit")
    return {"disclosure_id": draft["id"], "section": "wages"}


def _scenario_id(status: str = "solved"):
    return lambda w: ({"scenario_id": w.scenario(status)["id"]}, {})


def _rule_form(w: World, fields: dict[str, str]) -> tuple[dict, dict]:
    """An award rule form of a solved scenario's page: `fields` with "{need}" and "{vendor}"
    standing for its first need and the world's vendor, and the version loaded."""
    scenario = w.scenario()
    ids = {"need": str(scenario["need_ids"][0]), "vendor": str(w.vendor.id)}
    return (
        {"scenario_id": scenario["id"]},
        {key: value.format(**ids) for key, value in fields.items()}
        | {"version": str(scenario["version"])},
    )


def _new_organization(w: World) -> dict:
    number = next(w.counter)
    return {
        "name": f"Walk Org {number}",
        "kind": "vendor",
        "admin_email": f"first-admin{number}@example.test",
        "admin_name": "First Admin",
        "admin_password": TEST_PASSWORD,
    }


def _provider(w: World) -> int:
    """The walk world's assurance provider, with its assurer (made once): its organization id."""
    if "assurer" not in w.users:
        from procure.accounts.models import Organization

        provider = Organization(name="Walk Assurance", kind="assurance")
        db.session.add(provider)
        db.session.commit()
        w.users["assurer"] = w._make_user("assurer", organization=provider)
        w.headers["assurer"] = w._bearer(w.users["assurer"])
    return w.users["assurer"].organization_id


def _grant(w: World) -> dict:
    """A new submitted version of the walk vendor, shared with the assurance provider."""
    version = w.submitted_disclosure()
    return w.api(
        "vendor",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": version["id"], "provider_id": _provider(w)},
    )


def _attestation(w: World) -> dict:
    """The fields and statement of an attestation of the wages section."""
    return {
        "section": "wages",
        "standard": "ISAE 3000",
        "level": "limited",
        "opinion": "unqualified",
        "issued_on": date.today().isoformat(),
        "expires_on": (date.today() + timedelta(days=365)).isoformat(),
        "file": (io.BytesIO(PDF), "statement.pdf"),
    }


def _issued(w: World) -> int:
    """An attestation the walk world's assurer issued (on a new shared version): its id."""
    grant = _grant(w)
    return w.api(
        "assurer",
        "POST",
        "/api/v1/attestations",
        data=_attestation(w) | {"disclosure_id": str(grant["disclosure_id"])},
        content_type="multipart/form-data",
    )["id"]


def _deactivated_user(w: World) -> int:
    """A deactivated colleague of the walk world's admin (in its organization)."""
    from procure.accounts.models import User

    user = db.session.get(User, w.locked_user())
    user.active = False
    db.session.commit()
    return user.id


def _unread(w: World) -> int:
    """An unread notification of the walk world's buyer: a disclosure submitted for review."""
    disclosure_id = w.submitted_disclosure()["id"]
    return db.session.scalars(
        select(Notification.id).where(
            Notification.user_id == w.users["buyer"].id,
            Notification.subject_type == "Disclosure",  # a scenario's may share the number
            Notification.subject_id == disclosure_id,
            Notification.read_at.is_(None),
        )
    ).one()


def _campaign_body(w: World) -> dict:
    """A campaign of the walk world's buyer asking its vendor (registered: no 2030 disclosure)."""
    deadline = date.today() + timedelta(days=30)
    return {"year": 2030, "deadline": deadline.isoformat(), "vendor_ids": [w.vendor.id]}


def _campaign(w: World) -> int:
    return w.api("buyer", "POST", "/api/v1/campaigns", json=_campaign_body(w))["id"]


def _late_campaign(w: World) -> int:
    """A campaign whose vendor no campaign reminded today: a vendor gets one reminder a day,
    whichever campaign sends it, and the walk world has one vendor."""
    from procure.campaigns.models import VendorReminderDay

    db.session.execute(delete(VendorReminderDay))
    db.session.commit()
    return _campaign(w)


def _closed_campaign(w: World) -> int:
    campaign_id = _campaign(w)
    w.api("buyer", "POST", f"/api/v1/campaigns/{campaign_id}/close")
    return campaign_id


def _event_body(w: World, **changes) -> dict:
    """A sourcing event of the walk world's buyer: its need as the lot, its vendor invited."""
    deadline = date.today() + timedelta(days=30)
    return {
        "title": w.unique("Walk event"),
        "need_ids": [w.need["id"]],
        "vendor_ids": [w.vendor.id],
        "deadline": f"{deadline.isoformat()}T12:00:00Z",
        **changes,
    }


def _draft_event(w: World, **changes) -> dict:
    return w.api("buyer", "POST", "/api/v1/events", json=_event_body(w, **changes))


def _open_event(w: World, **changes) -> dict:
    """A published event (version 2) whose deadline is ahead."""
    event = _draft_event(w, **changes)
    return w.api("buyer", "POST", f"/api/v1/events/{event['id']}/publish", json={"version": 1})


BID_FIELDS = {"price": 8, "currency": "USD", "unit": "hour", "capacity": 500}


def _approved(w: World) -> int:
    return w.scenario("approved")["id"]


def _delivery_body(w: World, scenario_id: int) -> dict:
    """A delivery of the plan's first allocation line in January 2026."""
    result = w.api("buyer", "GET", f"/api/v1/scenarios/{scenario_id}/result.json")
    first = result["allocations"][0]
    return {
        "vendor_id": int(first["vendor"][1:]),
        "need_id": int(first["need"][1:]),
        "month": "2026-01",
        "delivered_volume": 10,
        "invoiced_amount": 80,
    }


def _delivered(w: World) -> dict:
    """The ids of a delivery recorded against a new approved plan."""
    plan = _approved(w)
    url = f"/api/v1/scenarios/{plan}/deliveries"
    row = w.api("buyer", "POST", url, json=_delivery_body(w, plan))
    return {"scenario_id": plan, "delivery_id": row["id"]}


def _delivery_file(w: World, scenario_id: int) -> dict:
    body = _delivery_body(w, scenario_id)
    columns = ",".join(body)
    values = ",".join(str(value) for value in body.values())
    return {"file": (io.BytesIO(f"{columns}\n{values}\n".encode()), "erp.csv")}


PLAN_ACTION = {"text": "Hire a second cohort", "on": "2999-01-01"}


def _plan_body(w: World, vendor_id: int | None = 0) -> dict:
    """A corrective action plan of the buyer on the walk vendor's impact-worker share (55 of 115,
    0.478: a target of 0.9 is not met yet); without `vendor_id` for the page's form."""
    body = {
        "metric": "impact_worker_share",
        "target": 0.9,
        "due_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    return body if vendor_id is None else {**body, "vendor_id": w.vendor.id}


def _open_plan(w: World) -> int:
    return w.api("buyer", "POST", "/api/v1/corrective-plans", json=_plan_body(w))["id"]


def _bid_body() -> dict:
    return {**BID_FIELDS, "valid_until": (date.today() + timedelta(days=90)).isoformat()}


def _bid_sheet(w: World) -> tuple[dict, dict]:
    """An open event, and its bid sheet as the vendor downloads it with the first lot's figures
    filled in (a bid placed through the sheet)."""
    from openpyxl import load_workbook

    event = _open_event(w)
    sheet = w.api_client.get(
        f"/api/v1/events/{event['id']}/bid-sheet.xlsx", headers=w.headers["vendor"]
    )
    workbook = load_workbook(io.BytesIO(sheet.data))
    body = _bid_body()
    for column, name in zip("FGIJ", ("price", "currency", "capacity", "valid_until"), strict=True):
        workbook["Bids"][f"{column}2"] = body[name]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"event_id": event["id"]}, {"file": (io.BytesIO(buffer.getvalue()), "bids.xlsx")}


def _placed_bid(w: World) -> int:
    event = _open_event(w)
    body = {**_bid_body(), "lot_id": event["lots"][0]["id"]}
    return w.api("vendor", "POST", f"/api/v1/events/{event['id']}/bids", json=body)["id"]


COALITION = {
    "name": "Walk coalition",
    "charter": "Together.",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}
COALITION_TARGET = {
    "measure": "impact_worker_jobs",
    "value": "10",
    "label": "Walk target",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}


def _backbone(w: World) -> dict:
    """The walk world's backbone with its coordinator (made once); no path ids."""
    if "coordinator" not in w.users:
        from procure.accounts.models import Organization

        backbone = Organization(name="Walk Backbone", kind="backbone")
        db.session.add(backbone)
        db.session.commit()
        w.users["coordinator"] = w._make_user("coordinator", organization=backbone)
        w.headers["coordinator"] = w._bearer(w.users["coordinator"])
    return {}


def _coalition(w: World) -> int:
    """A coalition of the walk world's backbone."""
    _backbone(w)
    return w.api("coordinator", "POST", "/api/v1/coalitions", json=COALITION)["id"]


def _coalition_inviting(w: World, accepted: bool = False) -> int:
    """A coalition that invited the walk world's buyer organization (which accepted, or not)."""
    coalition_id = _coalition(w)
    w.api(
        "coordinator",
        "POST",
        f"/api/v1/coalitions/{coalition_id}/members",
        json={"organization_id": w.users["buyer"].organization_id},
    )
    if accepted:
        w.api("executive", "POST", f"/api/v1/coalitions/{coalition_id}/membership/accept")
    return coalition_id


def _coalition_target(w: World) -> dict:
    coalition_id = _coalition(w)
    target = w.api(
        "coordinator", "POST", f"/api/v1/coalitions/{coalition_id}/targets", json=COALITION_TARGET
    )
    return {"coalition_id": coalition_id, "target_id": target["id"]}


def _coalition_metric(w: World) -> dict:
    """A metric of a coalition of the walk world's backbone."""
    coalition_id = _coalition(w)
    body = metric_body(f"coalition_metric_{next(w.counter)}", source="walk")
    metric = w.api("coordinator", "POST", f"/api/v1/coalitions/{coalition_id}/metrics", json=body)
    return {"coalition_id": coalition_id, "metric_id": metric["id"]}


def _new_address(w: World) -> str:
    """A vendor's address that no campaign of the walk world invited yet."""
    return f"more{next(w.counter)}@walk.test"


def _invitation(w: World) -> dict:
    """A pending invitation of the walk world's buyer organization, with its link's secret."""
    created = w.api(
        "buyer", "POST", "/api/v1/invitations", json={"email": f"v{next(w.counter)}@walk.test"}
    )
    return {"invitation_id": created["id"], "token": created["link"].rsplit("/", 1)[1]}


def _new_rate(w: World) -> dict:
    """A CAD rate for a day no other step uses (CAD has no seeded rate)."""
    day = date(2000, 1, 1) + timedelta(days=next(w.counter))
    return {
        "currency": "CAD",
        "effective_date": day.isoformat(),
        "usd_per_unit": "0.73",
        "source": "Walk",
    }


def _rate_id(w: World, spare: bool = False) -> int:
    """An operator's CAD rate; with `spare`, one of two, so that it may be removed."""
    if spare:
        w.api("operator", "POST", "/api/v1/exchange-rates", json=_new_rate(w))
    return w.api("operator", "POST", "/api/v1/exchange-rates", json=_new_rate(w))["id"]


def _new_category(w: World) -> dict:
    """A service category of a key no other step uses."""
    number = next(w.counter)
    return {"key": f"walk_{number}", "label": f"Walk {number}", "unit": "task"}


def _category_id(w: World) -> int:
    """A category of the operator's, at version 1."""
    return w.api("operator", "POST", "/api/v1/service-categories", json=_new_category(w))["id"]


S = Step


def _rule_fix(w: World) -> tuple[dict, dict]:
    """An infeasible plan whose one vendor is capped at 30 % of the need it alone offers for:
    the explanation's fix raises the cap."""
    vendor = w.vendor.id
    scenario = w.api(
        "buyer",
        "POST",
        "/api/v1/scenarios",
        json={
            "name": w.unique("Capped plan"),
            "need_ids": [w.need["id"]],
            "targets": {
                "vendor_groups": [
                    {"id": "walk", "vendors": [vendor], "measure": "hours", "max_share": 0.3}
                ]
            },
        },
    )
    assert scenario["status"] == "infeasible", scenario
    result = w.api("buyer", "GET", f"/api/v1/scenarios/{scenario['id']}/result.json")
    field = result["explanation"]["rules"][0]["field"]
    return {"scenario_id": scenario["id"]}, {"field": field, "version": str(scenario["version"])}


STEPS: dict[tuple[str, str], Step] = {
    # ---------------------------------------------------------------- accounts
    ("/api/v1/auth/tokens", "POST"): S(
        "vendor",
        ("auth.sign_in", "token.create"),
        lambda w: ({}, {"email": w.users["vendor"].email, "password": TEST_PASSWORD}),
        anonymous=True,
    ),
    ("/api/v1/auth/tokens/<int:token_id>", "DELETE"): S(
        "vendor", ("token.revoke",), lambda w: ({"token_id": w.token_id("vendor")}, {})
    ),
    ("/api/v1/organizations", "POST"): S(
        "operator",
        ("organization.create", "user.create"),
        lambda w: ({}, _new_organization(w)),
    ),
    ("/admin/organizations", "POST"): S(
        "operator",
        ("organization.create", "user.create"),
        lambda w: ({}, _new_organization(w)),
    ),
    ("/api/v1/users/<int:user_id>/deactivate", "POST"): S(
        "admin", ("user.deactivated",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/admin/users/<int:user_id>/deactivate", "POST"): S(
        "admin", ("user.deactivated",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/api/v1/users/<int:user_id>/reactivate", "POST"): S(
        "admin", ("user.reactivated",), lambda w: ({"user_id": _deactivated_user(w)}, {})
    ),
    ("/admin/users/<int:user_id>/reactivate", "POST"): S(
        "admin", ("user.reactivated",), lambda w: ({"user_id": _deactivated_user(w)}, {})
    ),
    ("/api/v1/users/<int:user_id>/tokens/revoke", "POST"): S(
        "admin", ("user.tokens_revoked",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/admin/users/<int:user_id>/tokens/revoke", "POST"): S(
        "admin", ("user.tokens_revoked",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/api/v1/users", "POST"): S(
        "admin",
        ("user.create",),
        lambda w: (
            {},
            {
                "organization_id": w.users["buyer"].organization_id,
                "email": f"walk{next(w.counter)}@example.test",
                "name": "Walk User",
                "role": "buyer",
                "password": TEST_PASSWORD,
            },
        ),
    ),
    ("/sign-in", "POST"): S(
        "buyer",
        ("auth.sign_in",),
        lambda w: ({}, {"email": w.users["buyer"].email, "password": TEST_PASSWORD}),
        anonymous=True,
    ),
    ("/sign-out", "POST"): S("executive", ("auth.sign_out",), own_session=True),
    ("/account/password", "POST"): S(
        "member",
        ("user.password_change",),
        lambda w: (
            {},
            {
                "current_password": TEST_PASSWORD,
                "new_password": "another-long-passphrase",
                "confirm_password": "another-long-passphrase",
            },
        ),
        own_session=True,
    ),
    ("/api/v1/users/<int:user_id>/unlock", "POST"): S(
        "admin", ("user.unlocked",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/admin/users/<int:user_id>/unlock", "POST"): S(
        "admin", ("user.unlocked",), lambda w: ({"user_id": w.locked_user()}, {})
    ),
    ("/api/v1/users/<int:user_id>/password", "POST"): S(
        "admin",
        ("user.password_reset",),
        lambda w: ({"user_id": w.locked_user()}, {"password": "a fresh unusual passphrase"}),
    ),
    ("/admin/users/<int:user_id>/password", "POST"): S(
        "admin",
        ("user.password_reset",),
        lambda w: (
            {"user_id": w.locked_user()},
            {
                "password": "a fresh unusual passphrase",
                "confirm_password": "a fresh unusual passphrase",
            },
        ),
    ),
    ("/account", "POST"): S("buyer", ("token.create",), lambda w: ({}, {"name": "Page token"})),
    ("/account/tokens/<int:token_id>/revoke", "POST"): S(
        "vendor", ("token.revoke",), lambda w: ({"token_id": w.token_id("vendor")}, {})
    ),
    ("/admin/users", "POST"): S(
        "admin",
        ("user.create",),
        lambda w: (
            {},
            {
                "organization_id": str(w.users["buyer"].organization_id),
                "name": "Page User",
                "email": f"page{next(w.counter)}@example.test",
                "role": "buyer",
                "password": TEST_PASSWORD,
            },
        ),
    ),
    # ---------------------------------------------------------------- invitations
    ("/api/v1/invitations", "POST"): S(
        "buyer",
        ("invitation.create",),
        lambda w: ({}, {"email": f"api{next(w.counter)}@walk.test", "message": "Welcome"}),
    ),
    ("/invitations", "POST"): S(
        "buyer",
        ("invitation.create",),
        lambda w: ({}, {"email": f"page{next(w.counter)}@walk.test", "message": ""}),
    ),
    ("/api/v1/invitations/<int:invitation_id>/revoke", "POST"): S(
        "buyer",
        ("invitation.revoke",),
        lambda w: ({"invitation_id": _invitation(w)["invitation_id"]}, {}),
    ),
    ("/invitations/<int:invitation_id>/revoke", "POST"): S(
        "buyer",
        ("invitation.revoke",),
        lambda w: ({"invitation_id": _invitation(w)["invitation_id"]}, {}),
    ),
    # the signed-in vendor accepts for its organization (registering a new one is done by a user
    # who exists only after the request: tests/app/test_invitations.py checks its events)
    ("/invitations/<token>", "POST"): S(
        "vendor", ("invitation.accept",), lambda w: ({"token": _invitation(w)["token"]}, {})
    ),
    # ---------------------------------------------------------------- vendors
    ("/api/v1/vendors", "POST"): S(
        "new_vendor",
        ("vendor.create",),
        lambda w: ({}, {"name": "New Walk Vendor", "country": "KE"}),
    ),
    ("/api/v1/vendors/<int:vendor_id>", "PATCH"): S(
        "vendor",
        ("vendor.update",),
        lambda w: (
            {"vendor_id": w.vendor.id},
            {
                "description": w.unique("Walked"),
                "version": w.api("vendor", "GET", f"/api/v1/vendors/{w.vendor.id}")["version"],
            },
        ),
    ),
    ("/api/v1/vendors/<int:vendor_id>/offers", "POST"): S(
        "vendor", ("offer.create",), lambda w: ({"vendor_id": w.vendor.id}, OFFER)
    ),
    ("/api/v1/offers/<int:offer_id>", "PATCH"): S(
        "vendor",
        ("offer.update",),
        lambda w: (
            {"offer_id": w.vendor.offers[0].id},
            {
                "quality": 0.96,
                "version": w.api("vendor", "GET", f"/api/v1/offers/{w.vendor.offers[0].id}")[
                    "version"
                ],
            },
        ),
    ),
    ("/vendor/profile", "POST"): S(
        "vendor",
        ("vendor.update",),
        lambda w: (
            {},
            {
                "name": "Walk Vendor",
                "country": "KE",
                "description": w.unique("Page walked"),
                "service_categories": "data_annotation",
                "sites.0.name": "Nairobi CBD",
                "sites.0.city": "Nairobi",
                "sites.0.country": "KE",
                "version": str(w.api("vendor", "GET", f"/api/v1/vendors/{w.vendor.id}")["version"]),
            },
        ),
    ),
    ("/vendor/offers", "POST"): S("vendor", ("offer.create",), lambda w: ({}, _offer_form())),
    ("/vendor/offers/<int:offer_id>", "POST"): S(
        "vendor",
        ("offer.update",),
        lambda w: (
            {"offer_id": w.vendor.offers[0].id},
            _offer_form(
                quality="0.94",
                version=str(
                    w.api("vendor", "GET", f"/api/v1/offers/{w.vendor.offers[0].id}")["version"]
                ),
            ),
        ),
    ),
    # ---------------------------------------------------------------- disclosures
    ("/api/v1/disclosures", "POST"): S(
        "vendor",
        ("disclosure.create",),
        lambda w: ({}, {"vendor_id": w.vendor.id, **valid_document("1999-01-01", "1999-12-31")}),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>", "PATCH"): S(
        "vendor",
        ("disclosure.update",),
        lambda w: (
            lambda d: (
                {"disclosure_id": d["id"]},
                {"edit_version": d["edit_version"], "evidence": {"workforce": "self_reported"}},
            )
        )(w.draft()),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>/submit", "POST"): S(
        "vendor",
        ("disclosure.submit", "job.start"),
        lambda w: ({"disclosure_id": w.draft()["id"]}, {}),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>/review", "POST"): S(
        "buyer",
        ("disclosure.verify",),
        lambda w: ({"disclosure_id": w.submitted_disclosure()["id"]}, {"decision": "verified"}),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>/sections/<section>/review", "POST"): S(
        "buyer",
        ("disclosure.section_verify",),
        lambda w: (_wages_section(w), {"decision": "verified"}),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>/amend", "POST"): S(
        "vendor",
        ("disclosure.amend",),
        lambda w: ({"disclosure_id": w.submitted_disclosure()["id"]}, {}),
    ),
    ("/api/v1/disclosures/<int:disclosure_id>/evidence", "POST"): S(
        "vendor",
        ("evidence.upload",),
        lambda w: ({"disclosure_id": w.draft()["id"]}, _evidence_upload()),
    ),
    ("/api/v1/disclosures/import", "POST"): S(
        "vendor", ("disclosure.create",), lambda w: ({}, _csv_upload(w))
    ),
    ("/vendor/disclosures", "POST"): S(
        "vendor",
        ("disclosure.create",),
        lambda w: ({}, {"period_start": "1998-01-01", "period_end": "1998-12-31"}),
    ),
    ("/disclosures/<int:disclosure_id>", "POST"): S("vendor", ("disclosure.update",), _draft_form),
    ("/disclosures/<int:disclosure_id>/amend", "POST"): S(
        "vendor",
        ("disclosure.amend",),
        lambda w: ({"disclosure_id": w.submitted_disclosure()["id"]}, {}),
    ),
    ("/disclosures/<int:disclosure_id>/review", "POST"): S(
        "buyer",
        ("disclosure.reject",),
        lambda w: (
            {"disclosure_id": w.submitted_disclosure()["id"]},
            {"decision": "rejected", "comment": "Payroll missing"},
        ),
    ),
    ("/disclosures/<int:disclosure_id>/sections/<section>/review", "POST"): S(
        "buyer",
        ("disclosure.section_reject",),
        lambda w: (_wages_section(w), {"decision": "rejected", "comment": "Payroll unsigned"}),
    ),
    ("/disclosures/<int:disclosure_id>/evidence", "POST"): S(
        "vendor",
        ("evidence.upload",),
        lambda w: ({"disclosure_id": w.draft()["id"]}, _evidence_upload()),
    ),
    ("/disclosures/table", "POST"): S(
        "vendor", ("disclosure.create",), lambda w: ({}, _csv_upload(w))
    ),
    # ---------------------------------------------------------------- scoring
    ("/api/v1/scoring-profiles", "POST"): S(
        "buyer",
        ("scoring_profile.create",),
        lambda w: ({}, {"name": w.unique("API profile"), "settings": default_settings()}),
    ),
    ("/api/v1/scoring-profiles/<int:profile_id>", "PATCH"): S(
        "buyer",
        ("scoring_profile.revise",),
        lambda w: (
            {"profile_id": w.profile()["id"]},
            {"settings": {**default_settings(), "knockout_below_minimum_wage": False}},
        ),
    ),
    ("/api/v1/metrics", "POST"): S(
        "buyer",
        ("custom_metric.create",),
        lambda w: ({}, metric_body(f"api_metric_{next(w.counter)}", source="walk")),
    ),
    ("/api/v1/metrics/<int:metric_id>", "DELETE"): S(
        "buyer", ("custom_metric.delete",), lambda w: ({"metric_id": w.metric()["id"]}, {})
    ),
    ("/profiles", "POST"): S(
        "buyer", ("scoring_profile.create",), lambda w: ({}, _profile_form(w))
    ),
    ("/profiles/<int:profile_id>", "POST"): S(
        "buyer",
        ("scoring_profile.revise",),
        lambda w: ({"profile_id": w.profile()["id"]}, _profile_form(w)),
    ),
    ("/metrics", "POST"): S("buyer", ("custom_metric.create",), lambda w: ({}, _metric_form(w))),
    ("/metrics/<int:metric_id>/delete", "POST"): S(
        "buyer", ("custom_metric.delete",), lambda w: ({"metric_id": w.metric()["id"]}, {})
    ),
    # changes nothing: previews and what-ifs
    ("/profiles/preview", "POST"): S(
        "buyer",
        (),
        lambda w: (
            {},
            {
                "pillar_weights.impact": "0.6",
                "pillar_weights.cost": "0.2",
                "pillar_weights.quality": "0.2",
            },
        ),
    ),
    ("/api/v1/vendors/<int:vendor_id>/what-if", "POST"): S(
        "buyer", (), lambda w: ({"vendor_id": w.vendor.id}, {"changes": {"impact_workers_end": 80}})
    ),
    ("/scorecard", "POST"): S("vendor", (), lambda w: ({}, _what_if_form())),
    ("/vendors/<int:vendor_id>/scorecard", "POST"): S(
        "buyer", (), lambda w: ({"vendor_id": w.vendor.id}, _what_if_form())
    ),
    # ---------------------------------------------------------------- needs
    ("/api/v1/needs", "POST"): S("buyer", ("need.create",), lambda w: ({}, NEED)),
    ("/api/v1/needs/<int:need_id>", "PATCH"): S(
        "buyer",
        ("need.update",),
        lambda w: (lambda n: ({"need_id": n["id"]}, {"volume": 900, "version": n["version"]}))(
            w.api("buyer", "POST", "/api/v1/needs", json=NEED)
        ),
    ),
    ("/needs", "POST"): S("buyer", ("need.create",), lambda w: ({}, _need_form())),
    ("/needs/<int:need_id>", "POST"): S(
        "buyer",
        ("need.update",),
        lambda w: (
            lambda n: ({"need_id": n["id"]}, _need_form(volume="800", version=str(n["version"])))
        )(w.api("buyer", "POST", "/api/v1/needs", json=NEED)),
    ),
    # ---------------------------------------------------------------- scenarios
    ("/api/v1/scenarios", "POST"): S(
        "buyer",
        ("scenario.create", "job.start", "scenario.solve"),
        lambda w: ({}, {"name": w.unique("API plan"), "need_ids": [w.need["id"]]}),
    ),
    ("/api/v1/scenarios/<int:scenario_id>", "PATCH"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: (
            lambda s: ({"scenario_id": s["id"]}, {"name": "Renamed", "version": s["version"]})
        )(w.scenario()),
    ),
    ("/api/v1/scenarios/<int:scenario_id>/solve", "POST"): S(
        "buyer", ("job.start", "scenario.solve"), _scenario_id()
    ),
    ("/api/v1/scenarios/<int:scenario_id>/copy", "POST"): S(
        "buyer", ("scenario.create", "job.start"), _scenario_id()
    ),
    ("/api/v1/scenarios/<int:scenario_id>/frontier", "POST"): S(
        "buyer",
        ("job.start", "scenario.frontier"),
        lambda w: ({"scenario_id": w.scenario()["id"]}, {"measure": "hours"}),
    ),
    ("/api/v1/scenarios/<int:scenario_id>/submit", "POST"): S(
        "buyer", ("scenario.submit",), _scenario_id()
    ),
    ("/api/v1/scenarios/<int:scenario_id>/decision", "POST"): S(
        "executive",
        ("scenario.approve",),
        lambda w: ({"scenario_id": w.scenario("submitted")["id"]}, {"decision": "approved"}),
    ),
    ("/api/v1/scenarios/<int:scenario_id>/report", "POST"): S(
        "buyer", ("job.start",), _scenario_id()
    ),
    ("/scenarios", "POST"): S(
        "buyer",
        ("scenario.create", "job.start"),
        lambda w: (
            {},
            {"name": w.unique("Page plan"), "need_ids": str(w.need["id"]), "objective": "min_cost"},
        ),
    ),
    ("/scenarios/<int:scenario_id>/edit", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: (
            lambda s: (
                {"scenario_id": s["id"]},
                {"name": "Page renamed", "objective": "min_cost", "version": str(s["version"])},
            )
        )(w.scenario()),
    ),
    ("/scenarios/<int:scenario_id>/solve", "POST"): S("buyer", ("job.start",), _scenario_id()),
    ("/scenarios/<int:scenario_id>/frontier", "POST"): S(
        "buyer",
        ("job.start", "scenario.frontier"),
        lambda w: ({"scenario_id": w.scenario()["id"]}, {"measure": "hours"}),
    ),
    ("/scenarios/<int:scenario_id>/copy", "POST"): S(
        "buyer", ("scenario.create", "job.start"), _scenario_id()
    ),
    ("/scenarios/<int:scenario_id>/submit", "POST"): S(
        "buyer", ("scenario.submit",), _scenario_id()
    ),
    ("/scenarios/<int:scenario_id>/decision", "POST"): S(
        "executive",
        ("scenario.reject",),
        lambda w: (
            {"scenario_id": w.scenario("submitted")["id"]},
            {"decision": "rejected", "comment": "Too dear"},
        ),
    ),
    ("/scenarios/<int:scenario_id>/report", "POST"): S("buyer", ("job.start",), _scenario_id()),
    ("/scenarios/<int:scenario_id>/vendor-group", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: (
            lambda s: (
                {"scenario_id": s["id"]},
                {
                    "country": "KE",
                    "measure": "hours",
                    "max_share": "90",
                    "version": str(s["version"]),
                },
            )
        )(w.scenario()),
    ),
    ("/scenarios/<int:scenario_id>/incumbent-rule", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: _rule_form(
            w,
            {
                "incumbent.need": "{need}",
                "incumbent.vendors": "{vendor}",
                "incumbent.min_share": "10",
            },
        ),
    ),
    ("/scenarios/<int:scenario_id>/bid-adjustment", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: _rule_form(w, {"adjustment.vendors": "{vendor}", "adjustment.percent": "5"}),
    ),
    ("/scenarios/<int:scenario_id>/vendor-list-group", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: _rule_form(
            w,
            {
                "group.label": "Chosen",
                "group.vendors": "{vendor}",
                "group.measure": "spend",
                "group.max_share": "90",
            },
        ),
    ),
    ("/scenarios/<int:scenario_id>/region-group", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: _rule_form(
            w,
            {
                "region.label": "East Africa",
                "region.countries": "KE, UG",
                "region.measure": "spend",
                "region.max_share": "90",
            },
        ),
    ),
    ("/scenarios/<int:scenario_id>/rule-fix", "POST"): S(
        "buyer", ("scenario.update", "job.start"), _rule_fix
    ),
    ("/scenarios/<int:scenario_id>/priorities", "POST"): S(
        "buyer",
        ("scenario.update", "job.start"),
        lambda w: (
            lambda s: (
                {"scenario_id": s["id"]},
                {"priority.budget": "3", "version": str(s["version"])},
            )
        )(w.scenario()),
    ),
    # ---------------------------------------------------------------- jobs
    ("/api/v1/jobs/<int:job_id>/cancel", "POST"): S(
        "buyer", ("job.cancel",), lambda w: ({"job_id": _queued_coalition_report(w)}, {})
    ),
    ("/api/v1/jobs/<int:job_id>/retry", "POST"): S(
        "buyer", ("job.retry",), lambda w: ({"job_id": w.job("failed")}, {})
    ),
    ("/jobs/<int:job_id>/cancel", "POST"): S(
        "buyer", ("job.cancel",), lambda w: ({"job_id": _queued_coalition_report(w)}, {})
    ),
    ("/jobs/<int:job_id>/retry", "POST"): S(
        "buyer", ("job.retry",), lambda w: ({"job_id": w.job("failed")}, {})
    ),
    # ---------------------------------------------------------------- exchange rates
    ("/api/v1/exchange-rates", "POST"): S(
        "operator", ("exchange_rate.add",), lambda w: ({}, _new_rate(w))
    ),
    ("/exchange-rates", "POST"): S(
        "operator", ("exchange_rate.add",), lambda w: ({}, _new_rate(w))
    ),
    ("/api/v1/exchange-rates/<int:rate_id>", "PATCH"): S(
        "operator",
        ("exchange_rate.correct",),
        lambda w: ({"rate_id": _rate_id(w)}, {"usd_per_unit": 0.74, "version": 1}),
    ),
    ("/exchange-rates/<int:rate_id>", "POST"): S(
        "operator",
        ("exchange_rate.correct",),
        lambda w: (
            {"rate_id": _rate_id(w)},
            {"usd_per_unit": "0.74", "source": "Walk", "version": "1"},
        ),
    ),
    ("/api/v1/exchange-rates/<int:rate_id>", "DELETE"): S(
        "operator", ("exchange_rate.remove",), lambda w: ({"rate_id": _rate_id(w, spare=True)}, {})
    ),
    ("/exchange-rates/<int:rate_id>/remove", "POST"): S(
        "operator", ("exchange_rate.remove",), lambda w: ({"rate_id": _rate_id(w, spare=True)}, {})
    ),
    # ---------------------------------------------------------------- service categories
    ("/api/v1/service-categories", "POST"): S(
        "operator", ("service_category.add",), lambda w: ({}, _new_category(w))
    ),
    ("/service-categories", "POST"): S(
        "operator", ("service_category.add",), lambda w: ({}, _new_category(w))
    ),
    ("/api/v1/service-categories/<int:category_id>", "PATCH"): S(
        "operator",
        ("service_category.update",),
        lambda w: ({"category_id": _category_id(w)}, {"label": w.unique("Walked"), "version": 1}),
    ),
    ("/service-categories/<int:category_id>", "POST"): S(
        "operator",
        ("service_category.retire",),
        lambda w: ({"category_id": _category_id(w)}, {"action": "retire", "version": "1"}),
    ),
    # ---------------------------------------------------------------- campaigns
    ("/api/v1/campaigns", "POST"): S(
        "buyer", ("campaign.create",), lambda w: ({}, _campaign_body(w))
    ),
    ("/campaigns/new", "POST"): S(
        "buyer",
        ("campaign.create",),
        lambda w: ({}, {**_campaign_body(w), "vendor_ids": str(w.vendor.id)}),
    ),
    ("/api/v1/campaigns/<int:campaign_id>/remind", "POST"): S(
        "buyer", ("campaign.remind",), lambda w: ({"campaign_id": _late_campaign(w)}, {})
    ),
    ("/campaigns/<int:campaign_id>/remind", "POST"): S(
        "buyer", ("campaign.remind",), lambda w: ({"campaign_id": _late_campaign(w)}, {})
    ),
    ("/api/v1/campaigns/<int:campaign_id>", "PATCH"): S(
        "buyer",
        ("campaign.update",),
        lambda w: ({"campaign_id": _campaign(w)}, {"title": "Walk, edited", "version": 1}),
    ),
    ("/campaigns/<int:campaign_id>/edit", "POST"): S(
        "buyer",
        ("campaign.update",),
        lambda w: (
            {"campaign_id": _campaign(w)},
            {"title": "Walk, edited", "deadline": _campaign_body(w)["deadline"], "version": "1"},
        ),
    ),
    ("/api/v1/campaigns/<int:campaign_id>/close", "POST"): S(
        "buyer", ("campaign.close",), lambda w: ({"campaign_id": _campaign(w)}, {})
    ),
    ("/campaigns/<int:campaign_id>/close", "POST"): S(
        "buyer", ("campaign.close",), lambda w: ({"campaign_id": _campaign(w)}, {})
    ),
    ("/api/v1/campaigns/<int:campaign_id>/reopen", "POST"): S(
        "buyer", ("campaign.reopen",), lambda w: ({"campaign_id": _closed_campaign(w)}, {})
    ),
    ("/campaigns/<int:campaign_id>/reopen", "POST"): S(
        "buyer", ("campaign.reopen",), lambda w: ({"campaign_id": _closed_campaign(w)}, {})
    ),
    ("/api/v1/campaigns/<int:campaign_id>/vendors", "POST"): S(
        "buyer",
        ("campaign.ask_more", "invitation.create"),
        lambda w: ({"campaign_id": _campaign(w)}, {"emails": [_new_address(w)]}),
    ),
    ("/campaigns/<int:campaign_id>/vendors", "POST"): S(
        "buyer",
        ("campaign.ask_more", "invitation.create"),
        lambda w: ({"campaign_id": _campaign(w)}, {"emails": _new_address(w)}),
    ),
    # ---------------------------------------------------------------- sourcing events
    ("/api/v1/events", "POST"): S("buyer", ("event.create",), lambda w: ({}, _event_body(w))),
    ("/events/new", "POST"): S(
        "buyer",
        ("event.create",),
        lambda w: (
            {},
            {
                "title": w.unique("Page event"),
                "need_ids": str(w.need["id"]),
                "vendor_ids": str(w.vendor.id),
                "deadline": "2999-12-31T12:00",
            },
        ),
    ),
    ("/api/v1/events/<int:event_id>/publish", "POST"): S(
        "buyer", ("event.publish",), lambda w: ({"event_id": _draft_event(w)["id"]}, {"version": 1})
    ),
    ("/events/<int:event_id>/publish", "POST"): S(
        "buyer",
        ("event.publish",),
        lambda w: ({"event_id": _draft_event(w)["id"]}, {"version": "1"}),
    ),
    ("/api/v1/events/<int:event_id>/extend", "POST"): S(
        "buyer",
        ("event.extend",),
        lambda w: (
            {"event_id": _open_event(w)["id"]},
            {"version": 2, "deadline": "2999-12-31T12:00:00Z"},
        ),
    ),
    ("/events/<int:event_id>/extend", "POST"): S(
        "buyer",
        ("event.extend",),
        lambda w: (
            {"event_id": _open_event(w)["id"]},
            {"version": "2", "deadline": "2999-12-31T12:00"},
        ),
    ),
    # an unsealed event closes before its deadline (a sealed one only at or after it)
    ("/api/v1/events/<int:event_id>/close", "POST"): S(
        "buyer",
        ("event.close",),
        lambda w: ({"event_id": _open_event(w, sealed=False)["id"]}, {"version": 2}),
    ),
    ("/events/<int:event_id>/close", "POST"): S(
        "buyer",
        ("event.close",),
        lambda w: ({"event_id": _open_event(w, sealed=False)["id"]}, {"version": "2"}),
    ),
    ("/api/v1/events/<int:event_id>/cancel", "POST"): S(
        "buyer", ("event.cancel",), lambda w: ({"event_id": _open_event(w)["id"]}, {"version": 2})
    ),
    ("/events/<int:event_id>/cancel", "POST"): S(
        "buyer", ("event.cancel",), lambda w: ({"event_id": _open_event(w)["id"]}, {"version": "2"})
    ),
    # a vendor not on the platform invited to an event by email: a new invitation carries it
    ("/api/v1/events/<int:event_id>/invitations", "POST"): S(
        "buyer",
        ("invitation.create", "event.invite_by_email"),
        lambda w: (
            {"event_id": _open_event(w)["id"]},
            {"email": f"e{next(w.counter)}@walk.test", "company_name": "Walk Co"},
        ),
    ),
    ("/events/<int:event_id>/invitations", "POST"): S(
        "buyer",
        ("invitation.create", "event.invite_by_email"),
        lambda w: (
            {"event_id": _open_event(w)["id"]},
            {"email": f"e{next(w.counter)}@walk.test", "company_name": "Walk Co"},
        ),
    ),
    ("/api/v1/events/<int:event_id>/bids", "POST"): S(
        "vendor",
        ("bid.place",),
        lambda w: (
            {"event_id": (event := _open_event(w))["id"]},
            {**_bid_body(), "lot_id": event["lots"][0]["id"]},
        ),
    ),
    ("/api/v1/bids/<int:bid_id>", "PUT"): S(
        "vendor",
        ("bid.amend",),
        lambda w: ({"bid_id": _placed_bid(w)}, {**_bid_body(), "price": 9, "version": 1}),
    ),
    ("/api/v1/bids/<int:bid_id>/withdraw", "POST"): S(
        "vendor", ("bid.withdraw",), lambda w: ({"bid_id": _placed_bid(w)}, {"version": 1})
    ),
    ("/events/<int:event_id>/bids/<int:bid_id>/withdraw", "POST"): S(
        "vendor",
        ("bid.withdraw",),
        lambda w: (
            {
                "event_id": (bid := db.session.get_one(Bid, _placed_bid(w))).event_id,
                "bid_id": bid.id,
            },
            {"version": "1"},
        ),
    ),
    ("/api/v1/events/<int:event_id>/bid-sheet", "POST"): S("vendor", ("bid.place",), _bid_sheet),
    ("/events/<int:event_id>/bid-sheet", "POST"): S("vendor", ("bid.place",), _bid_sheet),
    ("/events/<int:event_id>/lots/<int:lot_id>/bid", "POST"): S(
        "vendor",
        ("bid.place",),
        lambda w: (
            {"event_id": (event := _open_event(w))["id"], "lot_id": event["lots"][0]["id"]},
            {k: str(v) for k, v in _bid_body().items()},
        ),
    ),
    # ---------------------------------------------------------------- deliveries
    ("/api/v1/scenarios/<int:scenario_id>/deliveries", "POST"): S(
        "buyer",
        ("delivery.record",),
        lambda w: ({"scenario_id": (plan := _approved(w))}, _delivery_body(w, plan)),
    ),
    ("/scenarios/<int:scenario_id>/deliveries", "POST"): S(
        "buyer",
        ("delivery.record",),
        lambda w: (
            {"scenario_id": (plan := _approved(w))},
            {k: str(v) for k, v in _delivery_body(w, plan).items()},
        ),
    ),
    ("/api/v1/scenarios/<int:scenario_id>/deliveries/<int:delivery_id>", "PUT"): S(
        "buyer",
        ("delivery.correct",),
        lambda w: (_delivered(w), {"delivered_volume": 12, "invoiced_amount": 96, "version": 1}),
    ),
    ("/api/v1/scenarios/<int:scenario_id>/deliveries/<int:delivery_id>", "DELETE"): S(
        "buyer", ("delivery.delete",), lambda w: (_delivered(w), {})
    ),
    ("/scenarios/<int:scenario_id>/deliveries/<int:delivery_id>/delete", "POST"): S(
        "buyer", ("delivery.delete",), lambda w: (_delivered(w), {})
    ),
    ("/api/v1/scenarios/<int:scenario_id>/deliveries/import", "POST"): S(
        "buyer",
        ("delivery.record", "delivery.import"),
        lambda w: ({"scenario_id": (plan := _approved(w))}, _delivery_file(w, plan)),
    ),
    ("/scenarios/<int:scenario_id>/deliveries/import", "POST"): S(
        "buyer",
        ("delivery.record", "delivery.import"),
        lambda w: ({"scenario_id": (plan := _approved(w))}, _delivery_file(w, plan)),
    ),
    # ---------------------------------------------------------------- corrective action plans
    ("/api/v1/corrective-plans", "POST"): S(
        "buyer", ("corrective.open",), lambda w: ({}, _plan_body(w))
    ),
    ("/vendors/<int:vendor_id>/corrective-plans", "POST"): S(
        "buyer",
        ("corrective.open",),
        lambda w: (
            {"vendor_id": w.vendor.id},
            {key: str(value) for key, value in _plan_body(w, vendor_id=None).items()},
        ),
    ),
    ("/api/v1/corrective-plans/<int:plan_id>/answers", "POST"): S(
        "vendor",
        ("corrective.answer",),
        lambda w: ({"plan_id": _open_plan(w)}, {"actions": [PLAN_ACTION]}),
    ),
    ("/corrective-plans/<int:plan_id>/answer", "POST"): S(
        "vendor",
        ("corrective.answer",),
        lambda w: (
            {"plan_id": _open_plan(w)},
            {f"actions.0.{key}": value for key, value in PLAN_ACTION.items()},
        ),
    ),
    ("/api/v1/corrective-plans/<int:plan_id>/close", "POST"): S(
        "buyer",
        ("corrective.close",),
        lambda w: ({"plan_id": _open_plan(w)}, {"version": 1, "outcome": "not_met"}),
    ),
    ("/corrective-plans/<int:plan_id>/close", "POST"): S(
        "buyer",
        ("corrective.close",),
        lambda w: ({"plan_id": _open_plan(w)}, {"version": "1", "outcome": "met", "comment": ""}),
    ),
    # ---------------------------------------------------------------- coalitions
    ("/api/v1/coalitions", "POST"): S(
        "coordinator", ("coalition.create",), lambda w: (_backbone(w), COALITION)
    ),
    ("/coalitions/new", "POST"): S(
        "coordinator", ("coalition.create",), lambda w: (_backbone(w), COALITION)
    ),
    ("/api/v1/coalitions/<int:coalition_id>", "PATCH"): S(
        "coordinator",
        ("coalition.update",),
        lambda w: ({"coalition_id": _coalition(w)}, {**COALITION, "version": 1}),
    ),
    ("/coalitions/<int:coalition_id>/edit", "POST"): S(
        "coordinator",
        ("coalition.update",),
        lambda w: ({"coalition_id": _coalition(w)}, {**COALITION, "version": "1"}),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/members", "POST"): S(
        "coordinator",
        ("coalition.invite",),
        lambda w: (
            {"coalition_id": _coalition(w)},
            {"organization_id": w.users["buyer"].organization_id},
        ),
    ),
    ("/coalitions/<int:coalition_id>/members", "POST"): S(
        "coordinator",
        ("coalition.invite",),
        lambda w: (
            {"coalition_id": _coalition(w)},
            {"organization_id": str(w.users["buyer"].organization_id)},
        ),
    ),
    **{
        (prefix + "/coalitions/<int:coalition_id>/membership/" + verb, "POST"): S(
            "executive",
            (f"coalition.{verb}",),
            lambda w, verb=verb: (
                {"coalition_id": _coalition_inviting(w, accepted=verb == "leave")},
                {},
            ),
        )
        for prefix in ("/api/v1", "")
        for verb in ("accept", "decline", "leave")
    },
    # shared measurement: the backbone keeps the catalog and the profile, a member adopts it
    ("/api/v1/coalitions/<int:coalition_id>/metrics", "POST"): S(
        "coordinator",
        ("coalition_metric.create",),
        lambda w: (
            {"coalition_id": _coalition(w)},
            metric_body(f"coalition_metric_{next(w.counter)}", source="walk"),
        ),
    ),
    ("/coalitions/<int:coalition_id>/metrics", "POST"): S(
        "coordinator",
        ("coalition_metric.create",),
        lambda w: ({"coalition_id": _coalition(w)}, _metric_form(w)),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/metrics/<int:metric_id>", "PUT"): S(
        "coordinator",
        ("coalition_metric.update",),
        lambda w: (
            _coalition_metric(w),
            metric_body(f"coalition_metric_{next(w.counter)}", source="walk, changed"),
        ),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/metrics/<int:metric_id>", "DELETE"): S(
        "coordinator", ("coalition_metric.delete",), lambda w: (_coalition_metric(w), {})
    ),
    ("/coalitions/<int:coalition_id>/metrics/<int:metric_id>/delete", "POST"): S(
        "coordinator", ("coalition_metric.delete",), lambda w: (_coalition_metric(w), {})
    ),
    ("/api/v1/coalitions/<int:coalition_id>/profile", "PUT"): S(
        "coordinator",
        ("coalition_profile.set",),
        lambda w: ({"coalition_id": _coalition(w)}, {"settings": default_settings()}),
    ),
    ("/coalitions/<int:coalition_id>/profile", "POST"): S(
        "coordinator",
        ("coalition_profile.set",),
        lambda w: (
            {"coalition_id": _coalition(w)},
            {"pillar_weights.impact": "0.5", "pillar_weights.cost": "0.25"},
        ),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/membership/profile", "PUT"): S(
        "executive",
        ("coalition.uses_profile",),
        lambda w: ({"coalition_id": _coalition_inviting(w, accepted=True)}, {"uses_profile": True}),
    ),
    ("/coalitions/<int:coalition_id>/membership/profile", "POST"): S(
        "executive",
        ("coalition.uses_profile",),
        lambda w: (
            {"coalition_id": _coalition_inviting(w, accepted=True)},
            {"uses_profile": "true"},
        ),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/membership/sharing", "PUT"): S(
        "executive",
        ("coalition.sharing",),
        lambda w: (
            {"coalition_id": _coalition_inviting(w, accepted=True)},
            {"shares_contribution": True},
        ),
    ),
    ("/coalitions/<int:coalition_id>/membership/sharing", "POST"): S(
        "executive",
        ("coalition.sharing",),
        lambda w: (
            {"coalition_id": _coalition_inviting(w, accepted=True)},
            {"shares_contribution": "true"},
        ),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/targets", "POST"): S(
        "coordinator",
        ("coalition.target_set",),
        lambda w: ({"coalition_id": _coalition(w)}, {**COALITION_TARGET, "value": 10}),
    ),
    ("/coalitions/<int:coalition_id>/targets/new", "POST"): S(
        "coordinator",
        ("coalition.target_set",),
        lambda w: ({"coalition_id": _coalition(w)}, COALITION_TARGET),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/targets/<int:target_id>", "PATCH"): S(
        "coordinator",
        ("coalition.target_change",),
        lambda w: (_coalition_target(w), {**COALITION_TARGET, "value": 12, "version": 1}),
    ),
    ("/coalitions/<int:coalition_id>/targets/<int:target_id>/edit", "POST"): S(
        "coordinator",
        ("coalition.target_change",),
        lambda w: (_coalition_target(w), {**COALITION_TARGET, "value": "12", "version": "1"}),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/posts", "POST"): S(
        "coordinator",
        ("coalition.announce",),
        lambda w: ({"coalition_id": _coalition(w)}, {"text": "Walk announcement"}),
    ),
    ("/coalitions/<int:coalition_id>/posts", "POST"): S(
        "coordinator",
        ("coalition.announce",),
        lambda w: ({"coalition_id": _coalition(w)}, {"text": "Walk announcement"}),
    ),
    ("/api/v1/coalitions/<int:coalition_id>/report", "POST"): S(
        "coordinator", ("job.start",), lambda w: ({"coalition_id": _coalition(w)}, {})
    ),
    ("/coalitions/<int:coalition_id>/report", "POST"): S(
        "coordinator", ("job.start",), lambda w: ({"coalition_id": _coalition(w)}, {})
    ),
    # ---------------------------------------------------------------- notifications
    # a buyer organization's setting: each walk turns it over, so that it changes (an unchanged
    # setting writes nothing)
    ("/api/v1/organizations/<int:organization_id>/settings", "PATCH"): S(
        "admin",
        ("organization.settings_change",),
        lambda w: (
            {"organization_id": w.users["admin"].organization_id},
            {"vendors_see_plan_share": not _plan_share_on(w)},
        ),
    ),
    ("/admin/settings", "POST"): S(
        "admin",
        ("organization.settings_change",),
        lambda w: ({}, {"vendors_see_plan_share": "false" if _plan_share_on(w) else "true"}),
    ),
    ("/api/v1/notifications/settings", "PUT"): S(
        "buyer", ("notification.mail_settings",), lambda w: ({}, {"email_kinds": []})
    ),
    ("/notifications/settings", "POST"): S(
        "buyer",
        ("notification.mail_settings",),
        lambda w: ({}, {"email_kinds": "scenario_decided"}),
    ),
    ("/api/v1/notifications/<int:notification_id>/read", "POST"): S(
        "buyer", ("notification.read",), lambda w: ({"notification_id": _unread(w)}, {})
    ),
    ("/notifications/<int:notification_id>/read", "POST"): S(
        "buyer", ("notification.read",), lambda w: ({"notification_id": _unread(w)}, {})
    ),
    ("/api/v1/notifications/read-all", "POST"): S(
        "buyer", ("notification.read_all",), lambda w: (_unread(w) and {}, {})
    ),
    ("/notifications/read-all", "POST"): S(
        "buyer", ("notification.read_all",), lambda w: (_unread(w) and {}, {})
    ),
    # ---------------------------------------------------------------- assurance
    ("/api/v1/assurance-grants", "POST"): S(
        "vendor",
        ("assurance.grant",),
        lambda w: (
            {},
            {"disclosure_id": w.submitted_disclosure()["id"], "provider_id": _provider(w)},
        ),
    ),
    ("/disclosures/<int:disclosure_id>/assurance", "POST"): S(
        "vendor",
        ("assurance.grant",),
        lambda w: (
            {"disclosure_id": w.submitted_disclosure()["id"]},
            {"provider_id": str(_provider(w))},
        ),
    ),
    ("/api/v1/assurance-grants/<int:grant_id>/revoke", "POST"): S(
        "vendor", ("assurance.revoke",), lambda w: ({"grant_id": _grant(w)["id"]}, {})
    ),
    ("/assurance-grants/<int:grant_id>/revoke", "POST"): S(
        "vendor", ("assurance.revoke",), lambda w: ({"grant_id": _grant(w)["id"]}, {})
    ),
    ("/api/v1/attestations", "POST"): S(
        "assurer",
        ("attestation.issue",),
        lambda w: ({}, _attestation(w) | {"disclosure_id": str(_grant(w)["disclosure_id"])}),
    ),
    ("/assurance/grants/<int:grant_id>", "POST"): S(
        "assurer",
        ("attestation.issue",),
        lambda w: ({"grant_id": _grant(w)["id"]}, _attestation(w)),
    ),
    ("/api/v1/attestations/<int:attestation_id>/withdraw", "POST"): S(
        "assurer",
        ("attestation.withdraw",),
        lambda w: ({"attestation_id": _issued(w)}, {"reason": "Issued in error."}),
    ),
    ("/assurance/attestations/<int:attestation_id>/withdraw", "POST"): S(
        "assurer",
        ("attestation.withdraw",),
        lambda w: ({"attestation_id": _issued(w)}, {"reason": "Issued in error."}),
    ),
}


def state_changing_routes(app) -> set[tuple[str, str]]:
    return {(path, method) for path, method, _, _ in route_rules(app) if method in STATE_CHANGING}


def test_every_state_changing_route_is_walked(app):
    routes = state_changing_routes(app)
    assert routes - set(STEPS) == set(), "state-changing routes with no step in STEPS"
    assert set(STEPS) - routes == set(), "steps for routes that no longer exist"


def send(w: World, rule: str, method: str, step: Step, ids: dict, body: dict):
    """Send one step's request (prepared by `step.prepare`); returns the response."""
    actor = None if step.anonymous else step.actor
    return w.call(actor, method, fill(rule, ids), body, own_session=step.own_session)


def check_step(w: World, rule: str, method: str, step: Step) -> list[str]:
    """Run one step; the list of what went wrong (empty when it succeeded and was audited)."""
    label = f"{method} {rule}"
    ids, body = step.prepare(w)
    db.session.commit()
    last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    before = database_rows() if not step.actions else None
    response = send(w, rule, method, step, ids, body)
    if response.status_code >= 400 or "/sign-in?next=" in response.headers.get("Location", ""):
        return [
            f"{label}: the call did not succeed ({response.status_code}): {response.text[:300]}"
        ]
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id)
    ).all()
    if not step.actions:
        problems = (
            [f"{label}: changes nothing, yet wrote {[e.action for e in events]}"] if events else []
        )
        if database_rows() != before:
            problems.append(f"{label}: declared as changing nothing, but the database changed")
        return problems
    written = {e.action for e in events}
    missing = [action for action in step.actions if action not in written]
    if missing:
        return [f"{label}: no audit event {missing} (wrote {sorted(written) or 'none'})"]
    actor = w.users[step.actor].id
    wrong = [
        f"{e.action} by user {e.actor_id}"
        for e in events
        if e.action in step.actions and e.actor_id != actor
    ]
    return (
        [f"{label}: events not attributed to the caller (user {actor}): {wrong}"] if wrong else []
    )


def test_every_state_changing_route_writes_an_audit_event(app, walk_world):
    failures = []
    for (rule, method), step in STEPS.items():
        failures += check_step(walk_world, rule, method, step)
    assert failures == [], f"{len(failures)} of {len(STEPS)} routes:\n" + "\n".join(failures)


def test_the_walker_catches_a_change_without_an_event(app, walk_world, monkeypatch):
    """Negative controls: a service that stops auditing, and a route wrongly declared as changing
    nothing, are both reported."""
    rule = ("/api/v1/needs", "POST")
    monkeypatch.setattr("procure.needs.services.record_event", lambda *args, **kwargs: None)
    assert check_step(walk_world, *rule, STEPS[rule]) == [
        "POST /api/v1/needs: no audit event ['need.create'] (wrote none)"
    ]
    monkeypatch.undo()
    problems = check_step(walk_world, *rule, Step("buyer", (), STEPS[rule].prepare))
    assert problems == [
        "POST /api/v1/needs: changes nothing, yet wrote ['need.create']",
        "POST /api/v1/needs: declared as changing nothing, but the database changed",
    ]


def test_a_job_marked_failed_by_the_reaper_is_audited(app, walk_world):
    """The scheduled reaper (the worker's, the server's, `procure jobs reap`; reads never reap)
    that finds a solve whose worker went silent marks the job and its scenario failed: a state
    change like any other, so it is in the audit log (with no user as its actor)."""
    from datetime import timedelta

    from procure.db import utcnow
    from procure.jobs.models import Job
    from procure.jobs.runner import reap_and_commit
    from procure.scenarios.models import Scenario

    scenario = walk_world.scenario()
    job = db.session.scalars(
        select(Job).where(Job.subject_id == scenario["id"], Job.kind == "scenario.solve")
    ).one()
    silent = utcnow() - timedelta(hours=1)
    job.status, job.started_at, job.heartbeat_at, job.runner = (
        "running",
        silent,
        silent,
        "lost-host:1",
    )
    db.session.get(Scenario, scenario["id"]).status = "draft"
    db.session.commit()
    last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert reap_and_commit() == 1
    response = walk_world.api_client.get(
        f"/api/v1/jobs/{job.id}", headers=walk_world.headers["buyer"]
    )
    assert response.status_code == 200 and response.json["status"] == "failed"
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last)).all()
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in events] == [
        ("job.fail", "Job", str(job.id), None)
    ]
    assert "stopped" in events[0].changes["after"]["reason"]
    assert events[0].organization_id == walk_world.users["buyer"].organization_id
