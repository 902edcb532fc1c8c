"""The model's columns while it is built: an x per eligible offer with its data (price,
impact, quality, hours per unit, bound), then the totals S, I, e, M, H, W and the binaries y.
See `optimizer.model` for the formulation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.problem import BoolArray, FloatArray, IntArray, Problem

INF = float("inf")

BOUND_NONE, BOUND_OFFER_CAPACITY, BOUND_VENDOR_SHARE = 0, 1, 2
"""What sets an x column's upper bound (`AllocationModel.x_bound_kind`)."""

MIN_NAME_DIGITS = 5
"""Need and vendor positions in column and row names are zero-padded to at least this many
digits (more from 100,000 needs or vendors on), so that names sort in position order."""


def pair_suffix(need: int, vendor: int, rank: int, width: int) -> str:
    """`_nNNNNN_vVVVVV` (and `_oK` for a vendor's K+1-th offer for one need): the part of a
    column or row name that says which offer it is about."""
    # str.zfill pads as the format `0{width}d` does, at half its cost (names of every row
    # and bound in a result)
    suffix = "_n" + str(need).zfill(width) + "_v" + str(vendor).zfill(width)
    return f"{suffix}_o{rank}" if rank else suffix


def _readonly(*arrays: npt.NDArray[Any]) -> None:
    for array in arrays:
        array.flags.writeable = False


@dataclass(frozen=True)
class Columns:
    """The model's columns while it is built, with the data of each x column.

    x columns 0 … n_x−1 are the eligible offers in (need id, vendor id) order; then S, I, e,
    M (only with a max_vendor_spend_share target) and the binaries y."""

    x_offer: IntArray
    x_need: IntArray
    x_vendor: IntArray
    x_price: FloatArray
    """$ per unit."""
    x_adjusted_price: FloatArray
    """$ per unit as the optimization counts it: the price with the bid adjustments of its
    vendor (version 2, `targets.adjustments`); the price itself without any."""
    x_impact: FloatArray
    """The vendor's impact score, 0–100 points."""
    x_quality: FloatArray
    """The offer's quality, 0–1 (the vendor's where the offer has none)."""
    x_hours: FloatArray
    """Labour hours per unit (1 in version 1)."""
    x_worker_share: FloatArray
    """The vendor's impact-worker share, 0–1 (0 where not disclosed)."""
    x_rank: IntArray
    """Position among the vendor's offers for the same need (0: the first)."""
    x_upper: FloatArray
    """Upper bound in units (inf: none)."""
    x_bound_kind: IntArray
    min_order: FloatArray
    """Units; 0 where the offer has none."""
    col_spend: int
    col_impact: int
    col_shortfall: int
    col_max_spend: int | None
    col_hours: int | None
    col_worker_hours: int | None
    col_worker_shortfall: int | None
    col_adjusted_spend: int | None
    """Version 2 with bid adjustments: A, $, the adjusted spend that min_cost minimises."""
    y_x: IntArray
    """The x column of each binary (for a vendor's binary, its first offer for the need)."""
    y_offers: IntArray
    """How many x columns each binary switches: 1 for an offer's binary, the vendor's
    eligible offers for the need (columns y_x … y_x + y_offers − 1) for a vendor's binary."""
    y_vendor: BoolArray
    """True where the binary says "the vendor gets volume on the need", on a need with
    max_vendors (which counts them) or a min_award (whose row holds them): a vendor's binary,
    or the binary of a vendor's only offer there."""
    y_cols: IntArray
    num_col: int
    width: int
    """Digits of the need and vendor positions in names."""
    by_vendor: IntArray
    """x columns sorted by vendor; vendor i's are by_vendor[vendor_start[i]:vendor_start[i+1]]."""
    vendor_start: IntArray

    @property
    def n_x(self) -> int:
        return int(self.x_offer.size)

    def of_vendor(self, i: int) -> IntArray:
        """The x columns of vendor position i, in (need id) order."""
        return self.by_vendor[self.vendor_start[i] : self.vendor_start[i + 1]]


def _need_array(problem: Problem, name: str) -> FloatArray:
    return np.array([getattr(need, name) for need in problem.needs], dtype=float)


def _vendor_capacity(problem: Problem) -> FloatArray:
    """Units per vendor; inf where unlimited."""
    return np.array(
        [INF if vendor.capacity is None else vendor.capacity for vendor in problem.vendors],
        dtype=float,
    )


