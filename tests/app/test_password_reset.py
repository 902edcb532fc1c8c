"""An administrator sets a new password for a user who forgot theirs: API, page and command.
The user's sessions end, their API tokens are revoked, a lock is lifted, and an audit event
records who did it (never the password)."""

from sqlalchemy import select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, request_token, run_cli

NEW = "a fresh unusual passphrase"


def _events():
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.password_reset").order_by(AuditEvent.id)
    ).all()


def test_admin_resets_through_the_api(client, make_user, bearer, sign_in):
    forgetful = make_user("buyer")
    headers = bearer(forgetful)
    page = sign_in(client.application.test_client(), forgetful)
    forgetful.locked_at, forgetful.failed_sign_ins = utcnow(), 10
    db.session.commit()
    admin = make_user("admin", organization=forgetful.organization)
    admin_headers = bearer(admin)
    weak = client.post(
        f"/api/v1/users/{forgetful.id}/password", headers=admin_headers, json={"password": "short"}
    )
    assert weak.status_code == 422 and "password" in weak.json["errors"]
    assert (
        request_token(client, forgetful.email, TEST_PASSWORD).status_code == 403
    )  # nothing changed: still locked
    done = client.post(
        f"/api/v1/users/{forgetful.id}/password", headers=admin_headers, json={"password": NEW}
    )
    assert done.status_code == 200 and done.json["locked"] is False and "password" not in done.json
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # tokens revoked
    assert page.get("/").status_code == 302  # the session ended
    assert request_token(client, forgetful.email, TEST_PASSWORD).status_code == 401
    assert request_token(client, forgetful.email, NEW).status_code == 201
    events = _events()
    assert [(e.actor_id, e.target_id) for e in events] == [(admin.id, str(forgetful.id))]
    assert NEW not in str(events[0].changes) and events[0].changes["after"]["tokens_revoked"] == 1


def test_only_the_organizations_admin_may_reset_and_nobody_else_is_touched(
    client, make_user, make_org, bearer
):
    target = make_user("buyer")
    colleague = make_user("buyer", organization=target.organization)
    for actor in (
        colleague,
        make_user("executive", organization=target.organization),
        make_user("vendor"),
    ):
        refused = client.post(
            f"/api/v1/users/{target.id}/password", headers=bearer(actor), json={"password": NEW}
        )
        assert refused.status_code == 403, actor.role
    admin_headers = bearer(make_user("admin", organization=target.organization))
    assert (
        client.post(
            "/api/v1/users/999999/password", headers=admin_headers, json={"password": NEW}
        ).status_code
        == 404
    )
    for other_admin in (make_user("admin"), make_user("admin", organization=make_org("vendor"))):
        refused = client.post(
            f"/api/v1/users/{target.id}/password",
            headers=bearer(other_admin),
            json={"password": NEW},
        )
        assert refused.status_code == 404  # another organization's admin does not see the user
    assert request_token(client, target.email, TEST_PASSWORD).status_code == 201
    assert _events() == []


def test_admin_resets_from_the_users_page(client, make_user, sign_in):
    assert "administrator can set a new one" in client.get("/sign-in").text
    forgetful = make_user("vendor")
    stranger = make_user("vendor")
    sign_in(client, make_user("admin", organization=forgetful.organization))
    users = client.get("/admin/users")
    assert f"/admin/users/{forgetful.id}/password" in users.text
    assert stranger.email not in users.text  # another organization's user is not listed
    assert client.get(f"/admin/users/{stranger.id}/password").status_code == 404
    form = client.get(f"/admin/users/{forgetful.id}/password")
    assert form.status_code == 200 and forgetful.email in form.text
    token = csrf_token_from(form.text)
    differ = client.post(
        f"/admin/users/{forgetful.id}/password",
        data={"csrf_token": token, "password": NEW, "confirm_password": NEW + "!"},
    )
    assert differ.status_code == 422 and "The two new passwords differ." in differ.text
    common = client.post(
        f"/admin/users/{forgetful.id}/password",
        data={"csrf_token": token, "password": "password1234", "confirm_password": "password1234"},
    )
    assert common.status_code == 422 and "common" in common.text
    assert _events() == []
    done = client.post(
        f"/admin/users/{forgetful.id}/password",
        data={"csrf_token": token, "password": NEW, "confirm_password": NEW},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin/users"
    assert "has a new password" in client.get("/admin/users").text
    db.session.expire_all()
    assert request_token(client, db.session.get(User, forgetful.id).email, NEW).status_code == 201


def test_cli_sets_a_password(app, tmp_path, monkeypatch, migrated, make_user):
    user = make_user("buyer")
    weak = run_cli(
        ["users", "set-password", user.email, "--password", "short"],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert weak.exit_code == 2 and "error: password:" in weak.output
    done = run_cli(
        ["users", "set-password", user.email.upper(), "--password", NEW],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert done.exit_code == 0 and f"New password set for {user.email}" in done.output
    unknown = run_cli(
        ["users", "set-password", "nobody@example.test", "--password", NEW],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert unknown.exit_code == 2 and "error: email: No user with this email." in unknown.output
    db.session.expire_all()
    assert [e.actor_id for e in _events()] == [None]
