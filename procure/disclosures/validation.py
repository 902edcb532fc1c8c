"""Validation of an impact disclosure: errors that reject it, warnings shown to reviewers.

The rules are those of DESIGN.md section 4, with the standards behind each field in
reference/impact-metrics.md section 3. Pure Python, so the rules are testable without the app.

A disclosure document has this shape (any field may be absent or None, meaning "not
disclosed"; submitting requires the fields in `SUBMIT_REQUIRED_*`):

    {"period_start": "2025-01-01", "period_end": "2025-12-31",
     "workforce": {<counts>, "fte_avg": float, "categories": {<category>: int},
                   "other_category_label": str},
     "wages": [{"site": str, "country": "KE", "currency": "KES", "pay_period": "month", ...}],
     "training": {...}, "evidence": {"workforce": level, "wages": level, "training": level}}

Checking happens in two steps. Reading turns each value into its clean form (whole numbers,
finite floats, dates, trimmed text, upper-case codes) and reports values of the wrong kind
and unknown keys. The rules then compare the clean values; a value that could not be read
counts as not disclosed there, so one typo gives one message, not a cascade.
"""

from __future__ import annotations

import calendar
import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from procure.reference_data import Reference
from scoring.fields import (
    EVIDENCE_LEVELS,
    PAY_PERIODS,
    WEEKS_PER_PAY_PERIOD,
    DisclosureField,
    FieldType,
    fields_in,
)

# Above 2,080 hours per FTE (52 weeks × 40 hours) a worker would train more than they work.
MAX_TRAINING_HOURS_PER_FTE = 2080.0
WARN_TRAINING_HOURS_PER_FTE = 200.0
MAX_STANDARD_WEEKLY_HOURS = 100.0
# ILO conventions C1 (industry) and C30 (commerce and offices) set a 48-hour week.
ILO_WEEKLY_HOURS_LIMIT = 48.0
# A reconciliation gap above 2 % of the end figure is worth a reviewer's question.
RECONCILIATION_TOLERANCE = 0.02
PERIOD_LENGTH_TOLERANCE_DAYS = 31
LIVING_WAGE_MAX_AGE_MONTHS = 12
# No employer has a billion staff; the cap also keeps integer arithmetic within float range.
MAX_COUNT = 1_000_000_000

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Issue:
    field: str  # path such as "workforce.impact_worker_hires" or "wages[1].currency"
    message: str


@dataclass
class ValidationReport:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _by_key(section: str) -> dict[str, DisclosureField]:
    return {f.key: f for f in fields_in(section)}


# The fields of each part of the document, with their types and labels (scoring.fields).
PERIOD_FIELDS = _by_key("period")
WORKFORCE_FIELDS = _by_key("workforce")
CATEGORY_FIELDS = _by_key("categories")
WAGE_FIELDS = _by_key("wages")
TRAINING_FIELDS = _by_key("training")
EVIDENCE_FIELDS = _by_key("evidence")

SUBMIT_REQUIRED_WORKFORCE = (
    "headcount_start",
    "headcount_end",
    "full_time_end",
    "part_time_end",
    "fte_avg",
    "total_hires",
    "impact_worker_hires",
    "impact_workers_start",
    "impact_workers_end",
)
SUBMIT_REQUIRED_WAGES = (
    "site",
    "country",
    "currency",
    "pay_period",
    "standard_weekly_hours",
    "entry_level_wage",
    "local_minimum_wage",
    "minimum_wage_source",
    "minimum_wage_date",
    "living_wage_benchmark",
    "living_wage_source",
    "living_wage_date",
)


# --- public API --------------------------------------------------------------------------


def validate_disclosure(
    doc: Any, reference: Reference, *, today: date, for_submit: bool
) -> ValidationReport:
    """Check a disclosure document; never raises and never changes `doc`.

    Errors always cover values present (draft or submit); `for_submit` adds one "required"
    error per missing required field. Warnings never block. `today` bounds the dates of wage
    benchmarks, which cannot lie in the future.
    """
    return _report(_read_document(doc), reference, today, for_submit)


