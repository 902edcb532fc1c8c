"""Relax prioritised targets when they cannot all hold: a lexicographic elastic LP.

`targets.priorities` (`optimizer.priorities`) marks targets that may give way; the others are
hard. When the model with every target is infeasible, `relax_by_priority`:

1. builds the elastic model: each prioritised row gets a slack column s ≥ 0, `relax_<row>`,
   that loosens it (a x + s ≥ b for a minimum, a x − s ≤ b for a cap); s is in the row's own
   unit, the quantity the target adds up: $ of spend for the budget, impact points × labour
   hours for an average impact, $ of impact-vendor spend for a spend share, units of the need
   for an incumbent rule;
2. from the highest priority down, minimises the level's Σ s / scale with the slacks of the
   lower levels free, then holds that optimum (exactly, by complementary slackness,
   `solve.hold_optimum`; for a MIP, each slack within the tie-break tolerance of its value).
   The first level's run also asks whether the hard rules alone can hold: if it is
   infeasible they cannot, and the result stays `infeasible`, explained by
   `explain_hard_conflict` on the model without the prioritised targets (they would give
   way, so they are not the cause). So a higher priority gives way only when relaxing every
   lower one, however far, is not enough (preemptive goal programming), and each level gives
   way by the least amount;
3. with every level held, one more run of the primary objective (an LP only) chooses, among
   the ways to split a level's relaxation over its targets, the one the objective prefers;
4. the built model with each relaxed row's bound moved by its slack (and LOOSEN_TOL) is
   solved as usual (`solve.solve_model`), starting from the last elastic plan: the
   objective, the tie-break, shadow prices and the MIP gap are those of the relaxed targets.
   When the time runs out before that solve has a plan, the result is `time_limit` with the
   last elastic plan (which holds the relaxed targets) and its relaxations.

Why slack in the row's unit, and `scale`: the rows are linear where the targets are ratios
(an average weighted by hours, a share of spend), so the least slack is the least shortfall
of what the target adds up, and the LP stays an LP. When the ratio's denominator cannot move
(budget, impact-worker hours, incumbent rules, averages over needs whose offers take the same
hours per unit) it is exactly the least change of the figure itself. Targets of one priority
are weighed by `relaxation_scale`, their size on an even spread of every need over its
offers: Σ s / scale is then the sum of their relative relaxations, so a $ budget and an
average of points give way alike.

`relaxations` lists each target the plan relaxes, with what it was asked, what the plan
reaches (in the target's own unit), the difference and a sentence that says what relaxing it
bought: the higher-priority targets that then held. Options.time_limit covers every run:
each gets what is left of it (`solve.Deadline`). After a level is held its plan stays
feasible, so an LP's next run goes on from it by the primal simplex, and a MIP's starts with
it as its incumbent (`solve.SolverSession.use_primal_simplex`, `start_with`): the warm dual
simplex took 286.6 s for one level of bench/bench_award_rules.py (the primal: 0.2 s), and a
MIP run cut short by the time limit keeps a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import numpy as np

from optimizer.explain import (
    Explanation,
    award_limit,
    explain_infeasible,
    limit_text,
    workable_limit,
)
from optimizer.model import INF, AllocationModel, LinearProgram, build_model, primary_cost
from optimizer.priorities import GROUP_LIMITS, NEED_TARGETS, PORTFOLIO_TARGETS, Priority
from optimizer.problem import Document, FloatArray, IntArray, Problem
from optimizer.result import (
    award_rule_name,
    group_measure,
    need_units,
    plan_result,
    row_description,
    row_group,
    row_incumbents,
)
from optimizer.solve import (
    Deadline,
    SolveOutcome,
    Solver,
    SolverSession,
    StagedSolution,
    StageRecord,
    hold_optimum,
    keep_within,
    record_stage,
    solve_model,
)
from optimizer.status import Status
from optimizer.totals import clean

RELAXED_TOL = 1e-9
"""A slack at most this × its scale leaves the target held (solver rounding)."""
SCALE_FLOOR = 1e-6
"""`relaxation_scale` never goes below this × the target's denominator (a target of 0)."""
LOOSEN_TOL = 1e-9
"""A relaxed row is loosened by its slack × (1 + this) + this × its scale: far below what a
result shows (6 decimals), above the elastic solve's rounding."""
NO_DENOMINATOR = 1e-12
"""A ratio whose denominator is at most this has no value in the plan (nothing in scope)."""
HARD_CONFLICT = (
    "The rules without a priority conflict: no plan meets them even with every prioritised "
    "target relaxed."
)
"""The start of the summary when the rules without a priority admit no plan."""


