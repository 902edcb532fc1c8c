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
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]
"""Positions (np.int64 or np.intp) or counts."""
BoolArray = npt.NDArray[np.bool_]

Document = dict[str, Any]
"""A JSON object as parsed from (or to be written as) JSON: a problem or a result document."""

OfferColumns = tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]
"""Offer columns before sorting: need position, vendor position, price, capacity, min_order."""

logger = logging.getLogger(__name__)

OBJECTIVES = ("max_impact", "min_cost")
SOLVERS = ("cbc", "highs")
MAX_ERRORS = 200
"""Messages beyond this many are summarised in one final message."""

MAX_UNITS = 1e12
MAX_PRICE = 1e9
"""Upper limits on volumes and capacities (units) and prices ($ per unit): far beyond any
real need, and they keep every bound of the model inside what the solvers accept."""

MAX_SCORE = 100.0
"""Impact scores, and the targets on them, are points from 0 to MAX_SCORE."""

DEFAULT_TIME_LIMIT = 60.0
"""Seconds for the whole call (options.time_limit)."""
MAX_TIME_LIMIT = 1e6
"""The largest options.time_limit accepted, in seconds (11.6 days)."""
DEFAULT_MIP_REL_GAP = 1e-6
"""Relative MIP gap at which a plan with binaries counts as optimal (options.mip_rel_gap)."""
SHOWN_CHARS = 40
"""A bad value quoted in a message is cut to this many characters."""


@dataclass(frozen=True)
class Need:
    """One need: `volume` units of work (hours, items, tasks) to place in full."""

    id: str
    volume: float
    min_quality: float
    max_vendor_share: float
    max_vendors: int | None


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

    @property
    def total_volume(self) -> float:
        """Σ need volume, in units."""
        return math.fsum(need.volume for need in self.needs)


# ---------------------------------------------------------------------------------------------
# field rules


@dataclass(frozen=True)
class Rule:
    """How one field is checked. kind: id, ref, number, integer, choice, flag."""

    name: str
    kind: str
    required: bool = False
    nullable: bool = True
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] = ()


