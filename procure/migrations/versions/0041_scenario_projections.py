"""scenario projections: a solved scenario keeps its projected impact, worked out once at solve time

- `scenario.projection` (JSON, null): what `procure.scenarios.review.compute_projection` makes
  of the stored problem and result documents and the disclosure versions the solve scored
  (`meta.scored_disclosures`): the projected impact the scenario page, the comparison, the
  `/impact` API, the home page and the board report show, with the facts (training hours per
  impact worker, living-wage ratio) of each vendor that gets work. Reading it replaces reading
  one disclosure document per such vendor (about 5,800 at 10,000 vendors) on every request
  (issue #23).

Why a column on `scenario` and not a table of its own: the projection is one document that is
valid exactly as long as the scenario's `result` is: it is written in the same row update as the
result by `store_solution`, cleared with it by every edit, new solve, retry or failure, and it
is read with the scenario the page has already loaded. A table would need a join or a second
query on every read and its own rule for staying in step with the result, for no gain: nothing
queries inside the document.

Every scenario solved before this revision has null: its pages work the projection out as
they did (`projected_impact` falls back to `compute_projection`, writing nothing), so no data
is changed here and no disclosure is read. The downgrade drops the column; the figures stay
what they were, since they are worked out the same way again.

Revision ID: 0041_scenario_projections
Revises: 0040_disclosure_state_index
Create Date: 2026-12-07 13:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041_scenario_projections"
down_revision = "0040_disclosure_state_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(sa.Column("projection", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_column("projection")
