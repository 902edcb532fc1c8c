"""Pages: the assurer's shared versions, its attestation form and the withdrawal of an attestation
it issued; the vendor's sharing of a version from the disclosure's page (grant, revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.assurance import services
from procure.assurance.models import AssuranceGrant, Attestation
from procure.assurance.schemas import AttestationCreateSchema, AttestationWithdrawSchema
from procure.disclosures import form_spec
from procure.disclosures.evidence_files import EvidenceRejected
from procure.disclosures.evidence_levels import LEVEL_LABELS
from procure.disclosures.models import EVIDENCE_SECTIONS, Disclosure
from procure.disclosures.pricing import pricing_day
from procure.disclosures.views import render_page as render_disclosure_page
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_body, form_int, load_form
from procure.states import AssuranceLevel, Opinion
from procure.transactions import discard, writes

bp = Blueprint("assurance_pages", __name__)

ATTESTATION_FORM = AttestationCreateSchema(exclude=("disclosure_id",))
WITHDRAW_FORM = AttestationWithdrawSchema()


def _withdrawal_field(attestation_id: int) -> str:
    """The key of a withdrawal form's reason in a page's errors and values: each listed
    attestation has its own form, and the page names the one that was refused."""
    return f"withdraw.{attestation_id}.reason"


def _render_index(withdraw_errors=None, withdraw_values=None, status=200):
    grants = db.session.scalars(
        scoped_select(AssuranceGrant).order_by(AssuranceGrant.granted_at.desc())
    ).all()
    issued = db.session.scalars(
        scoped_select(Attestation).order_by(Attestation.issued_on.desc(), Attestation.id.desc())
    ).all()
    return render_template(
        "assurance/index.html",
        grants=grants,
        issued=issued,
        today=pricing_day(),
        withdraw_errors=withdraw_errors or {},
        withdraw_values=withdraw_values or {},
    ), status


@bp.route("/assurance")
@access(roles("assurer"))
def index():
    """The versions shared with the assurer's organization, and the attestations it issued (each
    with its withdrawal form while it stands)."""
    return _render_index()


def _render_version(
    grant: AssuranceGrant,
    errors=None,
    values=None,
    status=200,
    withdraw_errors=None,
    withdraw_values=None,
):
    issued = db.session.scalars(
        scoped_select(Attestation)
        .where(Attestation.disclosure_id == grant.disclosure_id)
        .order_by(Attestation.id)
    ).all()
    return render_template(
        "assurance/shared_version.html",
        grant=grant,
        disclosure=grant.disclosure,
        document=grant.disclosure.figures,
        spec=form_spec,
        issued=issued,
        today=pricing_day(),
        errors=errors or {},
        values=values or {},
        withdraw_errors=withdraw_errors or {},
        withdraw_values=withdraw_values or {},
        level_labels=LEVEL_LABELS,
        section_options=[(section, section.title()) for section in EVIDENCE_SECTIONS],
        assurance_options=[(level.value, level.value.title()) for level in AssuranceLevel],
        opinion_options=[(opinion.value, opinion.value.title()) for opinion in Opinion],
    ), status


@bp.route("/assurance/grants/<int:grant_id>", methods=["GET", "POST"])
@access(roles("assurer"))
@writes
def shared_version(grant_id):
    """A version shared with the assurer's organization, read-only with its evidence files, and
    the form that attests one of its sections (the API's fields, the statement as `file`)."""
    grant = get_scoped_or_404(AssuranceGrant, grant_id)
    if request.method == "GET":
        return _render_version(grant)
    values = {name: request.form.get(name, "").strip() for name in ATTESTATION_FORM.fields}
    upload = request.files.get("file")
    try:
        fields = load_form(ATTESTATION_FORM, form_body(ATTESTATION_FORM, request.form))
        attestation = services.issue_attestation(
            grant,
            fields,
            upload.filename if upload else None,
            upload.read() if upload else None,
            current_user,
        )
    except ValidationFailed as failed:
        discard()
        grant = get_scoped_or_404(AssuranceGrant, grant_id)
        return _render_version(grant, failed.errors, values, 422)
    except EvidenceRejected as rejected:
        discard()
        grant = get_scoped_or_404(AssuranceGrant, grant_id)
        return _render_version(grant, {"file": [rejected.message]}, values, rejected.status)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return redirect(url_for("assurance_pages.shared_version", grant_id=grant_id))
    flash(
        f"The {attestation.section} section is attested; every buyer and the vendor see it.",
        "success",
    )
    return redirect(url_for("assurance_pages.shared_version", grant_id=grant_id) + "#issued")


def _open_grant(grant_id: int | None) -> AssuranceGrant | None:
    """The assurer's open grant `grant_id` (the page a withdrawal form was on), if it still is."""
    if grant_id is None:
        return None
    return db.session.scalars(
        scoped_select(AssuranceGrant).where(AssuranceGrant.id == grant_id)
    ).first()


@bp.route("/assurance/attestations/<int:attestation_id>/withdraw", methods=["POST"])
@access(roles("assurer"))
@writes
def withdraw(attestation_id):
    """The assurer withdraws an attestation its organization issued, with the reason typed in
    its row (the API's body). A refusal re-renders the page the form was on (the shared version
    while its grant is open, else the list) with the reason kept and the error at the field."""
    attestation = get_scoped_or_404(Attestation, attestation_id)
    from_grant = form_int(request.form.get("grant_id"))
    reason = request.form.get("reason", "")
    try:
        body = load_form(WITHDRAW_FORM, form_body(WITHDRAW_FORM, request.form))
        services.withdraw_attestation(attestation, body["reason"], current_user)
    except ValidationFailed as failed:
        discard()
        field = _withdrawal_field(attestation_id)
        errors = {field: failed.errors["reason"]}  # the one field of the form
        values = {field: reason}
        grant = _open_grant(from_grant)
        if grant is not None:
            return _render_version(
                grant, status=422, withdraw_errors=errors, withdraw_values=values
            )
        return _render_index(errors, values, 422)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
    else:
        flash(
            f"The {attestation.section} attestation of {attestation.disclosure.vendor.name} is "
            "withdrawn: it counts for no buyer now, and every page shows it as withdrawn, with "
            "your reason.",
            "success",
        )
    if _open_grant(from_grant) is not None:
        return redirect(url_for("assurance_pages.shared_version", grant_id=from_grant) + "#issued")
    return redirect(url_for("assurance_pages.index") + "#issued")


def _back_to(disclosure_id: int):
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure_id) + "#assurance")


