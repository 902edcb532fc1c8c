"""event lot withdrawal: withdrawals per lot, and vendors invited to an event by email

- `event_lot_withdrawal` (event, lot, vendor, withdrawn_at; one row per lot and vendor): when a
  vendor last withdrew its bid on one lot. It replaces `event_vendor.withdrawn_at` (one moment
  per vendor and event), which is moved and dropped: each `bid.withdraw` audit event of the
  vendor's organization in the event gives its lot (the latest moment per lot); a withdrawal the
  audit log does not name (none is expected) becomes a row for every lot of the event the vendor
  has no bid on now, at the old moment (what "withdrawn" meant: no bid left).
- `event_invitation` (event, invitation, company name): a vendor not on the platform invited to
  an event by email, through the buyer organization's invitation.

The downgrade puts each vendor's latest lot withdrawal back in `event_vendor.withdrawn_at` and
drops both tables. It refuses while a vendor is invited to an event by email: below 0043 the
invitation would lose its event silently.

Revision ID: 0043_event_lot_withdrawal
Revises: 0042_coalition_plan_label
Create Date: 2026-12-07 13:45:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

import procure.db

# revision identifiers, used by Alembic.
revision = "0043_event_lot_withdrawal"
down_revision = "0042_coalition_plan_label"
branch_labels = None
depends_on = None

event_vendor = sa.table(
    "event_vendor",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.Integer),
    sa.column("vendor_id", sa.Integer),
    sa.column("withdrawn_at", procure.db.UTCDateTime()),
)
withdrawal = sa.table(
    "event_lot_withdrawal",
    sa.column("event_id", sa.Integer),
    sa.column("lot_id", sa.Integer),
    sa.column("vendor_id", sa.Integer),
    sa.column("withdrawn_at", procure.db.UTCDateTime()),
)
event_lot = sa.table("event_lot", sa.column("id", sa.Integer), sa.column("event_id", sa.Integer))
bid = sa.table("bid", sa.column("lot_id", sa.Integer), sa.column("vendor_id", sa.Integer))
vendor = sa.table("vendor", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer))
audit_event = sa.table(
    "audit_event",
    sa.column("action", sa.String),
    sa.column("organization_id", sa.Integer),
    sa.column("created_at", procure.db.UTCDateTime()),
    sa.column("changes", sa.JSON),
)


def upgrade():
    op.create_table(
        "event_lot_withdrawal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["sourcing_event.id"],
            name=op.f("fk_event_lot_withdrawal_event_id_sourcing_event"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["event_lot.id"], name=op.f("fk_event_lot_withdrawal_lot_id_event_lot")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendor.id"], name=op.f("fk_event_lot_withdrawal_vendor_id_vendor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_lot_withdrawal")),
        sa.UniqueConstraint("lot_id", "vendor_id", name="uq_event_lot_withdrawal"),
    )
    with op.batch_alter_table("event_lot_withdrawal", schema=None) as batch_op:
        for column in ("event_id", "lot_id", "vendor_id"):
            batch_op.create_index(
                batch_op.f(f"ix_event_lot_withdrawal_{column}"), [column], unique=False
            )
    op.create_table(
        "event_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["sourcing_event.id"],
            name=op.f("fk_event_invitation_event_id_sourcing_event"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_event_invitation_invitation_id_invitation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_invitation")),
        sa.UniqueConstraint("event_id", "invitation_id", name="uq_event_invitation"),
    )
    with op.batch_alter_table("event_invitation", schema=None) as batch_op:
        for column in ("event_id", "invitation_id"):
            batch_op.create_index(
                batch_op.f(f"ix_event_invitation_{column}"), [column], unique=False
            )
    _move_withdrawals_to_lots(op.get_bind())
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")


def _move_withdrawals_to_lots(connection) -> None:
    withdrew = connection.execute(
        sa.select(
            event_vendor.c.event_id, event_vendor.c.vendor_id, event_vendor.c.withdrawn_at
        ).where(event_vendor.c.withdrawn_at.is_not(None))
    ).all()
    if not withdrew:
        return
    organizations = {
        row.id: row.organization_id
        for row in connection.execute(sa.select(vendor.c.id, vendor.c.organization_id))
    }
    lots_of: dict[int, list[int]] = {}
    for lot_id, event_id in connection.execute(sa.select(event_lot.c.id, event_lot.c.event_id)):
        lots_of.setdefault(event_id, []).append(lot_id)
    # (event, organization) -> {lot: latest withdrawal}, from the audit log
    audited: dict[tuple[int, int | None], dict[int, object]] = {}
    for organization_id, created_at, changes in connection.execute(
        sa.select(audit_event.c.organization_id, audit_event.c.created_at, audit_event.c.changes)
        .where(audit_event.c.action == "bid.withdraw")
        .order_by(audit_event.c.created_at)
    ):
        if isinstance(changes, str):
            changes = json.loads(changes)
        before = (changes or {}).get("before") or {}
        if before.get("event_id") is None or before.get("lot_id") is None:
            continue
        audited.setdefault((before["event_id"], organization_id), {})[before["lot_id"]] = created_at
    bid_on = {(row.lot_id, row.vendor_id) for row in connection.execute(sa.select(bid))}
    rows = []
    for event_id, vendor_id, withdrawn_at in withdrew:
        lots = audited.get((event_id, organizations.get(vendor_id)), {})
        lots = {lot: when for lot, when in lots.items() if lot in lots_of.get(event_id, ())}
        if not lots:
            lots = {
                lot: withdrawn_at
                for lot in lots_of.get(event_id, ())
                if (lot, vendor_id) not in bid_on
            }
        rows += [
            {"event_id": event_id, "lot_id": lot, "vendor_id": vendor_id, "withdrawn_at": when}
            for lot, when in lots.items()
        ]
    if rows:
        connection.execute(withdrawal.insert(), rows)


def downgrade():
    connection = op.get_bind()
    invited = connection.execute(sa.text("SELECT count(*) FROM event_invitation")).scalar()
    if invited:
        raise RuntimeError(
            f"{invited} vendor(s) are invited to an event by email: below 0043 the invitation "
            "would lose its event. Revoke those invitations' event rows first."
        )
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", procure.db.UTCDateTime(), nullable=True))
    latest = connection.execute(
        sa.select(
            withdrawal.c.event_id, withdrawal.c.vendor_id, sa.func.max(withdrawal.c.withdrawn_at)
        ).group_by(withdrawal.c.event_id, withdrawal.c.vendor_id)
    ).all()
    for event_id, vendor_id, withdrawn_at in latest:
        connection.execute(
            event_vendor.update()
            .where(event_vendor.c.event_id == event_id, event_vendor.c.vendor_id == vendor_id)
            .values(withdrawn_at=withdrawn_at)
        )
    op.drop_table("event_invitation")
    op.drop_table("event_lot_withdrawal")
