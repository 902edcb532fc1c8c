"""Numbers as people write them, for pages and reports: thousands separated, never in
scientific notation (an exchange rate of 0.00000735 is not "7.35e-06")."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask import Flask


def plain_number(value: float | int | None, significant: int = 6) -> str:
    """`value` to `significant` significant digits (whole numbers keep every digit), with
    thousands separators and no trailing zeros; "—" for None or a value that is not finite."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, significant - 1 - exponent)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_number(value: float | Decimal) -> str:
    """Every digit of `value` and no exponent or separator, for a form's input to hold as typed:
    0.0000625, never 6.25e-05 (which a reader takes for a typo)."""
    text = format(value if isinstance(value, Decimal) else Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def input_number(value: float | Decimal | str | None) -> str:
    """A form input's figure as a person types it: a stored 1000.0 as "1000", 1234.5678 as
    exactly that (it reads back as the same number, so saving an untouched form changes
    nothing), None as ""; text (what was typed, shown again) stays as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)  # text as typed (a page's Undefined: "")
    return exact_number(value) if math.isfinite(value) else ""


def about_money(value: float) -> str:
    """A rounded dollar amount for a sentence: "$2,919", or "$0.42" under $10."""
    amount = abs(value)
    return f"${amount:,.0f}" if amount >= 10 else f"${amount:,.2f}"


MINUS = "−"  # a typographic minus, as the charts print one


def format_value(value: Any, fmt: str = "number") -> str:
    """A number as the board report and the pages that show its figures print it (the
    `fmt` filter), so that one figure reads the same everywhere.

    money: "$285,418" from $1,000 up, "$4.90" below; price: a unit price with two to four
    decimals ("$4.90", "$0.315"); percent: a 0–1 share as "4.1 %"; number: "55.0", and "12,000"
    from 1,000 up; integer: "12"; ratio and signed: "1.04", "−170.41". Missing values print "–", a
    list its items joined by commas ("none" when empty).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # e.g. the names of the targets that bind
        return ", ".join(format_value(item, fmt) for item in value) or "none"
    if not isinstance(value, (int, float)):
        return str(value)
    sign = MINUS if value < 0 and round(abs(value), 6) != 0 else ""
    magnitude = abs(value)
    if fmt == "money":
        return f"{sign}${magnitude:,.0f}" if magnitude >= 1000 else f"{sign}${magnitude:,.2f}"
    if fmt == "price":
        text = f"{magnitude:,.4f}".rstrip("0")
        return f"{sign}${text + '0' * (2 - len(text.split('.')[1]))}"
    if fmt == "percent":
        return f"{sign}{magnitude * 100:,.1f} %"
    if fmt == "integer":
        return f"{sign}{magnitude:,.0f}"
    if fmt in ("ratio", "signed"):
        return f"{sign}{magnitude:,.2f}"
    return f"{sign}{magnitude:,.0f}" if magnitude >= 1000 else f"{sign}{magnitude:,.1f}"


def field_words(key: str) -> str:
    """A form field's key in words, where a page names no label for it: "service_category" ->
    "Service category", "targets.min_avg_impact" -> "Min avg impact (targets)", "sites[0].name"
    -> "Name (site 1)". Error summaries never show a raw key (app.js then swaps in the field's
    own label where the page has one)."""
    site = re.fullmatch(r"(\w+?)s?\[(\d+)\]\.(\w+)", key)
    if site:
        name, number, part = site[1].replace("_", " "), int(site[2]) + 1, site[3]
        return f"{part.replace('_', ' ').capitalize()} ({name} {number})"
    parent, _, last = key.rpartition(".")
    if parent and last.isdigit():  # "service_categories.0": a list's first item
        return f"{field_words(parent)}, item {int(last) + 1}"
    words = last.replace("_", " ")
    return f"{words.capitalize()} ({field_words(parent).lower()})" if parent else words.capitalize()


def refusal_words(errors: Mapping[str, Sequence[str]]) -> str:
    """A refusal's errors as one sentence for a flash message, each field in words."""
    return "; ".join(
        f"{field_words(key)}: {' '.join(messages)}" for key, messages in errors.items()
    )


ACTION_WORDS = {
    "create": "Created",
    "update": "Changed",
    "solve": "Solved",
    "submit": "Submitted for approval",
    "approve": "Approved",
    "reject": "Rejected",
    "withdraw": "Withdrawn",
    "frontier": "Frontier traced",
}
"""An audit event's verb as a reader says it."""


def action_words(action: str) -> str:
    """An audit action key in words: "scenario.submit" → "Submitted for approval"; a verb not
    listed reads as itself ("record_delivery" → "Record delivery")."""
    verb = action.rsplit(".", 1)[-1]
    return ACTION_WORDS.get(verb) or verb.replace("_", " ").capitalize()


def duration_words(seconds: float | int | None) -> str:
    """A length of time as people say it (issue #22: "time limit 600 s" read as jargon): 600 →
    "10 minutes", 5400 → "1 hour 30 minutes", 90 → "1 minute 30 seconds", 45 → "45 seconds";
    rounded to the second, "—" for None or a value that is not finite."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    left = max(0, round(seconds))
    parts = []
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count:,} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts) or "0 seconds"


def register_formatting(app: Flask) -> None:
    app.add_template_filter(plain_number, "number")
    app.add_template_filter(format_value, "fmt")  # as the board report's figures read
    app.add_template_filter(input_number, "input_number")
    app.add_template_filter(action_words, "action_words")
    app.add_template_filter(field_words, "field_words")
    app.add_template_filter(duration_words, "duration")