def validate_and_normalise(
    doc: Any, reference: Reference, *, today: date, for_submit: bool
) -> tuple[ValidationReport, dict[str, Any]]:
    """`validate_disclosure` and `normalise_disclosure` of `doc` from one reading of it (the
    reading is half the work of each, and an import checks tens of thousands of documents)."""
    reading = _read_document(doc)
    return _report(reading, reference, today, for_submit), _as_document(reading.values)


def _report(
    reading: _Reading, reference: Reference, today: date, for_submit: bool
) -> ValidationReport:
    report = ValidationReport(errors=list(reading.errors))
    values = reading.values
    _check_period(values, report)
    _check_workforce(values["workforce"], report)
    _check_wages(values, reference, today, report)
    _check_training(values["training"], values["workforce"], reference, report)
    if for_submit:
        _check_required(values, reading.unreadable, report)
    return report


def normalise_disclosure(doc: Any) -> dict[str, Any]:
    """A clean copy of `doc` in the full document shape; never raises, never changes `doc`.

    Every known field is present (None when not disclosed); counts are int, other numbers
    float, dates ISO strings, codes upper-case, pay periods and evidence levels lower-case,
    text trimmed (empty text is None). Unknown keys and values that cannot be read are left
    out here and reported as errors by `validate_disclosure`: store a normalised document
    only when its report has no errors.
    """
    return _as_document(_read_document(doc).values)


def hourly_wage(amount: float, pay_period: str, standard_weekly_hours: float) -> float:
    """A wage per hour, from a wage per `pay_period` at a site's standard weekly hours.

    A week is `standard_weekly_hours` hours, a month 52/12 weeks and a year 52 weeks, so
    wages paid per week, month or year compare with hourly benchmarks (DESIGN.md section 4).
    Raises ValueError for an unknown pay period or hours that are not above 0.
    """
    if pay_period == "hour":
        return float(amount)
    if pay_period not in WEEKS_PER_PAY_PERIOD:
        raise ValueError(f"pay_period must be one of {', '.join(PAY_PERIODS)}, got {pay_period!r}")
    if not standard_weekly_hours > 0:
        raise ValueError(f"standard_weekly_hours must be above 0, got {standard_weekly_hours!r}")
    return amount / (standard_weekly_hours * WEEKS_PER_PAY_PERIOD[pay_period])


# --- reading -----------------------------------------------------------------------------


@dataclass
class _Reading:
    values: dict[str, Any]  # the full document shape, dates as date objects
    errors: list[Issue] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # paths reported as unreadable


def _read_document(doc: Any) -> _Reading:
    reading = _Reading(values={})
    top = _read_group(
        doc,
        "",
        "The disclosure",
        PERIOD_FIELDS,
        {"workforce", "wages", "training", "evidence"},
        reading,
    )
    values = reading.values
    values.update({key: top.get(key) for key in PERIOD_FIELDS})
    workforce_raw = top.get("workforce")
    workforce = _read_group(
        workforce_raw, "workforce", "Workforce figures", WORKFORCE_FIELDS, {"categories"}, reading
    )
    categories_raw = workforce.pop("categories", None)
    workforce["categories"] = _read_group(
        categories_raw,
        "workforce.categories",
        "Impact-worker categories",
        CATEGORY_FIELDS,
        set(),
        reading,
    )
    values["workforce"] = workforce
    values["wages"] = _read_wages(top.get("wages"), reading)
    values["training"] = _read_group(
        top.get("training"), "training", "Training figures", TRAINING_FIELDS, set(), reading
    )
    values["evidence"] = _read_group(
        top.get("evidence"), "evidence", "Evidence levels", EVIDENCE_FIELDS, set(), reading
    )
    return reading


