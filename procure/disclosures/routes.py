"""Disclosures API: drafts, submission, review, amendments, versions and evidence files."""

from flask import Response, abort
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from procure.access import SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list, page_of_select
from procure.disclosures import models, reviews, services
from procure.disclosures.evidence_files import ALLOWED_TYPES, EvidenceRejected
from procure.disclosures.models import EVIDENCE_SECTIONS, Disclosure, Evidence
from procure.disclosures.pricing import best_offers, pricing_day
from procure.disclosures.schemas import (
    DisclosureCreateSchema,
    DisclosureQuerySchema,
    DisclosureSchema,
    DisclosureUpdateSchema,
    EvidenceFileSchema,
    EvidenceSchema,
    EvidenceUploadBodySchema,
    EvidenceUploadSchema,
    ImportResultSchema,
    ReviewSchema,
    SectionEvidenceSchema,
    TableQuerySchema,
)
from procure.disclosures.tables import (
    FLAT_COLUMNS,
    MAX_IMPORT_ROWS,
    flat_row,
    import_rows,
    latest_versions,
    vendors_for_import,
)
from procure.docs import XLSX, file_types
from procure.downloads import attachment
from procure.errors import respond_error
from procure.states import ReviewDecision
from procure.transactions import writes
from procure.vendors.models import Vendor

blp = Blueprint(
    "disclosures_api",
    __name__,
    url_prefix="/api/v1",
    description="Impact disclosures: versions, review and evidence",
)


# what a list of versions shows of each: its vendor's name (and organization, for whose reviews
# it sees) from a join, not the vendor's whole row (its sites and categories are JSON)
LIST_LOADS = (
    joinedload(Disclosure.vendor, innerjoin=True).load_only(Vendor.name, Vendor.organization_id),
    selectinload(Disclosure.evidence),
    # (the model: this module's `DisclosureReview` is the review route)
    selectinload(Disclosure.reviews).joinedload(models.DisclosureReview.organization),
)


