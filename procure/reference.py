"""Reference data: ISO countries and currencies from config/, exchange rates from the database.

`reference()` is what the app converts and validates with: the countries and currencies of
config/ (loaded once per process) and the exchange rates the platform operator keeps in the
`exchange_rate` table (procure.rates). The rates are read once per app context (a request, a
job, a command) and kept per process between them, keyed by a one-row signature of the table
(count, max id, sum of versions) that every add, correction or removal changes: each request
pays one cheap aggregate query, and a rate written by any web process or worker is seen by the
next request everywhere. `seed_reference()` is config/ alone, fx.toml's rates included: the seed
of the table, and what pure code without a database (demo data generation) converts with.
`cached_table` is that cache for any such table (the service categories use it too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from flask import current_app, g
from sqlalchemy import func, select

from procure.extensions import db
from procure.rates.models import ExchangeRate
from procure.reference_data import FxRate, FxTable, Reference, load_reference
from procure.settings import resource_dir

T = TypeVar("T")


@dataclass(frozen=True)
class _Cached(Generic[T]):
    signature: tuple[int, int | None, int]
    value: T


def _names(model: Any) -> tuple[str, str]:
    """Where a table's value is kept: app.extensions (the process's, with its signature) and g
    (this app context's)."""
    table = model.__tablename__
    return f"procure_reference.{table}", f"_procure_reference_{table}"


def cached_table(model: Any, load: Callable[[], T]) -> T:
    """`load()`'s value built from `model`'s table: read once per app context, and reloaded when
    the table's signature (count, max id, sum of versions) differs from the one this process
    cached. The table must never reuse an id and must raise `version` on every update."""
    process_key, context_key = _names(model)
    memo = g.get(context_key)
    if memo is not None:
        return memo
    count, max_id, versions = db.session.execute(
        select(func.count(model.id), func.max(model.id), func.coalesce(func.sum(model.version), 0))
    ).one()
    signature = (int(count), max_id, int(versions))
    cached: _Cached[T] | None = current_app.extensions.get(process_key)
    if cached is None or cached.signature != signature:
        cached = _Cached(signature, load())
        current_app.extensions[process_key] = cached  # one assignment: threads see old or new
    setattr(g, context_key, cached.value)
    return cached.value


def forget_cached_table(model: Any) -> None:
    """Drop this app context's value of `model`'s table after a change in it: the next read sees
    the change (other contexts and processes see it by the signature)."""
    g.pop(_names(model)[1], None)


@lru_cache(maxsize=1)
def seed_reference() -> Reference:
    """config/ alone: countries, currencies and the seed rates of config/fx.toml."""
    return load_reference(resource_dir("config"))


def reference() -> Reference:
    """Countries and currencies of config/, and the exchange rates of the database."""
    seed = seed_reference()
    return Reference(countries=seed.countries, currencies=seed.currencies, fx=exchange_rates())


def _load_exchange_rates() -> FxTable:
    rows = db.session.execute(
        select(
            ExchangeRate.currency,
            ExchangeRate.effective_date,
            ExchangeRate.usd_per_unit,
            ExchangeRate.source,
        )
    ).all()
    return FxTable([FxRate(*row) for row in rows])


def exchange_rates() -> FxTable:
    """The database's rates as an FxTable (cached per app context and per process)."""
    return cached_table(ExchangeRate, _load_exchange_rates)


def forget_exchange_rates() -> None:
    """Drop this app context's table after a rate changed in it."""
    forget_cached_table(ExchangeRate)
