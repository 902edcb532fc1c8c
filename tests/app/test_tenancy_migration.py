"""Migration 0013: existing organizations get their name_key (a later duplicate keeps its name,
its key marked with its id), existing admins stay admins of their own organization with no data
change, the widened CHECK constraints take the operator, and the downgrade works while no
operator exists (and refuses, saying why, while one does). On SQLite, and on a fresh PostgreSQL
database when PROCURE_TEST_DATABASE_URL is set."""

import os
import uuid

import pytest
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from procure import create_app
from procure.extensions import db

NOW = "2026-01-01 00:00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tenancy.sqlite3'}"
        return
    base = os.environ.get("PROCURE_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL not configured: set PROCURE_TEST_DATABASE_URL")
    server, _, _ = base.rpartition("/")
    name = f"procure_tenancy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _insert(connection, table: str, **values) -> None:
    columns = ", ".join(f'"{column}"' for column in values)
    marks = ", ".join(f":{column}" for column in values)
    connection.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'), values)


def _organization(connection, organization_id: int, name: str, kind: str) -> None:
    _insert(
        connection,
        "organization",
        id=organization_id,
        name=name,
        kind=kind,
        created_at=NOW,
        updated_at=NOW,
    )


def _user(connection, user_id: int, organization_id: int, role: str) -> None:
    _insert(
        connection,
        "user",
        id=user_id,
        organization_id=organization_id,
        email=f"{role}{user_id}@example.test",
        name="Someone",
        role=role,
        password_hash="h",
        active=True,
        failed_sign_ins=0,
        session_epoch=0,
        created_at=NOW,
        updated_at=NOW,
    )


def test_0013_keys_names_keeps_admins_and_goes_back_down_without_an_operator(database, tmp_path):
    app = create_app(
        {"database_url": database, "secret_key": "x"}, instance_path=str(tmp_path / "instance")
    )
    with app.app_context():
        upgrade(revision="0012_disclosure_reviews")
        with db.engine.begin() as connection:
            _organization(connection, 1, "Acme  Buyer", "buyer")
            _organization(connection, 2, "ACME BUYER", "buyer")  # the old check passed it
            _organization(connection, 3, "Straße Vendor", "vendor")
            _user(connection, 10, 1, "admin")
            _user(connection, 11, 3, "admin")
            _user(connection, 12, 2, "buyer")
        upgrade(revision="0013_operator_and_name_keys")
        with db.engine.connect() as connection:
            keys = dict(connection.execute(text("SELECT id, name_key FROM organization")).all())
            users = connection.execute(
                text('SELECT id, organization_id, role FROM "user" ORDER BY id')
            ).all()
        assert keys == {1: "acme buyer", 2: "acme buyer #2", 3: "strasse vendor"}
        assert [tuple(u) for u in users] == [(10, 1, "admin"), (11, 3, "admin"), (12, 2, "buyer")]
        with db.engine.begin() as connection:  # the widened constraints take an operator
            _insert(
                connection,
                "organization",
                id=4,
                name="Platform",
                name_key="platform",
                kind="operator",
                created_at=NOW,
                updated_at=NOW,
            )
            _user(connection, 13, 4, "operator")
        config = app.extensions["migrate"].migrate.get_config()  # alembic's own: it raises
        with pytest.raises(RuntimeError, match="An operator organization or user exists"):
            command.downgrade(config, "0012_disclosure_reviews")
        with db.engine.begin() as connection:
            connection.execute(text('DELETE FROM "user" WHERE id = 13'))
            connection.execute(text("DELETE FROM organization WHERE id = 4"))
        downgrade(revision="0012_disclosure_reviews")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("organization")}
            names = dict(connection.execute(text("SELECT id, name FROM organization")).all())
        assert "name_key" not in columns
        assert names == {1: "Acme  Buyer", 2: "ACME BUYER", 3: "Straße Vendor"}
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            _organization(connection, 5, "Platform", "operator")  # the narrow check again
        db.engine.dispose()
