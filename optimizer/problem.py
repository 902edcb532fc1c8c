"""Parse and validate a problem document into frozen, id-sorted data.

`parse_problem(document)` returns `(problem, errors)`: a `Problem` when the document is valid,
otherwise `None` and one `{"field": json_path, "message": text}` per problem found. It never
raises on bad input and never mutates the document. Field meanings and units are listed in the
`optimizer` package docstring.

Needs and vendors are sorted by id and offers by (need id, vendor id), so the order of the
lists in the document never changes the model that is built from it.

Offers are checked twice over when there are many: a bulk fast path (list comprehensions and
numpy) accepts a clean list cheaply; any doubt sends the whole list through the per-offer
checks, which are the authority and produce the messages.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.award import (
    NO_AWARD_RULES,
    AwardRules,
    read_award_rules,
    split_targets,
)
from optimizer.fields import (
    MAX_SCORE,
    ErrorList,
    Rule,
    check_month,
    month_text,
    read_entities,
    read_fields,
    read_list,
    read_section,
    shown,
    type_name,
)
from optimizer.priorities import PRIORITIES_FIELD, Priority, read_priorities

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]
"""Positions (np.int64 or np.intp) or counts."""
BoolArray = npt.NDArray[np.bool_]

Document = dict[str, Any]
"""A JSON object as parsed from (or to be written as) JSON: a problem or a result document."""

OfferColumns = tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""Offer columns before sorting: need position, vendor position, price, capacity, min_order,
hours per unit and quality (NaN: the vendor's)."""

logger = logging.getLogger(__name__)

OBJECTIVES = ("max_impact", "min_cost")
OBJECTIVES_V2 = ("max_impact", "max_impact_worker_hours", "min_cost")
VERSIONS = (1, 2)
MAX_NEED_MONTHS = 36
"""A version 2 need's period is at most this many calendar months."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""Months (`YYYY-MM`) outside these years are refused."""
MAX_HOURS_PER_UNIT = 1000.0
"""Labour hours one unit of work may take (offers[].hours_per_unit)."""
DEFAULT_HOURS_PER_FTE_YEAR = 2080.0
"""settings.hours_per_fte_year when a version 2 document leaves it out (52 weeks × 40 h)."""
HOURS_PER_YEAR = 8784.0
"""The most hours a year has (366 × 24): the ceiling of settings.hours_per_fte_year."""
SOLVERS = ("cbc", "highs")

MAX_UNITS = 1e12
MAX_PRICE = 1e9
"""Upper limits on volumes and capacities (units) and prices ($ per unit): far beyond any
real need, and they keep every bound of the model inside what the solvers accept."""


DEFAULT_TIME_LIMIT = 60.0
"""Seconds for the whole call (options.time_limit)."""
MAX_TIME_LIMIT = 1e6
"""The largest options.time_limit accepted, in seconds (11.6 days)."""
DEFAULT_MIP_REL_GAP = 1e-6
"""Relative MIP gap at which a plan with binaries counts as optimal (options.mip_rel_gap)."""


@dataclass(frozen=True)
class Need:
    """One need: `volume` units of work (hours, items, tasks) to place in full."""

    id: str
    volume: float
    min_quality: float
    max_vendor_share: float
    max_vendors: int | None
    unit: str | None = None
    first_month: int | None = None
    """Version 2: the period's first calendar month as a month number (year × 12 + month − 1)."""
    months: int | None = None
    """Version 2: the period's length in calendar months; the volume is spread evenly."""
    min_avg_impact: float | None = None
    """Version 2: this need's own targets, applied to its allocation alone."""
    min_avg_quality: float | None = None
    min_impact_spend_share: float | None = None
    min_award: float | None = None
    """Version 2, units of the need: a vendor given any volume on the need gets at least this
    in total over its offers for it (None or 0: no minimum)."""

    @property
    def period_months(self) -> range:
        """Month numbers of the need's period (empty in version 1)."""
        if self.first_month is None or self.months is None:
            return range(0)
        return range(self.first_month, self.first_month + self.months)


