"""disclosure state index: the review queue counts and pages by state without reading the table

- `ix_disclosure_state_id` on `disclosure (state, id)`. The review queue
  (`GET /api/v1/disclosures?state=submitted`) counts its total and reads its page in id order;
  without the index both scan every version of every vendor (26 ms at 10,000 vendors on
  PostgreSQL, issue #23). No data changes.

Revision ID: 0040_disclosure_state_index
Revises: 0039_event_vendor_withdrawn
Create Date: 2026-12-07 11:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0040_disclosure_state_index"
down_revision = "0039_event_vendor_withdrawn"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.create_index("ix_disclosure_state_id", ["state", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_state_id")
