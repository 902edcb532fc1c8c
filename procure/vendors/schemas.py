from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordVersion
from procure.vendors.categories import UNITS


class Code(fields.String):
    """An ISO code (country, currency): read in capitals, so "ke" is KE."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


COUNTRY = validate.Length(equal=2, error="Unknown country code {input!r}: use ISO 3166-1 alpha-2.")
HEAD_OFFICE = validate.Length(
    equal=2, error="Unknown country code {input!r}: use ISO 3166-1 alpha-2, e.g. KE."
)
CURRENCY = validate.Length(
    equal=3, error="Unknown currency {input!r}: use an ISO 4217 code, e.g. USD."
)


class SiteSchema(Schema):
    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, error="Give the site a name."), validate.Length(max=120)],
    )
    city = fields.String(load_default="", validate=validate.Length(max=120))
    country = Code(required=True, validate=COUNTRY)


VENDOR_NAME = [validate.Length(min=1, error="Give the vendor a name."), validate.Length(max=200)]


class VendorSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    name = fields.String(validate=VENDOR_NAME)
    country = Code(required=True, validate=HEAD_OFFICE)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    service_categories = fields.List(fields.String(), load_default=list)
    sites = fields.List(fields.Nested(SiteSchema), load_default=list)
    version = fields.Integer(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class VendorUpdateSchema(Schema):
    name = fields.String(validate=VENDOR_NAME)
    country = Code(validate=HEAD_OFFICE)
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
    price = FiniteNumber(required=True, metadata={"description": "Per unit, in `currency`"})
    currency = Code(required=True, validate=CURRENCY)
    capacity_per_period = FiniteNumber(required=True, validate=validate.Range(min=0))
    quality = FiniteNumber(required=True, validate=validate.Range(min=0, max=1))
    active = fields.Boolean(load_default=True)
    version = fields.Integer(dump_only=True)


class OfferUpdateSchema(Schema):
    service_category = fields.String()
    unit = fields.String(validate=validate.OneOf(UNITS))
    price = FiniteNumber()
    currency = Code(validate=CURRENCY)
    capacity_per_period = FiniteNumber(validate=validate.Range(min=0))
    quality = FiniteNumber(validate=validate.Range(min=0, max=1))
    active = fields.Boolean()
    version = RecordVersion(required=True)
