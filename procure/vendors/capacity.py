"""Capacity in force month by month, as the optimizer adapter reads it.

A vendor's capacity is labour hours per month, shared by all its work; an offer may also cap
its own volume in units per month. Each is a starting figure (None: not stated, so no limit)
and changes that hold from a given month onward, until the next change. A month is named by
the date of its first day.

The functions read only the loaded records: no query of their own. For many vendors, load
them with `capacity_loading()` (the relationships `Vendor.capacity_changes`, `Vendor.offers`
and `Offer.capacity_changes`, each by one SELECT ... IN), and the reads cost no round trip.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from procure.vendors.models import Offer, Vendor

FIRST_MONTH = date(2000, 1, 1)
LAST_MONTH = date(2100, 12, 1)


def capacity_loading() -> tuple[LoaderOption, ...]:
    """Loader options for `select(Vendor)`: the vendor's changes, its offers and theirs."""
    return (
        selectinload(Vendor.capacity_changes),
        selectinload(Vendor.offers).selectinload(Offer.capacity_changes),
    )


def month_text(month: date) -> str:
    """ "2026-03": a month as forms, documents and messages write it."""
    return f"{month:%Y-%m}"


def calendar_months(start: date, end: date) -> list[date]:
    """The months from the one holding `start` to the one holding `end`, both included, each
    as the date of its first day."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _in_force(
    start: float | None, changes: Iterable[tuple[date, float]], months: Sequence[date]
) -> list[float | None]:
    ordered = sorted(changes)
    starts = [month for month, _ in ordered]
    in_force = []
    for month in months:
        if month.day != 1:
            raise ValueError(f"{month} is not the first day of a month")
        index = bisect_right(starts, month)
        in_force.append(start if index == 0 else ordered[index - 1][1])
    return in_force


def vendor_hours_by_month(vendor: Vendor, months: Sequence[date]) -> list[float | None]:
    """The labour hours per month `vendor` has in each of `months` (first days), shared by all
    its offers and needs; None where it states none (no limit)."""
    return _in_force(
        vendor.capacity_hours_per_month,
        ((change.from_month, change.hours_per_month) for change in vendor.capacity_changes),
        months,
    )


def offer_units_by_month(offer: Offer, months: Sequence[date]) -> list[float | None]:
    """The units per month `offer` is capped at in each of `months` (first days); None where
    it has no cap of its own (only its vendor's hours limit it)."""
    return _in_force(
        offer.capacity_per_period,
        ((change.from_month, change.units_per_month) for change in offer.capacity_changes),
        months,
    )


def unstated_hours_reason(offer: Offer) -> str | None:
    """Why `offer` cannot be measured in labour hours, or None when it can: an item or task
    offer entered before hours per unit were asked for, which its vendor has not stated yet."""
    if offer.hours_per_unit is not None:
        return None
    return (
        f"priced per {offer.unit} without the labour hours one {offer.unit} takes: "
        "the vendor has not stated hours_per_unit on this offer"
    )
