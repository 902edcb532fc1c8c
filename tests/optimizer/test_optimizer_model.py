"""The built model: the official PuLP model is the same LP as the arrays sent to HiGHS."""

from __future__ import annotations

import importlib

import numpy as np
import pulp
import pytest

import optimizer
from optimizer.model import INF, build_model, primary_cost, to_pulp
from optimizer.problem import parse_problem

solve_module = importlib.import_module("optimizer.solve")


def _model(doc):
    problem, errors = parse_problem(doc)
    assert errors == []
    return build_model(problem)


def _rows_from_pulp(model, constraints, variables):
    column = {v.name: k for k, v in enumerate(variables)}
    rows = []
    for constraint in constraints:
        if constraint is None:
            rows.append(None)
            continue
        terms = sorted((column[v.name], a) for v, a in constraint.items())
        lower = constraint.getLb()
        upper = constraint.getUb()
        rows.append((terms, -INF if lower is None else lower, INF if upper is None else upper))
    return rows


@pytest.mark.parametrize(
    "name", ["impact_binding", "min_order", "max_vendors", "impact_spend_share"]
)
def test_pulp_model_equals_the_arrays(golden, random_document, name):
    for doc in (golden(name), random_document(7), random_document(11)):
        doc.setdefault("targets", {})["max_vendor_spend_share"] = 0.9
        model = _model(doc)
        lp = model.lp
        prob, variables, constraints = to_pulp(model, primary_cost(model)[0])
        assert [v.name for v in variables] == model.column_names()
        assert [v.cat == pulp.LpInteger for v in variables] == lp.integer.tolist()
        np.testing.assert_array_equal(
            [-INF if v.lowBound is None else v.lowBound for v in variables], lp.col_lower
        )
        np.testing.assert_array_equal(
            [INF if v.upBound is None else v.upBound for v in variables], lp.col_upper
        )
        for r, row in enumerate(_rows_from_pulp(model, constraints, variables)):
            if row is None:  # a free row (target not set) is left out of the PuLP model
                assert lp.row_lower[r] == -INF and lp.row_upper[r] == INF
                continue
            terms, lower, upper = row
            begin, end = lp.start[r], lp.start[r + 1]
            expected = sorted(
                zip(lp.index[begin:end].tolist(), lp.value[begin:end].tolist(), strict=True)
            )
            assert terms == expected, model.row_names[r]
            assert (lower, upper) == (lp.row_lower[r], lp.row_upper[r]), model.row_names[r]
        assert [c.name for c in constraints if c is not None] == [
            n for n, c in zip(model.row_names, constraints, strict=True) if c is not None
        ]
        prob.checkDuplicateVars()


def test_pulp_model_solves_to_the_same_cost(golden):
    doc = golden("impact_binding")
    prob, _, _ = to_pulp(_model(doc), primary_cost(_model(doc))[0])
    assert prob.solve(pulp.HiGHS(msg=False)) == pulp.LpStatusOptimal
    assert pulp.value(prob.objective) == pytest.approx(optimizer.solve(doc)["totals"]["cost"])


def test_names_are_stable_and_zero_padded(random_document):
    model = _model(random_document(3))
    names = model.column_names()
    assert names[0].startswith("x_n00000_v") and "total_spend" in names
    assert model.row_names[0] == "demand_n00000"
    assert all(len(name.split("_")[1]) == 6 for name in names if name.startswith("x_"))


def test_ineligible_offers_get_no_variable():
    doc = {
        "needs": [{"id": "N1", "volume": 10, "min_quality": 0.9}],
        "vendors": [
            {"id": "V1", "quality": 0.95, "impact_score": 10, "capacity": None},
            {"id": "V2", "quality": 0.85, "impact_score": 90, "capacity": None},
        ],
        "offers": [
            {"vendor": "V1", "need": "N1", "price": 20},
            {"vendor": "V2", "need": "N1", "price": 1},
        ],
    }
    model = _model(doc)
    assert model.n_x == 1 and model.x_vendor.tolist() == [0]
    result = optimizer.solve(doc)
    assert result["model"]["ineligible_offers"] == 1
    assert [a["vendor"] for a in result["allocations"]] == ["V1"]


def test_model_arrays_are_read_only(golden):
    model = _model(golden("impact_binding"))
    with pytest.raises(ValueError):
        model.lp.value[0] = 3.0


def test_solver_unavailable_is_reported(golden, monkeypatch):
    monkeypatch.setattr(solve_module, "cbc_path", lambda: None)
    doc = golden("impact_binding")
    doc["options"]["solver"] = "cbc"
    result = optimizer.solve(doc)
    assert result["status"] == "error" and result["error_code"] == "solver_unavailable"
    assert result["errors"][0]["field"] == "options.solver"
    assert "CBC is not available" in result["errors"][0]["message"]
    assert optimizer.frontier(doc, 3)["error_code"] == "solver_unavailable"


def test_an_injected_solver_is_used(golden):
    calls = []

    class CountingSolver(solve_module.HighsSolver):
        def open(self, model, continuous=False):
            calls.append(continuous)
            return super().open(model, continuous)

    result = optimizer.solve(golden("impact_binding"), solver=CountingSolver())
    assert result["status"] == "optimal" and calls == [False]


def test_time_limit_status(random_document):
    doc = random_document(1)
    doc["options"] = {"time_limit": 1e-9}
    result = optimizer.solve(doc)
    assert result["status"] == "time_limit" and result["allocations"] == []
    assert result["solver"]["stages"][0]["status"] == "time_limit"
