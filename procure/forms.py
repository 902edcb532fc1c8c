"""Reading numbers typed into page forms, the same way on every page."""

from __future__ import annotations

import math
from typing import Mapping


def form_number(form: Mapping[str, str], name: str, errors: dict[str, list[str]], *,
                required: str | None = None) -> float | None:
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