class Relaxation(TypedDict):
    """One relaxed target: `target` its key in targets.priorities, `label` the rule as set,
    `asked` and `reached` in `unit` (`reached`: what the plan reaches), `relaxed_by` their
    difference (≥ 0), `held` the keys of the higher-priority targets that hold, `sentence`
    all of it in words."""

    target: str
    label: str
    priority: int
    asked: float
    reached: float | None
    relaxed_by: float | None
    unit: str
    held: list[str]
    sentence: str


def _dot(a: FloatArray, b: FloatArray) -> float:
    """a · b without BLAS: one of hundreds of dot products of x-sized vectors, each of which
    OpenBLAS hands to its threads, ~2 ms a call on two busy cores (measured: 2.8 s for the
    396 `reached` of bench/bench_award_rules.py at 150 × 400, 0.1 s with einsum)."""
    return float(np.einsum("i,i->", a, b))


@dataclass(frozen=True)
class TargetMeasure:
    """A prioritised row's target in its own unit: reached = numerator·x / (denominator·x +
    constant) over the x columns (one vendor's largest spend for max_vendor_spend_share),
    `asked` the value set, `limit_name` its key in `explain.TARGET_LIMITS`, `cap` True for an
    upper limit."""

    numerator: FloatArray
    denominator: FloatArray
    constant: float
    asked: float
    limit_name: str
    cap: bool
    what: str
    unit: str
    largest_vendor: bool = False

    def reached(self, model: AllocationModel, x: FloatArray) -> float | None:
        xs = x[: model.n_x]
        bottom = _dot(self.denominator, xs) + self.constant
        if bottom <= NO_DENOMINATOR:
            return None
        if self.largest_vendor:
            spend = np.bincount(model.x_vendor, weights=self.numerator * xs)
            return float(spend.max(initial=0.0)) / bottom
        return _dot(self.numerator, xs) / bottom


@dataclass(frozen=True)
class RelaxedSolve:
    """`relax_by_priority`'s outcome: status optimal_relaxed (or time_limit, or infeasible when
    the hard rules alone cannot hold), the model with the relaxed bounds, its staged solve
    (every stage since the first solve in `stages`) and the relaxations. `hard_conflict`: the
    rules without a priority admit no plan (explain it by `explain_hard_conflict`)."""

    status: Status
    model: AllocationModel
    staged: StagedSolution
    relaxations: list[Relaxation]
    hard_conflict: bool = False


def prioritised_rows(model: AllocationModel) -> list[tuple[int, Priority]]:
    """(row, priority) of each prioritised target that has a row (a group minimum of 0 or a
    cap of 1 always holds and has none), in row order."""
    kinds = np.asarray(model.row_kind)
    found = []
    for priority in model.problem.priorities:
        match = kinds == priority.kind
        if priority.need >= 0:
            match &= model.row_need == priority.need
        if priority.rule >= 0:
            match &= model.row_rule == priority.rule
        rows = np.flatnonzero(match)
        if rows.size:
            found.append((int(rows[0]), priority))
    return sorted(found, key=lambda pair: pair[0])