def vendor_rule_needs(problem: Problem) -> BoolArray:
    """Per need: True where a rule is about each vendor's offers for it together, so each
    vendor there gets one binary "gets volume on the need": max_vendors, or a min_award above
    0 (version 2)."""
    return np.array(
        [need.max_vendors is not None or (need.min_award or 0.0) > 0 for need in problem.needs],
        dtype=bool,
    )


def _max_vendors(problem: Problem) -> IntArray:
    """max_vendors per need; -1 where not set."""
    return np.array(
        [-1 if need.max_vendors is None else need.max_vendors for need in problem.needs],
        dtype=np.int64,
    )


def x_upper_bounds(problem: Problem, x_offer: IntArray) -> tuple[FloatArray, IntArray]:
    """The upper bound of each x column (units) and what sets it (`BOUND_*`): the offer's
    capacity or the need's max_vendor_share × volume, whichever is lower. For a vendor's
    only offer on a need (every offer in version 1) the share bound is the vendor share rule;
    where a vendor has several offers for the need (version 2) it still holds for each and a
    `vendor_share_…` row (`optimizer.rows.add_vendor_share_constraints`) caps their sum."""
    offers = problem.offers
    volume = _need_array(problem, "volume")
    need_share = _need_array(problem, "max_vendor_share")
    x_need = offers.need[x_offer]
    share_cap = np.where(need_share[x_need] < 1.0, need_share[x_need] * volume[x_need], INF)
    offer_cap = np.nan_to_num(offers.capacity[x_offer], nan=INF)
    if problem.version == 2:  # offer caps are units per month of the need's period
        months = np.array([need.months or 1 for need in problem.needs], dtype=float)
        offer_cap = offer_cap * months[x_need]
    x_upper = np.minimum(offer_cap, share_cap)
    x_bound_kind = np.where(
        share_cap < offer_cap,
        BOUND_VENDOR_SHARE,
        np.where(np.isfinite(offer_cap), BOUND_OFFER_CAPACITY, BOUND_NONE),
    )
    return x_upper, x_bound_kind


def define_columns(problem: Problem) -> Columns:
    """The columns: an x per eligible offer (its quality, or else the vendor's, reaches the
    need's min_quality), S, I, e, M when needed, H and W in version 2, and the binaries
    (`_binaries`): one per offer with a minimum order and one per vendor on a need with
    max_vendors or a min_award."""
    needs, vendors, offers = problem.needs, problem.vendors, problem.offers
    min_quality = _need_array(problem, "min_quality")
    vendor_quality = np.array([vendor.quality for vendor in vendors], dtype=float)
    vendor_impact = np.array([vendor.impact_score for vendor in vendors], dtype=float)
    worker_share = np.array([vendor.impact_worker_share or 0.0 for vendor in vendors], dtype=float)
    offer_quality = np.where(
        np.isnan(offers.quality), vendor_quality[offers.vendor], offers.quality
    )
    eligible = offer_quality >= min_quality[offers.need]
    x_offer = np.flatnonzero(eligible)
    x_need, x_vendor = offers.need[x_offer], offers.vendor[x_offer]
    x_upper, x_bound_kind = x_upper_bounds(problem, x_offer)
    n_x = x_offer.size

    col_spend, col_impact, col_shortfall = n_x, n_x + 1, n_x + 2
    num_col = n_x + 3
    col_max_spend = None
    if problem.targets.max_vendor_spend_share is not None:
        col_max_spend = num_col
        num_col += 1
    col_hours = col_worker_hours = col_worker_shortfall = None
    if problem.version == 2:
        col_hours, col_worker_hours, col_worker_shortfall = num_col, num_col + 1, num_col + 2
        num_col += 3
    col_adjusted_spend = None
    if problem.award.adjustments:
        col_adjusted_spend = num_col
        num_col += 1

    min_order = np.nan_to_num(offers.min_order[x_offer], nan=0.0)
    x_rank = _ranks(x_need, x_vendor)
    y_x, y_offers, y_vendor = _binaries(x_rank, min_order, vendor_rule_needs(problem)[x_need])
    y_cols = num_col + np.arange(y_x.size)
    num_col += y_x.size

    by_vendor = np.argsort(x_vendor, kind="stable")
    return Columns(
        x_offer=x_offer,
        x_need=x_need,
        x_vendor=x_vendor,
        x_price=offers.price[x_offer],
        x_adjusted_price=adjusted_prices(problem, offers.price[x_offer], x_vendor),
        x_impact=vendor_impact[x_vendor],
        x_quality=offer_quality[x_offer],
        x_hours=offers.hours_per_unit[x_offer],
        x_worker_share=worker_share[x_vendor],
        x_rank=x_rank,
        x_upper=x_upper,
        x_bound_kind=x_bound_kind,
        min_order=min_order,
        col_spend=col_spend,
        col_impact=col_impact,
        col_shortfall=col_shortfall,
        col_max_spend=col_max_spend,
        col_hours=col_hours,
        col_worker_hours=col_worker_hours,
        col_worker_shortfall=col_worker_shortfall,
        col_adjusted_spend=col_adjusted_spend,
        y_x=y_x,
        y_offers=y_offers,
        y_vendor=y_vendor,
        y_cols=y_cols,
        num_col=num_col,
        width=max(MIN_NAME_DIGITS, len(str(max(len(needs), len(vendors))))),
        by_vendor=by_vendor,
        vendor_start=np.searchsorted(x_vendor[by_vendor], np.arange(len(vendors) + 1)),
    )


