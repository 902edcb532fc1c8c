"""event vendor withdrawn: when an invited vendor last withdrew a bid in the event

- `event_vendor.withdrawn_at` (UTC timestamp, nullable): set by each withdrawal (the bid row
  goes; its figures stay in the `bid.withdraw` audit event). The buyer side reads the vendor's
  status from it: "withdrawn" while the vendor has no bid left in the event, "bid" again once it
  bids anew. Every existing invitation starts null (withdrawals made before read "not yet", as
  they did).

Revision ID: 0039_event_vendor_withdrawn
Revises: 0038_scenario_coalition_profile
Create Date: 2026-12-07 10:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import procure.db

# revision identifiers, used by Alembic.
revision = "0039_event_vendor_withdrawn"
down_revision = "0038_scenario_coalition_profile"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", procure.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("event_vendor", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