def target_measure(model: AllocationModel, r: int) -> TargetMeasure:
    """What prioritised row r's target measures (see `TargetMeasure`)."""
    kind, problem, n = model.row_kind[r], model.problem, model.n_x
    targets, hours, price = problem.targets, model.x_hours, model.x_price
    j = int(model.row_need[r])
    inside = (model.x_need == j).astype(float) if j >= 0 else np.ones(n)
    need = f"need {problem.needs[j].id}'s " if j >= 0 else ""
    zeros = np.zeros(n)
    impact_spend = price * model.impact_vendor[model.x_vendor]
    if kind == "budget":
        return TargetMeasure(price, zeros, 1.0, _set(targets.budget), kind, True, "budget", "$")
    if kind == "min_impact_worker_hours":
        return TargetMeasure(
            model.x_worker_share * hours,
            zeros,
            1.0,
            _set(targets.min_impact_worker_hours),
            kind,
            False,
            "impact-worker hours",
            "impact-worker hours",
        )
    if kind == "max_vendor_spend_share":
        asked = _set(targets.max_vendor_spend_share)
        return TargetMeasure(
            price, price, 0.0, asked, kind, True, "one vendor's share of spend", "share (0-1)", True
        )
    ratios = {
        "min_avg_impact": (model.x_impact * hours, hours, "average impact"),
        "min_avg_quality": (model.x_quality * hours, hours, "average quality"),
        "min_impact_spend_share": (impact_spend, price, "impact vendors' share of spend"),
    }
    for field, row_kinds in ratios.items():
        if kind in (field, field.replace("min_", "need_", 1)):
            numerator, denominator, what = row_kinds
            asked = getattr(problem.needs[j] if j >= 0 else targets, field)
            return TargetMeasure(
                numerator * inside,
                denominator * inside,
                0.0,
                _set(asked),
                field,
                False,
                need + what,
                _UNITS[field],
            )
    if kind == "incumbent":
        rule = row_incumbents(model, r)
        limit_name, _, asked = award_limit(model, r)
        kept = ((model.x_need == rule.need) & np.isin(model.x_vendor, rule.vendors)).astype(float)
        share = limit_name == "incumbent_min_share"
        volume = problem.needs[rule.need].volume
        return TargetMeasure(
            kept,
            zeros,
            volume if share else 1.0,
            asked,
            limit_name,
            False,
            award_rule_name(model, r),
            "share (0-1)" if share else need_units(model, rule.need),
        )
    group = row_group(model, r)
    measure = hours if group.measure == "hours" else price
    scope = measure * ((model.x_need == group.need) if group.need >= 0 else np.ones(n, bool))
    member = np.isin(model.x_vendor, group.vendors)
    cap = kind == "vendor_group_max_share"
    return TargetMeasure(
        scope * member,
        scope,
        0.0,
        _set(group.max_share if cap else group.min_share),
        kind,
        cap,
        f"{award_rule_name(model, r)} ({group_measure(model, group)})",
        "share (0-1)",
    )


_UNITS = {
    "min_avg_impact": "points of average impact",
    "min_avg_quality": "average quality (0-1)",
    "min_impact_spend_share": "share (0-1)",
}


def _set(value: float | None) -> float:
    if value is None:
        raise ValueError("a prioritised target that the document does not set")
    return value


def even_spread(model: AllocationModel) -> FloatArray:
    """Each need's volume spread evenly over its eligible offers (units per x column): the
    plan `relaxation_scale` sizes targets on."""
    count = np.bincount(model.x_need, minlength=len(model.problem.needs))
    volume = np.array([need.volume for need in model.problem.needs])
    spread: FloatArray = volume[model.x_need] / np.maximum(count[model.x_need], 1)
    return spread


def relaxation_scale(measure: TargetMeasure, spread: FloatArray) -> float:
    """The size of a target in its row's unit: |asked| × its denominator on the even spread
    ($ for the budget, points × hours for an average impact, $ for a share of spend), at
    least SCALE_FLOOR × that denominator. A row's slack / scale is its relative relaxation."""
    bottom = max(_dot(measure.denominator, spread) + measure.constant, NO_DENOMINATOR)
    return max(abs(measure.asked), SCALE_FLOOR) * bottom


