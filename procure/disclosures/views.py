"""Pages: the vendor's disclosures (multi-section form, evidence, versions) and the buyer's review
queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer

from procure.access import (
    SIGNED_IN,
    access,
    get_scoped_or_404,
    permitted,
    roles,
    scoped_select,
)
from procure.assurance import services as assurance
from procure.disclosures import form_spec, reviews, services
from procure.disclosures.evidence_files import EvidenceRejected
from procure.disclosures.evidence_levels import LEVEL_LABELS
from procure.disclosures.models import (
    EVIDENCE_LEVELS,
    EVIDENCE_SECTIONS,
    Disclosure,
    DisclosureReview,
)
from procure.disclosures.routes import (
    LIST_LOADS,
    export_response,
    import_upload,
    section_or_404,
)
from procure.disclosures.schemas import DisclosureUpdateSchema, ReviewSchema, TableQuerySchema
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_body, load_form
from procure.page_query import page_asked, read_query
from procure.paging import page_of_rows
from procure.states import DisclosureState, ReviewDecision
from procure.transactions import discard, writes
from procure.vendors.views import own_vendor
from scoring.fields import PAY_PERIODS

bp = Blueprint("disclosure_pages", __name__)
# the flat table reads tenants' disclosures: the platform operator, which reads none, is refused
# rather than shown an empty table
TENANTS = roles("admin", "buyer", "executive", "vendor")
VERSION_ONLY = DisclosureUpdateSchema(only=("edit_version",))
# rows of the review queue's page
REVIEWS_PER_PAGE = 50


@bp.route("/vendor/disclosures", methods=["GET", "POST"])
@access(roles("vendor"))
@writes
def index():
    vendor = own_vendor()
    if vendor is None:
        flash("Fill in your profile first; then disclose your impact.", "info")
        return redirect(url_for("vendor_pages.profile"))
    errors: dict = {}
    values = {"period_start": "", "period_end": ""}
    carry_over = True  # a new period starts from the previous one's figures unless unticked
    status = 200
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in values}
        carry_over = request.form.get("carry_over") == "1"
        try:
            disclosure = services.create_draft(vendor, values, current_user, carry_over=carry_over)
        except (ValidationFailed, ConflictError) as failed:
            discard()
            if isinstance(failed, ValidationFailed):
                errors, status = failed.errors, 422
            else:
                flash(failed.message, "error")
                status = 409
        else:
            carried = len(disclosure.carried_over)
            if carried:
                source = db.session.get(Disclosure, disclosure.carried_over_from_id)
                flash(
                    f"Draft started with {carried} figure{'' if carried == 1 else 's'} carried "
                    f"over from your {services.period_label(source)} disclosure: check each one, "
                    "and save as you go.",
                    "success",
                )
            else:
                flash("Draft started. Fill in the sections and save as you go.", "success")
            return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure.id))
    disclosures = db.session.scalars(
        scoped_select(Disclosure)
        .where(Disclosure.vendor_id == vendor.id)
        .order_by(Disclosure.period_start.desc(), Disclosure.number.desc())
    ).all()
    periods: dict = {}
    for disclosure in disclosures:
        periods.setdefault((disclosure.period_start, disclosure.period_end), []).append(disclosure)
    return render_template(
        "disclosures/index.html",
        vendor=vendor,
        periods=periods,
        values=values,
        errors=errors,
        spec=form_spec,
        carry_over=carry_over,
        can_carry=any(d.state == DisclosureState.SUBMITTED for d in disclosures),
    ), status


def _refused(conflict: ConflictError, disclosure_id: int):
    """Undo the request's changes and show why it was refused on the disclosure page."""
    discard()
    flash(conflict.message, "error")
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure_id))


