"""The platform operator creates organizations with their first admin (API, page, command line)
and sees counts across tenants; organization and vendor names are unique after Unicode
normalisation, and invisible characters are refused."""

import pytest
from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.names import invisible_characters, name_key
from procure.audit.models import AuditEvent
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, request_token, run_cli


def _organization(name: str, kind: str = "vendor", email: str | None = None) -> dict:
    return {
        "name": name,
        "kind": kind,
        "admin_email": email or f"first@{len(name)}-{kind}.example.test",
        "admin_name": "First Admin",
        "admin_password": TEST_PASSWORD,
    }


@pytest.fixture
def operator_headers(make_user, bearer):
    return bearer(make_user("operator"))


def test_the_operator_creates_an_organization_whose_first_admin_adds_its_users(
    client, operator_headers, bearer
):
    created = client.post(
        "/api/v1/organizations",
        headers=operator_headers,
        json=_organization("Lumen BPO", "vendor", "lead@lumen.example.test"),
    )
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Lumen BPO" and created.json["kind"] == "vendor"
    admin = created.json["admin"]
    assert admin["role"] == "admin" and admin["organization_id"] == created.json["id"]
    assert "admin_password" not in created.json and "password" not in admin
    token = request_token(client, "lead@lumen.example.test", TEST_PASSWORD)
    assert token.status_code == 201
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    colleague = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "organization_id": created.json["id"],
            "email": "ops@lumen.example.test",
            "name": "Ops",
            "role": "vendor",
            "password": TEST_PASSWORD,
        },
    )
    assert colleague.status_code == 201
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("organization.create", "user.create")))
    ).all()
    assert [e.action for e in events] == ["organization.create", "user.create", "user.create"]
    assert events[0].organization_id == created.json["id"]


def test_an_organization_is_all_or_nothing_and_errors_name_each_field(client, operator_headers):
    bad = client.post(
        "/api/v1/organizations",
        headers=operator_headers,
        json={**_organization("Half Made"), "admin_email": "nope", "admin_password": "short"},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"admin_email", "admin_password"}
    assert (
        db.session.scalar(select(Organization.id).where(Organization.name == "Half Made")) is None
    )
    operator_kind = client.post(
        "/api/v1/organizations", headers=operator_headers, json=_organization("Ops 2", "operator")
    )
    assert operator_kind.status_code == 422 and set(operator_kind.json["errors"]) == {"kind"}


@pytest.mark.parametrize(
    "taken, variant",
    [
        ("Kazi Data Works", "kazi data works"),
        ("Kazi Data Works", "  Kazi   Data Works "),  # whitespace trimmed and collapsed
        ("Kazi Data Works", "ＫＡＺＩ Data Works"),  # full-width letters (NFKC)
        ("Straße AG", "STRASSE AG"),  # case folding
        ("ﬁnance co", "Finance Co"),  # the ligature ﬁ is "fi" (NFKC)
        ("Õµx", "õμx"),  # the micro sign is Greek mu once folded
    ],
)
def test_organization_names_are_unique_after_normalisation(
    client, operator_headers, taken, variant
):
    first = client.post(
        "/api/v1/organizations",
        headers=operator_headers,
        json=_organization(taken, email="one@example.test"),
    )
    assert first.status_code == 201, first.json
    second = client.post(
        "/api/v1/organizations",
        headers=operator_headers,
        json=_organization(variant, email="two@example.test"),
    )
    assert second.status_code == 422
    assert list(second.json["errors"]) == ["name"]
    assert db.session.scalar(select(User.id).where(User.email == "two@example.test")) is None