@dataclass(frozen=True)
class Vendor:
    """One vendor: capacity in units per period (None = unlimited), quality 0–1,
    impact score 0–100, impact-worker share 0–1 (None = not disclosed)."""

    id: str
    capacity: float | None
    quality: float
    impact_score: float
    impact_worker_share: float | None


@dataclass(frozen=True)
class Offers:
    """Offers as read-only columns, sorted by (need position, vendor position).

    `need` and `vendor` are positions in `Problem.needs` / `Problem.vendors`; `price` is $ per
    unit; `capacity` and `min_order` are units, NaN where not given."""

    need: IntArray
    vendor: IntArray
    price: FloatArray
    capacity: FloatArray
    min_order: FloatArray
    hours_per_unit: FloatArray
    """Labour hours per unit (1 in version 1)."""
    quality: FloatArray
    """The offer's own quality 0–1; NaN where the vendor's applies (always in version 1)."""
    labels: tuple[str | None, ...] = ()
    """Version 2: each offer's `id` from the document (None where it has none)."""

    def __len__(self) -> int:
        return int(self.need.size)


@dataclass(frozen=True)
class Targets:
    """Targets; None means "not applied". Units: budget $, min_avg_impact and
    impact_vendor_min_score points 0–100, the rest fractions 0–1."""

    budget: float | None = None
    min_avg_impact: float | None = None
    min_avg_quality: float | None = None
    min_impact_spend_share: float | None = None
    impact_vendor_min_score: float | None = None
    max_vendor_spend_share: float | None = None
    min_impact_worker_hours: float | None = None
    """Version 2: Σ hours × impact-worker share ≥ this many hours."""


@dataclass(frozen=True)
class Capacities:
    """Version 2: a vendor's labour hours per calendar month (rows of `capacities`), sorted by
    (vendor position, month number). A vendor-month without a row is unlimited."""

    vendor: IntArray
    month: IntArray
    hours: FloatArray

    def __len__(self) -> int:
        return int(self.vendor.size)


NO_CAPACITIES = Capacities(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))


@dataclass(frozen=True)
class Settings:
    """Version 2: figures frozen into the document that turn hours into reported measures."""

    hours_per_fte_year: float = DEFAULT_HOURS_PER_FTE_YEAR


@dataclass(frozen=True)
class Options:
    """Solver settings: `time_limit` in seconds for the whole call."""

    solver: str = "highs"
    time_limit: float = DEFAULT_TIME_LIMIT
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP
    tie_break: bool = True


@dataclass(frozen=True)
class Problem:
    needs: tuple[Need, ...]
    vendors: tuple[Vendor, ...]
    offers: Offers
    targets: Targets
    objective: str
    options: Options
    version: int = 1
    capacities: Capacities = NO_CAPACITIES
    settings: Settings = Settings()
    award: AwardRules = NO_AWARD_RULES
    """Version 2: targets.vendor_groups, incumbents and adjustments (optimizer.award)."""
    priorities: tuple[Priority, ...] = ()
    """Version 2: targets.priorities (optimizer.priorities); empty: every target is hard."""

    @property
    def total_volume(self) -> float:
        """Σ need volume, in units."""
        return math.fsum(need.volume for need in self.needs)


# ---------------------------------------------------------------------------------------------
# field rules


