"""Steps 4-6 of the pipeline: the cost and quality pillars, the knock-out and the ranking.

Ranking ties go to the lower vendor id, compared "naturally": ids are compared as text, but
runs of digits compare as numbers, so ``V2`` comes before ``V10`` and the int ``2`` before
``10``. Letters compare case-insensitively first (``a1`` < ``B1``), then exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.contract import (
    CATEGORY_COLUMN,
    LOWEST_PRICE_COLUMN,
    PAY_PERIOD_COLUMN,
    UNIT_COLUMN,
    WAGE_CURRENCY_COLUMN,
    WAGE_SITE_COLUMN,
)
from scoring.normalise import goalpost_scores

_DIGIT_RUNS = re.compile(r"(\d+)")

VendorIds = Sequence[object] | npt.NDArray[Any]
"""Vendor ids in table order: a sequence or a 1-d array (ints or text)."""


def lowest_prices(vendors: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Per vendor, the lowest price per unit it is compared with: the lowest price on the rows
    of its category and unit, or its row's ``lowest_price`` (which also counts offers that are
    on no row) when that is lower. Never above the vendor's own price. Rows without a unit
    form one group per category."""
    price = vendors["price"]
    group = [vendors[CATEGORY_COLUMN], vendors[UNIT_COLUMN]]
    on_rows = price.groupby(group, sort=False, dropna=False).transform("min")
    lowest: npt.NDArray[np.float64] = np.fmin(  # fmin: an empty lowest_price (NaN) is skipped
        on_rows.to_numpy(dtype=float), vendors[LOWEST_PRICE_COLUMN].to_numpy(dtype=float)
    )
    return lowest


def cost_pillar(vendors: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The lowest price per unit of the vendor's category and unit (:func:`lowest_prices`)
    divided by the vendor's price (0-1; 1 for the cheapest offer). Prices are > 0 in a
    checked table; no price is rounded here."""
    pillar: npt.NDArray[np.float64] = lowest_prices(vendors) / vendors["price"].to_numpy(
        dtype=float
    )
    return pillar


def quality_pillar(
    vendors: pd.DataFrame, goalposts: tuple[float, float]
) -> npt.NDArray[np.float64]:
    """``clip((quality - L) / (U - L), 0, 1)`` with the profile's quality goalposts (quality
    is on a 0-1 scale, e.g. accuracy); 0 when quality is not disclosed."""
    return goalpost_scores(vendors["quality"].to_numpy(dtype=float), *goalposts)


def minimum_wage_knockouts(
    vendors: pd.DataFrame,
) -> tuple[npt.NDArray[np.bool_], pd.Series[str]]:
    """Vendors whose entry-level wage is below the local minimum wage, and why.

    Both wages share the vendor's pay period, so they compare without converting to hours.
    A vendor that leaves either wage undisclosed is not knocked out by this rule. Returns a
    boolean array and a Series of reason strings ("" where not knocked out): both wages to
    the cent, after their currency code when the table gives it (``wage_currency``), and the
    site when the table says whose wages they are (``wage_site``): "entry-level wage KES 83.65
    per hour is below the local minimum wage KES 87.21 per hour at the site Nairobi".
    """
    entry = vendors["entry_level_wage"].to_numpy(dtype=float)
    minimum = vendors["local_minimum_wage"].to_numpy(dtype=float)
    knocked_out = entry < minimum
    reasons = np.full(len(vendors), "", dtype=object)
    periods = vendors[PAY_PERIOD_COLUMN].to_numpy(dtype=object)
    sites, currencies = (
        vendors[column].to_numpy(dtype=object)
        if column in vendors.columns
        else np.full(len(vendors), None, dtype=object)
        for column in (WAGE_SITE_COLUMN, WAGE_CURRENCY_COLUMN)
    )
    reasons[knocked_out] = [
        f"entry-level wage {_wage_amount(wage, currency)} per {period} is below the local "
        f"minimum wage {_wage_amount(floor, currency)} per {period}"
        + (f" at the site {site}" if site else "")
        for wage, floor, period, site, currency in zip(
            entry[knocked_out],
            minimum[knocked_out],
            periods[knocked_out],
            sites[knocked_out],
            currencies[knocked_out],
            strict=True,
        )
    ]
    return knocked_out, pd.Series(reasons, index=vendors.index)


def _wage_amount(amount: float, currency: object) -> str:
    """A wage in a reason: to the cent with thousands separators, after its currency code when
    known ("KES 83.65", "16,640.00")."""
    figure = f"{amount:,.2f}"
    return f"{currency} {figure}" if isinstance(currency, str) and currency else figure


def natural_key(vendor_id: object) -> tuple[list[str | int], str]:
    """Sort key for "natural" id order (see the module docstring)."""
    text = str(vendor_id)
    pieces = _DIGIT_RUNS.split(text)  # text, digits, text, ..., text
    parts: list[str | int] = [
        int(piece) if position % 2 else piece.casefold() for position, piece in enumerate(pieces)
    ]
    return (parts, text)


def natural_order(vendor_ids: VendorIds) -> npt.NDArray[np.int_]:
    """Positions of ``vendor_ids`` sorted naturally (an argsort)."""
    positions = sorted(range(len(vendor_ids)), key=lambda i: natural_key(vendor_ids[i]))
    return np.array(positions, dtype=int)


def rank_descending(values: npt.ArrayLike, vendor_ids: VendorIds) -> npt.NDArray[np.int_]:
    """1-based ranks of ``values`` from highest to lowest; equal values go to the lower
    vendor id. Only tied vendors are sorted by id, so large tables stay vectorised."""
    values = np.asarray(values, dtype=float)
    ids = np.asarray(vendor_ids, dtype=object)

    tie_break = np.zeros(len(values))
    tied = np.flatnonzero(pd.Series(values).duplicated(keep=False).to_numpy())
    if tied.size:
        tie_break[tied[natural_order(ids[tied])]] = np.arange(tied.size)
    order = np.lexsort((tie_break, -values))
    ranks = np.empty(len(values), dtype=int)
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks
