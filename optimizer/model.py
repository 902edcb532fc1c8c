"""Build the allocation model: one formulation, two exports.

The formulation (DESIGN §5, reference/optimizer.md §2) is assembled once as a
`LinearProgram` of numpy arrays in compressed-row form with named rows. From it:

* `to_pulp(model, cost)` writes the official PuLP model: `prob.add_variable` for every column
  and one `LpConstraint(LpAffineExpression((variable, coefficient) pairs), ...)` per row. The
  CBC solver runs on it, and an exported LP/MPS file comes from it.
* `solve.HighsSolver` passes the same arrays to HiGHS in one `passModel` call.

Going from arrays to HiGHS directly, instead of building the PuLP model and converting it,
is a measured choice: at 250,000 columns the PuLP build plus conversion took longer than the
HiGHS solve itself (bench/bench_optimizer.py prints both). A test checks that the PuLP model
converted back to arrays is exactly this `LinearProgram`.

Columns, in this order:

* `x_nNNNNN_vVVVVV` – volume (units) given to vendor V for need N; one per eligible offer, in
  (need id, vendor id) order; bounds 0 ≤ x ≤ min(offer capacity, max_vendor_share × volume);
* `total_spend` – S, $; `total_impact` – I, impact points × units;
* `impact_shortfall` – e, impact points × units, in the min_avg_impact row; fixed at 0 except
  while the frontier looks for the highest reachable impact (min S + big·e, a dual-simplex
  friendly way to get there from the cheapest plan);
* `max_vendor_spend` – M, $, only with a max_vendor_spend_share target;
* `y_nNNNNN_vVVVVV` – binary "offer used", only for min_order / max_vendors.

Rows (x summed over the offers named):

* `demand_nNNNNN`: Σ x = volume;  `capacity_vVVVVV`: Σ x ≤ vendor capacity;
* `spend_total`: Σ price·x − S = 0;  `impact_total`: Σ impact_score·x − I = 0;
* `budget`: S ≤ budget;  `min_avg_impact`: I + e ≥ target × Σ volume (both always present, free
  when the target is null, so that explanation and frontier solves only move bounds);
* `min_avg_quality`: Σ quality·x ≥ target × Σ volume;
* `min_impact_spend_share`: Σ price·x over impact vendors − share × S ≥ 0;
* `vendor_spend_vVVVVV`: Σ price·x − M ≤ 0;  `max_vendor_spend_share`: M − share × S ≤ 0;
* `min_order_…`: x − min_order·y ≥ 0;  `use_…`: x − upper·y ≤ 0;  `max_vendors_nNNNNN`: Σ y ≤ k.

An impact vendor is one whose impact_score ≥ targets.impact_vendor_min_score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pulp

from optimizer.fields import month_text
from optimizer.problem import BoolArray, FloatArray, IntArray, Problem

INF = float("inf")

BOUND_NONE, BOUND_OFFER_CAPACITY, BOUND_VENDOR_SHARE = 0, 1, 2
"""What sets an x column's upper bound (`AllocationModel.x_bound_kind`)."""

MIN_NAME_DIGITS = 5
"""Need and vendor positions in column and row names are zero-padded to at least this many
digits (more from 100,000 needs or vendors on), so that names sort in position order."""

AT_UPPER_TOLERANCE = 1e-9
"""Default of `AllocationModel.x_at_upper`: how close (relative to max(1, bound)) an x value
must be to its upper bound to count as at it."""

TARGET_ROWS = (
    "budget",
    "min_avg_impact",
    "min_avg_quality",
    "min_impact_spend_share",
    "max_vendor_spend_share",
    "min_impact_worker_hours",
)
"""Portfolio targets in the order they are explained; each is the name of its row."""
NEED_TARGET_ROWS = ("need_avg_impact", "need_avg_quality", "need_impact_spend_share")
"""Version 2: the kinds of a need's own target rows (named `<kind>_nNNNNN`)."""

Int32Array = npt.NDArray[np.int32]


