"""Vendor profiles and rate cards. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.names import name_key, name_problems
from procure.audit.services import record_event
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.reference import reference
from procure.vendors.categories import UNITS, service_categories
from procure.vendors.models import Offer, Vendor

PROFILE_FIELDS = ("name", "country", "description", "service_categories", "sites")
OFFER_FIELDS = (
    "service_category",
    "unit",
    "price",
    "currency",
    "capacity_per_period",
    "quality",
    "active",
)


def vendor_name_errors(fields: Mapping[str, Any], organization_id: int) -> dict[str, list[str]]:
    """Why `fields["name"]` (when given) cannot be the vendor profile name of `organization_id`'s
    vendor, under `name`: the rules of an organization name, against every other vendor's
    profile name and every other organization's name, so that no vendor passes for another in
    the directory. Profile names are compared in Python by name_key (the vendor table stores no
    key)."""
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


def _profile_errors(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    countries = reference().countries
    if "name" in fields and not str(fields["name"] or "").strip():
        errors["name"] = ["Give the vendor a name."]
    if "country" in fields and fields["country"] not in countries:
        errors["country"] = [
            f"Unknown country code {fields['country']!r}: use ISO 3166-1 alpha-2, e.g. KE."
        ]
    categories = service_categories()
    for index, key in enumerate(fields.get("service_categories") or []):
        if key not in categories:
            errors.setdefault(f"service_categories.{index}", []).append(
                f"Unknown service category {key!r}."
            )
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
        **fields,
    }
    errors = {**vendor_name_errors(full, organization.id), **_profile_errors(full)}
    if "country" not in full:
        errors["country"] = ["Give the country of the vendor's head office."]
    if errors:
        raise ValidationFailed(errors)
    vendor = Vendor(organization=organization, **{k: full[k] for k in PROFILE_FIELDS})
    db.session.add(vendor)
    insert_once(vendor, exists)  # another request may have created it since the check
    record_event(
        "vendor.create", vendor, actor=user, after={k: full[k] for k in ("name", "country")}
    )
    return vendor


def update_vendor(
    vendor: Vendor, fields: Mapping[str, Any], sent_version: int | None, user: User
) -> Vendor:
    check_version(vendor, sent_version, "vendor profile")
    errors = {**vendor_name_errors(fields, vendor.organization_id), **_profile_errors(fields)}
    if errors:
        raise ValidationFailed(errors)
    before = {k: getattr(vendor, k) for k in PROFILE_FIELDS if k in fields}
    for key in PROFILE_FIELDS:
        if key in fields:
            setattr(vendor, key, fields[key])
    save_changes(vendor, "vendor profile", sent_version)
    record_event(
        "vendor.update", vendor, actor=user, before=before, after={k: fields[k] for k in before}
    )
    return vendor


def _offer_errors(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "service_category" in fields and fields["service_category"] not in service_categories():
        errors["service_category"] = [f"Unknown service category {fields['service_category']!r}."]
    if "unit" in fields and fields["unit"] not in UNITS:
        errors["unit"] = [f"Use one of: {', '.join(UNITS)}."]
    if "currency" in fields and fields["currency"] not in reference().currencies:
        errors["currency"] = [
            f"Unknown currency {fields['currency']!r}: use an ISO 4217 code, e.g. USD."
        ]
    if "price" in fields and not Decimal(str(fields["price"])) > 0:
        errors["price"] = ["The price must be above zero."]
    if "capacity_per_period" in fields and fields["capacity_per_period"] < 0:
        errors["capacity_per_period"] = ["Capacity cannot be negative."]
    if "quality" in fields and not 0 <= fields["quality"] <= 1:
        errors["quality"] = ["Quality is a share between 0 and 1 (for example 0.95 for 95 %)."]
    return errors


def create_offer(vendor: Vendor, fields: Mapping[str, Any], user: User) -> Offer:
    errors = _offer_errors(fields)
    if errors:
        raise ValidationFailed(errors)
    offer = Offer(vendor=vendor, **{k: fields[k] for k in OFFER_FIELDS if k in fields})
    if offer.service_category not in vendor.service_categories:
        vendor.service_categories = [*vendor.service_categories, offer.service_category]
    db.session.add(offer)
    record_event(
        "offer.create", offer, actor=user, after={k: fields[k] for k in OFFER_FIELDS if k in fields}
    )
    return offer


def update_offer(
    offer: Offer, fields: Mapping[str, Any], sent_version: int | None, user: User
) -> Offer:
    check_version(offer, sent_version, "offer")
    errors = _offer_errors(fields)
    if errors:
        raise ValidationFailed(errors)
    before = {k: getattr(offer, k) for k in OFFER_FIELDS if k in fields}
    for key in before:
        setattr(offer, key, fields[key])
    save_changes(offer, "offer", sent_version)
    record_event(
        "offer.update", offer, actor=user, before=before, after={k: fields[k] for k in before}
    )
    return offer
