from datetime import UTC, date

from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.events.services import (
    BID_STATUSES,
    MAX_COMMENT_LENGTH,
    MAX_COMPANY_NAME_LENGTH,
    MAX_LOTS,
    MAX_MESSAGE_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_VENDORS_INVITED,
)
from procure.invitations.schemas import InvitationCreatedSchema
from procure.states import EventState, InvitationState
from procure.vendors.categories import UNITS
from procure.vendors.models import MAX_HOURS_PER_UNIT
from procure.vendors.schemas import CURRENCY, Code
from scoring.fields import EVIDENCE_LEVELS

FIRST_YEAR, LAST_YEAR = 2000, 2999
MAX_CAPACITY = 1e12  # units in a lot's period: far above any real lot, below any overflow


class UTCMoment(fields.AwareDateTime):
    """A moment as ISO 8601 ("2026-12-31T17:00:00Z"); without an offset it is read as UTC. Kept
    in UTC, between the years 2000 and 2999."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise self.make_error("invalid", input=value, obj_type="datetime")
        return moment


DAY_RANGE = validate.Range(
    min=date(FIRST_YEAR, 1, 1),
    max=date(LAST_YEAR, 12, 31),
    error=f"Choose a day of the years {FIRST_YEAR} to {LAST_YEAR}.",
)


class EventCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE_LENGTH))
    message = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_MESSAGE_LENGTH),
        metadata={"description": "Shown to the invited vendors"},
    )
    need_ids = fields.List(
        RecordId(),
        required=True,
        validate=validate.Length(max=MAX_LOTS),
        metadata={"description": "Needs of your organization: each becomes a lot"},
    )
    vendor_ids = fields.List(
        RecordId(),
        required=True,
        validate=validate.Length(max=MAX_VENDORS_INVITED),
        metadata={"description": "Vendors on the platform invited to bid on every lot"},
    )
    deadline = UTCMoment(
        required=True,
        metadata={"description": "Bids are taken until this moment (UTC when no offset is given)"},
    )
    sealed = fields.Boolean(
        load_default=True,
        metadata={"description": "Your side reads no bid before the event is closed"},
    )
    min_quality = FiniteNumber(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1)
    )
    evidence_required = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(EVIDENCE_LEVELS),
        metadata={"description": "The least effective evidence level asked (shown to vendors)"},
    )
    show_rank_bands = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Once awarded, each bidder given no volume reads its own price rank "
            "band per lot (none on a lot with fewer than 4 comparable bids)"
        },
    )


class EventVersionSchema(Schema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class EventExtendSchema(EventVersionSchema):
    deadline = UTCMoment(
        required=True, metadata={"description": "After the current deadline and after now"}
    )


class LotSchema(Schema):
    id = fields.Integer(dump_only=True)
    need_id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    service_category = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    volume = fields.Float(dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)


class _BidStatusSchema(Schema):
    """An invited vendor's status on one lot, or over the event: whether it bid, never what."""

    has_bid = fields.Boolean(dump_only=True, metadata={"description": "Whether, never what"})
    status = fields.String(
        dump_only=True,
        validate=validate.OneOf(BID_STATUSES),
        metadata={
            "description": "bid: it has a bid (on the lot; over the event, on some lot); "
            "withdrawn: it withdrew its bid and has none there; none: it never bid there"
        },
    )
    withdrawn_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Its last withdrawal (from the lot; over the event, any lot)"},
    )


class LotStatusSchema(_BidStatusSchema):
    lot_id = fields.Integer(dump_only=True)
    lot = fields.String(dump_only=True, metadata={"description": "The lot's title"})
    words = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": 'While withdrawn: "withdrawn from lot X on 2027-01-05 10:30 UTC"'},
    )


class EvidenceStandingSchema(Schema):
    """Where an invited vendor's evidence stands today against the event's evidence rule, as the
    event's page shows it ("Evidence today")."""

    disclosed = fields.Boolean(
        dump_only=True,
        metadata={"description": "Whether it has a submitted disclosure you have not rejected"},
    )
    meets = fields.Boolean(dump_only=True, metadata={"description": "Whether it meets the rule"})
    shortfall = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why it falls short, in words"}
    )
    levels = fields.Method(
        "_levels",
        dump_only=True,
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "Per evidence section, in order: {section, level (an evidence level "
            "code), label (the level in words)}; empty without a disclosure",
        },
    )

    def _levels(self, standing) -> list[dict[str, str]]:
        return [
            {"section": section, "level": level, "label": label}
            for (section, level), (_, label) in zip(standing.codes, standing.levels, strict=True)
        ]


