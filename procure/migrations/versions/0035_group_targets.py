"""group targets: a coalition's joint target in the hours of one beneficiary group

- `coalition_target.beneficiary_group` (a disclosure's `categories` key, e.g.
  refugee_or_displaced), set for a target in the new measure `beneficiary_group_hours` and null
  for every other (CHECK `ck_coalition_target_group_with_measure`).
- The measure CHECK constraint widens: `beneficiary_group_hours`.

No existing row changes: every target so far is in another measure and has no group. The
downgrade refuses while a target in the new measure exists (the narrower constraint could not
hold it, and dropping its group would leave a target in hours of nobody in particular).

Revision ID: 0035_group_targets
Revises: 0034_stored_ranking_cards
Create Date: 2026-12-07 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035_group_targets"
down_revision = "0034_stored_ranking_cards"
branch_labels = None
depends_on = None

OLD_MEASURES = "measure IN ('impact_worker_jobs', 'impact_worker_hours', 'impact_spend_share')"
NEW_MEASURES = (
    "measure IN ('impact_worker_jobs', 'impact_worker_hours', 'impact_spend_share', "
    "'beneficiary_group_hours')"
)
GROUP_WITH_MEASURE = (
    "(measure = 'beneficiary_group_hours' AND beneficiary_group IS NOT NULL) OR "
    "(measure <> 'beneficiary_group_hours' AND beneficiary_group IS NULL)"
)

coalition_target = sa.table("coalition_target", sa.column("measure", sa.String))


def upgrade():
    with op.batch_alter_table("coalition_target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("beneficiary_group", sa.String(length=40), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_coalition_target_measure"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_coalition_target_measure"), NEW_MEASURES)
        batch_op.create_check_constraint(
            batch_op.f("ck_coalition_target_group_with_measure"), GROUP_WITH_MEASURE
        )


def downgrade():
    held = (
        op.get_bind()
        .execute(
            sa.select(sa.func.count())
            .select_from(coalition_target)
            .where(coalition_target.c.measure == "beneficiary_group_hours")
        )
        .scalar()
    )
    if held:
        raise RuntimeError(
            "A coalition target in the hours of a beneficiary group exists: below 0035 the "
            "measure constraint could not hold it. Remove it before downgrading."
        )
    with op.batch_alter_table("coalition_target", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_coalition_target_group_with_measure"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_coalition_target_measure"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_coalition_target_measure"), OLD_MEASURES)
        batch_op.drop_column("beneficiary_group")
