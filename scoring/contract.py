"""The vendor input table contract and the fixed vocabularies of the scoring pipeline.

One row per vendor. An empty cell means "not disclosed". ``pay_period`` applies to all four
wage columns; ``training_spend_usd`` is already in US dollars.
"""

from __future__ import annotations

ID_COLUMN = "vendor_id"
CATEGORY_COLUMN = "category"
PAY_PERIOD_COLUMN = "pay_period"

WAGE_COLUMNS = (
    "entry_level_wage",
    "impact_worker_median_wage",
    "local_minimum_wage",
    "living_wage_benchmark",
)

WORKFORCE_COLUMNS = (
    "headcount_start",
    "headcount_end",
    "fte_avg",
    "total_hires",
    "impact_worker_hires",
    "impact_workers_start",
    "impact_workers_end",
    "retention_cohort_hired",
    "retention_cohort_retained_12m",
    "promotions_impact_workers",
)
TRAINING_COLUMNS = ("training_hours_impact_workers", "training_spend_usd")

# Disclosure counts and amounts that formulas may use directly (wages only per hour, below).
DISCLOSURE_NUMBER_COLUMNS = (*WORKFORCE_COLUMNS, "standard_weekly_hours", *TRAINING_COLUMNS)

SECTIONS = ("workforce", "wages", "training")
EVIDENCE_COLUMNS = {section: f"evidence_{section}" for section in SECTIONS}

# Ordered from weakest to strongest; a stronger level never gets a smaller default factor.
EVIDENCE_LEVELS = (
    "none",
    "self_reported",
    "self_reported_documented",
    "buyer_verified",
    "third_party_limited",
    "third_party_reasonable",
)

# Paid hours in one pay period, as a multiple of the standard weekly hours (DESIGN §4).
WEEKS_PER_PAY_PERIOD = {"week": 1.0, "month": 52.0 / 12.0, "year": 52.0}
PAY_PERIODS = ("hour", *WEEKS_PER_PAY_PERIOD)

NUMBER_COLUMNS = ("price", "quality", *DISCLOSURE_NUMBER_COLUMNS, *WAGE_COLUMNS)

REQUIRED_COLUMNS = (
    ID_COLUMN,
    CATEGORY_COLUMN,
    "price",
    "quality",
    *WORKFORCE_COLUMNS,
    PAY_PERIOD_COLUMN,
    "standard_weekly_hours",
    *WAGE_COLUMNS,
    *TRAINING_COLUMNS,
    *EVIDENCE_COLUMNS.values(),
)


def hourly_field(wage_column: str) -> str:
    """Formula name of a wage converted to currency per hour, e.g. ``entry_level_wage_hourly``."""
    return f"{wage_column}_hourly"


# Names a metric formula may use. Raw wages are left out on purpose: two vendors may use
# different pay periods, so only the per-hour values are comparable across vendors.
FORMULA_FIELDS = frozenset(
    (*DISCLOSURE_NUMBER_COLUMNS, *(hourly_field(column) for column in WAGE_COLUMNS))
)

PILLARS = ("impact", "cost", "quality")

# Columns of the output table besides the metric values; a metric key may not take one.
OUTPUT_COLUMNS = ("vendor_id", "impact", "cost", "quality", "total", "rank", "knocked_out")
