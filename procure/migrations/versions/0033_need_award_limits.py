"""need award limits: the most vendors a need goes to, and the least volume a vendor is awarded

- `need.max_vendors` (integer, null = no limit): at most this many vendors get volume on the
  need; a CHECK constraint (`ck_need_max_vendors_range`) keeps it from 1 to 1,000.
- `need.min_award` (double, null = no minimum): in the need's unit, each price line that gets
  volume gets at least this; a CHECK constraint (`ck_need_min_award_range`) keeps it above 0
  and at most the need's volume.

No existing row changes: both are null on every need so far, so every plan solves as before.
The downgrade drops the columns (the limits set on needs are lost; scenarios keep them in their
frozen problem documents).

Revision ID: 0033_need_award_limits
Revises: 0032_attestation_withdrawal
Create Date: 2026-12-06 23:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033_need_award_limits"
down_revision = "0032_attestation_withdrawal"
branch_labels = None
depends_on = None

MAX_VENDORS = "max_vendors IS NULL OR (max_vendors >= 1 AND max_vendors <= 1000)"
MIN_AWARD = "min_award IS NULL OR (min_award > 0 AND min_award <= volume)"


def upgrade():
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_vendors", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_award", sa.Double(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_need_max_vendors_range"), MAX_VENDORS)
        batch_op.create_check_constraint(batch_op.f("ck_need_min_award_range"), MIN_AWARD)


def downgrade():
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_need_min_award_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_need_max_vendors_range"), type_="check")
        batch_op.drop_column("min_award")
        batch_op.drop_column("max_vendors")
