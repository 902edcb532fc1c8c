"""Store the projection and the page facts of scenarios solved before the solve stored them
(`procure scenarios store-facts`, issue #23): a plan solved before migrations 0041/0045 (the
projection) or 0047 (the page facts) works them out on every read, which at 10,000 vendors is
slower than before 0047. They are caches of what the stored problem and result say, worked out
by the functions the solve uses (`review.store_projection`, `page_facts.store`) and written
without touching the scenario's version, its `updated_at` or the audit trail: the plan itself
does not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import undefer

from procure.db import rowcount
from procure.extensions import db
from procure.scenarios import page_facts, review
from procure.scenarios.models import Scenario

CACHES = ("projection", "projection_rows", "page_facts", "page_lines")
"""The scenario's columns that keep what its problem and result documents say."""
LOAD_CACHES = [undefer(getattr(Scenario, column)) for column in CACHES]


def _format_is(column: Any, expected: int) -> Any:
    return func.coalesce(column["format"].as_integer(), 0) == expected


def scenarios_with_result() -> tuple[list[int], int]:
    """The ids of the scenarios with a stored result that may lack a cache (their page facts or
    lines, or their projection, of another layout or none: a result without allocations has no
    projection, so such a scenario is looked at on every run and stores nothing), and how many
    scenarios with a result have all of them."""
    current = and_(
        _format_is(Scenario.page_facts, page_facts.PAGE_FACTS_FORMAT),
        _format_is(Scenario.page_lines, page_facts.PAGE_LINES_FORMAT),
        _format_is(Scenario.projection, review.PROJECTION_FORMAT),
    )
    rows = db.session.execute(
        select(Scenario.id, current)
        # a JSON null as well as SQL NULL has no status
        .where(Scenario.result["status"].as_string().is_not(None))
        .order_by(Scenario.id)
    ).all()
    return [sid for sid, done in rows if not done], sum(1 for _, done in rows if done)


def store_missing(ids: Iterable[int], dry_run: bool = False) -> int:
    """Work out and store (in the command's transaction) the caches each scenario of `ids`
    lacks; how many scenarios got any. `dry_run`: work them out and count, store nothing."""
    stored = 0
    for sid in ids:
        scenario = db.session.get(Scenario, sid, options=LOAD_CACHES)
        if scenario is None or not scenario.result:
            continue
        before = {column: getattr(scenario, column) for column in CACHES}
        with db.session.no_autoflush:  # the ORM would add a version: see `_write`
            if review.stored_projection(scenario) is None:
                review.store_projection(scenario)
            if not page_facts.is_stored(scenario):
                page_facts.store(scenario)
        changed = {
            column: getattr(scenario, column)
            for column in CACHES
            if getattr(scenario, column) != before[column]
        }
        version = scenario.version
        db.session.expunge(scenario)  # its documents are megabytes: free them as we go
        if changed and (dry_run or _write(sid, version, changed)):
            stored += 1
    return stored


def _write(sid: int, version: int, values: dict[str, Any]) -> bool:
    """Store the caches by an UPDATE statement, not the ORM's flush of the scenario, which would
    add to its version (a reader's stale copy would then conflict) and set `updated_at`; only
    while the scenario is still of `version` (a solve meanwhile stored its own); whether it
    was."""
    return (
        rowcount(
            db.session.execute(
                update(Scenario)
                .where(Scenario.id == sid, Scenario.version == version)
                .values(**values, updated_at=Scenario.updated_at)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )
