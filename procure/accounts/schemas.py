from marshmallow import Schema, fields, validate

from procure.access import ROLES
from procure.accounts.models import ORGANIZATION_KINDS
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
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(ORGANIZATION_KINDS))
    created_at = fields.DateTime(dump_only=True)


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
            "description": "Locked after too many wrong passwords in a row, and the lock has not lapsed yet "
            "(setting lockout_minutes)."
        },
    )
    locked_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "When the account was locked; kept until it signs in again after a lapsed lock."
        },
    )


class UserCreateSchema(Schema):
    organization_id = RecordId(required=True)
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
            "description": "The new password, by the password policy (at least 12 characters, not a common one)"
        },
    )


class MeSchema(UserSchema):
    organization = fields.Nested(OrganizationSchema, dump_only=True)