@pytest.mark.parametrize(
    "character",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad", "\x07"],
)
def test_invisible_and_control_characters_are_refused_by_name(client, operator_headers, character):
    response = client.post(
        "/api/v1/organizations",
        headers=operator_headers,
        json=_organization(f"Kazi{character} Data Works"),
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["name"]
    assert f"U+{ord(character):04X}" in response.json["errors"]["name"][0]


def test_the_name_key_by_hand():
    assert name_key("  Straße\u00a0 AG ") == "strasse ag"  # NBSP is a space under NFKC
    assert name_key("ＡＢＣ") == "abc"
    assert invisible_characters("a\u200bb\u200bc") == ["U+200B ZERO WIDTH SPACE"]
    assert invisible_characters("Ärzte ohne Grenzen") == []


def test_the_operator_page_creates_an_organization(client, make_user, sign_in):
    page_client = sign_in(client, make_user("operator"))
    page = page_client.get("/admin/organizations")
    assert page.status_code == 200 and "Add an organization" in page.text
    assert "/admin/organizations" in page_client.get("/").text  # the home page links to it
    token = csrf_token_from(page.text)
    taken = page_client.post(
        "/admin/organizations",
        data={
            "csrf_token": token,
            **_organization("Kakuma Digital", "vendor", "lead@kakuma.example.test"),
            "name": "Kakuma\u200b Digital",
        },
    )
    assert taken.status_code == 422 and "U+200B ZERO WIDTH SPACE" in taken.text
    done = page_client.post(
        "/admin/organizations",
        data={"csrf_token": token, **_organization("Kakuma Digital", "vendor", "k@kd.test")},
    )
    assert done.status_code == 302
    assert "Kakuma Digital is created" in page_client.get("/admin/organizations").text


def test_the_platform_summary_counts_without_records(
    client, world, make_scenario, operator_headers, make_user, bearer
):
    make_scenario("Counted plan")
    summary = client.get("/api/v1/platform/summary", headers=operator_headers)
    assert summary.status_code == 200
    rows = {row["name"]: row for row in summary.json["organizations"]}
    buyer = rows[world["buyer"].organization.name]
    assert (buyer["kind"], buyer["users"], buyer["needs"], buyer["scenarios"]) == (
        "buyer",
        1,
        1,
        1,
    )
    alpha = rows[world["alpha"].organization.name]
    assert (alpha["vendors"], alpha["disclosures"], alpha["needs"]) == (1, 1, 0)
    assert summary.json["totals"]["vendors"] == 2 and summary.json["totals"]["disclosures"] == 2
    assert set(buyer) == {
        "id",
        "name",
        "kind",
        "users",
        "active_users",
        "vendors",
        "disclosures",
        "needs",
        "scenarios",
    }
    admin = bearer(make_user("admin", organization=world["buyer"].organization))
    assert client.get("/api/v1/platform/summary", headers=admin).status_code == 403


def test_the_command_line_creates_the_operator_organization(app, tmp_path, monkeypatch, migrated):
    result = run_cli(
        [
            "users",
            "create",
            "--email",
            "ops@platform.example.test",
            "--name",
            "Platform Ops",
            "--role",
            "operator",
            "--organization",
            "Impact Platform",
            "--kind",
            "operator",
            "--password",
            TEST_PASSWORD,
        ],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "ops@platform.example.test")).one()
    assert (user.role, user.organization.kind) == ("operator", "operator")
    wrong = run_cli(
        [
            "users",
            "create",
            "--email",
            "boss@platform.example.test",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--organization",
            "impact  PLATFORM",  # found by its normalised name
            "--password",
            TEST_PASSWORD,
        ],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert wrong.exit_code == 2
    assert "error: role: An operator organization's user may be: operator." in wrong.output


def test_a_vendor_cannot_take_another_vendors_name(client, make_vendor, bearer):
    """Was: a vendor renamed itself to another vendor's exact name, or a zero-width variant."""
    alpha, _ = make_vendor("Alpha Annotation")
    beta, beta_user = make_vendor("Beta BPO")
    headers = bearer(beta_user)
    for name in ("Alpha Annotation", "alpha  annotation", "Alpha\u200b Annotation"):
        response = client.patch(
            f"/api/v1/vendors/{beta.id}", headers=headers, json={"name": name, "version": 1}
        )
        assert response.status_code == 422, name
        assert list(response.json["errors"]) == ["name"], name
    db.session.refresh(beta)
    assert beta.name == "Beta BPO"
    renamed = client.patch(
        f"/api/v1/vendors/{beta.id}",
        headers=headers,
        json={"name": "beta bpo", "version": 1},  # its own name in another case is its own
    )
    assert renamed.status_code == 200 and renamed.json["name"] == "beta bpo"


def test_a_new_vendor_profile_cannot_take_a_taken_name(client, make_vendor, make_user, bearer):
    make_vendor("Alpha Annotation")
    newcomer = make_user("vendor")
    response = client.post(
        "/api/v1/vendors",
        headers=bearer(newcomer),
        json={"name": "ALPHA ANNOTATION", "country": "KE"},
    )
    assert response.status_code == 422 and list(response.json["errors"]) == ["name"]
