"""The flat disclosure table (one row per vendor and period) for export, import and scoring.

Columns: the scoring input contract (`scoring.contract.REQUIRED_COLUMNS`, whose disclosure
columns are the scored fields of `scoring.fields`), the impact workers by beneficiary group
(`scoring.contract.GROUP_COLUMNS`, from the document's `workforce.categories`; optional on
import, where a group left out keeps its count), plus `period_start` and `period_end`, and
the row's source: `disclosure_id` and `disclosure_version` (its number among the vendor's
versions of that period), so that any figure can be traced to the version it came from. A
disclosure with several sites is flattened to the site whose entry wage is lowest against its
minimum wage (the conservative choice: `worst_site`), converted to per-hour figures, and
`wage_site` names it and `wage_currency` gives its currency code (`site_wages` shows every
site and which one scored);
training spend (a historical amount) is converted to US dollars at the rate in force on the
period's last day.

The offer columns come from the offer the vendor is scored on (procure.disclosures.pricing):
category, unit, price (US dollars per unit, converted at the rate in force on the day of the
export, not rounded), quality, lowest_price (the lowest US dollar price per unit among all
active offers of the category and unit), and, to check the conversion, the offer's own amount
and currency, the rate and the rate's date. Import ignores them: they come from the rate card.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import selectinload

from procure.api_fields import MAX_RECORD_ID
from procure.audit.services import record_events
from procure.disclosures import services
from procure.disclosures.evidence_levels import EffectiveLevel
from procure.disclosures.models import Disclosure, Evidence
from procure.disclosures.pricing import OfferPrice
from procure.disclosures.validation import hourly_wage, validate_disclosure
from procure.editing import insert_rows_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.reference import reference
from procure.states import DisclosureState
from procure.vendors.models import Vendor
from scoring.contract import (
    EVIDENCE_COLUMNS,
    GROUP_COLUMNS,
    ID_COLUMN,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    WAGE_CURRENCY_COLUMN,
    WAGE_SITE_COLUMN,
    WORKFORCE_COLUMNS,
)
from scoring.contract import WAGE_COLUMNS as WAGE_VALUE_COLUMNS
from scoring.fields import COLUMN_FIELDS, EVIDENCE_SECTIONS, GROUP_COLUMN_FIELDS, FieldType

# The offer's own price, to check the conversion; `procure score` reads past them.
PRICE_SOURCE_COLUMNS = ("offer_price", "offer_currency", "usd_rate", "usd_rate_date")
# Where the row comes from; `procure score` reads past them, an import ignores them (it stages a
# new draft whatever version the file was exported from).
SOURCE_COLUMNS = ("disclosure_id", "disclosure_version")
FLAT_COLUMNS = [
    ID_COLUMN,
    *SOURCE_COLUMNS,
    "period_start",
    "period_end",
    *[c for c in REQUIRED_COLUMNS if c != ID_COLUMN],
    *GROUP_COLUMNS,
    *OPTIONAL_COLUMNS,
    WAGE_SITE_COLUMN,
    WAGE_CURRENCY_COLUMN,
    *PRICE_SOURCE_COLUMNS,
]
# Rate-card columns an import file may leave out (files exported before they existed); the
# wage currency is the vendor's country's on import, whatever the file says. A group column left
# out keeps the group's count (the groups are figures of the disclosure, not the rate card's).
_OPTIONAL_ON_IMPORT = {
    *GROUP_COLUMNS,
    *OPTIONAL_COLUMNS,
    *PRICE_SOURCE_COLUMNS,
    *SOURCE_COLUMNS,
    WAGE_SITE_COLUMN,
    WAGE_CURRENCY_COLUMN,
}
_RATE_CARD_COLUMNS = {"category", "price", "quality", *_OPTIONAL_ON_IMPORT} - set(GROUP_COLUMNS)
INTEGER_COLUMNS = {
    c for c, field in (COLUMN_FIELDS | GROUP_COLUMN_FIELDS).items() if field.type == FieldType.COUNT
}
MAX_IMPORT_ROWS = 50_000


WORST_SITE_RULE = (
    "A vendor with several sites is scored on the site whose entry-level wage is lowest against "
    "its local minimum wage (the conservative choice), with that site's wages per hour; when no "
    "site discloses both wages, on the first site."
)


def _entry_to_minimum(site: Mapping[str, Any]) -> float | None:
    entry, minimum = site.get("entry_level_wage"), site.get("local_minimum_wage")
    return entry / minimum if entry and minimum else None


def worst_site(sites: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The site whose wages score (WORST_SITE_RULE); None without sites."""

    def ratio(site):
        value = _entry_to_minimum(site)
        return float("inf") if value is None else value

    return min(sites, key=ratio) if sites else None


