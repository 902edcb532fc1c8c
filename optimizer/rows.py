"""The model's rows, one function per family of constraints, called by
`optimizer.model.build_model` in the order of the rows (the formulation is in the
`optimizer.model` docstring)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from optimizer.columns import (
    INF,
    Columns,
    _max_vendors,
    _need_array,
    _vendor_capacity,
    impact_vendors,
    pair_suffix,
    vendor_pairs,
)
from optimizer.fields import month_text
from optimizer.problem import FloatArray, IntArray, Problem

DENSE_KEYS_PER_ROW = 4
"""`add_monthly_capacity_constraints` finds each (column, month)'s capacity row in a table of
every (vendor, month) key when the table has at most this many entries per look-up or
capacity row, else by binary search."""


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
        self.rule: list[IntArray] = []

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
        rule: int = -1,
    ) -> None:
        """One row `lower ≤ Σ vals·x[cols] ≤ upper` about one need, vendor, month or award
        rule (its position in its targets list; -1: none)."""
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
            np.array([rule]),
        )

    def add_many(
        self,
        names: list[str],
        kind: str | list[str],
        counts: npt.ArrayLike,
        cols: IntArray,
        vals: FloatArray,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        need: npt.ArrayLike,
        vendor: npt.ArrayLike,
        x: npt.ArrayLike,
        month: npt.ArrayLike | None = None,
        rule: npt.ArrayLike | None = None,
    ) -> None:
        """Rows of one kind (or of the kinds listed, one a row): row r has `counts[r]` terms,
        next in `cols` / `vals`; `x` is the x column a row is about (-1: none)."""
        self.cols.append(cols)
        self.vals.append(vals)
        self.counts.append(np.asarray(counts, dtype=np.int64))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.names.extend(names)
        self.kinds.extend([kind] * len(names) if isinstance(kind, str) else kind)
        self.need.append(np.asarray(need, dtype=np.int64))
        self.vendor.append(np.asarray(vendor, dtype=np.int64))
        self.x.append(np.asarray(x, dtype=np.int64))
        self.month.append(
            np.full(len(names), -1, np.int64) if month is None else np.asarray(month, np.int64)
        )
        self.rule.append(
            np.full(len(names), -1, np.int64) if rule is None else np.asarray(rule, np.int64)
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
        IntArray,
    ]:
        """(row_lower, row_upper, start, index, value, row_need, row_vendor, row_x,
        row_month, row_rule)."""
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
            np.concatenate(self.rule),
        )


def _ranges(start: IntArray, count: IntArray) -> IntArray:
    """start[0] … start[0] + count[0] − 1, then the same for each following pair, as one
    array."""
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    ranges: IntArray = np.repeat(start, count) + offset
    return ranges


# ---------------------------------------------------------------------------------------------
# one function per family of rows, called by build_model in the order of the rows


def add_demand_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`demand_nNNNNN`: Σ x over the need's offers = volume (units)."""
    w, count = columns.width, len(problem.needs)
    need_start = np.searchsorted(columns.x_need, np.arange(count + 1))
    volume = np.array([need.volume for need in problem.needs], dtype=float)
    cols = np.arange(need_start[0], need_start[-1])  # the columns are sorted by need
    rows.add_many(
        [f"demand_n{j:0{w}d}" for j in range(count)],
        "demand",
        np.diff(need_start),
        cols,
        np.ones(cols.size),
        volume,
        volume,
        np.arange(count),
        np.full(count, -1),
        np.full(count, -1),
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
    if not len(caps) or not columns.n_x:
        return
    w = columns.width
    months = np.array([need.months or 1 for need in problem.needs], dtype=np.int64)
    first = np.array(
        [-1 if need.first_month is None else need.first_month for need in problem.needs],
        dtype=np.int64,
    )
    # every (x column, month it runs), then the capacity row of its vendor that month, if any
    span = months[columns.x_need]
    k = np.repeat(np.arange(columns.n_x), span)
    month = _ranges(first[columns.x_need], span)
    low, high = int(min(caps.month.min(), month.min())), int(max(caps.month.max(), month.max()))
    width = high - low + 1
    cap_key = caps.vendor * width + (caps.month - low)  # sorted: caps are by (vendor, month)
    key = columns.x_vendor[k] * width + (month - low)
    if len(problem.vendors) * width <= DENSE_KEYS_PER_ROW * max(key.size, cap_key.size):
        # a table of every (vendor, month) key: one look-up each, no search
        table = np.full(len(problem.vendors) * width, -1, dtype=np.int64)
        table[cap_key] = np.arange(cap_key.size)
        row = table[key]
        found = row >= 0
    else:
        row = np.searchsorted(cap_key, key)
        found = (row < cap_key.size) & (cap_key[np.minimum(row, cap_key.size - 1)] == key)
    k, row = k[found], row[found]
    # by capacity row, then column: k already rises, and a column meets a row at most once
    order = np.argsort(row, kind="stable")
    k, row = k[order], row[order]
    counts = np.bincount(row, minlength=cap_key.size)
    used = np.flatnonzero(counts)
    counts = counts[used]
    if not used.size:
        return
    # set(), not np.unique: numpy 2.4's np.unique imports numpy.ma on its first call in a
    # process (about 15 ms, 47 M instructions: most of a cold 10k solve's overhead)
    month_part = {m: month_text(m).replace("-", "_") for m in set(caps.month.tolist())}
    vendor_part = {i: f"capacity_v{i:0{w}d}_m" for i in set(caps.vendor.tolist())}
    names = [
        vendor_part[i] + month_part[m]
        for i, m in zip(caps.vendor[used].tolist(), caps.month[used].tolist(), strict=True)
    ]
    rows.add_many(
        names,
        "vendor_capacity",
        counts,
        k,
        columns.x_hours[k] / months[columns.x_need[k]],
        np.full(used.size, -INF),
        caps.hours[used],
        np.full(used.size, -1),
        caps.vendor[used],
        np.full(used.size, -1),
        caps.month[used],
    )


def add_total_definitions(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`spend_total`: Σ price·x − S = 0 ($); `impact_total`: Σ impact_score·x − I = 0
    (points × units). Version 2 weights impact by labour hours (Σ impact_score ·
    hours_per_unit · x, points × hours) and adds `hours_total`: Σ hours_per_unit·x − H = 0
    and `worker_hours_total`: Σ impact_worker_share · hours_per_unit · x − W = 0 (hours);
    with bid adjustments, `adjusted_spend_total`: Σ adjusted_price·x − A = 0 ($)."""
    x_cols = np.arange(columns.n_x)
    weight = columns.x_hours if problem.version == 2 else 1.0
    definitions = [
        ("spend_total", columns.col_spend, columns.x_price),
        ("impact_total", columns.col_impact, columns.x_impact * weight),
    ]
    if columns.col_hours is not None and columns.col_worker_hours is not None:
        definitions += [
            ("hours_total", columns.col_hours, columns.x_hours),
            ("worker_hours_total", columns.col_worker_hours, columns.x_worker_share * weight),
        ]
    if columns.col_adjusted_spend is not None:
        definitions.append(
            ("adjusted_spend_total", columns.col_adjusted_spend, columns.x_adjusted_price)
        )
    for name, column, values in definitions:
        rows.add(name, "definition", np.append(x_cols, column), np.append(values, -1.0), 0.0, 0.0)


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
    """Version 2, `min_impact_worker_hours`: W + e_W ≥ target (hours); present (free) without
    the target, so that frontier and explanation solves only move its bound (e_W is fixed at 0
    but while the frontier looks for the most hours)."""
    if columns.col_worker_hours is None or columns.col_worker_shortfall is None:
        return
    target = problem.targets.min_impact_worker_hours
    rows.add(
        "min_impact_worker_hours",
        "min_impact_worker_hours",
        [columns.col_worker_hours, columns.col_worker_shortfall],
        [1.0, 1.0],
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
    # per family: its values and weights on every x column (rows of 3 × n_x arrays)
    values = np.stack(
        (
            columns.x_impact * columns.x_hours,
            columns.x_quality * columns.x_hours,
            member * columns.x_price,
        )
    )
    weights = np.stack((columns.x_hours, columns.x_hours, columns.x_price))
    kinds = ("need_avg_impact", "need_avg_quality", "need_impact_spend_share")
    # the rows in need order, each need's families in `kinds` order: (need, family, target)
    found = [
        (j, family, target)
        for j, need in enumerate(problem.needs)
        for family, target in enumerate(
            (need.min_avg_impact, need.min_avg_quality, need.min_impact_spend_share)
        )
        if target is not None
    ]
    if not found:
        return
    need, family, target = (np.array(column) for column in zip(*found, strict=True))
    counts = need_start[need + 1] - need_start[need]
    cols = _ranges(need_start[need], counts)
    term_family, term_target = np.repeat(family, counts), np.repeat(target.astype(float), counts)
    rows.add_many(
        [f"{kinds[f]}_n{j:0{w}d}" for j, f, _ in found],
        [kinds[f] for _, f, _ in found],
        counts,
        cols,
        values[term_family, cols] - term_target * weights[term_family, cols],
        np.zeros(len(found)),
        np.full(len(found), INF),
        need,
        np.full(len(found), -1),
        np.full(len(found), -1),
    )


def add_vendor_share_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """Version 2, `vendor_share_nNNNNN_vVVVVV`: Σ x over the vendor's offers for the need ≤
    max_vendor_share × volume (units of the need), for each vendor with two or more eligible
    offers for a need whose share is below 1, where their own upper bounds add up to more
    (else the row could never bind). A vendor's only offer needs no row: its column bound
    (`optimizer.columns.x_upper_bounds`) is the rule."""
    if problem.version != 2 or not columns.n_x:
        return
    w = columns.width
    first, size = vendor_pairs(columns.x_rank)
    need = columns.x_need[first]
    share = _need_array(problem, "max_vendor_share")[need]
    limit = share * _need_array(problem, "volume")[need]
    keep = np.flatnonzero(
        (size > 1) & (share < 1.0) & (np.add.reduceat(columns.x_upper, first) > limit)
    )
    if not keep.size:
        return
    vendor = columns.x_vendor[first[keep]]
    rows.add_many(
        [
            f"vendor_share{pair_suffix(n, v, 0, w)}"
            for n, v in zip(need[keep].tolist(), vendor.tolist(), strict=True)
        ],
        "max_vendor_share",
        size[keep],
        _ranges(first[keep], size[keep]),
        np.ones(int(size[keep].sum())),
        np.full(keep.size, -INF),
        limit[keep],
        need[keep],
        vendor,
        np.full(keep.size, -1),
    )


def add_mip_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """The integer rules, when the model has binaries (see `optimizer.columns._binaries`):

    * `min_order_…`: x − min_order·y ≥ 0 and `use_…`: x − upper·y ≤ 0 for an offer's binary,
      with the tightest known upper limit on x (units);
    * `vendor_use_…`: x − upper·y ≤ 0 for each offer a vendor's binary switches (a vendor with
      several offers for one need, version 2);
    * `max_vendors_nNNNNN`: Σ y ≤ k over the need's vendor binaries, so a vendor counts once
      however many of its offers get volume;
    * `min_award_nNNNNN_vVVVVV` (version 2): Σ x − min_award·y ≥ 0 over the vendor's offers
      for a need with a min_award, y its binary for the need, so a vendor given anything there
      gets at least min_award units in total however its volume is split over its prices.

    The big-M of the `use_…` / `vendor_use_…` rows, which switch every offer of a y off with
    it, is the tightest upper limit on x known from the data alone: the least of the column's
    bound (the offer's capacity, × months in version 2, and max_vendor_share × volume), the
    need's volume (Σ x over the need = volume) and, in version 1, the vendor's capacity. None
    of these cuts off a plan, and none is above 1e12 units (the largest volume allowed), so the
    rows stay within what the solvers handle; monthly capacities (version 2) are left to their
    own rows."""
    y_x, y_cols = columns.y_x, columns.y_cols
    if not y_x.size:
        return
    w = columns.width
    x_need, x_vendor, min_order = columns.x_need, columns.x_vendor, columns.min_order
    volume = _need_array(problem, "volume")
    use_upper = np.minimum(
        np.minimum(columns.x_upper, volume[x_need]), _vendor_capacity(problem)[x_vendor]
    )
    # every (binary, x column it switches): a vendor's binary switches y_offers columns
    y_row = np.repeat(np.arange(y_x.size), columns.y_offers)
    switched = _ranges(y_x, columns.y_offers)
    names = [
        pair_suffix(n, v, o, w)
        for n, v, o in zip(
            x_need[switched].tolist(),
            x_vendor[switched].tolist(),
            columns.x_rank[switched].tolist(),
            strict=True,
        )
    ]
    own = columns.y_offers[y_row] == 1
    with_min = np.flatnonzero(own & (min_order[switched] > 0))
    if with_min.size:
        rows.add_many(
            [f"min_order{names[r]}" for r in with_min],
            "min_order",
            np.full(with_min.size, 2),
            np.column_stack([switched[with_min], y_cols[y_row[with_min]]]).ravel(),
            np.column_stack([np.ones(with_min.size), -min_order[switched[with_min]]]).ravel(),
            np.zeros(with_min.size),
            np.full(with_min.size, INF),
            x_need[switched[with_min]],
            x_vendor[switched[with_min]],
            switched[with_min],
        )
    rows.add_many(
        [f"{'use' if own[r] else 'vendor_use'}{name}" for r, name in enumerate(names)],
        "vendor_use",
        np.full(switched.size, 2),
        np.column_stack([switched, y_cols[y_row]]).ravel(),
        np.column_stack([np.ones(switched.size), -use_upper[switched]]).ravel(),
        np.full(switched.size, -INF),
        np.zeros(switched.size),
        x_need[switched],
        x_vendor[switched],
        switched,
    )
    max_vendors = _max_vendors(problem)
    for j, need in enumerate(problem.needs):
        if need.max_vendors is None:
            continue
        members = y_cols[columns.y_vendor & (x_need[y_x] == j)]
        rows.add(
            f"max_vendors_n{j:0{w}d}",
            "max_vendors",
            members,
            np.ones(members.size),
            -INF,
            float(max_vendors[j]),
            need=j,
        )
    _add_min_award_rows(rows, problem, columns)


def _add_min_award_rows(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """`min_award_nNNNNN_vVVVVV`: Σ x over the vendor's offers for the need − min_award·y ≥ 0,
    one per vendor binary of a need with a min_award above 0 (units of the need)."""
    min_award = np.array([need.min_award or 0.0 for need in problem.needs], dtype=float)
    y_need = columns.x_need[columns.y_x]
    pick = np.flatnonzero(columns.y_vendor & (min_award[y_need] > 0))
    if not pick.size:
        return
    first, size = columns.y_x[pick], columns.y_offers[pick]
    need, vendor = y_need[pick], columns.x_vendor[first]
    # each row: the pair's x columns (coefficient 1), then its binary (−min_award)
    y_at = np.cumsum(size + 1) - 1
    on_x = np.ones(int(y_at[-1]) + 1, dtype=bool)
    on_x[y_at] = False
    cols = np.empty(on_x.size, dtype=np.int64)
    cols[on_x], cols[y_at] = _ranges(first, size), columns.y_cols[pick]
    vals = np.ones(on_x.size)
    vals[y_at] = -min_award[need]
    rows.add_many(
        [
            f"min_award{pair_suffix(n, v, 0, columns.width)}"
            for n, v in zip(need.tolist(), vendor.tolist(), strict=True)
        ],
        "min_award",
        size + 1,
        cols,
        vals,
        np.zeros(pick.size),
        np.full(pick.size, INF),
        need,
        vendor,
        first,
    )


AWARD_ROWS = ("vendor_group_min_share", "vendor_group_max_share", "incumbent")
"""Version 2: the kinds of the award rules' rows (see `add_award_rule_constraints`)."""


def add_award_rule_constraints(rows: _Rows, problem: Problem, columns: Columns) -> None:
    """Version 2's award rules (`optimizer.award`), one row each, the rule's position in its
    targets list in the name (`gGGGGG`, `iIIIII`):

    * `vendor_group_min_share_gGGGGG`: Σ m·(member − min_share)·x ≥ 0 and
      `vendor_group_max_share_gGGGGG`: Σ m·(member − max_share)·x ≤ 0, over all x (or the
      group's need's), where m is hours_per_unit (measure "hours") or the real price
      ("spend") and member is 1 for the group's vendors: the group's Σ m·x against the share
      of everyone's. A minimum of 0 or a maximum of 1 always holds and gets no row;
    * `incumbent_iIIIII`: Σ x over the incumbents' eligible offers for the need ≥ the
      larger of min_share × volume and min_volume (units of the need)."""
    award = problem.award
    if problem.version != 2 or not (award.vendor_groups or award.incumbents):
        return
    w = columns.width
    for group in award.vendor_groups:
        scope = np.arange(columns.n_x)
        if group.need >= 0:
            scope = scope[columns.x_need == group.need]
        member = np.isin(columns.x_vendor[scope], group.vendors).astype(float)
        measure = (columns.x_hours if group.measure == "hours" else columns.x_price)[scope]
        for kind, share, lower, upper in (
            ("vendor_group_min_share", group.min_share, 0.0, INF),
            ("vendor_group_max_share", group.max_share, -INF, 0.0),
        ):
            if share is None or (kind.endswith("min_share") and share <= 0.0):
                continue
            if kind.endswith("max_share") and share >= 1.0:
                continue
            values = measure * (member - share)
            keep = values != 0.0
            rows.add(
                f"{kind}_g{group.index:0{w}d}",
                kind,
                scope[keep],
                values[keep],
                lower,
                upper,
                need=group.need,
                rule=group.index,
            )
    for rule in award.incumbents:
        cols = np.flatnonzero(
            (columns.x_need == rule.need) & np.isin(columns.x_vendor, rule.vendors)
        )
        rows.add(
            f"incumbent_i{rule.index:0{w}d}",
            "incumbent",
            cols,
            np.ones(cols.size),
            rule.required,
            INF,
            need=rule.need,
            rule=rule.index,
        )