def _read_group(
    raw: Any,
    path: str,
    label: str,
    fields: Mapping[str, DisclosureField],
    nested: set[str],
    reading: _Reading,
    label_prefix: str = "",
) -> dict[str, Any]:
    """Read a group of named fields; `nested` keys are passed through raw for the caller."""
    values: dict[str, Any] = {key: None for key in fields}
    if raw is None:
        return values
    if not isinstance(raw, Mapping):
        _unreadable(
            reading, path, f"{label} must be a group of named fields; got {_describe(raw)}."
        )
        return values
    known = set(fields) | nested
    for key, value in raw.items():
        key_path = _join(path, str(key))
        if key not in known:
            _unreadable(reading, key_path, _unknown_key_message(key, known))
        elif key in nested:
            values[key] = value
        elif value is not None:
            spec = fields[key]
            clean, problem = _READERS[spec.type](value)
            if problem is None:
                values[key] = clean
            else:
                field_label = _lower_first(spec.label) if label_prefix else spec.label
                _unreadable(reading, key_path, f"{label_prefix}{field_label} {problem}.")
    return values


def _read_wages(raw: Any, reading: _Reading) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        _unreadable(reading, "wages", f"Wages must be a list of sites; got {_describe(raw)}.")
        return []
    sites = []
    for index, entry in enumerate(raw):
        site_label = _site_label(index, entry)
        sites.append(
            _read_group(
                entry,
                f"wages[{index}]",
                site_label,
                WAGE_FIELDS,
                set(),
                reading,
                label_prefix=f"{site_label}: ",
            )
        )
    return sites


def _unreadable(reading: _Reading, path: str, message: str) -> None:
    reading.errors.append(Issue(path, message))
    reading.unreadable.add(path)


def _unknown_key_message(key: Any, known: set[str]) -> str:
    message = f'"{key}" is not a field of the disclosure.'
    close = difflib.get_close_matches(str(key), sorted(known), n=1) if isinstance(key, str) else []
    return f'{message} Did you mean "{close[0]}"?' if close else message


def _read_number(value: Any, what: str = "a number") -> tuple[float | int | None, str | None]:
    """A finite int or float from a JSON-like number, or the reason it is not one.

    Exactly one of the pair is None.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None, f"must be {what}; got {_describe(value)}"
    if isinstance(value, int):
        return value, None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if not math.isfinite(number):
        return None, f"must be a finite number; got {_describe(value)}"
    return number, None


def _read_count(value: Any) -> tuple[int | None, str | None]:
    number, problem = _read_number(value, "a whole number")
    if number is None:
        return None, problem
    if number != int(number):
        return None, f"must be a whole number; got {_fmt(number)}"
    if number < 0:
        return None, f"cannot be negative; got {_fmt(number)}"
    if number > MAX_COUNT:
        return None, f"is too large to be right ({_fmt(int(number))}); check the figure"
    return int(number), None


def _read_amount(value: Any) -> tuple[float | None, str | None]:
    number, problem = _read_number(value)
    if number is None:
        return None, problem
    if number < 0:
        return None, f"cannot be negative; got {_fmt(number)}"
    return _to_float(number)


def _read_positive(value: Any) -> tuple[float | None, str | None]:
    number, problem = _read_number(value)
    if number is None:
        return None, problem
    if number <= 0:
        return None, f"must be greater than 0; got {_fmt(number)}"
    return _to_float(number)


def _to_float(number: float | int) -> tuple[float | None, str | None]:
    try:
        return float(number), None
    except OverflowError:
        return None, "is too large to be right; check the figure"


def _read_text(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str):
        return None, f"must be text; got {_describe(value)}"
    return value.strip() or None, None


def _read_date(value: Any) -> tuple[date | None, str | None]:
    if isinstance(value, date):  # a datetime is a date too; keep only the day
        return date(value.year, value.month, value.day), None
    problem = f"must be a date written YYYY-MM-DD, e.g. 2025-12-31; got {_describe(value)}"
    if not isinstance(value, str):
        return None, problem
    text = value.strip()
    if not text:
        return None, None
    if not _ISO_DATE.fullmatch(text):
        return None, problem
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"is not a real date; got {_describe(value)}"


def _choice_reader(
    choices: tuple[str, ...], normalise: Callable[[str], str], what: str
) -> Callable[[Any], tuple[str | None, str | None]]:
    def read(value: Any) -> tuple[str | None, str | None]:
        text, problem = _read_text(value)
        if problem or text is None:
            return None, problem
        text = normalise(text)
        if choices and text not in choices:
            return None, f"must be one of {', '.join(choices)}; got {_describe(value)}"
        if not choices and not re.fullmatch(r"[A-Z]{2,3}", text):
            return None, f"must be {what}; got {_describe(value)}"
        return text, None

    return read


_READERS: dict[FieldType, Callable[[Any], tuple[Any, str | None]]] = {
    FieldType.COUNT: _read_count,
    FieldType.AMOUNT: _read_amount,
    FieldType.POSITIVE: _read_positive,
    FieldType.TEXT: _read_text,
    FieldType.DATE: _read_date,
    FieldType.CODE: _choice_reader((), str.upper, "an ISO code of two or three letters"),
    FieldType.PAY_PERIOD: _choice_reader(PAY_PERIODS, str.lower, "a pay period"),
    FieldType.EVIDENCE_LEVEL: _choice_reader(EVIDENCE_LEVELS, str.lower, "an evidence level"),
}


def _as_document(values: dict[str, Any]) -> dict[str, Any]:
    """The read values with dates as ISO strings: the stored form of a disclosure."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return plain(values)


