"""scenario coalition profile: a plan records the coalition profile it was solved under

- `scenario.coalition_id` (nullable, foreign key to `coalition`) and
  `scenario.coalition_profile_version` (nullable): a plan without a profile of its own, solved
  by a member that adopted its coalition's profile, records that coalition and the coalition
  profile's version (null: the backbone had not set it, the default weights). Null for every
  existing scenario: their page and board report keep saying "Default profile".
- The `coalition_post` kind CHECK constraint widens: `measurement_changed` (the backbone changed
  the coalition profile or a coalition metric).

The downgrade drops the two columns (a plan solved under a coalition profile then says "Default
profile") and turns the posts of the new kind into announcements, their text kept, so the
narrower CHECK constraint holds them.

Revision ID: 0038_scenario_coalition_profile
Revises: 0037_coalition_measurement
Create Date: 2026-12-07 10:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0038_scenario_coalition_profile"
down_revision = "0037_coalition_measurement"
branch_labels = None
depends_on = None

OLD_POST_KINDS = (
    "kind IN ('announcement', 'target_set', 'target_changed', 'member_joined', 'member_left')"
)
NEW_POST_KINDS = (
    "kind IN ('announcement', 'target_set', 'target_changed', 'member_joined', 'member_left', "
    "'measurement_changed')"
)

coalition_post = sa.table("coalition_post", sa.column("kind", sa.String))


def _post_kinds(kinds):
    with op.batch_alter_table("coalition_post", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_coalition_post_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_coalition_post_kind"), kinds)


def upgrade():
    _post_kinds(NEW_POST_KINDS)
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coalition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("coalition_profile_version", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_scenario_coalition_id_coalition"), "coalition", ["coalition_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scenario_coalition_id_coalition"), type_="foreignkey"
        )
        batch_op.drop_column("coalition_profile_version")
        batch_op.drop_column("coalition_id")
    op.execute(
        sa.update(coalition_post)
        .where(coalition_post.c.kind == "measurement_changed")
        .values(kind="announcement")
    )
    _post_kinds(OLD_POST_KINDS)
