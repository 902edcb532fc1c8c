"""A MIP run ends at its time limit plus MIP_KILL_GRACE (issues #17, #21): HiGHS 1.15 does not
check the time limit in parts of its root node, so the run goes on in a forked child process
that the session kills, keeping the last improving solution the child sent (or the plan it
was started with). No test here measures time: a child that never ends is killed, and the
session's handling of what came back is checked with the child's reports given directly."""

from __future__ import annotations

import importlib
import os
import signal
import time

import numpy as np
import pytest

from optimizer.model import build_model, primary_cost
from optimizer.problem import parse_problem
from optimizer.solve import MIP_KILL_GRACE, HighsSolver, MipReport, SolveOutcome, run_in_child
from optimizer.status import Status

solve_module = importlib.import_module("optimizer.solve")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def _every_mip_in_a_child(monkeypatch):
    monkeypatch.setattr(solve_module, "MIP_CHILD_MIN_BINARIES", 1)


def _mip_session():
    """Need N, 100 hours; A $10/h and B $12/h, each at least 60 h if chosen, A at most 70 h:
    the cheapest plan is B alone, 100 × $12 = $1,200 (A 60 + B 40 breaks B's minimum)."""
    document = {
        "version": 2,
        "needs": [
            {"id": "N", "volume": 100, "unit": "hour", "period": {"start": "2027-01", "months": 1}},
        ],
        "vendors": [{"id": v, "quality": 0.9, "impact_score": 50} for v in ("A", "B")],
        "offers": [
            {"vendor": "A", "need": "N", "price": 10, "capacity": 70, "min_order": 60},
            {"vendor": "B", "need": "N", "price": 12, "min_order": 60},
        ],
    }
    problem, errors = parse_problem(document)
    assert problem is not None, errors
    model = build_model(problem)
    assert model.lp.is_mip
    session = HighsSolver().open(model)
    session.set_cost(primary_cost(model)[0])
    return model, session


def _never_ends(connection):
    connection.send("found")
    signal.pause()


def _ends(connection):
    connection.send(1)
    connection.send(2)


def test_a_child_that_never_ends_is_killed_and_what_it_sent_is_kept():
    messages, killed = run_in_child(_never_ends, 0.2)
    assert (messages, killed) == (["found"], True)


def test_a_child_is_killed_when_this_process_is_interrupted_while_it_waits(tmp_path):
    """A message this process cannot read (as a signal or a worker's time limit would)
    interrupts the wait: the child is killed then, not waited for until it ends by itself."""
    mark = tmp_path / "child ran on"

    def garbled_then_slow(connection):
        connection.send_bytes(b"not a pickle")
        time.sleep(20.0)
        mark.write_text("the parent waited for me")

    with pytest.raises(Exception):  # noqa: B017 (the unpickling error's type is pickle's own)
        run_in_child(garbled_then_slow, 600.0)
    assert not mark.exists()


def test_a_child_that_ends_is_not_killed():
    messages, killed = run_in_child(_ends, 600.0)
    assert (messages, killed) == ([1, 2], False)


def _counts(count):
    def sends(connection):
        for number in range(count):
            connection.send(number)

    return sends


def test_a_child_keeps_only_the_last_messages_when_asked():
    assert run_in_child(_counts(1000), 600.0, keep=1) == ([999], False)
    assert run_in_child(_counts(1000), 600.0, keep=3) == ([997, 998, 999], False)
    assert run_in_child(_counts(5), 600.0) == ([0, 1, 2, 3, 4], False)


def _improving_reports(model, count, final, pause=False):
    """A stand-in for `_mip_child`: `count` improving solutions (plan all k, gap 1/(k+1)),
    then the outcome `final` when given, or else it waits until killed."""

    def child(session, connection):
        for k in range(count):
            plan = np.full(model.lp.num_col, float(k))
            outcome = SolveOutcome(Status.TIME_LIMIT, plan, None, None, 0.1, None, 1 / (k + 1))
            connection.send(MipReport(False, outcome))
        if final is not None:
            connection.send(MipReport(True, final))
        if pause:
            signal.pause()

    return child


def _kept_by_the_parent(monkeypatch):
    kept = []
    real = solve_module.run_in_child

    def counting(work, seconds, **options):
        messages, killed = real(work, seconds, **options)
        kept.append(len(messages))
        return messages, killed

    monkeypatch.setattr(solve_module, "run_in_child", counting)
    return kept


