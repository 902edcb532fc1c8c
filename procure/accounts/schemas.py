"""The accounts' bodies, read alike by the API and by the pages (sign-in, account, users,
organizations): a page form is loaded by the schema of the API call that takes the same input, so
its errors name the same fields and say the same words."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from procure.access import ROLES
from procure.accounts.models import ORGANIZATION_KINDS, TENANT_KINDS
from procure.api_fields import RecordId

REQUIRED = "This field is required."
PASSWORDS_DIFFER = "The two new passwords differ."


class TextLength(validate.Length):
    """validate.Length that tells an empty text that it is required, as a page form that was left
    blank is told (a body that leaves the field out is told marshmallow's "Missing data")."""

    def __call__(self, value: Any) -> Any:
        if value == "":
            raise ValidationError(REQUIRED)
        return super().__call__(value)


def Email(**kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    """An email address as typed; the services check its form and whether it is taken."""
    return fields.String(validate=TextLength(min=3, max=254), **kwargs)


def Password(**kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    """A password as typed, never dumped; the services apply the password policy."""
    return fields.String(load_only=True, validate=TextLength(min=1, max=1000), **kwargs)


def PersonName(**kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(validate=TextLength(min=1, max=200), **kwargs)


class TokenRequestSchema(Schema):
    """Credentials for a token; the sign-in page loads `email` and `password`, the account page's
    new-token form loads `name`."""

    email = Email(required=True)
    password = Password(required=True)
    name = fields.String(load_default="API token", validate=TextLength(min=1, max=100))


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(
        dump_only=True,
        metadata={"description": "Shown once; send as 'Authorization: Bearer <token>'."},
    )


class OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(ORGANIZATION_KINDS)})
    created_at = fields.DateTime(dump_only=True)


class OrganizationSettingsSchema(Schema):
    """A buyer organization's settings, set by its admin."""

    vendors_see_plan_share = fields.Boolean(
        required=True,
        metadata={
            "description": "Let vendors see how an improvement would change their share of "
            "the organization's approved plans: each vendor sees only its own hours before and "
            "after, never another vendor's, a price or a target. Off by default"
        },
    )


class OrganizationCreateSchema(Schema):
    """A new tenant organization and its first admin, who then adds the organization's users."""

    name = fields.String(
        required=True,
        validate=TextLength(min=1, max=200),
        metadata={
            "description": "Unique once case, compatibility forms and spacing are set aside; "
            "invisible and control characters are refused"
        },
    )
    kind = fields.String(required=True, validate=validate.OneOf(TENANT_KINDS))
    admin_email = Email(required=True)
    admin_name = PersonName(required=True)
    admin_password = Password(
        required=True,
        metadata={"description": "By the password policy; give it to the admin privately"},
    )


class OrganizationCreatedSchema(OrganizationSchema):
    admin = fields.Nested(lambda: UserSchema(), dump_only=True)


class PlatformOrganizationSchema(Schema):
    """One organization as the operator sees it: its name and kind, and counts of its records."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    users = fields.Integer(dump_only=True)
    active_users = fields.Integer(dump_only=True)
    vendors = fields.Integer(dump_only=True)
    disclosures = fields.Integer(dump_only=True)
    needs = fields.Integer(dump_only=True)
    scenarios = fields.Integer(dump_only=True)


class PlatformSummarySchema(Schema):
    organizations = fields.List(fields.Nested(PlatformOrganizationSchema), dump_only=True)
    totals = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        dump_only=True,
        metadata={"description": "The counts summed over every organization"},
    )


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    active = fields.Boolean(dump_only=True)
    last_sign_in_at = fields.DateTime(dump_only=True, allow_none=True)
    locked = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "Locked after too many wrong passwords in a row, and the lock has not "
            "lapsed yet (setting lockout_minutes)."
        },
    )
    locked_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "When the account was locked; kept until it signs in again after a "
            "lapsed lock."
        },
    )


class UserCreateSchema(Schema):
    organization_id = RecordId(
        required=True,
        metadata={"description": "Your own organization's: an admin adds users to it only"},
    )
    email = Email(required=True)
    name = PersonName(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = Password(required=True)


class PasswordResetSchema(Schema):
    password = Password(
        required=True,
        metadata={
            "description": "The new password, by the password policy (at least 12 characters, "
            "not a common one)"
        },
    )


def _same_twice(data: dict[str, Any], field: str, again: str, message: str) -> None:
    """Refuse, naming `again`, a second typing of a password that differs from the first."""
    if again in data and field in data and data[again] != data[field]:
        raise ValidationError(message, again)


class PasswordResetFormSchema(PasswordResetSchema):
    """The administrator's page: the API's new password, typed twice."""

    confirm_password = Password(required=True)

    @validates_schema
    def _confirmed(self, data: dict[str, Any], **kwargs: Any) -> None:
        _same_twice(data, "password", "confirm_password", PASSWORDS_DIFFER)


class PasswordChangeSchema(Schema):
    """Changing one's own password (a page only: a token cannot change its user's password)."""

    current_password = Password(required=True)
    new_password = Password(required=True)
    confirm_password = Password(required=True)

    @validates_schema
    def _confirmed(self, data: dict[str, Any], **kwargs: Any) -> None:
        _same_twice(data, "new_password", "confirm_password", PASSWORDS_DIFFER)


class TokensRevokedSchema(Schema):
    user_id = fields.Integer(dump_only=True)
    revoked = fields.Integer(
        dump_only=True, metadata={"description": "How many live tokens were revoked"}
    )


class MeSchema(UserSchema):
    organization = fields.Nested(OrganizationSchema, dump_only=True)
