"""Solve a built model with an injected solver, in stages.

A `Solver` opens a `SolverSession` on a model; a session keeps one solver model alive and
accepts new costs and bounds between runs (HiGHS re-runs warm from the previous basis; the CBC
session rewrites the PuLP model each run, cold). Every run gets a time limit. A HiGHS MIP run
of MIP_CHILD_MIN_BINARIES or more goes on in a forked child process that is killed
MIP_KILL_GRACE seconds after its limit, keeping the last improving solution it sent
(`HighsSession._run_mip_in_child`): HiGHS' root node does not always check the limit.

Backends:

* `HighsSolver` (default): the model's arrays go to highspy in one `passModel`. HiGHS runs
  serial dual simplex (threads=1, random_seed=0, parallel off), so a model gives the same
  answer every time. Everything is minimised, which also sidesteps `pulp.HiGHS`'s flipped
  duals under maximisation (reference/optimizer.md §4.1).
* `CbcSolver`: the official PuLP model (`model.to_pulp`) solved by `pulp.COIN_CMD` (cold
  runs; COIN_CMD reports no MIP gap, so `mip_gap` is null with CBC). The CBC
  binary is `cbc` on PATH or, failing that, the CBC 2.10.3 binary shipped inside the PuLP 3.3
  wheel, run through `COIN_CMD` (not the deprecated `PULP_CBC_CMD` class). When neither exists
  (PuLP 4 removes the bundled binary) `make_solver` raises `SolverUnavailable`, which the
  public functions report as status "error" with code "solver_unavailable".

Stages (`solve_model`):

1. the primary objective (least cost, or most impact; version 2's most average impact by
   Dinkelbach rounds, `highest_average_impact`, recorded as average_impact_1, 2, ...);
2. among the plans optimal for stage 1, the other objective (most impact for min_cost, least
   cost for max_impact);
3. among the plans optimal for both, minimise Σ w_k · x_k with fixed weights w_k by the
   position k of the offer in (need id, vendor id) order (`order_weights`), so that remaining
   ties always go the same way, whatever the solver or the order of the document's lists.

"Optimal for the earlier stage" is held exactly, by complementary slackness (`hold_optimum`).
For a MIP, stages 2 and 3 run on the LP with the binaries fixed at the stage-1 plan, so they
keep its vendor choices. Shadow prices come from the stage-1 duals (for a MIP: of that LP).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Protocol, TypedDict

import highspy
import numpy as np
import numpy.typing as npt
from highspy.highs import HighsCallbackEvent

from optimizer.model import (
    AllocationModel,
    Int32Array,
    LinearProgram,
    cost_column,
    cost_term,
    cost_vector,
    primary_cost,
    to_pulp,
)
from optimizer.problem import DEFAULT_MIP_REL_GAP, BoolArray, FloatArray, IntArray, Options
from optimizer.status import Status

TIE_REL, TIE_ABS = 1e-7, 1e-6
"""Without duals (a MIP frontier anchor): how far a later stage may move off the earlier
optimum, relative and absolute ($ or impact points × units)."""
DUAL_TOL = 1e-9
"""A reduced cost or dual above this (objective units per unit) counts as nonzero."""
AT_BOUND_TOL = 1e-9
"""A value within this of a bound, relative to the larger of 1, |bound| and the row's |A| |x|,
is at the bound (`_at`)."""
RANGING_TOL = 1e-9
"""`stays_optimal_as_cost_rises`: a scaled dual infeasibility above this means the basis does
not stay optimal (measured on random instances: ≤ 1e-14 when it does, ≥ 2e-4 when not)."""
MIN_RUN_SECONDS = 0.01
"""The shortest time limit handed to a solver run (CBC, HiGHS' IIS), in seconds."""
HIGHS_DUAL_SIMPLEX, HIGHS_PRIMAL_SIMPLEX = 1, 4
"""HiGHS' `simplex_strategy` values for the (serial) dual and the primal simplex."""
HIGHS_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)
"""`HighsInfo.primal_solution_status` (an int) of a run that holds a feasible solution: 2."""
CBC_RANDOM_SEED = 42
"""CBC's randomSeed and randomCbcSeed, fixed so that a run repeats."""
CBC_VERSION_TIMEOUT = 10
"""Seconds to wait for `cbc -quit` to print its version banner."""
SECONDS_DECIMALS = 6
"""Solver times are reported to the microsecond."""
DINKELBACH_ROUNDS = 50
"""At most this many ratio rounds for version 2's max_impact (it converges in a handful)."""
DINKELBACH_TOL = 1e-9
"""A round gaining less than this (points × hours per hour of the plan) ends the rounds."""
TINY_HOURS = 1e-12
"""Guards the ratio I / H against a plan without hours."""
COLUMNS_PER_NEED = 12
"""`HighsSession.run_on_columns` starts with this many x columns of each need (the cheapest)."""
PRICING_TOL = 1e-7
"""A left-out column with a reduced cost below −PRICING_TOL joins (HiGHS' dual feasibility
tolerance)."""
PRICING_ROUNDS = 100
"""At most this many column generation rounds; then the caller runs the whole LP."""
MIP_KILL_GRACE = 1.0
"""Seconds a MIP run's process may go past the run's time limit before it is killed
(`HighsSession._run_mip_in_child`): time for HiGHS to stop by itself and send its outcome."""
MIP_CHILD_MIN_BINARIES = 1000
"""A MIP with fewer binaries runs in this process: the child costs ~30 ms a run (measured on
a loaded 2-core machine, a 2-binary MIP: 27–34 ms median against 0.4 ms), and the root work
that ignores the time limit grows with the model (bench/bench_award_rules.py's first elastic
MIP level: elapsed / time limit 4.25 at 100,000 binaries; whole calls at 25,000: 1.01–1.09)."""

Positions = Sequence[int] | IntArray
"""Column or row positions."""
Values = Sequence[float] | FloatArray
"""One bound per position."""


class SolverUnavailable(Exception):
    """The chosen solver cannot run in this environment."""