@dataclass(frozen=True)
class LinearProgram:
    """An LP/MIP in compressed-row form: rows `row_lower ≤ A x ≤ row_upper`, columns
    `col_lower ≤ x ≤ col_upper`, `integer[k]` for integer columns. No objective: each solve
    stage supplies its own cost vector (always minimised)."""

    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    row_lower: FloatArray
    row_upper: FloatArray
    start: Int32Array
    index: Int32Array
    value: FloatArray

    @property
    def num_col(self) -> int:
        return int(self.col_lower.size)

    @property
    def num_row(self) -> int:
        return int(self.row_lower.size)

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def row_activity(self, x: FloatArray) -> FloatArray:
        """A x for a full column vector x."""
        return self._row_sums(self.value * x[self.index])

    def row_magnitude(self, x: FloatArray) -> FloatArray:
        """|A| |x|: the size of each row's terms, which sets the rounding error of A x."""
        return self._row_sums(np.abs(self.value * x[self.index]))

    def _row_sums(self, products: FloatArray) -> FloatArray:
        if products.size == 0:
            return np.zeros(self.num_row)
        sums: FloatArray = np.add.reduceat(products, np.minimum(self.start[:-1], products.size - 1))
        return np.where(np.diff(self.start) > 0, sums, 0.0)


@dataclass(frozen=True)
class AllocationModel:
    """The built model with the maps needed to read a solution back in business terms.

    x columns are 0 … n_x−1; `x_offer[k]` is the offer (position in `problem.offers`) of
    column k, `x_need` / `x_vendor` its need and vendor positions."""

    problem: Problem
    lp: LinearProgram
    row_names: tuple[str, ...]
    row_kind: tuple[str, ...]
    row_need: IntArray
    row_vendor: IntArray
    row_x: IntArray
    row_month: IntArray
    """Version 2 capacity rows: the month number (see optimizer.fields.month_number); else -1."""
    x_offer: IntArray
    x_need: IntArray
    x_vendor: IntArray
    x_price: FloatArray
    x_impact: FloatArray
    x_quality: FloatArray
    x_bound_kind: IntArray
    x_hours: FloatArray
    """Labour hours per unit of each x column (1 in version 1)."""
    x_worker_share: FloatArray
    """The vendor's impact-worker share of each x column (0 where not disclosed)."""
    x_rank: IntArray
    """Position of the offer among its vendor's offers for the same need (0: the first)."""
    col_spend: int
    col_impact: int
    col_shortfall: int
    col_max_spend: int | None
    col_hours: int | None
    """Version 2: H, total labour hours."""
    col_worker_hours: int | None
    """Version 2: W, total impact-worker hours."""
    y_cols: IntArray
    y_x: IntArray
    impact_vendor: BoolArray
    total_volume: float
    width: int
    row_index: dict[str, int] = field(repr=False)

    @property
    def n_x(self) -> int:
        return int(self.x_offer.size)

    @property
    def version(self) -> int:
        return self.problem.version

    def x_name(self, k: int) -> str:
        """Name of x column k: x_n<need position>_v<vendor position>, zero-padded, with
        _o<rank> for a vendor's second and later offer for one need (version 2)."""
        return "x" + pair_suffix(
            int(self.x_need[k]), int(self.x_vendor[k]), int(self.x_rank[k]), self.width
        )

    def column_names(self) -> list[str]:
        """Stable, zero-padded column names (what PuLP and LP files show)."""
        w = self.width
        names = [
            "x" + pair_suffix(n, v, o, w)
            for n, v, o in zip(
                self.x_need.tolist(), self.x_vendor.tolist(), self.x_rank.tolist(), strict=True
            )
        ]
        names += ["total_spend", "total_impact", "impact_shortfall"]
        if self.col_max_spend is not None:
            names.append("max_vendor_spend")
        if self.col_hours is not None:
            names.append("total_hours")
        if self.col_worker_hours is not None:
            names.append("impact_worker_hours")
        names += ["y" + names[k][1:] for k in self.y_x.tolist()]
        return names

    def x_at_upper(self, x: FloatArray, tolerance: float = AT_UPPER_TOLERANCE) -> BoolArray:
        """Mask of x columns at a finite upper bound (within `tolerance`, relative)."""
        upper = self.lp.col_upper[: self.n_x]
        finite = np.isfinite(upper)
        mask = np.zeros(self.n_x, dtype=bool)
        mask[finite] = x[: self.n_x][finite] >= upper[finite] - tolerance * np.maximum(
            1.0, upper[finite]
        )
        return mask

    def hours(self, x: FloatArray) -> float:
        """Labour hours of the plan x: Σ hours_per_unit × x (the total volume in version 1,
        where every unit counts as one)."""
        if self.col_hours is None:
            return self.total_volume
        return float(x[: self.n_x] @ self.x_hours)

    def need_hours(self, x: FloatArray, j: int) -> float:
        """Labour hours of the plan x on need position j."""
        members = self.x_need == j
        return float(x[: self.n_x][members] @ self.x_hours[members])

    def target_active(self, name: str) -> bool:
        """True when the document sets this target (its row is not free)."""
        row = self.row_index.get(name)
        if row is None:
            return False
        return bool(np.isfinite(self.lp.row_lower[row]) or np.isfinite(self.lp.row_upper[row]))


