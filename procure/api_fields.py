"""Shared API fields."""

from marshmallow import ValidationError, fields, validate

# Record ids and versions are the database's integer columns (32-bit on PostgreSQL): a larger
# number names no record, and must never reach a query (it would overflow the driver).
MAX_RECORD_ID = 2**31 - 1


def _column_integer(refusal: str, **kwargs) -> fields.Integer:
    return fields.Integer(
        validate=validate.Range(min=1, max=MAX_RECORD_ID, error=refusal), **kwargs
    )


def RecordId(**kwargs) -> fields.Integer:  # noqa: N802 - used like a field class
    """An integer that can be a record id (1 to 2**31 - 1)."""
    return _column_integer("No record has this id.", **kwargs)


def RecordVersion(**kwargs) -> fields.Integer:  # noqa: N802 - used like a field class
    """The version of a record an edit was based on (1 to 2**31 - 1, the range of the column): a
    number outside it is refused here (422 naming the field); a stale one in range gets 409."""
    return _column_integer("No record has this version.", **kwargs)


def PageNumber(**kwargs) -> fields.Integer:  # noqa: N802 - used like a field class
    """The page of a list to show, from 1 (page 1 when not given)."""
    return _column_integer(
        "Give a page number: a whole number from 1.",
        load_default=1,
        error_messages={"invalid": "Give a page number: a whole number from 1."},
        **kwargs,
    )


class FiniteNumber(fields.Float):
    """A finite number. Sent as a JSON number or as its text ("1200", as a page form sends it);
    text that is no number, NaN and infinity are refused with the text shown back."""

    default_error_messages = {
        "invalid": "{input!r} is not a number.",
        "null": "Enter a number.",
    }

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value):
        try:
            return super()._validated(value)
        except ValidationError:
            raise self.make_error("invalid", input=value) from None


class ScalarValue(fields.Raw):
    """One JSON value that is not a list or an object: a number, text, true/false or null (a cell
    of a table, a figure of a what-if). A list or an object is refused naming the field, before any
    code uses it as a value."""

    default_error_messages = {"invalid": "Enter a single number or text, not a list or an object."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (dict, list)):
            raise self.make_error("invalid")
        return value
