from marshmallow import Schema, fields, validate

from procure.api_fields import RecordId
from procure.assurance.models import STANDARD_LENGTH, WITHDRAWAL_REASON_LENGTH
from procure.disclosures.pricing import pricing_day
from procure.disclosures.schemas import EvidenceSchema, IssueSchema
from procure.states import AssuranceLevel, AttestationState, GrantState, Opinion
from scoring.fields import EVIDENCE_LEVELS, EVIDENCE_SECTIONS


class ProviderSchema(Schema):
    """An assurance provider a vendor may share a version with."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class GrantCreateSchema(Schema):
    disclosure_id = RecordId(
        required=True, metadata={"description": "A submitted version of your vendor"}
    )
    provider_id = RecordId(
        required=True, metadata={"description": "An assurance provider (GET /assurance-providers)"}
    )


class GrantQuerySchema(Schema):
    disclosure_id = RecordId()


class GrantSchema(Schema):
    id = fields.Integer(dump_only=True)
    disclosure_id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(attribute="disclosure.vendor_id", dump_only=True)
    vendor_name = fields.String(attribute="disclosure.vendor.name", dump_only=True)
    period_start = fields.Date(attribute="disclosure.period_start", dump_only=True)
    period_end = fields.Date(attribute="disclosure.period_end", dump_only=True)
    number = fields.Integer(attribute="disclosure.number", dump_only=True)
    provider_id = fields.Integer(dump_only=True)
    provider_name = fields.String(attribute="provider.name", dump_only=True)
    state = fields.String(
        dump_only=True,
        validate=validate.OneOf(tuple(GrantState)),
        metadata={"description": "active: the provider reads the version; revoked: no more"},
    )
    granted_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class SharedVersionSchema(Schema):
    """The version a grant shares, as its assurance provider reads it: the figures, the vendor's
    claims and warnings, the evidence files; no buyer's review."""

    id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    vendor_name = fields.String(attribute="vendor.name", dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    number = fields.Integer(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True)
    workforce = fields.Dict(attribute="figures.workforce", dump_only=True)
    wages = fields.List(fields.Dict(), attribute="figures.wages", dump_only=True)
    training = fields.Dict(attribute="figures.training", dump_only=True)
    evidence = fields.Dict(
        attribute="figures.evidence",
        dump_only=True,
        metadata={"description": "The levels the vendor claims: never scored"},
    )
    warnings = fields.List(fields.Nested(IssueSchema), dump_only=True)
    evidence_files = fields.List(
        fields.Nested(EvidenceSchema),
        attribute="evidence",
        dump_only=True,
        metadata={
            "description": "Download each at /assurance-grants/{grant_id}/evidence/{id}",
        },
    )


class AttestationCreateSchema(Schema):
    """The form fields of a new attestation; its statement PDF is the multipart file `file`."""

    disclosure_id = RecordId(
        required=True,
        metadata={"description": "A version shared with your organization (an open grant)"},
    )
    section = fields.String(required=True, validate=validate.OneOf(EVIDENCE_SECTIONS))
    standard = fields.String(
        required=True,
        validate=validate.Length(min=1, max=STANDARD_LENGTH),
        metadata={"description": "The standard followed: ISAE 3000 (Revised), or another, named"},
    )
    level = fields.String(
        required=True,
        validate=validate.OneOf(tuple(AssuranceLevel)),
        metadata={"description": "The level of assurance: limited or reasonable"},
    )
    opinion = fields.String(required=True, validate=validate.OneOf(tuple(Opinion)))
    issued_on = fields.Date(
        required=True, metadata={"description": "The statement's date: after the period's end"}
    )
    expires_on = fields.Date(
        required=True,
        metadata={"description": "The first day it no longer counts: after issued_on"},
    )


class StatementFileSchema(Schema):
    """The statement file: required, and checked by the service with the other fields, so that a
    missing file is named together with whatever else is refused."""

    file = fields.Raw(
        metadata={"type": "string", "format": "binary", "description": "The statement, a PDF"},
    )


class AttestationUploadBodySchema(AttestationCreateSchema, StatementFileSchema):
    """The whole multipart body of a new attestation, for the API document only (the route reads
    the form fields and the file as two arguments)."""


class AttestationQuerySchema(Schema):
    disclosure_id = RecordId()
    vendor_id = RecordId()


class AttestationWithdrawSchema(Schema):
    reason = fields.String(
        required=True,
        # blank is refused by the service, with the message the page shows too
        validate=validate.Length(max=WITHDRAWAL_REASON_LENGTH),
        metadata={
            "description": "Why the attestation is withdrawn (made in error), not blank: the "
            "vendor and every buyer read it"
        },
    )


class AttestationSchema(Schema):
    id = fields.Integer(dump_only=True)
    disclosure_id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(attribute="disclosure.vendor_id", dump_only=True)
    vendor_name = fields.String(attribute="disclosure.vendor.name", dump_only=True)
    period_end = fields.Date(attribute="disclosure.period_end", dump_only=True)
    number = fields.Integer(attribute="disclosure.number", dump_only=True)
    provider_id = fields.Integer(dump_only=True)
    provider_name = fields.String(attribute="provider.name", dump_only=True)
    section = fields.String(dump_only=True, validate=validate.OneOf(EVIDENCE_SECTIONS))
    standard = fields.String(dump_only=True)
    level = fields.String(dump_only=True, validate=validate.OneOf(tuple(AssuranceLevel)))
    opinion = fields.String(dump_only=True, validate=validate.OneOf(tuple(Opinion)))
    issued_on = fields.Date(dump_only=True)
    expires_on = fields.Date(dump_only=True)
    state = fields.Method(
        "_state",
        dump_only=True,
        metadata={
            "enum": list(AttestationState),
            "description": "Today: valid from issued_on until the day before expires_on; "
            "withdrawn once its provider withdrew it (it then counts on no day)",
        },
    )
    sets_level = fields.Method(
        "_sets_level",
        dump_only=True,
        metadata={
            "enum": list(EVIDENCE_LEVELS),
            "description": "The level it gives the section for every reader while valid "
            "(before ageing; a buyer's own rejection of the section still wins for that buyer)",
        },
    )
    statement_filename = fields.String(dump_only=True)
    statement_size = fields.Integer(dump_only=True)
    statement_sha256 = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    withdrawn_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "When its provider withdrew it; null while it stands"},
    )
    withdrawal_reason = fields.String(dump_only=True, allow_none=True)

    def _state(self, attestation) -> str:
        return str(attestation.state_on(pricing_day()))

    def _sets_level(self, attestation) -> str:
        return attestation.as_statement().sets_level