def wage_columns(sites: list[dict[str, Any]]) -> dict[str, Any]:
    """The flat row's wage columns from a disclosure's sites: those of the site that scores
    (`worst_site`), as disclosed for one site, per hour for several; {} without sites."""
    site = worst_site(sites)
    if site is None:
        return {}
    columns: dict[str, Any] = {
        WAGE_SITE_COLUMN: site.get("site"),
        WAGE_CURRENCY_COLUMN: site.get("currency"),
        "standard_weekly_hours": site.get("standard_weekly_hours"),
    }
    if len(sites) == 1:
        columns["pay_period"] = site.get("pay_period")
        columns.update({c: site.get(c) for c in WAGE_VALUE_COLUMNS})
        return columns
    hours = site.get("standard_weekly_hours")
    columns["pay_period"] = "hour"
    for column in WAGE_VALUE_COLUMNS:
        value = site.get(column)
        columns[column] = None  # without weekly hours, no per-hour figure
        if value is not None and hours:
            with contextlib.suppress(TypeError, ValueError):  # a what-if's unreadable value
                columns[column] = round(hourly_wage(value, site["pay_period"], hours), 6)
    return columns


SITE_FIELD = re.compile(r"wages\[(\d+)\]\.([a-z_]+)")


def site_changes(changes: Mapping[str, Any]) -> dict[tuple[int, str], Any]:
    """The what-if changes that name a site's wage, `wages[<index>].<wage column>`, by (index,
    column)."""
    found = {}
    for key, value in changes.items():
        match = SITE_FIELD.fullmatch(key)
        if match:
            found[(int(match.group(1)), match.group(2))] = value
    return found


