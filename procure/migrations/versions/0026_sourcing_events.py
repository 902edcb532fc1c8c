"""sourcing events: a buyer's needs put out to bid as lots, the vendors invited, their bids

- `sourcing_event`: a buyer organization's event (title, message, deadline in UTC, the rules
  sealed, min_quality and evidence_required) and its state (draft, published, closed,
  cancelled), with a version for conditional changes.
- `event_lot`: one need of an event, copied as it stood (category, unit, volume, period).
- `event_vendor`: a vendor on the platform invited to an event.
- `bid`: a vendor's current bid on a lot (one per vendor and lot, amended with its version).
- The notification kind CHECK constraint widens: `event_published` and `event_closed` (the
  invited vendors: an event opened for bids; bidding ended, closed or cancelled).

No existing row changes. The downgrade refuses while a notification of the new kinds exists (the
narrower CHECK constraint could not hold it); it drops the four tables: events and bids are lost.

Revision ID: 0026_sourcing_events
Revises: 0025_attestations
Create Date: 2026-12-06 14:02:29.052151

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0026_sourcing_events"
down_revision = "0025_attestations"
branch_labels = None
depends_on = None

OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed')"
)

notification = sa.table("notification", sa.column("kind", sa.String))


def _notification_kinds(kinds):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notification_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notification_kind"), kinds)


def upgrade():
    _notification_kinds(NEW_NOTIFICATIONS)
    op.create_table(
        "sourcing_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("deadline", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("min_quality", sa.Double(), nullable=True),
        sa.Column("evidence_required", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'closed', 'cancelled')",
            name=op.f("ck_sourcing_event_state"),
        ),
        sa.CheckConstraint(
            "min_quality >= 0 AND min_quality <= 1",
            name=op.f("ck_sourcing_event_min_quality_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_sourcing_event_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["user.id"], name=op.f("fk_sourcing_event_ended_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_sourcing_event_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sourcing_event")),
    )
    with op.batch_alter_table("sourcing_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sourcing_event_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "event_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("service_category", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("volume", sa.Double(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.CheckConstraint("volume > 0", name=op.f("ck_event_lot_volume_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["sourcing_event.id"], name=op.f("fk_event_lot_event_id_sourcing_event")
        ),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_event_lot_need_id_need")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_lot")),
        sa.UniqueConstraint("event_id", "need_id", name="uq_event_lot_need"),
    )
    with op.batch_alter_table("event_lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_lot_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_lot_need_id"), ["need_id"], unique=False)

    op.create_table(
        "event_vendor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["sourcing_event.id"],
            name=op.f("fk_event_vendor_event_id_sourcing_event"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendor.id"], name=op.f("fk_event_vendor_vendor_id_vendor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_vendor")),
        sa.UniqueConstraint("event_id", "vendor_id", name="uq_event_vendor"),
    )
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_vendor_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_vendor_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "bid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("hours_per_unit", sa.Double(), nullable=False),
        sa.Column("capacity", sa.Double(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("unit IN ('hour', 'item', 'task')", name=op.f("ck_bid_unit_known")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_bid_capacity_positive")),
        sa.CheckConstraint(
            "hours_per_unit > 0 AND hours_per_unit <= 1000",
            name=op.f("ck_bid_hours_per_unit_range"),
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_bid_price_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["sourcing_event.id"], name=op.f("fk_bid_event_id_sourcing_event")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["event_lot.id"], name=op.f("fk_bid_lot_id_event_lot")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user.id"], name=op.f("fk_bid_submitted_by_id_user")
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], name=op.f("fk_bid_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid")),
        sa.UniqueConstraint("lot_id", "vendor_id", name="uq_bid_lot_vendor"),
    )
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_vendor_id"), ["vendor_id"], unique=False)


def downgrade():
    connection = op.get_bind()
    left = connection.execute(
        sa.select(sa.func.count())
        .select_from(notification)
        .where(notification.c.kind.in_(("event_published", "event_closed")))
    ).scalar()
    if left:
        raise RuntimeError(
            "A notification about a sourcing event exists: remove those notifications before "
            "downgrading below 0026, whose constraint does not allow them."
        )
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_bid_lot_id"))
        batch_op.drop_index(batch_op.f("ix_bid_event_id"))

    op.drop_table("bid")
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_vendor_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_event_vendor_event_id"))

    op.drop_table("event_vendor")
    with op.batch_alter_table("event_lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_lot_need_id"))
        batch_op.drop_index(batch_op.f("ix_event_lot_event_id"))

    op.drop_table("event_lot")
    with op.batch_alter_table("sourcing_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sourcing_event_organization_id"))

    op.drop_table("sourcing_event")
    _notification_kinds(OLD_NOTIFICATIONS)
