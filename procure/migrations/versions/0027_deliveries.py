"""deliveries: what each vendor of an approved scenario delivered of each need in a month

- `delivery`: one row per scenario, vendor, need and month (its first day; unique), with the
  volume delivered (in the need's unit, not negative), the amount invoiced (not negative) in its
  currency, that amount in US dollars with the rate and the rate's date it was converted at, a
  note, who recorded it, timestamps and a version for conditional corrections.

No existing row changes. The downgrade drops the table: the deliveries recorded are lost.

Revision ID: 0027_deliveries
Revises: 0026_sourcing_events
Create Date: 2026-12-08 10:12:41.220413

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0027_deliveries"
down_revision = "0026_sourcing_events"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("delivered_volume", sa.Double(), nullable=False),
        sa.Column("invoiced_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoiced_usd", sa.Double(), nullable=False),
        sa.Column("usd_rate", sa.Double(), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "delivered_volume >= 0", name=op.f("ck_delivery_delivered_volume_not_negative")
        ),
        sa.CheckConstraint(
            "invoiced_amount >= 0", name=op.f("ck_delivery_invoiced_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_delivery_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_delivery_need_id_need")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_delivery_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenario.id"], name=op.f("fk_delivery_scenario_id_scenario")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendor.id"], name=op.f("fk_delivery_vendor_id_vendor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint(
            "scenario_id", "vendor_id", "need_id", "month", name="uq_delivery_key"
        ),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_need_id"), ["need_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delivery_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delivery_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_vendor_id"), ["vendor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_scenario_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_organization_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_need_id"))

    op.drop_table("delivery")
