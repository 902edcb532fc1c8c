"""The one adapter from the database to the scoring package's vendor table.

Each vendor is scored on its latest reporting period, using the newest submitted version of
that period that the reading buyer organization has not rejected (drafts are never scored). A
version that organization verified counts every evidence section at least as `buyer_verified`.
Reviews are each organization's own, so one buyer's review never moves another buyer's scores;
read with no organization (the vendor's own view, the trend snapshots), versions count as
disclosed: every submitted version, no review applied.

Each vendor is scored on one offer, priced by the one rule of procure.disclosures.pricing: in a
category, its offer with the best cost pillar against the lowest price of all active offers of
the category in the same unit; without a category, its best over all its categories. Price and
quality come from that offer. Prices are in US dollars at the latest rate in force on the day
of the calculation (`priced_on`, today by default), never rounded before use.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload, selectinload

import scoring
from procure.disclosures.models import EVIDENCE_LEVELS, Disclosure, DisclosureReview
from procure.disclosures.pricing import OfferPrice, best_offers
from procure.disclosures.tables import flat_row
from procure.extensions import db
from procure.states import DisclosureState, ReviewDecision
from procure.vendors.models import Vendor
from scoring.contract import EVIDENCE_COLUMNS, TABLE_COLUMNS


@dataclass(frozen=True)
class ScoringInput:
    table: (
        pd.DataFrame | None
    )  # the scoring contract's columns, one row per vendor; None when empty
    disclosures: dict[int, Disclosure]  # vendor id -> the version scored
    vendors: dict[int, Vendor]
    offers: dict[int, OfferPrice] = field(default_factory=dict)  # vendor id -> the offer scored


def scored_versions(
    organization_id: int | None, period_end: date | None = None
) -> dict[int, Disclosure]:
    """Per vendor: the newest submitted version of its latest period with one (or of the period
    ending on `period_end`) that the organization has not rejected.

    The newest is picked in SQL, so only the chosen versions are loaded (their figures are
    JSON: loading every version of every period to keep one per vendor was 3/4 of the time)."""
    newest_first = func.row_number().over(
        partition_by=Disclosure.vendor_id,
        order_by=(Disclosure.period_end.desc(), Disclosure.number.desc()),
    )
    candidates = select(Disclosure.id, newest_first.label("place")).where(
        Disclosure.state == DisclosureState.SUBMITTED
    )
    if organization_id is not None:
        candidates = candidates.where(
            ~Disclosure.in_state_for(ReviewDecision.REJECTED, organization_id)
        )
    if period_end is not None:
        candidates = candidates.where(Disclosure.period_end == period_end)
    ranked = candidates.subquery()
    statement = (
        select(Disclosure)
        .join(ranked, ranked.c.id == Disclosure.id)
        .where(ranked.c.place == 1)
        .order_by(Disclosure.vendor_id)
        .options(
            selectinload(Disclosure.vendor).selectinload(
                Vendor.offers
            ),  # 3 queries, not 2 a vendor
            lazyload(Disclosure.reviews),
        )
    )  # read on demand (scoring_input reads the verified ids)
    return {disclosure.vendor_id: disclosure for disclosure in db.session.scalars(statement)}


def _row(disclosure: Disclosure, offer: OfferPrice, verified: bool) -> dict:
    row = flat_row(disclosure, offer)
    if verified:
        floor = EVIDENCE_LEVELS.index("buyer_verified")
        for column in EVIDENCE_COLUMNS.values():
            level = row.get(column)
            if level is None or EVIDENCE_LEVELS.index(level) < floor:
                row[column] = "buyer_verified"
    return {column: row.get(column) for column in TABLE_COLUMNS}


def scoring_input(
    organization_id: int | None,
    category: str | None = None,
    overrides: dict[int, dict] | None = None,
    period_end: date | None = None,
    priced_on: date | None = None,
) -> ScoringInput:
    """The vendor table for scoring as the organization's reviews have it (None: as disclosed),
    optionally for one service category or one period, with offer prices converted on
    `priced_on` (default: today). A vendor without an active offer (in the category) is left out.

    `overrides` replaces figures of some vendors (vendor id -> column -> value): the what-if box.
    """
    versions = scored_versions(organization_id, period_end)
    offers = best_offers(category, priced_on)
    verified = (
        set(db.session.scalars(DisclosureReview.decided(organization_id, ReviewDecision.VERIFIED)))
        if organization_id is not None
        else set()
    )
    rows, used = [], {}
    for vendor_id, disclosure in versions.items():
        offer = offers.get(vendor_id)
        if offer is None:
            continue
        row = _row(disclosure, offer, disclosure.id in verified)
        row.update((overrides or {}).get(vendor_id, {}))
        rows.append(row)
        used[vendor_id] = disclosure
    # Through CSV text and the same reader as `procure score`, so the pages, the API and the
    # command score an export identically.
    text = pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).to_csv(index=False)
    table = scoring.read_vendor_table(io.StringIO(text)) if rows else None
    return ScoringInput(
        table,
        used,
        {vid: d.vendor for vid, d in used.items()},
        {vid: offers[vid] for vid in used},
    )
