"""Optimistic version checks shared by every editable record, and the writes that go with them.

Two requests may read the same version of a record at the same moment. `check_version` refuses
an edit based on a version that is no longer current when the request reads it; `save_changes`
refuses the one that loses the race after that, when its `UPDATE ... WHERE version = :read`
(SQLAlchemy's version_id_col) matches no row because the other request wrote first. New records
that must exist once (a profile version number, a disclosure version) are guarded by a unique
constraint; `insert_once` answers the request that loses that race as if it had come second.
Both answer 409 (or the service's own refusal), never a 500, and leave the session to be rolled
back by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from procure.errors import ConflictError
from procure.extensions import db


def version_field(record) -> str:
    """The field a client sends the version it loaded in: `version`, or `edit_version` for
    disclosures."""
    return "version" if hasattr(type(record), "version") else "edit_version"


def check_version(record, sent: int | None, label: str) -> None:
    """Refuse an edit made against an older version of `record` (answers 409)."""
    current = getattr(record, version_field(record))
    if sent is None or sent != current:
        raise ConflictError(
            f"This {label} was changed since you loaded it (version {current} is current, "
            f"your edit was based on version {sent}). Reload it and apply your change again.",
            {version_field(record): [f"Expected {current}."]},
        )


def save_changes(
    record, label: str, sent: int | None = None, duplicate: Exception | None = None
) -> None:
    """Flush the changes to `record`; when another request changed it between this request's read
    and this write, refuse like a stale version (409, naming the version field when the client
    sent one). With `duplicate`, a unique rule of the record's table that a parallel request broke
    first (the service checked on what it read) raises `duplicate` instead of a fault."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if duplicate is None or not _breaks_unique_rule(error, type(record).__table__.name):
            raise
        raise duplicate from None
    except StaleDataError:
        based_on = f"; your edit was based on version {sent}" if sent is not None else ""
        raise ConflictError(
            f"This {label} was changed since you loaded it "
            f"(by someone else at the same moment{based_on}). "
            "Reload it and apply your change again.",
            {version_field(record): ["Changed by someone else at the same moment."]}
            if sent is not None
            else None,
        ) from None


def insert_once(record, refusal: Exception) -> None:
    """Flush the new `record`, whose uniqueness the service checked on what it read; when a
    parallel request inserted the same one since, the table's unique constraint refuses it and
    `refusal` (what the service says to a duplicate) is raised instead. Any other integrity
    error is a fault and is raised as it is."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if not _breaks_unique_rule(error, type(record).__table__.name):
            raise
        raise refusal from None


def insert_rows_once(model, rows: Sequence[Mapping[str, Any]], refusal: Exception) -> None:
    """Insert `rows` (column values) of `model` in one executemany; a unique rule broken by a
    parallel request raises `refusal`, as `insert_once`. For services that write many records
    at once (an import); they read the ids back by a unique key if they need them (RETURNING
    in the rows' order costs one statement per row on SQLite)."""
    if not rows:
        return
    try:
        # the table's, not the ORM's bulk insert: that one sets a version counter to its start
        db.session.execute(insert(model.__table__), rows)
    except IntegrityError as error:
        if not _breaks_unique_rule(error, model.__table__.name):
            raise
        raise refusal from None


def _breaks_unique_rule(error: IntegrityError, table: str) -> bool:
    original = error.orig
    diagnosis = getattr(original, "diag", None)
    if diagnosis is not None:  # PostgreSQL (psycopg): unique_violation on this table
        return getattr(original, "sqlstate", None) == "23505" and diagnosis.table_name == table
    return str(original).startswith(f"UNIQUE constraint failed: {table}.")  # SQLite
