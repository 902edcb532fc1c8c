"""Every cross-tenant attempt of issue 16, each made by the admin of a second buyer organization
(Y) against the first (X) or a vendor, is refused, and the record it aimed at is unchanged. An
admin is a member of its own organization; the operator reads no tenant's records.

Runs on SQLite, and on PostgreSQL when PROCURE_TEST_DATABASE_URL is set (tests/conftest.py).
"""

import io

import pandas as pd
import pytest
from sqlalchemy import func, select

from procure.accounts.models import User
from procure.disclosures.models import Disclosure
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, request_token, valid_document

NEW_PASSWORD = "a borrowed unusual passphrase"


@pytest.fixture
def tenants(client, world, make_user, make_org, make_scenario, bearer):
    """Buyer organization X (the world's buyer: its need and a submitted scenario) with its
    executive and admin; buyer organization Y with its admin; the world's two vendors (Alpha, with
    a draft besides its submitted disclosure, and Beta)."""
    x = world["buyer"].organization
    scenario = make_scenario("X's plan")
    submitted = client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    assert submitted.json["status"] == "submitted"
    alpha, beta = world["alpha"], world["beta"]
    alpha_user = db.session.scalars(
        select(User).where(User.organization_id == alpha.organization_id)
    ).one()
    draft = client.post(
        "/api/v1/disclosures",
        headers=bearer(alpha_user),
        json={"vendor_id": alpha.id, **valid_document("2026-01-01", "2026-12-31")},
    ).json
    y = make_org("buyer", "Buyer Y")
    return {
        "x": x,
        "y": y,
        "executive_x": make_user("executive", organization=x),
        "admin_x": make_user("admin", organization=x),
        "admin_y": make_user("admin", organization=y),
        "buyer_y": make_user("buyer", organization=y),
        "scenario_x": scenario["id"],
        "need_x": world["need"]["id"],
        "alpha": alpha,
        "beta": beta,
        "draft_alpha": draft["id"],
    }


def _count(model, *where) -> int:
    db.session.commit()  # a fresh read
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_admin_lists_only_its_own_organizations_users(client, tenants, bearer, sign_in):
    """Was: the second buyer's admin listed every user of every organization."""
    admin_y = tenants["admin_y"]
    listed = client.get("/api/v1/users", headers=bearer(admin_y)).json
    assert {u["id"] for u in listed} == {admin_y.id, tenants["buyer_y"].id}
    assert {u["organization_id"] for u in listed} == {tenants["y"].id}
    organizations = client.get("/api/v1/organizations", headers=bearer(admin_y)).json
    assert [o["id"] for o in organizations] == [tenants["y"].id]
    page_client = sign_in(client.application.test_client(), admin_y)
    page = page_client.get("/admin/users")
    assert page.status_code == 200 and tenants["buyer_y"].email in page.text
    assert tenants["executive_x"].email not in page.text
    assert tenants["x"].name not in page.text
    for user in (tenants["executive_x"], tenants["admin_x"]):
        assert client.get(f"/api/v1/users/{user.id}", headers=bearer(admin_y)).status_code == 404
    x_id = tenants["x"].id
    assert client.get(f"/api/v1/organizations/{x_id}", headers=bearer(admin_y)).status_code == 404