def elastic_model(model: AllocationModel, rows: IntArray) -> AllocationModel:
    """The model with one slack column per row in `rows` (sorted), after every other column:
    +1 in a row with a lower bound (a minimum), −1 in one with an upper bound (a cap)."""
    lp = model.lp
    rows = np.asarray(rows, dtype=np.int64)
    sign = np.where(np.isfinite(lp.row_lower[rows]), 1.0, -1.0)
    columns = lp.num_col + np.arange(rows.size)
    at = lp.start[rows + 1]
    before = np.searchsorted(rows, np.arange(lp.num_row + 1), side="left")
    elastic = LinearProgram(
        np.append(lp.col_lower, np.zeros(rows.size)),
        np.append(lp.col_upper, np.full(rows.size, INF)),
        np.append(lp.integer, np.zeros(rows.size, dtype=bool)),
        lp.row_lower,
        lp.row_upper,
        (lp.start + before).astype(np.int32),
        np.insert(lp.index, at, columns).astype(np.int32),
        np.insert(lp.value, at, sign),
    )
    return replace(model, lp=elastic, slack_rows=rows)


def _hold_level(
    elastic: AllocationModel,
    session: SolverSession,
    outcome: SolveOutcome,
    columns: list[int],
) -> None:
    """Keep the next runs on the optimal plans of this level (see the module docstring). The
    plan stays feasible, so an LP's next run goes on from it by the primal simplex, and a
    MIP's starts with it as its incumbent."""
    if outcome.row_dual is not None and outcome.col_dual is not None:
        hold_optimum(elastic, session, outcome, columns[0], upper=True)
        session.use_primal_simplex()
        return
    plan = outcome.plan
    for column in columns:
        session.set_col_bounds([column], [0.0], [keep_within(float(plan[column]), upper=True)])
    session.start_with(plan)


def relaxed_bounds(
    model: AllocationModel, rows: IntArray, slack: FloatArray, scale: FloatArray
) -> AllocationModel:
    """The model with each row in `rows` loosened by its slack (row units) and LOOSEN_TOL of
    it and of its scale, so that rounding in the elastic solve cannot make the relaxed model
    infeasible; rows with no slack keep their bound."""
    lower, upper = model.lp.row_lower.copy(), model.lp.row_upper.copy()
    for r, s, size in zip(rows.tolist(), slack.tolist(), scale.tolist(), strict=True):
        if s <= 0.0:
            continue
        loosen = s + LOOSEN_TOL * (s + size)
        if np.isfinite(lower[r]):
            lower[r] -= loosen
        else:
            upper[r] += loosen
    lower.flags.writeable = upper.flags.writeable = False
    return replace(model, lp=replace(model.lp, row_lower=lower, row_upper=upper))


