from flask_login import current_user
from marshmallow import Schema, fields, validate

from procure.api_fields import RecordId, RecordVersion
from procure.disclosures.models import REVIEW_DECISIONS, VIEWED_STATES
from procure.states import AssuranceLevel, AttestationState, Opinion
from scoring.fields import EVIDENCE_LEVELS, EVIDENCE_SECTIONS, fields_in

SECTION_HELP = (
    "Checked field by field by the disclosure rules; errors come back per field path, "
    "for example 'workforce.impact_worker_hires' or 'wages[0].currency'."
)


def _keys(section: str) -> str:
    """The field names of one section of the document (scoring.fields), for the API document."""
    return ", ".join(f.key for f in fields_in(section))


class DisclosureDocumentSchema(Schema):
    """The disclosure document (DESIGN §4). Absent or null figures mean 'not disclosed'."""

    workforce = fields.Dict(
        metadata={
            "description": "Headcount, hires, departures, impact workers and "
            f"their categories, retention, promotions: {_keys('workforce')}; "
            f"categories holds {_keys('categories')}. " + SECTION_HELP
        }
    )
    wages = fields.List(
        fields.Dict(),
        metadata={
            "description": "One entry per site, its wages and benchmarks with source and "
            f"date: {_keys('wages')}."
        },
    )
    training = fields.Dict(
        metadata={
            "description": "Training hours, spend and currency, people trained: "
            f"{_keys('training')}."
        }
    )
    evidence = fields.Dict(
        metadata={
            "description": f"The evidence level you claim per section ({_keys('evidence')}): "
            + ", ".join(EVIDENCE_LEVELS)
            + ". A claim is shown to reviewers and never scores: scores use the effective level "
            "(see GET /disclosures/{id}/sections), from the section's files and each buyer's "
            "review of the section"
        }
    )


class DisclosureCreateSchema(DisclosureDocumentSchema):
    vendor_id = RecordId(required=True)
    period_start = fields.String(
        required=True, metadata={"description": "ISO date, e.g. 2025-01-01"}
    )
    period_end = fields.String(
        required=True, metadata={"description": "ISO date, after period_start"}
    )
    carry_over = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Start the sections you leave out from your newest earlier submitted "
            "version that no buyer rejected: workforce, sites with their wages, benchmarks and "
            "sources, training. Evidence claims start at self_reported and files are not "
            "copied. Each figure carried over is listed in `carried_over` until you change or "
            "confirm it. Off by default: figures pushed from your own systems are never mixed "
            "with last period's unless you ask."
        },
    )


class DisclosureUpdateSchema(DisclosureDocumentSchema):
    edit_version = RecordVersion(
        required=True,
        metadata={"description": "The edit_version you loaded; a stale one gets 409."},
    )
    confirmed = fields.List(
        fields.String(validate=validate.Length(max=100)),
        load_default=list,
        validate=validate.Length(max=1000),
        metadata={
            "description": "Carried-over figures you checked and found right as they are, by "
            "path as `carried_over` lists them; a section (workforce, wages, training) or a site "
            "(wages[0]) confirms all of its figures. A figure you change loses its mark anyway."
        },
    )


class IssueSchema(Schema):
    field = fields.String()
    message = fields.String()


class EvidenceSchema(Schema):
    id = fields.Integer(dump_only=True)
    disclosure_id = fields.Integer(dump_only=True)
    section = fields.String(dump_only=True)
    level = fields.String(dump_only=True)
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ReviewRecordSchema(Schema):
    organization_id = fields.Integer(dump_only=True)
    organization_name = fields.String(attribute="organization.name", dump_only=True)
    decision = fields.String(dump_only=True, validate=validate.OneOf(REVIEW_DECISIONS))
    comment = fields.String(dump_only=True, allow_none=True)
    reviewed_at = fields.DateTime(dump_only=True)


class DisclosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    vendor_id = fields.Integer(dump_only=True)
    vendor_name = fields.String(attribute="vendor.name", dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    number = fields.Integer(
        dump_only=True, metadata={"description": "Version number within vendor and period"}
    )
    state = fields.String(
        dump_only=True,
        validate=validate.OneOf(VIEWED_STATES),
        metadata={
            "description": "As your organization sees it: verified or rejected once it has "
            "reviewed the version"
        },
    )
    workforce = fields.Dict(attribute="figures.workforce", dump_only=True)
    wages = fields.List(fields.Dict(), attribute="figures.wages", dump_only=True)
    training = fields.Dict(attribute="figures.training", dump_only=True)
    evidence = fields.Dict(
        attribute="figures.evidence",
        dump_only=True,
        metadata={"description": "The levels the vendor claims: never scored (see sections)"},
    )
    warnings = fields.List(fields.Nested(IssueSchema), dump_only=True)
    evidence_files = fields.List(
        fields.Nested(EvidenceSchema), attribute="evidence", dump_only=True
    )
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    reviewed_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "When your organization reviewed the version"},
    )
    review_comment = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Your organization's review comment"},
    )
    reviews = fields.List(
        fields.Nested(ReviewRecordSchema),
        dump_only=True,
        metadata={
            "description": "The vendor sees every organization's review of its versions; "
            "a buyer only its own"
        },
    )
    edit_version = fields.Integer(dump_only=True)
    carried_over = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "A draft's figures still as carried over from an earlier period "
            "and not yet changed or confirmed (see `confirmed`), by field path. Submitting is "
            "not blocked by them; a submitted version has none"
        },
    )
    carried_over_from = fields.Integer(
        attribute="carried_over_from_id",
        dump_only=True,
        allow_none=True,
        metadata={"description": "The version those figures came from, while any are listed"},
    )

    def get_attribute(self, obj, attr, default):
        """The review fields as the signed-in user's organization sees them."""
        if attr == "state":
            return obj.state_for(current_user.organization_id)
        if attr in ("reviewed_at", "review_comment"):
            review = obj.review_by(current_user.organization_id)
            return (
                None
                if review is None
                else getattr(review, "comment" if attr == "review_comment" else attr)
            )
        if attr == "reviews":
            return obj.reviews_seen_by(current_user)
        return super().get_attribute(obj, attr, default)


