"""Account lockout and its unlock paths, the password policy, and changing one's password."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from procure.accounts.models import SignInThrottle, User
from procure.accounts.services import password_problems
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, post_sign_in, request_token, run_cli

WRONG = "not-the-password"
GENERIC_401 = {
    "code": 401,
    "status": "Unauthorized",
    "message": "The email or password is not correct.",
}


def _actions(*names):
    query = select(AuditEvent).where(AuditEvent.action.in_(names)).order_by(AuditEvent.id)
    return db.session.scalars(query).all()


def _reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def quick_lockout(app):
    """Lock after 3 failures, and throttle late enough that it stays out of the way."""
    app.config.update(LOCKOUT_FAILURES=3, LOGIN_MAX_FAILURES=50)
    return 3


@pytest.fixture
def locked_user(client, make_user, quick_lockout):
    user = make_user("buyer")
    for _ in range(quick_lockout):
        assert request_token(client, user.email, WRONG).status_code == 401
    assert _reload(user).locked_at is not None
    return user


# ---------------------------------------------------------------- lockout


def test_ten_failures_in_a_row_lock_the_account_through_the_throttle_windows(
    app, client, make_user
):
    assert app.config["LOCKOUT_FAILURES"] == 10 and app.config["LOGIN_MAX_FAILURES"] == 5
    user = make_user("buyer")
    for window in range(2):  # the 15-minute throttle allows 5 tries per window
        for _ in range(5):
            assert post_sign_in(client, user.email, WRONG).status_code == 401
        assert post_sign_in(client, user.email, WRONG).status_code == 429  # throttled: not counted
        assert _reload(user).failed_sign_ins == 5 * (window + 1)
        throttle = db.session.get(SignInThrottle, user.email)
        throttle.window_started_at = utcnow() - timedelta(
            minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1
        )
        db.session.commit()
    user = _reload(user)
    assert user.locked_at is not None and user.failed_sign_ins == 10
    events = _actions("user.locked")
    assert len(events) == 1 and events[0].target_id == str(user.id)
    assert events[0].actor_id is None and events[0].organization_id == user.organization_id
    # the right password now meets the lock, with who can lift it
    page = post_sign_in(client, user.email, TEST_PASSWORD)
    assert page.status_code == 403
    assert "Your account is locked" in page.text and "administrator" in page.text
    api = request_token(client, user.email, TEST_PASSWORD)
    assert api.status_code == 403 and api.json["code"] == 403
    assert (
        "Your account is locked" in api.json["message"] and "administrator" in api.json["message"]
    )
    assert client.get("/").status_code == 302  # not signed in
    assert len(_actions("user.locked")) == 1  # locked once


def test_a_locked_account_answers_a_wrong_password_like_an_unknown_email(client, locked_user):
    for _ in range(3):
        wrong = request_token(client, locked_user.email, WRONG)
        unknown = request_token(client, "nobody@example.test", WRONG)
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json == unknown.json == GENERIC_401
        page = post_sign_in(client, locked_user.email, WRONG)
        assert page.status_code == 401 and "locked" not in page.text


def test_unknown_emails_keep_the_throttle_and_are_never_locked(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert request_token(client, "nobody@example.test", WRONG).json == GENERIC_401
    throttled = request_token(client, "nobody@example.test", WRONG)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert _actions("user.locked") == []


def test_a_successful_sign_in_resets_the_count(client, make_user, quick_lockout):
    user = make_user("vendor")
    for _ in range(quick_lockout - 1):
        request_token(client, user.email, WRONG)
    assert _reload(user).failed_sign_ins == quick_lockout - 1
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 201
    assert _reload(user).failed_sign_ins == 0
    for _ in range(quick_lockout - 1):
        request_token(client, user.email, WRONG)
    user = _reload(user)
    assert user.locked_at is None and user.failed_sign_ins == quick_lockout - 1


def test_a_lock_by_an_outsider_keeps_the_owners_session_and_token_and_refuses_new_sign_ins(
    client, make_user, bearer, sign_in, quick_lockout
):
    """An outsider who knows the email types wrong passwords until the account locks: the owner's
    open session and API token go on working (issue 16: before, the lock ended them, and the
    outsider could repeat it forever), while a new sign-in, even with the right password, is
    refused until an admin unlocks it."""
    user = make_user("buyer")
    headers = bearer(user)
    page_client = sign_in(client.application.test_client(), user)
    outsider = client.application.test_client()
    for _ in range(quick_lockout):
        assert request_token(outsider, user.email, WRONG).status_code == 401
    assert _reload(user).locked_at is not None
    assert client.get("/api/v1/me", headers=headers).json["email"] == user.email
    assert page_client.get("/").status_code == 200
    assert page_client.get("/account").status_code == 200
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 403
    assert (
        post_sign_in(client.application.test_client(), user.email, TEST_PASSWORD).status_code == 403
    )
    admin_headers = bearer(make_user("admin", organization=user.organization))
    assert client.post(f"/api/v1/users/{user.id}/unlock", headers=admin_headers).status_code == 200
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 201
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_a_lock_lapses_after_lockout_minutes(app, client, make_user, bearer, quick_lockout):
    """A stranger guessing at an email locks its owner out for LOCKOUT_MINUTES, not for good: the
    lock then lapses (tokens work again, the next sign-in records it and counts from zero)."""
    assert app.config["LOCKOUT_MINUTES"] == 60
    user = make_user("buyer")
    headers = bearer(user)
    for _ in range(quick_lockout):
        request_token(client, user.email, WRONG)
    refused = request_token(client, user.email, TEST_PASSWORD)
    assert refused.status_code == 403 and "or try again in 60 minute(s)" in refused.json["message"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # a lock ends no token
    user = _reload(user)
    user.locked_at = utcnow() - timedelta(minutes=59)
    db.session.commit()
    assert (
        "try again in 1 minute(s)"
        in request_token(client, user.email, TEST_PASSWORD).json["message"]
    )
    user = _reload(user)
    user.locked_at = utcnow() - timedelta(minutes=60, seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert request_token(client, user.email, WRONG).status_code == 401  # counts from zero again
    user = _reload(user)
    assert user.locked_at is None and user.failed_sign_ins == 1
    events = _actions("user.lock_lapsed")
    assert len(events) == 1 and events[0].actor_id is None and events[0].target_id == str(user.id)
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 201


def test_with_lockout_minutes_0_only_an_administrator_unlocks(app, client, make_user, locked_user):
    app.config["LOCKOUT_MINUTES"] = 0
    user = _reload(locked_user)
    user.locked_at = utcnow() - timedelta(days=365)
    db.session.commit()
    refused = request_token(client, user.email, TEST_PASSWORD)
    assert refused.status_code == 403 and refused.json["message"].endswith(
        "Ask an administrator to unlock it."
    )
    assert _actions("user.lock_lapsed") == []


def test_admin_unlocks_through_the_api(client, make_user, bearer, locked_user):
    admin = make_user("admin", organization=locked_user.organization)
    headers = bearer(admin)
    shown = client.get(f"/api/v1/users/{locked_user.id}", headers=headers)
    assert shown.status_code == 200 and shown.json["locked_at"] is not None
    response = client.post(f"/api/v1/users/{locked_user.id}/unlock", headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["id"] == locked_user.id and response.json["locked_at"] is None
    user = _reload(locked_user)
    assert user.locked_at is None and user.failed_sign_ins == 0
    assert (
        db.session.get(SignInThrottle, user.email) is None
    )  # the throttle is lifted with the lock
    events = _actions("user.unlocked")
    assert [(e.target_id, e.actor_id) for e in events] == [(str(user.id), admin.id)]
    assert events[0].organization_id == user.organization_id
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 201
    again = client.post(f"/api/v1/users/{user.id}/unlock", headers=headers)
    assert (
        again.status_code == 409
        and again.json["code"] == 409
        and "not locked" in again.json["message"]
    )
    assert len(_actions("user.unlocked")) == 1
    missing = client.post("/api/v1/users/999999/unlock", headers=headers)
    assert missing.status_code == 404 and missing.json["code"] == 404


def test_only_admins_may_unlock(client, make_user, bearer, locked_user):
    colleague = make_user(
        "buyer", organization=locked_user.organization
    )  # sees the user, may not unlock
    executive = make_user("executive", organization=locked_user.organization)
    for actor in (colleague, executive, make_user("vendor")):
        response = client.post(f"/api/v1/users/{locked_user.id}/unlock", headers=bearer(actor))
        assert response.status_code == 403 and response.json["code"] == 403, actor.role
    anonymous = client.post(
        f"/api/v1/users/{locked_user.id}/unlock", headers={"Authorization": "Bearer ipk_unknown"}
    )
    assert anonymous.status_code == 401
    assert _reload(locked_user).locked_at is not None
    assert _actions("user.unlocked") == []


def test_admin_unlocks_from_the_users_page(client, make_user, sign_in, locked_user):
    admin = make_user("admin", organization=locked_user.organization)
    sign_in(client, admin)
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert ">locked<" in page.text and f"/admin/users/{locked_user.id}/unlock" in page.text
    assert f"/admin/users/{admin.id}/unlock" not in page.text  # only locked users get the button
    forged = client.post(f"/admin/users/{locked_user.id}/unlock")
    assert forged.status_code == 400 and _reload(locked_user).locked_at is not None
    response = client.post(
        f"/admin/users/{locked_user.id}/unlock", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert _reload(locked_user).locked_at is None
    assert [e.actor_id for e in _actions("user.unlocked")] == [admin.id]
    after = client.get("/admin/users")
    assert "is unlocked" in after.text and ">locked<" not in after.text
    twice = client.post(
        f"/admin/users/{locked_user.id}/unlock", data={"csrf_token": csrf_token_from(after.text)}
    )
    assert twice.status_code == 302 and "is not locked" in client.get("/admin/users").text
    assert len(_actions("user.unlocked")) == 1
    assert (
        client.post(
            "/admin/users/999999/unlock", data={"csrf_token": csrf_token_from(after.text)}
        ).status_code
        == 404
    )


def test_non_admins_get_no_unlock_page(client, make_user, sign_in, locked_user):
    sign_in(client, make_user("buyer", organization=locked_user.organization))
    token = csrf_token_from(client.get("/account").text)
    assert (
        client.post(f"/admin/users/{locked_user.id}/unlock", data={"csrf_token": token}).status_code
        == 403
    )
    assert _reload(locked_user).locked_at is not None


def test_cli_unlocks_by_email(app, tmp_path, monkeypatch, migrated, locked_user):
    result = run_cli(
        ["users", "unlock", locked_user.email.upper()], tmp_path, monkeypatch, database_url=migrated
    )
    assert result.exit_code == 0, result.output
    assert f"Unlocked {locked_user.email}" in result.output
    assert _reload(locked_user).locked_at is None
    events = _actions("user.unlocked")
    assert len(events) == 1 and events[0].actor_id is None
    again = run_cli(
        ["users", "unlock", locked_user.email], tmp_path, monkeypatch, database_url=migrated
    )
    assert again.exit_code == 2 and "is not locked" in again.output
    unknown = run_cli(
        ["users", "unlock", "nobody@example.test"], tmp_path, monkeypatch, database_url=migrated
    )
    assert unknown.exit_code == 2 and "error: email: No user with this email." in unknown.output
    assert len(_actions("user.unlocked")) == 1


# ---------------------------------------------------------------- password policy

SHORT = "Use at least 12 characters."
EMAIL_PART = "Do not use your email address, or its part before the @, in the password."
COMMON = "This password is among the most commonly used ones: choose another."


@pytest.mark.parametrize(
    "password, email, problem",
    [
        ("amber-ledger", "ops@lumen.test", None),  # exactly 12 characters
        ("amber-ledge", "ops@lumen.test", SHORT),  # 11
        ("aaaabbbbaaaabbbb", "ops@lumen.test", "Use at least 4 different characters."),
        ("procurement-ops-2026", "ops@lumen.test", EMAIL_PART),
        ("Harriet.Tubman-1822", "harriet.tubman@lumen.test", EMAIL_PART),  # any case
        (
            "x@lumen.test-and-more",
            "x@lumen.test",
            EMAIL_PART,
        ),  # a 1-letter local part: the whole address
        ("x-ray-amber-ledger", "x@lumen.test", None),  # ... but not its single letter
        ("password1234", "ops@lumen.test", COMMON),
        ("P@ssw0rd-2024!", "ops@lumen.test", COMMON),
        ("qwertyuiop123", "ops@lumen.test", COMMON),
        ("123456789012", "ops@lumen.test", COMMON),
        ("i-love-you-forever", "ops@lumen.test", None),
        ("iloveyou!!2025", "ops@lumen.test", COMMON),
        ("Sunshine_1999", "ops@lumen.test", COMMON),
        (TEST_PASSWORD, "buyer1@example.test", None),
    ],
)
def test_password_policy_rules(password, email, problem):
    problems = password_problems(password, email)
    assert problems == ([problem] if problem else [])


def _create_user_via_api(client, headers, organization_id, password, email="ops@lumen.test"):
    return client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "organization_id": organization_id,
            "email": email,
            "name": "Ops",
            "role": "buyer",
            "password": password,
        },
    )


@pytest.mark.parametrize(
    "password, problem",
    [("amber-ledge", SHORT), ("ops-team-amber-ledger", EMAIL_PART), ("Password-2024", COMMON)],
)
def test_user_create_api_names_the_password_field(client, make_user, bearer, password, problem):
    admin = make_user("admin")
    response = _create_user_via_api(client, bearer(admin), admin.organization_id, password)
    assert response.status_code == 422
    assert response.json["errors"] == {"password": [problem]}
    assert db.session.scalar(select(User.id).where(User.email == "ops@lumen.test")) is None


def test_admin_page_shows_the_policy_at_the_password_field(client, make_user, sign_in):
    admin = make_user("admin")
    sign_in(client, admin)
    page = client.get("/admin/users")
    assert "At least 12 characters" in page.text
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token_from(page.text),
            "organization_id": admin.organization_id,
            "name": "New Buyer",
            "email": "newbuyer@buyer.test",
            "role": "buyer",
            "password": "newbuyer-2026-x",
        },
    )
    assert response.status_code == 422
    assert f'<p class="error" id="password-error">{EMAIL_PART}</p>' in response.text
    assert db.session.scalar(select(User.id).where(User.email == "newbuyer@buyer.test")) is None


def test_cli_user_create_applies_the_policy(app, tmp_path, monkeypatch, migrated):
    result = run_cli(
        [
            "users",
            "create",
            "--email",
            "cfo@example.test",
            "--name",
            "Chief",
            "--role",
            "executive",
            "--organization",
            "Acme Buyer",
            "--kind",
            "buyer",
            "--password",
            "letmein-1234",
        ],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert result.exit_code == 2
    assert f"error: password: {COMMON}" in result.output
    assert db.session.scalar(select(User.id).where(User.email == "cfo@example.test")) is None


# ---------------------------------------------------------------- changing one's password

NEW_PASSWORD = "amber-ledger-river"


def _change_password(client, current, new, confirm=None):
    page = client.get("/account")
    return client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token_from(page.text),
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_password_change_keeps_this_session_ends_the_others_and_is_audited(
    client, make_user, sign_in, bearer
):
    user = make_user("buyer")
    headers = bearer(user)
    sign_in(client, user)
    other_device = sign_in(client.application.test_client(), user)
    old_hash = user.password_hash
    response = _change_password(client, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your password is changed." in client.get("/account").text  # this session goes on
    assert _reload(user).password_hash != old_hash
    assert other_device.get("/").status_code == 302  # other sessions are signed out
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # API tokens are kept
    events = _actions("user.password_change")
    assert [(e.target_id, e.actor_id) for e in events] == [(str(user.id), user.id)]
    assert NEW_PASSWORD not in str(events[0].changes) and TEST_PASSWORD not in str(
        events[0].changes
    )
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 401
    assert request_token(client, user.email, NEW_PASSWORD).status_code == 201


@pytest.mark.parametrize(
    "current, new, confirm, field, message",
    [
        (WRONG, NEW_PASSWORD, None, "current_password", "Your current password is not correct."),
        (TEST_PASSWORD, "amber-ledge", None, "new_password", SHORT),
        (TEST_PASSWORD, "Password-2024", None, "new_password", COMMON),
        (TEST_PASSWORD, "{local}-amber-ledger", None, "new_password", EMAIL_PART),
        (
            TEST_PASSWORD,
            TEST_PASSWORD,
            None,
            "new_password",
            "Choose a password different from your current one.",
        ),
        (
            TEST_PASSWORD,
            NEW_PASSWORD,
            "amber-ledger-rivet",
            "confirm_password",
            "The two new passwords differ.",
        ),
    ],
)
def test_password_change_refusals_name_the_field_and_change_nothing(
    client, make_user, sign_in, current, new, confirm, field, message
):
    user = make_user("vendor")
    sign_in(client, user)
    old_hash = user.password_hash
    new = new.format(local=user.email.split("@")[0])
    response = _change_password(client, current, new, confirm)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in response.text
    assert _reload(user).password_hash == old_hash
    assert _actions("user.password_change") == []
    assert client.get("/account").status_code == 200  # still signed in


def test_wrong_current_passwords_count_towards_the_lockout(
    client, make_user, sign_in, quick_lockout
):
    user = make_user("buyer")
    sign_in(client, user)
    for _ in range(quick_lockout):
        assert _change_password(client, WRONG, NEW_PASSWORD).status_code == 422
    assert len(_actions("user.password_change_failed")) == quick_lockout
    assert [e.target_id for e in _actions("user.locked")] == [str(user.id)]
    assert _reload(user).locked_at is not None
    assert client.get("/account").status_code == 200  # a lock ends no session...
    locked = _change_password(client, TEST_PASSWORD, NEW_PASSWORD)  # ...but stops the guessing
    assert locked.status_code == 422 and "Your account is locked" in locked.text
    assert len(_actions("user.password_change_failed")) == quick_lockout
    assert request_token(client, user.email, TEST_PASSWORD).status_code == 403


def test_password_change_needs_a_csrf_token_and_a_session(client, make_user, sign_in):
    user = make_user("buyer")
    anonymous = client.application.test_client()
    token = csrf_token_from(anonymous.get("/sign-in").text)
    refused = anonymous.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    sign_in(client, user)
    old_hash = user.password_hash
    forged = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert forged.status_code == 400
    assert _reload(user).password_hash == old_hash
    assert _actions("user.password_change") == []
