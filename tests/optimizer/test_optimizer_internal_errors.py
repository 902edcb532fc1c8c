"""An unexpected exception inside a public entry point is reported, and logged with its
traceback: the caller gets "internal error: KeyError", the log says where it happened."""

from __future__ import annotations

import importlib
import logging

import pytest

import optimizer
import optimizer.api
import optimizer.problem

# The package's `frontier` is the function, which hides the module of the same name.
frontier_module = importlib.import_module("optimizer.frontier")


def _broken_build_model(problem):
    raise KeyError("lost_row")


def _errors_logged(caplog, logger_name: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == logger_name and record.levelno == logging.ERROR
    ]


def test_solve_logs_an_internal_error_with_its_traceback(golden, monkeypatch, caplog):
    monkeypatch.setattr(optimizer.api, "build_model", _broken_build_model)
    with caplog.at_level(logging.ERROR, logger="optimizer"):
        result = optimizer.solve(golden("impact_binding"))
    assert result["status"] == "error"
    assert result["errors"] == [{"field": "$", "message": "internal error: KeyError"}]
    (record,) = _errors_logged(caplog, "optimizer.api")
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert "_broken_build_model" in caplog.text and "KeyError: 'lost_row'" in caplog.text


def test_frontier_logs_an_internal_error_with_its_traceback(golden, monkeypatch, caplog):
    monkeypatch.setattr(frontier_module, "build_model", _broken_build_model)
    with caplog.at_level(logging.ERROR, logger="optimizer"):
        result = optimizer.frontier(golden("impact_binding"), 3)
    assert result["status"] == "error" and result["points"] == []
    assert result["errors"] == [{"field": "$", "message": "internal error: KeyError"}]
    (record,) = _errors_logged(caplog, "optimizer.frontier")
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert "_broken_build_model" in caplog.text


def test_validate_logs_an_internal_error_with_its_traceback(monkeypatch, caplog):
    def broken_parse(document):
        raise KeyError("needs")

    monkeypatch.setattr(optimizer.problem, "parse_problem", broken_parse)
    with caplog.at_level(logging.ERROR, logger="optimizer"):
        errors = optimizer.validate({"needs": []})
    assert errors == [{"field": "$", "message": "could not read the document (KeyError)"}]
    (record,) = _errors_logged(caplog, "optimizer.problem")
    assert record.exc_info is not None and "broken_parse" in caplog.text


@pytest.mark.parametrize("entry", ["solve", "frontier"])
def test_a_bad_document_is_reported_not_logged(entry, caplog):
    document = {"needs": [], "vendors": [], "offers": []}
    with caplog.at_level(logging.DEBUG, logger="optimizer"):
        result = optimizer.solve(document) if entry == "solve" else optimizer.frontier(document, 3)
    assert result["status"] == "invalid"
    assert caplog.records == []