class Deadline:
    """A wall-clock budget in seconds shared by all the solves of one public call."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def remaining(self) -> float:
        return max(self.end - time.perf_counter(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0.0


@dataclass(frozen=True)
class SolveOutcome:
    """One run. status: optimal | infeasible | time_limit | error. `x` holds every column
    when a feasible solution is known; duals are in the sense of the minimised cost
    (∂cost/∂bound) and None when the solver has none (MIP); col_dual also when the run was
    asked to leave it out."""

    status: Status
    x: FloatArray | None
    row_dual: FloatArray | None
    col_dual: FloatArray | None
    seconds: float
    iterations: int | None
    mip_gap: float | None = None
    message: str = ""

    @property
    def plan(self) -> FloatArray:
        """`x` of a run known to have a plan (an optimal one); RuntimeError if it has none."""
        if self.x is None:
            raise RuntimeError(f"a {self.status} run without a plan")
        return self.x


class SolverSession(Protocol):
    """Current bounds are readable as col_lower, col_upper, row_lower, row_upper."""

    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray

    def set_cost(self, cost: FloatArray) -> None: ...
    def set_col_bounds(self, cols: Positions, lower: Values, upper: Values) -> None: ...
    def set_row_bounds(self, rows: Positions, lower: Values, upper: Values) -> None: ...
    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """Change one coefficient of the matrix (the version 2 frontier moves the level of
        an average target this way: it multiplies the hours column)."""

    def run(self, time_limit: float, col_dual: bool = True) -> SolveOutcome:
        """Solve with the current costs and bounds. `col_dual=False` leaves the reduced costs
        out (outcome.col_dual None): only `hold_optimum` reads them, and fetching them costs
        ~9 ms a run at 250,000 columns."""

    def stays_optimal_as_cost_rises(self, col: int) -> bool | None:
        """After an optimal run: does the basis stay optimal however high column `col`'s cost
        goes? None when the solver cannot tell (no basis)."""

    def basis(self) -> object | None:
        """The current basis, to start a later run from (None: the solver keeps none)."""

    def start_from(self, basis: object | None) -> None:
        """Make the next run start from `basis`, taken by `basis()` on this session (a hint:
        where the solver cannot take it, the next run starts where the last one ended)."""

    def restart(self) -> None:
        """Make the next run start from scratch, as the first run did (HiGHS: presolve and a
        new basis), with the session's current costs, bounds and coefficients."""

    def use_primal_simplex(self) -> None:
        """Run the next LPs with the primal simplex, for runs that change only the cost after
        `hold_optimum`: the last plan stays feasible, so the primal simplex goes on from it,
        where the dual simplex must first repair a basis that the new cost makes dual
        infeasible (bench/bench_award_rules.py at 150 × 400, one priority level: 4 primal
        iterations in 0.1 s against 18,000 dual ones in 51 s). Ignored by a MIP and by CBC."""

    def use_presolve(self, presolve: bool) -> None:
        """Whether a run from scratch (the first, or one after `restart`) presolves the model
        (HiGHS' default: on). The version 2 frontier's cheapest plan runs without: on
        bench/bench_optimizer_v2.py's documents presolve saves the least-cost run no simplex
        iterations and takes most of its time (250,000 columns: 0.36 s of CPU and 359
        iterations without, 1.48 s and 338 with). Ignored by a MIP and by CBC."""

    def run_on_columns(
        self, model: AllocationModel, plan: FloatArray, time_limit: float
    ) -> SolveOutcome | None:
        """Minimise the session's cost (an LP) by column generation: in a model of its own
        with a few x columns, `plan`'s support among them, adding the x columns that price
        out, until none does. Returns the outcome as a run of the session would (every
        column; the duals of the whole LP) and leaves the session at its basis; None when it
        cannot (a MIP, a changed coefficient, a solver without bases, a run that fails): the
        caller then runs the session."""

    def sweep_on_columns(
        self, model: AllocationModel, plans: Sequence[FloatArray]
    ) -> ColumnSweep | None:
        """A `ColumnSweep` on this session, with the x columns of `plans`' supports and the
        cheapest of each need at the session's cost to start; None where it cannot run (a
        MIP, CBC)."""

    def start_with(self, plan: FloatArray) -> None:
        """Offer `plan` (every column, feasible within the current bounds) to the next run as
        its first solution: a MIP then starts with an incumbent, so that a run cut short by
        the time limit still has a plan at least as good. Ignored by an LP and by CBC."""


class Solver(Protocol):
    name: str

    def version(self) -> str: ...
    def open(self, model: AllocationModel, continuous: bool = False) -> SolverSession: ...


class BoundMemory:
    """The bounds a session currently holds, starting from the model's."""

    def __init__(self, model: AllocationModel) -> None:
        lp = model.lp
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        self.row_lower, self.row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        self.coefficients: dict[tuple[int, int], float] = {}

    def set_col_bounds(self, cols: Positions, lower: Values, upper: Values) -> None:
        self.col_lower[cols], self.col_upper[cols] = lower, upper

    def set_row_bounds(self, rows: Positions, lower: Values, upper: Values) -> None:
        self.row_lower[rows], self.row_upper[rows] = lower, upper

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        self.coefficients[row, col] = value


# ---------------------------------------------------------------------------------------------
# HiGHS


_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    # every column of the model is bounded, so "unbounded or infeasible" means infeasible
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kInterrupt: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: Status.TIME_LIMIT,
}


def _i32(values: npt.ArrayLike) -> Int32Array:
    return np.ascontiguousarray(values, dtype=np.int32)


def _f64(values: npt.ArrayLike) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


def new_highs() -> highspy.Highs:
    """A new `Highs` object (highspy 1.15 leaves `Highs.__init__` unannotated)."""
    return highspy.Highs()  # type: ignore[no-untyped-call]


def pass_model(highs: highspy.Highs, model: AllocationModel, continuous: bool = False) -> None:
    """Load the model (zero cost, minimise) into `highs` with one array `passModel` call.

    This is the array overload of `Highs.passModel`, the same data as a `HighsLp` in
    compressed-row form; it skips the element-by-element copy that filling a `HighsLp`'s
    fields from numpy costs (measured: 0.15 s against 0.03 s for 1.2 million nonzeros)."""
    lp = model.lp
    integrality = np.zeros(lp.num_col, dtype=np.int32)
    if not continuous:
        integrality[lp.integer] = int(highspy.HighsVarType.kInteger)
    status = highs.passModel(
        lp.num_col,
        lp.num_row,
        int(lp.index.size),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.zeros(lp.num_col),
        _f64(lp.col_lower),
        _f64(lp.col_upper),
        _f64(lp.row_lower),
        _f64(lp.row_upper),
        _i32(lp.start),
        _i32(lp.index),
        _f64(lp.value),
        integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model")


def configured_highs(mip_rel_gap: float) -> highspy.Highs:
    """A Highs object set up for reproducible, quiet, serial solves."""
    h = new_highs()
    for option, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("simplex_strategy", HIGHS_DUAL_SIMPLEX),
        ("parallel", "off"),
        ("mip_rel_gap", mip_rel_gap),
    ):
        h.setOptionValue(option, value)
    return h


@dataclass(frozen=True)
class MipReport:
    """What a MIP run's child process sends: an improving solution (status time_limit, its
    gap) as HiGHS finds it, then the run's outcome (`final`)."""

    final: bool
    outcome: SolveOutcome