class _Rows:
    """Accumulates rows as (columns, coefficients) arrays plus names and business keys."""

    def __init__(self) -> None:
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.counts: list[IntArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.names: list[str] = []
        self.kinds: list[str] = []
        self.need: list[IntArray] = []
        self.vendor: list[IntArray] = []
        self.x: list[IntArray] = []
        self.month: list[IntArray] = []

    def add(
        self,
        name: str,
        kind: str,
        cols: npt.ArrayLike,
        vals: npt.ArrayLike,
        lower: float,
        upper: float,
        need: int = -1,
        vendor: int = -1,
        month: int = -1,
    ) -> None:
        """One row `lower ≤ Σ vals·x[cols] ≤ upper` about one need, vendor or month (-1:
        none)."""
        cols = np.asarray(cols, dtype=np.int64)
        self.add_many(
            [name],
            kind,
            np.array([cols.size]),
            cols,
            np.asarray(vals, dtype=float),
            np.array([lower]),
            np.array([upper]),
            np.array([need]),
            np.array([vendor]),
            np.array([-1]),
            np.array([month]),
        )

    def add_many(
        self,
        names: list[str],
        kind: str,
        counts: npt.ArrayLike,
        cols: IntArray,
        vals: FloatArray,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        need: npt.ArrayLike,
        vendor: npt.ArrayLike,
        x: npt.ArrayLike,
        month: npt.ArrayLike | None = None,
    ) -> None:
        """Rows of one kind: row r has `counts[r]` terms, next in `cols` / `vals`; `x` is the
        x column a row is about (-1: none)."""
        self.cols.append(cols)
        self.vals.append(vals)
        self.counts.append(np.asarray(counts, dtype=np.int64))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.names.extend(names)
        self.kinds.extend([kind] * len(names))
        self.need.append(np.asarray(need, dtype=np.int64))
        self.vendor.append(np.asarray(vendor, dtype=np.int64))
        self.x.append(np.asarray(x, dtype=np.int64))
        self.month.append(
            np.full(len(names), -1, np.int64) if month is None else np.asarray(month, np.int64)
        )

    def arrays(
        self,
    ) -> tuple[
        FloatArray,
        FloatArray,
        IntArray,
        IntArray,
        FloatArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
    ]:
        """(row_lower, row_upper, start, index, value, row_need, row_vendor, row_x,
        row_month)."""
        counts = np.concatenate(self.counts)
        start = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        return (
            np.concatenate(self.lower),
            np.concatenate(self.upper),
            start,
            np.concatenate(self.cols),
            np.concatenate(self.vals),
            np.concatenate(self.need),
            np.concatenate(self.vendor),
            np.concatenate(self.x),
            np.concatenate(self.month),
        )


def pair_suffix(need: int, vendor: int, rank: int, width: int) -> str:
    """`_nNNNNN_vVVVVV` (and `_oK` for a vendor's K+1-th offer for one need): the part of a
    column or row name that says which offer it is about."""
    suffix = f"_n{need:0{width}d}_v{vendor:0{width}d}"
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
    y_x: IntArray
    """The x column of each binary."""
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


def _max_vendors(problem: Problem) -> IntArray:
    """max_vendors per need; -1 where not set."""
    return np.array(
        [-1 if need.max_vendors is None else need.max_vendors for need in problem.needs],
        dtype=np.int64,
    )


def x_upper_bounds(problem: Problem, x_offer: IntArray) -> tuple[FloatArray, IntArray]:
    """The upper bound of each x column (units) and what sets it (`BOUND_*`): the offer's
    capacity or the need's max_vendor_share × volume, whichever is lower. The vendor share
    rule is a column bound, not a row."""
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
    need's min_quality), S, I, e, M when needed, H and W in version 2, and a binary y for
    every offer with a minimum order and every offer of a need with max_vendors."""
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
    col_hours = col_worker_hours = None
    if problem.version == 2:
        col_hours, col_worker_hours = num_col, num_col + 1
        num_col += 2

    min_order = np.nan_to_num(offers.min_order[x_offer], nan=0.0)
    needs_binary = (min_order > 0) | (_max_vendors(problem)[x_need] >= 0)
    y_x = np.flatnonzero(needs_binary)
    y_cols = num_col + np.arange(y_x.size)
    num_col += y_x.size

    by_vendor = np.argsort(x_vendor, kind="stable")
    return Columns(
        x_offer=x_offer,
        x_need=x_need,
        x_vendor=x_vendor,
        x_price=offers.price[x_offer],
        x_impact=vendor_impact[x_vendor],
        x_quality=offer_quality[x_offer],
        x_hours=offers.hours_per_unit[x_offer],
        x_worker_share=worker_share[x_vendor],
        x_rank=_ranks(x_need, x_vendor),
        x_upper=x_upper,
        x_bound_kind=x_bound_kind,
        min_order=min_order,
        col_spend=col_spend,
        col_impact=col_impact,
        col_shortfall=col_shortfall,
        col_max_spend=col_max_spend,
        col_hours=col_hours,
        col_worker_hours=col_worker_hours,
        y_x=y_x,
        y_cols=y_cols,
        num_col=num_col,
        width=max(MIN_NAME_DIGITS, len(str(max(len(needs), len(vendors))))),
        by_vendor=by_vendor,
        vendor_start=np.searchsorted(x_vendor[by_vendor], np.arange(len(vendors) + 1)),
    )


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


def impact_vendors(problem: Problem) -> BoolArray:
    """Per vendor: impact_score ≥ targets.impact_vendor_min_score (all False when unset)."""
    min_score = problem.targets.impact_vendor_min_score
    if min_score is None:
        return np.zeros(len(problem.vendors), dtype=bool)
    vendor_impact = np.array([vendor.impact_score for vendor in problem.vendors], dtype=float)
    return vendor_impact >= min_score


# ---------------------------------------------------------------------------------------------
# one function per family of rows, called by build_model in the order of the rows


def add_demand_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`demand_nNNNNN`: Σ x over the need's offers = volume (units)."""
    w = columns.width
    x_cols = np.arange(columns.n_x)
    need_start = np.searchsorted(columns.x_need, np.arange(len(problem.needs) + 1))
    for j, need in enumerate(problem.needs):
        rows.add(
            f"demand_n{j:0{w}d}",
            "demand",
            x_cols[need_start[j] : need_start[j + 1]],
            np.ones(need_start[j + 1] - need_start[j]),
            need.volume,
            need.volume,
            need=j,
        )


def add_capacity_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`capacity_vVVVVV`: Σ x over the vendor's offers ≤ its capacity (units), for vendors
    with a capacity and at least one eligible offer. Version 2: see
    `add_monthly_capacity_constraints`."""
    if problem.version == 2:
        add_monthly_capacity_constraints(rows, problem, columns)
        return
    w = columns.width
    vendor_capacity = _vendor_capacity(problem)
    for i in range(len(problem.vendors)):
        members = columns.of_vendor(i)
        if members.size and np.isfinite(vendor_capacity[i]):
            rows.add(
                f"capacity_v{i:0{w}d}",
                "vendor_capacity",
                members,
                np.ones(members.size),
                -INF,
                vendor_capacity[i],
                vendor=i,
            )


def add_monthly_capacity_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """Version 2, `capacity_vVVVVV_mYYYY_MM`: the labour hours a vendor's offers take in one
    calendar month ≤ its hours that month. Each need's volume is spread evenly over its
    months, so an offer takes hours_per_unit × x / months in every month of its need's
    period: Σ (hours_per_unit / months) · x over the vendor's offers whose need runs that
    month ≤ hours. Only months with a stated capacity and some such offer get a row."""
    caps = problem.capacities
    if not len(caps):
        return
    w = columns.width
    months = np.array([need.months or 1 for need in problem.needs], dtype=float)
    first = np.array(
        [-1 if need.first_month is None else need.first_month for need in problem.needs]
    )
    for i, month, hours in zip(
        caps.vendor.tolist(), caps.month.tolist(), caps.hours.tolist(), strict=True
    ):
        members = columns.of_vendor(i)
        need = columns.x_need[members]
        running = (first[need] <= month) & (month < first[need] + months[need])
        members = members[running]
        if not members.size:
            continue
        rows.add(
            f"capacity_v{i:0{w}d}_m{month_text(month).replace('-', '_')}",
            "vendor_capacity",
            members,
            columns.x_hours[members] / months[columns.x_need[members]],
            -INF,
            hours,
            vendor=i,
            month=month,
        )


def add_total_definitions(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`spend_total`: Σ price·x − S = 0 ($); `impact_total`: Σ impact_score·x − I = 0
    (points × units). Version 2 weights impact by labour hours (Σ impact_score ·
    hours_per_unit · x, points × hours) and adds `hours_total`: Σ hours_per_unit·x − H = 0
    and `worker_hours_total`: Σ impact_worker_share · hours_per_unit · x − W = 0 (hours)."""
    x_cols = np.arange(columns.n_x)
    rows.add(
        "spend_total",
        "definition",
        np.append(x_cols, columns.col_spend),
        np.append(columns.x_price, -1.0),
        0.0,
        0.0,
    )
    weight = columns.x_hours if problem.version == 2 else 1.0
    rows.add(
        "impact_total",
        "definition",
        np.append(x_cols, columns.col_impact),
        np.append(columns.x_impact * weight, -1.0),
        0.0,
        0.0,
    )
    if columns.col_hours is None or columns.col_worker_hours is None:
        return
    rows.add(
        "hours_total",
        "definition",
        np.append(x_cols, columns.col_hours),
        np.append(columns.x_hours, -1.0),
        0.0,
        0.0,
    )
    rows.add(
        "worker_hours_total",
        "definition",
        np.append(x_cols, columns.col_worker_hours),
        np.append(columns.x_worker_share * columns.x_hours, -1.0),
        0.0,
        0.0,
    )


def add_budget_constraint(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`budget`: S ≤ budget ($); present (free) without a budget, so later solves only move
    its bound."""
    budget = problem.targets.budget
    rows.add(
        "budget", "budget", [columns.col_spend], [1.0], -INF, INF if budget is None else budget
    )


def add_average_impact_constraint(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`min_avg_impact`: I + e ≥ target × Σ volume (points × units); present (free) without
    the target, for the explanation and frontier solves. Version 2, weighted by labour
    hours: I + e − target × H ≥ 0 (points × hours)."""
    target = problem.targets.min_avg_impact
    if columns.col_hours is not None:
        rows.add(
            "min_avg_impact",
            "min_avg_impact",
            [columns.col_impact, columns.col_shortfall, columns.col_hours],
            [1.0, 1.0, -(target or 0.0)],
            -INF if target is None else 0.0,
            INF,
        )
        return
    rows.add(
        "min_avg_impact",
        "min_avg_impact",
        [columns.col_impact, columns.col_shortfall],
        [1.0, 1.0],
        -INF if target is None else target * problem.total_volume,
        INF,
    )


def add_average_quality_constraint(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`min_avg_quality`: Σ quality·x ≥ target × Σ volume (quality 0–1 × units). Version 2,
    weighted by labour hours: Σ (quality − target) · hours_per_unit · x ≥ 0."""
    target = problem.targets.min_avg_quality
    if target is None:
        return
    if problem.version == 2:
        rows.add(
            "min_avg_quality",
            "min_avg_quality",
            np.arange(columns.n_x),
            (columns.x_quality - target) * columns.x_hours,
            0.0,
            INF,
        )
        return
    rows.add(
        "min_avg_quality",
        "min_avg_quality",
        np.arange(columns.n_x),
        columns.x_quality,
        target * problem.total_volume,
        INF,
    )


def add_impact_spend_share_constraint(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`min_impact_spend_share`: Σ price·x over impact vendors − share × S ≥ 0 ($)."""
    share = problem.targets.min_impact_spend_share
    if share is None:
        return
    members = np.flatnonzero(impact_vendors(problem)[columns.x_vendor])
    rows.add(
        "min_impact_spend_share",
        "min_impact_spend_share",
        np.append(members, columns.col_spend),
        np.append(columns.x_price[members], -share),
        0.0,
        INF,
    )


def add_vendor_spend_share_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`vendor_spend_vVVVVV`: the vendor's Σ price·x − M ≤ 0 ($), for every vendor with an
    eligible offer; `max_vendor_spend_share`: M − share × S ≤ 0 ($)."""
    share, col_max_spend = problem.targets.max_vendor_spend_share, columns.col_max_spend
    if share is None or col_max_spend is None:
        return
    w = columns.width
    for i in range(len(problem.vendors)):
        members = columns.of_vendor(i)
        if members.size:
            rows.add(
                f"vendor_spend_v{i:0{w}d}",
                "vendor_spend_cap",
                np.append(members, col_max_spend),
                np.append(columns.x_price[members], -1.0),
                -INF,
                0.0,
                vendor=i,
            )
    rows.add(
        "max_vendor_spend_share",
        "max_vendor_spend_share",
        [col_max_spend, columns.col_spend],
        [1.0, -share],
        -INF,
        0.0,
    )


def add_impact_worker_hours_constraint(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """Version 2, `min_impact_worker_hours`: W ≥ target (hours); present (free) without the
    target, so that frontier and explanation solves only move its bound."""
    if columns.col_worker_hours is None:
        return
    target = problem.targets.min_impact_worker_hours
    rows.add(
        "min_impact_worker_hours",
        "min_impact_worker_hours",
        [columns.col_worker_hours],
        [1.0],
        -INF if target is None else target,
        INF,
    )


def add_need_target_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """Version 2: a need's own targets over that need's offers alone (x summed over them):

    * `need_avg_impact_nNNNNN`: Σ (impact_score − target) · hours_per_unit · x ≥ 0;
    * `need_avg_quality_nNNNNN`: Σ (quality − target) · hours_per_unit · x ≥ 0;
    * `need_impact_spend_share_nNNNNN`: Σ (impact vendor − share) · price · x ≥ 0."""
    if problem.version != 2:
        return
    w = columns.width
    member = impact_vendors(problem)[columns.x_vendor].astype(float)
    need_start = np.searchsorted(columns.x_need, np.arange(len(problem.needs) + 1))
    for j, need in enumerate(problem.needs):
        cols = np.arange(need_start[j], need_start[j + 1])
        for kind, target, values in (
            ("need_avg_impact", need.min_avg_impact, columns.x_impact * columns.x_hours),
            ("need_avg_quality", need.min_avg_quality, columns.x_quality * columns.x_hours),
            ("need_impact_spend_share", need.min_impact_spend_share, member * columns.x_price),
        ):
            if target is None:
                continue
            weight = columns.x_price if kind == "need_impact_spend_share" else columns.x_hours
            rows.add(
                f"{kind}_n{j:0{w}d}",
                kind,
                cols,
                values[cols] - target * weight[cols],
                0.0,
                INF,
                need=j,
            )


def add_mip_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """The integer rules, when any offer has a binary y: `min_order_…`: x − min_order·y ≥ 0;
    `use_…`: x − upper·y ≤ 0, with the tightest known upper limit on x (units); and
    `max_vendors_nNNNNN`: Σ y ≤ k over the need's offers."""
    y_x, y_cols = columns.y_x, columns.y_cols
    if not y_x.size:
        return
    w = columns.width
    x_need, x_vendor, min_order = columns.x_need, columns.x_vendor, columns.min_order
    names = [
        pair_suffix(n, v, o, w)
        for n, v, o in zip(
            x_need[y_x].tolist(), x_vendor[y_x].tolist(), columns.x_rank[y_x].tolist(), strict=True
        )
    ]
    pair_cols = np.column_stack([y_x, y_cols]).ravel()
    with_min = np.flatnonzero(min_order[y_x] > 0)
    if with_min.size:
        rows.add_many(
            [f"min_order{names[r]}" for r in with_min],
            "min_order",
            np.full(with_min.size, 2),
            np.column_stack([y_x[with_min], y_cols[with_min]]).ravel(),
            np.column_stack([np.ones(with_min.size), -min_order[y_x[with_min]]]).ravel(),
            np.zeros(with_min.size),
            np.full(with_min.size, INF),
            x_need[y_x[with_min]],
            x_vendor[y_x[with_min]],
            y_x[with_min],
        )
    volume = _need_array(problem, "volume")
    use_upper = np.minimum(
        np.minimum(columns.x_upper[y_x], volume[x_need[y_x]]),
        _vendor_capacity(problem)[x_vendor[y_x]],
    )
    rows.add_many(
        [f"use{name}" for name in names],
        "vendor_use",
        np.full(y_x.size, 2),
        pair_cols,
        np.column_stack([np.ones(y_x.size), -use_upper]).ravel(),
        np.full(y_x.size, -INF),
        np.zeros(y_x.size),
        x_need[y_x],
        x_vendor[y_x],
        y_x,
    )
    max_vendors = _max_vendors(problem)
    for j, need in enumerate(problem.needs):
        if need.max_vendors is None:
            continue
        members = y_cols[x_need[y_x] == j]
        rows.add(
            f"max_vendors_n{j:0{w}d}",
            "max_vendors",
            members,
            np.ones(members.size),
            -INF,
            float(max_vendors[j]),
            need=j,
        )


# ---------------------------------------------------------------------------------------------
# the whole model


def build_model(problem: Problem) -> AllocationModel:
    """Build the allocation model of a validated problem (see the module docstring)."""
    columns = define_columns(problem)
    rows = _Rows()
    add_demand_constraints(rows, problem, columns)
    add_capacity_constraints(rows, problem, columns)
    add_total_definitions(rows, problem, columns)
    add_budget_constraint(rows, problem, columns)
    add_average_impact_constraint(rows, problem, columns)
    add_average_quality_constraint(rows, problem, columns)
    add_impact_spend_share_constraint(rows, problem, columns)
    add_vendor_spend_share_constraints(rows, problem, columns)
    add_impact_worker_hours_constraint(rows, problem, columns)
    add_need_target_constraints(rows, problem, columns)
    add_mip_constraints(rows, problem, columns)
    return _assemble(problem, columns, rows)


def _assemble(problem: Problem, columns: Columns, rows: _Rows) -> AllocationModel:
    """The column bounds and the row arrays as one read-only `AllocationModel`."""
    row_lower, row_upper, start, index, value, row_need, row_vendor, row_x, row_month = (
        rows.arrays()
    )
    num_col, y_cols = columns.num_col, columns.y_cols
    col_lower = np.zeros(num_col)
    col_upper = np.full(num_col, INF)
    col_upper[: columns.n_x] = columns.x_upper
    col_upper[columns.col_shortfall] = 0.0
    col_upper[y_cols] = 1.0
    integer = np.zeros(num_col, dtype=bool)
    integer[y_cols] = True
    lp = LinearProgram(
        col_lower,
        col_upper,
        integer,
        row_lower,
        row_upper,
        start.astype(np.int32),
        index.astype(np.int32),
        value,
    )
    impact_vendor = impact_vendors(problem)
    _readonly(
        col_lower,
        col_upper,
        integer,
        row_lower,
        row_upper,
        lp.start,
        lp.index,
        value,
        columns.x_offer,
        columns.x_need,
        columns.x_vendor,
        columns.x_price,
        columns.x_impact,
        columns.x_quality,
        columns.x_bound_kind,
        columns.x_hours,
        columns.x_worker_share,
        columns.x_rank,
        row_month,
        columns.y_x,
        y_cols,
        row_need,
        row_vendor,
        row_x,
        impact_vendor,
    )
    return AllocationModel(
        problem=problem,
        lp=lp,
        row_names=tuple(rows.names),
        row_kind=tuple(rows.kinds),
        row_need=row_need,
        row_vendor=row_vendor,
        row_x=row_x,
        row_month=row_month,
        x_offer=columns.x_offer,
        x_need=columns.x_need,
        x_vendor=columns.x_vendor,
        x_price=columns.x_price,
        x_impact=columns.x_impact,
        x_quality=columns.x_quality,
        x_bound_kind=columns.x_bound_kind,
        x_hours=columns.x_hours,
        x_worker_share=columns.x_worker_share,
        x_rank=columns.x_rank,
        col_spend=columns.col_spend,
        col_impact=columns.col_impact,
        col_shortfall=columns.col_shortfall,
        col_max_spend=columns.col_max_spend,
        col_hours=columns.col_hours,
        col_worker_hours=columns.col_worker_hours,
        y_cols=y_cols,
        y_x=columns.y_x,
        impact_vendor=impact_vendor,
        total_volume=problem.total_volume,
        width=columns.width,
        row_index={name: r for r, name in enumerate(rows.names)},
    )


# ---------------------------------------------------------------------------------------------
# cost vectors for the solve stages (all minimised)


def cost_vector(
    model: AllocationModel,
    terms: Mapping[str, float] | None = None,
    x_cost: FloatArray | None = None,
) -> FloatArray:
    """A cost vector: `terms` maps "spend"/"impact"/"shortfall"/"max_spend" (and, in version 2,
    "hours"/"worker_hours") to a coefficient on S, I, e, M, H or W; `x_cost` (optional) gives
    coefficients on the x columns."""
    cost = np.zeros(model.lp.num_col)
    if x_cost is not None:
        cost[: model.n_x] = x_cost
    columns = {
        "spend": model.col_spend,
        "impact": model.col_impact,
        "shortfall": model.col_shortfall,
        "max_spend": model.col_max_spend,
        "hours": model.col_hours,
        "worker_hours": model.col_worker_hours,
    }
    for name, coefficient in (terms or {}).items():
        cost[columns[name]] += coefficient
    return cost


def primary_cost(model: AllocationModel) -> tuple[np.ndarray, float]:
    """The primary objective as (cost vector, sign): minimise sign × f, where f is total spend
    ($) for min_cost, total impact (points × units) for max_impact and impact-worker hours
    for max_impact_worker_hours. (Version 2's max_impact maximises a ratio, average impact
    weighted by hours: `solve.solve_model` starts from this vector and iterates.)"""
    if model.problem.objective == "max_impact_worker_hours":
        return cost_vector(model, {"worker_hours": -1.0}), -1.0
    if model.problem.objective == "max_impact":
        return cost_vector(model, {"impact": -1.0}), -1.0
    return cost_vector(model, {"spend": 1.0}), 1.0


# ---------------------------------------------------------------------------------------------
# the official PuLP model


def to_pulp(
    model: AllocationModel,
    cost: np.ndarray,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
    row_lower: np.ndarray | None = None,
    row_upper: np.ndarray | None = None,
    integer: np.ndarray | None = None,
) -> tuple[pulp.LpProblem, list[pulp.LpVariable], list[pulp.LpConstraint | None]]:
    """Write the model as a PuLP problem (minimise `cost`), optionally with changed bounds.

    Returns the problem, its variables in column order and, per row, its constraint (None for
    a free row, which is left out). Expressions are `LpAffineExpression` over (variable,
    coefficient) pairs; never `lpSum` of products."""
    lp = model.lp
    col_lower = lp.col_lower if col_lower is None else col_lower
    col_upper = lp.col_upper if col_upper is None else col_upper
    row_lower = lp.row_lower if row_lower is None else row_lower
    row_upper = lp.row_upper if row_upper is None else row_upper
    integer = lp.integer if integer is None else integer
    prob = pulp.LpProblem("allocation", pulp.LpMinimize)
    variables = [
        prob.add_variable(
            name,
            None if lo == -INF else lo,
            None if up == INF else up,
            pulp.LpInteger if is_int else pulp.LpContinuous,
        )
        for name, lo, up, is_int in zip(
            model.column_names(),
            col_lower.tolist(),
            col_upper.tolist(),
            integer.tolist(),
            strict=True,
        )
    ]
    constraints: list[pulp.LpConstraint | None] = []
    starts, indexes, values = lp.start.tolist(), lp.index.tolist(), lp.value.tolist()
    for r, name in enumerate(model.row_names):
        lower, upper = row_lower[r], row_upper[r]
        if lower == -INF and upper == INF:
            constraints.append(None)
            continue
        begin, end = starts[r], starts[r + 1]
        terms = pulp.LpAffineExpression(
            (variables[c], a) for c, a in zip(indexes[begin:end], values[begin:end], strict=True)
        )
        if lower == upper:
            sense, rhs = pulp.LpConstraintEQ, lower
        elif lower == -INF:
            sense, rhs = pulp.LpConstraintLE, upper
        elif upper == INF:
            sense, rhs = pulp.LpConstraintGE, lower
        else:
            raise ValueError(f"ranged row {name} is not used by this model")
        constraint = pulp.LpConstraint(terms, sense, name, float(rhs))
        prob.addConstraint(constraint)
        constraints.append(constraint)
    prob.setObjective(
        pulp.LpAffineExpression(
            (variables[c], a)
            for c, a in zip(np.flatnonzero(cost).tolist(), cost[cost != 0].tolist(), strict=True)
        )
    )
    return prob, variables, constraints
