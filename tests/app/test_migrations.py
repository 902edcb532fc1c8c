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
    admin = create_engine(
        f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
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


def test_reviews_move_to_the_reviewing_organization_and_back(tmp_path):
    """0012 turns each stored review into the reviewer's organization's review and sets the
    version back to submitted; its downgrade restores the single review."""
    from flask_migrate import downgrade

    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'reviews.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0011_session_epoch")
        with db.engine.begin() as connection:
            now = "2026-01-01 00:00:00.000000"
            for org_id, name, kind in ((1, "Buyer", "buyer"), (2, "Vendor", "vendor")):
                connection.execute(
                    text(
                        "INSERT INTO organization (id, name, kind, created_at, updated_at) "
                        "VALUES (:i, :n, :k, :t, :t)"
                    ),
                    {"i": org_id, "n": name, "k": kind, "t": now},
                )
            connection.execute(
                text(
                    "INSERT INTO user (id, organization_id, email, name, role, password_hash, "
                    "active, failed_sign_ins, "
                    "session_epoch, created_at, updated_at) "
                    "VALUES (7, 1, 'b@x.example', 'B', 'buyer', 'h', 1, 0, 0, :t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO vendor (id, organization_id, name, country, sites, "
                    "service_categories,"
                    " description, version, created_at, updated_at) "
                    "VALUES (3, 2, 'V', 'KE', '[]', '[]', '', 1, :t, :t)"
                ),
                {"t": now},
            )
            for disclosure_id, state, comment in (
                (10, "rejected", "Totals do not add up"),
                (11, "verified", None),
                (12, "submitted", None),
            ):
                connection.execute(
                    text(
                        "INSERT INTO disclosure (id, vendor_id, period_start, period_end, number, "
                        "state, figures, warnings,"
                        " reviewed_at, reviewed_by_id, review_comment, edit_version, "
                        "created_at, updated_at) VALUES "
                        "(:i, 3, '2025-01-01', '2025-12-31', :n, :s, '{}', '[]', :r, :b, :c, 1, "
                        ":t, :t)"
                    ),
                    {
                        "i": disclosure_id,
                        "n": disclosure_id - 9,
                        "s": state,
                        "c": comment,
                        "t": now,
                        "r": None if state == "submitted" else "2026-02-01 00:00:00.000000",
                        "b": None if state == "submitted" else 7,
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            states = dict(connection.execute(text("SELECT id, state FROM disclosure")).all())
            reviews = connection.execute(
                text(
                    "SELECT disclosure_id, organization_id, decision, comment, reviewed_by_id "
                    "FROM disclosure_review "
                    "ORDER BY disclosure_id"
                )
            ).all()
        assert states == {10: "submitted", 11: "submitted", 12: "submitted"}
        assert [tuple(r) for r in reviews] == [
            (10, 1, "rejected", "Totals do not add up", 7),
            (11, 1, "verified", None, 7),
        ]
        downgrade(revision="0011_session_epoch")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, state, review_comment, reviewed_by_id FROM disclosure ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            (10, "rejected", "Totals do not add up", 7),
            (11, "verified", None, 7),
            (12, "submitted", None, None),
        ]
        db.engine.dispose()
