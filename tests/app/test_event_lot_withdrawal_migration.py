"""Migration 0043 (event lot withdrawal): `event_vendor.withdrawn_at` (one moment per vendor)
moves to `event_lot_withdrawal` (one per lot and vendor), with the lot the `bid.withdraw` audit
event names, or every lot without a bid when the audit log names none; `event_invitation` is
added. The downgrade puts each vendor's latest moment back; up again moves it again."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.db import UTCDateTime
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import NOW, insert_organizations

EARLY = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)  # vendor 3 withdrew from lot 10 (audited)
LATE = datetime(2026, 3, 4, 17, 40, tzinfo=UTC)  # vendor 6 withdrew (no audit event)
LATER = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)  # vendor 3's old per-vendor moment

event_vendor = sa.table(
    "event_vendor",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.Integer),
    sa.column("vendor_id", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("withdrawn_at", UTCDateTime()),
)
withdrawal = sa.table(
    "event_lot_withdrawal",
    sa.column("event_id", sa.Integer),
    sa.column("lot_id", sa.Integer),
    sa.column("vendor_id", sa.Integer),
    sa.column("withdrawn_at", UTCDateTime()),
)
audit_event = sa.table(
    "audit_event",
    sa.column("created_at", UTCDateTime()),
    sa.column("organization_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.String),
    sa.column("changes", sa.JSON),
)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("event_vendor")}


def _seed(connection) -> None:
    """Buyer 1 (user 1), vendors 3 (organization 2) and 6 (organization 3); event 4 with lots
    10 and 11; vendor 3 still bids on lot 11 and withdrew from lot 10; vendor 6 withdrew."""
    insert_organizations(connection, (1, "Buyer", "buyer"), (2, "V", "vendor"), (3, "W", "vendor"))
    connection.execute(
        text(
            "INSERT INTO user (id, organization_id, email, name, role, password_hash, active, "
            "created_at, updated_at) VALUES (1, 1, 'b@x.org', 'B', 'buyer', 'x', 1, :t, :t)"
        ),
        {"t": NOW},
    )
    for vendor_id, organization_id, name in ((3, 2, "V"), (6, 3, "W")):
        connection.execute(
            text(
                "INSERT INTO vendor (id, organization_id, name, name_key, country, description, "
                "service_categories, sites, version, created_at, updated_at) "
                "VALUES (:i, :o, :n, :k, 'KE', '', '[]', '[]', 1, :t, :t)"
            ),
            {"i": vendor_id, "o": organization_id, "n": name, "k": name.lower(), "t": NOW},
        )
    connection.execute(
        text(
            "INSERT INTO sourcing_event (id, organization_id, created_by_id, title, deadline, "
            "sealed, state, created_at, version) VALUES (4, 1, 1, 'E', :t, 1, 'published', :t, 1)"
        ),
        {"t": NOW},
    )
    for lot_id, title in ((10, "Labelling"), (11, "Invoices")):
        connection.execute(
            text(
                "INSERT INTO event_lot (id, event_id, need_id, title, service_category, unit, "
                "volume, period_start, period_end) VALUES (:i, 4, :i, :n, 'data_annotation', "
                "'hour', 100, '2027-01-01', '2027-12-31')"
            ),
            {"i": lot_id, "n": title},
        )
    connection.execute(
        event_vendor.insert(),
        [
            {"id": 5, "event_id": 4, "vendor_id": 3, "created_at": EARLY, "withdrawn_at": LATER},
            {"id": 7, "event_id": 4, "vendor_id": 6, "created_at": EARLY, "withdrawn_at": LATE},
        ],
    )
    connection.execute(
        text(
            "INSERT INTO bid (id, event_id, lot_id, vendor_id, price, currency, unit, "
            "hours_per_unit, capacity, valid_until, created_at, updated_at, version) VALUES "
            "(20, 4, 11, 3, 12.5, 'USD', 'hour', 1, 50, '2027-12-31', :t, :t, 1)"
        ),
        {"t": NOW},
    )
    connection.execute(
        audit_event.insert(),
        [
            {
                "created_at": EARLY,
                "organization_id": 2,
                "action": "bid.withdraw",
                "target_type": "bid",
                "target_id": "19",
                "changes": {"before": {"event_id": 4, "lot_id": 10}, "after": {}},
            }
        ],
    )


def _withdrawals() -> list[tuple]:
    with db.engine.begin() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(withdrawal).order_by(withdrawal.c.vendor_id, withdrawal.c.lot_id)
            )
        ]


def test_0043_moves_withdrawals_to_lots_and_back(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'lots.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0042_coalition_plan_label")
        with db.engine.begin() as connection:
            _seed(connection)
        upgrade(revision="0043_event_lot_withdrawal")
        assert "withdrawn_at" not in _columns()
        assert {"event_lot_withdrawal", "event_invitation"} <= _tables()
        # vendor 3: the audited lot only (it still bids on lot 11), at the audited moment;
        # vendor 6: no audit event, so every lot it has no bid on, at its old moment
        moved = [(4, 10, 3, EARLY), (4, 10, 6, LATE), (4, 11, 6, LATE)]
        assert _withdrawals() == moved
        downgrade(revision="0042_coalition_plan_label")
        assert "event_lot_withdrawal" not in _tables()
        assert "event_invitation" not in _tables()
        with db.engine.begin() as connection:
            back = connection.execute(
                sa.select(event_vendor.c.id, event_vendor.c.withdrawn_at).order_by(
                    event_vendor.c.id
                )
            ).all()
        # each vendor's latest lot withdrawal (vendor 3's old LATER is not in the audit log)
        assert [tuple(row) for row in back] == [(5, EARLY), (7, LATE)]
        upgrade()
        assert _withdrawals() == moved
