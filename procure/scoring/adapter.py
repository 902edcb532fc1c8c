"""The one adapter from the database to the scoring package's vendor table.

Each vendor is scored on its latest reporting period, using the newest submitted version of
that period that the reading buyer organization has not rejected (drafts are never scored).
Each evidence section scores with its effective level for that organization, never the level
the vendor claims (procure.disclosures.evidence_levels): self_reported without a file,
self_reported_documented with one, buyer_verified where the organization verified the section
(one level lower once the profile's `evidence_age_months` have passed since the period's end).
Reviews are each organization's own, so one buyer's review never moves another buyer's scores;
read with no organization, or by the vendor itself (the vendor's own view, the trend
snapshots), every submitted version counts, with the levels its files give.

Each vendor is scored on one offer, priced by the one rule of procure.disclosures.pricing: in a
category, its offer with the best cost pillar against the lowest price of all active offers of
the category in the same unit; without a category, its best over all its categories. Price and
quality come from that offer. Prices are in US dollars at the latest rate in force on the day
of the calculation (`priced_on`, today by default), never rounded before use.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Integer, Select, func, literal, select, union_all
from sqlalchemy.orm import lazyload, selectinload

import scoring
from procure.disclosures.evidence_levels import EffectiveLevel
from procure.disclosures.models import Disclosure
from procure.disclosures.pricing import OfferPrice, best_offers, pricing_day
from procure.disclosures.reviews import section_levels
from procure.disclosures.tables import flat_row
from procure.extensions import db
from procure.scoring_defaults import default_profile
from procure.states import DisclosureState, ReviewDecision
from procure.vendors.models import Vendor
from scoring.catalog import Catalog
from scoring.contract import BUYER_COLUMNS, GROUP_COLUMNS, TABLE_COLUMNS

# The scoring table's columns: the contract's, and the impact workers by beneficiary group (optional
# in a `procure score` CSV; always given here, empty where the vendor did not state a group).
APP_TABLE_COLUMNS = (*TABLE_COLUMNS, *GROUP_COLUMNS)

# The buyer's own figures of a vendor (scoring.contract.BUYER_COLUMNS: delivery reliability),
# by column: a reader (organization id, vendor ids) -> value by vendor id, absent where unknown.
# They come from areas above this one (procure.deliveries), so those register their reader here
# (procure.app does, at start) rather than this module importing them.
BuyerFigureReader = Callable[[int, Collection[int]], Mapping[int, float]]
_buyer_figure_readers: dict[str, BuyerFigureReader] = {}


def read_buyer_figure(column: str, reader: BuyerFigureReader) -> None:
    """Fill `column` (one of scoring.contract.BUYER_COLUMNS) of a buyer organization's vendor
    table with `reader`. Registering a column again replaces its reader."""
    if column not in BUYER_COLUMNS:
        raise ValueError(f"{column!r} is not a buyer column of the scoring contract")
    _buyer_figure_readers[column] = reader


def buyer_columns_read(metrics: Catalog) -> frozenset[str]:
    """The buyer's own figures (scoring.contract.BUYER_COLUMNS) some metric of `metrics` reads:
    the only ones worth reading for a table scored with it."""
    return frozenset(
        field for metric in metrics for field in metric.formula.fields if field in BUYER_COLUMNS
    )


def buyer_figures(
    organization_id: int | None,
    vendor_ids: Collection[int],
    columns: Collection[str] = BUYER_COLUMNS,
) -> dict[int, dict]:
    """The buyer's own figures of these vendors, by vendor id then column, of `columns` only
    (a reader's queries run only for a column some metric reads; none read with no
    organization: the vendor's own view and the as-disclosed snapshots have no buyer)."""
    figures: dict[int, dict] = {}
    if organization_id is None or not vendor_ids:
        return figures
    for column, reader in _buyer_figure_readers.items():
        if column not in columns:
            continue
        for vendor_id, value in reader(organization_id, vendor_ids).items():
            figures.setdefault(vendor_id, {})[column] = value
    return figures


@dataclass(frozen=True)
class ScoringInput:
    table: (
        pd.DataFrame | None
    )  # the scoring contract's columns, one row per vendor; None when empty
    disclosures: dict[int, Disclosure]  # vendor id -> the version scored
    vendors: dict[int, Vendor]
    offers: dict[int, OfferPrice] = field(default_factory=dict)  # vendor id -> the offer scored
    # vendor id -> section -> the effective evidence level scored, and why
    evidence: dict[int, dict[str, EffectiveLevel]] = field(default_factory=dict)


def scored_versions(
    organization_id: int | None, period_end: date | None = None
) -> dict[int, Disclosure]:
    """Per vendor: the newest submitted version of its latest period with one (or of the period
    ending on `period_end`) that the organization has not rejected.

    The newest is picked in SQL, so only the chosen versions are loaded (their figures are
    JSON: loading every version of every period to keep one per vendor was 3/4 of the time)."""
    candidates = _ranked_versions(
        organization_id,
        partition_by=(Disclosure.vendor_id,),
        order_by=(Disclosure.period_end.desc(), Disclosure.number.desc()),
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
    )  # read on demand (scoring_input reads the section reviews of all versions at once)
    return {disclosure.vendor_id: disclosure for disclosure in db.session.scalars(statement)}


def _ranked_versions(organization_id: int | None, partition_by, order_by) -> Select:
    """SQL: the submitted versions the organization has not rejected (every submitted version
    with no organization), each with its `place` in its partition by `order_by` (1 = first)."""
    place = func.row_number().over(partition_by=partition_by, order_by=order_by)
    candidates = select(Disclosure.id, place.label("place")).where(
        Disclosure.state == DisclosureState.SUBMITTED
    )
    if organization_id is not None:
        candidates = candidates.where(
            ~Disclosure.in_state_for(ReviewDecision.REJECTED, organization_id)
        )
    return candidates


def period_versions(
    organization_id: int | None, vendor_ids: Collection[int]
) -> dict[int, list[Disclosure]]:
    """Per vendor (of `vendor_ids`): the version of each of its periods that `scored_versions`
    would pick for that period (the newest submitted one the organization has not rejected),
    oldest period first. Deliveries read the share of the period that covers their month."""
    return period_versions_of_many({organization_id: vendor_ids}).get(organization_id, {})


def period_versions_of_many(
    wanted: Mapping[int | None, Collection[int]],
) -> dict[int | None, dict[int, list[Disclosure]]]:
    """`period_versions` for each organization of `wanted` (organization id -> vendor ids), by
    organization id, in one query whatever their number (a coalition's members' plans): each
    organization's pick is its own, as its reviews have it; a version several pick is loaded
    once."""
    picks = [
        _ranked_versions(
            organization_id,
            partition_by=(Disclosure.vendor_id, Disclosure.period_start, Disclosure.period_end),
            order_by=(Disclosure.number.desc(),),
        )
        .add_columns(literal(organization_id, Integer).label("organization_id"))
        .where(Disclosure.vendor_id.in_(list(vendor_ids)))
        for organization_id, vendor_ids in wanted.items()
        if vendor_ids
    ]
    if not picks:
        return {}
    ranked = (picks[0] if len(picks) == 1 else union_all(*picks)).subquery()
    statement = (
        select(Disclosure, ranked.c.organization_id)
        .join(ranked, ranked.c.id == Disclosure.id)
        .where(ranked.c.place == 1)
        .order_by(Disclosure.vendor_id, Disclosure.period_end, Disclosure.period_start)
        .options(lazyload(Disclosure.reviews))
    )
    versions: dict[int | None, dict[int, list[Disclosure]]] = {}
    for disclosure, organization_id in db.session.execute(statement):
        by_vendor = versions.setdefault(organization_id, {})
        by_vendor.setdefault(disclosure.vendor_id, []).append(disclosure)
    return versions


def _row(disclosure: Disclosure, offer: OfferPrice, levels: dict[str, EffectiveLevel]) -> dict:
    row = flat_row(disclosure, offer, levels)  # the effective levels, never the claims
    return {column: row.get(column) for column in APP_TABLE_COLUMNS}


def scoring_input(
    organization_id: int | None,
    category: str | None = None,
    overrides: dict[int, dict] | None = None,
    period_end: date | None = None,
    priced_on: date | None = None,
    *,
    evidence_age_months: int | None = None,
    bid_prices: Mapping[int, OfferPrice] | None = None,
    buyer_columns: Collection[str] = BUYER_COLUMNS,
) -> ScoringInput:
    """The vendor table for scoring as the organization's reviews have it (None: as disclosed),
    optionally for one service category or one period, with offer prices converted and evidence
    aged on `priced_on` (default: today), verifications counting one level lower
    `evidence_age_months` after the period's end (default: the default profile's). A vendor
    without an active offer (in the category) is left out.

    `overrides` replaces figures of some vendors (vendor id -> column -> value): the what-if box.
    `bid_prices` (vendor id -> a price of its bid, priced by the same rule) scores a sourcing
    event's bidder that has no active offer on its bid instead: its impact score and knock-out
    read its disclosure alone, never a price, so they are what a rate card would give.
    `buyer_columns`: the buyer's own figures to read (default all; `buyer_columns_read` gives
    those a catalog's formulas read), the others left empty.
    """
    versions = scored_versions(organization_id, period_end)
    offers = {**(bid_prices or {}), **best_offers(category, priced_on)}
    scored = [d for vendor_id, d in versions.items() if vendor_id in offers]
    levels = section_levels(  # two queries for all versions: files, and the organization's reviews
        scored,
        organization_id,
        age_months=evidence_age_months or default_profile().evidence_age_months,
        on=priced_on or pricing_day(),
    )
    own = buyer_figures(organization_id, [d.vendor_id for d in scored], buyer_columns)
    rows, used = [], {}
    for disclosure in scored:
        vendor_id = disclosure.vendor_id
        row = _row(disclosure, offers[vendor_id], levels[disclosure.id])
        row.update(own.get(vendor_id, {}))
        row.update((overrides or {}).get(vendor_id, {}))
        rows.append(row)
        used[vendor_id] = disclosure
    # Through CSV text and the same reader as `procure score`, so the pages, the API and the
    # command score an export identically.
    text = pd.DataFrame(rows, columns=list(APP_TABLE_COLUMNS)).to_csv(index=False)
    table = scoring.read_vendor_table(io.StringIO(text)) if rows else None
    return ScoringInput(
        table,
        used,
        {vid: d.vendor for vid, d in used.items()},
        {vid: offers[vid] for vid in used},
        {vid: levels[d.id] for vid, d in used.items()},
    )
