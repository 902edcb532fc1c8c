"""Needs of a buyer organization. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

import optimizer
from procure.accounts.models import User
from procure.audit.services import record_event
from procure.editing import check_version, save_changes
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.needs.models import MAX_VENDORS, Need
from procure.vendors.categories import UNITS, category_refusal

FIELDS = (
    "title",
    "service_category",
    "volume",
    "unit",
    "period_start",
    "period_end",
    "budget_usd",
    "min_quality",
    "max_vendor_share",
    "min_avg_impact",
    "min_impact_spend_share",
    "max_vendors",
    "min_award",
    "archived",
)


def _errors(values: Mapping[str, Any], kept: Collection[str] = ()) -> dict[str, list[str]]:
    """What is wrong with a need's `values`; `kept` holds the need's category already (it may
    stay when it is retired, not be chosen anew)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if "title" in values and not str(values["title"] or "").strip():
        add("title", "Give the need a title.")
    if "service_category" in values and (
        refusal := category_refusal(values["service_category"], kept)
    ):
        add("service_category", refusal)
    if "unit" in values and values["unit"] not in UNITS:
        add("unit", f"Use one of: {', '.join(UNITS)}.")
    if "volume" in values and not 0 < (values["volume"] or 0) <= optimizer.MAX_UNITS:
        add("volume", f"The volume must be above zero and at most {optimizer.MAX_UNITS:,.0f}.")
    budget = values.get("budget_usd")
    if budget is not None and not 0 < budget <= optimizer.MAX_UNITS * optimizer.MAX_PRICE:
        add(
            "budget_usd",
            "A budget must be above zero (leave it empty for no budget limit) and at most "
            f"{optimizer.MAX_UNITS * optimizer.MAX_PRICE:,.0f}.",
        )
    for field, low, high, text in (
        ("min_quality", 0, 1, "between 0 and 1"),
        ("min_impact_spend_share", 0, 1, "between 0 and 1"),
        ("min_avg_impact", 0, 100, "between 0 and 100"),
    ):
        if values.get(field) is not None and not low <= values[field] <= high:
            add(field, f"Use a value {text}.")
    if "max_vendor_share" in values and not 0 < (values["max_vendor_share"] or 0) <= 1:
        add(
            "max_vendor_share",
            "Use a share above 0 and at most 1 (1 = one vendor may take it all).",
        )
    count = values.get("max_vendors")
    if count is not None and not (float(count).is_integer() and 1 <= count <= MAX_VENDORS):
        add(
            "max_vendors",
            f"Use a whole number of vendors from 1 to {MAX_VENDORS:,} (leave it empty for no "
            "limit).",
        )
    award, volume = values.get("min_award"), values.get("volume")
    if award is not None and not award > 0:
        add("min_award", "A minimum award must be above zero (leave it empty for none).")
    elif award is not None and volume and award > volume:
        add(
            "min_award",
            f"A minimum award of {award:,g} is more than the need's volume of {volume:,g}: no "
            "vendor could be awarded anything.",
        )
    start, end = values.get("period_start"), values.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end <= start:
        add("period_end", "The period must end after it starts.")
    elif isinstance(start, date) and isinstance(end, date):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > optimizer.MAX_NEED_MONTHS:
            add(
                "period_end",
                f"A need runs for at most {optimizer.MAX_NEED_MONTHS} calendar months; this "
                f"period spans {months}. Split it into needs of a few years at most.",
            )
    for field in ("period_start", "period_end"):
        day = values.get(field)
        if isinstance(day, date) and not optimizer.FIRST_YEAR <= day.year <= optimizer.LAST_YEAR:
            add(field, f"Use a date from {optimizer.FIRST_YEAR} to {optimizer.LAST_YEAR}.")
    return errors


def _whole(count: float | None) -> int | None:
    """A count the checks above found whole, as an integer (the column's type)."""
    return None if count is None else int(count)


def create_need(organization_id: int, values: Mapping[str, Any], user) -> Need:
    full = {
        "min_quality": 0.0,
        "max_vendor_share": 1.0,
        "budget_usd": None,
        "min_avg_impact": None,
        "min_impact_spend_share": None,
        "max_vendors": None,
        "min_award": None,
        "archived": False,
        **values,
    }
    errors = _errors(full)
    if errors:
        raise ValidationFailed(errors)
    full["max_vendors"] = _whole(full["max_vendors"])
    need = Need(
        organization_id=organization_id, created_by_id=user.id, **{k: full[k] for k in FIELDS}
    )
    db.session.add(need)
    record_event(
        "need.create",
        need,
        actor=user,
        organization_id=organization_id,
        after={k: full[k] for k in ("title", "service_category", "volume")},
    )
    return need


def update_need(
    need: Need, values: Mapping[str, Any], sent_version: int | None, user: User
) -> bool:
    """Change the need's `values` (at the version the client loaded); whether anything changed.
    Values equal to the saved ones change nothing: an untouched form writes no new version and
    no audit event."""
    check_version(need, sent_version, "need")
    merged = {k: getattr(need, k) for k in FIELDS} | dict(values)
    errors = _errors(merged, kept=(need.service_category,))
    if errors:
        raise ValidationFailed(errors)
    if "max_vendors" in values:
        values = {**values, "max_vendors": _whole(values["max_vendors"])}
    changed = {k: v for k, v in values.items() if getattr(need, k) != v}
    if not changed:
        return False
    before = {k: getattr(need, k) for k in changed}
    for key, value in changed.items():
        setattr(need, key, value)
    save_changes(need, "need", sent_version)
    record_event("need.update", need, actor=user, before=before, after=changed)
    return True
