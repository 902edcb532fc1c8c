"""Deliveries API schemas: a row to record (the page's form and each row of an import are read by
the same schema), a correction, a row as stored, an import's summary, and projected against
actual (procure.deliveries.actuals)."""

from __future__ import annotations

import re
from datetime import date, datetime

from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.vendors.schemas import CURRENCY, Code

FIRST_YEAR, LAST_YEAR = 2000, 2999
MAX_VOLUME = 1e12  # units in a month: far above any real delivery, below any overflow
MAX_AMOUNT = (
    1e12  # an invoice's amount in its currency: the column holds 14 digits before the point
)
MAX_NOTE_LENGTH = 2000
# "2026-03", or a day in it: "2026-03-15", as a spreadsheet's date cell may be written out
# ("2026-03-15 00:00:00")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]*)?")


class Month(fields.String):
    """A calendar month as YYYY-MM, or a date in it (YYYY-MM-DD, or a spreadsheet's date cell),
    kept as the month's first day; shown as YYYY-MM. Years 2000 to 2999."""

    default_error_messages = {
        "invalid": "Give a month as YYYY-MM (or a date in it as YYYY-MM-DD): {input!r} is not one.",
        "range": f"Give a month of the years {FIRST_YEAR} to {LAST_YEAR}.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, str):
            day = self._parse(value.strip())
        else:
            raise self.make_error("invalid", input=value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.make_error("range")
        return day.replace(day=1)

    def _parse(self, text: str) -> date:
        try:
            if month := _MONTH.fullmatch(text):
                return date(int(month.group(1)), int(month.group(2)), 1)
            if day := _DAY.fullmatch(text):
                return date.fromisoformat(day.group(1))
        except ValueError:
            pass
        raise self.make_error("invalid", input=text)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:%Y-%m}"


def _not_negative(what: str, largest: float) -> validate.Range:
    return validate.Range(
        min=0, max=largest, error=f"Give {what} of 0 or more (at most {largest:,.0f})."
    )


class DeliveryFiguresSchema(Schema):
    delivered_volume = FiniteNumber(
        required=True,
        validate=_not_negative("a volume", MAX_VOLUME),
        metadata={
            "description": "Delivered in the month, in the need's unit (hours, items, tasks)"
        },
    )
    invoiced_amount = FiniteNumber(
        required=True,
        validate=_not_negative("an amount", MAX_AMOUNT),
        metadata={"description": "Invoiced for the month's delivery, in `currency`"},
    )
    currency = Code(
        load_default="USD",
        validate=CURRENCY,
        metadata={"description": "ISO 4217; converted to USD at the rate of the month's last day"},
    )
    note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_NOTE_LENGTH)
    )


class DeliveryCreateSchema(DeliveryFiguresSchema):
    vendor_id = RecordId(
        required=True, metadata={"description": "A vendor the approved plan allocates work to"}
    )
    need_id = RecordId(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "A need the plan holds for the vendor; may be left out when the "
            "vendor holds exactly one"
        },
    )
    month = Month(
        required=True,
        metadata={"description": "YYYY-MM (or a date in it), within the need's period"},
    )


class DeliveryUpdateSchema(DeliveryFiguresSchema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class DeliverySchema(Schema):
    id = fields.Integer(dump_only=True)
    scenario_id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    vendor = fields.String(dump_only=True, attribute="vendor.name")
    need_id = fields.Integer(dump_only=True)
    need = fields.String(dump_only=True, attribute="need.title")
    unit = fields.String(dump_only=True, attribute="need.unit")
    month = Month(dump_only=True)
    delivered_volume = fields.Float(dump_only=True)
    invoiced_amount = fields.Float(dump_only=True)
    currency = fields.String(dump_only=True)
    invoiced_usd = fields.Float(
        dump_only=True, metadata={"description": "As converted when recorded"}
    )
    usd_rate = fields.Float(dump_only=True, metadata={"description": "USD per unit of currency"})
    rate_date = fields.Date(dump_only=True, metadata={"description": "The rate's date"})
    note = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class DeliveryFileSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "CSV or XLSX: vendor_id, need_id (optional), month, delivered_volume, "
            "invoiced_amount, currency (optional), note (optional)",
        },
    )


