"""Step 1 of the pipeline: metric values from a checked vendor table.

Wages are compared per hour (DESIGN §4): a wage given per week, month or year is divided by
the standard weekly hours x 1, x 52/12 or x 52. Missing hours (or 0 hours) for a non-hourly
pay period leave the hourly wage "not disclosed". :func:`missing_reasons` says, for every value
that could not be computed, which disclosed figure is missing or 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.catalog import Catalog
from scoring.contract import (
    BUYER_COLUMN_LABELS,
    BUYER_COLUMNS,
    DISCLOSURE_NUMBER_COLUMNS,
    FORMULA_FIELD_ORDER,
    GROUP_COLUMNS,
    ID_COLUMN,
    NO_DELIVERIES,
    PAY_PERIOD_COLUMN,
    WAGE_COLUMNS,
    WEEKS_PER_PAY_PERIOD,
    hourly_field,
)
from scoring.fields import COLUMN_FIELDS, GROUP_COLUMN_FIELDS
from scoring.formulas import divide_or_nan


def hours_per_pay_period(vendors: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Paid hours in each vendor's pay period (1 for ``hour``; NaN when unknown)."""
    period = vendors[PAY_PERIOD_COLUMN].to_numpy(dtype=object)
    weekly_hours = vendors["standard_weekly_hours"].to_numpy(dtype=float)
    hours = np.where(period == "hour", 1.0, np.nan)
    for name, weeks in WEEKS_PER_PAY_PERIOD.items():
        hours = np.where(period == name, weekly_hours * weeks, hours)
    return hours


def formula_fields(vendors: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]:
    """The names a formula may use, as float arrays (one element per vendor, NaN = not
    disclosed): the disclosure counts and amounts, the impact workers by beneficiary group
    (NaN where the table leaves a group out), each wage per hour (``*_hourly``, in the
    vendor's currency per hour), and the buyer's own figures (``delivery_reliability``, a
    ratio; NaN where the table leaves it out)."""
    fields = {column: vendors[column].to_numpy(dtype=float) for column in DISCLOSURE_NUMBER_COLUMNS}
    fields |= _optional_figures(vendors, GROUP_COLUMNS)
    hours = hours_per_pay_period(vendors)
    for column in WAGE_COLUMNS:
        fields[hourly_field(column)] = divide_or_nan(vendors[column].to_numpy(dtype=float), hours)
    return fields | _buyer_figures(vendors)


def _optional_figures(
    vendors: pd.DataFrame, columns: tuple[str, ...]
) -> dict[str, npt.NDArray[np.float64]]:
    """These columns as float arrays, NaN where the table has no such column."""
    return {
        column: (
            vendors[column].to_numpy(dtype=float)
            if column in vendors.columns
            else np.full(len(vendors), np.nan)
        )
        for column in columns
    }


def _buyer_figures(vendors: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]:
    """The buyer's own figures as float arrays, NaN where the table has no such column."""
    return _optional_figures(vendors, BUYER_COLUMNS)


