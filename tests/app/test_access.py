"""The access layer: every route declares a rule; roles are checked; other organizations get 404."""

from procure.access import PUBLIC, route_rules
from tests.conftest import csrf_token_from


def test_every_route_declares_an_access_rule(app):
    undeclared = [
        (path, method, endpoint)
        for path, method, endpoint, rule in route_rules(app)
        if rule is None
    ]
    assert undeclared == []


def test_the_public_routes_are_exactly_these(app):
    public = sorted(
        {(path, method) for path, method, _, rule in route_rules(app) if rule == PUBLIC}
    )
    assert public == [
        ("/api/v1/auth/tokens", "POST"),
        ("/api/v1/docs", "GET"),
        ("/api/v1/docs/assets/<path:filename>", "GET"),
        ("/api/v1/openapi.json", "GET"),
        ("/healthz", "GET"),
        ("/healthz/broker", "GET"),
        ("/healthz/live", "GET"),
        ("/healthz/ready", "GET"),
        ("/invitations/<token>", "GET"),  # an invitation's one-time link
        ("/invitations/<token>", "POST"),
        ("/sign-in", "GET"),
        ("/sign-in", "POST"),
        ("/static/<path:filename>", "GET"),
    ]


def test_a_route_without_a_rule_is_refused(app, client):
    @app.route("/undeclared-probe")
    def undeclared_probe():
        return "should never be served"

    response = client.get("/undeclared-probe")
    assert response.status_code == 403
    assert "should never be served" not in response.text


def test_anonymous_api_requests_get_401_with_the_error_shape(client):
    response = client.get("/api/v1/organizations")
    assert response.status_code == 401
    assert response.json["code"] == 401 and response.json["status"] == "Unauthorized"
    assert "Bearer" in response.json["message"]


def test_roles_are_checked(client, make_user, bearer):
    buyer = make_user("buyer")
    response = client.post(
        "/api/v1/organizations", json={"name": "X", "kind": "buyer"}, headers=bearer(buyer)
    )
    assert response.status_code == 403 and response.json["code"] == 403


def test_admin_page_is_refused_to_other_roles(client, make_user, sign_in):
    sign_in(client, make_user("executive"))
    assert client.get("/admin/users").status_code == 403
    assert "Users" not in [
        link for link in client.get("/").text.split('"') if link == "/admin/users"
    ]


def test_another_organizations_records_answer_404(client, make_user, bearer):
    buyer_x = make_user("buyer")
    buyer_y = make_user("buyer")
    headers_x = bearer(buyer_x)
    headers_y = bearer(buyer_y)
    assert (
        client.get(
            f"/api/v1/organizations/{buyer_x.organization_id}", headers=headers_x
        ).status_code
        == 200
    )
    response = client.get(f"/api/v1/organizations/{buyer_x.organization_id}", headers=headers_y)
    assert response.status_code == 404 and response.json["code"] == 404
    assert client.get(f"/api/v1/users/{buyer_x.id}", headers=headers_y).status_code == 404
    assert [u["id"] for u in client.get("/api/v1/users", headers=headers_y).json] == [buyer_y.id]
    assert [o["id"] for o in client.get("/api/v1/organizations", headers=headers_y).json] == [
        buyer_y.organization_id
    ]
    # another user's token cannot be revoked, and keeps working
    token_x = client.get("/api/v1/auth/tokens", headers=headers_x).json[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_x}", headers=headers_y).status_code == 404
    assert client.get("/api/v1/me", headers=headers_x).status_code == 200


def test_another_users_token_cannot_be_revoked_from_the_page(client, make_user, sign_in, bearer):
    owner = make_user("vendor")
    bearer(owner)
    from procure.accounts.models import ApiToken
    from procure.extensions import db

    token = db.session.query(ApiToken).one()
    sign_in(client, make_user("vendor"))
    page = client.get("/account")
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_admin_sees_its_own_organization_and_the_operator_sees_every_one(
    client, make_user, make_org, bearer
):
    admin = make_user("admin")
    other = make_org("vendor")
    listed = {o["id"] for o in client.get("/api/v1/organizations", headers=bearer(admin)).json}
    assert listed == {admin.organization_id}
    operator = make_user("operator")
    listed = {o["id"] for o in client.get("/api/v1/organizations", headers=bearer(operator)).json}
    assert listed == {admin.organization_id, other.id, operator.organization_id}


def test_a_record_out_of_reach_is_named_as_people_write_it(client, make_user, bearer):
    """404s name the record in words: "No sourcing event", never "No sourcingevent"."""
    from procure.access import record_name
    from procure.events.models import SourcingEvent
    from procure.scoring.models import ScoringProfile

    assert record_name(SourcingEvent) == "sourcing event"
    assert record_name(ScoringProfile) == "scoring profile"
    response = client.get("/api/v1/events/424242", headers=bearer(make_user("buyer")))
    assert response.status_code == 404
    assert response.json["message"] == "No sourcing event with id 424242 is visible to you."
