"""Reading and checking the vendor table, and writing the output table.

This is the only module of the package that opens files for tables. The input contract is in
:mod:`scoring.contract`: one row per vendor, an empty cell means "not disclosed".

Row numbers in errors are spreadsheet rows: the header is row 1 and the first vendor is row 2
(for a DataFrame, row = position + 2, as if it were written to CSV with its header).
"""

from __future__ import annotations

from collections import defaultdict
from os import PathLike
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.contract import (
    CATEGORY_COLUMN,
    DELIVERY_RELIABILITY_COLUMN,
    EVIDENCE_COLUMNS,
    EVIDENCE_LEVELS,
    GROUP_COLUMNS,
    ID_COLUMN,
    LOWEST_PRICE_COLUMN,
    NUMBER_COLUMNS,
    OUTPUT_COLUMNS,
    PAY_PERIOD_COLUMN,
    PAY_PERIODS,
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    UNIT_COLUMN,
    WAGE_COLUMNS,
    WAGE_CURRENCY_COLUMN,
    WAGE_SITE_COLUMN,
)
from scoring.errors import CellError, TableError
from scoring.result import ScoreTables

FIRST_DATA_ROW = 2
# the number columns a CSV may hold, which the reader parses itself (see _read_typed)
TYPED_NUMBER_COLUMNS = (
    *NUMBER_COLUMNS,
    LOWEST_PRICE_COLUMN,
    DELIVERY_RELIABILITY_COLUMN,
    *GROUP_COLUMNS,
)


def read_vendor_table(
    source: str | PathLike[str] | IO[str], max_rows: int | None = None
) -> pd.DataFrame:
    """Read a vendor CSV (path or open text file) and check it with
    :func:`validate_vendor_table`; raise :class:`TableError` listing every bad cell.

    With ``max_rows``, a file of more vendors is refused after reading ``max_rows + 1`` of
    them, so its size does not decide the memory used (a million vendors take 1.5 GB to score).
    """
    raw = _read_typed(source, max_rows)
    if raw is None:
        raw = _read_text(source, max_rows)
    if max_rows is not None and len(raw) > max_rows:
        raise TableError(
            [
                CellError(
                    max_rows + FIRST_DATA_ROW,
                    "",
                    f"the file has more than {max_rows:,} vendors; score it in parts",
                )
            ]
        )
    raw.columns = [str(column).strip() for column in raw.columns]
    return validate_vendor_table(raw)


def _read_csv(
    source: str | PathLike[str] | IO[str], max_rows: int | None, **types: Any
) -> pd.DataFrame:
    frame: pd.DataFrame = pd.read_csv(
        source,
        keep_default_na=False,
        encoding="utf-8-sig",
        nrows=None if max_rows is None else max_rows + 1,
        **types,
    )
    return frame


def _read_typed(source: str | PathLike[str] | IO[str], max_rows: int | None) -> pd.DataFrame | None:
    """The file with the number columns parsed by the CSV reader itself (an empty cell is NaN)
    and the rest as text, or None when a number cell may not be a plain number: then
    :func:`_read_text` reads every cell as text, and validation names each bad cell.

    Parsing numbers in the reader saves a Python string per cell, most of a large file's time.
    The reader reads each cell it takes to the float ``pd.to_numeric`` gives for the stripped
    text (spaces, signs, exponents, ``inf``), and fails on blanks, ``nan``, thousands
    separators and other words, except in two cases, which go to the text route: a column of
    nothing but ``true``/``false`` (read as 1 and 0; it holds only 0 and 1 then, which the
    whole file is converted at once for, ``low_memory=False``), and ``-0`` (read as -0.0).
    """
    start = None
    if not isinstance(source, str | PathLike):
        if not source.seekable():
            return None
        start = source.tell()
    try:
        frame = _read_csv(
            source,
            max_rows,
            dtype=defaultdict(lambda: str, dict.fromkeys(TYPED_NUMBER_COLUMNS, "float64")),
            na_values={column: [""] for column in TYPED_NUMBER_COLUMNS},
            low_memory=False,
        )
    except (ValueError, OverflowError):  # a cell that is not a plain number, or no CSV
        frame = None
    if frame is not None and not any(
        _may_hold_words(frame[column].to_numpy())
        for column in TYPED_NUMBER_COLUMNS
        if column in frame.columns and frame[column].dtype == np.float64
    ):
        return frame
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
    return None


def _may_hold_words(values: npt.NDArray[np.float64]) -> bool:
    """Whether the reader may have read words (``true``, ``false``) or ``-0`` into a column."""
    given = values[~np.isnan(values)]
    only_zero_and_one = given.size > 0 and bool(np.all((given == 0) | (given == 1)))
    return only_zero_and_one or bool(np.any(np.signbit(given) & (given == 0)))