def render_page(disclosure: Disclosure, document=None, errors=None, status=200):
    versions = db.session.scalars(
        scoped_select(Disclosure)
        .where(
            Disclosure.vendor_id == disclosure.vendor_id,
            Disclosure.period_start == disclosure.period_start,
            Disclosure.period_end == disclosure.period_end,
        )
        .order_by(Disclosure.number.desc())
    ).all()
    editing = permitted("POST", "disclosure_pages.show") and disclosure.editable
    carried_from = (
        db.session.get(Disclosure, disclosure.carried_over_from_id)
        if editing and disclosure.carried_over_from_id
        else None
    )
    return render_template(
        "disclosures/show.html",
        disclosure=disclosure,
        document=document if document is not None else disclosure.figures,
        errors=errors or {},
        # the marks as last saved: a refused save changes none
        carried=set(disclosure.carried_over) if editing else set(),
        carried_from=services.period_label(carried_from) if carried_from else None,
        unbacked=services.unbacked_claims(disclosure) if editing else [],
        versions=versions,
        spec=form_spec,
        pay_period_options=[(p, p) for p in PAY_PERIODS],
        level_options=[(level, LEVEL_LABELS[level]) for level in EVIDENCE_LEVELS],
        level_labels=LEVEL_LABELS,
        section_options=[(section, section.title()) for section in EVIDENCE_SECTIONS],
        can_edit=editing,
        can_review=permitted("POST", "disclosure_pages.review")
        and disclosure.state_for(current_user.organization_id) == DisclosureState.SUBMITTED,
        # a section is reviewed on a submitted version the organization has not rejected
        can_review_sections=permitted("POST", "disclosure_pages.review_section")
        and disclosure.state == DisclosureState.SUBMITTED
        and disclosure.state_for(current_user.organization_id) != ReviewDecision.REJECTED,
        sections=reviews.sections_seen_by(disclosure, current_user),
        age_months=reviews.default_age_months(),
        reviews=disclosure.reviews_seen_by(current_user),
        can_amend=permitted("POST", "disclosure_pages.amend")
        and disclosure.state != DisclosureState.DRAFT
        and versions
        and versions[0].id == disclosure.id,
        can_see_evidence=permitted("GET", "disclosures_api.EvidenceDownload"),
        # the vendor shares a submitted version with assurance providers here
        sharing=assurance.sharing(disclosure)
        if permitted("POST", "assurance_pages.grant")
        and disclosure.state == DisclosureState.SUBMITTED
        else None,
    ), status


@bp.route("/disclosures/<int:disclosure_id>", methods=["GET", "POST"])
@access(SIGNED_IN, POST=roles("vendor"))
@writes
def show(disclosure_id):
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    if request.method == "GET":
        return render_page(disclosure)
    if request.headers.get("X-Autosave") == "1":
        return _autosave(disclosure)
    return _save_form(disclosure, request.form.get("action", "save"))


def _autosave(disclosure: Disclosure):
    """A draft saved as the vendor types (the page's script, after a pause in the typing): the
    figures only, never a file or a submission. Answers JSON: the new edit version, or the
    reason nothing was saved (422 with each field's label, 409 when someone saved meanwhile);
    the page keeps what was typed either way."""
    try:
        sent = load_form(VERSION_ONLY, form_body(VERSION_ONLY, request.form))
        services.update_draft(
            disclosure,
            form_spec.document_from_form(request.form),
            sent["edit_version"],
            current_user,
            request.form.getlist("confirmed"),
            autosave=True,
        )
    except ValidationFailed as failed:
        problems = []
        for field, messages in (failed.errors or {}).items():
            label, text = form_spec.field_label(field), " ".join(map(str, messages))
            # a message that starts with the field's label says it once
            problems.append(text if text.startswith(label) else f"{label}: {text}")
        return jsonify(saved=False, message="Not saved yet: " + "; ".join(problems)), 422
    except ConflictError as conflict:
        discard()
        change = _other_change(disclosure.id, conflict)
        if change is None:
            return jsonify(saved=False, message=conflict.message), 409
        return jsonify(
            saved=False,
            message=change["sentence"],
            changed_by=change["who"],
            changed_at=change["at"],
        ), 409
    db.session.flush()
    return jsonify(saved=True, edit_version=disclosure.edit_version, message="Draft saved")


