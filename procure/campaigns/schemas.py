from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from procure.api_fields import MAX_RECORD_ID, RecordVersion
from procure.campaigns.services import (
    MAX_CAMPAIGN_MESSAGE_LENGTH,
    MAX_EMAILS_INVITED,
    MAX_TITLE_LENGTH,
    MAX_VENDOR_MATCHES,
    MAX_VENDORS_ASKED,
)
from procure.states import CampaignStatus, CampaignVendorState, InvitationState

MAX_PAGE = 1_000_000
MAX_NAME_LENGTH = 200  # a vendor's name, as its profile keeps it
MAX_PER_PAGE = 100
FIRST_YEAR, LAST_YEAR = 1900, 2999
# a deadline is a day of these years, as the periods are: the reminders count weeks after it
DEADLINE_RANGE = validate.Range(
    min=date(FIRST_YEAR, 1, 1),
    max=date(LAST_YEAR, 12, 31),
    error=f"Choose a day of the years {FIRST_YEAR} to {LAST_YEAR}.",
)


class CampaignVendorsSchema(Schema):
    """The vendors a campaign asks: at its start, or more of them later."""

    vendor_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_RECORD_ID)),
        load_default=list,
        validate=validate.Length(max=MAX_VENDORS_ASKED),
        metadata={"description": "Vendors on the platform to ask"},
    )
    vendor_names = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_NAME_LENGTH)),
        load_default=list,
        validate=validate.Length(max=MAX_VENDORS_ASKED),
        metadata={
            "description": "Vendors on the platform to ask, by name (a pasted list): each must "
            "be a vendor's name, compared regardless of case and width"
        },
    )
    emails = fields.List(
        fields.String(validate=validate.Length(min=1, max=254)),
        load_default=list,
        validate=validate.Length(max=MAX_EMAILS_INVITED),
        metadata={
            "description": "Addresses to invite: each is invited (a one-time link, mailed or "
            "shown once in this answer) and asked once it registers, or once a vendor's user "
            "accepts for its vendor; an address with an account is answered alike, and one of "
            "your own organization's users is refused"
        },
    )


class CampaignCreateSchema(CampaignVendorsSchema):
    title = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_TITLE_LENGTH),
        metadata={"description": "Default: 'Impact disclosure <period>'"},
    )
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR),
        metadata={
            "description": "A calendar year's disclosure (1 Jan to 31 Dec), or give the "
            "period's first and last day instead"
        },
    )
    period_start = fields.Date(load_default=None, allow_none=True)
    period_end = fields.Date(load_default=None, allow_none=True)
    deadline = fields.Date(
        required=True,
        validate=DEADLINE_RANGE,
        metadata={"description": "The last day (UTC) to submit; today or later"},
    )
    message = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_CAMPAIGN_MESSAGE_LENGTH),
        metadata={"description": "Shown to each vendor asked, and in the invitations' mail"},
    )

    @validates_schema
    def _one_period(self, data, **_):
        year, start, end = data.get("year"), data.get("period_start"), data.get("period_end")
        if year is not None:
            if start is not None or end is not None:
                raise ValidationError(
                    "Give a year or the period's first and last day, not both.", "year"
                )
            return
        if start is None or end is None:
            missing = "period_start" if start is None else "period_end"
            raise ValidationError(
                "Give the year, or the period's first and last day.",
                "year" if start is None and end is None else missing,
            )
        if end <= start:
            raise ValidationError("The period must end after it starts.", "period_end")


class CampaignUpdateSchema(Schema):
    """A change to a started campaign: any of its title, message and deadline."""

    title = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_TITLE_LENGTH),
        metadata={"description": "Blank: 'Impact disclosure <period>'"},
    )
    message = fields.String(
        allow_none=True, validate=validate.Length(max=MAX_CAMPAIGN_MESSAGE_LENGTH)
    )
    deadline = fields.Date(
        validate=DEADLINE_RANGE,
        metadata={"description": "Today or later (an unchanged deadline may have passed)"},
    )
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class VendorSearchSchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NAME_LENGTH),
        metadata={"description": "Part of the vendor's name; empty: the first vendors by name"},
    )
    limit = fields.Integer(
        load_default=MAX_VENDOR_MATCHES,
        validate=validate.Range(min=1, max=MAX_VENDOR_MATCHES),
    )
    not_asked_by = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_RECORD_ID),
        metadata={"description": "A campaign of yours: leave out the vendors it asks already"},
    )


class _VendorMatchSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    country = fields.String(dump_only=True, allow_none=True)


class VendorMatchesSchema(Schema):
    items = fields.List(
        fields.Nested(_VendorMatchSchema),
        dump_only=True,
        metadata={"description": "Those whose name starts with the query first, then by name"},
    )
    total = fields.Integer(dump_only=True, metadata={"description": "How many match in all"})


class CampaignQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class _StarterSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class CampaignCountsSchema(Schema):
    invited = fields.Integer(dump_only=True)
    registered = fields.Integer(dump_only=True)
    draft_started = fields.Integer(dump_only=True)
    submitted = fields.Integer(dump_only=True)
    reviewed = fields.Integer(dump_only=True)
    overdue = fields.Integer(
        dump_only=True,
        metadata={
            "description": "Still awaited (invited, registered or draft "
            "started) after the deadline; counted in their state too"
        },
    )


