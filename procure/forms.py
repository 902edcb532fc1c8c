"""Page forms, the same way on every page: reading typed numbers, committing a change or saying
why not.

A page form that edits what an API resource edits is read by the API's own schema: `form_body`
turns the form into the body the API would receive, `load_form` loads it and names refused
fields as the API and the services do (`title`, `targets.budget`, `sites.0.name`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from procure.api_fields import MAX_RECORD_ID
from procure.errors import ValidationFailed

ABSENT = object()  # a field the body leaves out


def form_body(
    schema: Schema,
    form: MultiDict[str, str],
    *,
    null_if_blank: Collection[str] = (),
    absent_if_blank: Collection[str] = (),
    checkboxes: Collection[str] = (),
    verbatim: Collection[str] = (),
) -> dict[str, Any]:
    """The body the API would receive for this page form, for `schema` to load.

    Each input is named by its path in the body: `title`, `targets.budget`, `sites.0.name`.
    Text is stripped, except in the fields named in `verbatim` (passwords, whose spaces count);
    a number keeps its text for the schema to read, without thousands
    separators (1,200). A blank field is absent when it is a number or named in
    `absent_if_blank`, null when named in `null_if_blank`, and "" otherwise. A list takes every
    value sent under its name; `checkboxes` are lists that are empty when no box is ticked (the
    form then sends nothing). A row of a table (`sites.1.*`) blank throughout is left out. Inputs
    the schema does not load (csrf_token, action) are left out."""
    body: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        value: Any
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            value = _rows(form, name, field.inner.schema)
        elif isinstance(field, fields.List):
            sent = [text.strip() for text in form.getlist(name)]
            present = name in form or name in checkboxes
            value = [text for text in sent if text] if present else ABSENT
        elif isinstance(field, fields.Dict):
            value = _entries(form, name, field.value_field)
        elif name in verbatim and name in form:
            value = form[name]
        elif name in form:
            value = _scalar(form[name], field)
            if value in ("", ABSENT) and name in null_if_blank:
                value = None
            elif value == "" and name in absent_if_blank:
                value = ABSENT
        else:
            value = ABSENT
        if value is not ABSENT:
            body[name] = value
    return body


def _scalar(text: str, field: fields.Field | None) -> Any:
    text = text.strip()
    if isinstance(field, fields.Number):
        return text.replace(",", "") if text else ABSENT
    return text


def _entries(form: MultiDict[str, str], name: str, value_field: fields.Field | None):
    prefix = f"{name}."
    keys = [key for key in form if key.startswith(prefix)]
    if not keys:
        return ABSENT
    entries = {key.removeprefix(prefix): _scalar(form[key], value_field) for key in keys}
    return {key: value for key, value in entries.items() if value is not ABSENT}


def _rows(form: MultiDict[str, str], name: str, schema: Schema):
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == name and parts[1].isdigit():
            rows.setdefault(int(parts[1]), {})[parts[2]] = form[key]
    if not rows:
        return ABSENT
    return [
        {
            key: value
            for key, field in schema.load_fields.items()
            if key in row and (value := _scalar(row[key], field)) is not ABSENT
        }
        for _, row in sorted(rows.items())
        if any(text.strip() for text in row.values())
    ]


def load_form(schema: Schema, body: Mapping[str, Any]) -> dict[str, Any]:
    """`body` (from `form_body`) loaded by the API's schema. A refusal raises ValidationFailed
    with the fields named as the API names them, nested paths dotted as the services write them
    (`sites.0.name`)."""
    try:
        return schema.load(body)
    except ValidationError as refused:
        raise ValidationFailed(field_errors(refused.messages)) from None


def field_errors(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's (or the API's JSON) nested messages as one list of messages per dotted
    field path: `{"sites": {0: {"name": [...]}}}` gives `{"sites.0.name": [...]}`."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, nested in messages.items():
            flat.update(field_errors(nested, f"{path}.{key}" if path else str(key)))
        return flat
    listed = messages if isinstance(messages, list) else [messages]
    return {path or "_schema": [str(message) for message in listed]}


def form_int(text: str | None) -> int | None:
    """A whole number typed or sent by a page (an id, a version), or None when it is not one or is
    larger than any record id."""
    try:
        number = int((text or "").strip())
    except ValueError:  # also "²", which str.isdigit() accepts
        return None
    return number if 0 <= number <= MAX_RECORD_ID else None
