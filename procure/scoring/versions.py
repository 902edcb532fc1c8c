"""The data versions of the stored rankings (procure.scoring.rankings): how many times the data
a ranking reads has changed, GLOBAL for what every buyer organization's ranking reads, an
organization's id for what only its own rankings read."""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from procure.extensions import db
from procure.scoring.models import RankingDataVersion

GLOBAL = 0  # the scope of what every buyer organization's ranking reads (no organization is 0)


def bump(scope: int) -> None:
    """Count one change of the data the rankings of `scope` read (GLOBAL, or an organization's
    id), in the open transaction: one INSERT ... ON CONFLICT DO UPDATE, so parallel changes
    neither collide on a new scope's row nor lose a count."""
    table = cast(Table, RankingDataVersion.__table__)
    dialect = db.session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        upsert(table)
        .values(scope=scope, version=1)
        .on_conflict_do_update(
            index_elements=[table.c.scope], set_={"version": table.c.version + 1}
        )
    )


def data_versions(organization_id: int) -> tuple[int, int]:
    """The global and the organization's data versions now (0 before any change)."""
    found = {
        scope: version
        for scope, version in db.session.execute(
            select(RankingDataVersion.scope, RankingDataVersion.version).where(
                RankingDataVersion.scope.in_((GLOBAL, organization_id))
            )
        )
    }
    return found.get(GLOBAL, 0), found.get(organization_id, 0)


def data_version_columns(organization_id: int) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """`data_versions` as two columns (scalar subqueries, 0 before any change), to read them in
    the statement that reads a stored ranking: one round trip, not two."""

    def version_of(scope: int) -> ColumnElement[int]:
        found = select(RankingDataVersion.version).where(RankingDataVersion.scope == scope)
        return func.coalesce(found.scalar_subquery(), 0)

    return version_of(GLOBAL), version_of(organization_id)
