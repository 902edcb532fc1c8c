"""One guard in front of every route: input no field may hold is refused before any route, service
or query sees it.

- Control characters (C0: NUL to U+001F) in the path, the query string, form fields, file names,
  JSON keys and string values, and the bearer token, answer 422 naming the field (`query.q`,
  `name`, `offers.0.comment`). PostgreSQL refuses NUL in text, and the request would otherwise
  reach the database with it (and answer 500). Tab, line feed and carriage return are text in a
  form field or a JSON string, and are allowed there only.
- JSON nested deeper than MAX_JSON_DEPTH answers 400 before it is parsed: Python's parser
  recurses once per level, and a deep enough body ends in a RecursionError.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request

from procure.errors import ValidationFailed

MAX_JSON_DEPTH = 64
CONTROL = re.compile(r"[\x00-\x1f]")  # in a name, a path, a query value, a token
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # in text: all but \t \n \r
CONTROL_MESSAGE = "Control characters (such as NUL) are not allowed."
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, read without parsing it
    (brackets inside strings do not count). A malformed text gives some depth; the parser refuses
    it afterwards."""
    brackets = JSON_STRING.sub(b"", body).translate(None, NOT_A_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _json_strings(value: Any, path: str):
    """(path, text) of every key and string value of a parsed JSON document, dotted as the API
    names fields (`offers.0.comment`); a key is named by the path of the member it names."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, nested in value.items():
            member = f"{path}.{key}" if path else str(key)
            yield member, key
            yield from _json_strings(nested, member)
    elif isinstance(value, list):
        for index, nested in enumerate(value):
            yield from _json_strings(nested, f"{path}.{index}" if path else str(index))


def _refused_fields() -> dict[str, str]:
    """Each field that holds a control character, with the first one it holds."""
    named = [
        ("path", request.path, CONTROL),
        ("headers.Authorization", request.headers.get("Authorization", ""), CONTROL),
    ]
    named += [(f"query.{k}", v, CONTROL) for k, v in request.args.items(multi=True)]
    named += [(f"query.{k}", k, CONTROL) for k in request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        named += [(k, v, CONTROL_IN_TEXT) for k, v in request.form.items(multi=True)]
        named += [(k, k, CONTROL) for k in request.form]
        named += [(k, f.filename or "", CONTROL) for k, f in request.files.items(multi=True)]
    if request.is_json and request.content_length != 0:
        if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            abort(
                400,
                f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.",
            )
        document = request.get_json(silent=True)  # malformed JSON is refused by the route
        named += [
            (path or "json", text, CONTROL_IN_TEXT) for path, text in _json_strings(document, "")
        ]
    refused: dict[str, str] = {}
    for name, text, pattern in named:
        found = pattern.search(text)
        if found and name not in refused:
            refused[name] = found.group()
    return dict(sorted(refused.items()))


def control_message(character: str) -> str:
    """What a field with a control character is told, naming it (`U+0007`) as the services name
    the invisible characters they refuse."""
    return f"{CONTROL_MESSAGE} This holds U+{ord(character):04X}."


def refuse_hostile_input() -> None:
    refused = _refused_fields()
    if refused:
        raise ValidationFailed(
            {name: [control_message(character)] for name, character in refused.items()},
            "The input is not valid: see the message for each field.",
        )


def register_request_guard(app: Flask) -> None:
    # first of the app's hooks: before a bearer token is looked up or a session user loaded
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_hostile_input)
