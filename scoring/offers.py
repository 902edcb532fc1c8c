"""Which offer a vendor is scored on, and the lowest price it is compared with.

A vendor may sell one service category in several units (per hour, per item) and at several
prices. Prices compare only within one category and unit, so each offer gets its own cost
pillar, lowest price of its category and unit (over *all* offers given) / its price, and the
vendor is scored on its offer with the best cost pillar; that offer's quality is the vendor's
quality. Ties go to the higher quality, then to the earlier offer.

Callers pass the offers that may be scored: every active offer of one category to score that
category, every active offer of every category for a ranking across categories (each vendor is
then scored where it compares best). The rows this returns are the offer columns of the vendor
table (:mod:`scoring.contract`), ``lowest_price`` included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.contract import CATEGORY_COLUMN, ID_COLUMN, LOWEST_PRICE_COLUMN, UNIT_COLUMN

OFFER_INPUT_COLUMNS = (ID_COLUMN, CATEGORY_COLUMN, UNIT_COLUMN, "price", "quality")


def best_offers(offers: pd.DataFrame) -> pd.DataFrame:
    """Each vendor's best offer among ``offers``, with the lowest price it is compared with.

    ``offers`` has one row per offer: ``vendor_id``, ``category``, ``unit``, ``price`` (per
    unit, > 0, in one currency for all rows) and ``quality`` (0-1; NaN = not stated), plus any
    other columns, which are carried along (an offer id, the original amount and currency, ...).

    Returns a new frame, one row per vendor in order of first appearance, with the columns of
    the vendor's best offer and ``lowest_price``: the lowest price of that offer's category and
    unit among all rows of ``offers``. Raises ValueError for a missing column or a price that
    is not a number above 0. ``offers`` is not modified.
    """
    missing = [column for column in OFFER_INPUT_COLUMNS if column not in offers.columns]
    if missing:
        raise ValueError(f"offers lack the columns {', '.join(missing)}")
    price = pd.to_numeric(offers["price"], errors="coerce").to_numpy(dtype=float)
    if not (price > 0).all():  # NaN compares False too
        raise ValueError("every offer needs a price above 0")
    result = offers.reset_index(drop=True)
    group = [result[CATEGORY_COLUMN], result[UNIT_COLUMN]]
    lowest = pd.Series(price).groupby(group, sort=False, dropna=False).transform("min")
    pillar = lowest.to_numpy(dtype=float) / price
    quality = pd.to_numeric(result["quality"], errors="coerce").to_numpy(dtype=float)
    position = np.arange(len(result))
    # best first within each vendor: higher pillar, then higher quality (unstated last), then
    # the earlier offer
    order = np.lexsort((position, -np.nan_to_num(quality, nan=-1.0), -pillar))
    vendor = result[ID_COLUMN].to_numpy(dtype=object)[order]
    chosen = order[~pd.Series(vendor).duplicated().to_numpy()]
    appearance, _ = pd.factorize(result[ID_COLUMN])  # vendors numbered by first appearance
    chosen = chosen[np.argsort(appearance[chosen])]
    best = result.iloc[chosen].reset_index(drop=True)
    best[LOWEST_PRICE_COLUMN] = lowest.to_numpy(dtype=float)[chosen]
    return best