def relax_by_priority(
    model: AllocationModel,
    solver: Solver,
    deadline: Deadline,
    tie_break: bool,
    stages: list[StageRecord],
) -> RelaxedSolve:
    """Relax the prioritised targets of an infeasible model (see the module docstring).
    `stages` are the runs so far (the infeasible solve); the outcome's staged solve lists
    them and every run after."""
    if deadline.expired():  # building the elastic model alone took 4 s at 100,000 offers
        return _without_plan(model, Status.TIME_LIMIT, stages)
    pairs = prioritised_rows(model)
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    spread = even_spread(model)
    measures = [target_measure(model, r) for r in rows.tolist()]
    scale = np.array([relaxation_scale(measure, spread) for measure in measures])
    elastic = elastic_model(model, rows)
    slack_cols = model.lp.num_col + np.arange(rows.size)
    session = solver.open(elastic)
    status = Status.OPTIMAL
    outcome: SolveOutcome | None = None
    for level in sorted({priority.level for _, priority in pairs}, reverse=True):
        members = [i for i, (_, priority) in enumerate(pairs) if priority.level == level]
        cost = np.zeros(elastic.lp.num_col)
        # Σ s / scale, times the level's least scale: its largest cost is 1, so reduced costs
        # stay well above DUAL_TOL and `hold_optimum` holds the level (1 / scale alone can be
        # 1e-8 on a $10 million budget)
        cost[slack_cols[members]] = scale[members].min() / scale[members]
        session.set_cost(cost)
        run = session.run(deadline.remaining(), col_dual=True)
        record_stage(stages, f"relax_priority_{level}", run)
        if run.x is None:
            if run.status == Status.INFEASIBLE or outcome is None:
                # infeasible at the first level: the hard rules alone cannot hold
                hard = outcome is None and run.status == Status.INFEASIBLE
                return _without_plan(model, run.status, stages, hard)
            status = run.status  # out of time: keep the last level's plan
            break
        outcome = run
        if run.status != Status.OPTIMAL:
            status = run.status
            break
        _hold_level(elastic, session, run, slack_cols[members].tolist())
    if outcome is None:  # no prioritised target has a row: the model is the hard rules
        return _without_plan(model, Status.INFEASIBLE, stages, True)
    if status == Status.OPTIMAL and not elastic.lp.is_mip and not deadline.expired():
        session.set_cost(primary_cost(elastic)[0])
        run = session.run(deadline.remaining(), col_dual=False)
        record_stage(stages, "relaxed_objective", run)
        if run.status == Status.OPTIMAL:
            outcome = run
    slack = np.maximum(outcome.plan[slack_cols], 0.0)
    relaxed = relaxed_bounds(model, rows, slack, scale)
    plan = outcome.plan[: model.lp.num_col]  # within the relaxed bounds: the final run's start
    staged = solve_model(relaxed, solver, deadline, tie_break, start=plan)
    staged = replace(staged, stages=stages + staged.stages)
    if staged.x is None and staged.status == Status.TIME_LIMIT:
        # out of time before the relaxed model gave a plan: report the elastic run's
        staged = replace(staged, x=plan, mip_gap=None)
    if staged.x is None:
        return RelaxedSolve(staged.status, relaxed, staged, [])
    final = Status.OPTIMAL_RELAXED if staged.status == Status.OPTIMAL else Status.TIME_LIMIT
    if status != Status.OPTIMAL:
        final = Status.TIME_LIMIT
    held = slack <= RELAXED_TOL * scale
    entries = [
        _relaxation(model, int(r), measures, pairs, held, staged.x, i)
        for i, r in enumerate(rows.tolist())
        if not held[i]
    ]
    entries.sort(key=lambda entry: (entry["priority"], entry["target"]))
    return RelaxedSolve(final, relaxed, staged, entries)


def _without_plan(
    model: AllocationModel, status: Status, stages: list[StageRecord], hard: bool = False
) -> RelaxedSolve:
    staged = StagedSolution(status, None, None, None, None, "not run", stages)
    return RelaxedSolve(status, model, staged, [], hard)


def without_priorities(problem: Problem) -> Problem:
    """The problem with every prioritised target left out: the rules without a priority. An
    incumbent rule is dropped and a group keeps its other limit; every rule keeps its
    position (`index`), so row names and field paths stay those of the document."""
    portfolio: dict[str, Any] = {
        p.kind: None for p in problem.priorities if p.kind in PORTFOLIO_TARGETS
    }
    need_fields = {kind: field for field, kind in NEED_TARGETS.items()}
    group_fields = {kind: field for field, kind in GROUP_LIMITS.items()}
    needs = list(problem.needs)
    groups = {group.index: group for group in problem.award.vendor_groups}
    dropped = set()
    for p in problem.priorities:
        cleared: dict[str, Any] = {
            need_fields.get(p.kind) or group_fields.get(p.kind) or p.kind: None
        }
        if p.kind in need_fields and p.need >= 0:
            needs[p.need] = replace(needs[p.need], **cleared)
        elif p.kind in group_fields and p.rule in groups:
            groups[p.rule] = replace(groups[p.rule], **cleared)
        elif p.kind == "incumbent":
            dropped.add(p.rule)
    award = replace(
        problem.award,
        vendor_groups=tuple(groups.values()),
        incumbents=tuple(r for r in problem.award.incumbents if r.index not in dropped),
    )
    return replace(
        problem,
        needs=tuple(needs),
        targets=replace(problem.targets, **portfolio),
        award=award,
        priorities=(),
    )


