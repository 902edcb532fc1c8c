"""stored ranking cards: what a vendor's scorecard shows, stored with its ranking

- `stored_ranking_card`: per stored ranking (of the scorecard's top k) and vendor, the scorecard's
  explanation lines with peer percentiles, sites, scored figures, evidence sections, the offer
  scored and the trend's earlier periods, as JSON text. A cache like `stored_ranking_row`: no
  foreign key but its ranking's.

No existing row changes: rankings stored before this revision have no scorecards, and are out
of date at the next change (a scorecard then computes its card live, as before, until the
refresh). The downgrade drops the table (scorecards are computed again).

Revision ID: 0034_stored_ranking_cards
Revises: 0033_need_award_limits
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034_stored_ranking_cards"
down_revision = "0033_need_award_limits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_ranking_card",
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"],
            ["stored_ranking.id"],
            name=op.f("fk_stored_ranking_card_ranking_id_stored_ranking"),
        ),
        sa.PrimaryKeyConstraint("ranking_id", "vendor_id", name=op.f("pk_stored_ranking_card")),
    )


def downgrade():
    op.drop_table("stored_ranking_card")
