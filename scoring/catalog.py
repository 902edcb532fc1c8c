"""The metric catalog: which metrics exist, how each is computed and normalised.

A catalog is data (``config/metrics.toml``, or a dict for custom metrics added by a buyer or
an admin). Each metric has a key, a label, a formula over disclosure fields (see
:mod:`scoring.formulas` and :data:`scoring.contract.FORMULA_FIELDS`), a unit, a direction,
default goalposts, the evidence section that discounts it and a source reference.

TOML / dict shape::

    [[metrics]]
    key = "impact_worker_share"
    label = "Impact workers as a share of headcount"
    formula = "impact_workers_end / headcount_end"
    unit = "ratio"
    direction = "higher"          # or "lower"
    goalposts = [0.0, 0.5]        # [L, U], L != U
    section = "workforce"         # workforce, wages, training, or measured (the buyer's own
                                  # figures: never discounted)
    source = "GISC; IRIS+ OI8266 / OI8147; GRI 405-1b"

A catalog file may also hold ``[[standard_metrics]]`` tables of the same shape: metrics ready to
be added to a catalog (a buyer's or a coalition's) by key, which are not in the catalog the
file defines (:func:`load_catalog` leaves them out; :func:`load_standard_metrics` reads them).
"""

from __future__ import annotations

import keyword
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from typing import Any

from scoring.contract import FORMULA_FIELDS, METRIC_SECTIONS, OUTPUT_COLUMNS
from scoring.errors import CatalogError, FieldError, FieldErrors
from scoring.formulas import Formula, FormulaError, compile_formula

DIRECTIONS = ("higher", "lower")
STANDARD_METRICS = "standard_metrics"
METRIC_SETTINGS = ("key", "label", "formula", "unit", "direction", "goalposts", "section", "source")


@dataclass(frozen=True)
class Metric:
    """One catalog metric.

    ``goalposts`` ``(L, U)`` are the default normalisation bounds in the metric's own unit:
    for direction ``higher`` a value at L scores 0 and at U scores 1; ``lower`` reverses it.
    """

    key: str
    label: str
    formula: Formula
    unit: str
    direction: str
    goalposts: tuple[float, float]
    section: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """The metric as plain data, in the shape :func:`catalog_from_dict` reads."""
        return {
            "key": self.key,
            "label": self.label,
            "formula": self.formula.text,
            "unit": self.unit,
            "direction": self.direction,
            "goalposts": list(self.goalposts),
            "section": self.section,
            "source": self.source,
        }


@dataclass(frozen=True)
class Catalog:
    """An ordered, immutable set of metrics with unique keys."""

    metrics: tuple[Metric, ...]

    @cached_property
    def _by_key(self) -> dict[str, Metric]:
        return {metric.key: metric for metric in self.metrics}

    @property
    def keys(self) -> tuple[str, ...]:
        """Metric keys in catalog order (the column order of every per-metric table)."""
        return tuple(metric.key for metric in self.metrics)

    def __getitem__(self, key: str) -> Metric:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """The catalog as plain data: ``{"metrics": [metric dicts]}``."""
        return {"metrics": [metric.to_dict() for metric in self.metrics]}


def catalog_from_dict(data: Mapping[str, Any]) -> Catalog:
    """Build and validate a catalog from ``{"metrics": [...]}``; raise :class:`CatalogError`
    listing every problem (fields such as ``metrics[3].formula``)."""
    errors = FieldErrors()
    entries = data.get("metrics") if isinstance(data, Mapping) else None
    if not isinstance(entries, list) or not entries:
        errors.add("metrics", "must be a non-empty list of metric tables")
        raise CatalogError(errors.errors)
    for unknown in sorted(set(data) - {"metrics"}):
        errors.add(unknown, "unknown setting")
    metrics = [
        _read_metric(entry, f"metrics[{index}]", errors) for index, entry in enumerate(entries)
    ]
    seen: set[str] = set()
    for index, metric in enumerate(metrics):
        if metric is None:
            continue
        if metric.key in seen:
            errors.add(f"metrics[{index}].key", f"duplicate key {metric.key!r}")
        seen.add(metric.key)
    errors.raise_if_any(CatalogError)
    # No metric is None here: each None recorded an error, and errors were raised above.
    return Catalog(metrics=tuple(metric for metric in metrics if metric is not None))