NEED_RULES = (
    Rule("id", "id", required=True, nullable=False),
    Rule("volume", "number", required=True, nullable=False, low=0.0, low_open=True, high=MAX_UNITS),
    Rule("min_quality", "number", default=0.0, low=0.0, high=1.0),
    Rule("max_vendor_share", "number", default=1.0, low=0.0, high=1.0),
    Rule("max_vendors", "integer", low=1),
)
NEED_RULES_V2 = (
    *NEED_RULES,
    Rule("unit", "id"),
    Rule("min_avg_impact", "number", low=0.0, high=MAX_SCORE),
    Rule("min_avg_quality", "number", low=0.0, high=1.0),
    Rule("min_impact_spend_share", "number", low=0.0, high=1.0),
    Rule("min_award", "number", low=0.0, high=MAX_UNITS),
)
PERIOD_RULES = (
    Rule("start", "month", required=True, nullable=False, low=FIRST_YEAR, high=LAST_YEAR),
    Rule("months", "integer", required=True, nullable=False, low=1, high=MAX_NEED_MONTHS),
)
VENDOR_RULES = (
    Rule("id", "id", required=True, nullable=False),
    Rule("capacity", "number", low=0.0, high=MAX_UNITS),
    Rule("quality", "number", required=True, nullable=False, low=0.0, high=1.0),
    Rule("impact_score", "number", required=True, nullable=False, low=0.0, high=MAX_SCORE),
    Rule("impact_worker_share", "number", low=0.0, high=1.0),
)
OFFER_RULES = (
    Rule("vendor", "ref", required=True, nullable=False),
    Rule("need", "ref", required=True, nullable=False),
    Rule("price", "number", required=True, nullable=False, low=0.0, high=MAX_PRICE),
    Rule("capacity", "number", low=0.0, high=MAX_UNITS),
    Rule("min_order", "number", low=0.0, high=MAX_UNITS),
)
OFFER_RULES_V2 = (
    *OFFER_RULES,
    Rule("hours_per_unit", "number", default=1.0, low=0.0, low_open=True, high=MAX_HOURS_PER_UNIT),
    Rule("quality", "number", low=0.0, high=1.0),
    Rule("id", "id"),
    Rule("unit", "id"),
)
CAPACITY_RULES = (
    Rule("vendor", "ref", required=True, nullable=False),
    Rule("month", "month", required=True, nullable=False, low=FIRST_YEAR, high=LAST_YEAR),
    Rule("hours", "number", required=True, nullable=False, low=0.0, high=MAX_UNITS),
)
TARGET_RULES = (
    Rule("budget", "number", low=0.0, high=MAX_UNITS * MAX_PRICE),
    Rule("min_avg_impact", "number", low=0.0, high=MAX_SCORE),
    Rule("min_avg_quality", "number", low=0.0, high=1.0),
    Rule("min_impact_spend_share", "number", low=0.0, high=1.0),
    Rule("impact_vendor_min_score", "number", low=0.0, high=MAX_SCORE),
    Rule("max_vendor_spend_share", "number", low=0.0, high=1.0),
)
TARGET_RULES_V2 = (
    *TARGET_RULES,
    Rule("min_impact_worker_hours", "number", low=0.0, high=MAX_UNITS),
)
SETTING_RULES = (
    Rule(
        "hours_per_fte_year",
        "number",
        default=DEFAULT_HOURS_PER_FTE_YEAR,
        low=0.0,
        low_open=True,
        high=HOURS_PER_YEAR,
    ),
)
OPTION_RULES = (
    Rule("solver", "choice", default="highs", choices=SOLVERS),
    Rule(
        "time_limit",
        "number",
        default=DEFAULT_TIME_LIMIT,
        low=0.0,
        low_open=True,
        high=MAX_TIME_LIMIT,
    ),
    Rule("mip_rel_gap", "number", default=DEFAULT_MIP_REL_GAP, low=0.0, high=1.0),
    Rule("tie_break", "flag", default=True),
)
TOP_LEVEL_FIELDS = ("needs", "vendors", "offers", "targets", "objective", "options", "meta")
V2_FIELDS = ("capacities", "settings")
"""Top-level fields only a version 2 document has."""


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _offers_fast(
    raw: list[Any], need_pos: dict[str, int], vendor_pos: dict[str, int], version: int = 1
) -> OfferColumns | None:
    """Bulk checks for a clean offer list; None whenever anything might be wrong.
    Duplicate (need, vendor) pairs are caught by the caller after sorting."""
    if set(map(type, raw)) != {dict}:
        return None
    vendors, needs = _field(raw, "vendor"), _field(raw, "need")
    # ids are strings (vendor_pos and need_pos keys): anything else looks up None, and an
    # unhashable value raises TypeError, so the lookups below check the types too
    try:  # an unknown id looks up None, which no int64 holds
        vendor_index = np.fromiter(map(vendor_pos.get, vendors), np.int64, len(raw))
        need_index = np.fromiter(map(need_pos.get, needs), np.int64, len(raw))
    except TypeError:
        return None
    keys = set().union(*raw)  # every key of any offer, gathered at C speed
    if version == 2 and ("id" in keys or "unit" in keys):
        return None  # labels and units are checked one by one
    columns = []
    numbers: tuple[tuple[str, bool, float], ...] = (
        ("price", True, MAX_PRICE),
        ("capacity", False, MAX_UNITS),
        ("min_order", False, MAX_UNITS),
    )
    if version == 2:
        numbers += (("hours_per_unit", False, MAX_HOURS_PER_UNIT), ("quality", False, 1.0))
    for name, required, high in numbers:
        if not required and name not in keys:  # no offer gives it: every value is missing
            columns.append(np.full(len(raw), math.nan))
            continue
        values = _field(raw, name)
        types = set(map(type, values))
        allowed = {int, float} if required else {int, float, type(None)}
        if not types <= allowed:
            return None
        try:
            column = np.array(values, dtype=float)
        except (OverflowError, TypeError, ValueError):
            return None
        given = ~np.isnan(column)
        missing = values.count(None) if type(None) in types else 0
        if int(given.sum()) != len(values) - missing:
            return None  # a NaN was given explicitly
        if (
            not np.isfinite(column[given]).all()
            or (column[given] < 0).any()
            or (column[given] > high).any()
        ):
            return None  # the checks one by one name the offending values
        columns.append(column)
    price, capacity, min_order = columns[:3]
    if version == 2:
        hours, quality = columns[3:]
        if (hours == 0).any():
            return None
        hours = np.nan_to_num(hours, nan=1.0)
    else:
        hours, quality = np.ones(len(raw)), np.full(len(raw), math.nan)
    return (
        need_index,
        vendor_index,
        price,
        capacity,
        min_order,
        hours,
        quality,
    )


