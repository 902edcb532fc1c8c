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

from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.problem import Problem

INF = float("inf")

BOUND_NONE, BOUND_OFFER_CAPACITY, BOUND_VENDOR_SHARE = 0, 1, 2
"""What sets an x column's upper bound (`AllocationModel.x_bound_kind`)."""

TARGET_ROWS = (
    "budget",
    "min_avg_impact",
    "min_avg_quality",
    "min_impact_spend_share",
    "max_vendor_spend_share",
)
"""Targets in the order they are explained; each is the name of its row."""


@dataclass(frozen=True)
class LinearProgram:
    """An LP/MIP in compressed-row form: rows `row_lower ≤ A x ≤ row_upper`, columns
    `col_lower ≤ x ≤ col_upper`, `integer[k]` for integer columns. No objective: each solve
    stage supplies its own cost vector (always minimised)."""

    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray

    @property
    def num_col(self) -> int:
        return int(self.col_lower.size)

    @property
    def num_row(self) -> int:
        return int(self.row_lower.size)

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def row_activity(self, x: np.ndarray) -> np.ndarray:
        """A x for a full column vector x."""
        return self._row_sums(self.value * x[self.index])

    def row_magnitude(self, x: np.ndarray) -> np.ndarray:
        """|A| |x|: the size of each row's terms, which sets the rounding error of A x."""
        return self._row_sums(np.abs(self.value * x[self.index]))

    def _row_sums(self, products: np.ndarray) -> np.ndarray:
        if products.size == 0:
            return np.zeros(self.num_row)
        sums = np.add.reduceat(products, np.minimum(self.start[:-1], products.size - 1))
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
    row_need: np.ndarray
    row_vendor: np.ndarray
    row_x: np.ndarray
    x_offer: np.ndarray
    x_need: np.ndarray
    x_vendor: np.ndarray
    x_price: np.ndarray
    x_impact: np.ndarray
    x_quality: np.ndarray
    x_bound_kind: np.ndarray
    col_spend: int
    col_impact: int
    col_shortfall: int
    col_max_spend: int | None
    y_cols: np.ndarray
    y_x: np.ndarray
    impact_vendor: np.ndarray
    total_volume: float
    width: int
    row_index: dict[str, int] = field(repr=False)

    @property
    def n_x(self) -> int:
        return int(self.x_offer.size)

    def x_name(self, k: int) -> str:
        """Name of x column k: x_n<need position>_v<vendor position>, zero-padded."""
        return f"x_n{self.x_need[k]:0{self.width}d}_v{self.x_vendor[k]:0{self.width}d}"

    def column_names(self) -> list[str]:
        """Stable, zero-padded column names (what PuLP and LP files show)."""
        w = self.width
        names = [
            f"x_n{n:0{w}d}_v{v:0{w}d}" for n, v in zip(self.x_need.tolist(), self.x_vendor.tolist())
        ]
        names += ["total_spend", "total_impact", "impact_shortfall"]
        if self.col_max_spend is not None:
            names.append("max_vendor_spend")
        names += ["y" + names[k][1:] for k in self.y_x.tolist()]
        return names

    def x_at_upper(self, x: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
        """Mask of x columns at a finite upper bound (within `tolerance`, relative)."""
        upper = self.lp.col_upper[: self.n_x]
        finite = np.isfinite(upper)
        mask = np.zeros(self.n_x, dtype=bool)
        mask[finite] = x[: self.n_x][finite] >= upper[finite] - tolerance * np.maximum(
            1.0, upper[finite]
        )
        return mask

    def target_active(self, name: str) -> bool:
        """True when the document sets this target (its row is not free)."""
        row = self.row_index.get(name)
        if row is None:
            return False
        return bool(np.isfinite(self.lp.row_lower[row]) or np.isfinite(self.lp.row_upper[row]))


class _Rows:
    """Accumulates rows as (columns, coefficients) arrays plus names and business keys."""

    def __init__(self) -> None:
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.names: list[str] = []
        self.kinds: list[str] = []
        self.need: list[np.ndarray] = []
        self.vendor: list[np.ndarray] = []
        self.x: list[np.ndarray] = []

    def add(
        self,
        name: str,
        kind: str,
        cols,
        vals,
        lower: float,
        upper: float,
        need: int = -1,
        vendor: int = -1,
    ) -> None:
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
        )

    def add_many(
        self, names: list[str], kind: str, counts, cols, vals, lower, upper, need, vendor, x
    ) -> None:
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

    def arrays(self):
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
        )


