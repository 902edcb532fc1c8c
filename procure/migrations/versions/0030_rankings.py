"""rankings: stored rankings and the data versions they were computed at

- `ranking_data_version`: a counter per scope, 0 for the data every buyer organization's
  ranking reads, an organization's id for what only its rankings read (its reviews, its custom
  metrics). Row 0 starts at 0; an organization's row is added at its first change.
- `stored_ranking`: one computed ranking per key (organization, profile version, category, top
  k) and the data versions and pricing day it read; `stored_ranking_row`: its vendors in rank
  order (`position`), for paging in SQL. A cache: no foreign keys but the row's ranking.

No existing row changes. The downgrade drops the three tables (rankings are computed again).

Revision ID: 0030_rankings
Revises: 0029_award_scenarios
Create Date: 2026-12-07 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0030_rankings"
down_revision = "0029_award_scenarios"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ranking_data_version",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_ranking_data_version")),
    )
    op.execute("INSERT INTO ranking_data_version (scope, version) VALUES (0, 0)")
    op.create_table(
        "stored_ranking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("top_k", sa.Integer(), nullable=False),
        sa.Column("global_version", sa.Integer(), nullable=False),
        sa.Column("organization_version", sa.Integer(), nullable=False),
        sa.Column("priced_on", sa.Date(), nullable=False),
        sa.Column("peers", sa.Integer(), nullable=False),
        sa.Column("computed_at", procure.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_ranking")),
    )
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stored_ranking_key",
            ["organization_id", "profile_id", "category", "top_k", "id"],
            unique=False,
        )
    op.create_table(
        "stored_ranking_row",
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("impact", sa.Double(), nullable=False),
        sa.Column("cost", sa.Double(), nullable=False),
        sa.Column("quality", sa.Double(), nullable=False),
        sa.Column("impact_points", sa.Double(), nullable=False),
        sa.Column("cost_points", sa.Double(), nullable=False),
        sa.Column("quality_points", sa.Double(), nullable=False),
        sa.Column("impact_score", sa.Double(), nullable=False),
        sa.Column("knocked_out", sa.Boolean(), nullable=False),
        sa.Column("knockout_reason", sa.Text(), nullable=True),
        sa.Column("p_top_k", sa.Double(), nullable=True),
        sa.Column("rank_p05", sa.Integer(), nullable=True),
        sa.Column("rank_p95", sa.Integer(), nullable=True),
        sa.Column("topsis_closeness", sa.Double(), nullable=True),
        sa.Column("topsis_rank", sa.Integer(), nullable=True),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"],
            ["stored_ranking.id"],
            name=op.f("fk_stored_ranking_row_ranking_id_stored_ranking"),
        ),
        sa.PrimaryKeyConstraint("ranking_id", "position", name=op.f("pk_stored_ranking_row")),
    )


def downgrade():
    op.drop_table("stored_ranking_row")
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_ranking_key")
    op.drop_table("stored_ranking")
    op.drop_table("ranking_data_version")