def _other_change(disclosure_id: int, conflict: ConflictError) -> dict | None:
    """After a save refused for a stale version: who changed the draft since the page was
    opened, and when (None for another refusal, a version no longer a draft, or nobody on
    record)."""
    if "edit_version" not in conflict.errors:
        return None
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    if not disclosure.editable:
        return None
    return services.other_change(disclosure, current_user)


def _save_form(disclosure: Disclosure, action: str):
    """Save the figures the form posts, attach the file chosen with them (whichever button was
    pressed: a file chosen is never dropped), then submit if asked. One transaction: refused, it
    changes nothing and the page comes back with everything typed and the reason."""
    document = form_spec.document_from_form(request.form)
    upload = request.files.get("file")
    attached = None
    disclosure_id = disclosure.id  # read now: a failed flush leaves the record unreadable
    try:
        # the version read by the API's own field: text that is no version is refused, named
        sent = load_form(VERSION_ONLY, form_body(VERSION_ONLY, request.form))
        services.update_draft(
            disclosure,
            document,
            sent["edit_version"],
            current_user,
            request.form.getlist("confirmed"),
        )
        if upload is not None and upload.filename:
            attached = _attach(disclosure, upload)
        elif action == "attach":
            raise ValidationFailed({"file": ["Choose a file to upload."]})
        if action == "submit":
            services.submit(disclosure, current_user)
    except ValidationFailed as failed:
        discard()
        return render_page(
            get_scoped_or_404(Disclosure, disclosure_id), document, failed.errors, 422
        )
    except EvidenceRejected as rejected:
        discard()
        return render_page(
            get_scoped_or_404(Disclosure, disclosure_id),
            document,
            {"file": [rejected.message]},
            rejected.status,
        )
    except ConflictError as conflict:
        discard()
        change = _other_change(disclosure_id, conflict)
        if change is None:
            return _refused(conflict, disclosure_id)
        # still a draft, changed by another save: the page again with what was typed
        flash(
            f"{change['sentence']} What you typed is in the form below; saving it again "
            "replaces the other changes with yours.",
            "error",
        )
        return render_page(get_scoped_or_404(Disclosure, disclosure_id), document, None, 409)
    saved = (
        "Submitted. Buyers can now review it; it can no longer be edited."
        if action == "submit"
        else "Draft saved."
    )
    if attached is not None:
        saved += f" {attached.filename} is attached to the {attached.section} section."
    flash(saved, "success")
    anchor = "#evidence" if action == "attach" else ""
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure.id) + anchor)


def _attach(disclosure: Disclosure, upload):
    return services.add_evidence(
        disclosure,
        upload.filename,
        upload.read(),
        request.form.get("section", ""),
        request.form.get("level", ""),
        current_user,
    )


@bp.route("/disclosures/<int:disclosure_id>/amend", methods=["POST"])
@access(roles("vendor"))
@writes
def amend(disclosure_id):
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    try:
        amendment = services.amend(disclosure, current_user)
    except ConflictError as conflict:
        return _refused(conflict, disclosure_id)
    flash(
        f"Version {amendment.number} is a new draft with the figures of "
        f"version {disclosure.number}.",
        "success",
    )
    return redirect(url_for("disclosure_pages.show", disclosure_id=amendment.id))


@bp.route("/disclosures/<int:disclosure_id>/review", methods=["POST"])
@access(roles("buyer"))
@writes
def review(disclosure_id):
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    try:
        reviews.review_version(
            disclosure,
            request.form.get("decision", ""),
            request.form.get("comment", ""),
            current_user,
        )
    except ValidationFailed as failed:
        discard()
        return render_page(
            get_scoped_or_404(Disclosure, disclosure_id), errors=failed.errors, status=422
        )
    except ConflictError as conflict:
        return _refused(conflict, disclosure_id)
    flash(
        f"Marked {disclosure.state_for(current_user.organization_id)} for your organization.",
        "success",
    )
    return redirect(url_for("disclosure_pages.queue"))


