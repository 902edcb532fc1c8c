"""event rank bands: whether bidders who won nothing see their rank band once awarded

- `sourcing_event.show_rank_bands` (boolean, not null, server default false): the buyer's
  choice, made with the event. Every existing event keeps today's behaviour (no band shown).

Revision ID: 0036_event_rank_bands
Revises: 0035_group_targets
Create Date: 2026-12-07 04:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036_event_rank_bands"
down_revision = "0035_group_targets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sourcing_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_rank_bands", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("sourcing_event", schema=None) as batch_op:
        batch_op.drop_column("show_rank_bands")
