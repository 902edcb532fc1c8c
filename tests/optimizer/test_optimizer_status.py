"""Named statuses: `optimizer.Status` members are plain strings to every reader of a result.

The documents in tests/data/optimizer/results/ were written by the optimizer before it named
its statuses (bare strings then), with the fields that vary from run to run (solver times, the
solver's version) set to fixed values; the same cases must serialise to the same bytes now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import optimizer
from optimizer import Status

RESULTS = Path(__file__).resolve().parents[1] / "data" / "optimizer" / "results"


STRUCTURED_UNIT = ("measure", "step", "steps", "direction")
"""The parts of a constraint's `unit` that constraints carry since issue #17: later than the
stored documents, which keep them out (the unit's text itself is unchanged)."""


def _normalised(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its run-to-run fields fixed (as in the stored documents), and each
    constraint without the fields added after them (each must be there: null without a
    price, the objective's unit as `measure` with one)."""
    for constraint in document.get("constraints", []):
        parts = {key: constraint.pop(key) for key in STRUCTURED_UNIT}
        unit = constraint["unit"]
        assert (parts["measure"] is None) == (unit is None), constraint["name"]
        assert unit is None or unit.startswith(f"{parts['measure']} per "), unit
    solver = document.get("solver")
    if solver:
        solver["time"] = solver["wall_time"] = 0.0
        solver["version"] = "(version)"
        for stage in solver.get("stages", []):
            stage["seconds"] = 0.0
    return document


def _over_budget(golden) -> dict[str, Any]:
    doc = golden("impact_binding")
    doc["targets"]["budget"] = 1100  # $1150 is the least cost at average impact 80
    return doc


CASES = {
    "solve_impact_binding": lambda golden: optimizer.solve(golden("impact_binding")),
    "solve_impact_binding_over_budget": lambda golden: optimizer.solve(_over_budget(golden)),
    "solve_min_order": lambda golden: optimizer.solve(golden("min_order")),
    "solve_invalid": lambda golden: optimizer.solve({"needs": [], "vendors": "none"}),
    "frontier_impact_binding": lambda golden: optimizer.frontier(golden("impact_binding"), 4),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_document_serialises_byte_for_byte_as_before(golden, name):
    document = CASES[name](golden)
    assert isinstance(document["status"], Status)  # named, yet written as the plain string
    written = json.dumps(_normalised(document), indent=2) + "\n"
    assert written == (RESULTS / f"{name}.json").read_text()


def test_statuses_inside_a_document_are_members_and_read_back_as_str(golden):
    result = optimizer.solve(_over_budget(golden))
    stage = result["solver"]["stages"][0]
    budget = result["explanation"]["targets"]["budget"]
    assert result["status"] is Status.INFEASIBLE and stage["status"] is Status.INFEASIBLE
    assert budget["status"] is Status.OPTIMAL  # relaxing the budget alone is enough
    again = json.loads(json.dumps(result))
    assert again["status"] == "infeasible" and type(again["status"]) is str
    assert again["solver"]["stages"][0]["status"] == "infeasible"


def test_a_member_is_its_value():
    assert Status.TIME_LIMIT == "time_limit" and str(Status.TIME_LIMIT) == "time_limit"
    assert f"{Status.STOPPED}" == "stopped"
    assert json.dumps({"status": Status.OPTIMAL}) == '{"status": "optimal"}'
    assert [status.value for status in Status] == [
        "optimal",
        "optimal_relaxed",
        "infeasible",
        "time_limit",
        "invalid",
        "error",
        "stopped",
    ]
