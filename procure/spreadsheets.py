"""Reading and writing CSV and XLSX tables, with spreadsheet-formula escaping on export."""

from __future__ import annotations

import io
import math
from typing import Any, Iterable

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableReadError(ValueError):
    """The upload is not a readable CSV or XLSX table."""


def escape_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_PREFIXES and value[1:2]:
        return value[1:]
    return value


def write_table(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str) -> bytes:
    frame = pd.DataFrame([{c: escape_cell(row.get(c)) for c in columns} for row in rows], columns=columns)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, engine="openpyxl")
        return buffer.getvalue()
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = unescape_cell(value.strip())
        return value or None
    return value


def read_table(content: bytes, filename: str, max_rows: int) -> list[dict[str, Any]]:
    """Rows of an uploaded CSV or XLSX as dicts of raw cell values (None for empty)."""
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(content), dtype=object, engine="openpyxl", nrows=max_rows + 1)
        elif name.endswith(".csv"):
            frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, nrows=max_rows + 1,
                                encoding="utf-8-sig")
        else:
            raise TableReadError("Upload a .csv or .xlsx file.")
    except TableReadError:
        raise
    except Exception as error:  # pandas raises many kinds for unreadable files
        raise TableReadError(f"The file could not be read as a table: {error}") from None
    if len(frame) > max_rows:
        raise TableReadError(f"The file has more than {max_rows:,} rows; split it into smaller files.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return [{k: _cell(v) for k, v in record.items()} for record in frame.to_dict("records")]
