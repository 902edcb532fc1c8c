"""The one adapter from the database to the scoring package's vendor table.

Each vendor is scored on its latest reporting period, using the newest version of that period
that is submitted or verified (drafts and rejected versions are never scored). A version a
buyer verified counts every evidence section at least as `buyer_verified`. With a category,
the vendor's offer in that category gives price and quality; otherwise its first active offer.
Prices are compared in US dollars at the rate of the period's last day.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import scoring
from procure.disclosures.models import EVIDENCE_LEVELS, Disclosure
from procure.disclosures.tables import flat_row
from procure.extensions import db
from procure.reference import reference
from procure.vendors.models import Vendor
from scoring.contract import REQUIRED_COLUMNS

SCORED_STATES = ("submitted", "verified")


@dataclass(frozen=True)
class ScoringInput:
    table: pd.DataFrame | None  # the scoring contract's columns, one row per vendor; None when empty
    disclosures: dict[int, Disclosure]  # vendor id -> the version scored
    vendors: dict[int, Vendor]


def scored_versions(period_end: date | None = None) -> dict[int, Disclosure]:
    """Per vendor: the newest submitted or verified version of its latest period with one (or of
    the period ending on `period_end`)."""
    chosen: dict[int, Disclosure] = {}
    statement = select(Disclosure).where(Disclosure.state.in_(SCORED_STATES)).options(
        selectinload(Disclosure.vendor).selectinload(Vendor.offers))  # 3 queries, not 2 per vendor
    if period_end is not None:
        statement = statement.where(Disclosure.period_end == period_end)
    rows = db.session.scalars(
        statement.order_by(Disclosure.vendor_id, Disclosure.period_end, Disclosure.number)
    ).all()
    for disclosure in rows:
        chosen[disclosure.vendor_id] = disclosure  # later periods and versions come last
    return chosen


def _row(disclosure: Disclosure, category: str | None) -> dict | None:
    row = flat_row(disclosure)
    offers = [o for o in disclosure.vendor.offers if o.active and (category is None or o.service_category == category)]
    if not offers:
        return None
    offer = offers[0]
    row.update(category=offer.service_category, quality=offer.quality,
               price=round(reference().fx.to_usd(float(offer.price), offer.currency,
                                                 disclosure.period_end).usd_amount, 4))
    if disclosure.state == "verified":
        floor = EVIDENCE_LEVELS.index("buyer_verified")
        for section in ("workforce", "wages", "training"):
            level = row.get(f"evidence_{section}")
            if level is None or EVIDENCE_LEVELS.index(level) < floor:
                row[f"evidence_{section}"] = "buyer_verified"
    return {column: row.get(column) for column in REQUIRED_COLUMNS}


def scoring_input(category: str | None = None, overrides: dict[int, dict] | None = None,
                  period_end: date | None = None) -> ScoringInput:
    """The vendor table for scoring, optionally for one service category or one period.

    `overrides` replaces figures of some vendors (vendor id -> column -> value): the what-if box.
    """
    versions = scored_versions(period_end)
    rows, used = [], {}
    for vendor_id, disclosure in versions.items():
        row = _row(disclosure, category)
        if row is None:
            continue
        row.update((overrides or {}).get(vendor_id, {}))
        rows.append(row)
        used[vendor_id] = disclosure
    # Through CSV text and the same reader as `procure score`, so the pages, the API and the
    # command score an export identically.
    text = pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS)).to_csv(index=False)
    table = scoring.read_vendor_table(io.StringIO(text)) if rows else None
    return ScoringInput(table, used, {vid: d.vendor for vid, d in used.items()})
