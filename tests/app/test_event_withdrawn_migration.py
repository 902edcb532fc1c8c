"""Migration 0039 (event vendor withdrawn): `event_vendor.withdrawn_at`, null for every existing
invitation (a withdrawal made before it reads "not yet", as it did); the downgrade drops it and
keeps the invitations."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import NOW, insert_organizations


def _columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("event_vendor")}


def test_0039_adds_the_withdrawal_moment_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'withdrawn.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0038_scenario_coalition_profile")
        with db.engine.begin() as connection:
            insert_organizations(connection, (1, "Buyer", "buyer"), (2, "Vendor", "vendor"))
            connection.execute(
                text(
                    "INSERT INTO user (id, organization_id, email, name, role, password_hash, "
                    "active, created_at, updated_at) VALUES (1, 1, 'b@x.org', 'B', 'buyer', "
                    "'x', 1, :t, :t)"
                ),
                {"t": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO vendor (id, organization_id, name, name_key, country, "
                    "description, service_categories, sites, version, created_at, updated_at) "
                    "VALUES (3, 2, 'V', 'v', 'KE', '', '[]', '[]', 1, :t, :t)"
                ),
                {"t": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO sourcing_event (id, organization_id, created_by_id, title, "
                    "deadline, sealed, state, created_at, version) VALUES "
                    "(4, 1, 1, 'E', :t, 1, 'published', :t, 1)"
                ),
                {"t": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO event_vendor (id, event_id, vendor_id, created_at) "
                    "VALUES (5, 4, 3, :t)"
                ),
                {"t": NOW},
            )
        assert "withdrawn_at" not in _columns()
        upgrade(revision="0039_event_vendor_withdrawn")
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT id, withdrawn_at FROM event_vendor")).all() == [
                (5, None)
            ]
            connection.execute(
                text("UPDATE event_vendor SET withdrawn_at = :t WHERE id = 5"), {"t": NOW}
            )
        downgrade(revision="0038_scenario_coalition_profile")
        assert "withdrawn_at" not in _columns()
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, event_id, vendor_id FROM event_vendor")
            ).all() == [(5, 4, 3)]
        upgrade(revision="0039_event_vendor_withdrawn")  # 0043 moves it to the lots
        assert "withdrawn_at" in _columns()
