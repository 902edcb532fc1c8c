"""Exchange rates: the platform operator adds, corrects and removes them; every money currency
entered anywhere is checked against them. Services flush; the caller commits.

Every change re-scores, by a job after the commit, the score snapshots that priced an offer or
a training spend in the currency (`rates_changed`); approved scenarios do not move, since their
problem documents froze the rates they were solved with. A rate entered ahead of its day moves
nothing until that day: the scheduler's daily round (`procure rates rescore-due`) re-scores the
same way then.

A currency is convertible once it has one rate (before its first rate, the earliest one is
used and flagged), so what must never happen is a stored amount in a currency with none: a
currency is refused where it is entered until it has a rate (`currency_refusal`), and a
currency's last rate cannot be removed, only corrected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

import optimizer
from procure.audit.services import record_event
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.paging import Page, page_of_rows
from procure.rates.models import ExchangeRate
from procure.rates.signals import rates_changed
from procure.reference import exchange_rates, forget_exchange_rates, seed_reference

AUDITED_FIELDS = ("currency", "effective_date", "usd_per_unit", "source")
CORRECTABLE_FIELDS = ("usd_per_unit", "source")


@dataclass
class RatePage(Page[ExchangeRate]):
    convertible: list[str] = field(default_factory=list)  # every currency with a rate, USD too


def currency_refusal(code: str) -> str | None:
    """Why amounts in currency `code` cannot be entered (no exchange rate to USD), naming the
    currencies that can be; None when they can."""
    fx = exchange_rates()
    if fx.has_rate(code):
        return None
    return (
        f"No exchange rate to US dollars for {code!r}: use one of {', '.join(fx.convertible())}, "
        f"or ask the platform operator to add a rate for {code}."
    )


# The smallest price a rate card may hold, in its currency (the price column keeps 4 decimals: a
# smaller amount would be stored as 0) and in US dollars after conversion (the cost pillar divides
# the category's lowest price by each price: a price that converts to almost nothing would rank
# on noise, and one that converts to 0 cannot be divided by).
MIN_PRICE = Decimal("0.0001")
MIN_PRICE_USD = 0.0001
# The largest: what the price column holds (14 digits, 4 of them decimals), and in US dollars
# what the optimizer takes (optimizer.MAX_PRICE): a price above it would fail every solve of
# its category for every buyer.
MAX_PRICE = Decimal("9999999999.9999")
MAX_PRICE_USD = optimizer.MAX_PRICE


def price_refusal(amount: float | Decimal, currency: str, on: date | None = None) -> str | None:
    """Why `amount` of `currency` cannot be a price: outside MIN_PRICE–MAX_PRICE in its
    currency, or outside MIN_PRICE_USD–MAX_PRICE_USD at the rate in force on `on` (today); None
    when it can (or when the currency has no rate, which `currency_refusal` names)."""
    if Decimal(str(amount)) < MIN_PRICE:
        return f"The price must be at least {MIN_PRICE}."
    if Decimal(str(amount)) > MAX_PRICE:
        return f"The price must be at most {MAX_PRICE:,}."
    fx = exchange_rates()
    if not fx.has_rate(currency):
        return None
    usd = fx.to_usd(float(amount), currency, on or date.today()).usd_amount
    if usd < MIN_PRICE_USD:
        return (
            f"The price must be at least {MIN_PRICE_USD} US dollars after conversion: "
            f"{amount} {currency} is {usd:.2g} US dollars."
        )
    if usd > MAX_PRICE_USD:
        return (
            f"The price must be at most {MAX_PRICE_USD:,.0f} US dollars after conversion: "
            f"{amount} {currency} is {usd:,.0f} US dollars."
        )
    return None


def page_of(statement: Select, page: int, per_page: int, currency: str | None = None) -> RatePage:
    """One page of the rates `statement` selects, by currency and newest date first, optionally
    of one currency."""
    if currency is not None:
        statement = statement.where(ExchangeRate.currency == currency)
    rows = page_of_rows(
        statement.order_by(ExchangeRate.currency, ExchangeRate.effective_date.desc()),
        page,
        per_page,
    )
    return RatePage(
        rows.items, rows.page, rows.per_page, rows.total, exchange_rates().convertible()
    )


def _currency_errors(code: str) -> list[str]:
    if code == "USD":
        return ["US dollars convert at 1 and take no rate."]
    currency = seed_reference().currencies.get(code)
    if currency is None:
        return [f"Unknown currency {code!r}: use an ISO 4217 code, e.g. KES."]
    if not currency.is_cash:
        return [f"{code} ({currency.name}) is not a currency that payments are made in."]
    return []


def _fields(rate: ExchangeRate, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(rate, name) for name in names}


def add_rate(values: Mapping[str, Any], actor) -> ExchangeRate:
    """Add the rate of a currency in force from a date. 422 naming the field for a code that is
    not a cash currency (or is USD) and for a date the currency has a rate for already."""
    currency, effective_date = values["currency"], values["effective_date"]
    errors = _currency_errors(currency)
    if errors:
        raise ValidationFailed({"currency": errors})
    taken = ValidationFailed(
        {
            "effective_date": [
                f"{currency} has a rate in force from {effective_date.isoformat()} already: "
                "correct that one instead."
            ]
        }
    )
    exists = db.session.scalar(
        select(ExchangeRate.id).where(
            ExchangeRate.currency == currency, ExchangeRate.effective_date == effective_date
        )
    )
    if exists is not None:
        raise taken
    rate = ExchangeRate(
        currency=currency,
        effective_date=effective_date,
        usd_per_unit=values["usd_per_unit"],
        source=values["source"],
        created_by_id=actor.id,
    )
    db.session.add(rate)
    insert_once(rate, taken)  # a parallel request may have added the same day since
    record_event("exchange_rate.add", rate, actor=actor, after=_fields(rate, AUDITED_FIELDS))
    _changed(currency, actor)
    return rate


def correct_rate(
    rate: ExchangeRate, values: Mapping[str, Any], sent_version: int | None, actor
) -> ExchangeRate:
    """Correct a rate's value or source (a stale version answers 409). Its currency and date
    stay: to move a rate to another day, add that day's and remove this one."""
    check_version(rate, sent_version, "exchange rate")
    changed = [name for name in CORRECTABLE_FIELDS if name in values]
    if not changed:
        raise ValidationFailed({"usd_per_unit": ["Send the corrected rate, its source, or both."]})
    before = _fields(rate, ("currency", "effective_date", *changed))
    for name in changed:
        setattr(rate, name, values[name])
    save_changes(rate, "exchange rate", sent_version)
    record_event(
        "exchange_rate.correct",
        rate,
        actor=actor,
        before=before,
        after=_fields(rate, ("currency", "effective_date", *changed)),
    )
    _changed(rate.currency, actor)
    return rate


def remove_rate(rate: ExchangeRate, actor) -> None:
    """Remove a rate; the day falls back to the currency's previous rate. A currency's last rate
    is refused (409): amounts stored in it would no longer convert."""
    # Locked on PostgreSQL, so two removals of a currency's last two rates cannot both pass.
    siblings = db.session.scalars(
        select(ExchangeRate.id).where(ExchangeRate.currency == rate.currency).with_for_update()
    ).all()
    if len(siblings) <= 1:
        raise ConflictError(
            f"This is the only rate of {rate.currency}: amounts entered in {rate.currency} would "
            "no longer convert to US dollars. Correct it instead, or add another rate first."
        )
    before = _fields(rate, AUDITED_FIELDS)
    record_event("exchange_rate.remove", rate, actor=actor, before=before)
    db.session.delete(rate)
    db.session.flush()
    _changed(before["currency"], actor)


def _changed(currency: str, actor) -> None:
    """After a rate of `currency` changed: conversions read the new table, and the stored scores
    that priced something in it are re-computed (`rates_changed`: procure.scoring.jobs queues
    the re-scoring after the commit; scenarios keep the rates their documents froze)."""
    forget_exchange_rates()
    rates_changed.send(currency, user=actor)
