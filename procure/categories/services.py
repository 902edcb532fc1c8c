"""Service categories: the platform operator adds them, edits their label, description and unit,
and retires them; every change audited. Services flush; the caller commits.

A category is never deleted: offers and needs store its key. Retiring it refuses it for new
offers, needs and profiles (procure.vendors.categories.category_refusal) and keeps it for those
that have it. Its unit is fixed once an offer or a need uses it: they were entered in the unit
the category named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, true

from procure.accounts.names import name_key, name_problems
from procure.audit.services import record_event
from procure.db import utcnow
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.needs.models import Need
from procure.vendors.categories import ServiceCategory, forget_service_categories
from procure.vendors.models import Offer

AUDITED_FIELDS = ("key", "label", "unit", "description")
EDITABLE_FIELDS = ("label", "description", "unit")


@dataclass(frozen=True)
class Usage:
    """How many offers and needs name a category (every tenant's: the operator sees counts)."""

    offers: int = 0
    needs: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.offers or self.needs)


def usage_by_key(*keys: str) -> dict[str, Usage]:
    """Per category key in use (of `keys`, or every one), how many offers and needs (archived
    ones too) name it."""
    offers, needs = (
        {
            key: count
            for key, count in db.session.execute(
                select(column, func.count())
                .where(column.in_(keys) if keys else true())
                .group_by(column)
            )
        }
        for column in (Offer.service_category, Need.service_category)
    )
    return {key: Usage(offers.get(key, 0), needs.get(key, 0)) for key in offers.keys() | needs}


def usage_of(key: str) -> Usage:
    return usage_by_key(key).get(key, Usage())


def listing(statement) -> list[ServiceCategory]:
    """The categories `statement` selects, by label."""
    return list(db.session.scalars(statement.order_by(func.lower(ServiceCategory.label))))


def _label_errors(label: str, category_id: int | None) -> dict[str, list[str]]:
    """A label with invisible characters, or one that is another category's once normalised
    (case, width and spacing folded, as organization names are compared): either would make two
    choices of every form look alike."""
    problems = name_problems(label, "category")
    if problems:
        return {"label": problems}
    key = name_key(label)
    others = db.session.execute(
        select(ServiceCategory.key, ServiceCategory.label).where(ServiceCategory.id != category_id)
    )
    taken = next((other for other, text in others if name_key(text) == key), None)
    if taken is None:
        return {}
    return {"label": [f"The category {taken!r} has this label already: choose another."]}


def _fields(category: ServiceCategory, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(category, name) for name in names}


def add_category(values: Mapping[str, Any], actor) -> ServiceCategory:
    """Add a category. 422 naming the field for a key or a label another category has."""
    key = values["key"]
    taken = ValidationFailed(
        {"key": [f"The key {key!r} is taken already: edit that category, or choose another."]}
    )
    if db.session.scalar(select(ServiceCategory.id).where(ServiceCategory.key == key)):
        raise taken
    errors = _label_errors(values["label"], None)
    if errors:
        raise ValidationFailed(errors)
    category = ServiceCategory(
        key=key,
        label=values["label"],
        unit=values["unit"],
        description=values.get("description", ""),
        created_by_id=actor.id,
    )
    db.session.add(category)
    insert_once(category, taken)  # a parallel request may have added the key since
    record_event(
        "service_category.add", category, actor=actor, after=_fields(category, AUDITED_FIELDS)
    )
    forget_service_categories()
    return category


def update_category(
    category: ServiceCategory, values: Mapping[str, Any], sent_version: int | None, actor
) -> ServiceCategory:
    """Edit a category's label, description or unit, and retire it or bring it back (a stale
    version answers 409). The unit cannot change once an offer or a need uses the category
    (422 naming `unit`); the key never changes."""
    check_version(category, sent_version, "service category")
    if not values.keys() & {*EDITABLE_FIELDS, "retired"}:
        raise ValidationFailed({"label": ["Send a new label, description, unit, or retired."]})
    changed = [
        name
        for name in EDITABLE_FIELDS
        if values.get(name, getattr(category, name)) != getattr(category, name)
    ]
    # True retires, False brings back, None leaves it as it is
    retire = (
        values["retired"] if values.get("retired", category.retired) != category.retired else None
    )
    errors = _label_errors(values["label"], category.id) if "label" in changed else {}
    if "unit" in changed and (usage := usage_of(category.key)).in_use:
        errors["unit"] = [
            f"The unit stays {category.unit}: {usage.offers} offers and {usage.needs} needs "
            "use this category in it. Add a category with the other unit instead."
        ]
    if errors:
        raise ValidationFailed(errors)
    before = _fields(category, ("key", *changed))
    for name in changed:
        setattr(category, name, values[name])
    if retire is not None:
        category.retired_at = utcnow() if retire else None
    if not changed and retire is None:
        return category  # the same values sent again: nothing to save or audit
    save_changes(category, "service category", sent_version)
    if changed:
        record_event(
            "service_category.update",
            category,
            actor=actor,
            before=before,
            after=_fields(category, ("key", *changed)),
        )
    if retire is not None:
        record_event(
            "service_category.retire" if retire else "service_category.unretire",
            category,
            actor=actor,
            before={"key": category.key, "retired": not retire},
            after={"key": category.key, "retired": retire},
        )
    forget_service_categories()
    return category