class DeliveryImportResultSchema(Schema):
    recorded = fields.Integer(metadata={"description": "Rows new to the plan"})
    corrected = fields.Integer(metadata={"description": "Rows that replaced recorded figures"})
    unchanged = fields.Integer(metadata={"description": "Rows equal to what was recorded"})
    delivery_ids = fields.List(fields.Integer())


# ---------------------------------------------------------------- projected against actual


def _number(description: str = "", **kwargs) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description}, **kwargs)


class _AllocatedAndDeliveredSchema(Schema):
    """The figures to date that a plan, a vendor and a vendor's need all carry."""

    allocated_volume = _number("In `unit`; null where the units differ")
    delivered_volume = _number("In `unit`; null where the units differ")
    allocated_hours = _number("Labour hours the plan allocated to date")
    delivered_hours = _number("Delivered volume × the plan's hours per unit")
    unknown_share_hours = _number("Delivered hours with no disclosure to apply")
    actual_impact_worker_hours = _number()
    delivery_reliability = _number("Delivered hours / allocated hours")
    planned_spend = _number("The plan's cost to date, USD")
    invoiced_spend = _number("Invoiced, USD")


class ToDateSchema(_AllocatedAndDeliveredSchema):
    """Figures to date: the months up to the latest month delivered."""

    unit = fields.String(allow_none=True, metadata={"description": "Where all work is one unit"})
    projected_share = _number("The vendor's impact-worker share in the plan (0–1)")
    actual_share = _number("Actual impact-worker hours / delivered hours with a share (0–1)")
    projected_impact_worker_hours = _number()
    variance = _number("Actual − projected impact-worker hours")
    volume_effect = _number("(Delivered − allocated hours) × the plan's share")
    share_effect = _number("Delivered hours × (actual − the plan's share)")
    projected_jobs = _number("Projected impact-worker hours / hours per FTE-year")
    actual_jobs = _number("Actual impact-worker hours / hours per FTE-year")
    planned_cost_per_job = _number("Planned spend / projected jobs")
    actual_cost_per_job = _number("Invoiced spend / actual jobs")


class WholePeriodSchema(Schema):
    unit = fields.String(allow_none=True)
    volume = _number()
    hours = _number()
    impact_worker_hours = _number()
    jobs = _number()
    spend = _number("USD")


class ActualMonthSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    delivered_volume = _number()
    delivered_hours = _number()
    invoiced_spend = _number("USD")
    actual_share = _number("The share applied (0–1); null: unknown")
    actual_impact_worker_hours = _number()
    disclosure_id = fields.Integer(allow_none=True)
    flagged = fields.Boolean(
        metadata={"description": "The share is from an earlier period's disclosure, or unknown"}
    )


class ActualNeedSchema(_AllocatedAndDeliveredSchema):
    need_id = fields.Integer()
    need = fields.String()
    unit = fields.String()
    hours_per_unit = _number("The plan's hours per unit for this vendor and need")
    delivery_reliability = _number("Delivered volume / allocated volume to date")
    months = fields.List(fields.Nested(ActualMonthSchema))


class ActualVendorSchema(Schema):
    vendor_id = fields.Integer()
    vendor = fields.String()
    to_date = fields.Nested(ToDateSchema)
    whole_period = fields.Nested(WholePeriodSchema)
    needs = fields.List(fields.Nested(ActualNeedSchema))
    flags = fields.List(fields.String())
    sentences = fields.List(fields.String())


class ActualsSchema(Schema):
    scenario_id = fields.Integer()
    deliveries = fields.Integer(metadata={"description": "Delivery rows recorded"})
    through = fields.String(
        allow_none=True, metadata={"description": "The latest month delivered (YYYY-MM)"}
    )
    counts_hours = fields.Boolean(metadata={"description": "A version 2 problem document"})
    hours_per_fte_year = _number()
    to_date = fields.Nested(ToDateSchema)
    whole_period = fields.Nested(WholePeriodSchema)
    vendors = fields.List(fields.Nested(ActualVendorSchema))
    flags = fields.List(fields.String())
    sentences = fields.List(fields.String())
