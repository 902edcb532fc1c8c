"""withdrawn bid: which bid a lot withdrawal withdrew, to answer a second press of Withdraw

- `event_lot_withdrawal.bid_id` (integer, null; indexed; no foreign key, the bid row is gone):
  the bid the vendor withdrew last from the lot. A second withdrawal of that bid by its vendor
  answers 409 from this record (`procure.events.services.refuse_withdrawing_again`), no longer
  from the audit log, which on SQLite could name an id since given to another vendor's bid.
  Filled from the latest `bid.withdraw` audit event of the vendor's organization for the lot
  (its target id); a row the audit log does not name keeps null, and a second press on that
  bid answers 404.

The downgrade drops the column.

Revision ID: 0048_withdrawn_bid
Revises: 0047_scenario_page_facts
Create Date: 2026-12-07 21:30:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0048_withdrawn_bid"
down_revision = "0047_scenario_page_facts"
branch_labels = None
depends_on = None

withdrawal = sa.table(
    "event_lot_withdrawal",
    sa.column("id", sa.Integer),
    sa.column("lot_id", sa.Integer),
    sa.column("vendor_id", sa.Integer),
    sa.column("bid_id", sa.Integer),
)
vendor = sa.table("vendor", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer))
audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("organization_id", sa.Integer),
    sa.column("target_id", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("changes", sa.JSON),
)


def upgrade():
    with op.batch_alter_table("event_lot_withdrawal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bid_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_event_lot_withdrawal_bid_id"), ["bid_id"], unique=False
        )
    _name_withdrawn_bids(op.get_bind())


def _name_withdrawn_bids(connection) -> None:
    rows = connection.execute(
        sa.select(withdrawal.c.id, withdrawal.c.lot_id, withdrawal.c.vendor_id)
    ).all()
    if not rows:
        return
    organizations = {
        row.id: row.organization_id
        for row in connection.execute(sa.select(vendor.c.id, vendor.c.organization_id))
    }
    # (lot, organization) -> the bid its latest `bid.withdraw` audit event names
    latest: dict[tuple[int, int | None], int] = {}
    for organization_id, target_id, changes in connection.execute(
        sa.select(audit_event.c.organization_id, audit_event.c.target_id, audit_event.c.changes)
        .where(audit_event.c.action == "bid.withdraw")
        .order_by(audit_event.c.created_at, audit_event.c.id)
    ):
        if isinstance(changes, str):
            changes = json.loads(changes)
        lot_id = ((changes or {}).get("before") or {}).get("lot_id")
        if lot_id is None or not str(target_id or "").isdigit():
            continue
        latest[(lot_id, organization_id)] = int(target_id)
    for row in rows:
        bid_id = latest.get((row.lot_id, organizations.get(row.vendor_id)))
        if bid_id is not None:
            connection.execute(
                withdrawal.update().where(withdrawal.c.id == row.id).values(bid_id=bid_id)
            )


def downgrade():
    with op.batch_alter_table("event_lot_withdrawal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_lot_withdrawal_bid_id"))
        batch_op.drop_column("bid_id")