def _readonly(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


def build_model(problem: Problem) -> AllocationModel:
    """Build the allocation model of a validated problem (see the module docstring)."""
    needs, vendors, offers, targets = (
        problem.needs,
        problem.vendors,
        problem.offers,
        problem.targets,
    )
    volume = np.array([need.volume for need in needs], dtype=float)
    min_quality = np.array([need.min_quality for need in needs], dtype=float)
    need_share = np.array([need.max_vendor_share for need in needs], dtype=float)
    vendor_quality = np.array([vendor.quality for vendor in vendors], dtype=float)
    vendor_impact = np.array([vendor.impact_score for vendor in vendors], dtype=float)
    vendor_capacity = np.array(
        [INF if vendor.capacity is None else vendor.capacity for vendor in vendors], dtype=float
    )
    total_volume = problem.total_volume
    width = max(5, len(str(max(len(needs), len(vendors)))))

    eligible = vendor_quality[offers.vendor] >= min_quality[offers.need]
    x_offer = np.flatnonzero(eligible)
    x_need, x_vendor = offers.need[x_offer], offers.vendor[x_offer]
    x_price = offers.price[x_offer]
    n_x = x_offer.size
    share_cap = np.where(need_share[x_need] < 1.0, need_share[x_need] * volume[x_need], INF)
    offer_cap = np.nan_to_num(offers.capacity[x_offer], nan=INF)
    x_upper = np.minimum(offer_cap, share_cap)
    x_bound_kind = np.where(
        share_cap < offer_cap,
        BOUND_VENDOR_SHARE,
        np.where(np.isfinite(offer_cap), BOUND_OFFER_CAPACITY, BOUND_NONE),
    )
    x_impact = vendor_impact[x_vendor]
    x_quality = vendor_quality[x_vendor]
    x_cols = np.arange(n_x)

    col_spend, col_impact, col_shortfall = n_x, n_x + 1, n_x + 2
    num_col = n_x + 3
    col_max_spend = None
    if targets.max_vendor_spend_share is not None:
        col_max_spend = num_col
        num_col += 1

    # binaries: offers with a minimum order, and every offer of a need with max_vendors
    min_order = np.nan_to_num(offers.min_order[x_offer], nan=0.0)
    max_vendors = np.array(
        [-1 if need.max_vendors is None else need.max_vendors for need in needs], dtype=np.int64
    )
    needs_binary = (min_order > 0) | (max_vendors[x_need] >= 0)
    y_x = np.flatnonzero(needs_binary)
    y_cols = num_col + np.arange(y_x.size)
    num_col += y_x.size

    rows = _Rows()
    w = width
    need_start = np.searchsorted(x_need, np.arange(len(needs) + 1))
    for j, need in enumerate(needs):
        rows.add(
            f"demand_n{j:0{w}d}",
            "demand",
            x_cols[need_start[j] : need_start[j + 1]],
            np.ones(need_start[j + 1] - need_start[j]),
            need.volume,
            need.volume,
            need=j,
        )

    by_vendor = np.argsort(x_vendor, kind="stable")
    vendor_start = np.searchsorted(x_vendor[by_vendor], np.arange(len(vendors) + 1))
    for i in range(len(vendors)):
        members = by_vendor[vendor_start[i] : vendor_start[i + 1]]
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

    rows.add(
        "spend_total",
        "definition",
        np.append(x_cols, col_spend),
        np.append(x_price, -1.0),
        0.0,
        0.0,
    )
    rows.add(
        "impact_total",
        "definition",
        np.append(x_cols, col_impact),
        np.append(x_impact, -1.0),
        0.0,
        0.0,
    )
    budget = INF if targets.budget is None else targets.budget
    rows.add("budget", "budget", [col_spend], [1.0], -INF, budget)
    impact_floor = -INF if targets.min_avg_impact is None else targets.min_avg_impact * total_volume
    rows.add(
        "min_avg_impact",
        "min_avg_impact",
        [col_impact, col_shortfall],
        [1.0, 1.0],
        impact_floor,
        INF,
    )
    if targets.min_avg_quality is not None:
        rows.add(
            "min_avg_quality",
            "min_avg_quality",
            x_cols,
            x_quality,
            targets.min_avg_quality * total_volume,
            INF,
        )

    impact_vendor = np.zeros(len(vendors), dtype=bool)
    if targets.impact_vendor_min_score is not None:
        impact_vendor = vendor_impact >= targets.impact_vendor_min_score
    if targets.min_impact_spend_share is not None:
        members = np.flatnonzero(impact_vendor[x_vendor])
        rows.add(
            "min_impact_spend_share",
            "min_impact_spend_share",
            np.append(members, col_spend),
            np.append(x_price[members], -targets.min_impact_spend_share),
            0.0,
            INF,
        )

    if col_max_spend is not None:
        for i in range(len(vendors)):
            members = by_vendor[vendor_start[i] : vendor_start[i + 1]]
            if members.size:
                rows.add(
                    f"vendor_spend_v{i:0{w}d}",
                    "vendor_spend_cap",
                    np.append(members, col_max_spend),
                    np.append(x_price[members], -1.0),
                    -INF,
                    0.0,
                    vendor=i,
                )
        rows.add(
            "max_vendor_spend_share",
            "max_vendor_spend_share",
            [col_max_spend, col_spend],
            [1.0, -targets.max_vendor_spend_share],
            -INF,
            0.0,
        )

    if y_x.size:
        _add_binary_rows(
            rows,
            problem,
            y_x,
            y_cols,
            x_need,
            x_vendor,
            x_upper,
            min_order,
            max_vendors,
            vendor_capacity,
            volume,
            width,
        )

    row_lower, row_upper, start, index, value, row_need, row_vendor, row_x = rows.arrays()
    col_lower = np.zeros(num_col)
    col_upper = np.full(num_col, INF)
    col_upper[:n_x] = x_upper
    col_upper[col_shortfall] = 0.0
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
    _readonly(
        col_lower,
        col_upper,
        integer,
        row_lower,
        row_upper,
        lp.start,
        lp.index,
        value,
        x_offer,
        x_need,
        x_vendor,
        x_price,
        x_impact,
        x_quality,
        x_bound_kind,
        y_x,
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
        x_offer=x_offer,
        x_need=x_need,
        x_vendor=x_vendor,
        x_price=x_price,
        x_impact=x_impact,
        x_quality=x_quality,
        x_bound_kind=x_bound_kind,
        col_spend=col_spend,
        col_impact=col_impact,
        col_shortfall=col_shortfall,
        col_max_spend=col_max_spend,
        y_cols=y_cols,
        y_x=y_x,
        impact_vendor=impact_vendor,
        total_volume=total_volume,
        width=width,
        row_index={name: r for r, name in enumerate(rows.names)},
    )


def _add_binary_rows(
    rows: _Rows,
    problem: Problem,
    y_x,
    y_cols,
    x_need,
    x_vendor,
    x_upper,
    min_order,
    max_vendors,
    vendor_capacity,
    volume,
    width,
) -> None:
    """min_order and max_vendors rows; the "use" bound is the tightest known upper limit."""
    w = width
    names = [
        f"_n{n:0{w}d}_v{v:0{w}d}" for n, v in zip(x_need[y_x].tolist(), x_vendor[y_x].tolist())
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
    use_upper = np.minimum(
        np.minimum(x_upper[y_x], volume[x_need[y_x]]), vendor_capacity[x_vendor[y_x]]
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
# cost vectors for the solve stages (all minimised)


def cost_vector(
    model: AllocationModel, terms: dict[str, float] | None = None, x_cost: np.ndarray | None = None
) -> np.ndarray:
    """A cost vector: `terms` maps "spend"/"impact"/"shortfall"/"max_spend" to a coefficient
    on S, I, e or M; `x_cost` (optional) gives coefficients on the x columns."""
    cost = np.zeros(model.lp.num_col)
    if x_cost is not None:
        cost[: model.n_x] = x_cost
    columns = {
        "spend": model.col_spend,
        "impact": model.col_impact,
        "shortfall": model.col_shortfall,
        "max_spend": model.col_max_spend,
    }
    for name, coefficient in (terms or {}).items():
        cost[columns[name]] += coefficient
    return cost


def primary_cost(model: AllocationModel) -> tuple[np.ndarray, float]:
    """The primary objective as (cost vector, sign): minimise sign × f, where f is total spend
    ($) for min_cost and total impact (points × units) for max_impact."""
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
            model.column_names(), col_lower.tolist(), col_upper.tolist(), integer.tolist()
        )
    ]
    constraints: list[pulp.LpConstraint | None] = []
    starts, indexes, values = lp.start.tolist(), lp.index.tolist(), lp.value.tolist()
    for r, name in enumerate(model.row_names):
        lower, upper = row_lower[r], row_upper[r]
        if lower == -INF and upper == INF:
            constraints.append(None)
            continue
        terms = pulp.LpAffineExpression(
            (variables[c], a)
            for c, a in zip(indexes[starts[r] : starts[r + 1]], values[starts[r] : starts[r + 1]])
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
            for c, a in zip(np.flatnonzero(cost).tolist(), cost[cost != 0].tolist())
        )
    )
    return prob, variables, constraints
