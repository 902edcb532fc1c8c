"""Pages: the assurer's shared versions and its attestation form; the vendor's sharing of a
version from the disclosure's page (grant, revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.assurance import services
from procure.assurance.models import AssuranceGrant, Attestation
from procure.assurance.schemas import AttestationCreateSchema
from procure.disclosures import form_spec
from procure.disclosures.evidence_files import EvidenceRejected
from procure.disclosures.evidence_levels import LEVEL_LABELS
from procure.disclosures.models import EVIDENCE_SECTIONS, Disclosure
from procure.disclosures.pricing import pricing_day
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_body, form_int, load_form
from procure.states import AssuranceLevel, Opinion
from procure.transactions import discard, writes

bp = Blueprint("assurance_pages", __name__)

ATTESTATION_FORM = AttestationCreateSchema(exclude=("disclosure_id",))


@bp.route("/assurance")
@access(roles("assurer"))
def index():
    """The versions shared with the assurer's organization, and the attestations it issued."""
    grants = db.session.scalars(
        scoped_select(AssuranceGrant).order_by(AssuranceGrant.granted_at.desc())
    ).all()
    issued = db.session.scalars(
        scoped_select(Attestation).order_by(Attestation.issued_on.desc(), Attestation.id.desc())
    ).all()
    return render_template(
        "assurance/index.html", grants=grants, issued=issued, today=pricing_day()
    )


def _render_version(grant: AssuranceGrant, errors=None, values=None, status=200):
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


def _back_to(disclosure_id: int):
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure_id) + "#assurance")


@bp.route("/disclosures/<int:disclosure_id>/assurance", methods=["POST"])
@access(roles("vendor"))
@writes
def grant(disclosure_id):
    """The vendor shares the version with the assurance provider chosen on its page."""
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    provider_id = form_int(request.form.get("provider_id"))
    try:
        if provider_id is None:
            raise ValidationFailed({"provider_id": ["Choose one of the assurance providers."]})
        granted = services.grant_access(disclosure, provider_id, current_user)
    except (ValidationFailed, ConflictError) as refused:
        discard()
        message = (
            " ".join(m for messages in refused.errors.values() for m in messages)
            if isinstance(refused, ValidationFailed)
            else refused.message
        )
        flash(message, "error")
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
