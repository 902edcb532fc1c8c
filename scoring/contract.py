"""The vendor input table contract and the fixed vocabularies of the scoring pipeline.

One row per vendor. An empty cell means "not disclosed". ``pay_period`` applies to all four
wage columns; ``training_spend_usd`` is already in US dollars. The disclosure columns, their
order and the vocabularies are those of the disclosure field table, :mod:`scoring.fields`.

The offer columns describe the one offer a vendor is scored on (its best offer, see
:func:`scoring.offers.best_offers`): ``category``, ``price`` (per unit, one currency for the
whole table, not rounded) and ``quality`` (0-1) are required; ``unit`` (hour, item, task, ...)
and ``lowest_price`` are optional. Prices compare only within one category and unit.
``wage_site`` (optional) names the site whose wages the row holds.
The group columns (``GROUP_COLUMNS``, optional) count the impact workers at period end in each
beneficiary group (``refugee_or_displaced``, ``youth_neet``, ...), as the disclosure names them;
a table may leave any of them out, which reads as "not disclosed".
``lowest_price`` is the lowest price per unit among *all* offers of the row's category and unit,
including offers that are not on any row (a vendor's other offers, vendors without a row); the
cost pillar compares with it or with the lowest price on the rows, whichever is lower. A table
without ``unit`` treats every row of a category as one unit; without ``lowest_price``, only the
rows' prices count.
"""

from __future__ import annotations

from scoring.fields import COLUMN_FIELDS, EVIDENCE_SECTIONS, GROUP_COLUMN_FIELDS, NUMBER_TYPES, WAGE

# Re-exported for the pipeline's modules, which read the vocabularies here.
from scoring.fields import EVIDENCE_LEVELS as EVIDENCE_LEVELS
from scoring.fields import PAY_PERIODS as PAY_PERIODS
from scoring.fields import WEEKS_PER_PAY_PERIOD as WEEKS_PER_PAY_PERIOD

ID_COLUMN = "vendor_id"
CATEGORY_COLUMN = "category"
PAY_PERIOD_COLUMN = "pay_period"
UNIT_COLUMN = "unit"
LOWEST_PRICE_COLUMN = "lowest_price"
# The name of the site whose wages the row holds (a disclosure with several sites is scored on
# one of them); optional text, named in the minimum-wage knock-out's reason.
WAGE_SITE_COLUMN = "wage_site"
# The ISO code of the currency that site's wages are in (optional text, e.g. "KES"), which the
# minimum-wage knock-out's reason writes with the amounts.
WAGE_CURRENCY_COLUMN = "wage_currency"
# Columns from the vendor's offer rather than its disclosure.
OFFER_COLUMNS = (ID_COLUMN, CATEGORY_COLUMN, "price", "quality")
# Offer columns a table may leave out (see the module docstring); read when present.
OPTIONAL_COLUMNS = (UNIT_COLUMN, LOWEST_PRICE_COLUMN)
# A figure from the scoring buyer's own records, not from the vendor's disclosure (optional,
# empty when absent): delivery reliability, the vendor's delivered / allocated work (a ratio,
# 1.0 = all delivered; above 1 when it delivered more) over the buyer's approved plans, to the
# latest month delivered. Empty where nothing can be measured yet: no delivery recorded against
# a plan that holds the vendor.
DELIVERY_RELIABILITY_COLUMN = "delivery_reliability"
BUYER_COLUMNS = (DELIVERY_RELIABILITY_COLUMN,)
BUYER_COLUMN_LABELS = {DELIVERY_RELIABILITY_COLUMN: "Delivery reliability"}
NO_DELIVERIES = (
    "No deliveries recorded yet against your approved plans that hold this vendor, so its "
    "delivery reliability (delivered / allocated work) is unknown and scores 0"
)


# Wages are per pay period; the other disclosure columns are grouped by their section.
WAGE_COLUMNS = tuple(column for column, field in COLUMN_FIELDS.items() if field.unit == WAGE)
WORKFORCE_COLUMNS = tuple(
    column for column, field in COLUMN_FIELDS.items() if field.section == "workforce"
)
TRAINING_COLUMNS = tuple(
    column for column, field in COLUMN_FIELDS.items() if field.section == "training"
)

# Disclosure counts and amounts that formulas may use directly (wages only per hour, below).
DISCLOSURE_NUMBER_COLUMNS = tuple(
    column
    for column, field in COLUMN_FIELDS.items()
    if field.type in NUMBER_TYPES and column not in WAGE_COLUMNS
)
# Impact workers at period end by beneficiary group, named as in the disclosure's categories
# (scoring.fields): optional columns, kept by the checked table when given (NaN = not
# disclosed), which formulas may use like the counts above. Not required, so a table written
# before they existed (every `procure score` CSV) still reads, and scores the same.
GROUP_COLUMNS = tuple(GROUP_COLUMN_FIELDS)

SECTIONS = EVIDENCE_SECTIONS
# A metric of a figure the buyer measured itself (its deliveries: `delivery_reliability`), not
# one the vendor disclosed: no evidence level applies, so it is never discounted (factor 1).
MEASURED = "measured"
METRIC_SECTIONS = (*SECTIONS, MEASURED)
EVIDENCE_COLUMNS = {
    field.key: column for column, field in COLUMN_FIELDS.items() if field.section == "evidence"
}

NUMBER_COLUMNS = ("price", "quality", *DISCLOSURE_NUMBER_COLUMNS, *WAGE_COLUMNS)

REQUIRED_COLUMNS = (*OFFER_COLUMNS, *COLUMN_FIELDS)
# The columns of a checked table: the required ones, then the optional ones (filled when absent),
# the wage site and its currency (optional too), the buyer's own figures last.
TABLE_COLUMNS = (
    *REQUIRED_COLUMNS,
    *OPTIONAL_COLUMNS,
    WAGE_SITE_COLUMN,
    WAGE_CURRENCY_COLUMN,
    *BUYER_COLUMNS,
)


def hourly_field(wage_column: str) -> str:
    """Formula name of a wage converted to currency per hour, e.g. ``entry_level_wage_hourly``."""
    return f"{wage_column}_hourly"


# Names a metric formula may use. Raw wages are left out on purpose: two vendors may use
# different pay periods, so only the per-hour values are comparable across vendors.
FORMULA_FIELD_ORDER = (
    *DISCLOSURE_NUMBER_COLUMNS,
    *GROUP_COLUMNS,
    *(hourly_field(column) for column in WAGE_COLUMNS),
    *BUYER_COLUMNS,
)
FORMULA_FIELDS = frozenset(FORMULA_FIELD_ORDER)

PILLARS = ("impact", "cost", "quality")

# Columns of the output table besides the metric values; a metric key may not take one.
OUTPUT_COLUMNS = ("vendor_id", "impact", "cost", "quality", "total", "rank", "knocked_out")