# --- rules -------------------------------------------------------------------------------


def _check_period(values: Mapping[str, Any], report: ValidationReport) -> None:
    start, end = values["period_start"], values["period_end"]
    if start is None or end is None:
        return
    if end <= start:
        report.errors.append(
            Issue(
                "period_end",
                f"{_label(PERIOD_FIELDS, 'period_end')} ({end.isoformat()}) must be after "
                f"{_label(PERIOD_FIELDS, 'period_start', lower=True)} ({start.isoformat()}).",
            )
        )
        return
    # A 12-month period starting on 1 January ends on 31 December of the same year.
    one_year_on = _add_months(start, 12)
    if one_year_on is None:
        return
    twelve_months_end = one_year_on - timedelta(days=1)
    if abs((end - twelve_months_end).days) > PERIOD_LENGTH_TOLERANCE_DAYS:
        report.warnings.append(
            Issue(
                "period_end",
                f"The period runs from {start.isoformat()} to {end.isoformat()} "
                f"({(end - start).days + 1} days); a reporting period is expected to be 12 months "
                f"(within {PERIOD_LENGTH_TOLERANCE_DAYS} days), so figures may not compare with "
                f"other vendors'.",
            )
        )


def _check_workforce(workforce: Mapping[str, Any], report: ValidationReport) -> None:
    w = workforce

    def label(key: str, lower: bool = False) -> str:
        return _label(WORKFORCE_FIELDS, key, lower=lower)

    def not_above(key: str, limit_key: str) -> None:
        _check_not_above(
            report, f"workforce.{key}", label(key), [w[key]], label(limit_key, True), [w[limit_key]]
        )

    not_above("impact_worker_hires", "total_hires")
    not_above("impact_workers_start", "headcount_start")
    not_above("impact_workers_end", "headcount_end")
    not_above("retention_cohort_retained_12m", "retention_cohort_hired")
    not_above("promotions_impact_workers", "promotions_all")

    departure_keys = [
        key for key in ("departures_voluntary", "departures_involuntary") if w[key] is not None
    ]
    departures = [w[key] for key in departure_keys]
    if departure_keys:
        # Even one kind of departure alone cannot exceed everyone who was ever employed.
        _check_not_above(
            report,
            f"workforce.{departure_keys[0]}",
            "Departures",
            departures,
            _EVER_EMPLOYED,
            [w["headcount_start"], w["total_hires"]],
        )
    if len(departures) == 2:
        _check_not_above(
            report,
            "workforce.impact_worker_departures",
            label("impact_worker_departures"),
            [w["impact_worker_departures"]],
            "all departures",
            departures,
        )

    full_time, part_time, headcount_end = w["full_time_end"], w["part_time_end"], w["headcount_end"]
    if None not in (full_time, part_time, headcount_end) and full_time + part_time != headcount_end:
        report.errors.append(
            Issue(
                "workforce.full_time_end",
                f"{label('full_time_end')} ({_fmt(full_time)}) plus {label('part_time_end', True)} "
                f"({_fmt(part_time)}) make {_fmt(full_time + part_time)}, but "
                f"{label('headcount_end', True)} is {_fmt(headcount_end)}; they must be equal.",
            )
        )

    fte, headcount_start = w["fte_avg"], w["headcount_start"]
    if None not in (fte, headcount_start, headcount_end) and fte > max(
        headcount_start, headcount_end
    ):
        report.errors.append(
            Issue(
                "workforce.fte_avg",
                f"{label('fte_avg')} ({_fmt(fte)}) cannot exceed the larger of "
                f"{label('headcount_start', True)} ({_fmt(headcount_start)}) and "
                f"{label('headcount_end', True)} ({_fmt(headcount_end)}).",
            )
        )

    _check_categories(w, report)
    _check_reconciliation(
        report,
        "workforce.headcount_end",
        "Headcount",
        w["headcount_start"],
        w["total_hires"],
        None if len(departures) < 2 else sum(departures),
        w["headcount_end"],
    )
    _check_reconciliation(
        report,
        "workforce.impact_workers_end",
        "Impact-worker count",
        w["impact_workers_start"],
        w["impact_worker_hires"],
        w["impact_worker_departures"],
        w["impact_workers_end"],
    )


