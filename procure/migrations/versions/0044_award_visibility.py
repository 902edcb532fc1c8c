"""award visibility: a buyer organization lets vendors see how an improvement would change their
share of its approved plans

- `organization.vendors_see_plan_share` (boolean, not null, server default false): off for every
  existing organization, as it is for a new one. Its buyer's admin turns it on (settings page or
  `PATCH /api/v1/organizations/<id>/settings`); then a vendor's "How to raise your score" panel
  shows the vendor its own hours before and after each suggestion in that buyer's approved plans,
  re-solved read-only (procure.scenarios.plan_share). The downgrade drops the column.

Revision ID: 0044_award_visibility
Revises: 0043_event_lot_withdrawal
Create Date: 2026-12-07 13:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0044_award_visibility"
down_revision = "0043_event_lot_withdrawal"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, not a batch: on SQLite a batch rebuilds `organization`,
# whose DROP every table that references an organization refuses once it holds rows.


def upgrade():
    op.add_column(
        "organization",
        sa.Column(
            "vendors_see_plan_share", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":  # SQLite 3.35+ drops a column without a rebuild
        op.execute("ALTER TABLE organization DROP COLUMN vendors_see_plan_share")
    else:
        op.drop_column("organization", "vendors_see_plan_share")
