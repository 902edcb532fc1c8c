"""Page forms read through a schema: typed numbers as the API's FiniteNumber reads them."""

import pytest
from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from procure.api_fields import FiniteNumber
from procure.errors import ValidationFailed
from procure.forms import form_body, load_form


class Figures(Schema):
    a = FiniteNumber()
    b = FiniteNumber(allow_none=True)
    c = FiniteNumber()
    volume = FiniteNumber(required=True, error_messages={"required": "Enter the volume."})


def _load(fields: dict[str, str]) -> dict:
    return load_form(Figures(), form_body(Figures(), MultiDict(fields)))


def test_numbers_blanks_and_thousands_separators():
    assert _load({"a": " 1,200.5 ", "b": "", "c": "0", "volume": "3"}) == {
        "a": 1200.5,
        "c": 0.0,
        "volume": 3.0,
    }  # a blank number is left out, as if not sent


def test_text_nan_infinity_and_required_blanks_are_named():
    with pytest.raises(ValidationFailed) as refused:
        _load({"a": "lots", "b": "nan", "c": "-Infinity", "volume": " "})
    assert refused.value.errors == {
        "a": ["'lots' is not a number."],
        "b": ["'nan' is not a number."],
        "c": ["'-Infinity' is not a number."],
        "volume": ["Enter the volume."],
    }
