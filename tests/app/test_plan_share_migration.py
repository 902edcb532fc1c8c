"""Migration 0044 (award visibility): `organization.vendors_see_plan_share`, off for every
existing organization; the downgrade drops it and keeps the organizations."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import insert_organizations


def _columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("organization")}


def test_0044_adds_the_setting_off_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'share.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0043_event_lot_withdrawal")
        with db.engine.begin() as connection:
            insert_organizations(connection, (1, "Buyer", "buyer"), (2, "Vendor", "vendor"))
        assert "vendors_see_plan_share" not in _columns()
        upgrade(revision="0044_award_visibility")
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, vendors_see_plan_share FROM organization ORDER BY id")
            ).all() == [(1, 0), (2, 0)]
            connection.execute(
                text("UPDATE organization SET vendors_see_plan_share = 1 WHERE id = 1")
            )
        downgrade(revision="0043_event_lot_withdrawal")
        assert "vendors_see_plan_share" not in _columns()
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, name, kind FROM organization ORDER BY id")
            ).all() == [(1, "Buyer", "buyer"), (2, "Vendor", "vendor")]
        upgrade()
        assert "vendors_see_plan_share" in _columns()