def _check_categories(workforce: Mapping[str, Any], report: ValidationReport) -> None:
    categories = workforce["categories"]
    impact_end = workforce["impact_workers_end"]
    for key, spec in CATEGORY_FIELDS.items():
        _check_not_above(
            report,
            f"workforce.categories.{key}",
            spec.label,
            [categories[key]],
            _label(WORKFORCE_FIELDS, "impact_workers_end", lower=True),
            [impact_end],
        )
    if (categories["other"] or 0) > 0 and workforce["other_category_label"] is None:
        report.errors.append(
            Issue(
                "workforce.other_category_label",
                f"Name the other impact-worker category: {_fmt(categories['other'])} "
                f'impact workers are counted under "other".',
            )
        )
    given = [count for count in categories.values() if count is not None]
    # Categories may overlap (a refugee can also be long-term unemployed), so only a sum
    # below the total is suspicious: some impact workers would belong to no category.
    if given and impact_end is not None and sum(given) < impact_end:
        uncounted = impact_end - sum(given)
        report.warnings.append(
            Issue(
                "workforce.categories",
                f"{_fmt(uncounted)} impact workers are in no category: the categories add up to "
                f"{_fmt(sum(given))} but there are {_fmt(impact_end)} "
                f"{_label(WORKFORCE_FIELDS, 'impact_workers_end', lower=True)}.",
            )
        )


def _check_reconciliation(
    report: ValidationReport,
    path: str,
    what: str,
    start: int | None,
    hires: int | None,
    departures: int | None,
    end: int | None,
) -> None:
    """Warn when start + hires − departures misses the end figure by more than 2 % of it.

    A gap can be legitimate (transfers, reclassifications), so it is a question for the
    reviewer, not an error.
    """
    if start is None or hires is None or departures is None or end is None:
        return
    expected = start + hires - departures
    gap = abs(expected - end)
    if gap <= RECONCILIATION_TOLERANCE * end:
        return
    share = f", {100 * gap / end:.1f} % of the end figure" if end else ""
    report.warnings.append(
        Issue(
            path,
            f"{what} does not reconcile: start {_fmt(start)} + hires {_fmt(hires)} − departures "
            f"{_fmt(departures)} = {_fmt(expected)}, but the end of period figure is {_fmt(end)} "
            f"(a gap of {_fmt(gap)}{share}); a gap over {RECONCILIATION_TOLERANCE:.0%} needs an "
            f"explanation, such as transfers.",
        )
    )


