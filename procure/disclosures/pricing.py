"""Offer prices for scoring: every active offer, priced once, by one conversion rule.

The rule (scoring, the flat table's export and the optimizer's problem documents use it): an
offer's price per unit is converted to US dollars at the latest exchange rate in force on the
day of the calculation (`priced_on`: today unless the caller states the day), and that rate
and its date travel with the price. Nothing is rounded before use; pages and files round only
what they display.

Which offer a vendor is scored on is the pure rule of `scoring.best_offers`: in a category, the
vendor's offer with the best cost pillar against the lowest price of all active offers of the
category in the same unit (its quality comes with it); without a category, the best over all
its categories. An offer priced at 0, in a currency without any rate, or below the minimum
price in US dollars cannot be compared by a ratio and is left out (`left_out_reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

import scoring
from procure.extensions import db
from procure.rates.services import MAX_PRICE_USD, MIN_PRICE_USD
from procure.reference import reference
from procure.vendors.models import Offer


@dataclass(frozen=True)
class OfferPrice:
    """One offer priced for scoring. `usd` = `amount` × `rate`, never rounded."""

    offer_id: int
    vendor_id: int
    category: str
    unit: str
    quality: float
    amount: float  # the rate card's price per unit, in `currency`
    currency: str
    rate: float  # US dollars per unit of `currency` (1 for USD)
    rate_date: date  # the rate's own date (for USD, `priced_on`)
    priced_on: date  # the day of the calculation
    usd: float  # US dollars per unit
    lowest_usd: float | None = None  # lowest USD price of the category and unit, all offers

    def as_dict(self) -> dict[str, Any]:
        """The plain fields, for a page or a JSON answer."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def pricing_day() -> date:
    """The day of the calculation when no caller states one: today."""
    return date.today()


def usd_rates(currencies: set[str], on: date) -> dict[str, tuple[float, date]]:
    """Per currency: (USD per unit, the rate's date) in force on `on`; a currency without any
    rate is left out. The one conversion rule, for every caller."""
    rates = {}
    for currency in currencies:
        try:
            conversion = reference().fx.to_usd(1.0, currency, on)
        except LookupError:
            continue
        rates[currency] = (conversion.rate, conversion.rate_date)
    return rates


def left_out_reason(
    price: float, currency: str, rates: dict[str, tuple[float, date]]
) -> str | None:
    """Why an offer at `price` in `currency` cannot be compared or bought (`rates` from
    `usd_rates`), or None when it can: priced at 0, in a currency without a rate, or outside
    MIN_PRICE_USD–MAX_PRICE_USD after conversion (an old row, or a rate corrected since it was
    entered). Scoring and the scenarios' problem documents leave such an offer out alike."""
    if price <= 0:
        return "priced at 0, which no price compares with"
    if currency not in rates:
        return (
            f"priced in {currency}, which has no exchange rate to US dollars: the "
            "platform operator can add one"
        )
    usd = price * rates[currency][0]
    if usd < MIN_PRICE_USD:
        return (
            f"priced at {usd:.2g} US dollars after conversion, below the minimum of "
            f"{MIN_PRICE_USD} that prices are compared from"
        )
    if usd > MAX_PRICE_USD:
        return (
            f"priced at {usd:,.0f} US dollars after conversion, above the most any price may be "
            f"({MAX_PRICE_USD:,.0f})"
        )
    return None


def priced_offers(category: str | None = None, on: date | None = None) -> list[OfferPrice]:
    """Every active offer (of `category`, or of every category) that `left_out_reason` keeps,
    priced in US dollars on `on` (default: today), in offer id order."""
    on = on or pricing_day()
    statement = (
        select(
            Offer.id,
            Offer.vendor_id,
            Offer.service_category,
            Offer.unit,
            Offer.quality,
            Offer.price,
            Offer.currency,
        )
        .where(Offer.active, Offer.price > 0)
        .order_by(Offer.id)
    )
    if category is not None:
        statement = statement.where(Offer.service_category == category)
    rows = db.session.execute(statement).all()
    rates = usd_rates({row.currency for row in rows}, on)
    return [
        OfferPrice(
            offer_id=row.id,
            vendor_id=row.vendor_id,
            category=row.service_category,
            unit=row.unit,
            quality=row.quality,
            amount=float(row.price),
            currency=row.currency,
            rate=rates[row.currency][0],
            rate_date=rates[row.currency][1],
            priced_on=on,
            usd=float(row.price) * rates[row.currency][0],
        )
        for row in rows
        if left_out_reason(float(row.price), row.currency, rates) is None
    ]


def best_offers(category: str | None = None, on: date | None = None) -> dict[int, OfferPrice]:
    """Vendor id -> the offer it is scored on (see the module docstring), with `lowest_usd`."""
    offers = priced_offers(category, on)
    if not offers:
        return {}
    frame = pd.DataFrame(
        {
            "vendor_id": [o.vendor_id for o in offers],
            "category": [o.category for o in offers],
            "unit": [o.unit for o in offers],
            "price": [o.usd for o in offers],
            "quality": [o.quality for o in offers],
            "position": range(len(offers)),
        }
    )
    chosen = scoring.best_offers(frame)
    return {
        int(vendor_id): _with_lowest(offers[int(position)], float(lowest))
        for vendor_id, position, lowest in zip(
            chosen["vendor_id"], chosen["position"], chosen["lowest_price"], strict=True
        )
    }


def _with_lowest(offer: OfferPrice, lowest: float) -> OfferPrice:
    return OfferPrice(**{**offer.as_dict(), "lowest_usd": lowest})