def _read_text(source: str | PathLike[str] | IO[str], max_rows: int | None) -> pd.DataFrame:
    """Every cell as text (an empty cell is ""), for validation to check one by one."""
    try:
        return _read_csv(source, max_rows, dtype=str, na_values=[])
    except pd.errors.EmptyDataError:
        raise TableError([CellError(1, "", "the file is empty")]) from None
    except pd.errors.ParserError as error:
        raise TableError([CellError(1, "", f"not a readable CSV file: {error}")]) from None


def validate_vendor_table(table: pd.DataFrame) -> pd.DataFrame:
    """Check a vendor table and return a new, typed copy of it.

    Accepts text cells (as read from CSV) or typed columns. Raises :class:`TableError` with a
    :class:`~scoring.errors.CellError` per problem: a missing required column; a missing or
    duplicate ``vendor_id``; a missing ``category`` or ``price``; a cell that is not a finite
    number; a negative number; a price or ``lowest_price`` of 0; a quality outside 0-1; an
    unknown ``pay_period`` (hour, week, month, year), or none when a wage is given; an unknown
    evidence level.

    The result has the contract columns only (``TABLE_COLUMNS``: the required ones, then the
    optional ``unit`` and ``lowest_price``, empty when the table lacks them), a fresh 0..n-1
    index, numbers as float64 (NaN = not disclosed), text stripped (None = empty), ``unit``
    lower-cased, ``pay_period`` and the evidence levels as categoricals of their allowed values
    (case ignored), and an empty evidence cell read as ``none``. Vendor ids keep their type
    (ints stay ints; text is stripped). The group columns (``GROUP_COLUMNS``) a table gives are
    checked like the other counts and kept after those, in contract order; one it lacks is not
    added (a formula reads it as not disclosed).
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise TableError([CellError(1, column, "required column is missing") for column in missing])
    errors: list[CellError] = []
    ids = _check_ids(table[ID_COLUMN], errors)
    category = _text(table[CATEGORY_COLUMN])
    _flag(errors, CATEGORY_COLUMN, category.isna(), "is required")
    numbers: dict[str, npt.NDArray[np.float64]] = {}
    unreadable: dict[str, npt.NDArray[np.bool_]] = {}
    for column in NUMBER_COLUMNS:
        numbers[column], unreadable[column] = _check_numbers(table[column], column, errors)
    price, quality = numbers["price"], numbers["quality"]
    _flag(errors, "price", np.isnan(price) & ~unreadable["price"], "is required")
    _flag(errors, "price", price == 0, "must be greater than 0")
    _flag(errors, "quality", (quality > 1) & ~np.isnan(quality), "must be between 0 and 1")
    unit, lowest = _optional_offer_columns(table, errors)
    wage_site, wage_currency = (
        _text(table[column]).to_numpy()
        if column in table.columns
        else np.full(len(table), None, dtype=object)
        for column in (WAGE_SITE_COLUMN, WAGE_CURRENCY_COLUMN)
    )
    reliability = (
        _check_numbers(table[DELIVERY_RELIABILITY_COLUMN], DELIVERY_RELIABILITY_COLUMN, errors)[0]
        if DELIVERY_RELIABILITY_COLUMN in table.columns
        else np.full(len(table), np.nan)
    )
    groups = {
        column: _check_numbers(table[column], column, errors)[0]
        for column in GROUP_COLUMNS
        if column in table.columns
    }
    pay_period, period_given = _check_choice(table[PAY_PERIOD_COLUMN], PAY_PERIODS, errors)
    wage_given = np.logical_or.reduce([~np.isnan(numbers[column]) for column in WAGE_COLUMNS])
    missing_period = wage_given & ~period_given
    _flag(errors, PAY_PERIOD_COLUMN, missing_period, "is required when a wage is given")
    choices: dict[str, pd.Categorical[str]] = {PAY_PERIOD_COLUMN: pay_period}
    for column in EVIDENCE_COLUMNS.values():
        choices[column], _ = _check_choice(table[column], EVIDENCE_LEVELS, errors, empty="none")
    if errors:
        order = {
            column: position for position, column in enumerate((*TABLE_COLUMNS, *GROUP_COLUMNS))
        }
        raise TableError(sorted(errors, key=lambda error: (error.row, order[error.column])))
    checked: dict[str, npt.NDArray[Any] | pd.Categorical[str]] = {
        ID_COLUMN: ids.to_numpy(copy=True),
        CATEGORY_COLUMN: category.to_numpy(),
        UNIT_COLUMN: unit,
        LOWEST_PRICE_COLUMN: lowest,
        WAGE_SITE_COLUMN: wage_site,
        WAGE_CURRENCY_COLUMN: wage_currency,
        DELIVERY_RELIABILITY_COLUMN: reliability,
    }
    checked |= numbers
    checked |= choices
    checked |= groups
    # Every array above is new (none is a view of ``table``), so the frame can hold them as
    # they are: gathering 27 columns into blocks would copy a million vendors' table again.
    return pd.DataFrame(
        {column: checked[column] for column in (*TABLE_COLUMNS, *groups)}, copy=False
    )


def output_table(result: ScoreTables) -> pd.DataFrame:
    """The scores in rank order: ``vendor_id``, the pillars ``impact``, ``cost``, ``quality``
    (0-1), ``total`` (0-100), ``rank`` (1 = best), ``knocked_out``, then one column per
    catalog metric holding its raw value in the metric's unit (NaN = not disclosed)."""
    scores = result.scores[list(OUTPUT_COLUMNS[1:])]
    table = scores.join(result.metric_values).sort_values("rank").reset_index()
    return table


