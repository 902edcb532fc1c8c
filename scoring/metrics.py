"""Step 1 of the pipeline: metric values from a checked vendor table.

Wages are compared per hour (DESIGN §4): a wage given per week, month or year is divided by
the standard weekly hours x 1, x 52/12 or x 52. Missing hours (or 0 hours) for a non-hourly
pay period leave the hourly wage "not disclosed".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.catalog import Catalog
from scoring.contract import (
    DISCLOSURE_NUMBER_COLUMNS,
    ID_COLUMN,
    PAY_PERIOD_COLUMN,
    WAGE_COLUMNS,
    WEEKS_PER_PAY_PERIOD,
    hourly_field,
)
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
    disclosed): the disclosure counts and amounts, and each wage per hour (``*_hourly``,
    in the vendor's currency per hour)."""
    fields = {column: vendors[column].to_numpy(dtype=float) for column in DISCLOSURE_NUMBER_COLUMNS}
    hours = hours_per_pay_period(vendors)
    for column in WAGE_COLUMNS:
        fields[hourly_field(column)] = divide_or_nan(vendors[column].to_numpy(dtype=float), hours)
    return fields


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
