"""Deliveries: a buyer records what each vendor of an approved scenario delivered of each need in
a month and what it invoiced (`record_delivery`), corrects a row (`correct_delivery`), removes
one (`delete_delivery`), or imports an ERP export of many rows (`import_rows`, all or nothing).

Only an approved scenario takes deliveries (ConflictError otherwise: 409). A row is refused,
naming the field, for a vendor the plan allocates no work to, a need the plan does not hold for
that vendor (`need_id` may be left out only where the vendor holds exactly one need: it is then
filled in), a month outside that need's period in the plan (compared by month), a negative
volume or amount, and a currency that is unknown or has no exchange rate to US dollars. The
amount is converted to US dollars at the rate in force on the month's last day, by the rule
offers are converted with (`procure.disclosures.pricing.usd_rates`), and stored with its rate.

Recording a row for a scenario, vendor, need and month that has one replaces its figures (a
correction): the audit log keeps the figures before and after (`delivery.correct`); equal
figures change nothing. Services flush; the request commits.

A recorded, corrected or removed row outdates the organization's stored rankings (its data
version, procure.scoring.versions): its custom metrics may score delivery reliability
(procure.deliveries.reliability).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.deliveries.actuals import Plan, plan_of
from procure.deliveries.models import Delivery
from procure.disclosures.pricing import usd_rates
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.rates.services import currency_refusal
from procure.reference import reference
from procure.scenarios.models import Scenario
from procure.scoring.versions import bump
from procure.states import ScenarioStatus
from procure.vendors.capacity import month_text

# the figures a row stores (its key is scenario, vendor, need and month)
FIGURES = (
    "delivered_volume",
    "invoiced_amount",
    "currency",
    "invoiced_usd",
    "usd_rate",
    "rate_date",
    "note",
)
RECORDED, CORRECTED, UNCHANGED = "recorded", "corrected", "unchanged"
RowKey = tuple[int, int, date]  # vendor id, need id, month


@dataclass(frozen=True)
class CheckedDelivery:
    """A row that passed every check: its key, with `need_id` filled in, and its figures."""

    vendor_id: int
    need_id: int
    month: date
    figures: dict[str, Any]


def approved_or_409(scenario: Scenario) -> None:
    if scenario.status != ScenarioStatus.APPROVED:
        raise ConflictError(
            f"This scenario is {scenario.status}: only an approved plan takes deliveries.",
            {"scenario": [f"Not approved ({scenario.status})."]},
        )


def _last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _vendor_words(plan: Plan, vendor_id: int) -> str:
    return f"{vendor_id} ({plan.vendor_names.get(vendor_id, 'unnamed')})"


def _need_words(plan: Plan, need_id: int) -> str:
    return f"{need_id} ({plan.need_titles.get(need_id, 'untitled')})"


def _key_errors(plan: Plan, fields: Mapping[str, Any]) -> tuple[int | None, dict[str, list[str]]]:
    """The need the row is for (filled in where the vendor holds one) and what is wrong with
    its vendor, need and month, by field."""
    errors: dict[str, list[str]] = {}
    vendor_id, need_id = fields["vendor_id"], fields.get("need_id")
    vendors = plan.vendor_ids()
    if vendor_id not in vendors:
        listed = ", ".join(_vendor_words(plan, v) for v in vendors) or "none"
        errors["vendor_id"] = [
            f"The approved plan allocates no work to vendor {vendor_id}: its vendors are {listed}."
        ]
        return None, errors
    name = plan.vendor_names.get(vendor_id, f"vendor {vendor_id}")
    needs = plan.needs_of(vendor_id)
    listed = ", ".join(_need_words(plan, n) for n in needs)
    if need_id is None:
        if len(needs) != 1:
            errors["need_id"] = [
                f"{name} holds {len(needs)} needs in the plan: name the need ({listed})."
            ]
            return None, errors
        need_id = needs[0]
    elif need_id not in needs:
        errors["need_id"] = [
            f"The plan holds no work of need {need_id} for {name}: its needs for {name} are "
            f"{listed}."
        ]
        return None, errors
    months = plan.lines[(vendor_id, need_id)].months
    month = fields["month"]
    title = plan.need_titles.get(need_id, f"need {need_id}")
    if not months:
        errors["month"] = [f"The plan holds no period for {title}: no month of it can be recorded."]
    elif not months[0] <= month <= months[-1]:
        errors["month"] = [
            f"{month_text(month)} is outside the plan's period of {title}: "
            f"{month_text(months[0])} to {month_text(months[-1])}."
        ]
    return need_id, errors


def _figure_errors(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a row's figures, by field (the schema refuses most of it already;
    a caller that skips the schema is held to the same rules)."""
    errors: dict[str, list[str]] = {}
    if fields["delivered_volume"] < 0:
        errors["delivered_volume"] = ["Give a volume of 0 or more."]
    if fields["invoiced_amount"] < 0:
        errors["invoiced_amount"] = ["Give an amount of 0 or more."]
    currency = fields.get("currency") or "USD"
    if currency not in reference().currencies:
        errors["currency"] = [f"Unknown currency {currency!r}: use an ISO 4217 code, e.g. USD."]
    elif refusal := currency_refusal(currency):
        errors["currency"] = [refusal]
    return errors