def write_output_table(result: ScoreTables, target: str | PathLike[str] | IO[str]) -> None:
    """Write :func:`output_table` as CSV (no index column) to a path or open text file."""
    output_table(result).to_csv(target, index=False)


def _flag(
    errors: list[CellError], column: str, mask: npt.NDArray[np.bool_] | pd.Series, message: str
) -> None:
    for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
        errors.append(CellError(int(position) + FIRST_DATA_ROW, column, message))


def _distinct_text(
    column: pd.Series, *, lower: bool
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """``(codes, values)``: each cell is ``values[code]``, the cell's text stripped (and
    lower-cased), None when empty or missing (code -1 picks the trailing None). Each distinct
    cell is cleaned once, which keeps low-cardinality columns fast."""
    codes: npt.NDArray[np.intp]
    codes, distinct = pd.factorize(column.to_numpy(dtype=object))
    stripped = [str(value).strip() for value in distinct]
    cleaned = [(text.lower() if lower else text) or None for text in stripped]
    return codes, np.array([*cleaned, None], dtype=object)


def _text(column: pd.Series) -> pd.Series:
    """Stripped text as objects; empty or missing cells become None."""
    codes, values = _distinct_text(column, lower=False)
    return pd.Series(values[codes], index=column.index)


def _optional_offer_columns(
    table: pd.DataFrame, errors: list[CellError]
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """``unit`` (stripped, lower-cased text; None when empty or absent) and ``lowest_price``
    (NaN when empty or absent; flagged like a price when given)."""
    if UNIT_COLUMN in table.columns:
        codes, values = _distinct_text(table[UNIT_COLUMN], lower=True)
        unit = values[codes]
    else:
        unit = np.full(len(table), None, dtype=object)
    if LOWEST_PRICE_COLUMN in table.columns:
        lowest, _ = _check_numbers(table[LOWEST_PRICE_COLUMN], LOWEST_PRICE_COLUMN, errors)
        _flag(errors, LOWEST_PRICE_COLUMN, lowest == 0, "must be greater than 0")
    else:
        lowest = np.full(len(table), np.nan)
    return unit, lowest


def _check_ids(column: pd.Series, errors: list[CellError]) -> pd.Series:
    ids = column if pd.api.types.is_integer_dtype(column) else _text(column)
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


def _check_numbers(
    column: pd.Series, name: str, errors: list[CellError]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Float values (NaN = empty or unreadable) and the mask of cells that are not numbers;
    flags those, inf and negatives."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan, copy=True)  # never a view
        unreadable = np.zeros(len(values), dtype=bool)
    else:
        text = _text(column)
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        unreadable = (text.notna() & np.isnan(values)).to_numpy()
        for position in np.flatnonzero(unreadable):
            message = f"must be a number, got {text.iloc[position]!r}"
            errors.append(CellError(int(position) + FIRST_DATA_ROW, name, message))
    _flag(errors, name, np.isinf(values), "must be a finite number")
    _flag(errors, name, values < 0, "must not be negative")
    return values, unreadable


def _check_choice(
    column: pd.Series,
    choices: tuple[str, ...],
    errors: list[CellError],
    *,
    empty: str | None = None,
) -> tuple[pd.Categorical[str], npt.NDArray[np.bool_]]:
    """The column as a categorical of ``choices`` (case and blanks ignored; an empty cell
    becomes ``empty``), and the mask of non-empty cells; flags values not in ``choices``."""
    codes, values = _distinct_text(column, lower=True)
    position_of = {choice: position for position, choice in enumerate(choices)}
    empty_code = -1 if empty is None else position_of[empty]
    choice_codes = np.array([position_of.get(value, empty_code) for value in values])
    unknown = np.array([value is not None and value not in position_of for value in values])
    expected = ", ".join(choices)
    for position in np.flatnonzero(unknown[codes]):
        message = f"unknown value {values[codes[position]]!r} (expected one of {expected})"
        errors.append(CellError(int(position) + FIRST_DATA_ROW, str(column.name), message))
    categorical = pd.Categorical.from_codes(choice_codes[codes], categories=pd.Index(choices))

    return categorical, pd.notna(values)[codes]
