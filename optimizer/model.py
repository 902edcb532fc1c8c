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
  (need id, vendor id) order; bounds 0 ≤ x ≤ min(offer capacity, max_vendor_share × volume)
  (the share bound is the whole vendor share rule for a vendor's only offer on a need);
* `total_spend` – S, $; `total_impact` – I, impact points × units;
* `impact_shortfall` – e, impact points × units, in the min_avg_impact row; fixed at 0 except
  while the frontier looks for the highest reachable impact (min S + big·e, a dual-simplex
  friendly way to get there from the cheapest plan);
* `max_vendor_spend` – M, $, only with a max_vendor_spend_share target;
* version 2 only: `total_hours` – H, labour hours; `impact_worker_hours` – W, hours;
  `impact_worker_shortfall` – e_W, hours, in the min_impact_worker_hours row (as e);
* `y_nNNNNN_vVVVVV` – binary "offer used", for an offer with a min_order and for a vendor's
  offer on a need with max_vendors (a vendor has at most one offer per need in version 1);
* version 2, `vendor_used_nNNNNN_vVVVVV` – binary "vendor used on the need" where a need with
  max_vendors or a min_award has several offers of one vendor: one binary for all of them, so
  max_vendors counts vendors, not offers, and min_award holds their sum (an offer of theirs
  with a min_order keeps its own y as well).

Version 2 names a vendor's second and later offer for one need `x_nNNNNN_vVVVVV_oK`, weights
I by hours per unit, and adds the rows of `optimizer.rows` for monthly capacity
(`capacity_vVVVVV_mYYYY_MM`), a need's own targets, `hours_total`, `worker_hours_total` and
`min_impact_worker_hours`: W + e_W ≥ target; its `min_avg_impact` is I + e − target·H ≥ 0.
Where a vendor has several eligible offers for a need with a max_vendor_share below 1,
`vendor_share_nNNNNN_vVVVVV`: Σ x over them ≤ max_vendor_share × volume caps the vendor's
total (each x keeps its share bound as well).

Rows (x summed over the offers named):

* `demand_nNNNNN`: Σ x = volume;  `capacity_vVVVVV`: Σ x ≤ vendor capacity;
* `spend_total`: Σ price·x − S = 0;  `impact_total`: Σ impact_score·x − I = 0;
* `budget`: S ≤ budget;  `min_avg_impact`: I + e ≥ target × Σ volume (both always present, free
  when the target is null, so that explanation and frontier solves only move bounds);
* `min_avg_quality`: Σ quality·x ≥ target × Σ volume;
* `min_impact_spend_share`: Σ price·x over impact vendors − share × S ≥ 0;
* `vendor_spend_vVVVVV`: Σ price·x − M ≤ 0;  `max_vendor_spend_share`: M − share × S ≤ 0;
* `min_order_…`: x − min_order·y ≥ 0;  `use_…`: x − upper·y ≤ 0;  `vendor_use_…`: x −
  upper·vendor_used ≤ 0 for each offer of a vendor's binary;  `max_vendors_nNNNNN`: Σ y ≤ k
  over the binaries that stand for a vendor on the need (y of a vendor's only offer there,
  or vendor_used);  version 2, `min_award_nNNNNN_vVVVVV`: Σ x over the vendor's offers for
  the need − min_award·y ≥ 0 with the same binary (the big-M "upper" is discussed in
  `optimizer.rows.add_mip_constraints`).

An impact vendor is one whose impact_score ≥ targets.impact_vendor_min_score.

Version 2's award rules (`optimizer.award`) add `vendor_group_min_share_gGGGGG` /
`vendor_group_max_share_gGGGGG` and `incumbent_iIIIII` rows (`optimizer.rows.
add_award_rule_constraints`); bid adjustments add the column `adjusted_spend` – A, $ – with
`adjusted_spend_total`: Σ adjusted_price·x − A = 0. min_cost then minimises A, not S; the
budget, spend shares and the reported cost stay on S, the real spend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # PuLP is imported where it is used: only CBC and its tests need it
    import pulp

from optimizer.columns import (
    BOUND_NONE,
    BOUND_OFFER_CAPACITY,
    BOUND_VENDOR_SHARE,
    INF,
    Columns,
    _readonly,
    define_columns,
    impact_vendors,
    pair_suffix,
)
from optimizer.priorities import PORTFOLIO_TARGETS
from optimizer.problem import BoolArray, FloatArray, IntArray, Problem
from optimizer.rows import (
    _Rows,
    add_average_impact_constraint,
    add_average_quality_constraint,
    add_award_rule_constraints,
    add_budget_constraint,
    add_capacity_constraints,
    add_demand_constraints,
    add_impact_spend_share_constraint,
    add_impact_worker_hours_constraint,
    add_mip_constraints,
    add_need_target_constraints,
    add_total_definitions,
    add_vendor_share_constraints,
    add_vendor_spend_share_constraints,
)

__all__ = [
    "BOUND_NONE",
    "BOUND_OFFER_CAPACITY",
    "BOUND_VENDOR_SHARE",
    "INF",
    "NEED_TARGET_ROWS",
    "TARGET_ROWS",
    "AllocationModel",
    "LinearProgram",
    "build_model",
    "cost_vector",
    "primary_cost",
    "to_pulp",
]

AT_UPPER_TOLERANCE = 1e-9
"""Default of `AllocationModel.x_at_upper`: how close (relative to max(1, bound)) an x value
must be to its upper bound to count as at it."""

TARGET_ROWS = PORTFOLIO_TARGETS
"""Portfolio targets in the order they are explained; each is the name of its row."""
NEED_TARGET_ROWS = ("need_avg_impact", "need_avg_quality", "need_impact_spend_share")
"""Version 2: the kinds of a need's own target rows (named `<kind>_nNNNNN`)."""

Int32Array = npt.NDArray[np.int32]


def dot(a: FloatArray, b: FloatArray) -> float:
    """Σ a·b summed pairwise by numpy, never by BLAS: BLAS splits a long dot product across
    threads that then spin for milliseconds on a shared machine, and its sum depends on how
    many threads it uses."""
    return float(np.add.reduce(np.multiply(a, b)))


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
    row_rule: IntArray
    """Version 2 award-rule rows: the rule's position in targets.vendor_groups or incumbents
    (by the row's kind, `optimizer.rows.AWARD_ROWS`); else -1."""
    x_offer: IntArray
    x_need: IntArray
    x_vendor: IntArray
    x_price: FloatArray
    x_adjusted_price: FloatArray
    """$ per unit with the bid adjustments (the price where there are none)."""
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
    col_worker_shortfall: int | None
    """Version 2: e_W, hours, in the min_impact_worker_hours row; fixed at 0 except while the
    frontier looks for the most impact-worker hours (as e for impact)."""
    col_adjusted_spend: int | None
    """Version 2 with bid adjustments: A, the adjusted spend ($) that min_cost minimises."""
    y_cols: IntArray
    y_x: IntArray
    """The x column of each binary (a vendor's binary: its first offer for the need)."""
    y_offers: IntArray
    """How many x columns each binary switches (more than 1 only for a vendor's binary)."""
    impact_vendor: BoolArray
    total_volume: float
    width: int
    row_index: dict[str, int] = field(repr=False)
    slack_rows: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Only in `optimizer.relax`'s elastic model: the rows that got a slack column, one each,
    after every other column (named `relax_<row name>`); empty in a built model."""

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
            names += ["impact_worker_hours", "impact_worker_shortfall"]
        if self.col_adjusted_spend is not None:
            names.append("adjusted_spend")
        names += [
            ("y" if offers == 1 else "vendor_used") + names[k][1:]
            for k, offers in zip(self.y_x.tolist(), self.y_offers.tolist(), strict=True)
        ]
        names += [f"relax_{self.row_names[r]}" for r in self.slack_rows.tolist()]
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

    def kind_mask(self, *kinds: str) -> BoolArray:
        """Mask of the rows of any of `kinds` (a pass over `row_kind`, quicker than an array
        of strings compared)."""
        wanted = frozenset(kinds)
        return np.fromiter(
            map(wanted.__contains__, self.row_kind), dtype=bool, count=len(self.row_kind)
        )

    def hours(self, x: FloatArray) -> float:
        """Labour hours of the plan x: Σ hours_per_unit × x (the total volume in version 1,
        where every unit counts as one)."""
        if self.col_hours is None:
            return self.total_volume
        return dot(x[: self.n_x], self.x_hours)

    def target_active(self, name: str) -> bool:
        """True when the document sets this target (its row is not free)."""
        row = self.row_index.get(name)
        if row is None:
            return False
        return bool(np.isfinite(self.lp.row_lower[row]) or np.isfinite(self.lp.row_upper[row]))


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
    add_vendor_share_constraints(rows, problem, columns)
    add_award_rule_constraints(rows, problem, columns)
    add_mip_constraints(rows, problem, columns)
    return _assemble(problem, columns, rows)


def _assemble(problem: Problem, columns: Columns, rows: _Rows) -> AllocationModel:
    """The column bounds and the row arrays as one read-only `AllocationModel`."""
    (
        row_lower,
        row_upper,
        start,
        index,
        value,
        row_need,
        row_vendor,
        row_x,
        row_month,
        row_rule,
    ) = rows.arrays()
    num_col, y_cols = columns.num_col, columns.y_cols
    col_lower = np.zeros(num_col)
    col_upper = np.full(num_col, INF)
    col_upper[: columns.n_x] = columns.x_upper
    col_upper[columns.col_shortfall] = 0.0
    if columns.col_worker_shortfall is not None:
        col_upper[columns.col_worker_shortfall] = 0.0
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
        row_rule,
        columns.x_adjusted_price,
        columns.y_x,
        columns.y_offers,
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
        row_rule=row_rule,
        x_offer=columns.x_offer,
        x_need=columns.x_need,
        x_vendor=columns.x_vendor,
        x_price=columns.x_price,
        x_adjusted_price=columns.x_adjusted_price,
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
        col_worker_shortfall=columns.col_worker_shortfall,
        col_adjusted_spend=columns.col_adjusted_spend,
        y_cols=y_cols,
        y_x=columns.y_x,
        y_offers=columns.y_offers,
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
        "worker_shortfall": model.col_worker_shortfall,
        "adjusted_spend": model.col_adjusted_spend,
    }
    for name, coefficient in (terms or {}).items():
        cost[columns[name]] += coefficient
    return cost


def primary_cost(model: AllocationModel) -> tuple[np.ndarray, float]:
    """The primary objective as (cost vector, sign): minimise sign × f, where f is total spend
    ($; the adjusted spend A with bid adjustments, `cost_term`) for min_cost, total impact
    (points × units) for max_impact and impact-worker hours for max_impact_worker_hours.
    (Version 2's max_impact maximises a ratio, average impact weighted by hours:
    `solve.solve_model` solves it by Dinkelbach rounds from a ratio above the best one, the
    highest impact score an open offer has; this vector is not used there.)"""
    if model.problem.objective == "max_impact_worker_hours":
        return cost_vector(model, {"worker_hours": -1.0}), -1.0
    if model.problem.objective == "max_impact":
        return cost_vector(model, {"impact": -1.0}), -1.0
    return cost_vector(model, {cost_term(model): 1.0}), 1.0


def cost_term(model: AllocationModel) -> str:
    """The `cost_vector` term of the cost that min_cost minimises: the adjusted spend A where
    the document has bid adjustments, else the spend S (both $)."""
    return "spend" if model.col_adjusted_spend is None else "adjusted_spend"


def cost_column(model: AllocationModel) -> int:
    """The column of that cost (A or S)."""
    return model.col_spend if model.col_adjusted_spend is None else model.col_adjusted_spend


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
    coefficients: Mapping[tuple[int, int], float] | None = None,
) -> tuple[pulp.LpProblem, list[pulp.LpVariable], list[pulp.LpConstraint | None]]:
    """Write the model as a PuLP problem (minimise `cost`), optionally with changed bounds.

    `coefficients` ({(row, col): value}) replaces entries of the matrix that the model has.
    Returns the problem, its variables in column order and, per row, its constraint (None for
    a free row, which is left out). Expressions are `LpAffineExpression` over (variable,
    coefficient) pairs; never `lpSum` of products."""
    import pulp  # here: PuLP and its solver modules take ~0.1 s to import; HiGHS needs none

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
    changed_rows = {row for row, _ in coefficients or {}}
    for r, name in enumerate(model.row_names):
        lower, upper = row_lower[r], row_upper[r]
        if lower == -INF and upper == INF:
            constraints.append(None)
            continue
        begin, end = starts[r], starts[r + 1]
        row_values = values[begin:end]
        if coefficients and r in changed_rows:
            row_values = [
                coefficients.get((r, c), a)
                for c, a in zip(indexes[begin:end], row_values, strict=True)
            ]
        terms = pulp.LpAffineExpression(
            (variables[c], a) for c, a in zip(indexes[begin:end], row_values, strict=True)
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