def test_an_admin_cannot_reset_another_organizations_executive_and_approve_its_scenario(
    client, tenants, bearer, sign_in
):
    """Was: the second buyer's admin set a new password for the first buyer's executive, signed in
    as that executive and approved the first buyer's scenario."""
    executive_x, admin_y = tenants["executive_x"], tenants["admin_y"]
    executive_headers = bearer(executive_x)
    headers = bearer(admin_y)
    api = client.post(
        f"/api/v1/users/{executive_x.id}/password", headers=headers, json={"password": NEW_PASSWORD}
    )
    assert api.status_code == 404 and api.json["code"] == 404
    page_client = sign_in(client.application.test_client(), admin_y)
    assert page_client.get(f"/admin/users/{executive_x.id}/password").status_code == 404
    token = csrf_token_from(page_client.get("/admin/users").text)
    page = page_client.post(
        f"/admin/users/{executive_x.id}/password",
        data={"csrf_token": token, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert page.status_code == 404
    # the executive's password, sessions and tokens are untouched
    assert request_token(client, executive_x.email, NEW_PASSWORD).status_code == 401
    assert client.get("/api/v1/me", headers=executive_headers).status_code == 200
    # nor can the admin decide the scenario itself
    scenario_id = tenants["scenario_x"]
    decision = client.post(
        f"/api/v1/scenarios/{scenario_id}/decision", headers=headers, json={"decision": "approved"}
    )
    assert decision.status_code == 403
    assert client.get(f"/api/v1/scenarios/{scenario_id}", headers=headers).status_code == 404
    shown = client.get(f"/api/v1/scenarios/{scenario_id}", headers=executive_headers).json
    assert shown["status"] == "submitted"
    # X's own admin may reset its executive's password: the rule is the organization, not the role
    own = client.post(
        f"/api/v1/users/{executive_x.id}/password",
        headers=bearer(tenants["admin_x"]),
        json={"password": NEW_PASSWORD},
    )
    assert own.status_code == 200


def test_an_admin_cannot_create_a_buyer_inside_another_organization(
    client, tenants, bearer, sign_in
):
    """Was: the second buyer's admin created a buyer inside the first buyer's organization, which
    then read that organization's needs."""
    admin_y, x = tenants["admin_y"], tenants["x"]
    headers = bearer(admin_y)
    body = {
        "organization_id": x.id,
        "email": "infiltrator@example.test",
        "name": "Infiltrator",
        "role": "buyer",
        "password": TEST_PASSWORD,
    }
    refused = client.post("/api/v1/users", headers=headers, json=body)
    assert refused.status_code == 404 and refused.json["code"] == 404
    assert _count(User, User.email == "infiltrator@example.test") == 0
    # the page has no organization to choose: a forged organization_id is ignored, and the user
    # lands in the admin's own organization, which sees none of X's needs
    page_client = sign_in(client.application.test_client(), admin_y)
    page = page_client.get("/admin/users")
    assert 'name="organization_id"' not in page.text
    created = page_client.post(
        "/admin/users",
        data={**body, "csrf_token": csrf_token_from(page.text)},
    )
    assert created.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "infiltrator@example.test")).one()
    assert user.organization_id == tenants["y"].id
    need = client.get(f"/api/v1/needs/{tenants['need_x']}", headers=bearer(user))
    assert need.status_code == 404
    assert client.get("/api/v1/needs", headers=bearer(user)).json == []


