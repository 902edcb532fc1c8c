"""Reading JSON objects field by field: the rules, the checks and the error list of the
problem document (`optimizer.problem`). Messages name the JSON path of the field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_ERRORS = 200
"""Messages beyond this many are summarised in one final message."""
MAX_SCORE = 100.0
"""Impact scores, and the targets on them, are points from 0 to MAX_SCORE."""
SHOWN_CHARS = 40
"""A bad value quoted in a message is cut to this many characters."""


@dataclass(frozen=True)
class Rule:
    """How one field is checked. kind: id, ref, refs (a list of distinct string ids, at least
    one), number, integer, month, choice, flag."""

    name: str
    kind: str
    required: bool = False
    nullable: bool = True
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] = ()


class ErrorList:
    """Collects `{"field", "message"}` entries, keeping at most MAX_ERRORS of them."""

    def __init__(self) -> None:
        self.entries: list[dict[str, str]] = []
        self.dropped = 0

    def add(self, field: str, message: str) -> None:
        if len(self.entries) < MAX_ERRORS:
            self.entries.append({"field": field, "message": message})
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.entries)

    def as_list(self) -> list[dict[str, str]]:
        if not self.dropped:
            return list(self.entries)
        summary = {"field": "$", "message": f"{self.dropped} more problems not listed"}
        return [*self.entries, summary]


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def check_number(value: Any, rule: Rule) -> tuple[float | None, str | None]:
    """Return (number, None) or (None, message without the path)."""
    if type(value) not in (int, float):
        return None, f"must be a number, got {type_name(value)}"
    try:
        number = float(value)
    except OverflowError:
        return None, "must be a finite number, got a number too large to represent"
    if not math.isfinite(number):
        return None, f"must be a finite number, got {shown(value)}"
    if rule.kind == "integer" and number != int(number):
        return None, f"must be a whole number, got {shown(value)}"
    low, high = rule.low, rule.high
    scale = low is not None and high is not None and high <= MAX_SCORE  # a share or a score
    if low is not None and (number < low or (rule.low_open and number == low)):
        if scale:
            return None, f"must be between {low:g} and {high:g}, got {shown(value)}"
        word = "greater than" if rule.low_open else "at least"
        return None, f"must be {word} {low:g}, got {shown(value)}"
    if high is not None and number > high:
        if scale:
            return None, f"must be between {low:g} and {high:g}, got {shown(value)}"
        return None, f"must be at most {high:g}, got {shown(value)}"
    return number, None


def check_value(value: Any, rule: Rule) -> tuple[Any, str | None]:
    if value is None:
        if rule.nullable:
            return rule.default, None
        return None, f"must not be null ({expected_kind(rule)})"
    if rule.kind in ("id", "ref"):
        if not isinstance(value, str):
            return None, f"must be a string, got {type_name(value)}"
        if not value.strip():
            return None, "must not be empty"
        return value, None
    if rule.kind == "month":
        return check_month(value, rule)
    if rule.kind == "refs":
        return check_refs(value)
    if rule.kind in ("number", "integer"):
        number, message = check_number(value, rule)
        if number is not None and rule.kind == "integer":
            return int(number), None
        return number, message
    if rule.kind == "choice":
        if not isinstance(value, str) or value not in rule.choices:
            expected = ", ".join(rule.choices)
            return None, f"unknown {rule.name} {shown(value)} (expected one of: {expected})"
        return value, None
    if type(value) is not bool:
        return None, f"must be true or false, got {type_name(value)}"
    return value, None


def check_refs(value: Any) -> tuple[tuple[str, ...] | None, str | None]:
    """A list of distinct, non-empty string ids, at least one (vendors of an award rule)."""
    if not isinstance(value, list):
        return None, f"must be a list of ids, got {type_name(value)}"
    if not value:
        return None, "must list at least one id"
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return None, f"item {index} must be a non-empty string id, got {shown(item)}"
        if item in value[:index]:
            return None, f"lists {item!r} twice"
    return tuple(value), None


def month_number(year: int, month: int) -> int:
    """A calendar month as one number: year × 12 + month − 1 (months then subtract)."""
    return year * 12 + month - 1


def month_text(number: int) -> str:
    """`YYYY-MM` of a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def check_month(value: Any, rule: Rule) -> tuple[int | None, str | None]:
    """A `YYYY-MM` string between the years rule.low and rule.high, as a month number."""
    if not isinstance(value, str):
        return None, f"must be a month as YYYY-MM, got {type_name(value)}"
    year, dash, month = value.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        return None, f"must be a month as YYYY-MM, got {shown(value)}"
    if not 1 <= int(month) <= 12:
        return None, f"has no month {month}: {shown(value)}"
    low, high = rule.low, rule.high
    if (low is not None and int(year) < low) or (high is not None and int(year) > high):
        return None, f"must be a month from {low:g} to {high:g}, got {shown(value)}"
    return month_number(int(year), int(month)), None