def test_the_parent_keeps_one_plan_however_many_improving_solutions_come(monkeypatch):
    """500 improving solutions, then the outcome: the parent holds one message, the outcome;
    killed after 500 (no outcome): it holds the last, plan all 499 and gap 1/500."""
    model, session = _mip_session()
    done = SolveOutcome(Status.OPTIMAL, np.full(model.lp.num_col, 7.0), None, None, 0.2, 3, 0.0)
    kept = _kept_by_the_parent(monkeypatch)
    monkeypatch.setattr(solve_module, "_mip_child", _improving_reports(model, 500, done))
    outcome = session.run(30.0)
    assert kept == [1]
    assert (outcome.status, outcome.mip_gap) == (Status.OPTIMAL, 0.0)
    np.testing.assert_array_equal(outcome.plan, done.plan)

    monkeypatch.setattr(solve_module, "MIP_KILL_GRACE", 0.0)
    monkeypatch.setattr(
        solve_module, "_mip_child", _improving_reports(model, 500, None, pause=True)
    )
    outcome = session.run(0.5)
    assert kept == [1, 1]
    assert (outcome.status, outcome.mip_gap) == (Status.TIME_LIMIT, 1 / 500)
    np.testing.assert_array_equal(outcome.plan, np.full(model.lp.num_col, 499.0))


def test_the_child_sends_each_improving_solution_then_the_outcome():
    model, session = _mip_session()
    sent = []

    class Connection:
        def send(self, message):
            sent.append(message)

    solve_module._mip_child(session, Connection())  # in this process: no fork
    *found, final = sent
    assert final.final and final.outcome.status == Status.OPTIMAL
    assert found and not any(report.final for report in found)
    assert all(report.outcome.status == Status.TIME_LIMIT for report in found)
    # the last improving solution is the optimum: B alone, $1,200
    np.testing.assert_allclose(found[-1].outcome.plan, final.outcome.plan)
    assert found[-1].outcome.mip_gap == pytest.approx(0.0)
    assert float(primary_cost(model)[0] @ final.outcome.plan) == pytest.approx(1200.0)


def _fake_child(monkeypatch, messages, killed):
    given = []

    def fake(work, seconds, keep=None):
        given.append(seconds)
        return messages[-keep:] if keep else messages, killed

    monkeypatch.setattr(solve_module, "run_in_child", fake)
    return given


def test_a_killed_run_reports_the_last_improving_solution_and_its_gap(monkeypatch):
    model, session = _mip_session()
    first, better = np.zeros(model.lp.num_col), np.ones(model.lp.num_col)
    reports = [
        MipReport(False, SolveOutcome(Status.TIME_LIMIT, first, None, None, 0.1, None, 0.5)),
        MipReport(False, SolveOutcome(Status.TIME_LIMIT, better, None, None, 0.2, None, 0.1)),
    ]
    given = _fake_child(monkeypatch, reports, killed=True)
    outcome = session.run(2.5)
    assert given == [2.5 + MIP_KILL_GRACE]  # the child gets the time limit and the grace
    assert (outcome.status, outcome.mip_gap) == (Status.TIME_LIMIT, 0.1)
    np.testing.assert_array_equal(outcome.plan, better)
    assert "after the time limit" in outcome.message


def test_a_killed_run_without_a_solution_keeps_the_start(monkeypatch):
    model, session = _mip_session()
    start = np.full(model.lp.num_col, 7.0)
    session.start_with(start)
    _fake_child(monkeypatch, [], killed=True)
    outcome = session.run(1.0)
    assert (outcome.status, outcome.mip_gap) == (Status.TIME_LIMIT, None)
    np.testing.assert_array_equal(outcome.plan, start)


def test_a_killed_run_without_a_solution_or_start_has_no_plan(monkeypatch):
    _, session = _mip_session()
    _fake_child(monkeypatch, [], killed=True)
    outcome = session.run(1.0)
    assert (outcome.status, outcome.x) == (Status.TIME_LIMIT, None)


def test_a_child_that_dies_without_an_outcome_is_an_error(monkeypatch):
    _, session = _mip_session()
    _fake_child(monkeypatch, [], killed=False)
    assert session.run(1.0).status == Status.ERROR


def test_a_run_that_ends_in_time_gives_the_run_in_process_outcome():
    model, session = _mip_session()
    _, here = _mip_session()
    forked, in_process = session.run(30.0), here._run_here(col_dual=True)
    assert forked.status == in_process.status == Status.OPTIMAL
    np.testing.assert_array_equal(forked.plan, in_process.plan)
    assert forked.mip_gap == in_process.mip_gap


def test_a_small_mip_runs_in_this_process(monkeypatch):
    monkeypatch.setattr(solve_module, "MIP_CHILD_MIN_BINARIES", 3)  # the model has 2
    given = _fake_child(monkeypatch, [], killed=True)
    _, session = _mip_session()
    assert session.run(30.0).status == Status.OPTIMAL
    assert given == []


def test_every_highs_object_is_serial_so_a_fork_finds_no_scheduler_threads():
    """run_in_child forks: sound only while HiGHS' process-wide scheduler has no worker
    threads, i.e. every run is serial (a child of a threads=4 process hangs)."""
    assert solve_module.configured_highs(0.0).getOptionValue("threads")[1] == 1
