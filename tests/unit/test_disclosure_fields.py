"""The disclosure field table (scoring.fields) is the one place a field is named: the form, the
validation messages, the flat table, the scoring contract and the what-if box all read it."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from procure.disclosures import form_spec, validation
from procure.disclosures.tables import FLAT_COLUMNS
from procure.disclosures.validation import validate_disclosure
from procure.reference_data import load_reference
from procure.scoring.views import SITE_WAGE_COLUMNS, WHAT_IF_COLUMNS
from scoring import contract
from scoring.fields import COLUMN_FIELDS, DOCUMENT_SECTIONS, FIELDS, fields_in
from tests.conftest import valid_document

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = load_reference(ROOT / "config")
ENTERED = [f for f in FIELDS if f.entered]


def _path(section: str, key: str) -> str:
    """A field's path in the document, as the validator and the form name it (first site)."""
    prefix = {
        "period": "",
        "workforce": "workforce.",
        "categories": "workforce.categories.",
        "wages": "wages[0].",
        "training": "training.",
        "evidence": "evidence.",
    }[section]
    return prefix + key


def test_one_label_per_field_and_one_field_per_key_in_each_section():
    labels = [f.label for f in FIELDS]
    assert len(set(labels)) == len(labels)
    keys = [(f.section, f.key) for f in FIELDS]
    assert len(set(keys)) == len(keys)
    assert {f.section for f in FIELDS} == set(DOCUMENT_SECTIONS)


def test_the_form_shows_each_entered_field_with_the_table_label_and_hint():
    shown = [
        *(form_spec.PERIOD_START, form_spec.PERIOD_END),
        *form_spec.WORKFORCE,
        form_spec.OTHER_CATEGORY_LABEL,
        *form_spec.CATEGORIES,
        *form_spec.SITE,
        *form_spec.TRAINING,
        *form_spec.EVIDENCE,
    ]
    by_path = {
        _path(section, f.key): (f.label, f.hint)
        for section, fields in (
            ("period", (form_spec.PERIOD_START, form_spec.PERIOD_END)),
            ("workforce", (*form_spec.WORKFORCE, form_spec.OTHER_CATEGORY_LABEL)),
            ("categories", form_spec.CATEGORIES),
            ("wages", form_spec.SITE),
            ("training", form_spec.TRAINING),
            ("evidence", form_spec.EVIDENCE),
        )
        for f in fields
    }
    assert len(shown) == len(ENTERED)
    assert by_path == {_path(f.section, f.key): (f.label, f.hint) for f in ENTERED}
    # the error summary names a field as its input does; a site's fields carry the site
    for f in ENTERED:
        expected = f"Site 1: {f.label}" if f.section == "wages" else f.label
        assert form_spec.field_label(_path(f.section, f.key)) == expected


@pytest.mark.parametrize("field", ENTERED, ids=lambda f: _path(f.section, f.key))
def test_a_validation_message_names_its_field_by_the_table_label(field):
    document = copy.deepcopy(valid_document())
    group = {
        "period": document,
        "workforce": document["workforce"],
        "categories": document["workforce"]["categories"],
        "wages": document["wages"][0],
        "training": document["training"],
        "evidence": document["evidence"],
    }[field.section]
    group[field.key] = [1]  # a list is the wrong kind of value for every field
    report = validate_disclosure(document, REFERENCE, today=date(2026, 2, 1), for_submit=False)
    messages = [i.message for i in report.errors if i.field == _path(field.section, field.key)]
    if field.section == "wages":  # mid-sentence, after the site's name (its number if unnamed)
        site = "Site 1" if field.key == "site" else f'Site "{document["wages"][0]["site"]}"'
        expected_start = f"{site}: {field.label[0].lower()}{field.label[1:]} "
    else:
        expected_start = f"{field.label} "
    assert len(messages) == 1 and messages[0].startswith(expected_start), messages


def test_validation_reads_its_fields_from_the_table():
    read = {
        "period": validation.PERIOD_FIELDS,
        "workforce": validation.WORKFORCE_FIELDS,
        "categories": validation.CATEGORY_FIELDS,
        "wages": validation.WAGE_FIELDS,
        "training": validation.TRAINING_FIELDS,
        "evidence": validation.EVIDENCE_FIELDS,
    }
    for section, fields in read.items():
        assert list(fields.values()) == list(fields_in(section))


def test_the_what_if_offers_scored_columns_labelled_by_the_table():
    assert WHAT_IF_COLUMNS and all(COLUMN_FIELDS[column].scored for column in WHAT_IF_COLUMNS)
    # and each site's own wages, which are wage columns of the table
    assert SITE_WAGE_COLUMNS and set(SITE_WAGE_COLUMNS) <= set(contract.WAGE_COLUMNS)


def test_the_contract_and_the_flat_table_have_the_table_columns_in_its_order():
    disclosed = list(COLUMN_FIELDS)
    offer = ["category", "price", "quality"]
    assert list(contract.REQUIRED_COLUMNS) == ["vendor_id", *offer, *disclosed]
    # then the optional offer columns, the site the wages come from and their currency, and
    # the offer's own price, currency and rate
    priced = [
        "unit",
        "lowest_price",
        "wage_site",
        "wage_currency",
        "offer_price",
        "offer_currency",
        "usd_rate",
        "usd_rate_date",
    ]
    assert list(FLAT_COLUMNS) == [
        "vendor_id",
        "disclosure_id",
        "disclosure_version",
        "period_start",
        "period_end",
        *offer,
        *disclosed,
        *contract.GROUP_COLUMNS,  # optional in the contract, always exported
        *priced,
    ]
    # the `procure score` input contract itself is written out, column by column, in
    # tests/scoring/test_scoring_table.py: a change to the table cannot move it unnoticed


def test_no_label_is_written_out_where_the_vocabulary_used_to_be_repeated():
    places = [
        *(ROOT / "procure" / "disclosures").glob("*.py"),
        *(ROOT / "procure" / "scoring").glob("*.py"),
        *(ROOT / "scoring").glob("*.py"),
        *(ROOT / "templates" / "disclosures").glob("*.html"),
        *(ROOT / "templates" / "scoring").glob("*.html"),
    ]
    written = [
        (path.relative_to(ROOT).as_posix(), f.label)
        for path in places
        if path.name != "fields.py" or path.parent.name != "scoring"
        for text in [path.read_text(encoding="utf-8")]
        for f in FIELDS
        if f'"{f.label}"' in text or f"'{f.label}'" in text
    ]
    assert written == []