def _converted(fields: Mapping[str, Any], month: date) -> dict[str, Any] | None:
    """The stored figures of a row, its amount converted at the rate in force on the month's
    last day; None where the currency has no rate on that day."""
    currency = fields.get("currency") or "USD"
    rates = usd_rates({currency}, _last_day(month))
    if currency not in rates:
        return None
    rate, rate_day = rates[currency]
    amount = Decimal(str(fields["invoiced_amount"]))
    return {
        "delivered_volume": float(fields["delivered_volume"]),
        "invoiced_amount": amount,
        "currency": currency,
        "invoiced_usd": float(amount) * rate,
        "usd_rate": rate,
        "rate_date": rate_day,
        "note": (fields.get("note") or "").strip() or None,
    }


def check_delivery(
    plan: Plan, fields: Mapping[str, Any]
) -> tuple[CheckedDelivery | None, dict[str, list[str]]]:
    """A row (`DeliveryCreateSchema`'s fields) checked against the plan: the row ready to store,
    or None and what is wrong, by field."""
    need_id, errors = _key_errors(plan, fields)
    errors |= _figure_errors(fields)
    if errors:
        return None, errors
    assert need_id is not None  # _key_errors names an error where it finds no need
    figures = _converted(fields, fields["month"])
    if figures is None:
        return None, {
            "currency": [f"No exchange rate to US dollars for {fields.get('currency') or 'USD'!r}."]
        }
    return CheckedDelivery(fields["vendor_id"], need_id, fields["month"], figures), {}


