"""The `procure` command group: demo, db upgrade, users create, openapi."""

import json

from sqlalchemy import create_engine, select, text

from procure.accounts.models import User
from procure.demo import DEMO_LOGINS
from procure.extensions import db
from tests.conftest import run_cli


def test_demo_creates_the_database_loads_logins_and_is_repeatable(tmp_path, monkeypatch):
    result = run_cli(["demo", "--no-serve"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    for login in DEMO_LOGINS:
        assert login.email in result.output and login.password in result.output
    database = tmp_path / "instance" / "procure.sqlite3"
    assert database.is_file()
    tables = ("user", "vendor", "offer", "disclosure", "evidence", "audit_event")

    def counts():
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:
            found = {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables
            }
        engine.dispose()
        return found

    first = counts()
    assert first["vendor"] >= 30 and first["user"] == len(DEMO_LOGINS) + first["vendor"] - 1
    again = run_cli(["demo", "--no-serve"], tmp_path, monkeypatch)
    assert again.exit_code == 0
    assert counts() == first  # a second run changes nothing


def test_demo_logins_sign_in(tmp_path, monkeypatch):
    run_cli(["demo", "--no-serve"], tmp_path, monkeypatch)
    from procure import create_app

    app = create_app({"secret_key": "x"}, instance_path=str(tmp_path / "instance"))
    client = app.test_client()
    for login in DEMO_LOGINS:
        response = client.post(
            "/api/v1/auth/tokens", json={"email": login.email, "password": login.password}
        )
        assert response.status_code == 201, login.email
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
        assert me.json["role"] == login.role


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from procure.app import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_db_upgrade_command(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"
    result = run_cli(["db", "upgrade"], tmp_path, monkeypatch, database_url=url)
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        )
    engine.dispose()


def test_users_create_and_its_errors(app, tmp_path, monkeypatch, migrated):
    args = [
        "users",
        "create",
        "--email",
        "Cfo@Example.test",
        "--name",
        "Chief",
        "--role",
        "executive",
        "--organization",
        "Acme Buyer",
        "--kind",
        "buyer",
        "--password",
        "a-long-password",
    ]
    result = run_cli(args, tmp_path, monkeypatch, database_url=migrated)
    assert result.exit_code == 0, result.output
    assert "Created executive cfo@example.test in Acme Buyer" in result.output
    assert (
        db.session.scalar(select(User.role).where(User.email == "cfo@example.test")) == "executive"
    )
    result = run_cli(
        [
            "users",
            "create",
            "--email",
            "v@example.test",
            "--name",
            "V",
            "--role",
            "vendor",
            "--organization",
            "Acme Buyer",
            "--password",
            "short",
        ],
        tmp_path,
        monkeypatch,
        database_url=migrated,
    )
    assert result.exit_code == 2
    assert (
        "error: role: A buyer organization's user may be: admin, buyer, executive." in result.output
    )
    assert "error: password: Use at least 12 characters." in result.output
    assert db.session.scalar(select(User.id).where(User.email == "v@example.test")) is None


def test_openapi_command_writes_the_document(tmp_path, monkeypatch):
    out = tmp_path / "openapi.json"
    result = run_cli(["openapi", "-o", str(out)], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/auth/tokens" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_json_and_offline_docs_page(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/api/v1/me" in spec.json["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_the_readme_lists_every_demo_login():
    """A reader signs in from the README's table: every login `procure demo` makes is in it,
    with its password (the table once missed the third buyer's two)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [
        login.email
        for login in DEMO_LOGINS
        if f"| {login.email} | {login.password} |" not in readme
    ]
    assert missing == []