@bp.route("/disclosures/<int:disclosure_id>/assurance", methods=["POST"])
@access(roles("vendor"))
@writes
def grant(disclosure_id):
    """The vendor shares the version with the assurance provider chosen on its page. A refused
    choice re-renders the disclosure's page (422) with the error at the field and the choice
    kept; a conflict (not submitted, shared with that provider already) is said at the top."""
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    provider_id = form_int(request.form.get("provider_id"))
    try:
        if provider_id is None:
            raise ValidationFailed({"provider_id": ["Choose one of the assurance providers."]})
        granted = services.grant_access(disclosure, provider_id, current_user)
    except ValidationFailed as failed:
        discard()
        disclosure = get_scoped_or_404(Disclosure, disclosure_id)
        return render_disclosure_page(disclosure, errors=failed.errors, status=422)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return _back_to(disclosure_id)
    flash(
        f"{granted.provider.name} can now read version {disclosure.number} and its evidence "
        "files, and attest its sections.",
        "success",
    )
    return _back_to(disclosure_id)


@bp.route("/assurance-grants/<int:grant_id>/revoke", methods=["POST"])
@access(roles("vendor"))
@writes
def revoke(grant_id):
    """The vendor ends a provider's access; back to the version's page."""
    found = get_scoped_or_404(AssuranceGrant, grant_id)
    try:
        services.revoke_grant(found, current_user)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return _back_to(found.disclosure_id)
    flash(
        f"{found.provider.name} can no longer read this version; the attestations it issued stay.",
        "success",
    )
    return _back_to(found.disclosure_id)
