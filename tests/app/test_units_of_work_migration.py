"""Migration 0017 (units of work): hour offers take 1 hour per unit, item and task offers are left
for their vendor to state (NULL, never a guessed figure); the downgrade keeps the rate card and
refuses while an offer has no cap of its own."""

import os
import uuid

import pytest
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from procure import create_app
from procure.extensions import db

NOW = "2026-01-01 00:00:00.000000"


def _offers(connection):
    return connection.execute(
        text("SELECT id, unit, hours_per_unit, capacity_per_period FROM offer ORDER BY id")
    ).all()


def test_0017_backfills_hours_per_unit_for_hours_only_and_downgrades(tmp_path):
    _check_0017(f"sqlite:///{tmp_path / 'units.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_0017_on_postgresql(tmp_path):
    base = os.environ.get("PROCURE_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL not configured: set PROCURE_TEST_DATABASE_URL")
    server, _, _ = base.rpartition("/")
    name = f"procure_units_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check_0017(f"{server}/{name}", tmp_path)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _check_0017(url, tmp_path):
    app = create_app({"database_url": url, "secret_key": "x"}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade(revision="0016_exchange_rates")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organization (id, name, name_key, kind, created_at, updated_at) "
                    "VALUES (2, 'Vendor', 'vendor', 'vendor', :t, :t)"
                ),
                {"t": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO vendor (id, organization_id, name, country, sites, "
                    "service_categories, description, version, created_at, updated_at) "
                    "VALUES (3, 2, 'Vendor', 'KE', '[]', '[]', '', 1, :t, :t)"
                ),
                {"t": NOW},
            )
            for offer_id, unit in ((1, "hour"), (2, "item"), (3, "task")):
                connection.execute(
                    text(
                        "INSERT INTO offer (id, vendor_id, service_category, unit, price, "
                        "currency, capacity_per_period, quality, active, version, created_at, "
                        "updated_at) VALUES (:i, 3, 'x', :u, 1, 'USD', 100, 0.9, :a, 1, :t, :t)"
                    ),
                    {"i": offer_id, "u": unit, "t": NOW, "a": True},
                )
        upgrade(revision="0017_units_of_work")
        with db.engine.connect() as connection:
            assert [tuple(row) for row in _offers(connection)] == [
                (1, "hour", 1.0, 100.0),
                (2, "item", None, 100.0),
                (3, "task", None, 100.0),
            ]
            assert connection.execute(
                text("SELECT capacity_hours_per_month FROM vendor")
            ).all() == [(None,)]
        for refused in (
            "UPDATE offer SET hours_per_unit = 2 WHERE id = 1",  # an hour is 1 hour
            "UPDATE offer SET hours_per_unit = NULL WHERE id = 1",
            "UPDATE offer SET hours_per_unit = 0 WHERE id = 2",
            "UPDATE offer SET hours_per_unit = 1000.5 WHERE id = 2",
            "UPDATE vendor SET capacity_hours_per_month = -1",
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(refused))
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE offer SET capacity_per_period = NULL WHERE id = 3"))
            connection.execute(
                text(
                    "INSERT INTO vendor_capacity_change (vendor_id, from_month, hours_per_month) "
                    "VALUES (3, '2026-07-01', 500)"
                )
            )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO vendor_capacity_change (vendor_id, from_month, hours_per_month) "
                    "VALUES (3, '2026-07-01', 600)"
                )
            )
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=r"1 offer\(s\) have no cap of their own"):
            command.downgrade(config, "0016_exchange_rates")  # flask_migrate would exit
        with db.engine.connect() as connection:  # refused before anything was dropped
            assert len(_offers(connection)) == 3
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE offer SET capacity_per_period = 50 WHERE id = 3"))
        downgrade(revision="0016_exchange_rates")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, unit, capacity_per_period FROM offer ORDER BY id")
            ).all()
            assert [tuple(row) for row in rows] == [
                (1, "hour", 100.0),
                (2, "item", 100.0),
                (3, "task", 50.0),
            ]
        db.engine.dispose()