def run_in_child(
    work: Callable[[Connection], None], seconds: float, keep: int | None = None
) -> tuple[list[object], bool]:
    """Run `work` in a forked child process, which sends messages on the connection it gets.
    Collect them until the child ends or `seconds` have passed, then kill it (SIGKILL).
    Returns the messages, in order (only the last `keep` when given: an earlier one is dropped
    as a later one arrives, so memory does not grow with their number), and whether the child
    was killed. Should this process be interrupted while it waits (a signal, a worker's time
    limit), the child is killed too, never left running or waited for.

    Forking is sound here only because every HiGHS object of the process is serial
    (`configured_highs`: threads=1), so HiGHS' process-wide task scheduler has no worker
    threads. Once a HiGHS run with threads > 1 has started that scheduler, a forked child's
    run waits for workers that do not exist and is killed at the limit, and
    `Highs.resetGlobalScheduler(True)` in the child crashes it (SIGSEGV): both seen with
    highspy 1.15.1 on a 400-binary MIP with threads=4."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            reader.close()
            work(writer)
            writer.close()
            code = 0
        finally:
            os._exit(code)
    writer.close()
    end = time.perf_counter() + seconds
    messages: deque[object] = deque(maxlen=keep)
    killed = False
    ended = False
    try:
        while True:
            wait = end - time.perf_counter()
            if wait <= 0.0 or not reader.poll(wait):
                killed = True
                break
            try:
                messages.append(reader.recv())
            except EOFError:
                ended = True
                break
    finally:
        if not ended:  # its time is up, or this process was interrupted while it waited
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        reader.close()
    return list(messages), killed


def _mip_child(session: HighsSession, connection: Connection) -> None:
    """In the child: run the MIP, sending each improving solution, then the outcome."""

    def improving(event: HighsCallbackEvent) -> None:
        found = event.data_out
        gap = float(found.mip_gap)
        outcome = SolveOutcome(
            Status.TIME_LIMIT,
            np.array(found.mip_solution),
            None,
            None,
            float(found.running_time),
            None,
            gap if np.isfinite(gap) else None,
        )
        connection.send(MipReport(False, outcome))

    session.highs.cbMipImprovingSolution.subscribe(improving)
    connection.send(MipReport(True, session._run_here(col_dual=False)))


class HighsSession(BoundMemory):
    def __init__(self, model: AllocationModel, mip_rel_gap: float, continuous: bool) -> None:
        BoundMemory.__init__(self, model)
        self.highs = configured_highs(mip_rel_gap)
        pass_model(self.highs, model, continuous)
        self.lp = model.lp
        self.cost = np.zeros(model.lp.num_col)
        self.is_mip = model.lp.is_mip and not continuous
        self.start: FloatArray | None = None

    def set_cost(self, cost: FloatArray) -> None:
        changed = np.flatnonzero(cost != self.cost)
        self.highs.changeColsCost(changed.size, _i32(changed), _f64(cost[changed]))
        self.cost = np.array(cost, dtype=float)

    def set_col_bounds(self, cols: Positions, lower: Values, upper: Values) -> None:
        BoundMemory.set_col_bounds(self, cols, lower, upper)
        positions = _i32(cols)
        self.highs.changeColsBounds(
            positions.size,
            positions,
            _f64(self.col_lower[positions]),
            _f64(self.col_upper[positions]),
        )

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        BoundMemory.set_coefficient(self, row, col, value)
        self.highs.changeCoeff(row, col, value)

    def set_row_bounds(self, rows: Positions, lower: Values, upper: Values) -> None:
        BoundMemory.set_row_bounds(self, rows, lower, upper)
        positions = _i32(rows)
        self.highs.changeRowsBounds(  # type: ignore[attr-defined]  # not in highspy 1.15's stubs
            positions.size,
            positions,
            _f64(self.row_lower[positions]),
            _f64(self.row_upper[positions]),
        )

    def run(self, time_limit: float, col_dual: bool = True) -> SolveOutcome:
        h = self.highs
        if time_limit <= 0:
            return SolveOutcome(Status.TIME_LIMIT, None, None, None, 0.0, 0)
        h.setOptionValue("time_limit", float(time_limit))
        start_plan = self.start
        if self.start is not None:
            # set here, just before the run: a change of costs or bounds drops a set solution
            start = highspy.HighsSolution()
            start.col_value, start.value_valid = self.start.tolist(), True
            h.setSolution(start)
            self.start = None
        binaries = int(np.count_nonzero(self.lp.integer)) if self.is_mip else 0
        if binaries >= MIP_CHILD_MIN_BINARIES and hasattr(os, "fork"):
            return self._run_mip_in_child(time_limit, start_plan)
        return self._run_here(col_dual)

    def _run_here(self, col_dual: bool) -> SolveOutcome:
        """Run HiGHS in this process (its time limit already set) and read the outcome."""
        h = self.highs
        started = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - started
        status = _HIGHS_STATUS.get(h.getModelStatus(), Status.ERROR)
        info = h.getInfo()
        solution = h.getSolution()
        x: FloatArray | None = None
        row_dual: FloatArray | None = None
        reduced_cost: FloatArray | None = None
        feasible = info.primal_solution_status == HIGHS_FEASIBLE
        if feasible and solution.value_valid and status in (Status.OPTIMAL, Status.TIME_LIMIT):
            x = np.array(solution.col_value)
        if status == Status.OPTIMAL and solution.dual_valid and not self.is_mip:
            row_dual = np.array(solution.row_dual)
            reduced_cost = np.array(solution.col_dual) if col_dual else None
        mip_gap = float(info.mip_gap) if self.is_mip and x is not None else None
        message = "" if status != Status.ERROR else h.modelStatusToString(h.getModelStatus())
        return SolveOutcome(
            status,
            x,
            row_dual,
            reduced_cost,
            seconds,
            int(info.simplex_iteration_count),
            mip_gap,
            message,
        )

    def _run_mip_in_child(self, time_limit: float, start: FloatArray | None) -> SolveOutcome:
        """The MIP run in a forked child process, killed MIP_KILL_GRACE seconds after its time
        limit. HiGHS 1.15 does not check the time limit in parts of its root node (measured:
        bench/bench_award_rules.py's first elastic MIP level, 100,000 binaries, ran 64 s under
        a 15 s limit, and 61 s with every root heuristic off), and the interrupt callbacks do
        not fire there. The child sends each improving solution as HiGHS finds it, so a killed
        run reports the last one with its gap, or else the plan offered by `start_with`. Only
        the child's last message is kept (its outcome comes after every improving solution):
        one plan at a time, however many it finds. The parent's HiGHS object does not run (a
        MIP run starts from scratch anyway). When the child ends in time its outcome is the one
        `_run_here` gives, so results with time to spare do not change."""
        started = time.perf_counter()
        messages, killed = run_in_child(
            functools.partial(_mip_child, self), time_limit + MIP_KILL_GRACE, keep=1
        )
        seconds = time.perf_counter() - started
        reports = [message for message in messages if isinstance(message, MipReport)]
        if reports and reports[-1].final:
            return reports[-1].outcome
        if not killed:  # the child ended without an outcome (out of memory, say)
            return SolveOutcome(
                Status.ERROR, None, None, None, seconds, None, message="the MIP process failed"
            )
        note = f"stopped {MIP_KILL_GRACE:g} s after the time limit"
        if reports:  # the last improving solution found
            return replace(reports[-1].outcome, seconds=seconds, message=note)
        return SolveOutcome(Status.TIME_LIMIT, start, None, None, seconds, None, None, note)

    def stays_optimal_as_cost_rises(self, col: int) -> bool | None:
        """Cost ranging of the one column, in one basis-inverse row (HiGHS' `getRanging`
        ranges every column: measured 0.5–1 s at 250,000 columns against ~0.05 s for this).

        With `col` basic in row position r of the basis B, raising its cost by t changes the
        reduced costs by t·d, where d = e_col − Aᵀy and y = e_rᵀB⁻¹ (the duals of
        "minimise x_col" in this basis). The basis stays optimal for every t > 0 exactly when
        d is itself dual feasible: d ≥ 0 for a variable at its lower bound, ≤ 0 at its upper
        bound. A row's activity s = a x is the variable of its bound, with d_s = y_row. A
        violation above 1e-9 of the magnitudes involved counts (on 1,480 runs of random
        instances: ≤ 1e-14 where `getRanging` finds the cost unbounded above, ≥ 2e-4 where
        not)."""
        if self.is_mip:
            return None
        highs = self.highs
        # getBasicVariables and getBasisInverseRow are missing from highspy 1.15's stubs
        status, basic = highs.getBasicVariables()  # type: ignore[attr-defined]
        position = np.flatnonzero(np.asarray(basic) == col)
        if status != highspy.HighsStatus.kOk or position.size != 1:
            return None
        status, inverse_row = highs.getBasisInverseRow(int(position[0]))  # type: ignore[attr-defined]
        if status != highspy.HighsStatus.kOk:
            return None
        y: FloatArray = np.asarray(inverse_row, dtype=float)
        lp = self.lp
        terms = lp.value * np.repeat(y, np.diff(lp.start))
        col_d = -np.bincount(lp.index, weights=terms, minlength=lp.num_col)
        col_d[col] += 1.0
        col_scale = 1.0 + np.bincount(lp.index, weights=np.abs(terms), minlength=lp.num_col)
        x = np.array(highs.getSolution().col_value)
        worst = max(
            _dual_infeasibility(col_d / col_scale, x, self.col_lower, self.col_upper),
            _dual_infeasibility(
                y / (1.0 + np.abs(y)),
                lp.row_activity(x),
                self.row_lower,
                self.row_upper,
                lp.row_magnitude(x),
            ),
        )
        return worst <= RANGING_TOL

    def basis(self) -> highspy.HighsBasis:
        return self.highs.getBasis()

    def start_from(self, basis: object | None) -> None:
        if isinstance(basis, highspy.HighsBasis):
            self.highs.setBasis(basis)  # if rejected, the next run starts from the current basis

    def restart(self) -> None:
        self.highs.clearSolver()

    def use_primal_simplex(self) -> None:
        if not self.is_mip:
            self.highs.setOptionValue("simplex_strategy", HIGHS_PRIMAL_SIMPLEX)

    def use_presolve(self, presolve: bool) -> None:
        if not self.is_mip:
            self.highs.setOptionValue("presolve", "on" if presolve else "off")

    def run_on_columns(
        self, model: AllocationModel, plan: FloatArray, time_limit: float
    ) -> SolveOutcome | None:
        """Column generation from `plan` (see `SolverSession.run_on_columns`).

        A second HiGHS model holds every row and every column but the x columns left out,
        which stay at 0: at first those of `plan`'s support and, for each need, the
        COLUMNS_PER_NEED x columns with the lowest cost (the cost of a total carried onto
        the x columns through its definition row). After each run the reduced costs of all
        columns are priced from its row duals, d = c − Aᵀy; the left-out columns with
        d < −PRICING_TOL join (HiGHS keeps the basis, so the next run goes on from it).
        When none is left, the plan with the left-out columns at 0 is optimal for the whole
        LP, with these duals: the same optimal face for `hold_optimum`. The session then
        gets that basis.

        Only the x columns come and go: every other column (the totals S, I, H, W, the
        shortfalls) is in from the start, so every row is, and the duals are the whole LP's.
        A left-out column must have a lower bound of 0 (it sits there); one with an upper
        bound of 0 never joins. The frontier's most impact-worker hours
        (`frontier_v2._anchors`) runs this way; the points are the same as from the whole LP
        (bench/bench_optimizer_v2.py's documents and 300 random ones: identical)."""
        if self.is_mip or self.coefficients or time_limit <= 0:
            return None
        lp, n_x = self.lp, model.n_x
        left_out = np.ones(lp.num_col, dtype=bool)
        left_out[n_x:] = False
        left_out[:n_x][plan[:n_x] != 0.0] = False
        left_out[_cheapest_per_need(model, np.arange(n_x), _carried_cost(model, self.cost))] = False
        if np.any(self.col_lower[left_out] != 0.0):
            return None
        rows = np.repeat(np.arange(lp.num_row, dtype=np.int32), np.diff(lp.start))
        deadline = Deadline(time_limit)
        highs = configured_highs(0.0)
        highs.setOptionValue("presolve", "off")
        cols = np.flatnonzero(~left_out)
        position = np.full(lp.num_col, -1)
        position[cols] = np.arange(cols.size)
        kept = ~left_out[lp.index]
        _pass_columns(
            highs,
            lp,
            rows,
            position,
            kept,
            (self.cost[cols], self.col_lower[cols], self.col_upper[cols]),
            (self.row_lower, self.row_upper),
        )
        seconds, iterations = 0.0, 0
        for _ in range(PRICING_ROUNDS):
            spent, done, optimal = _priced_run(highs, deadline)
            seconds, iterations = seconds + spent, iterations + done
            if not optimal:
                return None
            joining, row_dual, reduced = _add_priced_columns(
                highs,
                model,
                lp,
                rows,
                lp.value,
                (self.cost, self.col_lower, self.col_upper),
                left_out,
            )
            if joining.size == 0:
                break
            cols = np.concatenate((cols, joining))
            left_out[joining] = False
            # the plan stays feasible with the new columns at 0: the primal simplex goes on
            highs.setOptionValue("simplex_strategy", HIGHS_PRIMAL_SIMPLEX)
        else:
            return None
        solution = highs.getSolution()
        x = np.zeros(lp.num_col)
        x[cols] = solution.col_value
        basis = highs.getBasis()
        col_status = np.full(lp.num_col, int(highspy.HighsBasisStatus.kLower))
        col_status[cols] = [int(status) for status in basis.col_status]
        full = self.highs.getBasis()
        # the enum's members looked up, not built one by one (that took 0.46 s of a
        # 250,000-column hours frontier under cProfile)
        member = {int(status): status for status in highspy.HighsBasisStatus.__members__.values()}
        full.col_status = [member[status] for status in col_status.tolist()]
        full.row_status = basis.row_status
        full.valid = True
        self.highs.setBasis(full)
        return SolveOutcome(Status.OPTIMAL, x, row_dual, reduced, seconds, iterations)

    def start_with(self, plan: FloatArray) -> None:
        if self.is_mip:
            self.start = _f64(plan)

    def sweep_on_columns(
        self, model: AllocationModel, plans: Sequence[FloatArray]
    ) -> ColumnSweep | None:
        if self.is_mip:
            return None
        return ColumnSweep(self, model, plans)


class ColumnSweep:
    """Column generation kept across the runs of a sweep (the version 2 frontier's points):
    one HiGHS model of every row and some x columns, as in `HighsSession.run_on_columns`,
    that stays open between runs, so that each run goes on warm from the last one's basis
    in a model of a few thousand columns instead of the whole LP. Each `run` first copies
    the session's cost, bounds and changed coefficients (every non-x column is in, so a
    changed coefficient always is), runs the dual simplex, then adds the x columns that
    price out (d = c − Aᵀy < −PRICING_TOL, the COLUMNS_PER_NEED cheapest of each need a
    round) and runs on with the primal simplex until none does: the plan and the duals are
    then the whole LP's. The session itself does not run; its basis is left as it was."""

    def __init__(
        self, session: HighsSession, model: AllocationModel, plans: Sequence[FloatArray]
    ) -> None:
        lp, n_x = session.lp, model.n_x
        self.session, self.model = session, model
        self.rows = np.repeat(np.arange(lp.num_row, dtype=np.int32), np.diff(lp.start))
        self.left_out = np.ones(lp.num_col, dtype=bool)
        self.left_out[n_x:] = False
        for plan in plans:
            self.left_out[:n_x][plan[:n_x] != 0.0] = False
        carried = _carried_cost(model, session.cost)
        self.left_out[_cheapest_per_need(model, np.arange(n_x), carried)] = False
        self.cols = np.flatnonzero(~self.left_out)
        self.position = np.full(lp.num_col, -1)
        self.position[self.cols] = np.arange(self.cols.size)
        kept = ~self.left_out[lp.index]
        self.highs = highs = configured_highs(0.0)
        highs.setOptionValue("presolve", "off")
        cols = self.cols
        self.cost = session.cost[cols].copy()
        self.col_lower, self.col_upper = (
            session.col_lower[cols].copy(),
            session.col_upper[cols].copy(),
        )
        self.row_lower, self.row_upper = session.row_lower.copy(), session.row_upper.copy()
        self.coefficients: dict[tuple[int, int], float] = {}
        _pass_columns(
            highs,
            lp,
            self.rows,
            self.position,
            kept,
            (self.cost, self.col_lower, self.col_upper),
            (self.row_lower, self.row_upper),
        )

    def _sync(self) -> bool:
        """Copy the session's cost, bounds and coefficients; False where it cannot (a left-out
        column off 0 at its lower bound)."""
        session, cols, highs = self.session, self.cols, self.highs
        if np.any(session.col_lower[self.left_out] != 0.0):
            return False
        cost = session.cost[cols]
        changed = np.flatnonzero(cost != self.cost)
        if changed.size:
            highs.changeColsCost(changed.size, _i32(changed), _f64(cost[changed]))
            self.cost = cost
        lower, upper = session.col_lower[cols], session.col_upper[cols]
        changed = np.flatnonzero((lower != self.col_lower) | (upper != self.col_upper))
        if changed.size:
            highs.changeColsBounds(
                changed.size, _i32(changed), _f64(lower[changed]), _f64(upper[changed])
            )
            self.col_lower, self.col_upper = lower, upper
        lower, upper = session.row_lower, session.row_upper
        changed = np.flatnonzero((lower != self.row_lower) | (upper != self.row_upper))
        if changed.size:
            highs.changeRowsBounds(  # type: ignore[attr-defined]  # not in highspy 1.15's stubs
                changed.size, _i32(changed), _f64(lower[changed]), _f64(upper[changed])
            )
            self.row_lower, self.row_upper = lower.copy(), upper.copy()
        for (row, col), value in session.coefficients.items():
            if self.coefficients.get((row, col)) != value:
                if self.position[col] < 0:
                    return False
                highs.changeCoeff(row, int(self.position[col]), value)
                self.coefficients[row, col] = value
        return True

    def run(self, time_limit: float) -> SolveOutcome | None:
        """The session's LP by column generation from where the last run ended; None when it
        cannot (the caller then runs the session)."""
        if time_limit <= 0 or not self._sync():
            return None
        session, model, highs, lp = self.session, self.model, self.highs, self.session.lp
        deadline = Deadline(time_limit)
        highs.setOptionValue("simplex_strategy", HIGHS_DUAL_SIMPLEX)  # after bound changes
        seconds, iterations = 0.0, 0
        values = lp.value
        for (row, col), value in session.coefficients.items():
            at = np.flatnonzero(lp.index[lp.start[row] : lp.start[row + 1]] == col)
            values = values.copy() if values is lp.value else values
            values[lp.start[row] + at] = value
        for _ in range(PRICING_ROUNDS):
            spent, done, optimal = _priced_run(highs, deadline)
            seconds, iterations = seconds + spent, iterations + done
            if not optimal:
                return None
            joining, row_dual, reduced = _add_priced_columns(
                highs,
                model,
                lp,
                self.rows,
                values,
                (session.cost, session.col_lower, session.col_upper),
                self.left_out,
            )
            if joining.size == 0:
                break
            self.position[joining] = self.cols.size + np.arange(joining.size)
            self.cols = np.concatenate((self.cols, joining))
            self.cost = np.concatenate((self.cost, session.cost[joining]))
            self.col_lower = np.concatenate((self.col_lower, session.col_lower[joining]))
            self.col_upper = np.concatenate((self.col_upper, session.col_upper[joining]))
            self.left_out[joining] = False
            # the plan stays feasible with the new columns at 0: the primal simplex goes on
            highs.setOptionValue("simplex_strategy", HIGHS_PRIMAL_SIMPLEX)
        else:
            return None
        x = np.zeros(lp.num_col)
        x[self.cols] = highs.getSolution().col_value
        return SolveOutcome(Status.OPTIMAL, x, row_dual, reduced, seconds, iterations)


def _priced_run(highs: highspy.Highs, deadline: Deadline) -> tuple[float, int, bool]:
    """One run of a column generation round within what is left of `deadline`: its seconds, its
    simplex iterations and whether it ended optimal."""
    highs.setOptionValue("time_limit", max(deadline.remaining(), MIN_RUN_SECONDS))
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    iterations = int(highs.getInfo().simplex_iteration_count)
    return seconds, iterations, highs.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _pass_columns(
    highs: highspy.Highs,
    lp: LinearProgram,
    rows: IntArray,
    position: IntArray,
    kept: BoolArray,
    columns: tuple[FloatArray, FloatArray, FloatArray],
    row_bounds: tuple[FloatArray, FloatArray],
) -> None:
    """Give `highs` the LP `lp` with only some of its columns, for column generation: every
    row (`row_bounds`), and the columns whose cost, lower and upper bounds are `columns`, each
    entry of `lp` kept (`kept`) at its column's `position` among them; `rows`: each entry's row."""
    cost, col_lower, col_upper = columns
    highs.passModel(
        cost.size,
        lp.num_row,
        int(kept.sum()),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        _f64(cost),
        _f64(col_lower),
        _f64(col_upper),
        _f64(row_bounds[0]),
        _f64(row_bounds[1]),
        _i32(np.concatenate(([0], np.cumsum(np.bincount(rows[kept], minlength=lp.num_row))))),
        _i32(position[lp.index[kept]]),
        _f64(lp.value[kept]),
        np.zeros(cost.size, dtype=np.int32),
    )


def _add_priced_columns(
    highs: highspy.Highs,
    model: AllocationModel,
    lp: LinearProgram,
    rows: IntArray,
    values: FloatArray,
    columns: tuple[FloatArray, FloatArray, FloatArray],
    left_out: BoolArray,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """One pricing round of column generation on `highs`, just run to optimal: the x columns
    left out (`left_out`) that price out at its row duals (reduced cost d = c − Aᵀy below
    −PRICING_TOL, with `values` the LP's coefficients and `rows` each entry's row; the
    COLUMNS_PER_NEED cheapest of each need) are added to it at their cost and bounds of the
    whole LP (`columns`). Returns their indices (none when the plan is the whole LP's), the row
    duals and the reduced costs of every column."""
    cost, col_lower, col_upper = columns
    n_x = model.n_x
    row_dual = np.asarray(highs.getSolution().row_dual)
    reduced = cost - np.bincount(lp.index, weights=values * row_dual[rows], minlength=lp.num_col)
    joining = _cheapest_per_need(
        model,
        np.flatnonzero(left_out[:n_x] & (col_upper[:n_x] > 0.0) & (reduced[:n_x] < -PRICING_TOL)),
        reduced,
    )
    if joining.size:
        entries = np.flatnonzero(np.isin(lp.index, joining))
        entries = entries[np.argsort(lp.index[entries], kind="stable")]
        highs.addCols(
            joining.size,
            _f64(cost[joining]),
            _f64(col_lower[joining]),
            _f64(col_upper[joining]),
            entries.size,
            _i32(np.searchsorted(lp.index[entries], joining)),
            _i32(rows[entries]),
            _f64(values[entries]),
        )
    return joining, row_dual, reduced


def _cheapest_per_need(model: AllocationModel, cols: IntArray, cost: FloatArray) -> IntArray:
    """Of the x columns `cols`, the COLUMNS_PER_NEED of each need with the lowest `cost`."""
    order = cols[np.lexsort((cost[cols], model.x_need[cols]))]
    needs = model.x_need[order]
    rank = np.arange(order.size) - np.searchsorted(needs, needs)
    return np.sort(order[rank < COLUMNS_PER_NEED])


def _carried_cost(model: AllocationModel, cost: FloatArray) -> FloatArray:
    """The cost of each x column with the cost of every total carried onto it through the
    total's `definition` row (Σ a·x − T = 0): what one unit of it costs in all."""
    lp, n_x = model.lp, model.n_x
    carried = cost[:n_x].copy()
    for row in np.flatnonzero(model.kind_mask("definition")).tolist():
        terms = slice(int(lp.start[row]), int(lp.start[row + 1]))
        index, value = lp.index[terms], lp.value[terms]
        total = index[(index >= n_x) & (value == -1.0)]
        if total.size == 1 and cost[total[0]] != 0.0:
            in_x = index < n_x
            carried[index[in_x]] += cost[total[0]] * value[in_x]
    return carried


def _dual_infeasibility(
    d: FloatArray,
    values: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    scale: FloatArray | float = 0.0,
) -> float:
    """The largest violation of "d ≥ 0 at a lower bound, d ≤ 0 at an upper bound" over the
    variables that can move (0.0 when none); `scale` as for `_at`."""
    movable = lower < upper
    at_lower = movable & _at(values, lower, scale)
    at_upper = movable & _at(values, upper, scale)
    return float(max(np.max(-d[at_lower], initial=0.0), np.max(d[at_upper], initial=0.0)))


@functools.cache
def _highs_version() -> str:
    """HiGHS' version and git hash, read once (it takes a new `Highs` object)."""
    h = new_highs()
    return f"{h.version()} ({h.githash()})"


class HighsSolver:
    """HiGHS through highspy (default)."""

    name = "highs"

    def __init__(self, mip_rel_gap: float = DEFAULT_MIP_REL_GAP) -> None:
        self.mip_rel_gap = mip_rel_gap

    def version(self) -> str:
        return _highs_version()

    def open(self, model: AllocationModel, continuous: bool = False) -> HighsSession:
        return HighsSession(model, self.mip_rel_gap, continuous)


# ---------------------------------------------------------------------------------------------
# CBC through PuLP


def cbc_path() -> str | None:
    """`cbc` on PATH, else the CBC binary bundled in the PuLP 3.3 wheel, else None."""
    found = shutil.which("cbc")
    if found:
        return found
    try:
        # Imported here, not at the top: PuLP 4 drops this module with the bundled binary,
        # and then "no CBC" must be an answer of this function, not an import error of
        # the whole optimizer.
        from pulp.apis.coin_api import pulp_cbc_path
    except ImportError:
        return None
    path = os.path.normpath(pulp_cbc_path)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


class CbcSession(BoundMemory):
    """Keeps costs and bounds; every run writes the PuLP model and runs CBC cold."""

    def __init__(
        self, model: AllocationModel, path: str, mip_rel_gap: float, continuous: bool
    ) -> None:
        BoundMemory.__init__(self, model)
        self.model, self.path, self.mip_rel_gap = model, path, mip_rel_gap
        self.cost = np.zeros(model.lp.num_col)
        self.integer = np.zeros_like(model.lp.integer) if continuous else model.lp.integer
        self.is_mip = bool(self.integer.any())

    def set_cost(self, cost: FloatArray) -> None:
        self.cost = np.array(cost, dtype=float)

    def stays_optimal_as_cost_rises(self, col: int) -> bool | None:
        return None  # COIN_CMD gives no basis

    def basis(self) -> None:
        return None  # every run is cold

    def start_from(self, basis: object | None) -> None:
        pass

    def restart(self) -> None:
        pass  # every run is cold

    def use_primal_simplex(self) -> None:
        pass  # COIN_CMD chooses its own algorithm

    def use_presolve(self, presolve: bool) -> None:
        pass  # COIN_CMD's own choice

    def start_with(self, plan: FloatArray) -> None:
        pass  # the PuLP model is written anew each run, without a start

    def run_on_columns(self, model: AllocationModel, plan: FloatArray, time_limit: float) -> None:
        return None  # every run is cold: nothing to gain

    def sweep_on_columns(self, model: AllocationModel, plans: Sequence[FloatArray]) -> None:
        return None  # every run is cold: nothing to gain

    def run(self, time_limit: float, col_dual: bool = True) -> SolveOutcome:
        if time_limit <= 0:
            return SolveOutcome(Status.TIME_LIMIT, None, None, None, 0.0, None)
        import pulp  # here: only CBC runs need PuLP (optimizer.model.to_pulp)

        prob, variables, constraints = to_pulp(
            self.model,
            self.cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            self.integer,
            self.coefficients,
        )
        command = pulp.COIN_CMD(
            path=self.path,
            msg=False,
            timeLimit=max(time_limit, MIN_RUN_SECONDS),
            gapRel=self.mip_rel_gap if self.is_mip else None,
            options=[f"randomSeed {CBC_RANDOM_SEED}", f"randomCbcSeed {CBC_RANDOM_SEED}"],
        )
        started = time.perf_counter()
        try:
            prob.solve(command)
        except pulp.PulpSolverError as exc:
            return SolveOutcome(
                Status.ERROR,
                None,
                None,
                None,
                time.perf_counter() - started,
                None,
                message=str(exc),
            )
        seconds = time.perf_counter() - started
        status: Status
        if prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionOptimal:
            status = Status.OPTIMAL
        elif prob.status == pulp.LpStatusInfeasible:
            status = Status.INFEASIBLE
        elif prob.sol_status == pulp.LpSolutionIntegerFeasible or prob.status == 0:
            status = Status.TIME_LIMIT
        else:
            status = Status.ERROR
        x: FloatArray | None = None
        row_dual: FloatArray | None = None
        reduced_cost: FloatArray | None = None
        values = [v.varValue for v in variables]
        if status in (Status.OPTIMAL, Status.TIME_LIMIT) and any(
            value is not None for value in values
        ):
            # a column in no written row and with no cost is left out by PuLP: any value in
            # its bounds will do, take the one nearest 0
            nearest_zero = np.clip(0.0, self.col_lower, self.col_upper)
            x = np.array(
                [nearest_zero[k] if value is None else value for k, value in enumerate(values)],
                dtype=float,
            )
        if status == Status.OPTIMAL and not self.is_mip:
            row_dual = np.array([0.0 if c is None or c.pi is None else c.pi for c in constraints])
            if col_dual:
                reduced_cost = np.array([v.dj or 0.0 for v in variables])
        return SolveOutcome(status, x, row_dual, reduced_cost, seconds, None)


class CbcSolver:
    """CBC through PuLP's COIN_CMD (cold solves; no warm start, no IIS)."""

    name = "cbc"

    def __init__(self, mip_rel_gap: float = DEFAULT_MIP_REL_GAP) -> None:
        path = cbc_path()
        if path is None:
            raise SolverUnavailable(
                "CBC is not available: no `cbc` on PATH and no CBC binary in this PuLP "
                "install (install the `cbcbox` package or use solver 'highs')"
            )
        self.path, self.mip_rel_gap = path, mip_rel_gap
        self._version: str | None = None

    def version(self) -> str:
        if self._version is None:
            try:
                banner = subprocess.run(
                    [self.path, "-quit"],
                    capture_output=True,
                    text=True,
                    timeout=CBC_VERSION_TIMEOUT,
                    stdin=subprocess.DEVNULL,
                ).stdout
                line = next((ln for ln in banner.splitlines() if ln.startswith("Version:")), "")
                self._version = line.replace("Version:", "").strip() or "unknown"
            except (OSError, subprocess.SubprocessError):
                self._version = "unknown"
        return self._version

    def open(self, model: AllocationModel, continuous: bool = False) -> CbcSession:
        return CbcSession(model, self.path, self.mip_rel_gap, continuous)


def make_solver(options: Options) -> Solver:
    """The solver named in the options; raises SolverUnavailable when it cannot run."""
    if options.solver == "cbc":
        return CbcSolver(options.mip_rel_gap)
    return HighsSolver(options.mip_rel_gap)


# ---------------------------------------------------------------------------------------------
# staged solve


class StageRecord(TypedDict):
    """One solver run of a staged solve, as listed in the result's `solver.stages`."""

    stage: str
    status: Status
    seconds: float
    iterations: int | None


@dataclass
class StagedSolution:
    """The outcome of `solve_model`. status is the primary stage's; `x` is the plan to report
    (after the tie-break when it ran); duals are for the primary objective."""

    status: Status
    x: FloatArray | None
    row_dual: FloatArray | None
    col_dual: FloatArray | None
    mip_gap: float | None
    tie_break: str
    stages: list[StageRecord] = field(default_factory=list)


def record_stage(stages: list[StageRecord], name: str, outcome: SolveOutcome) -> None:
    stages.append(
        {
            "stage": name,
            "status": outcome.status,
            "seconds": round(outcome.seconds, SECONDS_DECIMALS),
            "iterations": outcome.iterations,
        }
    )


def keep_within(value: float, upper: bool) -> float:
    """`value` loosened by the tie-break tolerance: upward when it is an upper limit."""
    slack = TIE_REL * abs(value) + TIE_ABS
    return value + slack if upper else value - slack


def _at(values: FloatArray, bound: FloatArray, scale: FloatArray | float = 0.0) -> BoolArray:
    """values at bound within AT_BOUND_TOL relative to the larger of the bound and `scale`
    (for a row: the size of its terms, |A| |x|; a sum of millions that cancels to 0 carries
    an error of ~1e-9, not 0)."""
    tolerance = AT_BOUND_TOL * np.maximum(np.maximum(1.0, np.abs(bound)), scale)
    return np.isfinite(bound) & (np.abs(values - bound) <= tolerance)


def hold_optimum(
    model: AllocationModel, session: SolverSession, outcome: SolveOutcome, col: int, upper: bool
) -> None:
    """Keep the session on the optimal plans of the run that gave `outcome`.

    With duals (LP): every column with a reduced cost and every row with a dual above
    DUAL_TOL stays at the bound where it sits. By complementary slackness a feasible plan is
    then exactly as good as `outcome`, so the next stage cannot trade a sliver of this
    objective for the next one. Without duals (MIP): the objective column `col` (S or I) may
    move by the tie-break tolerance only (`keep_within`)."""
    x = outcome.plan
    if outcome.col_dual is None or outcome.row_dual is None:
        limit = keep_within(float(x[col]), upper)
        if upper:
            session.set_col_bounds([col], [session.col_lower[col]], [limit])
        else:
            session.set_col_bounds([col], [limit], [session.col_upper[col]])
        return
    movable = session.col_lower < session.col_upper
    for bound in (session.col_lower, session.col_upper):
        hold = np.flatnonzero(movable & (np.abs(outcome.col_dual) > DUAL_TOL) & _at(x, bound))
        session.set_col_bounds(hold, bound[hold], bound[hold])
        movable[hold] = False
    activity, magnitude = model.lp.row_activity(x), model.lp.row_magnitude(x)
    open_rows = session.row_lower < session.row_upper
    for bound in (session.row_lower, session.row_upper):
        hold = np.flatnonzero(
            open_rows & (np.abs(outcome.row_dual) > DUAL_TOL) & _at(activity, bound, magnitude)
        )
        session.set_row_bounds(hold, bound[hold], bound[hold])
        open_rows[hold] = False


def order_weights(count: int) -> FloatArray:
    """Stage-3 weights for the x columns in (need id, vendor id) order: 1 + frac(k·φ), a
    fixed, evenly spread sequence. Weights that grow with k alone (k/n, say) split into a need
    part and a vendor part, and every plan with the same vendor totals would tie again."""
    golden_ratio = (np.sqrt(5.0) - 1.0) / 2.0
    weights: FloatArray = 1.0 + np.mod((np.arange(count) + 1.0) * golden_ratio, 1.0)
    return weights


def _tie_break(
    model: AllocationModel,
    session: SolverSession,
    primary: SolveOutcome,
    deadline: Deadline,
    stages: list[StageRecord],
) -> tuple[FloatArray | None, str]:
    """Stages 2 and 3; returns the plan of the last stage that finished and a note."""
    spend, impact = cost_column(model), model.col_impact
    spend_cost = cost_vector(model, {cost_term(model): 1.0})
    if model.problem.objective == "min_cost":
        first, second, second_cost = spend, impact, cost_vector(model, {"impact": -1.0})
    elif model.problem.objective == "max_impact_worker_hours" and model.col_worker_hours:
        first, second, second_cost = model.col_worker_hours, spend, spend_cost
    else:
        first, second, second_cost = impact, spend, spend_cost
    steps = (
        ("second_objective", second_cost, first),
        ("order_tie_break", cost_vector(model, x_cost=order_weights(model.n_x)), second),
    )
    held = primary
    for name, cost, objective_col in steps:
        hold_optimum(model, session, held, objective_col, upper=objective_col == spend)
        session.set_cost(cost)
        if deadline.expired():
            return held.x, f"stopped before {name}: time limit reached"
        outcome = session.run(deadline.remaining())
        record_stage(stages, name, outcome)
        if outcome.status != Status.OPTIMAL:
            return held.x, f"stopped at {name}: {outcome.status}"
        held = outcome
    return held.x, "applied"


def highest_impact_score(model: AllocationModel, session: SolverSession) -> float:
    """The highest impact score (points) of an offer that may get volume within the session's
    bounds: no plan's average impact is above it."""
    open_columns = session.col_upper[: model.n_x] > 0
    return float(model.x_impact[open_columns].max(initial=0.0))


def highest_average_impact(
    model: AllocationModel,
    session: SolverSession,
    deadline: Deadline,
    stages: list[StageRecord],
    ratio: float | None = None,
    plan: FloatArray | None = None,
) -> tuple[SolveOutcome, FloatArray]:
    """Version 2's max_impact: the plan with the highest average impact weighted by labour
    hours, I / H, a ratio of two linear functions, within the session's bounds. Dinkelbach's
    method: for a level λ, maximise I − λ·H (minimise its negative); the next λ is the ratio
    of that plan. From a λ that some plan reaches (`ratio`) the levels rise strictly to the
    best ratio, where the most of I − λ·H is 0. Without `ratio` the rounds start above the
    best, at `highest_impact_score`: the first plan's ratio is then already close, and the
    rounds go on from below (the frontier's top on bench/bench_optimizer_v2.py's 250,000
    columns, warm from a cheapest plan: 3,400 dual simplex iterations in 3 rounds, against
    9,900 in 5 from the cheapest plan's ratio). With `plan` (a feasible plan: every column)
    each round runs by column generation from the last plan found, `plan` at first
    (`SolverSession.run_on_columns`), or as a run of the session where it cannot: the
    frontier's top at 250,000 columns, 7.6 s of CPU for the whole frontier against 8.8 s
    (no change at 100,000). Returns the last outcome and its cost vector, whose optimal face
    is the set of best plans (the tie-break and the frontier hold it)."""
    if model.col_hours is None:
        raise ValueError("the ratio objective needs version 2's hours column")
    reached = ratio is not None
    level = highest_impact_score(model, session) if ratio is None else ratio
    outcome = SolveOutcome(Status.TIME_LIMIT, None, None, None, 0.0, 0)
    for round_number in range(1, DINKELBACH_ROUNDS + 1):
        cost = cost_vector(model, {"impact": -1.0, "hours": level})
        session.set_cost(cost)
        following = None
        if plan is not None:
            following = session.run_on_columns(model, plan, deadline.remaining())
        if following is None:
            plan = None  # column generation gave up: the later rounds run on the session
            following = session.run(deadline.remaining())
        record_stage(stages, f"average_impact_{round_number}", following)
        if following.status != Status.OPTIMAL:
            if following.x is None and outcome.x is not None:  # keep the last plan found
                following = replace(outcome, status=following.status)
            return following, cost
        outcome = following
        plan = following.plan if plan is not None else None
        gain = -float(cost @ following.plan)  # I − λ·H of the new plan; ≥ 0 when a plan reaches λ
        found = following.plan
        if reached and gain <= DINKELBACH_TOL * max(1.0, float(found[model.col_hours])):
            return outcome, cost
        level = float(found[model.col_impact]) / max(float(found[model.col_hours]), TINY_HOURS)
        reached = True
    # not proved best within the rounds: a feasible plan, reported as stopped early
    return replace(outcome, status=Status.TIME_LIMIT), cost


def solve_model(
    model: AllocationModel,
    solver: Solver,
    deadline: Deadline,
    tie_break: bool = True,
    start: FloatArray | None = None,
) -> StagedSolution:
    """Run the primary objective, then (when `tie_break`) stages 2 and 3; see module doc.
    `start`: a feasible plan (every column) offered to the first run (`start_with`).

    For a MIP, the binaries are then fixed at the primary plan and the rest runs on that LP:
    its duals give the shadow prices ("given the chosen vendors") and stages 2 and 3 hold
    its optimum exactly, so they choose among plans with the same vendors."""
    stages: list[StageRecord] = []
    session = solver.open(model)
    if start is not None:
        session.start_with(start)
    if model.version == 2 and model.problem.objective == "max_impact":
        primary, cost = highest_average_impact(model, session, deadline, stages)
    else:
        cost = primary_cost(model)[0]
        session.set_cost(cost)
        primary = session.run(deadline.remaining())
        record_stage(stages, "primary", primary)
    if primary.status != Status.OPTIMAL:
        return StagedSolution(
            primary.status, primary.x, None, None, primary.mip_gap, "not run", stages
        )
    base = primary
    if model.lp.is_mip:
        session = solver.open(model, continuous=True)
        chosen = np.round(primary.plan[model.y_cols])
        session.set_col_bounds(model.y_cols, chosen, chosen)
        session.set_cost(cost)
        base = session.run(deadline.remaining())
        record_stage(stages, "fixed_binaries_lp", base)
        if base.status != Status.OPTIMAL:
            return StagedSolution(
                Status.OPTIMAL,
                primary.x,
                None,
                None,
                primary.mip_gap,
                f"skipped: LP with fixed binaries {base.status}",
                stages,
            )
    x, note = primary.x, "off"
    if tie_break:
        x, note = _tie_break(model, session, base, deadline, stages)
    return StagedSolution(
        Status.OPTIMAL, x, base.row_dual, base.col_dual, primary.mip_gap, note, stages
    )