def explain_hard_conflict(problem: Problem, solver: Solver, deadline: Deadline) -> Explanation:
    """The explanation when the rules without a priority admit no plan (`hard_conflict`):
    that of the model without the prioritised targets, which would give way and so are no
    cause, in the checks, the targets relaxed one at a time or the conflicting set. The
    summary says so first (HARD_CONFLICT); `prioritised` lists the keys left out."""
    explanation = explain_infeasible(build_model(without_priorities(problem)), solver, deadline)
    explanation["summary"] = f"{HARD_CONFLICT} {explanation['summary']}"
    explanation["prioritised"] = sorted(p.key for p in problem.priorities)
    return explanation


def _said(measure: TargetMeasure, value: float, exact: bool) -> str:
    """A target's value in words, rounded toward holding unless `exact`."""
    shown = value if exact else workable_limit(measure.limit_name, clean(value) or 0.0)
    text = limit_text(measure.limit_name, shown)
    return f"{text} {measure.unit}" if measure.limit_name == "incumbent_min_volume" else text


def _relaxation(
    model: AllocationModel,
    r: int,
    measures: list[TargetMeasure],
    pairs: list[tuple[int, Priority]],
    held: np.ndarray,
    x: FloatArray,
    i: int,
) -> Relaxation:
    priority, measure = pairs[i][1], measures[i]
    reached = measure.reached(model, x)
    side = "at most" if measure.cap else "at least"
    higher = [
        (pairs[k][1], measures[k])
        for k in range(len(pairs))
        if held[k] and pairs[k][1].level > priority.level
    ]
    what = measure.what[0].upper() + measure.what[1:]
    to = f"relaxed to {_said(measure, reached, False)}" if reached is not None else "relaxed"
    asked = _said(measure, measure.asked, True)
    sentence = f"{what} {side} {asked} {to} (priority {priority.level})"
    if higher:
        kept = [
            f"{other.what} {'at most' if other.cap else 'at least'} "
            f"{_said(other, other.asked, True)} (priority {p.level})"
            for p, other in sorted(higher, key=lambda pair: -pair[0].level)
        ]
        listed = kept[0] if len(kept) == 1 else ", ".join(kept[:-1]) + " and " + kept[-1]
        sentence += f", so that {listed} {'holds' if len(kept) == 1 else 'hold'}."
    else:
        sentence += ", so that the rules without a priority hold."
    difference = None
    if reached is not None:
        difference = reached - measure.asked if measure.cap else measure.asked - reached
    return {
        "target": priority.key,
        "label": row_description(model, r)["label"],
        "priority": priority.level,
        "asked": measure.asked,
        "reached": clean(reached),
        "relaxed_by": clean(None if difference is None else max(difference, 0.0)),
        "unit": measure.unit,
        "held": [p.key for p, _ in sorted(higher, key=lambda pair: -pair[0].level)],
        "sentence": sentence,
    }


def relaxed_result(relaxed: RelaxedSolve, solver_info: Mapping[str, Any]) -> Document:
    """The result document of a relaxed solve that has a plan: the usual plan result of the
    relaxed model, with status optimal_relaxed (or time_limit) and `relaxations`."""
    result = plan_result(relaxed.model, relaxed.staged, solver_info)
    result["status"] = relaxed.status
    result["relaxations"] = relaxed.relaxations
    return result