def _check_wages(
    values: Mapping[str, Any], reference: Reference, today: date, report: ValidationReport
) -> None:
    period_end = values["period_end"]
    first_use_of_name: dict[str, int] = {}
    for index, site in enumerate(values["wages"]):
        path = f"wages[{index}]"
        name = _site_label(index, site)

        if site["site"] is not None:
            folded = site["site"].casefold()
            if folded in first_use_of_name:
                report.errors.append(
                    Issue(
                        f"{path}.site",
                        f"{name} has the same name as site {first_use_of_name[folded] + 1}; "
                        f"give each site its own name.",
                    )
                )
            else:
                first_use_of_name[folded] = index

        for key, check in (("country", _check_country), ("currency", _check_currency)):
            label = f"{name}: {_label(WAGE_FIELDS, key, lower=True)}"
            check(report, f"{path}.{key}", label, site[key], reference)

        hours = site["standard_weekly_hours"]
        if hours is not None and hours > MAX_STANDARD_WEEKLY_HOURS:
            report.errors.append(
                Issue(
                    f"{path}.standard_weekly_hours",
                    f"{name}: {_label(WAGE_FIELDS, 'standard_weekly_hours', lower=True)} "
                    f"must be at most {_fmt(MAX_STANDARD_WEEKLY_HOURS)}; "
                    f"got {_fmt(hours)}.",
                )
            )
        elif hours is not None and hours > ILO_WEEKLY_HOURS_LIMIT:
            report.warnings.append(
                Issue(
                    f"{path}.standard_weekly_hours",
                    f"{name}: a standard week of {_fmt(hours)} hours is over the "
                    f"{_fmt(ILO_WEEKLY_HOURS_LIMIT)}-hour week of ILO conventions C1 and C30.",
                )
            )

        for key in ("minimum_wage_date", "living_wage_date"):
            when = site[key]
            if when is not None and when > today:
                report.errors.append(
                    Issue(
                        f"{path}.{key}",
                        f"{name}: {_label(WAGE_FIELDS, key, lower=True)} ({when.isoformat()}) "
                        f"is in the future (today is {today.isoformat()}).",
                    )
                )

        living_date = site["living_wage_date"]
        if living_date is not None and period_end is not None:
            oldest_current = _add_months(period_end, -LIVING_WAGE_MAX_AGE_MONTHS)
            if oldest_current is not None and living_date < oldest_current:
                report.warnings.append(
                    Issue(
                        f"{path}.living_wage_date",
                        f"{name}: the {_label(WAGE_FIELDS, 'living_wage_benchmark', lower=True)} "
                        f"is dated {living_date.isoformat()}, "
                        f"more than {LIVING_WAGE_MAX_AGE_MONTHS} months before the period end "
                        f"({period_end.isoformat()}); use a newer benchmark or one updated for "
                        f"inflation.",
                    )
                )

        entry, minimum = site["entry_level_wage"], site["local_minimum_wage"]
        # A warning, not an error: the scoring profile's knock-out rule decides what a wage
        # below the legal minimum costs the vendor (and a buyer may turn that rule off), so
        # the disclosure is still accepted and the reviewer sees the figure.
        if entry is not None and minimum is not None and entry < minimum:
            unit = "".join(
                f" {part}"
                for part in (site["currency"], site["pay_period"] and f"per {site['pay_period']}")
                if part
            )
            report.warnings.append(
                Issue(
                    f"{path}.entry_level_wage",
                    f"{name}: the {_label(WAGE_FIELDS, 'entry_level_wage', lower=True)} "
                    f"({_fmt(entry)}{unit}) is below the "
                    f"{_label(WAGE_FIELDS, 'local_minimum_wage', lower=True)} "
                    f"({_fmt(minimum)}{unit}); under the default scoring profile "
                    f"this knocks the vendor out.",
                )
            )


