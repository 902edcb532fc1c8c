"""A disclosure's warnings name each field by the label the form gives it, never by its key
(issue #22: the disclosure page read "period_end: The period runs from …")."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

from procure.disclosures import form_spec
from procure.disclosures.validation import validate_disclosure
from procure.reference_data import load_reference
from tests.conftest import valid_document

REFERENCE = load_reference(Path(__file__).resolve().parents[2] / "config")


def _warned() -> dict[str, str]:
    """Each warned field of a document that draws every kind of warning, with its message."""
    document = copy.deepcopy(valid_document("2025-01-01", "2025-06-30"))  # six months
    workforce = document["workforce"]
    workforce["headcount_end"] += 40  # start + hires − departures no longer adds up
    workforce["full_time_end"] += 40
    workforce["categories"] = dict.fromkeys(workforce["categories"], 0)  # no one in a category
    document["wages"][0]["standard_weekly_hours"] = 60  # over the ILO week
    document["training"]["training_hours_all"] = 300 * 110  # 300 hours per FTE, over 200
    report = validate_disclosure(document, REFERENCE, today=date(2026, 2, 1), for_submit=False)
    assert not report.errors, report.errors
    return {issue.field: issue.message for issue in report.warnings}


def test_every_warning_names_its_field_by_the_forms_label():
    warned = _warned()
    assert {"period_end", "workforce.categories", "wages[0].standard_weekly_hours"} <= set(warned)
    labels = {path: form_spec.field_label(path) for path in warned}
    assert labels["period_end"] == "Last day of the period"
    assert labels["workforce.categories"] == "Impact workers by category at period end"
    assert labels["wages[0].standard_weekly_hours"] == "Site 1: Standard weekly hours"
    for path, label in labels.items():
        assert "_" not in label and "." not in label, (path, label)


def test_a_path_the_form_has_no_label_for_reads_in_words():
    assert form_spec.field_label("wages") == "Wages per site"
    assert form_spec.field_label("sections.unknown_part") == "Unknown part (sections)"
