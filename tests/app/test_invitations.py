"""Invitations: a buyer invites a vendor by email with a one-time link; through it the vendor
registers its organization and first user (signed in at once), or joins with the organization it
has. Expired, used, revoked and unknown links get a clear page and create nothing; every bad
field is named; only the inviting organization's buyers and admin see its invitations. With
smtp_url set the link is mailed, to a real SMTP server on localhost (aiosmtpd), after the commit.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select

from procure.accounts.models import Organization, User
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.invitations import services
from procure.invitations.models import Invitation
from procure.transactions import command, discard
from tests.conftest import csrf_token_from

# a password the policy takes (long, not common, not the email's name part)
STRONG = "Quiet lanterns over Kakuma 2026"
LINK_BOX = re.compile(r'id="invitation-link" type="text" value="([^"]+)"')


# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1; the app's smtp_url points at
    it. Yields the list of messages it received (email.message.EmailMessage)."""
    from aiosmtpd.controller import Controller

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            message = message_from_bytes(envelope.content, policy=default_policy)
            received.append((envelope.rcpt_tos, message))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(  # with smtp_url, public_url is required (mail.check_mail_settings)
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        SMTP_FROM="Procure <invites@procure.test>",
        PUBLIC_URL="https://procure.example.org",
    )
    try:
        yield received
    finally:
        controller.stop()
        app.config.update(SMTP_URL="", SMTP_FROM="", PUBLIC_URL="")


def invite(client, headers, email="ops@newvendor.example", message=None):
    response = client.post(
        "/api/v1/invitations", headers=headers, json={"email": email, "message": message}
    )
    assert response.status_code == 201, response.text
    return response.json


def path_of(link: str) -> str:
    return "/invitations/" + link.rsplit("/", 1)[1]


def registration(**overrides) -> dict:
    return {
        "organization_name": "Kakuma Digital Works",
        "name": "Amani Lokiru",
        "email": "amani@kakumadigital.example",
        "password": STRONG,
        "confirm_password": STRONG,
        **overrides,
    }


def post_registration(app, path: str, **overrides):
    """Open the link in a fresh browser session and send the registration form; the response."""
    client = app.test_client()
    page = client.get(path)
    token = csrf_token_from(page.text) if page.status_code == 200 else _any_csrf(client)
    return client, client.post(path, data={**registration(**overrides), "csrf_token": token})


def _any_csrf(client) -> str:
    return csrf_token_from(client.get("/sign-in").text)


def counts() -> dict[str, int]:
    db.session.commit()  # a fresh snapshot
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Organization, User, AuditEvent)
    } | {
        "accepted": db.session.scalar(
            select(func.count()).where(Invitation.accepted_at.is_not(None))
        )
    }


def events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


# ---------------------------------------------------------------- the journey


