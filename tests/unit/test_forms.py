"""form_number: one way to read a typed number on every page."""

from procure.forms import form_number


def test_numbers_blanks_and_thousands_separators():
    errors: dict = {}
    form = {"a": " 1,200.5 ", "b": "", "c": "0"}
    assert form_number(form, "a", errors) == 1200.5
    assert form_number(form, "b", errors) is None
    assert form_number(form, "c", errors) == 0.0
    assert form_number(form, "missing", errors) is None
    assert errors == {}


def test_text_nan_infinity_and_required_blanks_are_named():
    errors: dict = {}
    form = {"text": "lots", "nan": "nan", "inf": "-Infinity", "blank": " "}
    for name in ("text", "nan", "inf"):
        assert form_number(form, name, errors) is None
    assert form_number(form, "blank", errors, required="Enter the volume.") is None
    assert errors == {
        "text": ["'lots' is not a number."],
        "nan": ["'nan' is not a number."],
        "inf": ["'-Infinity' is not a number."],
        "blank": ["Enter the volume."],
    }
