"""Error types of the scoring package, and the collector that validation code fills.

Every validating entry point gathers all problems it finds before raising, so a user fixes a
file or a form in one pass: each error names the setting (or row and column) it is about.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar


class FieldError(NamedTuple):
    """One problem with one setting; ``field`` is a dotted path such as
    ``metric_weights.living_wage_ratio`` or ``metrics[2].formula``."""

    field: str
    message: str


class CellError(NamedTuple):
    """One problem with one cell of the vendor table.

    ``row`` is the row number a spreadsheet user sees: the header is row 1 and the first
    vendor is row 2. Errors about the header itself (a missing column) use row 1.
    """

    row: int
    column: str
    message: str


ErrorT = TypeVar("ErrorT", FieldError, CellError)


class _ErrorList(ValueError, Generic[ErrorT]):
    """A ValueError that carries a list of errors; ``str()`` shows the first few."""

    shown = 10

    def __init__(self, errors: Iterable[ErrorT]) -> None:
        self.errors: list[ErrorT] = list(errors)
        lines = [self._describe(error) for error in self.errors[: self.shown]]
        if len(self.errors) > self.shown:
            lines.append(f"... and {len(self.errors) - self.shown} more")
        super().__init__("; ".join(lines))

    def _describe(self, error: ErrorT) -> str:
        raise NotImplementedError


class _FieldErrorList(_ErrorList[FieldError]):
    """An error list of :class:`FieldError` items."""

    def _describe(self, error: FieldError) -> str:
        return f"{error.field}: {error.message}"


class CatalogError(_FieldErrorList):
    """The metric catalog is invalid; ``errors`` is a list of :class:`FieldError`."""


class ProfileError(_FieldErrorList):
    """The scoring profile is invalid; ``errors`` is a list of :class:`FieldError`."""


class AhpError(_FieldErrorList):
    """A pairwise comparison matrix is invalid or too inconsistent; ``errors`` lists
    :class:`FieldError` items (``field`` is ``matrix`` or ``matrix[i][j]``)."""


class TableError(_ErrorList[CellError]):
    """The vendor table is invalid; ``errors`` is a list of :class:`CellError`."""

    def _describe(self, error: CellError) -> str:
        return f"row {error.row}, {error.column}: {error.message}"


class FieldErrors:
    """Collects :class:`FieldError` items while settings are read.

    The ``read_*`` methods return the cleaned value, or ``None`` after recording why the
    value cannot be used, so validation code carries on and reports every problem at once.
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        """Record one problem with the setting ``field``."""
        self.errors.append(FieldError(field, message))

    def raise_if_any(self, error_type: type[_FieldErrorList]) -> None:
        """Raise ``error_type`` carrying every problem recorded so far, if there is one."""
        if self.errors:
            raise error_type(self.errors)

    def read_number(
        self, value: Any, field: str, *, low: float | None = None, high: float | None = None
    ) -> float | None:
        """A finite int or float (bools are refused), optionally within [low, high]."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(field, f"must be a number, got {value!r}")
            return None
        try:
            number = float(value)
        except OverflowError:  # an int past the largest float (JSON and TOML allow any length)
            self.add(field, "must be a finite number, got a number too large to represent")
            return None
        if not math.isfinite(number):
            self.add(field, f"must be a finite number, got {value!r}")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.add(field, f"must be {_range_text(low, high)}, got {number:g}")
            return None
        return number

    def read_goalposts(self, value: Any, field: str) -> tuple[float, float] | None:
        """Two finite numbers ``[L, U]`` with ``L != U``."""
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.add(field, f"must be a pair of numbers [L, U], got {value!r}")
            return None
        low = self.read_number(value[0], f"{field}[0]")
        high = self.read_number(value[1], f"{field}[1]")
        if low is None or high is None:
            return None
        if low == high:
            self.add(field, f"L and U must differ, both are {low:g}")
            return None
        return (low, high)

    def read_table(self, value: Any, field: str) -> Mapping[str, Any] | None:
        """A mapping with string keys (a TOML table or a JSON object)."""
        if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
            self.add(field, f"must be a table of named values, got {type(value).__name__}")
            return None
        return value

    def read_text(self, value: Any, field: str) -> str | None:
        """A non-blank string, stripped."""
        if not isinstance(value, str) or not value.strip():
            self.add(field, f"must be a non-empty text, got {value!r}")
            return None
        return value.strip()


def _range_text(low: float | None, high: float | None) -> str:
    if low is None:
        return f"at most {high:g}"
    if high is None:
        return f"at least {low:g}"
    return f"between {low:g} and {high:g}"