def test_a_buyer_invites_on_the_page_and_the_vendor_registers_through_the_link(app, buyer, sign_in):
    pages = sign_in(app.test_client(), buyer)
    token = csrf_token_from(pages.get("/invitations").text)
    sent = pages.post(
        "/invitations",
        data={
            "email": "Amani@KakumaDigital.example",
            "message": "We would like to source\nannotation work from you.",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 302
    shown = pages.get("/invitations")
    link = LINK_BOX.search(shown.text).group(1)
    assert link.startswith("http://localhost/invitations/") and len(link.rsplit("/", 1)[1]) >= 40
    assert "amani@kakumadigital.example" in shown.text and ">pending<" in shown.text
    assert LINK_BOX.search(pages.get("/invitations").text) is None  # shown once
    invitation = db.session.scalars(select(Invitation)).one()
    secret = link.rsplit("/", 1)[1]
    assert invitation.token_hash == services.hash_token(secret) and secret not in str(
        [invitation.token_hash, invitation.email, invitation.message]
    )  # only its hash is stored
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)

    visitor = app.test_client()
    page = visitor.get(path_of(link))
    assert page.status_code == 200
    assert buyer.organization.name in page.text and "annotation work from you" in page.text
    assert 'value="amani@kakumadigital.example"' in page.text  # the invited address, to change
    before = counts()
    registered = visitor.post(
        path_of(link), data={**registration(), "csrf_token": csrf_token_from(page.text)}
    )
    assert registered.status_code == 302 and registered.headers["Location"] == "/"
    home = visitor.get("/")
    assert home.status_code == 200 and "Welcome, Amani" in home.text
    assert "Kakuma Digital Works" in home.text

    organization = db.session.scalars(
        select(Organization).where(Organization.name == "Kakuma Digital Works")
    ).one()
    admin = db.session.scalars(select(User).where(User.organization_id == organization.id)).one()
    assert (organization.kind, admin.role, admin.email) == (
        "vendor",
        "admin",
        "amani@kakumadigital.example",
    )
    assert counts() == before | {
        "Organization": before["Organization"] + 1,
        "User": before["User"] + 1,
        "AuditEvent": before["AuditEvent"] + 3,
        "accepted": 1,
    }
    db.session.refresh(invitation)
    assert invitation.state == "accepted"
    assert (invitation.accepted_organization_id, invitation.accepted_by_id) == (
        organization.id,
        admin.id,
    )
    # who did what: the buyer invited; the new admin created its organization, itself, and
    # accepted (recorded in the inviting organization's trail)
    [created] = events("invitation.create")
    assert (created.actor_id, created.organization_id) == (buyer.id, buyer.organization_id)
    assert created.changes["after"]["email"] == "amani@kakumadigital.example"
    for action, organization_id in (
        ("organization.create", organization.id),
        ("user.create", organization.id),
        ("invitation.accept", buyer.organization_id),
    ):
        [event] = events(action)
        assert (event.actor_id, event.organization_id) == (admin.id, organization_id), action
    assert events("invitation.accept")[0].changes["after"]["registered"] is True

    listed = pages.get("/invitations").text
    assert ">accepted<" in listed and "by Kakuma Digital Works" in listed
    again = app.test_client().get(path_of(link))
    assert again.status_code == 410 and "already used" in again.text


def test_the_inviting_buyer_is_notified_when_the_invitation_is_accepted(app, buyer, bearer):
    from procure.notifications.models import Notification

    created = invite(app.test_client(), bearer(buyer))
    _, registered = post_registration(app, path_of(created["link"]))
    assert registered.status_code == 302
    db.session.commit()
    [notification] = db.session.scalars(select(Notification)).all()
    assert (notification.user_id, notification.kind) == (buyer.id, "invitation_accepted")
    assert "Kakuma Digital Works accepted your invitation" in notification.title
    assert notification.link == "/invitations"


@pytest.mark.parametrize("role", ["vendor", "admin"])
def test_a_signed_in_vendor_joins_with_its_own_organization(
    app, buyer, bearer, make_vendor, make_user, sign_in, role
):
    _, vendor_user = make_vendor("Lumen BPO")
    user = (
        vendor_user
        if role == "vendor"
        else make_user("admin", organization=vendor_user.organization)
    )
    created = invite(app.test_client(), bearer(buyer), email=user.email)
    client = sign_in(app.test_client(), user)
    page = client.get(path_of(created["link"]))
    organization = user.organization.name
    assert page.status_code == 200 and f"Accept for {organization}" in page.text
    assert 'name="organization_name"' not in page.text  # no registration for a signed-in vendor
    before = counts()
    joined = client.post(path_of(created["link"]), data={"csrf_token": csrf_token_from(page.text)})
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert counts() == before | {"AuditEvent": before["AuditEvent"] + 1, "accepted": 1}
    invitation = db.session.get(Invitation, created["id"])
    assert (invitation.accepted_organization_id, invitation.accepted_by_id) == (
        user.organization_id,
        user.id,
    )
    [event] = events("invitation.accept")
    assert (event.actor_id, event.organization_id) == (user.id, buyer.organization_id)
    assert event.changes["after"]["registered"] is False
    listed = app.test_client().get("/api/v1/invitations", headers=bearer(buyer)).json["items"][0]
    assert listed["state"] == "accepted"
    assert listed["accepted_organization"] == {
        "id": user.organization_id,
        "name": organization,
    }


@pytest.mark.parametrize("role", ["buyer", "executive", "operator"])
def test_a_user_of_another_kind_is_asked_to_sign_out_and_nothing_changes(
    app, buyer, bearer, make_user, sign_in, role
):
    created = invite(app.test_client(), bearer(buyer))
    client = sign_in(app.test_client(), make_user(role))
    page = client.get(path_of(created["link"]))
    assert page.status_code == 200 and "Sign out to accept" in page.text
    before = counts()
    refused = client.post(path_of(created["link"]), data={"csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 409 and "accepted for a vendor organization" in refused.text
    assert counts() == before
    assert db.session.get(Invitation, created["id"]).state == "pending"


# ---------------------------------------------------------------- links that cannot be used


def _expire(invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    invitation.created_at -= timedelta(days=15)
    invitation.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()


def _use(app, path: str) -> None:
    _, response = post_registration(app, path, organization_name="First Comer", email="f@x.test")
    assert response.status_code == 302


def _revoke(app, invitation_id, headers) -> None:
    response = app.test_client().post(
        f"/api/v1/invitations/{invitation_id}/revoke", headers=headers
    )
    assert response.status_code == 200 and response.json["state"] == "revoked"


@pytest.mark.parametrize(
    ("spoil", "status", "heading", "explains"),
    [
        ("expired", 410, "This invitation has expired", "expired on"),
        ("used", 410, "This invitation was already used", "a link works once"),
        ("revoked", 410, "This invitation was withdrawn", "withdrew this invitation"),
        ("unknown", 404, "This link is not an invitation", "is not known"),
    ],
)
def test_an_unusable_link_gets_a_clear_page_and_creates_nothing(
    app, buyer, bearer, spoil, status, heading, explains
):
    headers = bearer(buyer)
    created = invite(app.test_client(), headers)
    path = path_of(created["link"])
    if spoil == "expired":
        _expire(created["id"])
    elif spoil == "used":
        _use(app, path)
    elif spoil == "revoked":
        _revoke(app, created["id"], headers)
    else:
        path = path[:-4] + "abcd"  # a link whose secret was mistyped
    before = counts()
    page = app.test_client().get(path)
    assert page.status_code == status and heading in page.text and explains in page.text
    assert 'name="organization_name"' not in page.text
    _, sent = post_registration(app, path, organization_name="Late Comer", email="late@x.test")
    assert sent.status_code == status and heading in sent.text
    assert counts() == before  # no organization, user, event or acceptance
    if spoil == "expired":  # expiry is read from the clock: nothing wrote it
        listed = app.test_client().get("/api/v1/invitations", headers=headers).json
        assert listed["items"][0]["state"] == "expired"
        assert db.session.get(Invitation, created["id"]).revoked_at is None


def test_a_link_used_or_revoked_after_the_page_was_read_creates_nothing(app, buyer, bearer):
    """Acceptance claims the invitation with one conditional UPDATE: the request that finds it
    revoked (or used) since it read it is refused, and its organization and user roll back."""
    created = invite(app.test_client(), bearer(buyer))
    invitation = services.usable_invitation(created["link"].rsplit("/", 1)[1])
    before = counts()
    db.session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id)
        .values(revoked_at=utcnow())
    )
    with pytest.raises(services.InvitationUnusable) as refused:
        services.register_vendor(invitation, "Racing Vendor", "Racer", "racer@x.test", STRONG)
    assert refused.value.code == 410 and "nothing was created" in refused.value.message
    discard()
    assert counts() == before


# ---------------------------------------------------------------- every bad field named


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"email": "taken@vendor.example"}, "email", "already exists"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"organization_name": "Kazi Data"}, "organization_name", "already exists"),
        ({"organization_name": "  KAZI   data "}, "organization_name", "already exists"),
        ({"organization_name": "Kazi\u200bData"}, "organization_name", "U+200B ZERO WIDTH SPACE"),
        ({"organization_name": "Ｋａｚｉ Ｄａｔａ"}, "organization_name", "already exists"),
        ({"password": "password123!", "confirm_password": "password123!"}, "password", ""),
        ({"password": "short", "confirm_password": "short"}, "password", "at least 12"),
        ({"confirm_password": "something else entirely"}, "confirm_password", "differ"),
        ({"name": ""}, "name", "required"),
        ({"organization_name": ""}, "organization_name", "required"),
    ],
)
def test_every_bad_field_is_named_and_nothing_is_created(
    app, buyer, bearer, make_org, make_user, overrides, field, says
):
    make_user("vendor", organization=make_org("vendor", "Kazi Data"), email="taken@vendor.example")
    created = invite(app.test_client(), bearer(buyer))
    before = counts()
    _, refused = post_registration(app, path_of(created["link"]), **overrides)
    assert refused.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', refused.text)
    assert error is not None, refused.text
    assert says.lower() in error.group(1).lower()
    assert f'id="{field}" ' in refused.text and 'aria-invalid="true"' in refused.text
    assert counts() == before
    assert db.session.get(Invitation, created["id"]).state == "pending"  # the link still works


