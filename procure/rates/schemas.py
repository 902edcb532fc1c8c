from datetime import date

from marshmallow import Schema, fields, validate

from procure.api_fields import MAX_RECORD_ID, FiniteNumber, RecordVersion
from procure.rates.models import MAX_USD_PER_UNIT, SOURCE_LENGTH

MAX_PER_PAGE = 500
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2100, 12, 31)


class CurrencyCode(fields.String):
    """An ISO 4217 code, read in capitals ("kes" is KES)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


CURRENCY = validate.Regexp(
    r"^[A-Z]{3}$", error="Unknown currency {input!r}: use an ISO 4217 code, e.g. KES."
)
USD_PER_UNIT = validate.Range(
    min=0,
    min_inclusive=False,
    max=MAX_USD_PER_UNIT,
    error=f"Give US dollars per unit: a number above 0 and at most {MAX_USD_PER_UNIT:,.0f}.",
)
SOURCE = validate.Length(
    min=1, max=SOURCE_LENGTH, error=f"Name the source in 1 to {SOURCE_LENGTH} characters."
)


class ExchangeRateSchema(Schema):
    id = fields.Integer(dump_only=True)
    currency = fields.String(dump_only=True, metadata={"description": "ISO 4217 code"})
    effective_date = fields.Date(
        dump_only=True,
        metadata={"description": "In force from this day until the currency's next rate"},
    )
    usd_per_unit = fields.Float(dump_only=True, metadata={"description": "US dollars per unit"})
    source = fields.String(dump_only=True)
    created_by_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "None: seeded from fx.toml"}
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class ExchangeRateCreateSchema(Schema):
    currency = CurrencyCode(
        required=True,
        validate=CURRENCY,
        metadata={"description": "ISO 4217 code of a cash currency other than USD"},
    )
    effective_date = fields.Date(
        required=True,
        validate=validate.Range(
            min=FIRST_DATE,
            max=LAST_DATE,
            error=f"Give a day from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}.",
        ),
        error_messages={
            "invalid": "Enter a whole date: pick it in the calendar, or type it as YYYY-MM-DD "
            "(2026-01-31)."
        },
        metadata={"description": "ISO date from which the rate is in force"},
    )
    usd_per_unit = FiniteNumber(
        required=True,
        validate=USD_PER_UNIT,
        metadata={"description": "US dollars per unit of the currency (KES: about 0.0077)"},
    )
    source = fields.String(
        required=True, validate=SOURCE, metadata={"description": "Where the rate comes from"}
    )


class ExchangeRateCorrectionSchema(Schema):
    usd_per_unit = FiniteNumber(validate=USD_PER_UNIT)
    source = fields.String(validate=SOURCE)
    version = RecordVersion(
        required=True, metadata={"description": "The version you corrected; a stale one gets 409."}
    )


class ExchangeRateQuerySchema(Schema):
    currency = CurrencyCode(
        load_default=None, validate=CURRENCY, metadata={"description": "Only this currency"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_RECORD_ID))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ExchangeRatePageSchema(Schema):
    items = fields.List(fields.Nested(ExchangeRateSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    per_page = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True, metadata={"description": "Rates on every page"})
    convertible = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "Every currency with a rate, USD included: the currencies offers, "
            "bids and disclosures may be entered in"
        },
    )
