"""Every state change writes an audit event."""

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, request_token


def _events():
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_sign_in_failure_and_sign_out_are_audited(client, make_user, sign_in):
    user = make_user("buyer")
    client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "wrong-one"})
    sign_in(client, user)
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").text)})
    events = _events()
    assert [e.action for e in events] == ["auth.sign_in_failed", "auth.sign_in", "auth.sign_out"]
    assert events[0].changes == {"after": {"email": user.email}} and events[0].actor_id is None
    assert events[1].actor_id == user.id and events[1].organization_id == user.organization_id
    assert events[2].target_type == "User" and events[2].target_id == str(user.id)


def test_organization_and_user_creation_are_audited_with_their_fields(client, make_user, bearer):
    operator = make_user("operator")
    org = client.post(
        "/api/v1/organizations",
        json={
            "name": "Lumen BPO",
            "kind": "vendor",
            "admin_email": "lead@lumen.test",
            "admin_name": "Lead",
            "admin_password": "a-long-password",
        },
        headers=bearer(operator),
    ).json
    admin = org["admin"]  # the organization's first admin adds its users
    headers = {
        "Authorization": "Bearer "
        + request_token(client, "lead@lumen.test", "a-long-password").json["token"]
    }
    created = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "organization_id": org["id"],
            "email": "ops@lumen.test",
            "name": "Ops",
            "role": "vendor",
            "password": "a-long-password",
        },
    )
    assert created.status_code == 201
    events = [e for e in _events() if e.action in {"organization.create", "user.create"}]
    assert [(e.action, e.target_id) for e in events] == [
        ("organization.create", str(org["id"])),
        ("user.create", str(admin["id"])),
        ("user.create", str(created.json["id"])),
    ]
    assert events[0].changes == {"after": {"name": "Lumen BPO", "kind": "vendor"}}
    assert events[0].actor_id == operator.id and events[1].actor_id == operator.id
    assert events[2].changes == {"after": {"email": "ops@lumen.test", "role": "vendor"}}
    assert events[2].actor_id == admin["id"] and events[2].organization_id == org["id"]
    assert "a-long-password" not in str([e.changes for e in _events()])


def test_a_refused_change_writes_no_event(client, make_user, bearer):
    admin = make_user("admin")
    headers = bearer(admin)
    before = len(_events())
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "organization_id": admin.organization_id,
            "email": "x@y.test",
            "name": "X",
            "role": "vendor",
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert len(_events()) == before


def test_admin_page_creates_a_user_and_audits_it(client, make_user, sign_in):
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get("/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token_from(page.text),
            "organization_id": admin.organization_id,
            "name": "New Buyer",
            "email": "new@buyer.test",
            "role": "buyer",
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _events()[-1].action == "user.create"
    invalid = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token_from(page.text),
            "organization_id": admin.organization_id,
            "name": "Again",
            "email": "new@buyer.test",
            "role": "vendor",
            "password": "short",
        },
    )
    assert invalid.status_code == 422
    assert "A user with this email already exists." in invalid.text
    assert "Use at least 12 characters." in invalid.text
    assert "A buyer organization&#39;s user may be: admin, buyer, executive." in invalid.text