@bp.route("/disclosures/<int:disclosure_id>/sections/<section>/review", methods=["POST"])
@access(roles("buyer"))
@writes
def review_section(disclosure_id, section):
    """One section verified or rejected (the API's ReviewSchema); errors are shown at that
    section's form, named `sections.<section>.<field>`."""
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    section = section_or_404(section)
    schema = ReviewSchema()
    try:
        body = load_form(schema, form_body(schema, request.form))
        record = reviews.review_section(
            disclosure, section, body["decision"], body["comment"], current_user
        )
    except ValidationFailed as failed:
        discard()
        errors = {
            f"sections.{section}.{field}": messages for field, messages in failed.errors.items()
        }
        return render_page(get_scoped_or_404(Disclosure, disclosure_id), errors=errors, status=422)
    except ConflictError as conflict:
        return _refused(conflict, disclosure_id)
    flash(f"The {section} section is {record.decision} for your organization.", "success")
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure_id) + "#sections")


@bp.route("/disclosures/<int:disclosure_id>/evidence", methods=["POST"])
@access(roles("vendor"))
@writes
def upload_evidence(disclosure_id):
    """Attach a file. Posted with the disclosure form (its "Attach file" button), the figures
    typed are saved with it; alone, only the file is attached."""
    disclosure = get_scoped_or_404(Disclosure, disclosure_id)
    if "edit_version" in request.form:
        return _save_form(disclosure, "attach")
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": ["Choose a file to upload."]})
        evidence = _attach(disclosure, upload)
    except EvidenceRejected as rejected:
        discard()
        return render_page(disclosure, errors={"file": [rejected.message]}, status=rejected.status)
    except ValidationFailed as failed:
        discard()
        return render_page(disclosure, errors=failed.errors, status=422)
    except ConflictError as conflict:
        return _refused(conflict, disclosure_id)
    flash(f"{evidence.filename} is attached to the {evidence.section} section.", "success")
    return redirect(url_for("disclosure_pages.show", disclosure_id=disclosure_id) + "#evidence")


@bp.route("/reviews")
@access(roles("buyer"))
def queue():
    """The versions waiting for the organization's review, a page at a time (oldest submitted
    first), and its 20 latest reviews. Each row's vendor, files and reviews are read for the page
    in a fixed number of queries, and the documents are not read at all (#23: at 10,000 vendors
    the whole queue, each row's vendor and files read one by one, was 20,000 queries)."""
    organization_id = current_user.organization_id
    rows = (*LIST_LOADS, defer(Disclosure.figures))
    waiting = page_of_rows(
        scoped_select(Disclosure)
        .where(Disclosure.in_state_for(DisclosureState.SUBMITTED, organization_id))
        .order_by(Disclosure.submitted_at, Disclosure.id)
        .options(*rows),
        page_asked(),
        REVIEWS_PER_PAGE,
    )
    recent = db.session.scalars(
        scoped_select(Disclosure)
        .join(DisclosureReview)
        .where(DisclosureReview.organization_id == organization_id)
        .order_by(DisclosureReview.reviewed_at.desc(), DisclosureReview.id.desc())
        .limit(20)
        .options(*rows)
    ).all()
    return render_template("disclosures/queue.html", waiting=waiting, recent=recent)


@bp.route("/disclosures/table", methods=["GET", "POST"])
@access(TENANTS, POST=roles("vendor", "admin"))
@writes
def table():
    """Export the flat table (everyone, within what they may see); import it (vendors, admins)."""
    can_import = permitted("POST")
    errors: dict = {}
    status = 200
    if request.method == "POST":
        try:
            result = import_upload(request.files.get("file"))
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        else:
            flash(
                f"Imported {result['imported']} disclosure(s) as drafts; "
                f"{result['unchanged']} row(s) were unchanged.",
                "success",
            )
            return redirect(url_for("disclosure_pages.table"))
    return render_template("disclosures/table.html", can_import=can_import, errors=errors), status


@bp.route("/disclosures/table/export.<fmt>")
@access(TENANTS)
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    # the format is the address's; `latest_period` is read as the API reads it
    return export_response(
        fmt, read_query(TableQuerySchema(only=("latest_period",)))["latest_period"]
    )