def add_metric(catalog: Catalog, metric: Mapping[str, Any]) -> Catalog:
    """A new catalog with one more (custom) metric, validated like the rest."""
    return catalog_from_dict({"metrics": [*catalog.to_dict()["metrics"], dict(metric)]})


def load_catalog(path: str | PathLike[str]) -> Catalog:
    """Read a catalog TOML file (see the module docstring for its shape), without its standard
    metrics. A TOML syntax error raises ``tomllib.TOMLDecodeError`` (a ValueError); bad content,
    CatalogError."""
    with open(path, "rb") as file:
        data = tomllib.load(file)
    data.pop(STANDARD_METRICS, None)
    return catalog_from_dict(data)


def load_standard_metrics(path: str | PathLike[str]) -> Catalog:
    """The standard metrics of a catalog TOML file (its ``[[standard_metrics]]``), checked like
    the catalog's own and each with a key the catalog does not use, so any of them can be added
    to it; CatalogError naming ``standard_metrics[i].<setting>`` otherwise."""
    with open(path, "rb") as file:
        data = tomllib.load(file)
    standard = data.pop(STANDARD_METRICS, None)
    catalog = catalog_from_dict(data)
    try:
        metrics = catalog_from_dict({"metrics": standard})
    except CatalogError as invalid:
        raise CatalogError(
            FieldError(error.field.replace("metrics", STANDARD_METRICS, 1), error.message)
            for error in invalid.errors
        ) from None
    errors = FieldErrors()
    for index, metric in enumerate(metrics):
        if metric.key in catalog:
            errors.add(f"{STANDARD_METRICS}[{index}].key", f"{metric.key!r} is in the catalog")
    errors.raise_if_any(CatalogError)
    return metrics


def _read_metric(entry: Any, field: str, errors: FieldErrors) -> Metric | None:
    entry = errors.read_table(entry, field)
    if entry is None:
        return None
    for unknown in sorted(set(entry) - set(METRIC_SETTINGS)):
        errors.add(f"{field}.{unknown}", "unknown setting")
    for missing in [name for name in METRIC_SETTINGS if name not in entry]:
        errors.add(f"{field}.{missing}", "is required")
    if any(name not in entry for name in METRIC_SETTINGS):
        return None
    key = _read_key(entry["key"], f"{field}.key", errors)
    label = errors.read_text(entry["label"], f"{field}.label")
    formula = _read_formula(entry["formula"], f"{field}.formula", errors)
    unit = errors.read_text(entry["unit"], f"{field}.unit")
    direction = _read_choice(entry["direction"], DIRECTIONS, f"{field}.direction", errors)
    goalposts = errors.read_goalposts(entry["goalposts"], f"{field}.goalposts")
    section = _read_choice(entry["section"], METRIC_SECTIONS, f"{field}.section", errors)
    source = errors.read_text(entry["source"], f"{field}.source")
    # Each reader returns None exactly when it recorded an error.
    if (
        key is None
        or label is None
        or formula is None
        or unit is None
        or direction is None
        or goalposts is None
        or section is None
        or source is None
    ):
        return None
    return Metric(key, label, formula, unit, direction, goalposts, section, source)


def _read_key(value: Any, field: str, errors: FieldErrors) -> str | None:
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        errors.add(field, f"must be an identifier (letters, digits, _), got {value!r}")
        return None
    if value in OUTPUT_COLUMNS or value in FORMULA_FIELDS:
        errors.add(field, f"{value!r} is reserved for a column of the vendor or output table")
        return None
    return value


def _read_formula(value: Any, field: str, errors: FieldErrors) -> Formula | None:
    try:
        return compile_formula(value, FORMULA_FIELDS)
    except FormulaError as error:
        errors.add(field, str(error))
        return None


def _read_choice(
    value: Any, choices: tuple[str, ...], field: str, errors: FieldErrors
) -> str | None:
    if not isinstance(value, str) or value not in choices:
        errors.add(field, f"must be one of {', '.join(choices)}, got {value!r}")

        return None
    return value
