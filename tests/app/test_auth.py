"""Sign-in and sign-out pages, CSRF, throttling, and API bearer tokens."""

from datetime import timedelta

from sqlalchemy import func, select

from procure.accounts.models import ApiToken, SignInThrottle
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, post_sign_in


def test_sign_in_opens_the_role_home_and_sign_out_closes_it(client, make_user, sign_in):
    user = make_user("buyer")
    response = post_sign_in(client, user.email.upper(), TEST_PASSWORD)  # email is case-blind
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Buyer workspace" in home.text and user.organization.name in home.text
    response = client.post("/sign-out", data={"csrf_token": csrf_token_from(home.text)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: back to the sign-in page


def test_each_role_gets_its_own_home(client, make_user, sign_in):
    headings = {
        "buyer": "Buyer workspace",
        "vendor": "Vendor workspace",
        "executive": "Executive review",
        "admin": "Administration",
        "operator": "Platform operation",
    }
    for role, heading in headings.items():
        user = make_user(role)
        page_client = client.application.test_client()
        sign_in(page_client, user)
        assert heading in page_client.get("/").text


def test_wrong_password_and_unknown_email_get_the_same_401(client, make_user):
    user = make_user("buyer")
    wrong = post_sign_in(client, user.email, "not-the-password")
    unknown = post_sign_in(client, "nobody@example.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = "The email or password is not correct."
    assert message in wrong.text and message in unknown.text
    api_wrong = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "x"})
    api_unknown = client.post(
        "/api/v1/auth/tokens", json={"email": "no@example.test", "password": "x"}
    )
    assert (
        api_wrong.json
        == api_unknown.json
        == {"code": 401, "status": "Unauthorized", "message": message}
    )


def test_repeated_failures_are_throttled_then_released(app, client, make_user):
    user = make_user("buyer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_sign_in(client, user.email, "wrong-password").status_code == 401
    blocked = post_sign_in(client, user.email, TEST_PASSWORD)  # even the right password waits
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    api = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD})
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0
    # once the window has passed, the right password works and the counter is gone
    throttle = db.session.get(SignInThrottle, user.email)
    throttle.window_started_at = utcnow() - timedelta(
        minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1
    )
    db.session.commit()
    assert post_sign_in(client, user.email, TEST_PASSWORD).status_code == 302
    assert db.session.get(SignInThrottle, user.email) is None


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user("buyer", active=False)
    assert post_sign_in(client, user.email, TEST_PASSWORD).status_code == 401


def test_missing_or_stale_csrf_token_is_rejected_and_changes_nothing(client, make_user, sign_in):
    user = make_user("buyer")
    missing = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert missing.status_code == 400
    assert client.get("/").status_code == 302  # still signed out
    sign_in(client, user)
    before = db.session.scalar(select(func.count()).select_from(ApiToken))
    stale = client.post("/account", data={"name": "x", "csrf_token": "stale-token"})
    assert stale.status_code == 400
    assert "CSRF" in stale.text or "expired" in stale.text
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == before
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200  # the sign-out without a token did not happen


def test_sign_in_gives_a_new_session(client, make_user):
    user = make_user("buyer")
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    post_sign_in(client, user.email, TEST_PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)


def test_next_parameter_only_follows_local_paths(client, make_user):
    user = make_user("buyer")
    token = csrf_token_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in?next=//evil.example/x",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
    response = client.get("/account")
    assert response.status_code == 200


def test_page_redirects_anonymous_users_to_sign_in_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account"


