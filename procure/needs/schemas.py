from typing import Any

from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordVersion
from procure.vendors.categories import UNITS

TITLE = [validate.Length(min=1, error="Give the need a title."), validate.Length(max=200)]
DATE_MESSAGES: dict[str, Any] = {
    "invalid": "Enter a whole date: pick it in the calendar, or type it as YYYY-MM-DD (2026-12-31)."
}
VOLUME_MESSAGES = {"required": "Enter the volume.", "null": "Enter the volume."}
MAX_VENDORS_HELP = "Whole number 1-1000: at most this many vendors get volume; null: no limit"
MIN_AWARD_HELP = (
    "Units of the need's unit, above 0 and at most the volume: each vendor that gets volume "
    "gets at least this in total over its price lines (rate-card offers or bids); null: no "
    "minimum"
)


class WholeCount(FiniteNumber):
    """A count read as any number (the service refuses one with a fraction, naming the field,
    rather than cutting 2.5 down to 2) and written as a whole number."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else int(value)


class NeedSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=TITLE)
    service_category = fields.String(required=True)
    volume = FiniteNumber(
        required=True,
        error_messages=VOLUME_MESSAGES,
        metadata={"description": "Units of work in the period"},
    )
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    period_start = fields.Date(required=True, error_messages=DATE_MESSAGES)
    period_end = fields.Date(required=True, error_messages=DATE_MESSAGES)
    budget_usd = FiniteNumber(allow_none=True, load_default=None)
    min_quality = FiniteNumber(load_default=0.0, metadata={"description": "0-1"})
    max_vendor_share = FiniteNumber(load_default=1.0, metadata={"description": "0-1 of the volume"})
    min_avg_impact = FiniteNumber(
        allow_none=True,
        load_default=None,
        metadata={"description": "0-100, volume-weighted impact score"},
    )
    min_impact_spend_share = FiniteNumber(
        allow_none=True,
        load_default=None,
        metadata={"description": "0-1 of spend with impact vendors"},
    )
    max_vendors = WholeCount(
        allow_none=True, load_default=None, metadata={"description": MAX_VENDORS_HELP}
    )
    min_award = FiniteNumber(
        allow_none=True, load_default=None, metadata={"description": MIN_AWARD_HELP}
    )
    archived = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class NeedUpdateSchema(Schema):
    title = fields.String(validate=TITLE)
    service_category = fields.String()
    volume = FiniteNumber(error_messages=VOLUME_MESSAGES)
    unit = fields.String(validate=validate.OneOf(UNITS))
    period_start = fields.Date(error_messages=DATE_MESSAGES)
    period_end = fields.Date(error_messages=DATE_MESSAGES)
    budget_usd = FiniteNumber(allow_none=True)
    min_quality = FiniteNumber()
    max_vendor_share = FiniteNumber()
    min_avg_impact = FiniteNumber(allow_none=True)
    min_impact_spend_share = FiniteNumber(allow_none=True)
    max_vendors = WholeCount(allow_none=True, metadata={"description": MAX_VENDORS_HELP})
    min_award = FiniteNumber(allow_none=True, metadata={"description": MIN_AWARD_HELP})
    archived = fields.Boolean()
    version = RecordVersion(required=True)


class NeedQuerySchema(Schema):
    include_archived = fields.Boolean(load_default=False)
