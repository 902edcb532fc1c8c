from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from procure.accounts.schemas import Password, PersonName, TextLength
from procure.invitations.services import MAX_MESSAGE_LENGTH
from procure.states import InvitationState

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100


class InvitationCreateSchema(Schema):
    email = fields.String(
        required=True,
        validate=TextLength(min=3, max=254),
        metadata={"description": "The vendor's address: whoever will run its account"},
    )
    message = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_MESSAGE_LENGTH),
        metadata={"description": "Shown on the invitation page and in the mail"},
    )


class RegistrationSchema(Schema):
    """The invitation page's registration (a page only): the invitee's vendor organization and its
    first user, who administers it. The services name a refused field as this schema does."""

    organization_name = fields.String(required=True, validate=TextLength(min=1, max=200))
    name = PersonName(required=True)
    # the services say what is wrong with an address ("Enter a valid email address.")
    email = fields.String(required=True, validate=TextLength(min=1, max=254))
    password = Password(required=True)
    confirm_password = Password(required=True)

    @validates_schema
    def _confirmed(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["confirm_password"] != data["password"]:
            raise ValidationError("The two passwords differ.", "confirm_password")


class InvitationQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    state = fields.Enum(
        InvitationState,
        by_value=True,
        load_default=None,
        metadata={"description": "Only the invitations in this state now"},
    )


class _PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class _OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class InvitationSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(
        dump_only=True, metadata={"description": "The inviting buyer organization"}
    )
    email = fields.String(dump_only=True)
    message = fields.String(dump_only=True, allow_none=True)
    state = fields.String(
        dump_only=True,
        metadata={
            "enum": [state.value for state in InvitationState],
            "description": "Read from the times: pending until expires_at, unless accepted or "
            "revoked first",
        },
    )
    invited_by = fields.Nested(_PersonSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    accepted_at = fields.DateTime(dump_only=True, allow_none=True)
    accepted_organization = fields.Nested(
        _OrganizationSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "The vendor organization that registered or joined through it"},
    )
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class InvitationCreatedSchema(InvitationSchema):
    link = fields.String(
        dump_only=True,
        metadata={
            "description": "The one-time link, shown in this response only (only a hash of its "
            "secret is stored): send it to the vendor unless `mailed`"
        },
    )
    mailed = fields.Method(
        "_mailed",
        dump_only=True,
        metadata={
            "type": "boolean",
            "description": "Whether the mail server took the invitation's mail (setting "
            "smtp_url); false without mail settings or when sending failed",
        },
    )

    def _mailed(self, invitation) -> bool:
        outgoing = getattr(invitation, "outgoing", None)
        return outgoing is not None and outgoing.sent


class InvitationPageSchema(Schema):
    items = fields.List(fields.Nested(InvitationSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    per_page = fields.Integer(dump_only=True)
    total = fields.Integer(
        dump_only=True, metadata={"description": "Invitations on every page together"}
    )