@blp.route("/disclosures")
class Disclosures(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(DisclosureQuerySchema, location="query")
    @blp.response(200, DisclosureSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Disclosure versions visible to you (buyers and executives never see drafts), a page
        at a time; `state=submitted` is a buyer's review queue"""
        statement = (
            scoped_select(Disclosure)
            .order_by(
                Disclosure.vendor_id,
                Disclosure.period_start.desc(),
                Disclosure.number.desc(),
                Disclosure.id.desc(),
            )
            # each row's vendor name and owner joined into the page's query, its evidence files
            # and reviews (with their organization's name) one query each for the page, not one
            # per row: two queries for the page and one for its count, however many rows (#23)
            .options(*LIST_LOADS)
        )
        if "vendor_id" in query:
            statement = statement.where(Disclosure.vendor_id == query["vendor_id"])
        if "state" in query:
            statement = statement.where(
                Disclosure.in_state_for(query["state"], current_user.organization_id)
            )
        return page_of_select(statement, pagination_parameters)

    @access(roles("vendor"))
    @blp.arguments(DisclosureCreateSchema)
    @blp.response(201, DisclosureSchema)
    @blp.alt_response(404, description="The vendor is not yours")
    @blp.alt_response(409, description="A version for this period exists")
    @writes
    def post(self, body):
        """Start a draft disclosure for one of your reporting periods; with `carry_over`, from
        your previous period's figures"""
        vendor = get_scoped_or_404(Vendor, body.pop("vendor_id"))
        carry_over = body.pop("carry_over")
        disclosure = services.create_draft(vendor, body, current_user, carry_over=carry_over)
        return disclosure


@blp.route("/disclosures/<int:disclosure_id>")
class DisclosureById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, DisclosureSchema)
    def get(self, disclosure_id):
        """One disclosure version"""
        return get_scoped_or_404(Disclosure, disclosure_id)

    @access(roles("vendor"))
    @blp.arguments(DisclosureUpdateSchema)
    @blp.response(200, DisclosureSchema)
    @blp.alt_response(409, description="Not a draft, or a stale edit_version")
    @writes
    def patch(self, body, disclosure_id):
        """Replace a draft's figures (sections you leave out are kept); confirm carried-over
        figures as they are with `confirmed`"""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        sent = body.pop("edit_version")
        confirmed = body.pop("confirmed")
        document = {**disclosure.figures, **body}
        services.update_draft(disclosure, document, sent, current_user, confirmed)
        return disclosure


@blp.route("/disclosures/<int:disclosure_id>/submit")
class DisclosureSubmit(MethodView):
    @access(roles("vendor"))
    @blp.response(200, DisclosureSchema)
    @blp.alt_response(409, description="Not a draft")
    @writes
    def post(self, disclosure_id):
        """Submit a draft; it is then immutable. Errors come back per field (422)"""
        disclosure = services.submit(get_scoped_or_404(Disclosure, disclosure_id), current_user)
        return disclosure


@blp.route("/disclosures/<int:disclosure_id>/review")
class DisclosureReview(MethodView):
    @access(roles("buyer"))
    @blp.arguments(ReviewSchema)
    @blp.response(200, DisclosureSchema)
    @blp.alt_response(409, description="Not submitted, or your organization reviewed it already")
    @writes
    def post(self, body, disclosure_id):
        """Mark a submitted version verified or rejected for your organization (a rejection needs a
        comment). Rejected leaves it out of your scores; verified also verifies each evidence
        section with a file that your organization has not reviewed on its own (a section without
        a file is not lifted). The decision is your organization's: it changes your scores and
        what your colleagues see, not other buyers'; the vendor sees it."""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        reviews.review_version(disclosure, body["decision"], body["comment"], current_user)
        return disclosure


def section_or_404(section: str) -> str:
    """An evidence section named in a URL; another name is no resource (404)."""
    if section not in EVIDENCE_SECTIONS:
        abort(404, f"No evidence section {section!r}: {', '.join(EVIDENCE_SECTIONS)}.")
    return section


@blp.route("/disclosures/<int:disclosure_id>/sections")
class DisclosureSections(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, SectionEvidenceSchema(many=True))
    @blp.paginate()
    def get(self, disclosure_id, pagination_parameters):
        """Each evidence section as you read it: the vendor's claimed level, the files, the
        effective level that scores for you and why, where the claim goes beyond the evidence, and
        the section reviews you may see"""
        sections = reviews.sections_seen_by(
            get_scoped_or_404(Disclosure, disclosure_id), current_user
        )
        return page_of_list(sections, pagination_parameters)


@blp.route("/disclosures/<int:disclosure_id>/sections/<section>/review")
class DisclosureSectionReview(MethodView):
    @access(roles("buyer"))
    @blp.arguments(ReviewSchema)
    @blp.response(200, SectionEvidenceSchema)
    @blp.alt_response(409, description="Not submitted, rejected, or the section decided already")
    @writes
    def post(self, body, disclosure_id, section):
        """Verify or reject one evidence section for your organization (a rejection needs a
        comment; a section without a file cannot be verified). Verified lifts the section to
        buyer_verified in your scores only; rejected counts it as self_reported. The vendor sees
        the decision and comment"""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        section = section_or_404(section)
        reviews.review_section(disclosure, section, body["decision"], body["comment"], current_user)
        return next(
            s for s in reviews.sections_seen_by(disclosure, current_user) if s["section"] == section
        )


@blp.route("/disclosures/<int:disclosure_id>/amend")
class DisclosureAmend(MethodView):
    @access(roles("vendor"))
    @blp.response(201, DisclosureSchema)
    @blp.alt_response(409, description="A draft exists already")
    @writes
    def post(self, disclosure_id):
        """Create the next version as a draft, copying the latest version's figures and evidence"""
        amendment = services.amend(get_scoped_or_404(Disclosure, disclosure_id), current_user)
        return amendment


@blp.route("/disclosures/<int:disclosure_id>/versions")
class DisclosureVersions(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, DisclosureSchema(many=True))
    @blp.paginate()
    def get(self, disclosure_id, pagination_parameters):
        """Every version of this vendor and period that you may see, oldest first"""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        return page_of_select(
            scoped_select(Disclosure)
            .where(
                Disclosure.vendor_id == disclosure.vendor_id,
                Disclosure.period_start == disclosure.period_start,
                Disclosure.period_end == disclosure.period_end,
            )
            .order_by(Disclosure.number, Disclosure.id),
            pagination_parameters,
        )


@blp.route("/disclosures/<int:disclosure_id>/evidence")
class DisclosureEvidence(MethodView):
    @access(roles("vendor", "buyer"))
    @blp.response(200, EvidenceSchema(many=True))
    @blp.paginate()
    def get(self, disclosure_id, pagination_parameters):
        """Evidence files of a disclosure version"""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        return page_of_select(
            scoped_select(Evidence)
            .where(Evidence.disclosure_id == disclosure.id)
            .order_by(Evidence.id),
            pagination_parameters,
        )

    @access(roles("vendor"))
    @blp.arguments(EvidenceUploadSchema, location="form")
    @blp.arguments(EvidenceFileSchema, location="files")
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": EvidenceUploadBodySchema}}})
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(409, description="Not a draft")
    @blp.alt_response(413, description="File too large")
    @writes
    def post(self, form, files, disclosure_id):
        """Attach a PDF, PNG, JPEG, CSV or XLSX file to a draft, for one section"""
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        upload = files["file"]
        try:
            evidence = services.add_evidence(
                disclosure,
                upload.filename,
                upload.read(),
                form["section"],
                form["level"],
                current_user,
            )
        except EvidenceRejected as rejected:
            return respond_error(rejected.status, rejected.message, {"file": [rejected.message]})
        return evidence


@blp.route("/evidence/<int:evidence_id>")
class EvidenceById(MethodView):
    @access(roles("vendor", "buyer"))
    @blp.response(200, EvidenceSchema)
    def get(self, evidence_id):
        """An evidence file's record (name, type, size, SHA-256, section, level)"""
        return get_scoped_or_404(Evidence, evidence_id)


@blp.route("/evidence/<int:evidence_id>/download")
class EvidenceDownload(MethodView):
    @access(roles("vendor", "buyer"))
    @file_types(blp, sorted(set(ALLOWED_TYPES.values())), "The file")
    def get(self, evidence_id):
        """Download an evidence file (the owning vendor and buyers only)

        The bytes are checked against the SHA-256 recorded at upload: a file that differs, or
        that no store holds, answers 500 and is logged, and is never served.
        """
        evidence = get_scoped_or_404(Evidence, evidence_id)
        return attachment(
            services.read_evidence(evidence), evidence.content_type, evidence.filename
        )


def export_response(fmt: str, latest_period: bool = False):
    """The flat table of the latest visible version per vendor and period, as a download; the
    offer columns hold each vendor's scored offer (`pricing.best_offers`, priced today).

    With `latest_period`, only each vendor's most recent period: one row per vendor.

    A buyer-side reader gets what scores for its organization: the versions it has not
    rejected (a rejected version is left out, and an older one of the period stands in, as
    `procure.scoring.adapter.scored_versions` picks them) with the evidence levels that score
    for it (under the default profile, today), so `procure score` on its export scores as its
    /scores page does; the vendor gets all its versions with its own claims, the table it
    edits and imports back.
    """
    # here: procure.spreadsheets loads openpyxl (~0.07 s), which the app's start otherwise skips
    from procure.spreadsheets import write_table

    organization_id = reviews.reading_organization(current_user)
    statement = scoped_select(Disclosure)
    if organization_id is not None:
        statement = statement.where(
            ~Disclosure.in_state_for(ReviewDecision.REJECTED, organization_id)
        )
    disclosures = latest_versions(statement)
    if latest_period:
        newest = {}
        for disclosure in disclosures:  # sorted by vendor, then period
            newest[disclosure.vendor_id] = disclosure
        disclosures = list(newest.values())
    offers = best_offers()  # each vendor's scored offer, priced today
    levels = (
        reviews.section_levels(
            disclosures,
            organization_id,
            age_months=reviews.default_age_months(),
            on=pricing_day(),
        )
        if organization_id is not None
        else {}
    )
    rows = [flat_row(d, offers.get(d.vendor_id), levels.get(d.id)) for d in disclosures]
    content = write_table(rows, FLAT_COLUMNS, fmt)
    mimetype = "text/csv" if fmt == "csv" else XLSX
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=disclosures.{fmt}"},
    )


def import_upload(upload):
    """Import an uploaded flat table for the current user; all or nothing. Returns the summary."""
    from procure.spreadsheets import read_upload  # here: as in export_response

    rows = read_upload(upload, MAX_IMPORT_ROWS)
    return import_rows(rows, current_user, vendors_for_import(current_user))


@blp.route("/disclosures/export")
class DisclosureExport(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(TableQuerySchema, location="query")
    @file_types(blp, ("text/csv", XLSX), "CSV or XLSX file, one row per vendor and period")
    def get(self, query):
        """Export the latest version you may see of each vendor's disclosure per period"""
        return export_response(query["format"], query["latest_period"])


@blp.route("/disclosures/import")
class DisclosureImport(MethodView):
    @access(roles("vendor", "admin"))
    @blp.arguments(EvidenceFileSchema, location="files")
    @blp.response(200, ImportResultSchema)
    @writes
    def post(self, files):
        """Import a CSV or XLSX flat table as drafts (all rows or none; errors name row and column)"""  # noqa: E501
        result = import_upload(files["file"])
        return result