def _field(records: list[dict[str, Any]], name: str) -> list[Any]:
    """records' values of `name` (None where missing), in one pass at C speed."""
    return list(map(dict.get, records, repeat(name)))


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else value


def _offers_slow(
    raw: list[Any],
    need_pos: dict[str, int],
    vendor_pos: dict[str, int],
    known_needs: set[str] | None,
    known_vendors: set[str] | None,
    errors: ErrorList,
    version: int = 1,
    need_units: Mapping[str, str | None] | None = None,
    labels: list[str | None] | None = None,
) -> OfferColumns | None:
    """Every offer checked one by one (the authority for messages): the columns; each
    offer's label (version 2 `id`) is appended to `labels` when given."""
    rows: list[tuple[int, int, float, float, float, float, float]] = []
    labels = [] if labels is None else labels
    first_at: dict[tuple[str, str], int] = {}
    rules = OFFER_RULES_V2 if version == 2 else OFFER_RULES
    for index, record in enumerate(raw):
        path = f"offers[{index}]"
        values = read_fields(record, path, rules, errors, strict=False)
        if values is None:
            continue
        ok = True
        for field, known in (("vendor", known_vendors), ("need", known_needs)):
            if known is not None and values[field] not in known:
                errors.add(f"{path}.{field}", f"unknown {field} {values[field]!r}")
                ok = False
        key = (values["vendor"], values["need"])
        if ok and key in first_at and version == 1:
            errors.add(
                path,
                f"duplicate offer for vendor {key[0]!r} and need {key[1]!r} "
                f"(first at offers[{first_at[key]}])",
            )
            ok = False
        need_unit = (need_units or {}).get(key[1])
        if ok and version == 2 and values["unit"] and need_unit and values["unit"] != need_unit:
            errors.add(
                f"{path}.unit",
                f"priced per {values['unit']}; need {key[1]!r} is in {need_unit}s "
                "(an offer serves a need only in the need's unit)",
            )
            ok = False
        if not ok:
            continue
        first_at.setdefault(key, index)
        if key[0] in vendor_pos and key[1] in need_pos:
            rows.append(
                (
                    need_pos[key[1]],
                    vendor_pos[key[0]],
                    values["price"],
                    _nan_if_none(values["capacity"]),
                    _nan_if_none(values["min_order"]),
                    values.get("hours_per_unit") or 1.0,
                    _nan_if_none(values.get("quality")),
                )
            )
            labels.append(values.get("id"))
    if errors:
        return None
    if not rows:
        empty = np.zeros(0)
        columns: OfferColumns = (
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            *(empty.copy() for _ in range(5)),
        )  # type: ignore[assignment]
        return columns
    need, vendor, price, capacity, min_order, hours, quality = zip(*rows, strict=True)
    return (
        np.array(need, np.int64),
        np.array(vendor, np.int64),
        np.array(price, float),
        np.array(capacity, float),
        np.array(min_order, float),
        np.array(hours, float),
        np.array(quality, float),
    )