class DisclosureQuerySchema(Schema):
    vendor_id = RecordId()
    state = fields.String(
        validate=validate.OneOf(VIEWED_STATES),
        metadata={"description": "As your organization sees it (see `state`)"},
    )


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(REVIEW_DECISIONS))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class SectionReviewRecordSchema(ReviewRecordSchema):
    section = fields.String(dump_only=True, validate=validate.OneOf(EVIDENCE_SECTIONS))


class SectionAttestationSchema(Schema):
    """An assurance provider's attestation of the section (GET /attestations/{id}, and its
    statement at /attestations/{id}/statement)."""

    id = fields.Integer()
    provider = fields.String(metadata={"description": "The assurance provider's name"})
    standard = fields.String(metadata={"description": "ISAE 3000 or another, named"})
    level = fields.String(
        validate=validate.OneOf(tuple(AssuranceLevel)),
        metadata={"description": "The level of assurance"},
    )
    opinion = fields.String(validate=validate.OneOf(tuple(Opinion)))
    issued_on = fields.Date()
    expires_on = fields.Date(metadata={"description": "The first day it no longer counts"})
    sets_level = fields.String(
        validate=validate.OneOf(EVIDENCE_LEVELS),
        metadata={
            "description": "The level it gives the section while valid (before ageing): "
            "unqualified limited third_party_limited, unqualified reasonable "
            "third_party_reasonable, qualified one level lower, adverse self_reported"
        },
    )
    state = fields.String(
        validate=validate.OneOf(tuple(AttestationState)),
        metadata={"description": "valid from issued_on until the day before expires_on"},
    )
    withdrawn_on = fields.Date(
        allow_none=True,
        metadata={"description": "The day its provider withdrew it (it never counted); null"},
    )
    withdrawal_reason = fields.String(
        allow_none=True, metadata={"description": "Why its provider withdrew it; null"}
    )


class SectionLevelSchema(Schema):
    """One evidence section as you read it: what the vendor claims, and what scores for you."""

    section = fields.String(validate=validate.OneOf(EVIDENCE_SECTIONS))
    claimed_level = fields.String(
        allow_none=True,
        metadata={"description": "The vendor's claim: shown to reviewers, never scored"},
    )
    effective_level = fields.String(
        validate=validate.OneOf(EVIDENCE_LEVELS),
        metadata={
            "description": "What scores for you: self_reported without a file, "
            "self_reported_documented with one, buyer_verified once your organization verified "
            "the section (one level lower from `counts_lower_from`), self_reported once it "
            "rejected it; a valid attestation sets it for every reader (`attestation`), except "
            "for a buyer that rejected the section. A vendor reads the level its files and the "
            "attestations give"
        },
    )
    basis = fields.String(metadata={"description": "Why, in words"})
    claim_note = fields.String(
        allow_none=True,
        metadata={
            "description": "Where the claim goes beyond the evidence, the sentence saying so"
        },
    )
    files = fields.Integer(metadata={"description": "Evidence files attached to the section"})
    decision = fields.String(
        allow_none=True,
        validate=validate.OneOf(REVIEW_DECISIONS),
        metadata={"description": "Your organization's decision on the section"},
    )
    counts_lower_from = fields.Date(
        allow_none=True,
        metadata={
            "description": "From this day your verification (or the attestation that sets the "
            "level) counts one level lower: the profile's evidence_age_months after the period's "
            "end (on a scorecard, the profile scored with; elsewhere the default profile)"
        },
    )
    attestation = fields.Nested(
        SectionAttestationSchema,
        allow_none=True,
        metadata={"description": "The valid attestation that sets the level, if one does"},
    )
    attestations = fields.List(
        fields.Nested(SectionAttestationSchema),
        metadata={"description": "Every attestation of the section, valid or not, oldest first"},
    )


class SectionEvidenceSchema(SectionLevelSchema):
    reviews = fields.List(
        fields.Nested(SectionReviewRecordSchema),
        metadata={
            "description": "The vendor sees every organization's reviews of the section; "
            "a buyer only its own"
        },
    )


class EvidenceUploadSchema(Schema):
    section = fields.String(required=True, validate=validate.OneOf(EVIDENCE_SECTIONS))
    level = fields.String(
        required=True,
        validate=validate.OneOf(EVIDENCE_LEVELS),
        metadata={
            "description": "The level the file claims, shown with it; a file in a section makes "
            "the section self_reported_documented whatever it claims"
        },
    )


class EvidenceFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class EvidenceUploadBodySchema(EvidenceUploadSchema, EvidenceFileSchema):
    """The whole multipart body of an evidence upload, for the API document only: the route reads
    its form fields and its file as two arguments, and flask-smorest documents only one of them."""


class TableQuerySchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    latest_period = fields.Boolean(
        load_default=False,
        metadata={
            "description": "One row per vendor (its latest period): the input `procure score` reads"
        },
    )


class ImportResultSchema(Schema):
    imported = fields.Integer()
    unchanged = fields.Integer()
    disclosure_ids = fields.List(fields.Integer())