def expected_kind(rule: Rule) -> str:
    return {
        "month": "a month as YYYY-MM",
        "id": "a string id",
        "ref": "a string id",
        "refs": "a list of string ids",
        "number": "a number",
        "integer": "a whole number",
        "choice": "a name",
        "flag": "true or false",
    }[rule.kind]


def _field_path(path: str, name: str) -> str:
    """The path of field `name` of the object at `path` ("$": the document itself)."""
    return f"{path}.{name}" if path != "$" else name


def read_fields(
    record: Any, path: str, rules: tuple[Rule, ...], errors: ErrorList, strict: bool
) -> dict[str, Any] | None:
    """Check one JSON object field by field; return the values or None when any is bad."""
    if not isinstance(record, dict):
        errors.add(path, f"must be an object, got {type_name(record)}")
        return None
    values: dict[str, Any] = {}
    ok = True
    for rule in rules:
        if rule.name not in record:
            if rule.required:
                errors.add(_field_path(path, rule.name), "required field is missing")
                ok = False
            else:
                values[rule.name] = rule.default
            continue
        value, message = check_value(record[rule.name], rule)
        if message is not None:
            errors.add(_field_path(path, rule.name), message)
            ok = False
        values[rule.name] = value
    if strict:
        known = {rule.name for rule in rules}
        for key in record:
            if key not in known:
                errors.add(_field_path(path, str(key)), "unknown field")
                ok = False
    return values if ok else None


def read_list(document: Mapping[str, Any], name: str, errors: ErrorList) -> list[Any] | None:
    if name not in document:
        errors.add(name, "required field is missing")
        return None
    value = document[name]
    if not isinstance(value, list):
        errors.add(name, f"must be a list, got {type_name(value)}")
        return None
    return value


def read_entities(
    raw: list[Any] | None, name: str, rules: tuple[Rule, ...], errors: ErrorList
) -> tuple[list[dict[str, Any]], set[str] | None]:
    """Read needs or vendors. Returns the valid records and every well-formed id, so that
    offers pointing at a record with some other mistake are not also called "unknown"; the
    ids are None when some record has no usable id (then no offer is called "unknown")."""
    records: list[dict[str, Any]] = []
    first_at: dict[str, int] = {}
    complete = raw is not None
    for index, record in enumerate(raw or []):
        path = f"{name}[{index}]"
        raw_id = record.get("id") if isinstance(record, dict) else None
        good_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        complete = complete and good_id is not None
        if good_id is not None and good_id in first_at:
            first = f"{name}[{first_at[good_id]}]"
            errors.add(f"{path}.id", f"duplicate id {good_id!r} (first at {first})")
            continue
        if good_id is not None:
            first_at[good_id] = index
        values = read_fields(record, path, rules, errors, strict=False)
        if values is not None:
            records.append(values)
    return records, set(first_at) if complete else None


def read_section(
    document: Mapping[str, Any], name: str, rules: tuple[Rule, ...], errors: ErrorList
) -> dict[str, Any] | None:
    value = document.get(name)
    if value is None:
        value = {}
    return read_fields(value, name, rules, errors, strict=True)
