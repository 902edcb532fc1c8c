"""Version 2 capacities are read in bulk when every row is plainly valid
(`problem._capacities_fast`), and row by row otherwise, which names what is wrong. Both
readings must give the same capacities, and a document the bulk reading cannot vouch for
must reach the row-by-row one."""

from __future__ import annotations

import copy
import importlib

import numpy as np
import pytest

import optimizer
from optimizer.fields import ErrorList
from tests.optimizer.test_optimizer_version2 import random_v2_document

problem = importlib.import_module("optimizer.problem")


def _read(document, bulk: bool, monkeypatch):
    with monkeypatch.context() as patch:
        if not bulk:
            patch.setattr(problem, "_capacities_fast", lambda *_args: None)
        errors = ErrorList()
        positions = {v["id"]: i for i, v in enumerate(document["vendors"])}
        read = problem._capacities(document, positions, errors)
    return read, errors.entries


@pytest.mark.parametrize("seed", range(60))
def test_the_bulk_reading_equals_the_row_by_row_one(seed, monkeypatch):
    document = random_v2_document(seed)
    bulk, bulk_errors = _read(document, True, monkeypatch)
    rows, row_errors = _read(document, False, monkeypatch)
    assert bulk_errors == row_errors == []
    for field in ("vendor", "month", "hours"):
        assert np.array_equal(getattr(bulk, field), getattr(rows, field)), field


def test_enough_random_documents_have_capacities():
    assert sum(bool(random_v2_document(seed).get("capacities")) for seed in range(60)) >= 30


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.append(dict(rows[0])),  # a vendor's month twice
        lambda rows: rows[0].update(hours=-1),
        lambda rows: rows[0].update(hours=True),
        lambda rows: rows[0].update(month="2026-13"),
        lambda rows: rows[0].update(vendor="nobody"),
        lambda rows: rows[0].update(extra=1),
    ],
)
def test_a_row_the_bulk_reading_cannot_vouch_for_is_named_as_before(change):
    document = next(d for d in map(random_v2_document, range(60)) if d.get("capacities"))
    broken = copy.deepcopy(document)
    change(broken["capacities"])
    result = optimizer.solve(broken)
    assert result["status"] == "invalid"
    assert any(e["field"].startswith("capacities[") for e in result["errors"]), result["errors"]
