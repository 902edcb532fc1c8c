"""Numbers as people write them, for pages and reports: thousands separated, never in
scientific notation (an exchange rate of 0.00000735 is not "7.35e-06")."""

from __future__ import annotations

import math

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


def about_money(value: float) -> str:
    """A rounded dollar amount for a sentence: "$2,919", or "$0.42" under $10."""
    amount = abs(value)
    return f"${amount:,.0f}" if amount >= 10 else f"${amount:,.2f}"


def register_formatting(app: Flask) -> None:
    app.add_template_filter(plain_number, "number")