def wage_columns_with(disclosure: Disclosure, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The flat row's wage columns once the sites' wages in `changes` (`site_changes`) are
    changed: the scored site is chosen again, so raising the lowest site's wage can hand the
    score to another site."""
    sites = copy.deepcopy((disclosure.figures or {}).get("wages") or [])
    for (index, column), value in site_changes(changes).items():
        sites[index][column] = value
    return wage_columns(sites)


def living_wage_ratio(figures: Mapping[str, Any] | None) -> float | None:
    """The impact workers' median wage ÷ the living wage at the site that scores (`worst_site`),
    as the scenario page's living-wage flag reads it (`wage_columns`); None without sites or
    without both wages. Below 1.0 the vendor pays its impact workers below a living wage."""
    site = worst_site((figures or {}).get("wages") or [])
    return None if site is None else _median_to_living(site)


def _median_to_living(site: Mapping[str, Any]) -> float | None:
    """A site's impact workers' median wage ÷ its living wage; None without both (or with a
    value that is not a number). One rule for the site table and every living-wage flag."""
    median, living = site.get("impact_worker_median_wage"), site.get("living_wage_benchmark")
    try:
        return float(median) / float(living) if median and living else None
    except (TypeError, ValueError):  # an unreadable value: no ratio
        return None


def site_wages(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every site of a disclosure with its wages as disclosed and per hour, the entry-to-minimum
    and median-to-living-wage ratios, and whether the site is the one scored (`scored`)."""
    sites = figures.get("wages") or []
    scored = worst_site(sites)
    table = []
    for site in sites:
        hours, period = site.get("standard_weekly_hours"), site.get("pay_period")
        hourly = {}
        for column in WAGE_VALUE_COLUMNS:
            value = site.get(column)
            try:
                hourly[column] = None if value is None else hourly_wage(value, period, hours)
            except (TypeError, ValueError):  # no pay period or hours: no per-hour figure
                hourly[column] = None
        table.append(
            {
                "site": site.get("site"),
                "country": site.get("country"),
                "currency": site.get("currency"),
                "pay_period": period,
                "standard_weekly_hours": hours,
                "wages": {column: site.get(column) for column in WAGE_VALUE_COLUMNS},
                "hourly": hourly,
                "entry_to_minimum": _entry_to_minimum(site),
                "median_to_living": _median_to_living(site),
                "scored": site is scored,
            }
        )
    return table


def _spend_usd(training: Mapping[str, Any], period_end: date | str) -> float | None:
    spend, currency = training.get("training_spend"), training.get("training_currency")
    if spend is None or not currency:
        return None
    on = date.fromisoformat(period_end) if isinstance(period_end, str) else period_end
    # a currency stored before currencies were checked where entered, with no rate: the
    # figure scores as not disclosed rather than failing every buyer's ranking
    usd = reference().fx.try_to_usd(spend, currency, on)
    return None if usd is None else round(usd.usd_amount, 2)


# Figures of the document that no metric reads (they are no column of the scoring table) but
# that the disclosure's rules hold a scored figure against: a what-if may change them with it
# (more training hours for impact workers are more training hours for all employees too).
BOUNDING_FIGURES = {"training_hours_all": ("training", "training_hours_all")}


def impossible_changes(disclosure: Disclosure, changes: Mapping[str, Any]) -> dict[str, list[str]]:
    """What the disclosure's own rules refuse in a what-if's `changes` (flat-table columns, or a
    site's wage as `wages[<index>].<wage column>` in the site's currency per its pay period, and
    values), by key: 400 impact workers against a headcount of 296 is no scenario to score.

    The changes are applied to the disclosure's document as the flat row carries them (wages to
    the scored site, per hour when the vendor has several sites; the training spend in US
    dollars; a figure of BOUNDING_FIGURES as it is), and the document is checked by the one
    validation of disclosures; only the errors the changes bring are reported. Offer columns
    (price, quality) are the scoring table's to check."""
    before = services.document_of(disclosure)
    after = copy.deepcopy(before)
    paths: dict[str, str] = {}  # a document path the changes touch -> the column
    refused: dict[str, list[str]] = {}
    sites = after.get("wages") or []
    site = worst_site(sites)
    for (index, column), value in site_changes(changes).items():
        if not 0 <= index < len(sites) or column not in WAGE_VALUE_COLUMNS:
            refused.setdefault(f"wages[{index}].{column}", []).append(
                f"No wage {column!r} of a site {index} to change: the version has "
                f"{len(sites)} site(s)."
            )
            continue
        sites[index][column] = value
        paths[f"wages[{index}].{column}"] = f"wages[{index}].{column}"
    for column, value in changes.items():
        if column in BOUNDING_FIGURES:  # a document figure no metric reads, bounding one
            section, key = BOUNDING_FIGURES[column]
            after.setdefault(section, {})[key] = value
            paths[f"{section}.{key}"] = column
            continue
        field = COLUMN_FIELDS.get(column)
        if field is None:
            continue
        if field.section == "wages":
            if site is None:
                continue
            index = sites.index(site)
            if column in WAGE_VALUE_COLUMNS and len(sites) > 1 and value is not None:
                # the flat row holds several sites' wages per hour: back to the site's period
                with contextlib.suppress(TypeError, ValueError, ZeroDivisionError):
                    per_hour = hourly_wage(1.0, site["pay_period"], site["standard_weekly_hours"])
                    value = value / per_hour
            site[field.key] = value
            paths[f"wages[{index}].{field.key}"] = column
        elif column == "training_spend_usd":
            after.setdefault("training", {}).update(training_spend=value, training_currency="USD")
            paths["training.training_spend"] = column
        elif field.section == "evidence":
            after.setdefault("evidence", {})[field.key] = value
            paths[f"evidence.{field.key}"] = column
        else:
            after.setdefault(field.section, {})[field.key] = value
            paths[f"{field.section}.{field.key}"] = column
    today = date.today()
    known = {
        (issue.field, issue.message)
        for issue in validate_disclosure(before, reference(), today=today, for_submit=False).errors
    }
    if refused:
        return refused
    for issue in validate_disclosure(after, reference(), today=today, for_submit=False).errors:
        if (issue.field, issue.message) in known:
            continue
        column = paths.get(issue.field) or next(iter(paths.values()), None) or "changes"
        refused.setdefault(column, []).append(issue.message)
    return refused


def flat_row(
    disclosure: Disclosure,
    offer: OfferPrice | None = None,
    levels: Mapping[str, EffectiveLevel] | None = None,
) -> dict[str, Any]:
    """The disclosure as one row of the flat table, with `offer` (the vendor's scored offer,
    `pricing.best_offers`) in the offer columns; they are empty without one. The evidence
    columns hold the vendor's claims, or with `levels` (per section) the effective levels that
    score (`procure.disclosures.reviews.section_levels`)."""
    figures = disclosure.figures
    workforce = figures.get("workforce") or {}
    training = figures.get("training") or {}
    evidence = figures.get("evidence") or {}
    sites = figures.get("wages") or []
    row: dict[str, Any] = {
        "vendor_id": disclosure.vendor_id,
        "disclosure_id": disclosure.id,
        "disclosure_version": disclosure.number,
        "period_start": disclosure.period_start.isoformat(),
        "period_end": disclosure.period_end.isoformat(),
    }
    if offer is not None:
        row.update(
            category=offer.category,
            unit=offer.unit,
            price=offer.usd,
            lowest_price=offer.lowest_usd,
            quality=offer.quality,
            offer_price=offer.amount,
            offer_currency=offer.currency,
            usd_rate=offer.rate,
            usd_rate_date=offer.rate_date.isoformat(),
        )
    for column in WORKFORCE_COLUMNS:
        row[column] = workforce.get(column)
    categories = workforce.get("categories") or {}
    for column in GROUP_COLUMNS:
        row[column] = categories.get(GROUP_COLUMN_FIELDS[column].key)
    row.update(wage_columns(sites))
    row["training_hours_impact_workers"] = training.get("training_hours_impact_workers")
    row["training_spend_usd"] = _spend_usd(training, disclosure.period_end)
    for section in EVIDENCE_SECTIONS:
        row[EVIDENCE_COLUMNS[section]] = (
            evidence.get(section) if levels is None else levels[section].level
        )
    return {column: row.get(column) for column in FLAT_COLUMNS}


def latest_versions(statement) -> list[Disclosure]:
    """The newest version per vendor and period among the disclosures `statement` selects."""
    latest: dict[tuple, Disclosure] = {}
    for disclosure in db.session.scalars(statement.order_by(Disclosure.number)).all():
        latest[(disclosure.vendor_id, disclosure.period_start, disclosure.period_end)] = disclosure
    return sorted(latest.values(), key=lambda d: (d.vendor_id, d.period_start))


def newest_of_periods(vendor_ids: set[int]) -> Select:
    """The newest version of each period of the vendors, chosen in SQL: an import reads (and
    loads the evidence of) one version per period, not every version ever filed."""
    newest = (
        select(
            Disclosure.vendor_id,
            Disclosure.period_start,
            Disclosure.period_end,
            func.max(Disclosure.number).label("number"),
        )
        .where(Disclosure.vendor_id.in_(vendor_ids))
        .group_by(Disclosure.vendor_id, Disclosure.period_start, Disclosure.period_end)
        .subquery()
    )
    return select(Disclosure).join(
        newest,
        (Disclosure.vendor_id == newest.c.vendor_id)
        & (Disclosure.period_start == newest.c.period_start)
        & (Disclosure.period_end == newest.c.period_end)
        & (Disclosure.number == newest.c.number),
    )


# ---------------------------------------------------------------- import


def _number(value: Any, column: str, errors: list[str]) -> float | int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(f"{column}: {value!r} is not a number.")
        return None
    if not math.isfinite(number):  # "inf", "nan": text float() reads, no figure or id can be
        errors.append(f"{column}: {value!r} is not a finite number.")
        return None
    if column in INTEGER_COLUMNS:
        if number != int(number):
            errors.append(f"{column}: {value!r} is not a whole number.")
            return None
        return int(number)
    return number


def _vendor_id(value: Any, errors: list[str]) -> int | None:
    """The row's vendor id: a whole number in the range of record ids, else None with the error."""
    number = _number(value, "vendor_id", errors)
    if number is None:
        return None
    if number != int(number) or not 1 <= number <= MAX_RECORD_ID:
        errors.append(f"vendor_id: no vendor {value!r} that you may import for.")
        return None
    return int(number)


def _document_from_row(row: Mapping[str, Any], vendor: Vendor, errors: list[str]) -> dict[str, Any]:
    workforce: dict[str, Any] = {c: _number(row.get(c), c, errors) for c in WORKFORCE_COLUMNS}
    categories = {  # only the groups the file has a column of: the others keep their counts
        GROUP_COLUMN_FIELDS[c].key: _number(row.get(c), c, errors)
        for c in GROUP_COLUMNS
        if c in row
    }
    if categories:
        workforce["categories"] = categories
    wage_values = {c: _number(row.get(c), c, errors) for c in WAGE_VALUE_COLUMNS}
    hours = _number(row.get("standard_weekly_hours"), "standard_weekly_hours", errors)
    pay_period = row.get("pay_period")
    site = None
    if any(v is not None for v in wage_values.values()) or hours is not None or pay_period:
        country = reference().countries.get(vendor.country)
        site = {
            "site": str(row.get(WAGE_SITE_COLUMN) or "").strip() or "Main site",
            "country": vendor.country,
            "currency": country.currency if country else None,
            "pay_period": pay_period,
            "standard_weekly_hours": hours,
            **wage_values,
        }
    spend = _number(row.get("training_spend_usd"), "training_spend_usd", errors)
    training = {
        "training_hours_impact_workers": _number(
            row.get("training_hours_impact_workers"), "training_hours_impact_workers", errors
        ),
        "training_spend": spend,
        "training_currency": "USD" if spend is not None else None,
    }
    evidence = {s: row.get(EVIDENCE_COLUMNS[s]) for s in EVIDENCE_SECTIONS}
    return {
        "period_start": row.get("period_start"),
        "period_end": row.get("period_end"),
        "workforce": workforce,
        "wages": [site] if site else [],
        "training": training,
        "evidence": evidence,
    }


def _iso(value: Any) -> Any:
    if hasattr(value, "date") and not isinstance(value, date):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else value


def import_rows(rows: list[dict[str, Any]], user, allowed_vendor) -> dict[str, Any]:
    """Stage every row as a draft (a new version where a submitted one exists), all or nothing.

    `allowed_vendor(vendor_id)` returns the Vendor the importer may write, or None. Rows equal
    to the latest version's flat row are left alone. Raises ValidationFailed with messages keyed
    `row N` (N as a spreadsheet shows it: the header is row 1); nothing is saved then.

    Written in bulk: one query reads the latest versions of the file's vendors, every row is
    checked before anything is written, then the new versions, their evidence and their audit
    events (the same events as one edit at a time) are each one INSERT.
    """
    problems: dict[str, list[str]] = {}
    if rows:
        missing = [c for c in FLAT_COLUMNS if c not in rows[0] and c not in _OPTIONAL_ON_IMPORT]
        if missing:
            raise ValidationFailed({"file": [f"Missing columns: {', '.join(missing)}."]})
    else:
        raise ValidationFailed({"file": ["The file has no data rows."]})
    seen: set[tuple] = set()
    vendors: dict[int | None, Vendor | None] = {}
    staged = []
    for index, raw in enumerate(rows, start=2):
        row = {k: _iso(v) for k, v in raw.items()}
        errors: list[str] = []
        vendor = None
        if row.get("vendor_id"):
            vendor_id = _vendor_id(row.get("vendor_id"), errors)
            if vendor_id not in vendors:
                vendors[vendor_id] = allowed_vendor(vendor_id)
            vendor = vendors[vendor_id]
        if vendor is None and not errors:
            errors.append(f"vendor_id: no vendor {row.get('vendor_id')!r} that you may import for.")
        key = (row.get("vendor_id"), row.get("period_start"), row.get("period_end"))
        if key in seen:
            errors.append(_REPEATED_PERIOD)
        seen.add(key)
        if vendor is not None and not errors:
            document = _document_from_row(row, vendor, errors)
            staged.append((index, vendor, document, row))
        if errors:
            problems[f"row {index}"] = errors
    if problems:
        raise ValidationFailed(problems, _NOTHING_IMPORTED)
    staging = _Staging(user)
    staging.plan(staged, problems)
    if problems:
        raise ValidationFailed(problems, _NOTHING_IMPORTED)
    disclosure_ids = staging.write()
    return {
        "imported": len(disclosure_ids),
        "unchanged": staging.unchanged,
        "disclosure_ids": disclosure_ids,
    }


_NOTHING_IMPORTED = "Nothing was imported: fix the rows listed and upload the file again."
_REPEATED_PERIOD = "vendor_id: this vendor and period appear on an earlier row too."


def _period_key(vendor: Vendor, document: Mapping[str, Any]) -> tuple[int, date, date] | None:
    try:
        return (
            vendor.id,
            date.fromisoformat(document["period_start"]),
            date.fromisoformat(document["period_end"]),
        )
    except (TypeError, ValueError):
        return None  # no period to look up: the row's check names the date


class _Staging:
    """What an import writes, planned row by row and checked in full before anything is
    written: new versions (a vendor's first of a period, or an amendment of a submitted one),
    drafts whose figures change, and the rows left alone."""

    def __init__(self, user) -> None:
        self.user = user
        self.inserts: list[tuple[int, dict[str, Any], Disclosure | None]] = []  # row, columns,
        # the version an amendment copies (None for a first version)
        self.updates: list[tuple[int, Disclosure, dict[str, Any], list[dict]]] = []
        self.unchanged = 0

    def plan(self, staged: list[tuple], problems: dict[str, list[str]]) -> None:
        """Check each staged row against the latest version of its period (one query for every
        vendor of the file); each refused row's messages go to `problems`."""
        vendor_ids = {vendor.id for _, vendor, _, _ in staged}
        latest = {
            (d.vendor_id, d.period_start, d.period_end): d
            for d in db.session.scalars(
                newest_of_periods(vendor_ids).options(selectinload(Disclosure.evidence))
            )
        }
        planned: set[tuple[int, date, date]] = set()
        for index, vendor, document, row in staged:
            key = _period_key(vendor, document)
            if key in planned:  # the same period written another way
                problems[f"row {index}"] = [_REPEATED_PERIOD]
                continue
            if key is not None:
                planned.add(key)
            current = None if key is None else latest.get(key)
            try:
                self._plan_row(index, vendor, document, row, current)
            except ValidationFailed as failed:
                problems[f"row {index}"] = [
                    f"{field}: {' '.join(m)}" for field, m in failed.errors.items()
                ]

    def _plan_row(
        self,
        index: int,
        vendor: Vendor,
        document: dict[str, Any],
        row: Mapping[str, Any],
        latest: Disclosure | None,
    ) -> None:
        if latest is None:
            period_start, period_end, figures, warnings = services.first_version(document)
            columns = {"vendor_id": vendor.id, "number": 1, "edit_version": 1}
            version = self._version(columns, period_start, period_end, figures, warnings)
            self.inserts.append((index, version, None))
            return
        if _comparable(flat_row(latest), row) == _comparable(row, row):
            self.unchanged += 1
            return
        figures, warnings = services.draft_figures(latest, _merge(latest.figures, document))
        if latest.state == DisclosureState.DRAFT:
            self.updates.append((index, latest, figures, warnings))
            return
        # an amendment (services.amend) with the file's figures (services.update_draft): its
        # edit version is the one that edit leaves
        columns = {"vendor_id": vendor.id, "number": latest.number + 1, "edit_version": 2}
        version = self._version(columns, latest.period_start, latest.period_end, figures, warnings)
        self.inserts.append((index, version, latest))

    def _version(
        self,
        columns: dict[str, Any],
        period_start: date,
        period_end: date,
        figures: dict[str, Any],
        warnings: list[dict],
    ) -> dict[str, Any]:
        return {
            **columns,
            "period_start": period_start,
            "period_end": period_end,
            "state": DisclosureState.DRAFT,
            "figures": figures,
            "warnings": warnings,
            "created_by_id": self.user.id,
        }

    def _inserted_ids(self) -> list[int]:
        """The ids of the inserted versions, in the order of `inserts`, read back by their
        unique key (vendor, period, number)."""
        if not self.inserts:
            return []
        key = (Disclosure.vendor_id, Disclosure.period_start, Disclosure.period_end)
        found = {
            (vendor_id, period_start, period_end, number): disclosure_id
            for disclosure_id, vendor_id, period_start, period_end, number in db.session.execute(
                select(Disclosure.id, *key, Disclosure.number).where(
                    Disclosure.vendor_id.in_({c["vendor_id"] for _, c, _ in self.inserts}),
                    Disclosure.state == DisclosureState.DRAFT,
                )
            )
        }
        return [
            found[(c["vendor_id"], c["period_start"], c["period_end"], c["number"])]
            for _, c, _ in self.inserts
        ]

    def write(self) -> list[int]:
        """Write the plan; the ids of the versions created or changed, in the file's order.
        A version another request wrote since the plan was read answers 409."""
        insert_rows_once(
            Disclosure,
            [columns for _, columns, _ in self.inserts],
            ConflictError(
                "A disclosure of a period in the file was started or amended a moment ago. "
                "Reload your disclosures and import the file again."
            ),
        )
        ids = self._inserted_ids()
        for _, draft, figures, warnings in self.updates:
            draft.figures, draft.warnings = figures, warnings
        if self.updates:
            save_changes(self.updates[0][1], "disclosure")  # one flush for every draft
        evidence = [
            services.evidence_copy(item, disclosure_id)
            for (_, _, source), disclosure_id in zip(self.inserts, ids, strict=True)
            if source is not None
            for item in source.evidence
        ]
        if evidence:
            db.session.execute(insert(Evidence), evidence)
        events: list[tuple[int, list[tuple]]] = []
        for (index, columns, source), disclosure_id in zip(self.inserts, ids, strict=True):
            if source is None:
                after = {key: columns[key] for key in ("period_start", "period_end", "number")}
                events.append((index, [("disclosure.create", Disclosure, disclosure_id, after)]))
            else:
                amended = {"number": columns["number"], "amends": source.id}
                updated = {"edit_version": columns["edit_version"]}
                events.append(
                    (
                        index,
                        [
                            ("disclosure.amend", Disclosure, disclosure_id, amended),
                            ("disclosure.update", Disclosure, disclosure_id, updated),
                        ],
                    )
                )
        for index, draft, _, _ in self.updates:
            updated = {"edit_version": draft.edit_version}
            events.append((index, [("disclosure.update", Disclosure, draft.id, updated)]))
        events.sort(key=lambda item: item[0])
        record_events([event for _, row_events in events for event in row_events], actor=self.user)
        return [row_events[0][2] for _, row_events in events]


def _comparable(row: Mapping[str, Any], file_row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's disclosure figures, as the file's row (`file_row`) can compare them: a group
    column the file does not have is left out (the import keeps that count)."""
    out = {}
    for column in FLAT_COLUMNS:
        if column in _RATE_CARD_COLUMNS or column in SOURCE_COLUMNS:
            continue  # from the rate card, or the source's ids: not the disclosure's figures
        if column in GROUP_COLUMNS and column not in file_row:
            continue
        value = row.get(column)
        with contextlib.suppress(TypeError, ValueError):
            value = (
                round(float(value), 6)
                if value is not None
                and column not in ("period_start", "period_end", "pay_period")
                and not column.startswith("evidence_")
                else value
            )
        out[column] = value
    return out


def _merge(figures: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """The latest figures with the flat table's columns replaced; fields the table lacks are
    kept."""
    merged = {k: v for k, v in figures.items()}
    workforce = figures.get("workforce") or {}
    merged["workforce"] = {**workforce, **document["workforce"]}
    if "categories" in document["workforce"]:  # the groups the file has; "other" and the rest kept
        merged["workforce"]["categories"] = {
            **(workforce.get("categories") or {}),
            **document["workforce"]["categories"],
        }
    sites = [dict(site) for site in figures.get("wages") or []]
    imported = document["wages"][0] if document["wages"] else None
    if imported is None:
        sites = []
    elif (target := worst_site(sites)) is None:  # no sites yet
        sites = [imported]
    else:
        target.update(
            {k: imported[k] for k in ("pay_period", "standard_weekly_hours", *WAGE_VALUE_COLUMNS)}
        )
    merged["wages"] = sites
    training = dict(figures.get("training") or {})
    training["training_hours_impact_workers"] = document["training"][
        "training_hours_impact_workers"
    ]
    usd = document["training"]["training_spend"]
    if usd is None:
        training.update(training_spend=None, training_currency=None)
    elif _spend_usd(training, document["period_end"]) != round(usd, 2):
        training.update(training_spend=usd, training_currency="USD")
    merged["training"] = training
    merged["evidence"] = {**(figures.get("evidence") or {}), **document["evidence"]}
    return merged


def vendors_for_import(user):
    """The function that says which vendor ids the user may import for."""

    def allowed(vendor_id):
        if vendor_id is None:
            return None
        vendor = db.session.get(Vendor, int(vendor_id))
        if vendor is None:
            return None
        if user.reads_as == "vendor" and vendor.organization_id == user.organization_id:
            return vendor  # a vendor organization's own (its users and its admin)
        return None

    return allowed