def _check_training(
    training: Mapping[str, Any],
    workforce: Mapping[str, Any],
    reference: Reference,
    report: ValidationReport,
) -> None:
    t, w = training, workforce
    _check_not_above(
        report,
        "training.training_hours_impact_workers",
        _label(TRAINING_FIELDS, "training_hours_impact_workers"),
        [t["training_hours_impact_workers"]],
        _label(TRAINING_FIELDS, "training_hours_all", lower=True),
        [t["training_hours_all"]],
    )
    _check_not_above(
        report,
        "training.employees_trained",
        _label(TRAINING_FIELDS, "employees_trained"),
        [t["employees_trained"]],
        _EVER_EMPLOYED,
        [w["headcount_start"], w["total_hires"]],
    )
    _check_currency(
        report,
        "training.training_currency",
        _label(TRAINING_FIELDS, "training_currency"),
        t["training_currency"],
        reference,
        convertible=True,  # the spend is compared in US dollars
    )

    hours, fte = t["training_hours_all"], w["fte_avg"]
    if hours is None or fte is None:
        return
    per_fte = hours / fte
    arithmetic = f"{_fmt(per_fte)} = {_fmt(hours)} hours ÷ {_fmt(fte)} FTE"
    if per_fte > MAX_TRAINING_HOURS_PER_FTE:
        report.errors.append(
            Issue(
                "training.training_hours_all",
                f"Training hours per FTE ({arithmetic}) cannot exceed "
                f"{_fmt(MAX_TRAINING_HOURS_PER_FTE)}, a full working year.",
            )
        )
    elif per_fte > WARN_TRAINING_HOURS_PER_FTE:
        report.warnings.append(
            Issue(
                "training.training_hours_all",
                f"Training hours per FTE ({arithmetic}) are over "
                f"{_fmt(WARN_TRAINING_HOURS_PER_FTE)}, "
                f"unusually high; check that on-the-job work is not counted as training.",
            )
        )


def _check_country(
    report: ValidationReport, path: str, label: str, code: str | None, reference: Reference
) -> None:
    if code is not None and code not in reference.countries:
        report.errors.append(
            Issue(
                path,
                f'{label} "{code}" is not an ISO 3166-1 country code (two letters, e.g. KE for '
                f"Kenya).",
            )
        )


def _check_currency(
    report: ValidationReport,
    path: str,
    label: str,
    code: str | None,
    reference: Reference,
    *,
    convertible: bool = False,
) -> None:
    """An ISO 4217 cash currency; with `convertible`, also one with an exchange rate to US
    dollars (an amount compared across vendors), naming the currencies that have one."""
    if code is None:
        return
    currency = reference.currencies.get(code)
    if currency is None:
        report.errors.append(
            Issue(
                path,
                f'{label} "{code}" is not an ISO 4217 currency code (three letters, e.g. KES).',
            )
        )
    elif not currency.is_cash:
        report.errors.append(
            Issue(
                path,
                f'{label} "{code}" ({currency.name}) is not a currency that payments are made in.',
            )
        )
    elif convertible and not reference.fx.has_rate(code):
        report.errors.append(
            Issue(
                path,
                f'{label} "{code}" ({currency.name}) has no exchange rate to US dollars, so the '
                f"amount cannot be compared: use one of {', '.join(reference.fx.convertible())}, "
                f"or ask the platform operator to add a rate for {code}.",
            )
        )


