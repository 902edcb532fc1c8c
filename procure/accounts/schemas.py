from marshmallow import Schema, fields, validate

from procure.access import ROLES
from procure.accounts.models import ORGANIZATION_KINDS, TENANT_KINDS
from procure.api_fields import RecordId


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=1000)
    )
    name = fields.String(load_default="API token", validate=validate.Length(max=100))


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


class OrganizationCreateSchema(Schema):
    """A new tenant organization and its first admin, who then adds the organization's users."""

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Unique once case, compatibility forms and spacing are set aside; "
            "invisible and control characters are refused"
        },
    )
    kind = fields.String(required=True, validate=validate.OneOf(TENANT_KINDS))
    admin_email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    admin_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    admin_password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=1000),
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
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=1000)
    )


class PasswordResetSchema(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "The new password, by the password policy (at least 12 characters, "
            "not a common one)"
        },
    )


class TokensRevokedSchema(Schema):
    user_id = fields.Integer(dump_only=True)
    revoked = fields.Integer(
        dump_only=True, metadata={"description": "How many live tokens were revoked"}
    )


class MeSchema(UserSchema):
    organization = fields.Nested(OrganizationSchema, dump_only=True)
