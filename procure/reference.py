"""Reference data: ISO countries and currencies from config/, exchange rates from the database.

`reference()` is what the app converts and validates with: the countries and currencies of
config/ (loaded once per process) and the exchange rates the platform operator keeps in the
`exchange_rate` table (procure.rates). The rates are read once per app context (a request, a
job, a command) and kept per process between them, keyed by a one-row signature of the table
(count, max id, sum of versions) that every add, correction or removal changes: each request
pays one cheap aggregate query, and a rate written by any web process or worker is seen by the
next request everywhere. `seed_reference()` is config/ alone, fx.toml's rates included: the seed
of the table, and what pure code without a database (demo data generation) converts with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, g
from sqlalchemy import func, select

from procure.extensions import db
from procure.rates.models import ExchangeRate
from procure.reference_data import FxRate, FxTable, Reference, load_reference
from procure.settings import resource_dir

_CACHE_KEY = "procure_exchange_rates"  # app.extensions: the process's table and its signature
_MEMO = "_procure_exchange_rates"  # g: this app context's table


@dataclass(frozen=True)
class _CachedRates:
    signature: tuple[int, int | None, int]
    table: FxTable


@lru_cache(maxsize=1)
def seed_reference() -> Reference:
    """config/ alone: countries, currencies and the seed rates of config/fx.toml."""
    return load_reference(resource_dir("config"))


def reference() -> Reference:
    """Countries and currencies of config/, and the exchange rates of the database."""
    seed = seed_reference()
    return Reference(countries=seed.countries, currencies=seed.currencies, fx=exchange_rates())


def exchange_rates() -> FxTable:
    """The database's rates as an FxTable: read once per app context, reloaded when the
    table's signature differs from the one this process cached."""
    memo = g.get(_MEMO)
    if memo is not None:
        return memo
    count, max_id, versions = db.session.execute(
        select(
            func.count(ExchangeRate.id),
            func.max(ExchangeRate.id),
            func.coalesce(func.sum(ExchangeRate.version), 0),
        )
    ).one()
    signature = (int(count), max_id, int(versions))
    cached: _CachedRates | None = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached.signature != signature:
        rows = db.session.execute(
            select(
                ExchangeRate.currency,
                ExchangeRate.effective_date,
                ExchangeRate.usd_per_unit,
                ExchangeRate.source,
            )
        ).all()
        cached = _CachedRates(signature, FxTable([FxRate(*row) for row in rows]))
        current_app.extensions[_CACHE_KEY] = cached  # one assignment: threads see old or new
    setattr(g, _MEMO, cached.table)
    return cached.table


def forget_exchange_rates() -> None:
    """Drop this app context's table after a rate changed in it: the next read sees the change
    (other contexts and processes see it by the signature)."""
    g.pop(_MEMO, None)