def _check_required(
    values: Mapping[str, Any], unreadable: set[str], report: ValidationReport
) -> None:
    """One "required" error per missing field; a field already reported as unreadable (or in
    a group that could not be read) gets no second message."""

    def require(path: str, value: Any, label: str) -> None:
        group = path.rsplit(".", 1)[0] if "." in path else ""
        if value is None and not unreadable & {path, group, ""}:
            report.errors.append(Issue(path, f"{label} is required to submit."))

    for key, spec in PERIOD_FIELDS.items():
        require(key, values[key], spec.label)
    for key in SUBMIT_REQUIRED_WORKFORCE:
        require(f"workforce.{key}", values["workforce"][key], WORKFORCE_FIELDS[key].label)
    if not values["wages"] and "wages" not in unreadable and "" not in unreadable:
        report.errors.append(Issue("wages", "Wages for at least one site are required to submit."))
    for index, site in enumerate(values["wages"]):
        for key in SUBMIT_REQUIRED_WAGES:
            require(
                f"wages[{index}].{key}",
                site[key],
                f"{_site_label(index, site)}: {_lower_first(WAGE_FIELDS[key].label)}",
            )
    for key, spec in EVIDENCE_FIELDS.items():
        require(f"evidence.{key}", values["evidence"][key], spec.label)
    training = values["training"]
    # Spend is compared across vendors in US dollars, which needs the currency it is in.
    if training["training_spend"] is not None:
        require(
            "training.training_currency",
            training["training_currency"],
            TRAINING_FIELDS["training_currency"].label,
        )


def _check_not_above(
    report: ValidationReport,
    path: str,
    label: str,
    parts: list[Any],
    limit_label: str,
    limit_parts: list[Any],
) -> None:
    """Error when the sum of `parts` exceeds the sum of `limit_parts`; skipped if any is missing."""
    if not parts or not limit_parts or None in parts or None in limit_parts:
        return
    if sum(parts) > sum(limit_parts):
        report.errors.append(
            Issue(
                path,
                f"{label} ({_sum_text(parts)}) cannot exceed {limit_label} "
                f"({_sum_text(limit_parts)}).",
            )
        )


# --- wording -----------------------------------------------------------------------------


def _fmt(number: float | int) -> str:
    """A number as a vendor writes it: 1,234 or 1,234.5 or 0.0125."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        number = int(number)
    if isinstance(number, int):
        return f"{number:,}"
    if abs(number) >= 1:
        return f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{number:.3g}"


def _sum_text(parts: list[float | int]) -> str:
    if len(parts) == 1:
        return _fmt(parts[0])
    return " + ".join(_fmt(part) for part in parts) + f" = {_fmt(sum(parts))}"


def _describe(value: Any) -> str:
    """A wrong value as a vendor would recognise it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'"{shown}"'
    if isinstance(value, (int, Decimal)):
        return _fmt(int(value)) if isinstance(value, int) else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "not a number (NaN)"
        if math.isinf(value):
            return "infinity"
        return _fmt(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a group of fields"
    if value is None:
        return "nothing"
    return f"a value of type {type(value).__name__}"


def _site_label(index: int, site: Any) -> str:
    name = site.get("site") if isinstance(site, Mapping) else None
    if isinstance(name, str) and name.strip():
        return f'Site "{name.strip()}"'
    return f"Site {index + 1}"


def _label(fields: Mapping[str, DisclosureField], key: str, *, lower: bool = False) -> str:
    """A field's label from the field table; `lower` for use mid-sentence."""
    label = fields[key].label
    return _lower_first(label) if lower else label


def _lower_first(label: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, keeping acronyms such as FTE."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


# Everyone employed at some time in the period: the limit of departures and of people trained.
_EVER_EMPLOYED = (
    f"{_label(WORKFORCE_FIELDS, 'headcount_start', lower=True)} plus "
    f"{_label(WORKFORCE_FIELDS, 'total_hires', lower=True)}"
)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _add_months(day: date, months: int) -> date | None:
    """The same day `months` later (or earlier), clipped to the month's end (31 Mar − 1 → 28 Feb).

    None when the result falls outside the years 1 to 9999 that `date` can hold.
    """
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        return None
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
