"""Assurance API: vendors share a submitted version with an assurance provider and revoke it;
assurers read what was shared and attest its sections; everyone concerned reads attestations.

An attestation is immutable but for one change: the provider that issued it withdraws it, once,
with a reason (POST /attestations/{id}/withdraw).

Tenancy as everywhere: a grant, version or attestation the caller may not see answers 404, the
body's `disclosure_id` included (a version not shared with the assurer's organization is not
told apart from one that does not exist), with the field named."""

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list, page_of_select
from procure.assurance import services
from procure.assurance.models import AssuranceGrant, Attestation
from procure.assurance.schemas import (
    AttestationCreateSchema,
    AttestationQuerySchema,
    AttestationSchema,
    AttestationUploadBodySchema,
    AttestationWithdrawSchema,
    GrantCreateSchema,
    GrantQuerySchema,
    GrantSchema,
    ProviderSchema,
    SharedVersionSchema,
    StatementFileSchema,
)
from procure.disclosures import services as disclosure_services
from procure.disclosures.evidence_files import ALLOWED_TYPES, EvidenceRejected
from procure.disclosures.models import Disclosure, Evidence
from procure.docs import file_types
from procure.downloads import attachment
from procure.errors import respond_error
from procure.extensions import db
from procure.transactions import writes

blp = Blueprint(
    "assurance_api",
    __name__,
    url_prefix="/api/v1",
    description="Assurance providers: shared versions and attestations",
)

# who reads attestations: every buyer-side reader, the vendor, the providers (not the operator)
READERS = roles("admin", "buyer", "executive", "vendor", "assurer")


def open_grant_or_404(grant_id: int) -> AssuranceGrant:
    """The caller's grant (for an assurer: an open grant to its organization), else 404."""
    return get_scoped_or_404(AssuranceGrant, grant_id)


def granted_version(disclosure_id: int) -> AssuranceGrant | None:
    """The assurer's open grant of the version `disclosure_id`, if it holds one."""
    return db.session.scalars(
        scoped_select(AssuranceGrant).where(AssuranceGrant.disclosure_id == disclosure_id)
    ).first()


def not_shared(disclosure_id: int):
    """404 naming `disclosure_id`: the version is not shared with the caller (or does not
    exist: the two are not told apart)."""
    message = f"No disclosure version with id {disclosure_id} is shared with you."
    return respond_error(404, message, {"disclosure_id": [message]})


