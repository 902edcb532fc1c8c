import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from procure.api_fields import FiniteNumber, RecordVersion
from procure.vendors.capacity import FIRST_MONTH, LAST_MONTH
from procure.vendors.categories import UNITS, service_categories
from procure.vendors.models import MAX_HOURS_PER_UNIT


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


class Month(fields.String):
    """A calendar month written YYYY-MM (2026-07), read as the date of its first day, from
    2000-01 to 2100-12."""

    default_error_messages = {
        "month": "Give the month as YYYY-MM, e.g. 2026-07 (not {input!r}).",
        "month_range": "Give a month from 2000-01 to 2100-12 (not {input}).",
    }

    def __init__(self, **kwargs):
        metadata = {"pattern": r"^\d{4}-\d{2}$", "example": "2026-07", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value.year:04d}-{value.month:02d}"

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        matched = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not matched or not 1 <= int(matched[2]) <= 12:
            raise self.make_error("month", input=text)
        month = date(int(matched[1]), int(matched[2]), 1)
        if not FIRST_MONTH <= month <= LAST_MONTH:
            raise self.make_error("month_range", input=text)
        return month


# One change per month; 2000-01 to 2100-12 holds 1,212 of them.
MOST_CHANGES = validate.Length(max=1212, error="At most {max} changes, one per month.")
NOT_NEGATIVE = validate.Range(min=0, error="Capacity cannot be negative.")


class VendorCapacityChangeSchema(Schema):
    from_month = Month(
        required=True, metadata={"description": "The first month the new capacity holds"}
    )
    hours_per_month = FiniteNumber(
        required=True,
        validate=NOT_NEGATIVE,
        metadata={"description": "Labour hours per month from `from_month` onward"},
    )


class OfferCapacityChangeSchema(Schema):
    from_month = Month(required=True, metadata={"description": "The first month the new cap holds"})
    units_per_month = FiniteNumber(
        required=True,
        validate=NOT_NEGATIVE,
        metadata={"description": "Units (of the offer's `unit`) per month from `from_month` on"},
    )


VENDOR_HOURS = {
    "description": "Labour hours per month the vendor has for all its work, shared by every "
    "offer and need; null: not stated (no limit). `capacity_changes` change it from a month on."
}
VENDOR_CHANGES = {
    "description": "Changes of `capacity_hours_per_month` from a month onward (one per month). "
    "An edit that sends the list replaces the whole list."
}


class VendorSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    name = fields.String(validate=VENDOR_NAME)
    country = Code(required=True, validate=HEAD_OFFICE)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    service_categories = fields.List(fields.String(), load_default=list)
    sites = fields.List(fields.Nested(SiteSchema), load_default=list)
    capacity_hours_per_month = FiniteNumber(
        load_default=None, allow_none=True, validate=NOT_NEGATIVE, metadata=VENDOR_HOURS
    )
    capacity_changes = fields.List(
        fields.Nested(VendorCapacityChangeSchema),
        load_default=list,
        validate=MOST_CHANGES,
        metadata=VENDOR_CHANGES,
    )
    version = fields.Integer(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class VendorUpdateSchema(Schema):
    name = fields.String(validate=VENDOR_NAME)
    country = Code(validate=HEAD_OFFICE)
    description = fields.String(validate=validate.Length(max=5000))
    service_categories = fields.List(fields.String())
    sites = fields.List(fields.Nested(SiteSchema))
    capacity_hours_per_month = FiniteNumber(
        allow_none=True, validate=NOT_NEGATIVE, metadata=VENDOR_HOURS
    )
    capacity_changes = fields.List(
        fields.Nested(VendorCapacityChangeSchema), validate=MOST_CHANGES, metadata=VENDOR_CHANGES
    )
    version = RecordVersion(
        required=True, metadata={"description": "The version you edited; a stale one gets 409."}
    )


def listed_category(key: str) -> None:
    """Refuse a service category that is not listed (a retired one is listed: its offers still
    price). Empty means every category."""
    if key and key not in service_categories():
        raise ValidationError(f"Unknown service category {key!r}.")


class VendorQuerySchema(Schema):
    category = fields.String(
        metadata={"description": "Only vendors offering this service category"}
    )
    country = fields.String()


HOURS_PER_UNIT = validate.Range(
    min=0,
    max=MAX_HOURS_PER_UNIT,
    min_inclusive=False,
    error=f"Hours per unit must be above 0 and at most {MAX_HOURS_PER_UNIT:,.0f}.",
)
HOURS_HELP = {
    "description": "The labour hours one unit takes, the vendor's own figure: required for "
    "`item` and `task` offers (above 0, at most 1,000); always 1 for `hour` offers (leave it out "
    "or send 1)."
}
OFFER_CAP = {
    "description": "The offer's own cap in units per month; null: none (only the vendor's "
    "monthly hours limit it). `capacity_changes` change it from a month on."
}
OFFER_CHANGES = {
    "description": "Changes of `capacity_per_period` from a month onward (one per month). "
    "An edit that sends the list replaces the whole list."
}


class OfferSchema(Schema):
    id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    service_category = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    price = FiniteNumber(required=True, metadata={"description": "Per unit, in `currency`"})
    currency = Code(required=True, validate=CURRENCY)
    hours_per_unit = FiniteNumber(allow_none=True, validate=HOURS_PER_UNIT, metadata=HOURS_HELP)
    capacity_per_period = FiniteNumber(
        load_default=None, allow_none=True, validate=NOT_NEGATIVE, metadata=OFFER_CAP
    )
    capacity_changes = fields.List(
        fields.Nested(OfferCapacityChangeSchema),
        load_default=list,
        validate=MOST_CHANGES,
        metadata=OFFER_CHANGES,
    )
    quality = FiniteNumber(required=True, validate=validate.Range(min=0, max=1))
    active = fields.Boolean(load_default=True)
    version = fields.Integer(dump_only=True)


class OfferUpdateSchema(Schema):
    service_category = fields.String()
    unit = fields.String(validate=validate.OneOf(UNITS))
    price = FiniteNumber()
    currency = Code(validate=CURRENCY)
    hours_per_unit = FiniteNumber(allow_none=True, validate=HOURS_PER_UNIT, metadata=HOURS_HELP)
    capacity_per_period = FiniteNumber(allow_none=True, validate=NOT_NEGATIVE, metadata=OFFER_CAP)
    capacity_changes = fields.List(
        fields.Nested(OfferCapacityChangeSchema), validate=MOST_CHANGES, metadata=OFFER_CHANGES
    )
    quality = FiniteNumber(validate=validate.Range(min=0, max=1))
    active = fields.Boolean()
    version = RecordVersion(required=True)