def _pair_order(
    need: IntArray, vendor: IntArray, vendor_count: int, unique: bool = True
) -> IntArray | None:
    """Offer order by (need, vendor) position, stable; None when a pair occurs twice and
    `unique` (version 1 has at most one offer per vendor and need)."""
    pair = need * (vendor_count + 1) + vendor
    order = np.argsort(pair, kind="stable")
    ordered = pair[order]
    if unique and ordered.size > 1 and (ordered[1:] == ordered[:-1]).any():
        return None
    return order


def validate_targets(targets: Any, version: int = 2) -> list[dict[str, str]]:
    """Check a `targets` object alone, by the same rules as inside a problem document of
    `version` (2 by default: what the service builds).

    For callers that keep targets before they build a whole problem (a stored scenario): each
    error is `{"field": "targets.budget", "message": ...}`.
    """
    errors = ErrorList()
    rules = TARGET_RULES_V2 if version == 2 else TARGET_RULES
    scalars, award = split_targets({} if targets is None else targets)
    read_fields(scalars, "targets", rules, errors, strict=True)
    award_rules = _award_rules(award, version, errors)
    _, priority_errors = _priorities(award, version, scalars, award_rules)
    return errors.as_list() + priority_errors.as_list()


def _award_rules(
    award: Mapping[str, Any],
    version: int,
    errors: ErrorList,
    vendor_pos: Mapping[str, int] | None = None,
    need_volume: Mapping[str, tuple[int, float]] | None = None,
) -> AwardRules:
    """The award rules of `targets` (only version 2 documents have them)."""
    if version != 2:
        for name in award:
            errors.add(f"targets.{name}", 'only in version 2 documents (set "version": 2)')
        return NO_AWARD_RULES
    return read_award_rules(award, errors, vendor_pos, need_volume)


def _priorities(
    award_targets: Mapping[str, Any],
    version: int,
    targets: Mapping[str, Any] | None,
    award: AwardRules,
    needs: list[dict[str, Any]] | None = None,
) -> tuple[tuple[Priority, ...], ErrorList]:
    """targets.priorities (version 2; a version 1 document is refused by `_award_rules`)."""
    if version != 2:
        return (), ErrorList()
    listed = award_targets.get("incumbents")
    return read_priorities(
        award_targets.get(PRIORITIES_FIELD),
        targets if isinstance(targets, dict) else None,
        award,
        needs,
        len(listed) if isinstance(listed, list) else 0,
    )


def _version(document: Mapping[str, Any], errors: ErrorList) -> int:
    version = document.get("version", 1)
    if type(version) is not int or version not in VERSIONS:
        errors.add("version", f"must be 1 or 2, got {shown(version)}")
        return 2 if any(name in document for name in V2_FIELDS) else 1
    if version == 1:
        for name in V2_FIELDS:
            if name in document:
                errors.add(name, 'only in version 2 documents (set "version": 2)')
    return version


