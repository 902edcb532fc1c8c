"""Migration 0048 (withdrawn bid): `event_lot_withdrawal.bid_id` names the bid each lot
withdrawal withdrew, from the latest `bid.withdraw` audit event of the vendor's organization for
that lot; a withdrawal the audit log does not name keeps null. The downgrade drops the column;
up again fills it again."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from procure import create_app
from procure.extensions import db
from tests.app.test_event_lot_withdrawal_migration import EARLY, _seed, audit_event

LATEST = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)  # vendor 3 withdrew bid 23 from lot 10 again


def _columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("event_lot_withdrawal")}


def _withdrawals(columns: str = "lot_id, vendor_id, bid_id") -> list[tuple]:
    with db.engine.begin() as connection:
        query = f"SELECT {columns} FROM event_lot_withdrawal ORDER BY vendor_id, lot_id"
        return [tuple(row) for row in connection.execute(sa.text(query))]


def _withdrew(organization_id: int, bid_id: str, lot_id: int, when: datetime) -> dict:
    return {
        "created_at": when,
        "organization_id": organization_id,
        "action": "bid.withdraw",
        "target_type": "Bid",
        "target_id": bid_id,
        "changes": {"before": {"event_id": 4, "lot_id": lot_id}, "after": {}},
    }


def test_0048_names_the_bid_each_lot_withdrawal_withdrew(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'bids.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0042_coalition_plan_label")
        with db.engine.begin() as connection:
            _seed(connection)  # 0043 moves: (lot 10, vendor 3), (10, 6), (11, 6)
        upgrade(revision="0047_scenario_page_facts")
        with db.engine.begin() as connection:
            # vendor 3 (organization 2) withdrew bid 19 from lot 10 (EARLY, seeded), then bid
            # 23 (LATEST); vendor 6 (organization 3) bid 31 from lot 11, a lot 12 it is not in
            connection.execute(
                audit_event.insert(),
                [
                    _withdrew(2, "23", 10, LATEST),
                    _withdrew(3, "31", 11, EARLY),
                    _withdrew(3, "32", 12, LATEST),
                ],
            )
        assert "bid_id" not in _columns()
        upgrade(revision="0048_withdrawn_bid")
        # vendor 3: its latest withdrawal from lot 10 (23, not 19); vendor 6: lot 10 is named by
        # no audit event (null), lot 11 by bid 31
        named = [(10, 3, 23), (10, 6, None), (11, 6, 31)]
        assert _withdrawals() == named
        downgrade(revision="0047_scenario_page_facts")
        assert "bid_id" not in _columns()
        assert _withdrawals("lot_id, vendor_id") == [(10, 3), (10, 6), (11, 6)]
        upgrade(revision="0048_withdrawn_bid")
        assert _withdrawals() == named