@blp.route("/assurance-providers")
class AssuranceProviders(MethodView):
    @access(roles("vendor"))
    @blp.response(200, ProviderSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The assurance providers you may share a submitted version with"""
        return page_of_list(services.assurance_providers(), pagination_parameters)


@blp.route("/assurance-grants")
class AssuranceGrants(MethodView):
    @access(roles("vendor", "assurer"))
    @blp.arguments(GrantQuerySchema, location="query")
    @blp.response(200, GrantSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Grants visible to you: a vendor's of its versions (revoked ones too); an assurance
        provider's open grants"""
        statement = scoped_select(AssuranceGrant).order_by(AssuranceGrant.id)
        if "disclosure_id" in query:
            statement = statement.where(AssuranceGrant.disclosure_id == query["disclosure_id"])
        return page_of_select(statement, pagination_parameters)

    @access(roles("vendor"))
    @blp.arguments(GrantCreateSchema)
    @blp.response(201, GrantSchema)
    @blp.alt_response(404, description="The version is not yours")
    @blp.alt_response(409, description="Not submitted, or shared with the provider already")
    @writes
    def post(self, body):
        """Let an assurance provider read one submitted version and its evidence files, and
        attest its sections (its users are notified)"""
        disclosure = get_scoped_or_404(Disclosure, body["disclosure_id"])
        grant = services.grant_access(disclosure, body["provider_id"], current_user)
        return grant


@blp.route("/assurance-grants/<int:grant_id>")
class AssuranceGrantById(MethodView):
    @access(roles("vendor", "assurer"))
    @blp.response(200, GrantSchema)
    def get(self, grant_id):
        """One grant"""
        return open_grant_or_404(grant_id)


@blp.route("/assurance-grants/<int:grant_id>/revoke")
class AssuranceGrantRevoke(MethodView):
    @access(roles("vendor"))
    @blp.response(200, GrantSchema)
    @blp.alt_response(409, description="Revoked already")
    @writes
    def post(self, grant_id):
        """End the provider's access to the version. Its attestations stay, and count while
        valid"""
        grant = services.revoke_grant(open_grant_or_404(grant_id), current_user)
        return grant


@blp.route("/assurance-grants/<int:grant_id>/version")
class SharedVersion(MethodView):
    @access(roles("assurer"))
    @blp.response(200, SharedVersionSchema)
    def get(self, grant_id):
        """The version the grant shares with your organization: its figures, claims and evidence
        files (no buyer's review, no other version)"""
        return open_grant_or_404(grant_id).disclosure


@blp.route("/assurance-grants/<int:grant_id>/evidence/<int:evidence_id>")
class SharedEvidenceDownload(MethodView):
    @access(roles("assurer"))
    @file_types(blp, sorted(set(ALLOWED_TYPES.values())), "The file")
    def get(self, grant_id, evidence_id):
        """Download an evidence file of the shared version (checked against its SHA-256, as for
        its vendor and buyers: a file that differs answers 500 and is never served)"""
        grant = open_grant_or_404(grant_id)
        evidence = db.session.scalars(
            select(Evidence).where(
                Evidence.id == evidence_id, Evidence.disclosure_id == grant.disclosure_id
            )
        ).first()
        if evidence is None:
            abort(404, f"No evidence with id {evidence_id} in the version shared with you.")
        content = disclosure_services.read_evidence(evidence)
        return attachment(content, evidence.content_type, evidence.filename)


@blp.route("/attestations")
class Attestations(MethodView):
    @access(READERS)
    @blp.arguments(AttestationQuerySchema, location="query")
    @blp.response(200, AttestationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Attestations visible to you: every one for buyers, those of its versions for a
        vendor, those it issued for an assurance provider"""
        statement = scoped_select(Attestation).order_by(Attestation.id)
        if "disclosure_id" in query:
            statement = statement.where(Attestation.disclosure_id == query["disclosure_id"])
        if "vendor_id" in query:
            statement = statement.where(
                Attestation.disclosure.has(Disclosure.vendor_id == query["vendor_id"])
            )
        return page_of_select(statement, pagination_parameters)

    @access(roles("assurer"))
    @blp.arguments(AttestationCreateSchema, location="form")
    @blp.arguments(StatementFileSchema, location="files")
    @blp.doc(
        requestBody={"content": {"multipart/form-data": {"schema": AttestationUploadBodySchema}}}
    )
    @blp.response(201, AttestationSchema)
    @blp.alt_response(404, description="The version is not shared with you")
    @blp.alt_response(409, description="You attested the section for an overlapping period")
    @blp.alt_response(413, description="Statement file too large")
    @writes
    def post(self, form, files):
        """Attest one evidence section of a version shared with you, with the statement (PDF).
        Immutable once issued; while valid it sets the section's evidence level for every buyer
        and the vendor. Every refused field is named (`file` for the statement); nothing is
        saved then"""
        grant = granted_version(form["disclosure_id"])
        if grant is None:
            return not_shared(form["disclosure_id"])
        upload = files.get("file")
        try:
            attestation = services.issue_attestation(
                grant,
                form,
                upload.filename if upload else None,
                upload.read() if upload else None,
                current_user,
            )
        except EvidenceRejected as rejected:
            return respond_error(rejected.status, rejected.message, {"file": [rejected.message]})
        return attestation


@blp.route("/attestations/<int:attestation_id>")
class AttestationById(MethodView):
    @access(READERS)
    @blp.response(200, AttestationSchema)
    def get(self, attestation_id):
        """One attestation"""
        return get_scoped_or_404(Attestation, attestation_id)


@blp.route("/attestations/<int:attestation_id>/withdraw")
class AttestationWithdraw(MethodView):
    @access(roles("assurer"))
    @blp.arguments(AttestationWithdrawSchema)
    @blp.response(200, AttestationSchema)
    @blp.alt_response(404, description="Not an attestation your organization issued")
    @blp.alt_response(409, description="Withdrawn already")
    @writes
    def post(self, body, attestation_id):
        """Withdraw an attestation your organization issued in error, saying why: it stays on
        record, shown as withdrawn with the reason, and counts for no reader from now on (the
        vendor and every buyer are told, and the scores re-computed). The one change an
        attestation takes, once"""
        attestation = get_scoped_or_404(Attestation, attestation_id)
        return services.withdraw_attestation(attestation, body["reason"], current_user)


@blp.route("/attestations/<int:attestation_id>/statement")
class AttestationStatement(MethodView):
    @access(READERS)
    @file_types(blp, ("application/pdf",), "The statement")
    def get(self, attestation_id):
        """Download the attestation's statement (checked against the SHA-256 recorded when it was
        issued)"""
        attestation = get_scoped_or_404(Attestation, attestation_id)
        content = services.read_statement(attestation)
        return attachment(content, services.PDF_TYPE, attestation.statement_filename)