def test_the_api_refuses_a_bad_invitation_naming_the_field(app, buyer, bearer):
    headers = bearer(buyer)
    client = app.test_client()
    for body, field in (
        ({"email": "no at sign"}, "email"),
        ({"email": "two@@signs.example"}, "email"),
        ({"email": "ops@vendor.example", "message": "x" * 2001}, "message"),
        ({}, "email"),
    ):
        refused = client.post("/api/v1/invitations", headers=headers, json=body)
        assert refused.status_code == 422 and field in refused.json["errors"], (body, refused.json)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


# ---------------------------------------------------------------- the API and who sees what


def test_the_api_lists_a_page_at_a_time_and_revokes(app, buyer, bearer, make_user):
    headers = bearer(buyer)
    client = app.test_client()
    created = [invite(client, headers, email=f"v{n}@vendors.example") for n in range(3)]
    assert all(c["state"] == "pending" and c["mailed"] is False for c in created)
    assert created[0]["invited_by"] == {"id": buyer.id, "name": buyer.name}
    first = client.get("/api/v1/invitations?per_page=2", headers=headers).json
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 3)
    assert [i["email"] for i in first["items"]] == ["v2@vendors.example", "v1@vendors.example"]
    second = client.get("/api/v1/invitations?per_page=2&page=2", headers=headers).json
    assert [i["email"] for i in second["items"]] == ["v0@vendors.example"]
    assert "link" not in first["items"][0] and "token_hash" not in first["items"][0]

    revoked = client.post(f"/api/v1/invitations/{created[0]['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    again = client.post(f"/api/v1/invitations/{created[0]['id']}/revoke", headers=headers)
    assert again.status_code == 409 and "is revoked" in again.json["message"]
    pending = client.get("/api/v1/invitations?state=pending", headers=headers).json
    assert pending["total"] == 2
    assert client.get("/api/v1/invitations?state=revoked", headers=headers).json["total"] == 1
    assert client.get("/api/v1/invitations?state=later", headers=headers).status_code == 422
    [event] = events("invitation.revoke")
    assert (event.actor_id, event.target_id) == (buyer.id, str(created[0]["id"]))
    assert len(events("invitation.create")) == 3

    # the organization's admin reads them; its executives do not
    admin = make_user("admin", organization=buyer.organization)
    assert client.get("/api/v1/invitations", headers=bearer(admin)).json["total"] == 3
    executive = make_user("executive", organization=buyer.organization)
    assert client.get("/api/v1/invitations", headers=bearer(executive)).status_code == 403


def test_another_buyer_organization_neither_sees_nor_revokes_the_invitation(
    app, buyer, bearer, make_user, sign_in
):
    created = invite(app.test_client(), bearer(buyer))
    other = make_user("buyer")  # another buyer organization
    other_admin = make_user("admin", organization=other.organization)
    client = app.test_client()
    for user in (other, other_admin):
        assert client.get("/api/v1/invitations", headers=bearer(user)).json["total"] == 0
    refused = client.post(f"/api/v1/invitations/{created['id']}/revoke", headers=bearer(other))
    assert refused.status_code == 404
    pages = sign_in(app.test_client(), other)
    listing = pages.get("/invitations")
    assert listing.status_code == 200 and "ops@newvendor.example" not in listing.text
    page_revoke = pages.post(
        f"/invitations/{created['id']}/revoke", data={"csrf_token": csrf_token_from(listing.text)}
    )
    assert page_revoke.status_code == 404
    assert db.session.get(Invitation, created["id"]).state == "pending"
    assert events("invitation.revoke") == []


def test_the_buyer_revokes_on_the_page(app, buyer, bearer, sign_in):
    created = invite(app.test_client(), bearer(buyer))
    pages = sign_in(app.test_client(), buyer)
    listing = pages.get("/invitations").text
    assert 'data-confirm="Revoke the invitation to ops@newvendor.example?' in listing
    revoked = pages.post(
        f"/invitations/{created['id']}/revoke", data={"csrf_token": csrf_token_from(listing)}
    )
    assert revoked.status_code == 302
    assert "is revoked: its link no longer works" in pages.get("/invitations").text
    assert db.session.get(Invitation, created["id"]).state == "revoked"
    assert app.test_client().get(path_of(created["link"])).status_code == 410


# ---------------------------------------------------------------- mail


def test_with_smtp_the_link_is_mailed_after_the_commit(app, buyer, bearer, smtp_sink):
    app.config["PUBLIC_URL"] = "https://procure.example.org/"
    created = invite(
        app.test_client(), bearer(buyer), email="ops@lumen.example", message="Hello,\nLumen."
    )
    assert created["mailed"] is True
    assert created["link"].startswith("https://procure.example.org/invitations/")
    [(recipients, message)] = smtp_sink
    assert recipients == ["ops@lumen.example"]
    assert message["From"] == "Procure <invites@procure.test>"
    assert message["Subject"] == f"{buyer.organization.name} invites you to impact-procure"
    body = message.get_content().replace("\r\n", "\n")
    assert created["link"] in body and "> Hello,\n> Lumen." in body
    assert "It works once, until" in body


def test_with_smtp_the_page_says_mailed_and_shows_no_link(app, buyer, sign_in, smtp_sink):
    pages = sign_in(app.test_client(), buyer)
    token = csrf_token_from(pages.get("/invitations").text)
    pages.post("/invitations", data={"email": "ops@lumen.example", "csrf_token": token})
    shown = pages.get("/invitations")
    assert "The invitation is mailed to ops@lumen.example." in shown.text
    assert LINK_BOX.search(shown.text) is None
    [(_, message)] = smtp_sink
    link = re.search(r"https://procure.example.org/invitations/\S+", message.get_content())[0]
    assert app.test_client().get(path_of(link)).status_code == 200


def test_a_mail_server_that_fails_leaves_the_invitation_and_shows_the_link(
    app, buyer, bearer, sign_in, caplog
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        created = invite(app.test_client(), bearer(buyer))
        assert created["mailed"] is False and created["link"]
        pages = sign_in(app.test_client(), buyer)
        token = csrf_token_from(pages.get("/invitations").text)
        pages.post("/invitations", data={"email": "ops@second.example", "csrf_token": token})
        shown = pages.get("/invitations").text
    finally:
        app.config["SMTP_URL"] = ""
    assert "The mail server did not take the invitation" in shown
    assert LINK_BOX.search(shown).group(1).startswith("http://localhost/invitations/")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2  # both stand
    assert "mail to ops@second.example could not be sent" in caplog.text


def test_mail_waits_for_the_commit_and_a_rollback_drops_it(app, smtp_sink):
    from procure.mail import send_after_commit

    dropped = send_after_commit("a@x.test", "Never", "rolled back")
    discard()
    with command():
        kept = send_after_commit("b@x.test", "Kept", "committed")
        assert smtp_sink == []  # nothing goes before the commit
    assert (dropped.sent, kept.sent) == (False, True)
    assert [recipients for recipients, _ in smtp_sink] == [["b@x.test"]]
