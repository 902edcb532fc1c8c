"""The top of a version 2 frontier: the most of the measure any plan reaches within the other
targets, and the least cost there. Checked against the independent dense reference of
test_optimizer_version2 (scipy's linprog; Charnes-Cooper for the hour-weighted average
impact), which shares no code with optimizer/. The optimizer finds the top by Dinkelbach
rounds started above the best ratio (average impact) and by a fresh, presolved solve
(impact-worker hours)."""

from __future__ import annotations

import copy
import importlib

import numpy as np
import pytest

import optimizer
from optimizer.model import cost_column
from tests.optimizer.test_optimizer_version2 import MIXED, ReferenceV2, random_v2_document

TARGETS = {"impact": "min_avg_impact", "hours": "min_impact_worker_hours"}
MAXIMA = {"impact": "max_impact", "hours": "max_impact_worker_hours"}
solve_module = importlib.import_module("optimizer.solve")


def _without(doc, target):
    changed = copy.deepcopy(doc)
    changed["targets"].pop(target, None)
    changed["objective"] = "min_cost"
    return changed


def _tops(measure: str, seeds: int):
    """(seed, document, top point, reference maximum) of each random document whose frontier
    is optimal; asserts the frontier's status is the reference's and its top is the maximum."""
    target = TARGETS[measure]
    for seed in range(seeds):
        doc = _without(random_v2_document(seed), target)
        status, most = ReferenceV2(doc).solve(MAXIMA[measure])
        result = optimizer.frontier(copy.deepcopy(doc), 3, measure=measure)
        assert result["status"] == status, (seed, result.get("errors"))
        if status != "optimal":
            continue
        top = result["points"][-1]
        # measure_value is rounded to 6 decimals for the report
        assert top["measure_value"] == pytest.approx(most, rel=1e-6, abs=1e-6), seed
        yield seed, doc, top, most


@pytest.mark.parametrize("measure", ["impact", "hours"])
def test_the_top_point_is_the_reference_maximum_at_the_reference_least_cost(measure):
    target = TARGETS[measure]
    checked = 0
    for seed, doc, top, most in _tops(measure, 80):
        checked += 1
        # the least cost with the measure at the reference maximum (not a hair under it: the
        # cost may rise steeply there, by $0.006 in 1e-9 of the level on seed 16)
        asked = {**doc, "targets": {**doc["targets"], target: most}}
        least = ReferenceV2(asked).solve("min_cost")
        assert least[0] == "optimal", seed
        assert top["cost"] == pytest.approx(least[1], rel=1e-6, abs=1e-6), seed
    assert checked >= 40


def test_a_max_impact_solve_not_proved_best_within_its_rounds_is_not_called_optimal(
    monkeypatch,
):
    # MIXED's best average impact is 80 (all work at V1, impact 80; V2 has 40). The rounds
    # start at the highest impact score, 80: the first finds the all-V1 plan, and only a
    # second round at its ratio, 80, proves it best (I − 80·H = 0 at most). One round
    # therefore ends unproved: the plan is kept, the status says the solve stopped early.
    doc = copy.deepcopy(MIXED)
    doc["objective"] = "max_impact"
    proved = optimizer.solve(copy.deepcopy(doc))
    assert proved["status"] == "optimal"
    assert proved["objective"]["value"] == pytest.approx(80)
    assert [stage["stage"] for stage in proved["solver"]["stages"]][:2] == [
        "average_impact_1",
        "average_impact_2",
    ]
    monkeypatch.setattr(solve_module, "DINKELBACH_ROUNDS", 1)
    stopped = optimizer.solve(copy.deepcopy(doc))
    assert stopped["status"] == "time_limit"


@pytest.mark.parametrize("measure", ["impact", "hours"])
def test_the_top_found_by_column_generation_is_the_reference_maximum(measure, monkeypatch):
    """The top by column generation (`HighsSession.run_on_columns`: a dozen x columns per
    need, growing by those that price out), used for average impact from any size here, is
    the reference maximum; and column generation did run and finish, not fall back."""
    frontier_module = importlib.import_module("optimizer.frontier_v2")
    monkeypatch.setattr(frontier_module, "COLUMN_GENERATION_FROM", 0)
    monkeypatch.setattr(solve_module, "COLUMNS_PER_NEED", 1)  # so columns must price out
    finished = []
    original = solve_module.HighsSession.run_on_columns

    def counted(self, *args, **kwargs):
        outcome = original(self, *args, **kwargs)
        finished.append(outcome is not None)
        return outcome

    monkeypatch.setattr(solve_module.HighsSession, "run_on_columns", counted)
    checked = len(list(_tops(measure, 40)))
    assert checked >= 20
    assert sum(finished) >= checked


@pytest.mark.parametrize("measure", ["impact", "hours"])
def test_the_top_and_the_points_by_column_generation_are_the_whole_lps(measure, monkeypatch):
    """From `COLUMN_GENERATION_FROM` x columns the least cost at the top runs by column
    generation from the best plan (`run_on_columns` with the cost on the spend column only)
    and every other point on one `ColumnSweep`; every point is the one the whole LP gives."""
    frontier_module = importlib.import_module("optimizer.frontier_v2")
    monkeypatch.setattr(solve_module, "COLUMNS_PER_NEED", 1)  # so columns must price out
    original = solve_module.HighsSession.run_on_columns
    original_sweep = solve_module.ColumnSweep.run
    top_runs, point_runs = [], []

    def counted(self, model, plan, time_limit):
        outcome = original(self, model, plan, time_limit)
        spend = np.flatnonzero(self.cost).tolist() == [cost_column(model)]
        top_runs.append(spend and outcome is not None)
        return outcome

    def counted_sweep(self, time_limit):
        outcome = original_sweep(self, time_limit)
        point_runs.append(outcome is not None)
        return outcome

    monkeypatch.setattr(solve_module.HighsSession, "run_on_columns", counted)
    monkeypatch.setattr(solve_module.ColumnSweep, "run", counted_sweep)
    compared = 0
    for seed in range(30):
        doc = _without(random_v2_document(seed), TARGETS[measure])
        monkeypatch.setattr(frontier_module, "COLUMN_GENERATION_FROM", 10**9)
        whole = optimizer.frontier(copy.deepcopy(doc), 5, measure=measure)
        monkeypatch.setattr(frontier_module, "COLUMN_GENERATION_FROM", 0)
        top_runs.clear()
        point_runs.clear()
        generated = optimizer.frontier(copy.deepcopy(doc), 5, measure=measure)
        assert generated["status"] == whole["status"], seed
        if whole["status"] != "optimal":
            continue
        assert any(top_runs), seed
        assert all(point_runs), seed  # none where the top is the low end
        compared += bool(point_runs)
        for ours, theirs in zip(generated["points"], whole["points"], strict=True):
            for key, value in theirs.items():
                if key != "iterations" and isinstance(value, float):
                    assert ours[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (seed, key)
                elif key != "iterations":
                    assert ours[key] == value, (seed, key)
    assert compared >= 15