class CampaignSchema(Schema):
    """A campaign with its progress (dumped from procure.campaigns.services.CampaignProgress)."""

    id = fields.Integer(dump_only=True, attribute="campaign.id")
    title = fields.String(dump_only=True, attribute="campaign.title")
    period_start = fields.Date(dump_only=True, attribute="campaign.period_start")
    period_end = fields.Date(dump_only=True, attribute="campaign.period_end")
    deadline = fields.Date(dump_only=True, attribute="campaign.deadline")
    message = fields.String(dump_only=True, allow_none=True, attribute="campaign.message")
    created_at = fields.DateTime(dump_only=True, attribute="campaign.created_at")
    created_by = fields.Nested(_StarterSchema, dump_only=True, attribute="campaign.created_by")
    closed_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        attribute="campaign.closed_at",
        metadata={"description": "When its buyer closed it (no more reminders); null: open"},
    )
    closed_by = fields.Nested(
        _StarterSchema, dump_only=True, allow_none=True, attribute="campaign.closed_by"
    )
    version = fields.Integer(
        dump_only=True,
        attribute="campaign.version",
        metadata={"description": "Send it with an edit"},
    )
    status = fields.Enum(CampaignStatus, by_value=True, dump_only=True)
    asked = fields.Integer(dump_only=True, metadata={"description": "Vendors asked"})
    answered = fields.Integer(
        dump_only=True, metadata={"description": "Of them, submitted or reviewed"}
    )
    response_rate = fields.Float(dump_only=True, metadata={"description": "answered / asked, 0-1"})
    counts = fields.Method("_counts", dump_only=True, metadata={"type": "object"})

    def _counts(self, progress) -> dict:
        counts = {state.value: count for state, count in progress.counts.items()}
        return CampaignCountsSchema().dump({**counts, "overdue": progress.overdue})


class VendorStatusSchema(Schema):
    request_id = fields.Integer(dump_only=True, attribute="request.id")
    vendor_id = fields.Integer(dump_only=True, allow_none=True, attribute="request.vendor_id")
    name = fields.String(dump_only=True)
    email = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "The invited address"}
    )
    state = fields.Enum(CampaignVendorState, by_value=True, dump_only=True)
    overdue = fields.Boolean(dump_only=True)
    invitation_state = fields.Enum(InvitationState, by_value=True, dump_only=True, allow_none=True)
    disclosure_id = fields.Integer(dump_only=True, allow_none=True, attribute="disclosure.id")
    disclosure_version = fields.Integer(
        dump_only=True, allow_none=True, attribute="disclosure.number"
    )
    review_decision = fields.String(dump_only=True, allow_none=True)
    reminders = fields.Integer(dump_only=True, attribute="request.reminders")
    last_reminded_on = fields.Date(dump_only=True, allow_none=True, attribute="request.reminded_on")


class CampaignDetailSchema(CampaignSchema):
    vendors = fields.List(fields.Nested(VendorStatusSchema), dump_only=True, attribute="statuses")


class CampaignCreatedSchema(CampaignDetailSchema):
    invitations = fields.Method(
        "_invitations",
        dump_only=True,
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "Per address invited: `email`, `link` (the one-time link, shown in "
            "this answer only: send it unless `mailed`) and `mailed` (whether the mail server "
            "took the invitation's mail)",
        },
    )

    def _invitations(self, answer) -> list[dict]:
        return [
            {"email": email, "link": link, "mailed": outgoing is not None and outgoing.sent}
            for email, link, outgoing in answer.invitations
        ]


class CampaignPageSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    per_page = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True)


class ReminderRoundSchema(Schema):
    reminded = fields.List(fields.String(), dump_only=True)
    already_today = fields.List(
        fields.String(),
        dump_only=True,
        metadata={"description": "Reminded earlier today: at most one reminder a day"},
    )
    unreachable = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "No active user to tell, or (invited) no mail server or an "
            "invitation that no longer works"
        },
    )


class CampaignRequestSchema(Schema):
    """A campaign's request as the vendor asked sees it: never the other vendors asked."""

    id = fields.Integer(dump_only=True, attribute="request.id")
    campaign_title = fields.String(dump_only=True, attribute="request.campaign.title")
    buyer = fields.String(dump_only=True, attribute="request.campaign.organization.name")
    period_start = fields.Date(dump_only=True, attribute="request.campaign.period_start")
    period_end = fields.Date(dump_only=True, attribute="request.campaign.period_end")
    deadline = fields.Date(dump_only=True, attribute="request.campaign.deadline")
    message = fields.String(dump_only=True, allow_none=True, attribute="request.campaign.message")
    closed = fields.Boolean(
        dump_only=True,
        attribute="request.campaign.closed",
        metadata={"description": "The buyer closed the campaign: it asks no more"},
    )
    state = fields.Enum(CampaignVendorState, by_value=True, dump_only=True)
    overdue = fields.Boolean(dump_only=True)
    disclosure_id = fields.Integer(dump_only=True, allow_none=True, attribute="disclosure.id")
    review_decision = fields.String(dump_only=True, allow_none=True)
