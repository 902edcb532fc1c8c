"""Reading and checking the vendor table, and writing the output table.

This is the only module of the package that opens files for tables. The input contract is in
:mod:`scoring.contract`: one row per vendor, an empty cell means "not disclosed".

Row numbers in errors are spreadsheet rows: the header is row 1 and the first vendor is row 2
(for a DataFrame, row = position + 2, as if it were written to CSV with its header).
"""

from __future__ import annotations

from os import PathLike
from typing import IO, TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.contract import (
    CATEGORY_COLUMN,
    EVIDENCE_COLUMNS,
    EVIDENCE_LEVELS,
    ID_COLUMN,
    NUMBER_COLUMNS,
    OUTPUT_COLUMNS,
    PAY_PERIOD_COLUMN,
    PAY_PERIODS,
    REQUIRED_COLUMNS,
    WAGE_COLUMNS,
)
from scoring.errors import CellError, TableError

if TYPE_CHECKING:
    from scoring.pipeline import ScoreResult

FIRST_DATA_ROW = 2


def read_vendor_table(source: str | PathLike[str] | IO[str]) -> pd.DataFrame:
    """Read a vendor CSV (path or open text file) and check it with
    :func:`validate_vendor_table`; raise :class:`TableError` listing every bad cell."""
    try:
        raw = pd.read_csv(
            source, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError:
        raise TableError([CellError(1, "", "the file is empty")]) from None
    except pd.errors.ParserError as error:
        raise TableError([CellError(1, "", f"not a readable CSV file: {error}")]) from None
    raw.columns = [str(column).strip() for column in raw.columns]
    return validate_vendor_table(raw)


def validate_vendor_table(table: pd.DataFrame) -> pd.DataFrame:
    """Check a vendor table and return a new, typed copy of it.

    Accepts text cells (as read from CSV) or typed columns. Raises :class:`TableError` with a
    :class:`~scoring.errors.CellError` per problem: a missing required column; a missing or
    duplicate ``vendor_id``; a missing ``category`` or ``price``; a cell that is not a finite
    number; a negative number; a price of 0; a quality outside 0-1; an unknown ``pay_period``
    (hour, week, month, year), or none when a wage is given; an unknown evidence level.

    The result has the contract columns only, in contract order, a fresh 0..n-1 index,
    numbers as float64 (NaN = not disclosed), text stripped, ``pay_period`` and evidence
    levels lower-cased, and an empty evidence cell read as ``none``. Vendor ids keep their
    type (ints stay ints; text is stripped).
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise TableError(
            [CellError(1, column, "required column is missing") for column in missing]
        )
    errors: list[CellError] = []
    checked = {ID_COLUMN: _check_ids(table[ID_COLUMN], errors)}
    checked[CATEGORY_COLUMN] = _text(table[CATEGORY_COLUMN])
    _flag(errors, CATEGORY_COLUMN, checked[CATEGORY_COLUMN].isna(), "is required")
    for column in NUMBER_COLUMNS:
        checked[column] = _check_numbers(table[column], column, errors)
    _flag(errors, "price", np.isnan(checked["price"]), "is required")
    _flag(errors, "price", checked["price"] == 0, "must be greater than 0")
    quality = checked["quality"]
    _flag(errors, "quality", (quality > 1) & ~np.isnan(quality), "must be between 0 and 1")
    pay_period = _check_choice(table[PAY_PERIOD_COLUMN], PAY_PERIODS, PAY_PERIOD_COLUMN, errors)
    wage_given = np.logical_or.reduce([~np.isnan(checked[column]) for column in WAGE_COLUMNS])
    missing_period = pay_period.isna().to_numpy() & wage_given
    _flag(errors, PAY_PERIOD_COLUMN, missing_period, "is required when a wage is given")
    checked[PAY_PERIOD_COLUMN] = pay_period
    for column in EVIDENCE_COLUMNS.values():
        levels = _check_choice(table[column], EVIDENCE_LEVELS, column, errors)
        checked[column] = levels.fillna("none")
    if errors:
        order = {column: position for position, column in enumerate(REQUIRED_COLUMNS)}
        raise TableError(sorted(errors, key=lambda error: (error.row, order[error.column])))
    return pd.DataFrame({column: _values(checked[column]) for column in REQUIRED_COLUMNS})


def output_table(result: ScoreResult) -> pd.DataFrame:
    """The scores in rank order: ``vendor_id``, the pillars ``impact``, ``cost``, ``quality``
    (0-1), ``total`` (0-100), ``rank`` (1 = best), ``knocked_out``, then one column per
    catalog metric holding its raw value in the metric's unit (NaN = not disclosed)."""
    scores = result.scores[list(OUTPUT_COLUMNS[1:])]
    table = scores.join(result.metric_values).sort_values("rank").reset_index()
    return table


def write_output_table(result: ScoreResult, target: str | PathLike[str] | IO[str]) -> None:
    """Write :func:`output_table` as CSV (no index column) to a path or open text file."""
    output_table(result).to_csv(target, index=False)


def _flag(
    errors: list[CellError], column: str, mask: np.ndarray | pd.Series, message: str
) -> None:
    for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
        errors.append(CellError(int(position) + FIRST_DATA_ROW, column, message))


def _text(column: pd.Series) -> pd.Series:
    """Stripped text; empty or missing cells become NA."""
    text = column.astype("string").str.strip()
    return text.mask(text == "")


def _check_ids(column: pd.Series, errors: list[CellError]) -> pd.Series:
    ids = column if pd.api.types.is_integer_dtype(column) else _text(column).astype(object)
    ids = ids.where(ids.notna(), None)
    _flag(errors, ID_COLUMN, ids.isna(), "is required")
    duplicated = (ids.duplicated() & ids.notna()).to_numpy()
    if duplicated.any():
        first_row = {vendor_id: position for position, vendor_id in reversed(list(enumerate(ids)))}
        for position in np.flatnonzero(duplicated):
            vendor_id = ids.iloc[position]
            message = (
                f"duplicate vendor_id {vendor_id!r} "
                f"(first in row {first_row[vendor_id] + FIRST_DATA_ROW})"
            )
            errors.append(CellError(int(position) + FIRST_DATA_ROW, ID_COLUMN, message))
    return ids


def _check_numbers(column: pd.Series, name: str, errors: list[CellError]) -> np.ndarray:
    """Float values (NaN = empty); flags text that is not a number, inf and negatives."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = _text(column)
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for position in np.flatnonzero((text.notna() & np.isnan(values)).to_numpy()):
            message = f"must be a number, got {text.iloc[position]!r}"
            errors.append(CellError(int(position) + FIRST_DATA_ROW, name, message))
    _flag(errors, name, np.isinf(values), "must be a finite number")
    _flag(errors, name, values < 0, "must not be negative")
    return values


def _check_choice(
    column: pd.Series, choices: tuple[str, ...], name: str, errors: list[CellError]
) -> pd.Series:
    """Lower-cased text from ``choices`` (NA = empty); flags anything else."""
    text = _text(column).str.lower()
    unknown = text.notna() & ~text.isin(choices)
    for position in np.flatnonzero(unknown.to_numpy()):
        expected = ", ".join(choices)
        message = f"unknown value {text.iloc[position]!r} (expected one of {expected})"
        errors.append(CellError(int(position) + FIRST_DATA_ROW, name, message))
    return text


def _values(column: pd.Series | np.ndarray) -> np.ndarray:
    """Plain numpy values for the output frame (object text with None for empty)."""
    if isinstance(column, np.ndarray):
        return column
    return column.astype(object).where(column.notna(), None).to_numpy()
