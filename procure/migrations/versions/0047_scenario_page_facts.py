"""scenario page facts: what a solved scenario's page and the comparison show, kept apart from
its problem and result documents (issue #23)

- `scenario.page_facts` (JSON, null): both documents without their lists per vendor, offer and
  allocation line, the rules the page lists, the figures worked out from those lists, the labels
  and the offers the page's sentences name (`procure.scenarios.page_facts.work_out`); read by
  the scenario's page and the comparison, which no longer read `problem` and `result` (at
  10,000 vendors 3.7 MB and 4.9 MB of JSON parsed for each page).
- `scenario.page_lines` (JSON, null): the allocation lines by cost with their price sources and
  the vendors the award rule forms list; read by the page alone.

Both are written with the result by `store_solution` and cleared with it by the model's
listener, as the projection (0041, 0045). No backfill here: a scenario solved before this
migration has none, and its page and comparison work them out from its documents on each read
(storing nothing) until the next solve, or until `procure scenarios store-facts` (run once after
the upgrade) stores them with the same functions as a solve. The downgrade drops the two columns.

Revision ID: 0047_scenario_page_facts
Revises: 0046_card_basis_label
Create Date: 2026-12-07 18:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0047_scenario_page_facts"
down_revision = "0046_card_basis_label"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_facts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("page_lines", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_column("page_lines")
        batch_op.drop_column("page_facts")