NEED_RULES = (
    Rule("id", "id", required=True, nullable=False),
    Rule("volume", "number", required=True, nullable=False, low=0.0, low_open=True, high=MAX_UNITS),
    Rule("min_quality", "number", default=0.0, low=0.0, high=1.0),
    Rule("max_vendor_share", "number", default=1.0, low=0.0, high=1.0),
    Rule("max_vendors", "integer", low=1),
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
TARGET_RULES = (
    Rule("budget", "number", low=0.0, high=MAX_UNITS * MAX_PRICE),
    Rule("min_avg_impact", "number", low=0.0, high=MAX_SCORE),
    Rule("min_avg_quality", "number", low=0.0, high=1.0),
    Rule("min_impact_spend_share", "number", low=0.0, high=1.0),
    Rule("impact_vendor_min_score", "number", low=0.0, high=MAX_SCORE),
    Rule("max_vendor_spend_share", "number", low=0.0, high=1.0),
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


class ErrorList:
    """Collects `{"field", "message"}` entries, keeping at most MAX_ERRORS of them."""

    def __init__(self) -> None:
        self.entries: list[dict[str, str]] = []
        self.dropped = 0

    def add(self, field: str, message: str) -> None:
        if len(self.entries) < MAX_ERRORS:
            self.entries.append({"field": field, "message": message})
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.entries)

    def as_list(self) -> list[dict[str, str]]:
        if not self.dropped:
            return list(self.entries)
        summary = {"field": "$", "message": f"{self.dropped} more problems not listed"}
        return [*self.entries, summary]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _check_number(value: Any, rule: Rule) -> tuple[float | None, str | None]:
    """Return (number, None) or (None, message without the path)."""
    if type(value) not in (int, float):
        return None, f"must be a number, got {_type_name(value)}"
    try:
        number = float(value)
    except OverflowError:
        return None, "must be a finite number, got a number too large to represent"
    if not math.isfinite(number):
        return None, f"must be a finite number, got {_shown(value)}"
    if rule.kind == "integer" and number != int(number):
        return None, f"must be a whole number, got {_shown(value)}"
    low, high = rule.low, rule.high
    scale = low is not None and high is not None and high <= MAX_SCORE  # a share or a score
    if low is not None and (number < low or (rule.low_open and number == low)):
        if scale:
            return None, f"must be between {low:g} and {high:g}, got {_shown(value)}"
        word = "greater than" if rule.low_open else "at least"
        return None, f"must be {word} {low:g}, got {_shown(value)}"
    if high is not None and number > high:
        if scale:
            return None, f"must be between {low:g} and {high:g}, got {_shown(value)}"
        return None, f"must be at most {high:g}, got {_shown(value)}"
    return number, None


def _check_value(value: Any, rule: Rule) -> tuple[Any, str | None]:
    if value is None:
        if rule.nullable:
            return rule.default, None
        return None, f"must not be null ({_expected(rule)})"
    if rule.kind in ("id", "ref"):
        if not isinstance(value, str):
            return None, f"must be a string, got {_type_name(value)}"
        if not value.strip():
            return None, "must not be empty"
        return value, None
    if rule.kind in ("number", "integer"):
        number, message = _check_number(value, rule)
        if number is not None and rule.kind == "integer":
            return int(number), None
        return number, message
    if rule.kind == "choice":
        if not isinstance(value, str) or value not in rule.choices:
            expected = ", ".join(rule.choices)
            return None, f"unknown {rule.name} {_shown(value)} (expected one of: {expected})"
        return value, None
    if type(value) is not bool:
        return None, f"must be true or false, got {_type_name(value)}"
    return value, None


def _expected(rule: Rule) -> str:
    return {
        "id": "a string id",
        "ref": "a string id",
        "number": "a number",
        "integer": "a whole number",
        "choice": "a name",
        "flag": "true or false",
    }[rule.kind]


def _read_fields(
    record: Any, path: str, rules: tuple[Rule, ...], errors: ErrorList, strict: bool
) -> dict[str, Any] | None:
    """Check one JSON object field by field; return the values or None when any is bad."""
    if not isinstance(record, dict):
        errors.add(path, f"must be an object, got {_type_name(record)}")
        return None
    values: dict[str, Any] = {}
    ok = True
    for rule in rules:
        field = f"{path}.{rule.name}" if path != "$" else rule.name
        if rule.name not in record:
            if rule.required:
                errors.add(field, "required field is missing")
                ok = False
            else:
                values[rule.name] = rule.default
            continue
        value, message = _check_value(record[rule.name], rule)
        if message is not None:
            errors.add(field, message)
            ok = False
        values[rule.name] = value
    if strict:
        known = {rule.name for rule in rules}
        for key in record:
            if key not in known:
                field = f"{path}.{key}" if path != "$" else str(key)
                errors.add(field, "unknown field")
                ok = False
    return values if ok else None


def _read_list(document: Mapping[str, Any], name: str, errors: ErrorList) -> list[Any] | None:
    if name not in document:
        errors.add(name, "required field is missing")
        return None
    value = document[name]
    if not isinstance(value, list):
        errors.add(name, f"must be a list, got {_type_name(value)}")
        return None
    return value


def _read_entities(
    raw: list[Any] | None, name: str, rules: tuple[Rule, ...], errors: ErrorList
) -> tuple[list[dict[str, Any]], set[str] | None]:
    """Read needs or vendors. Returns the valid records and every well-formed id, so that
    offers pointing at a record with some other mistake are not also called "unknown"; the
    ids are None when some record has no usable id (then no offer is called "unknown")."""
    records: list[dict[str, Any]] = []
    first_at: dict[str, int] = {}
    complete = raw is not None
    for index, record in enumerate(raw or []):
        path = f"{name}[{index}]"
        raw_id = record.get("id") if isinstance(record, dict) else None
        good_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        complete = complete and good_id is not None
        if good_id is not None and good_id in first_at:
            first = f"{name}[{first_at[good_id]}]"
            errors.add(f"{path}.id", f"duplicate id {good_id!r} (first at {first})")
            continue
        if good_id is not None:
            first_at[good_id] = index
        values = _read_fields(record, path, rules, errors, strict=False)
        if values is not None:
            records.append(values)
    return records, set(first_at) if complete else None


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _offers_fast(
    raw: list[Any], need_pos: dict[str, int], vendor_pos: dict[str, int]
) -> OfferColumns | None:
    """Bulk checks for a clean offer list; None whenever anything might be wrong.
    Duplicate (need, vendor) pairs are caught by the caller after sorting."""
    if set(map(type, raw)) != {dict}:
        return None
    vendors = [offer.get("vendor") for offer in raw]
    needs = [offer.get("need") for offer in raw]
    if set(map(type, vendors)) != {str} or set(map(type, needs)) != {str}:
        return None
    vendor_index = list(map(vendor_pos.get, vendors))
    need_index = list(map(need_pos.get, needs))
    if None in vendor_index or None in need_index:
        return None
    columns = []
    for name, required, high in (
        ("price", True, MAX_PRICE),
        ("capacity", False, MAX_UNITS),
        ("min_order", False, MAX_UNITS),
    ):
        values = [offer.get(name) for offer in raw]
        allowed = {int, float} if required else {int, float, type(None)}
        if not set(map(type, values)) <= allowed:
            return None
        try:
            column = np.array(values, dtype=float)
        except (OverflowError, TypeError, ValueError):
            return None
        given = ~np.isnan(column)
        if int(given.sum()) != len(values) - values.count(None):
            return None  # a NaN was given explicitly
        if (
            not np.isfinite(column[given]).all()
            or (column[given] < 0).any()
            or (column[given] > high).any()
        ):
            return None  # the checks one by one name the offending values
        columns.append(column)
    price, capacity, min_order = columns
    return (
        np.array(need_index, dtype=np.int64),
        np.array(vendor_index, dtype=np.int64),
        price,
        capacity,
        min_order,
    )


def _offers_slow(
    raw: list[Any],
    need_pos: dict[str, int],
    vendor_pos: dict[str, int],
    known_needs: set[str] | None,
    known_vendors: set[str] | None,
    errors: ErrorList,
) -> OfferColumns | None:
    rows: list[tuple[int, int, float, float, float]] = []
    first_at: dict[tuple[str, str], int] = {}
    for index, record in enumerate(raw):
        path = f"offers[{index}]"
        values = _read_fields(record, path, OFFER_RULES, errors, strict=False)
        if values is None:
            continue
        ok = True
        for field, known in (("vendor", known_vendors), ("need", known_needs)):
            if known is not None and values[field] not in known:
                errors.add(f"{path}.{field}", f"unknown {field} {values[field]!r}")
                ok = False
        key = (values["vendor"], values["need"])
        if ok and key in first_at:
            errors.add(
                path,
                f"duplicate offer for vendor {key[0]!r} and need {key[1]!r} "
                f"(first at offers[{first_at[key]}])",
            )
            ok = False
        if not ok:
            continue
        first_at[key] = index
        if key[0] in vendor_pos and key[1] in need_pos:
            rows.append(
                (
                    need_pos[key[1]],
                    vendor_pos[key[0]],
                    values["price"],
                    math.nan if values["capacity"] is None else values["capacity"],
                    math.nan if values["min_order"] is None else values["min_order"],
                )
            )
    if errors:
        return None
    if not rows:
        empty = np.zeros(0)
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), empty, empty.copy(), empty.copy())
    need, vendor, price, capacity, min_order = zip(*rows, strict=True)
    return (
        np.array(need, np.int64),
        np.array(vendor, np.int64),
        np.array(price, float),
        np.array(capacity, float),
        np.array(min_order, float),
    )


