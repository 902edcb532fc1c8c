"""scenario projection rows: a solved scenario's projection summary apart from its rows per vendor

- `scenario.projection_rows` (JSON, null): the rows per vendor that gets work of the projection
  (`impact.by_vendor` of `procure.scenarios.review.compute_projection`), read only by what lists
  them (the `/impact` API, the board report).
- `scenario.projection` keeps the summary, format 2 (`review.split_projection`): the impact
  without its rows, with their count (`vendors`) and the vendors paying below a living wage
  (`below_living_wage`), which is all the scenario page, the comparison and the home page show.
  At 10,000 vendors (bench/bench_scenario_page.py) the summary is 536 bytes and the rows
  2.47 MB: each of those pages parsed the whole document for a handful of figures (issue #23).

Why a second column and not a table of rows: nothing pages or queries inside the rows; the
readers that want them want all of them, in the order stored, and a column stays in step with
the result the way 0041 set out (written with it by `store_solution`, cleared with it by the
model's listener).

The upgrade splits every stored projection of format 1 into the two columns (the summary's two
added figures worked out from its rows as `review.below_living_wage` words them); the downgrade
puts the rows back into the document, format 1 again, and drops the column. A scenario without
a stored projection stays without one (its pages work it out, as before).

Revision ID: 0045_projection_rows
Revises: 0044_award_visibility
Create Date: 2026-12-07 18:10:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0045_projection_rows"
down_revision = "0044_award_visibility"
branch_labels = None
depends_on = None

SCENARIO = sa.table(
    "scenario",
    sa.column("id", sa.Integer),
    sa.column("projection", sa.JSON),
    sa.column("projection_rows", sa.JSON),
)


def _stored(connection, format_: int):
    rows = connection.execute(
        sa.select(SCENARIO.c.id, SCENARIO.c.projection, SCENARIO.c.projection_rows).where(
            SCENARIO.c.projection.is_not(None)
        )
    )
    for scenario_id, projection, projection_rows in rows:
        if isinstance(projection, str):  # a driver that hands JSON back as text
            projection = json.loads(projection)
        if projection and projection.get("format") == format_:
            yield scenario_id, projection, projection_rows


def _below_living_wage(rows: list[dict]) -> list[str]:
    return [
        f"{row['vendor']} ({row['living_wage_ratio']:.2f})"
        for row in rows
        if row.get("living_wage_ratio") is not None and row["living_wage_ratio"] < 1.0
    ]


def upgrade():
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(sa.Column("projection_rows", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for scenario_id, projection, _ in list(_stored(connection, 1)):
        impact = dict(projection["impact"])
        rows = impact.pop("by_vendor", [])
        summary = {
            "format": 2,
            "impact": impact,
            "vendors": len(rows),
            "below_living_wage": _below_living_wage(rows),
        }
        connection.execute(
            SCENARIO.update()
            .where(SCENARIO.c.id == scenario_id)
            .values(projection=summary, projection_rows=rows)
        )


def downgrade():
    connection = op.get_bind()
    for scenario_id, summary, rows in list(_stored(connection, 2)):
        if isinstance(rows, str):
            rows = json.loads(rows)
        projection = {"format": 1, "impact": {**summary["impact"], "by_vendor": rows or []}}
        connection.execute(
            SCENARIO.update().where(SCENARIO.c.id == scenario_id).values(projection=projection)
        )
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_column("projection_rows")
