"""A buyer's deliveries imported from a table (an ERP export as CSV or XLSX): every row read by
the API's schema and checked against the approved plan as one recorded through the API or the
page is (procure.deliveries.services), all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.deliveries.actuals import plan_of
from procure.deliveries.schemas import DeliveryCreateSchema
from procure.deliveries.services import (
    CORRECTED,
    RECORDED,
    UNCHANGED,
    CheckedDelivery,
    approved_or_409,
    check_delivery,
    recorded_rows,
    save_checked,
)
from procure.errors import ValidationFailed
from procure.forms import field_errors
from procure.scenarios.models import Scenario
from procure.scoring.versions import bump
from procure.vendors.capacity import month_text

MAX_IMPORT_ROWS = 10_000
IMPORT_COLUMNS = ("vendor_id", "need_id", "month", "delivered_volume", "invoiced_amount")
OPTIONAL_COLUMNS = ("need_id", "currency", "note")
ID_COLUMNS = ("vendor_id", "need_id")


def _cell(column: str, value: Any) -> Any:
    """A spreadsheet cell as the schema reads it: a whole number typed in an id column of an
    XLSX comes as a float (3.0), which is the id 3; any other fraction stays a fraction, which
    the schema refuses (it would cut 3.5 to 3)."""
    if column in ID_COLUMNS and isinstance(value, float):
        return int(value) if value.is_integer() else str(value)
    return value


def import_rows(scenario: Scenario, user: User, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Record every row of an uploaded table (`procure.spreadsheets.read_table`), all or
    nothing: each is read by `DeliveryCreateSchema` and checked against the plan, and a row
    repeating an earlier row's vendor, need and month is refused. ValidationFailed keys its
    messages `row N` (as a spreadsheet numbers it: the header is row 1), each naming the column;
    nothing is saved then. Returns how many rows were recorded, corrected and unchanged."""
    approved_or_409(scenario)
    if not rows:
        raise ValidationFailed({"file": ["The file has no data rows."]})
    missing = [c for c in IMPORT_COLUMNS if c not in rows[0] and c not in OPTIONAL_COLUMNS]
    if missing:
        raise ValidationFailed(
            {
                "file": [
                    f"Missing columns: {', '.join(missing)}. The columns are "
                    f"{', '.join(IMPORT_COLUMNS)} and, if you like, currency and note."
                ]
            }
        )
    plan = plan_of(scenario)
    schema = DeliveryCreateSchema()
    problems: dict[str, list[str]] = {}
    checked_rows: list[CheckedDelivery] = []
    first_row: dict[tuple[int, int, date], int] = {}
    for number, raw in enumerate(rows, start=2):
        body = {
            column: _cell(column, value)
            for column, value in raw.items()
            if column in schema.load_fields and value is not None
        }
        try:
            fields = schema.load(body)
        except ValidationError as refused:
            problems[f"row {number}"] = _by_column(field_errors(refused.messages))
            continue
        checked, errors = check_delivery(plan, fields)
        if checked is None:
            problems[f"row {number}"] = _by_column(errors)
            continue
        key = (checked.vendor_id, checked.need_id, checked.month)
        if key in first_row:
            problems[f"row {number}"] = [
                f"month: vendor {key[0]}, need {key[1]} and {month_text(key[2])} are on row "
                f"{first_row[key]} already."
            ]
            continue
        first_row[key] = number
        checked_rows.append(checked)
    if problems:
        raise ValidationFailed(
            problems, "Nothing was imported: fix the rows listed and upload the file again."
        )
    counts = {RECORDED: 0, CORRECTED: 0, UNCHANGED: 0}
    ids = []
    recorded = recorded_rows(scenario)  # one query, not one a row
    for checked in checked_rows:
        delivery, outcome = save_checked(scenario, user, checked, recorded)
        counts[outcome] += 1
        ids.append(delivery.id)
    if counts[RECORDED] or counts[CORRECTED]:
        bump(scenario.organization_id)  # the stored rankings are outdated once, not once a row
    record_event(
        "delivery.import", scenario, actor=user, after={"rows": len(checked_rows), **counts}
    )
    return {**counts, "delivery_ids": ids}


def _by_column(errors: Mapping[str, list[str]]) -> list[str]:
    return [f"{column}: {' '.join(messages)}" for column, messages in errors.items()]
