"""Vendor profiles and rate cards. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.names import name_key, name_problems
from procure.audit.services import record_event
from procure.db import utcnow
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.rates.services import currency_refusal, price_refusal
from procure.reference import reference
from procure.vendors.capacity import FIRST_MONTH, LAST_MONTH, month_text
from procure.vendors.categories import UNITS, category_refusal
from procure.vendors.models import (
    MAX_HOURS_PER_UNIT,
    Offer,
    OfferCapacityChange,
    Vendor,
    VendorCapacityChange,
)
from procure.vendors.signals import offers_changed

PROFILE_FIELDS = (
    "name",
    "country",
    "description",
    "service_categories",
    "sites",
    "capacity_hours_per_month",
)
OFFER_FIELDS = (
    "service_category",
    "unit",
    "price",
    "currency",
    "hours_per_unit",
    "capacity_per_period",
    "quality",
    "active",
)
CHANGES = "capacity_changes"  # a list of {from_month, hours_per_month | units_per_month}


def _capacity_errors(fields: Mapping[str, Any], start: str, amount: str) -> dict[str, list[str]]:
    """Why the capacity `fields[start]` and the changes `fields["capacity_changes"]` (each
    {from_month, `amount`}) cannot be kept: a negative figure, a month that is not the first day
    of a month from 2000-01 to 2100-12, two changes for one month."""
    errors: dict[str, list[str]] = {}
    if fields.get(start) is not None and fields[start] < 0:
        errors[start] = ["Capacity cannot be negative."]
    seen: set[date] = set()
    for index, change in enumerate(fields.get(CHANGES) or []):
        month = change.get("from_month")
        where = f"{CHANGES}.{index}"
        if not isinstance(month, date) or month.day != 1:
            errors[f"{where}.from_month"] = ["Give the month as YYYY-MM, e.g. 2026-07."]
        elif not FIRST_MONTH <= month <= LAST_MONTH:
            errors[f"{where}.from_month"] = ["Give a month from 2000-01 to 2100-12."]
        elif month in seen:
            errors[f"{where}.from_month"] = [
                f"{month_text(month)} is listed twice: give one change per month."
            ]
        seen.add(month)
        if change.get(amount) is None:
            errors[f"{where}.{amount}"] = ["Enter a number."]
        elif change[amount] < 0:
            errors[f"{where}.{amount}"] = ["Capacity cannot be negative."]
    return errors


def _changes_as_sent(records: Sequence[Any], amount: str) -> list[dict[str, Any]]:
    """Capacity changes as the API shows them (for audit events): month order, YYYY-MM."""
    return [
        {"from_month": month_text(record.from_month), amount: getattr(record, amount)}
        for record in sorted(records, key=lambda record: record.from_month)
    ]


def _replace_changes(
    records: list[Any], sent: Sequence[Mapping[str, Any]], model: type, amount: str
) -> bool:
    """Make `records` (a relationship list) hold exactly the changes `sent`; return whether
    anything changed. A month kept is updated in place and never deleted and inserted again, so
    that the (owner, month) unique rule holds whatever order the flush takes."""
    wanted = {change["from_month"]: float(change[amount]) for change in sent}
    changed = False
    for record in list(records):
        if record.from_month not in wanted:
            records.remove(record)
            changed = True
        elif getattr(record, amount) != wanted[record.from_month]:
            setattr(record, amount, wanted[record.from_month])
            changed = True
    kept = {record.from_month for record in records}
    for month, value in sorted(wanted.items()):
        if month not in kept:
            records.append(model(from_month=month, **{amount: value}))
            changed = True
    records.sort(key=lambda record: record.from_month)
    return changed


# what a parallel request that took the name first leaves this one (the check saw it free)
_NAME_TAKEN_MEANWHILE = ValidationFailed({"name": ["Another vendor took this name a moment ago."]})


def vendor_name_errors(fields: Mapping[str, Any], organization_id: int) -> dict[str, list[str]]:
    """Why `fields["name"]` (when given) cannot be the vendor profile name of `organization_id`'s
    vendor, under `name`: the rules of an organization name, against every other vendor's
    profile name and every other organization's name, so that no vendor passes for another in
    the directory. Names are compared by name_key; the vendor table's unique key on it refuses
    a name that a parallel request took after this check."""
    if "name" not in fields:
        return {}
    name = str(fields["name"] or "")
    problems = name_problems(name, "vendor")
    if problems:
        return {"name": problems}
    key = name_key(name)
    others = db.session.scalars(
        select(Vendor.name).where(Vendor.organization_id != organization_id)
    )
    vendor = next((other for other in others if name_key(other) == key), None)
    if vendor is not None:
        return {"name": [f"Another vendor is named {vendor!r}."]}
    organization = db.session.scalar(
        select(Organization.name).where(
            Organization.name_key == key, Organization.id != organization_id
        )
    )
    if organization is not None:
        return {"name": [f"Another organization is named {organization!r}."]}
    return {}


def _profile_errors(
    fields: Mapping[str, Any], kept_categories: Sequence[str] = ()
) -> dict[str, list[str]]:
    """What is wrong with a profile's `fields`; `kept_categories` are the profile's categories
    already (a retired one may stay listed, not be added)."""
    errors: dict[str, list[str]] = {}
    countries = reference().countries
    if "name" in fields and not str(fields["name"] or "").strip():
        errors["name"] = ["Give the vendor a name."]
    if "country" in fields and fields["country"] not in countries:
        errors["country"] = [
            f"Unknown country code {fields['country']!r}: use ISO 3166-1 alpha-2, e.g. KE."
        ]
    for index, key in enumerate(fields.get("service_categories") or []):
        if refusal := category_refusal(key, kept_categories):
            errors.setdefault(f"service_categories.{index}", []).append(refusal)
    errors.update(_capacity_errors(fields, "capacity_hours_per_month", "hours_per_month"))
    seen = set()
    for index, site in enumerate(fields.get("sites") or []):
        name = str(site.get("name") or "").strip()
        if not name:
            errors.setdefault(f"sites.{index}.name", []).append("Give the site a name.")
        elif name.lower() in seen:
            errors.setdefault(f"sites.{index}.name", []).append(f"Site {name!r} is listed twice.")
        seen.add(name.lower())
        if site.get("country") not in countries:
            errors.setdefault(f"sites.{index}.country", []).append(
                f"Unknown country code {site.get('country')!r}: use ISO 3166-1 alpha-2."
            )
    return errors


def create_vendor(organization: Organization, fields: Mapping[str, Any], user: User) -> Vendor:
    """Create the profile of a vendor organization (one per organization)."""
    if organization.kind != "vendor":
        raise ValidationFailed(
            {"organization_id": ["Only a vendor organization has a vendor profile."]}
        )
    exists = ConflictError("This organization already has a vendor profile: edit it instead.")
    if db.session.scalar(select(Vendor.id).where(Vendor.organization_id == organization.id)):
        raise exists
    full = {
        "name": organization.name,
        "description": "",
        "service_categories": [],
        "sites": [],
        "capacity_hours_per_month": None,
        **fields,
    }
    errors = {**vendor_name_errors(full, organization.id), **_profile_errors(full)}
    if "country" not in full:
        errors["country"] = ["Give the country of the vendor's head office."]
    if errors:
        raise ValidationFailed(errors)
    vendor = Vendor(organization=organization, **{k: full[k] for k in PROFILE_FIELDS})
    _replace_changes(
        vendor.capacity_changes, full.get(CHANGES) or [], VendorCapacityChange, "hours_per_month"
    )
    db.session.add(vendor)
    # another request may have created this organization's profile, or taken the name, since
    # the checks: the table's unique keys refuse it
    insert_once(
        vendor,
        ConflictError(
            "Another request created this organization's vendor profile, or gave another vendor "
            "this name, a moment ago: reload and try again."
        ),
    )
    after = {k: full[k] for k in ("name", "country", "capacity_hours_per_month")}
    if vendor.capacity_changes:
        after[CHANGES] = _changes_as_sent(vendor.capacity_changes, "hours_per_month")
    record_event("vendor.create", vendor, actor=user, after=after)
    return vendor


def update_vendor(
    vendor: Vendor, fields: Mapping[str, Any], sent_version: int | None, user: User
) -> Vendor:
    check_version(vendor, sent_version, "vendor profile")
    errors = {
        **vendor_name_errors(fields, vendor.organization_id),
        **_profile_errors(fields, vendor.service_categories),
    }
    if errors:
        raise ValidationFailed(errors)
    before = {k: getattr(vendor, k) for k in PROFILE_FIELDS if k in fields}
    after = {k: fields[k] for k in before}
    if CHANGES in fields:  # loaded before any change, so that its query flushes none
        before[CHANGES] = _changes_as_sent(vendor.capacity_changes, "hours_per_month")
    for key in before.keys() - {CHANGES}:
        setattr(vendor, key, fields[key])
    if CHANGES in fields:
        if _replace_changes(
            vendor.capacity_changes, fields[CHANGES], VendorCapacityChange, "hours_per_month"
        ):
            vendor.updated_at = utcnow()  # the profile changed: a new version, checked as one
        after[CHANGES] = _changes_as_sent(vendor.capacity_changes, "hours_per_month")
    save_changes(vendor, "vendor profile", sent_version, duplicate=_NAME_TAKEN_MEANWHILE)
    record_event("vendor.update", vendor, actor=user, before=before, after=after)
    return vendor


def _hours_per_unit_errors(fields: Mapping[str, Any], offer: Offer | None) -> list[str]:
    """What is wrong with the offer's hours per unit once `fields` are applied to `offer` (None
    for a new offer): an hour takes 1 hour; an item or task needs the vendor's own figure, sent
    again when the unit changes, and stated on any edit that leaves an offer still without one
    (entered before 0017) active; withdrawing it needs none."""
    unit = fields.get("unit", offer.unit if offer is not None else None)
    hours = fields.get("hours_per_unit")
    if unit == "hour":
        if hours is not None and hours != 1:
            return ["An offer priced per hour takes 1 hour per unit: leave it out or give 1."]
        return []
    if unit not in UNITS:
        return []
    if hours is None:
        if offer is None or unit != offer.unit or "hours_per_unit" in fields:
            unstated = True
        else:
            unstated = offer.hours_per_unit is None and fields.get("active", offer.active)
        if unstated:
            return [
                f"Give the labour hours one {unit} takes (your own figure, e.g. 0.03 for a "
                "scanned invoice): above 0, at most 1,000."
            ]
        return []
    if not 0 < hours <= MAX_HOURS_PER_UNIT:
        return [f"Hours per unit must be above 0 and at most {MAX_HOURS_PER_UNIT:,.0f}."]
    return []


def _offer_values(fields: Mapping[str, Any], offer: Offer | None) -> dict[str, Any]:
    """The columns `fields` set: an offer priced per hour takes 1 hour per unit (set when it is
    made per hour, or sent)."""
    values = {k: fields[k] for k in OFFER_FIELDS if k in fields}
    unit = fields.get("unit", offer.unit if offer is not None else None)
    if unit == "hour" and (offer is None or "unit" in fields or "hours_per_unit" in fields):
        values["hours_per_unit"] = 1.0
    return values


def _offer_errors(fields: Mapping[str, Any], offer: Offer | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kept = [offer.service_category] if offer is not None else []
    if "service_category" in fields and (
        refusal := category_refusal(fields["service_category"], kept)
    ):
        errors["service_category"] = [refusal]
    if "unit" in fields and fields["unit"] not in UNITS:
        errors["unit"] = [f"Use one of: {', '.join(UNITS)}."]
    if "currency" in fields and fields["currency"] not in reference().currencies:
        errors["currency"] = [
            f"Unknown currency {fields['currency']!r}: use an ISO 4217 code, e.g. USD."
        ]
    elif "currency" in fields and (refusal := currency_refusal(fields["currency"])):
        errors["currency"] = [refusal]  # a price must convert to US dollars to be compared
    # a new currency moves the price in US dollars too: checked against the kept price
    price = fields.get("price", offer.price if offer is not None else None)
    currency = fields.get("currency", offer.currency if offer is not None else "USD")
    changed = {"price", "currency"} & set(fields)
    if changed and price is not None and (refusal := price_refusal(price, currency)):
        errors["price"] = [refusal]
    hours_per_unit = _hours_per_unit_errors(fields, offer)
    if hours_per_unit:
        errors["hours_per_unit"] = hours_per_unit
    errors.update(_capacity_errors(fields, "capacity_per_period", "units_per_month"))
    if "quality" in fields and not 0 <= fields["quality"] <= 1:
        errors["quality"] = ["Quality is a share between 0 and 1 (for example 0.95 for 95 %)."]
    return errors


def create_offer(vendor: Vendor, fields: Mapping[str, Any], user: User) -> Offer:
    errors = _offer_errors(fields)
    if errors:
        raise ValidationFailed(errors)
    values = _offer_values(fields, None)
    offer = Offer(vendor=vendor, **values)
    _replace_changes(
        offer.capacity_changes, fields.get(CHANGES) or [], OfferCapacityChange, "units_per_month"
    )
    if offer.service_category not in vendor.service_categories:
        vendor.service_categories = [*vendor.service_categories, offer.service_category]
    db.session.add(offer)
    after = dict(values)
    if offer.capacity_changes:
        after[CHANGES] = _changes_as_sent(offer.capacity_changes, "units_per_month")
    record_event("offer.create", offer, actor=user, after=after)
    offers_changed.send(frozenset({offer.service_category}), user=user)
    return offer


def update_offer(
    offer: Offer, fields: Mapping[str, Any], sent_version: int | None, user: User
) -> Offer:
    check_version(offer, sent_version, "offer")
    errors = _offer_errors(fields, offer)
    if errors:
        raise ValidationFailed(errors)
    after = _offer_values(fields, offer)
    before = {k: getattr(offer, k) for k in after}
    if CHANGES in fields:  # loaded before any change, so that its query flushes none
        before[CHANGES] = _changes_as_sent(offer.capacity_changes, "units_per_month")
    for key, value in after.items():
        setattr(offer, key, value)
    if CHANGES in fields:
        if _replace_changes(
            offer.capacity_changes, fields[CHANGES], OfferCapacityChange, "units_per_month"
        ):
            offer.updated_at = utcnow()  # the offer changed: a new version, checked as one
        after[CHANGES] = _changes_as_sent(offer.capacity_changes, "units_per_month")
    save_changes(offer, "offer", sent_version)
    record_event("offer.update", offer, actor=user, before=before, after=after)
    offers_changed.send(
        frozenset({before.get("service_category", offer.service_category), offer.service_category}),
        user=user,
    )
    return offer