def _pair_order(need: IntArray, vendor: IntArray, vendor_count: int) -> IntArray | None:
    """Offer order by (need, vendor) position; None when a pair occurs twice."""
    pair = need * (vendor_count + 1) + vendor
    order = np.argsort(pair, kind="stable")
    ordered = pair[order]
    if ordered.size > 1 and (ordered[1:] == ordered[:-1]).any():
        return None
    return order


def _read_section(
    document: Mapping[str, Any], name: str, rules: tuple[Rule, ...], errors: ErrorList
) -> dict[str, Any] | None:
    value = document.get(name)
    if value is None:
        value = {}
    return _read_fields(value, name, rules, errors, strict=True)


def validate_targets(targets: Any) -> list[dict[str, str]]:
    """Check a `targets` object alone, by the same rules as inside a problem document.

    For callers that keep targets before they build a whole problem (a stored scenario): each
    error is `{"field": "targets.budget", "message": ...}`.
    """
    errors = ErrorList()
    _read_fields({} if targets is None else targets, "targets", TARGET_RULES, errors, strict=True)
    return errors.as_list()


def parse_problem(document: Any) -> tuple[Problem | None, list[dict[str, str]]]:
    """Validate a problem document and return `(Problem, [])` or `(None, errors)`.

    Each error is `{"field": "offers[3].need", "message": "unknown need 'N9'"}`; display it as
    `f"{field}: {message}"`. At most MAX_ERRORS messages are listed, then one summary."""
    errors = ErrorList()
    if not isinstance(document, dict):
        errors.add("$", f"the problem document must be a JSON object, got {_type_name(document)}")
        return None, errors.as_list()
    for key in document:
        if key not in TOP_LEVEL_FIELDS:
            errors.add(str(key), "unknown field")

    objective = document.get("objective")
    if objective is None:
        objective = "min_cost"
    elif not isinstance(objective, str) or objective not in OBJECTIVES:
        errors.add(
            "objective",
            f"unknown objective {_shown(objective)} (expected one of: {', '.join(OBJECTIVES)})",
        )
    targets = _read_section(document, "targets", TARGET_RULES, errors)
    options = _read_section(document, "options", OPTION_RULES, errors)
    if (
        targets
        and targets["min_impact_spend_share"] is not None
        and targets["impact_vendor_min_score"] is None
    ):
        errors.add(
            "targets.impact_vendor_min_score",
            "required when min_impact_spend_share is set (it defines impact vendors)",
        )

    raw_needs = _read_list(document, "needs", errors)
    raw_vendors = _read_list(document, "vendors", errors)
    raw_offers = _read_list(document, "offers", errors)
    needs, need_ids = _read_entities(raw_needs, "needs", NEED_RULES, errors)
    vendors, vendor_ids = _read_entities(raw_vendors, "vendors", VENDOR_RULES, errors)
    if raw_needs is not None and not raw_needs:
        errors.add("needs", "at least one need is required")
        need_ids = None

    needs.sort(key=lambda record: record["id"])
    vendors.sort(key=lambda record: record["id"])
    need_pos = {record["id"]: index for index, record in enumerate(needs)}
    vendor_pos = {record["id"]: index for index, record in enumerate(vendors)}
    columns: OfferColumns | None = None
    order: IntArray | None = None
    if raw_offers is not None and not errors:
        columns = _offers_fast(raw_offers, need_pos, vendor_pos)
        if columns is not None:
            order = _pair_order(columns[0], columns[1], len(vendors))
    if raw_offers is not None and order is None:
        columns = _offers_slow(raw_offers, need_pos, vendor_pos, need_ids, vendor_ids, errors)
        if columns is not None:
            order = _pair_order(columns[0], columns[1], len(vendors))
    # targets and options are None only after an error
    if errors or columns is None or order is None or targets is None or options is None:
        return None, errors.as_list()

    need, vendor, price, capacity, min_order = columns
    offers = Offers(
        *(
            _frozen(np.ascontiguousarray(column[order]))
            for column in (need, vendor, price, capacity, min_order)
        )
    )
    problem = Problem(
        needs=tuple(Need(**record) for record in needs),
        vendors=tuple(Vendor(**record) for record in vendors),
        offers=offers,
        targets=Targets(**targets),
        objective=objective,
        options=Options(**options),
    )
    return problem, []


def validate(document: Any) -> list[dict[str, str]]:
    """List the problems of a problem document as `{"field": json_path, "message": text}`;
    an empty list means the document is valid. Never raises."""
    try:
        return parse_problem(document)[1]
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise on bad input"
        logger.exception("optimizer.validate failed with an internal error")
        return [{"field": "$", "message": f"could not read the document ({type(exc).__name__})"}]
