"""Migrations build the schema on empty SQLite and PostgreSQL databases and match the models."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from procure import create_app
from procure.extensions import db


def _upgrade_and_diff(url, instance):
    app = create_app({"database_url": url, "secret_key": "x"}, instance_path=str(instance))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    return diff, tables


def test_migrations_upgrade_empty_sqlite_and_match_models(tmp_path):
    diff, tables = _upgrade_and_diff(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert diff == []
    assert {"organization", "user", "api_token", "audit_event", "sign_in_throttle"} <= tables


@pytest.mark.postgres
def test_migrations_upgrade_empty_postgresql_and_match_models(tmp_path):
    base = os.environ.get("PROCURE_TEST_DATABASE_URL")
    if not base:
        if os.environ.get("PROCURE_REQUIRE_POSTGRES"):
            pytest.fail("PROCURE_REQUIRE_POSTGRES is set but PROCURE_TEST_DATABASE_URL is not")
        pytest.skip("PostgreSQL not configured: set PROCURE_TEST_DATABASE_URL")
    server, _, _ = base.rpartition("/")
    name = f"procure_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        diff, tables = _upgrade_and_diff(f"{server}/{name}", tmp_path)
        assert diff == []
        assert {"organization", "user", "api_token", "audit_event"} <= tables
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
