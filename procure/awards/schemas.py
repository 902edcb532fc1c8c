from marshmallow import Schema, fields

from procure.api_fields import RecordId


class AwardQuerySchema(Schema):
    event_id = RecordId(
        load_default=None, metadata={"description": "Only the lines of this event's award"}
    )


class AwardLineSchema(Schema):
    id = fields.Integer(dump_only=True)
    award_id = fields.Integer(dump_only=True)
    event_id = fields.Integer(dump_only=True)
    event = fields.String(dump_only=True, attribute="event.title")
    buyer = fields.String(dump_only=True, attribute="event.organization.name")
    lot_id = fields.Integer(dump_only=True)
    lot = fields.String(dump_only=True, attribute="lot.title", metadata={"description": "Its need"})
    vendor_id = fields.Integer(dump_only=True)
    vendor = fields.String(dump_only=True, attribute="vendor.name")
    volume = fields.Float(
        dump_only=True,
        attribute="shown_volume",
        metadata={"description": "In the lot's unit, to 2 decimals"},
    )
    unit = fields.String(dump_only=True)
    price = fields.Float(
        dump_only=True, metadata={"description": "The vendor's own bid price per unit"}
    )
    currency = fields.String(dump_only=True)
    amount = fields.Float(
        dump_only=True,
        metadata={"description": "volume x price, in `currency`, to the cent"},
    )
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    awarded_at = fields.DateTime(dump_only=True, attribute="award.awarded_at")


class RankBandSchema(Schema):
    lot_id = fields.Integer(dump_only=True)
    lot = fields.String(dump_only=True, metadata={"description": "Its need"})
    bids = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The lot's bids whose prices were compared (with a band only)"},
    )
    band = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Where your price stood among them, in words (halves from 4 bids, "
            "quarters from 8); none below 4 bids"
        },
    )


class EventAwardSchema(Schema):
    event_id = fields.Integer(dump_only=True)
    awarded = fields.Boolean(
        dump_only=True, metadata={"description": "Whether an award scenario was approved"}
    )
    awarded_at = fields.DateTime(dump_only=True, allow_none=True)
    scenario_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The approved award scenario (the buyer side only)"},
    )
    lines = fields.List(
        fields.Nested(AwardLineSchema),
        dump_only=True,
        metadata={"description": "The buyer side: every line; a vendor: its own (may be none)"},
    )
    rank_bands = fields.List(
        fields.Nested(RankBandSchema),
        dump_only=True,
        metadata={
            "description": "A vendor given no volume, when the event shows them: its own price "
            "rank band on each lot it bid on (the buyer side: none)"
        },
    )
