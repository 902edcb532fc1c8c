"""objective in hours: scenarios may maximise impact-worker hours

- `scenario.objective` widens from VARCHAR(20) to VARCHAR(32) and its CHECK constraint admits
  `max_impact_worker_hours` (issue 17: a buyer chooses a plan by the jobs it sustains for
  impact workers). The name is 23 characters: it fits neither the old length (PostgreSQL
  refuses it) nor the old CHECK (both databases refuse it).
- No data changes: every stored scenario keeps its objective.

Downgrade refuses while a scenario maximises impact-worker hours (the narrower column and
CHECK could not hold it): change or delete those scenarios first.

Revision ID: 0018_objective_in_hours
Revises: 0017_units_of_work
Create Date: 2026-12-06 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_objective_in_hours'
down_revision = '0017_units_of_work'
branch_labels = None
depends_on = None

scenario = sa.table('scenario', sa.column('objective', sa.String))


def upgrade():
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_scenario_objective'), type_='check')
        batch_op.alter_column(
            'objective',
            existing_type=sa.String(length=20),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_scenario_objective'),
            "objective IN ('min_cost', 'max_impact', 'max_impact_worker_hours')",
        )


def downgrade():
    in_hours = op.get_bind().execute(
        sa.select(sa.func.count())
        .select_from(scenario)
        .where(scenario.c.objective == 'max_impact_worker_hours')
    ).scalar()
    if in_hours:
        raise RuntimeError(
            f'{in_hours} scenario(s) maximise impact-worker hours, which 0017 cannot hold: '
            'change their objective before downgrading below 0018.'
        )
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_scenario_objective'), type_='check')
        batch_op.alter_column(
            'objective',
            existing_type=sa.String(length=32),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_scenario_objective'), "objective IN ('min_cost', 'max_impact')"
        )
