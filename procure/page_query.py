"""What a page reads from its address's query, refused as the API refuses it.

A page reads its query parameters through a marshmallow schema made of the API's own fields and
validators, so that a page and the API accept the same values. A bad value answers 422 with the
error page, which names each parameter refused and what it takes; nothing is read or stored
first. A parameter left out, or sent empty (a form's blank option), takes its default: a page
that gives the empty value a meaning of its own ("every category") reads that from the request.
Parameters a page does not read are left alone, as before.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields

from procure.api_fields import PageNumber
from procure.errors import ValidationFailed
from procure.forms import field_errors

QUERY_REFUSED = (
    "The address asks for something this page cannot show: each parameter refused is named "
    "below with what it takes."
)

PAGE_QUERY = Schema.from_dict({"page": PageNumber()}, name="PageQuerySchema")()


def read_query(schema: Schema) -> dict[str, Any]:
    """The query parameters `schema` names, loaded; ValidationFailed (422) naming each bad one."""
    sent: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        values = [value for value in request.args.getlist(key) if value != ""]
        if values:
            sent[key] = values if isinstance(field, fields.List) else values[0]
    try:
        return schema.load(sent)
    except ValidationError as refused:
        raise ValidationFailed(field_errors(refused.messages), QUERY_REFUSED) from refused


def page_asked() -> int:
    """The page of a list the query asks for (`page`, from 1)."""
    return read_query(PAGE_QUERY)["page"]