def _same(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return all(before[name] == after[name] for name in FIGURES)


def _key_of(vendor_id: int, need_id: int, month: date) -> dict[str, Any]:
    """A row's key as the audit log keeps it."""
    return {"vendor_id": vendor_id, "need_id": need_id, "month": month_text(month)}


def recorded_rows(scenario: Scenario) -> dict[RowKey, Delivery]:
    """The scenario's recorded rows by vendor, need and month (for `save_checked`)."""
    rows = db.session.scalars(select(Delivery).where(Delivery.scenario_id == scenario.id))
    return {(row.vendor_id, row.need_id, row.month): row for row in rows}


def save_checked(
    scenario: Scenario,
    user: User,
    checked: CheckedDelivery,
    recorded: Mapping[RowKey, Delivery] | None = None,
) -> tuple[Delivery, str]:
    """Store a checked row: a new one, or the figures of the recorded one replaced.
    `recorded`: the scenario's rows by key (`recorded_rows`) where the caller saves many;
    without it the row of this key is looked up. The caller outdates the stored rankings
    (`bump`) once for all the rows it saves."""
    if recorded is not None:
        current = recorded.get((checked.vendor_id, checked.need_id, checked.month))
    else:
        current = db.session.scalars(
            select(Delivery).where(
                Delivery.scenario_id == scenario.id,
                Delivery.vendor_id == checked.vendor_id,
                Delivery.need_id == checked.need_id,
                Delivery.month == checked.month,
            )
        ).first()
    key = _key_of(checked.vendor_id, checked.need_id, checked.month)
    if current is None:
        delivery = Delivery(
            organization_id=scenario.organization_id,
            scenario_id=scenario.id,
            vendor_id=checked.vendor_id,
            need_id=checked.need_id,
            month=checked.month,
            created_by_id=user.id,
            **checked.figures,
        )
        db.session.add(delivery)
        insert_once(
            delivery,
            ConflictError(
                "This vendor, need and month were recorded by another request at the same "
                "moment: send yours again to replace its figures.",
                {"month": ["Recorded at the same moment."]},
            ),
        )
        record_event("delivery.record", delivery, actor=user, after={**key, **checked.figures})
        return delivery, RECORDED
    before = {name: getattr(current, name) for name in FIGURES}
    if _same(before, checked.figures):
        return current, UNCHANGED
    for name, value in checked.figures.items():
        setattr(current, name, value)
    save_changes(current, "delivery")
    record_event(
        "delivery.correct",
        current,
        actor=user,
        before={**key, **before},
        after={**key, **checked.figures},
    )
    return current, CORRECTED


def record_delivery(
    scenario: Scenario, user: User, fields: Mapping[str, Any]
) -> tuple[Delivery, str]:
    """Record one row (`DeliveryCreateSchema`'s fields) for an approved scenario, or replace the
    figures of the row recorded for its vendor, need and month. Returns the row and whether it
    was RECORDED, CORRECTED or UNCHANGED. ValidationFailed names the field."""
    approved_or_409(scenario)
    checked, errors = check_delivery(plan_of(scenario), fields)
    if checked is None:
        raise ValidationFailed(errors)
    delivery, outcome = save_checked(scenario, user, checked)
    if outcome != UNCHANGED:
        bump(scenario.organization_id)
    return delivery, outcome


def correct_delivery(
    delivery: Delivery, user: User, fields: Mapping[str, Any], sent: int | None
) -> Delivery:
    """Replace a row's figures (`DeliveryFiguresSchema`'s: every one again) against the version
    the caller loaded (409 on a stale one); its vendor, need and month stay (delete the row and
    record another to move it). Equal figures change nothing (no new version, no audit event)."""
    approved_or_409(delivery.scenario)
    check_version(delivery, sent, "delivery")
    errors = _figure_errors(fields)
    figures = None if errors else _converted(fields, delivery.month)
    if figures is None:
        raise ValidationFailed(errors or {"currency": ["No exchange rate to US dollars."]})
    before = {name: getattr(delivery, name) for name in FIGURES}
    if _same(before, figures):
        return delivery
    for name, value in figures.items():
        setattr(delivery, name, value)
    save_changes(delivery, "delivery", sent)
    key = _key_of(delivery.vendor_id, delivery.need_id, delivery.month)
    record_event(
        "delivery.correct",
        delivery,
        actor=user,
        before={**key, **before},
        after={**key, **figures},
    )
    bump(delivery.organization_id)
    return delivery


def delete_delivery(delivery: Delivery, user: User) -> None:
    """Remove a row recorded by mistake (its figures stay in the audit log)."""
    approved_or_409(delivery.scenario)
    before = {
        **_key_of(delivery.vendor_id, delivery.need_id, delivery.month),
        **{name: getattr(delivery, name) for name in FIGURES},
    }
    record_event("delivery.delete", delivery, actor=user, before=before)
    db.session.delete(delivery)
    db.session.flush()
    bump(delivery.organization_id)