def test_an_admin_cannot_create_an_admin_inside_a_vendor_organization(
    client, tenants, bearer, make_user
):
    """Was: the second buyer's admin created an admin inside a vendor organization, which then
    listed competitors' draft disclosures and exported every disclosure. Now the creation is
    refused, and even a vendor organization's own admin reads its own vendor's disclosures only."""
    beta = tenants["beta"]
    refused = client.post(
        "/api/v1/users",
        headers=bearer(tenants["admin_y"]),
        json={
            "organization_id": beta.organization_id,
            "email": "mole@example.test",
            "name": "Mole",
            "role": "admin",
            "password": TEST_PASSWORD,
        },
    )
    assert refused.status_code == 404
    assert _count(User, User.email == "mole@example.test") == 0
    beta_admin = bearer(make_user("admin", organization=beta.organization))
    listed = client.get("/api/v1/disclosures", headers=beta_admin).json
    vendor_ids = {d["vendor_id"] for d in listed}
    assert vendor_ids == {beta.id}
    draft = client.get(f"/api/v1/disclosures/{tenants['draft_alpha']}", headers=beta_admin)
    assert draft.status_code == 404
    exported = client.get("/api/v1/disclosures/export?format=csv", headers=beta_admin)
    assert exported.status_code == 200
    assert set(pd.read_csv(io.BytesIO(exported.data))["vendor_id"]) == {beta.id}
    # the buyer side is not a vendor organization's admin's to read
    assert client.get("/api/v1/scores", headers=beta_admin).status_code == 403
    assert (
        client.get(f"/api/v1/vendors/{tenants['alpha'].id}", headers=beta_admin).status_code == 404
    )
    # nor is another vendor's import: the table's rows for Alpha are refused, nothing is created
    before = _count(Disclosure)
    alpha_rows = client.get(
        "/api/v1/disclosures/export?format=csv", headers=bearer(make_user("buyer"))
    ).data
    imported = client.post(
        "/api/v1/disclosures/import",
        headers=beta_admin,
        data={"file": (io.BytesIO(alpha_rows), "alpha.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 422
    assert _count(Disclosure) == before


def test_a_buyer_organizations_admin_reads_what_its_executives_read(client, tenants, bearer):
    """Read-only where it was: X's admin sees X's scenario and needs, every vendor's submitted
    disclosure but no draft, and nothing of Y."""
    headers = bearer(tenants["admin_x"])
    assert (
        client.get(f"/api/v1/scenarios/{tenants['scenario_x']}", headers=headers).status_code == 200
    )
    assert client.get(f"/api/v1/needs/{tenants['need_x']}", headers=headers).status_code == 200
    listed = client.get("/api/v1/disclosures", headers=headers).json
    assert listed and {d["state"] for d in listed} == {"submitted"}
    draft = client.get(f"/api/v1/disclosures/{tenants['draft_alpha']}", headers=headers)
    assert draft.status_code == 404
    decision = client.post(
        f"/api/v1/scenarios/{tenants['scenario_x']}/decision",
        headers=headers,
        json={"decision": "approved"},
    )
    assert decision.status_code == 403


def test_the_users_form_offers_only_the_admins_organization_and_a_non_admin_role(
    client, tenants, make_user, sign_in
):
    """Was: the form defaulted to the alphabetically first organization (a vendor) with the role
    Admin, so an admin could create a vendor organization's admin by accident."""
    page_client = sign_in(client.application.test_client(), tenants["admin_y"])
    page = page_client.get("/admin/users").text
    assert 'name="organization_id"' not in page
    assert '<option selected value="buyer">Buyer</option>' in page
    assert 'value="vendor"' not in page  # a buyer organization holds no vendor users
    vendor_admin = make_user("admin", organization=tenants["beta"].organization)
    vendor_page = sign_in(client.application.test_client(), vendor_admin).get("/admin/users").text
    assert '<option selected value="vendor">Vendor</option>' in vendor_page
    assert 'value="buyer"' not in vendor_page


def test_the_operator_reads_no_tenants_records(client, tenants, make_user, bearer):
    operator = bearer(make_user("operator"))
    scenario, need = tenants["scenario_x"], tenants["need_x"]
    for path, refused in (
        (f"/api/v1/scenarios/{scenario}", 403),
        (f"/api/v1/needs/{need}", 403),
        ("/api/v1/scores", 403),
        (f"/api/v1/disclosures/{tenants['draft_alpha']}", 404),
        (f"/api/v1/vendors/{tenants['alpha'].id}", 404),
        (f"/api/v1/users/{tenants['executive_x'].id}", 404),
    ):
        assert client.get(path, headers=operator).status_code == refused, path
    for path in ("/api/v1/disclosures", "/api/v1/vendors", "/api/v1/jobs"):
        assert client.get(path, headers=operator).json == [], path
    exported = client.get("/api/v1/disclosures/export?format=csv", headers=operator)
    assert pd.read_csv(io.BytesIO(exported.data)).empty
    users = client.get("/api/v1/users", headers=operator).json
    assert {u["role"] for u in users} == {"operator"}
    password = client.post(
        f"/api/v1/users/{tenants['executive_x'].id}/password",
        headers=operator,
        json={"password": NEW_PASSWORD},
    )
    assert password.status_code == 403


def test_tenant_admins_may_not_create_organizations(client, tenants, bearer):
    for admin in (tenants["admin_x"], tenants["admin_y"]):
        response = client.post(
            "/api/v1/organizations",
            headers=bearer(admin),
            json={
                "name": "Shadow Buyer",
                "kind": "buyer",
                "admin_email": "shadow@example.test",
                "admin_name": "Shadow",
                "admin_password": TEST_PASSWORD,
            },
        )
        assert response.status_code == 403
    assert _count(User, User.email == "shadow@example.test") == 0