def adjusted_prices(problem: Problem, price: FloatArray, vendor: IntArray) -> FloatArray:
    """$ per unit of each offer (`price`, of vendor positions `vendor`) with the bid
    adjustments of its vendor: price × (1 + Σ percent / 100) + Σ per_unit, summed over the
    adjustments that name the vendor (directly or through a group)."""
    count = len(problem.vendors)
    percent, per_unit = np.zeros(count), np.zeros(count)
    for adjustment in problem.award.adjustments:
        members = np.asarray(adjustment.vendors, dtype=np.int64)
        np.add.at(percent, members, adjustment.percent)
        np.add.at(per_unit, members, adjustment.per_unit)
    adjusted: FloatArray = price * (1.0 + percent[vendor] / 100.0) + per_unit[vendor]
    return adjusted


def _ranks(x_need: IntArray, x_vendor: IntArray) -> IntArray:
    """Per x column (sorted by need, then vendor): how many columns of the same need and
    vendor come before it."""
    if not x_need.size:
        return np.zeros(0, np.int64)
    new_pair = np.ones(x_need.size, dtype=bool)
    new_pair[1:] = (x_need[1:] != x_need[:-1]) | (x_vendor[1:] != x_vendor[:-1])
    first = np.maximum.accumulate(np.where(new_pair, np.arange(x_need.size), 0))
    ranks: IntArray = np.arange(x_need.size) - first
    return ranks


def vendor_pairs(x_rank: IntArray) -> tuple[IntArray, IntArray]:
    """(first, size) per (need, vendor) pair with eligible offers, in x column order: the
    pair's first x column and how many it has (its columns are first … first + size − 1)."""
    first = np.flatnonzero(x_rank == 0)
    return first, np.diff(np.append(first, x_rank.size))


def _binaries(
    x_rank: IntArray, min_order: FloatArray, vendor_rule: BoolArray
) -> tuple[IntArray, IntArray, BoolArray]:
    """(y_x, y_offers, y_vendor) of the binaries, in x column order (a vendor's binary before
    the binary of its first offer): an offer's binary for every offer with a minimum order;
    for each vendor on a need with a `vendor_rule` (per x column: its need has max_vendors or
    a min_award), one binary for all its offers there, which is the offer's own binary where
    the vendor has a single offer for the need (always so in version 1, where these are
    exactly the binaries of before)."""
    _, pair_size = vendor_pairs(x_rank)
    size = np.repeat(pair_size, pair_size)  # per x column, its vendor's offers for the need
    single = size == 1
    offer_x = np.flatnonzero((min_order > 0) | (vendor_rule & single))
    vendor_x = np.flatnonzero(vendor_rule & (x_rank == 0) & ~single)
    y_x = np.concatenate([vendor_x, offer_x])
    y_offers = np.concatenate([size[vendor_x], np.ones(offer_x.size, np.int64)])
    y_vendor = np.concatenate(
        [np.ones(vendor_x.size, bool), vendor_rule[offer_x] & single[offer_x]]
    )
    order = np.lexsort((y_offers == 1, y_x))
    return y_x[order], y_offers[order], y_vendor[order]


def impact_vendors(problem: Problem) -> BoolArray:
    """Per vendor: impact_score ≥ targets.impact_vendor_min_score (all False when unset)."""
    min_score = problem.targets.impact_vendor_min_score
    if min_score is None:
        return np.zeros(len(problem.vendors), dtype=bool)
    vendor_impact = np.array([vendor.impact_score for vendor in problem.vendors], dtype=float)
    return vendor_impact >= min_score