def _need_periods(raw_needs: list[Any] | None, errors: ErrorList) -> dict[str, tuple[int, int]]:
    """Version 2: each need's period as (first month number, months), by need id."""
    periods: dict[str, tuple[int, int]] = {}
    for index, record in enumerate(raw_needs or []):
        if not isinstance(record, dict):
            continue  # named by the need checks
        path = f"needs[{index}].period"
        if record.get("period") is None:
            errors.add(path, "required in version 2: {start: YYYY-MM, months: 1-36}")
            continue
        values = read_fields(record["period"], path, PERIOD_RULES, errors, strict=True)
        if values is not None and isinstance(record.get("id"), str):
            periods[record["id"]] = (values["start"], values["months"])
    return periods


def _v2_vendor_checks(raw_vendors: list[Any] | None, errors: ErrorList) -> None:
    for index, record in enumerate(raw_vendors or []):
        if isinstance(record, dict) and record.get("capacity") is not None:
            errors.add(
                f"vendors[{index}].capacity",
                "version 2 gives a vendor's capacity as labour hours per month in `capacities`",
            )


def _capacities(
    document: Mapping[str, Any], vendor_pos: dict[str, int], errors: ErrorList
) -> Capacities:
    raw = document.get("capacities")
    if raw is None:
        return NO_CAPACITIES
    if not isinstance(raw, list):
        errors.add("capacities", f"must be a list, got {type_name(raw)}")
        return NO_CAPACITIES
    fast = _capacities_fast(raw, vendor_pos)
    if fast is not None:
        return fast
    first_at: dict[tuple[str, int], int] = {}
    rows: list[tuple[int, int, float]] = []
    months: dict[str, int | None] = {}
    for index, record in enumerate(raw):
        path = f"capacities[{index}]"
        key_hours = _plain_capacity(record, vendor_pos, months)
        if key_hours is None:
            values = read_fields(record, path, CAPACITY_RULES, errors, strict=True)
            if values is None:
                continue
            if values["vendor"] not in vendor_pos:
                errors.add(f"{path}.vendor", f"unknown vendor {values['vendor']!r}")
                continue
            key_hours = (values["vendor"], values["month"], values["hours"])
        key = key_hours[:2]
        if key in first_at:
            errors.add(
                f"{path}.month",
                f"vendor {key[0]!r} already has hours for {month_text(key[1])} "
                f"(capacities[{first_at[key]}])",
            )
            continue
        first_at[key] = index
        rows.append((vendor_pos[key[0]], key[1], key_hours[2]))
    rows.sort()
    return Capacities(
        _frozen(np.array([r[0] for r in rows], np.int64)),
        _frozen(np.array([r[1] for r in rows], np.int64)),
        _frozen(np.array([r[2] for r in rows], np.float64)),
    )


def _capacities_fast(raw: list[Any], vendor_pos: dict[str, int]) -> Capacities | None:
    """The capacities of a list whose rows are all plainly valid (`_plain_capacity`) with no
    (vendor, month) twice, checked in bulk; None whenever anything might be wrong (the rows
    are then read one by one, which names what is)."""
    if not raw or set(map(type, raw)) != {dict} or set(map(len, raw)) != {3}:
        return None
    vendors, months, hours = (_field(raw, name) for name in ("vendor", "month", "hours"))
    if set(map(type, vendors)) != {str} or set(map(type, months)) != {str}:
        return None
    if not set(map(type, hours)) <= {int, float}:
        return None
    number = {month: check_month(month, CAPACITY_RULES[1])[0] for month in set(months)}
    try:  # an unknown vendor or a bad month looks up None, which no int64 holds
        vendor = np.fromiter(map(vendor_pos.get, vendors), np.int64, len(raw))
        month = np.fromiter(map(number.__getitem__, months), np.int64, len(raw))
        value = np.array(hours, dtype=np.float64)
    except (OverflowError, TypeError):
        return None
    if not ((value >= 0.0) & (value <= MAX_UNITS)).all():
        return None
    order = np.lexsort((month, vendor))
    vendor, month, value = vendor[order], month[order], value[order]
    if ((vendor[1:] == vendor[:-1]) & (month[1:] == month[:-1])).any():
        return None  # a vendor's month given twice
    return Capacities(_frozen(vendor), _frozen(month), _frozen(value))


