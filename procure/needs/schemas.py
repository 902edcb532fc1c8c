from marshmallow import Schema, fields, validate

from procure.api_fields import RecordVersion
from procure.vendors.categories import UNITS


class NeedSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    service_category = fields.String(required=True)
    volume = fields.Float(
        required=True, allow_nan=False, metadata={"description": "Units of work in the period"}
    )
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    budget_usd = fields.Float(allow_none=True, load_default=None, allow_nan=False)
    min_quality = fields.Float(load_default=0.0, allow_nan=False, metadata={"description": "0-1"})
    max_vendor_share = fields.Float(
        load_default=1.0, allow_nan=False, metadata={"description": "0-1 of the volume"}
    )
    min_avg_impact = fields.Float(
        allow_none=True,
        load_default=None,
        allow_nan=False,
        metadata={"description": "0-100, volume-weighted impact score"},
    )
    min_impact_spend_share = fields.Float(
        allow_none=True,
        load_default=None,
        allow_nan=False,
        metadata={"description": "0-1 of spend with impact vendors"},
    )
    archived = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class NeedUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    service_category = fields.String()
    volume = fields.Float(allow_nan=False)
    unit = fields.String(validate=validate.OneOf(UNITS))
    period_start = fields.Date()
    period_end = fields.Date()
    budget_usd = fields.Float(allow_none=True, allow_nan=False)
    min_quality = fields.Float(allow_nan=False)
    max_vendor_share = fields.Float(allow_nan=False)
    min_avg_impact = fields.Float(allow_none=True, allow_nan=False)
    min_impact_spend_share = fields.Float(allow_none=True, allow_nan=False)
    archived = fields.Boolean()
    version = RecordVersion(required=True)


class NeedQuerySchema(Schema):
    include_archived = fields.Boolean(load_default=False)