def test_token_issue_use_and_revocation(client, make_user):
    user = make_user("buyer")
    issued = client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD, "name": "ci"}
    )
    assert issued.status_code == 201
    assert issued.json["name"] == "ci" and issued.json["token"].startswith("ipk_")
    headers = {"Authorization": f"Bearer {issued.json['token']}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["email"] == user.email
    stored = db.session.get(ApiToken, issued.json["id"])
    assert issued.json["token"] not in stored.token_hash  # only the hash is kept
    listed = client.get("/api/v1/auth/tokens", headers=headers).json
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    assert (
        client.delete(f"/api/v1/auth/tokens/{issued.json['id']}", headers=headers).status_code
        == 204
    )
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401  # revocation takes effect at once
    assert after.json["code"] == 401


def test_expired_and_malformed_tokens_are_refused(client, make_user, bearer):
    user = make_user("buyer")
    headers = bearer(user)
    token = db.session.scalars(select(ApiToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me").headers.get("Content-Type") == "application/json"


def _new_organization(name: str) -> dict:
    return {
        "name": name,
        "kind": "vendor",
        "admin_email": f"admin@{name.lower().replace(' ', '-')}.test",
        "admin_name": "First Admin",
        "admin_password": TEST_PASSWORD,
    }


def test_bearer_requests_need_no_csrf_token_and_set_no_session(client, make_user, bearer):
    operator = make_user("operator")
    headers = bearer(operator)
    response = client.post(
        "/api/v1/organizations", json=_new_organization("Via Token"), headers=headers
    )
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_session_requests_to_the_api_need_a_csrf_token(client, make_user, sign_in):
    operator = make_user("operator")
    sign_in(client, operator)
    response = client.post("/api/v1/organizations", json=_new_organization("Via Session"))
    assert response.status_code == 400 and response.json["code"] == 400
    token = csrf_token_from(client.get("/").text)
    response = client.post(
        "/api/v1/organizations",
        json=_new_organization("Via Session"),
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_tokens_page_creates_and_revokes(client, make_user, sign_in):
    user = make_user("vendor")
    sign_in(client, user)
    page = client.get("/account")
    created = client.post(
        "/account", data={"name": "spreadsheet", "csrf_token": csrf_token_from(page.text)}
    )
    assert created.status_code == 200 and "ipk_" in created.text
    token = db.session.scalars(select(ApiToken)).one()
    revoked = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(created.text)}
    )
    assert revoked.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["token.create", "token.revoke"]


def test_sign_in_issues_a_new_session_cookie_and_the_old_one_stays_anonymous(client, make_user):
    user = make_user("buyer")
    client.get("/sign-in")
    before = client.get_cookie("session").value
    post_sign_in(client, user.email, TEST_PASSWORD)
    after = client.get_cookie("session").value
    assert after != before
    planted = client.application.test_client()  # an attacker holding the cookie from before sign-in
    planted.set_cookie("session", before)
    assert planted.get("/").status_code == 302
    assert client.get("/").status_code == 200


def _session_cookie_of_a_sign_in(app, user):
    response = post_sign_in(app.test_client(), user.email, TEST_PASSWORD)
    assert response.status_code == 302
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(
    app, migrated, tmp_path, make_user
):
    from procure import create_app
    from tests.conftest import IsolatedClient

    user = make_user("buyer")
    cookie = _session_cookie_of_a_sign_in(app, user)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert (
        "Secure" not in cookie
    )  # session_cookie_secure = false by default (plain http in development)
    secure_app = create_app(
        {
            "database_url": migrated,
            "secret_key": "test-secret",
            "session_cookie_secure": True,
            "TESTING": True,
        },
        instance_path=str(tmp_path / "secure"),
    )
    secure_app.test_client_class = IsolatedClient
    try:
        cookie = _session_cookie_of_a_sign_in(secure_app, user)
    finally:
        with secure_app.app_context():
            db.engine.dispose()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_pages_api_errors_and_files(client, make_user, bearer):
    headers = bearer(make_user("buyer"))
    responses = {
        ("page", 200): client.get("/sign-in"),
        ("page 404", 404): client.get("/no-such-page"),
        ("api 200", 200): client.get("/api/v1/me", headers=headers),
        ("api 401", 401): client.get("/api/v1/me"),
        ("api 404", 404): client.get("/api/v1/no-such-thing", headers=headers),
        ("api document", 200): client.get("/api/v1/openapi.json"),
        ("api docs page", 200): client.get("/api/v1/docs"),
        ("static file", 200): client.get("/static/css/app.css"),
    }
    for (name, status), response in responses.items():
        assert response.status_code == status, name
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, name
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, name
        assert response.headers.get("X-Frame-Options") == "DENY", name
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name
        assert response.headers.get("Referrer-Policy") in {
            "same-origin",
            "no-referrer",
            "strict-origin",
        }, name
    assert responses[("api 200", 200)].headers["Cache-Control"] == "no-store"


def test_a_token_revoked_on_the_account_page_fails_on_the_very_next_request(
    client, make_user, bearer, sign_in
):
    user = make_user("vendor")
    headers = bearer(user)
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    sign_in(client, user)
    page = client.get("/account")
    token = db.session.scalars(select(ApiToken)).one()
    assert (
        client.post(
            f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(page.text)}
        ).status_code
        == 302
    )
    assert api.get("/api/v1/me", headers=headers).status_code == 401


def test_sign_out_ends_the_session_a_copied_cookie_included_and_on_every_device(client, make_user):
    user = make_user("buyer")
    post_sign_in(client, user.email, TEST_PASSWORD)
    copied = client.get_cookie("session").value  # e.g. taken from a shared computer
    other_device = client.application.test_client()
    post_sign_in(other_device, user.email, TEST_PASSWORD)
    assert other_device.get("/").status_code == 200
    home = client.get("/")
    assert (
        client.post("/sign-out", data={"csrf_token": csrf_token_from(home.text)}).status_code == 302
    )
    replayed = client.application.test_client()
    replayed.set_cookie("session", copied)
    assert replayed.get("/").status_code == 302  # the copy no longer signs anyone in
    assert other_device.get("/").status_code == 302  # signing out ends every session of the user
    post_sign_in(client, user.email, TEST_PASSWORD)
    assert client.get("/").status_code == 200  # a new sign-in works as before