def _plain_capacity(
    record: Any, vendor_pos: dict[str, int], months: dict[str, int | None]
) -> tuple[str, int, float] | None:
    """(vendor, month number, hours) of a `capacities` row that is plainly valid (exactly its
    three fields, a known vendor, a good month, hours a number within CAPACITY_RULES), else
    None: the row is then read field by field, which names what is wrong. `months` keeps
    each month string's number (a document repeats a dozen of them thousands of times)."""
    if type(record) is not dict or len(record) != 3:
        return None
    vendor, month, hours = record.get("vendor"), record.get("month"), record.get("hours")
    if type(vendor) is not str or vendor not in vendor_pos or type(month) is not str:
        return None
    if month not in months:
        months[month] = check_month(month, CAPACITY_RULES[1])[0]
    number = months[month]
    if number is None or (type(hours) is not float and type(hours) is not int):
        return None
    if not 0.0 <= hours <= MAX_UNITS:
        return None
    return vendor, number, float(hours)


V2_NEED_RULES = ("min_award",)
"""Need fields refused in a version 1 document: rules that must not silently vanish (a
need's other version 2 fields are read as extra fields there, which are ignored)."""


def _v1_need_checks(raw_needs: list[Any] | None, errors: ErrorList) -> None:
    for index, record in enumerate(raw_needs or []):
        for name in V2_NEED_RULES:
            if isinstance(record, dict) and record.get(name) is not None:
                errors.add(
                    f"needs[{index}].{name}", 'only in version 2 documents (set "version": 2)'
                )


def _v2_need_checks(
    needs: list[dict[str, Any]], targets: Mapping[str, Any] | None, errors: ErrorList
) -> None:
    if targets is None or targets.get("impact_vendor_min_score") is not None:
        return
    for record in needs:
        if record.get("min_impact_spend_share") is not None:
            errors.add(
                f"needs[{record['id']!r}].min_impact_spend_share",
                "needs targets.impact_vendor_min_score (it defines impact vendors)",
            )


