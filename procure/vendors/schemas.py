from marshmallow import Schema, fields, validate

from procure.api_fields import RecordVersion
from procure.vendors.categories import UNITS


class SiteSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    city = fields.String(load_default="", validate=validate.Length(max=120))
    country = fields.String(required=True, validate=validate.Length(equal=2))


class VendorSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    name = fields.String(validate=validate.Length(min=1, max=200))
    country = fields.String(required=True, validate=validate.Length(equal=2))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    service_categories = fields.List(fields.String(), load_default=list)
    sites = fields.List(fields.Nested(SiteSchema), load_default=list)
    version = fields.Integer(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class VendorUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    country = fields.String(validate=validate.Length(equal=2))
    description = fields.String(validate=validate.Length(max=5000))
    service_categories = fields.List(fields.String())
    sites = fields.List(fields.Nested(SiteSchema))
    version = RecordVersion(
        required=True, metadata={"description": "The version you edited; a stale one gets 409."}
    )


class VendorQuerySchema(Schema):
    category = fields.String(
        metadata={"description": "Only vendors offering this service category"}
    )
    country = fields.String()


class OfferSchema(Schema):
    id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    service_category = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    price = fields.Float(
        required=True, allow_nan=False, metadata={"description": "Per unit, in `currency`"}
    )
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    capacity_per_period = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(min=0)
    )
    quality = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1))
    active = fields.Boolean(load_default=True)
    version = fields.Integer(dump_only=True)


class OfferUpdateSchema(Schema):
    service_category = fields.String()
    unit = fields.String(validate=validate.OneOf(UNITS))
    price = fields.Float(allow_nan=False)
    currency = fields.String(validate=validate.Length(equal=3))
    capacity_per_period = fields.Float(allow_nan=False, validate=validate.Range(min=0))
    quality = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1))
    active = fields.Boolean()
    version = RecordVersion(required=True)
