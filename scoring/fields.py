"""The disclosure fields (DESIGN §4): every figure a vendor discloses, named once.

Each :class:`DisclosureField` gives a field's key (its name in the disclosure document), the
type of value it holds, its unit, the one label that forms, messages and pages show, the hint a
form shows under it and the section of the document it belongs to. ``scored`` fields are also
columns of the flat vendor table that :mod:`scoring.contract` reads, in the order of this table;
``optional`` fields (the impact workers by beneficiary group) are columns that a table may leave
out, read only by the metric formulas that name them.

The app reads this table for its validation rules, the disclosure form, the flat table's export
and import and the what-if box, so a label or a key changes here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    """The kind of value a field holds; an empty value always means "not disclosed"."""

    COUNT = "count"  # a whole number, 0 or more
    AMOUNT = "amount"  # a finite number, 0 or more
    POSITIVE = "positive"  # a finite number above 0
    TEXT = "text"
    DATE = "date"  # an ISO date, YYYY-MM-DD
    CODE = "code"  # an ISO country or currency code, upper-case
    PAY_PERIOD = "pay_period"  # one of PAY_PERIODS
    EVIDENCE_LEVEL = "evidence_level"  # one of EVIDENCE_LEVELS


NUMBER_TYPES = frozenset((FieldType.COUNT, FieldType.AMOUNT, FieldType.POSITIVE))

# The parts of a disclosure document: the period, then one group of fields each (categories
# sit inside workforce, as workforce.categories; wages hold one group per site).
DOCUMENT_SECTIONS = ("period", "workforce", "categories", "wages", "training", "evidence")
# The sections an evidence level is given for; a level discounts the metrics of its section.
EVIDENCE_SECTIONS = ("workforce", "wages", "training")

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

# Units; text, codes, dates and choices have none ("").
PEOPLE = "people"
FTE = "full-time equivalents"
HOURS = "hours"
HOURS_PER_WEEK = "hours per week"
WAGE = "site currency per pay period"
SPEND = "training spend currency"
USD = "US dollars"


@dataclass(frozen=True)
class DisclosureField:
    key: str  # name in its section of the document, e.g. "headcount_start"
    type: FieldType
    unit: str
    label: str  # sentence case; messages start with it or lower-case its first letter
    hint: str
    section: str  # one of DOCUMENT_SECTIONS
    scored: bool = False  # a column of the flat vendor table (scoring.contract)
    entered: bool = True  # False for a column the flat table derives from entered fields
    # an optional column of the flat vendor table (scoring.contract.GROUP_COLUMNS): formulas may
    # read it, a table may leave it out (not disclosed); never a required (scored) column
    optional: bool = False

    @property
    def column(self) -> str | None:
        """The field's column in the flat vendor table, or None when it has none."""
        if not (self.scored or self.optional):
            return None
        return f"evidence_{self.key}" if self.section == "evidence" else self.key


def _field(
    section: str,
    key: str,
    type_: FieldType,
    unit: str,
    label: str,
    hint: str = "",
    *,
    scored: bool = False,
    entered: bool = True,
    optional: bool = False,
) -> DisclosureField:
    return DisclosureField(key, type_, unit, label, hint, section, scored, entered, optional)


_COUNT, _AMOUNT, _POSITIVE = FieldType.COUNT, FieldType.AMOUNT, FieldType.POSITIVE
_TEXT, _DATE, _CODE = FieldType.TEXT, FieldType.DATE, FieldType.CODE