def parse_problem(document: Any) -> tuple[Problem | None, list[dict[str, str]]]:
    """Validate a problem document and return `(Problem, [])` or `(None, errors)`.

    Each error is `{"field": "offers[3].need", "message": "unknown need 'N9'"}`; display it as
    `f"{field}: {message}"`. At most MAX_ERRORS messages are listed, then one summary.
    A document without `version` is version 1."""
    errors = ErrorList()
    if not isinstance(document, dict):
        errors.add("$", f"the problem document must be a JSON object, got {type_name(document)}")
        return None, errors.as_list()
    version = _version(document, errors)
    for key in document:
        if key not in TOP_LEVEL_FIELDS and key not in V2_FIELDS and key != "version":
            errors.add(str(key), "unknown field")

    objectives = OBJECTIVES_V2 if version == 2 else OBJECTIVES
    objective = document.get("objective")
    if objective is None:
        objective = "min_cost"
    elif not isinstance(objective, str) or objective not in objectives:
        errors.add(
            "objective",
            f"unknown objective {shown(objective)} (expected one of: {', '.join(objectives)})",
        )
    target_rules = TARGET_RULES_V2 if version == 2 else TARGET_RULES
    scalar_targets, award_targets = split_targets(document.get("targets"))
    targets = read_section({"targets": scalar_targets}, "targets", target_rules, errors)
    options = read_section(document, "options", OPTION_RULES, errors)
    settings = read_section(document, "settings", SETTING_RULES, errors)
    if (
        targets
        and targets["min_impact_spend_share"] is not None
        and targets["impact_vendor_min_score"] is None
    ):
        errors.add(
            "targets.impact_vendor_min_score",
            "required when min_impact_spend_share is set (it defines impact vendors)",
        )

    raw_needs = read_list(document, "needs", errors)
    raw_vendors = read_list(document, "vendors", errors)
    raw_offers = read_list(document, "offers", errors)
    need_rules = NEED_RULES_V2 if version == 2 else NEED_RULES
    needs, need_ids = read_entities(raw_needs, "needs", need_rules, errors)
    vendors, vendor_ids = read_entities(raw_vendors, "vendors", VENDOR_RULES, errors)
    if raw_needs is not None and not raw_needs:
        errors.add("needs", "at least one need is required")
        need_ids = None
    periods: dict[str, tuple[int, int]] = {}
    if version == 2:
        periods = _need_periods(raw_needs, errors)
        _v2_vendor_checks(raw_vendors, errors)
        _v2_need_checks(needs, targets, errors)
    else:
        _v1_need_checks(raw_needs, errors)

    needs.sort(key=lambda record: record["id"])
    vendors.sort(key=lambda record: record["id"])
    need_pos = {record["id"]: index for index, record in enumerate(needs)}
    vendor_pos = {record["id"]: index for index, record in enumerate(vendors)}
    capacities = _capacities(document, vendor_pos, errors) if version == 2 else NO_CAPACITIES
    need_volume = {record["id"]: (j, record["volume"]) for j, record in enumerate(needs)}
    complete = need_ids is not None and vendor_ids is not None
    award = _award_rules(
        award_targets,
        version,
        errors,
        vendor_pos if complete else None,
        need_volume if complete else None,
    )
    priorities = _priorities(award_targets, version, targets, award, needs if complete else None)
    for entry in priorities[1].as_list():
        errors.add(entry["field"], entry["message"])
    columns: OfferColumns | None = None
    labels: list[str | None] = []
    order: IntArray | None = None
    if raw_offers is not None and not errors:
        columns = _offers_fast(raw_offers, need_pos, vendor_pos, version)
        if columns is not None:
            labels = [None] * len(raw_offers)
            order = _pair_order(columns[0], columns[1], len(vendors), unique=version == 1)
    if raw_offers is not None and order is None:
        units = {record["id"]: record.get("unit") for record in needs}
        labels = []
        columns = _offers_slow(
            raw_offers, need_pos, vendor_pos, need_ids, vendor_ids, errors, version, units, labels
        )
        if columns is not None:
            order = _pair_order(columns[0], columns[1], len(vendors), unique=version == 1)
    # targets, options and settings are None only after an error
    if (
        errors
        or columns is None
        or order is None
        or targets is None
        or options is None
        or settings is None
    ):
        return None, errors.as_list()

    need, vendor, price, capacity, min_order, hours, quality = (
        _frozen(np.ascontiguousarray(column[order])) for column in columns
    )
    offers = Offers(
        need,
        vendor,
        price,
        capacity,
        min_order,
        hours,
        quality,
        labels=(
            ()
            if version != 2
            else (None,) * len(labels)
            if labels.count(None) == len(labels)  # no offer has an id (the fast path)
            else tuple(map(labels.__getitem__, order.tolist()))
        ),
    )
    problem = Problem(
        needs=tuple(_need(record, periods.get(record["id"])) for record in needs),
        vendors=tuple(Vendor(**record) for record in vendors),
        offers=offers,
        targets=Targets(**targets),
        objective=objective,
        options=Options(**options),
        version=version,
        capacities=capacities,
        settings=Settings(**settings) if version == 2 else Settings(),
        award=award,
        priorities=priorities[0],
    )
    return problem, []


def _need(record: dict[str, Any], period: tuple[int, int] | None) -> Need:
    first_month, months = period if period is not None else (None, None)
    return Need(**record, first_month=first_month, months=months)


def validate(document: Any) -> list[dict[str, str]]:
    """List the problems of a problem document as `{"field": json_path, "message": text}`;
    an empty list means the document is valid. Never raises."""
    try:
        return parse_problem(document)[1]
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise on bad input"
        logger.exception("optimizer.validate failed with an internal error")
        return [{"field": "$", "message": f"could not read the document ({type(exc).__name__})"}]
