"""Page forms, the same way on every page: reading typed numbers, committing a change or saying
why not."""

from __future__ import annotations

import math
from collections.abc import Mapping

from procure.api_fields import MAX_RECORD_ID


def form_number(
    form: Mapping[str, str], name: str, errors: dict[str, list[str]], *, required: str | None = None
) -> float | None:
    """The number typed into field `name`, or None when it is blank.

    Thousands separators (1,200) are accepted. Text, NaN and infinity add a message for the field
    to `errors` and give None; so does a blank field when `required` (its message) is given.
    """
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            errors.setdefault(name, []).append(required)
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors.setdefault(name, []).append(f"{text!r} is not a number.")
        return None
    return number


def form_int(text: str | None) -> int | None:
    """A whole number typed or sent by a page (an id, a version), or None when it is not one or is
    larger than any record id."""
    try:
        number = int((text or "").strip())
    except ValueError:  # also "²", which str.isdigit() accepts
        return None
    return number if 0 <= number <= MAX_RECORD_ID else None


def form_version(form: Mapping[str, str], name: str = "version") -> int | None:
    """The record version a page form was loaded with; None when missing or not a whole number,
    which `check_version` refuses with a 409 like any stale version."""
    return form_int(form.get(name))


def show_field_errors(form, failed) -> None:
    """Show a service's ValidationFailed at the fields of a WTForms form (each named field must
    exist on the form)."""
    for field, messages in failed.errors.items():
        getattr(form, field).errors = list(messages)