FIELDS: tuple[DisclosureField, ...] = (
    _field("period", "period_start", _DATE, "", "First day of the period"),
    _field("period", "period_end", _DATE, "", "Last day of the period", "Usually twelve months."),
    # workforce: counts at period start and end, flows during the period (GRI 401, IRIS+)
    _field(
        "workforce",
        "headcount_start",
        _COUNT,
        PEOPLE,
        "Employees at period start",
        "Permanent employees (IRIS+ OI8869).",
        scored=True,
    ),
    _field("workforce", "headcount_end", _COUNT, PEOPLE, "Employees at period end", scored=True),
    _field("workforce", "full_time_end", _COUNT, PEOPLE, "Full-time employees at period end"),
    _field(
        "workforce",
        "part_time_end",
        _COUNT,
        PEOPLE,
        "Part-time employees at period end",
        "Full-time plus part-time must equal employees at period end.",
    ),
    _field(
        "workforce",
        "fte_avg",
        _POSITIVE,
        FTE,
        "Average full-time equivalents",
        "Average FTE over the period.",
        scored=True,
    ),
    _field(
        "workforce",
        "total_hires",
        _COUNT,
        PEOPLE,
        "Hires in the period",
        "GRI 401-1a.",
        scored=True,
    ),
    _field(
        "workforce",
        "impact_worker_hires",
        _COUNT,
        PEOPLE,
        "Impact workers hired",
        "People who, when hired, were long-term unemployed, below the poverty line or in a "
        "declared category.",
        scored=True,
    ),
    _field("workforce", "departures_voluntary", _COUNT, PEOPLE, "Voluntary departures"),
    _field("workforce", "departures_involuntary", _COUNT, PEOPLE, "Involuntary departures"),
    _field("workforce", "impact_worker_departures", _COUNT, PEOPLE, "Impact-worker departures"),
    _field(
        "workforce",
        "impact_workers_start",
        _COUNT,
        PEOPLE,
        "Impact workers at period start",
        scored=True,
    ),
    _field(
        "workforce",
        "impact_workers_end",
        _COUNT,
        PEOPLE,
        "Impact workers at period end",
        scored=True,
    ),
    _field(
        "workforce",
        "other_category_label",
        _TEXT,
        "",
        "Label of the other category",
    ),
    _field(
        "workforce",
        "retention_cohort_hired",
        _COUNT,
        PEOPLE,
        "Impact workers hired 12–24 months before period end",
        "The 12-month retention cohort.",
        scored=True,
    ),
    _field(
        "workforce",
        "retention_cohort_retained_12m",
        _COUNT,
        PEOPLE,
        "Retention cohort still employed after 12 months",
        "Of the impact workers hired 12–24 months before period end.",
        scored=True,
    ),
    _field("workforce", "promotions_all", _COUNT, PEOPLE, "Employees promoted"),
    _field(
        "workforce",
        "promotions_impact_workers",
        _COUNT,
        PEOPLE,
        "Impact workers promoted",
        scored=True,
    ),
    # impact workers at period end by category (beneficiary group); categories may overlap.
    # Formulas may read each count but "other", whose meaning is each vendor's own label; few
    # vendors disclose every group, so they are optional columns of the vendor table (empty:
    # not disclosed, which a formula can replace with if_missing).
    _field(
        "categories",
        "long_term_unemployed",
        _COUNT,
        PEOPLE,
        "Long-term unemployed",
        "Out of work for 12 months or more when hired.",
        optional=True,
    ),
    _field(
        "categories",
        "below_poverty_line",
        _COUNT,
        PEOPLE,
        "Below the national poverty line",
        optional=True,
    ),
    _field(
        "categories",
        "refugee_or_displaced",
        _COUNT,
        PEOPLE,
        "Refugees or displaced people",
        optional=True,
    ),
    _field("categories", "disability", _COUNT, PEOPLE, "People with a disability", optional=True),
    _field(
        "categories",
        "youth_neet",
        _COUNT,
        PEOPLE,
        "Young people not in employment, education or training",
        optional=True,
    ),
    _field(
        "categories",
        "women_low_participation",
        _COUNT,
        PEOPLE,
        "Women where few women work",
        optional=True,
    ),
    _field("categories", "other", _COUNT, PEOPLE, "Other category"),
    # wages, per site; the flat table holds one site (tables.py says which)
    _field("wages", "site", _TEXT, "", "Site name"),
    _field("wages", "country", _CODE, "", "Country", "ISO code: two letters, e.g. KE."),
    _field("wages", "currency", _CODE, "", "Currency", "ISO code: three letters, e.g. KES."),
    _field(
        "wages",
        "pay_period",
        FieldType.PAY_PERIOD,
        "",
        "Pay period",
        "Applies to all wages of this site.",
        scored=True,
    ),
    _field(
        "wages",
        "standard_weekly_hours",
        _POSITIVE,
        HOURS_PER_WEEK,
        "Standard weekly hours",
        "Contractual hours, no overtime.",
        scored=True,
    ),
    _field(
        "wages",
        "entry_level_wage",
        _POSITIVE,
        WAGE,
        "Entry-level wage",
        "GRI 202-1: basic pay plus guaranteed allowances.",
        scored=True,
    ),
    _field(
        "wages",
        "impact_worker_median_wage",
        _POSITIVE,
        WAGE,
        "Median wage of impact workers",
        scored=True,
    ),
    _field("wages", "local_minimum_wage", _POSITIVE, WAGE, "Local minimum wage", scored=True),
    _field(
        "wages",
        "minimum_wage_source",
        _TEXT,
        "",
        "Minimum wage source",
        "The law or public notice.",
    ),
    _field("wages", "minimum_wage_date", _DATE, "", "Minimum wage effective date"),
    _field(
        "wages",
        "living_wage_benchmark",
        _POSITIVE,
        WAGE,
        "Living-wage benchmark",
        "E.g. an Anker benchmark for the area.",
        scored=True,
    ),
    _field("wages", "living_wage_source", _TEXT, "", "Living-wage source"),
    _field("wages", "living_wage_date", _DATE, "", "Living-wage reference date"),
    # training (GRI 404)
    _field("training", "training_hours_all", _AMOUNT, HOURS, "Training hours, all employees"),
    _field(
        "training",
        "training_hours_impact_workers",
        _AMOUNT,
        HOURS,
        "Training hours, impact workers",
        scored=True,
    ),
    _field(
        "training", "training_spend", _AMOUNT, SPEND, "Training spend", "Excluding trainees' wages."
    ),
    _field(
        "training", "training_currency", _CODE, "", "Training spend currency", "ISO code, e.g. USD."
    ),
    _field("training", "employees_trained", _COUNT, PEOPLE, "Employees who completed training"),
    _field(
        "training",
        "training_spend_usd",
        _AMOUNT,
        USD,
        "Training spend (USD)",
        "Training spend at the exchange rate of the period's last day.",
        scored=True,
        entered=False,
    ),
    # one evidence level per section (DESIGN §4: the claimed level; scores use the effective one)
    *(
        _field(
            "evidence",
            section,
            FieldType.EVIDENCE_LEVEL,
            "",
            f"Evidence level for the {section} section",
            scored=True,
        )
        for section in EVIDENCE_SECTIONS
    ),
)


def fields_in(section: str) -> tuple[DisclosureField, ...]:
    """The fields a vendor enters in one section of the document, in form order."""
    if section not in DOCUMENT_SECTIONS:
        raise ValueError(f"section must be one of {', '.join(DOCUMENT_SECTIONS)}, got {section!r}")
    return tuple(f for f in FIELDS if f.section == section and f.entered)


# The flat vendor table's disclosure columns, in contract order, and the field of each.
COLUMN_FIELDS: dict[str, DisclosureField] = {
    f.column: f for f in FIELDS if f.scored and f.column is not None
}
# Its optional disclosure columns (impact workers by beneficiary group), and the field of each.
GROUP_COLUMN_FIELDS: dict[str, DisclosureField] = {
    f.column: f for f in FIELDS if f.optional and f.column is not None
}