class InvitedSchema(_BidStatusSchema):
    vendor_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    lots = fields.List(
        fields.Nested(LotStatusSchema),
        dump_only=True,
        metadata={"description": "Its status on each lot: it may withdraw from one, bid on others"},
    )
    evidence = fields.Nested(
        EvidenceStandingSchema,
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Its evidence per section today against the event's evidence rule; "
            "null when the event sets none"
        },
    )


class InvitedByEmailSchema(Schema):
    invitation_id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    company_name = fields.String(dump_only=True)
    state = fields.String(
        dump_only=True, validate=validate.OneOf([state.value for state in InvitationState])
    )
    organization = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The vendor organization that accepted the invitation"},
    )


class EventInviteByEmailSchema(Schema):
    email = fields.String(
        required=True,
        validate=validate.Length(max=254),
        metadata={"description": "The vendor's address: whoever will run its account"},
    )
    company_name = fields.String(
        required=True,
        validate=validate.Length(max=MAX_COMPANY_NAME_LENGTH),
        metadata={"description": "The company invited, as the event shows it"},
    )


class EventInvitationCreatedSchema(InvitationCreatedSchema):
    event_id = fields.Integer(dump_only=True)
    company_name = fields.String(dump_only=True)
    link = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "A new invitation's one-time link, shown in this response only; null "
            "when a pending invitation to the address was reused (its link went out already)"
        },
    )
    reused = fields.Boolean(
        dump_only=True,
        metadata={"description": "Whether a pending invitation to the address now carries it"},
    )


class EventSchema(Schema):
    id = fields.Integer(dump_only=True)
    buyer = fields.String(dump_only=True, attribute="organization.name")
    title = fields.String(dump_only=True)
    message = fields.String(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, validate=validate.OneOf(tuple(EventState)))
    deadline = fields.DateTime(dump_only=True)
    sealed = fields.Boolean(dump_only=True)
    min_quality = fields.Float(dump_only=True, allow_none=True)
    evidence_required = fields.String(dump_only=True, allow_none=True)
    show_rank_bands = fields.Boolean(dump_only=True)
    bids_unsealed = fields.Boolean(
        dump_only=True, metadata={"description": "Whether the buyer side reads the bids"}
    )
    created_at = fields.DateTime(dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    ended_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    lots = fields.List(fields.Nested(LotSchema), dump_only=True)


class EventDetailSchema(EventSchema):
    invited = fields.List(
        fields.Nested(InvitedSchema),
        dump_only=True,
        metadata={
            "description": "For the buyer side only: each vendor invited, and whether it bid"
        },
    )
    invited_by_email = fields.List(
        fields.Nested(InvitedByEmailSchema),
        dump_only=True,
        metadata={"description": "For the buyer side only: the vendors invited by email"},
    )


class BidFiguresSchema(Schema):
    price = FiniteNumber(
        required=True, metadata={"description": "Per unit of the lot, in `currency`"}
    )
    currency = Code(required=True, validate=CURRENCY)
    unit = fields.String(
        required=True, validate=validate.OneOf(UNITS), metadata={"description": "The lot's unit"}
    )
    hours_per_unit = FiniteNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_HOURS_PER_UNIT, min_inclusive=False),
        metadata={"description": "Labour hours one unit takes: required for item and task lots"},
    )
    capacity = FiniteNumber(
        required=True,
        validate=validate.Range(max=MAX_CAPACITY),
        metadata={"description": "Units you can deliver in the lot's period"},
    )
    valid_until = fields.Date(
        required=True,
        validate=DAY_RANGE,
        metadata={"description": "The last day the bid holds: the deadline's day or later"},
    )
    comment = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_COMMENT_LENGTH)
    )


class BidCreateSchema(BidFiguresSchema):
    lot_id = RecordId(required=True)


class BidAmendSchema(BidFiguresSchema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class BidWithdrawSchema(Schema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class BidSchema(Schema):
    id = fields.Integer(dump_only=True)
    event_id = fields.Integer(dump_only=True)
    lot_id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    vendor = fields.String(dump_only=True, attribute="vendor.name")
    price = fields.Float(dump_only=True)
    currency = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    hours_per_unit = fields.Float(dump_only=True)
    capacity = fields.Float(dump_only=True)
    valid_until = fields.Date(dump_only=True)
    comment = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class BidSheetFileSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The event's bid sheet (XLSX) as downloaded, its figures filled in",
        },
    )


class BidSheetResultSchema(Schema):
    placed = fields.Integer(metadata={"description": "Lots bid on for the first time"})
    amended = fields.Integer(metadata={"description": "Bids whose figures changed"})
    unchanged = fields.Integer(metadata={"description": "Rows equal to the current bid"})
    bid_ids = fields.List(fields.Integer())
