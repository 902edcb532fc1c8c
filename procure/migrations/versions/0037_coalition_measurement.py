"""coalition measurement: a coalition's shared metric catalog and scoring profile

- `coalition_metric`: the backbone's metrics (the columns of `custom_metric`, one key per
  coalition).
- `coalition_profile`: the coalition's scoring profile settings, one per coalition, versioned.
- `coalition_member.uses_profile` (boolean, not null, server default false): the member ranks
  and plans under the coalition profile. Every existing member keeps its own default profile.
- `stored_ranking.coalition_id` (nullable, no foreign key: a cache): the coalition whose profile
  a stored ranking scores with; null for every existing ranking.

The downgrade deletes the stored rankings made under a coalition profile (with their rows and
cards): without the column they would pass for rankings under the default profile. They are a
cache, recomputed on the next read.

Revision ID: 0037_coalition_measurement
Revises: 0036_event_rank_bands
Create Date: 2026-12-07 07:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

import procure.db

# revision identifiers, used by Alembic.
revision = "0037_coalition_measurement"
down_revision = "0036_event_rank_bands"
branch_labels = None
depends_on = None

stored_ranking = sa.table(
    "stored_ranking", sa.column("id", sa.Integer), sa.column("coalition_id", sa.Integer)
)


def upgrade():
    op.create_table(
        "coalition_metric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("formula", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("goalposts", sa.JSON(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_coalition_metric_coalition_id_coalition"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_coalition_metric_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_metric")),
        sa.UniqueConstraint("coalition_id", "key", name=op.f("uq_coalition_metric_coalition_id")),
    )
    with op.batch_alter_table("coalition_metric", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_metric_coalition_id"), ["coalition_id"], unique=False
        )
    op.create_table(
        "coalition_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_coalition_profile_coalition_id_coalition"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_coalition_profile_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_profile")),
        sa.UniqueConstraint("coalition_id", name=op.f("uq_coalition_profile_coalition_id")),
    )
    with op.batch_alter_table("coalition_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("uses_profile", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coalition_id", sa.Integer(), nullable=True))


def downgrade():
    under_coalition = sa.select(stored_ranking.c.id).where(
        stored_ranking.c.coalition_id.is_not(None)
    )
    for table in ("stored_ranking_row", "stored_ranking_card"):
        cache = sa.table(table, sa.column("ranking_id", sa.Integer))
        op.execute(sa.delete(cache).where(cache.c.ranking_id.in_(under_coalition)))
    op.execute(sa.delete(stored_ranking).where(stored_ranking.c.coalition_id.is_not(None)))
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.drop_column("coalition_id")
    with op.batch_alter_table("coalition_member", schema=None) as batch_op:
        batch_op.drop_column("uses_profile")
    op.drop_table("coalition_profile")
    with op.batch_alter_table("coalition_metric", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_metric_coalition_id"))
    op.drop_table("coalition_metric")