def metric_values(vendors: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Raw metric values in each metric's unit: one row per vendor (indexed by vendor id),
    one column per catalog metric; NaN means "not disclosed" (a missing field or a zero
    denominator)."""
    fields = formula_fields(vendors)
    size = len(vendors)
    return pd.DataFrame(
        {metric.key: metric.formula.evaluate(fields, size) for metric in catalog},
        index=pd.Index(vendors[ID_COLUMN], name=ID_COLUMN),
        columns=list(catalog.keys),
    )


def _checks(
    figures: Mapping[str, npt.NDArray[Any]], name: str, divisor: bool
) -> list[tuple[npt.NDArray[np.bool_], str, bool]]:
    """What can leave formula field ``name`` unknown, per vendor: (where it applies, the label of
    the disclosure field, True for "missing" / False for "0"). ``figures`` holds the vendor
    table's columns as arrays.

    A count or amount is its own field, unknown at 0 only as a ``divisor``; an hourly wage paid
    per week, month or year also needs the standard weekly hours, which it is divided by (a
    checked table has a pay period wherever it has a wage)."""
    wages = {hourly_field(column): column for column in WAGE_COLUMNS}
    column = wages.get(name, name)
    value = figures[column]
    if column in BUYER_COLUMN_LABELS:  # not a disclosure's: nothing measured yet, not withheld
        label = BUYER_COLUMN_LABELS[column]
        return [(np.isnan(value), NO_DELIVERIES, True)] + (
            [(value == 0, label, False)] if divisor else []
        )
    label = (COLUMN_FIELDS.get(column) or GROUP_COLUMN_FIELDS[column]).label
    checks = [(np.isnan(value), label, True)]
    if divisor:
        checks.append((value == 0, label, False))
    if column in WAGE_COLUMNS:
        hours = figures["standard_weekly_hours"]
        for period in WEEKS_PER_PAY_PERIOD:
            paid = ~np.isnan(value) & (figures[PAY_PERIOD_COLUMN] == period)
            hours_label = (
                f"{COLUMN_FIELDS['standard_weekly_hours'].label} (to turn the wage paid per "
                f"{period} into an hourly one)"
            )
            checks += [
                (paid & np.isnan(hours), hours_label, True),
                (paid & (hours == 0), hours_label, False),
            ]
    return checks


def _sentence(missing: list[str], zero: list[str]) -> str:
    undisclosed = [label for label in dict.fromkeys(missing) if label != NO_DELIVERIES]
    if undisclosed:
        also = (
            f"; {NO_DELIVERIES[0].lower()}{NO_DELIVERIES[1:]}" if NO_DELIVERIES in missing else ""
        )
        return "Not disclosed: " + ", ".join(undisclosed) + also
    if missing:
        return NO_DELIVERIES
    if zero:
        labels = list(dict.fromkeys(zero))
        verb = "is" if len(labels) == 1 else "are"
        return f"Cannot be computed: {', '.join(labels)} {verb} 0 (a division by zero)"
    return "Cannot be computed: the formula gives no finite number for these figures"


def missing_reasons(
    vendors: pd.DataFrame, catalog: Catalog, values: pd.DataFrame
) -> npt.NDArray[np.object_]:
    """Why each metric value that is NaN could not be computed, as one sentence per vendor and
    metric (rows and columns of ``values``, the :func:`metric_values` of ``vendors``); None
    where the value is known.

    - "Not disclosed: <field>, <field>": a field the formula reads is empty (for an hourly
      wage: the wage, or the standard weekly hours that convert it);
    - ``contract.NO_DELIVERIES`` ("No deliveries recorded yet ..."): the formula reads the
      delivery reliability, which the buyer has not measured yet (after the fields not
      disclosed, when there are some);
    - "Cannot be computed: <field> is 0 (a division by zero)", for a field the formula
      divides by (an hourly wage: also its standard weekly hours);
    - otherwise "Cannot be computed: the formula gives no finite number for these figures".

    Fields are named by their labels (:mod:`scoring.fields`), in the order the formula's
    fields are listed in the contract. Vectorised: one sentence per distinct pattern of
    missing and zero fields of a metric, not one per vendor.
    """
    unknown = np.isnan(values.to_numpy(dtype=float))
    reasons = np.full(values.shape, None, dtype=object)
    if not unknown.any():
        return reasons
    figures: dict[str, npt.NDArray[Any]] = {
        column: vendors[column].to_numpy(dtype=float)
        for column in (*DISCLOSURE_NUMBER_COLUMNS, *WAGE_COLUMNS)
    }
    figures |= _optional_figures(vendors, GROUP_COLUMNS) | _buyer_figures(vendors)
    figures[PAY_PERIOD_COLUMN] = vendors[PAY_PERIOD_COLUMN].to_numpy(dtype=object)
    order = {name: rank for rank, name in enumerate(FORMULA_FIELD_ORDER)}
    for position, metric in enumerate(catalog.metrics):
        rows = np.flatnonzero(unknown[:, position])
        if not rows.size:
            continue
        names = sorted(metric.formula.fields, key=lambda field: order.get(field, 0))
        checks = [
            check
            for name in names
            for check in _checks(figures, name, name in metric.formula.divisors)
        ]
        # each vendor's pattern of checks that apply, as one row of booleans; one sentence
        # per distinct pattern
        applies = (
            np.column_stack([where[rows] for where, _, _ in checks])
            if checks
            else np.zeros((rows.size, 0), dtype=bool)
        )
        patterns, inverse = np.unique(applies, axis=0, return_inverse=True)
        sentences = np.array(
            [
                _sentence(
                    [
                        label
                        for hit, (_, label, gone) in zip(pattern, checks, strict=True)
                        if hit and gone
                    ],
                    [
                        label
                        for hit, (_, label, gone) in zip(pattern, checks, strict=True)
                        if hit and not gone
                    ],
                )
                for pattern in patterns
            ],
            dtype=object,
        )
        reasons[rows, position] = sentences[inverse.ravel()]
    return reasons
