"""Pages: the buyer organization's needs."""

from __future__ import annotations

from collections.abc import Collection

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_body, load_form
from procure.needs import services
from procure.needs.models import Need
from procure.needs.schemas import NeedSchema, NeedUpdateSchema
from procure.transactions import discard, writes
from procure.vendors.categories import UNITS, category_options, service_categories

bp = Blueprint("need_pages", __name__)

FIELDS = (
    "title",
    "service_category",
    "unit",
    "period_start",
    "period_end",
    "volume",
    "budget_usd",
    "min_quality",
    "max_vendor_share",
    "min_avg_impact",
    "min_impact_spend_share",
    "max_vendors",
    "min_award",
)
# blank: no limit (a blank min_quality or max_vendor_share keeps its default; a blank volume is
# refused)
BLANK_IS_NULL = (
    "volume",
    "budget_usd",
    "min_avg_impact",
    "min_impact_spend_share",
    "max_vendors",
    "min_award",
)


def _raw(form) -> dict:
    """The text typed into each field, to show again."""
    return {key: form.get(key, "").strip() for key in FIELDS}


def _options(kept: Collection[str] = ()):
    """The choices of the form; `kept` holds the need's own category (shown when retired)."""
    return {
        "category_options": category_options(kept),
        "unit_options": [(unit, unit) for unit in UNITS],
    }


@bp.route("/needs", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"), POST=roles("buyer"))
@writes
def index():
    errors: dict = {}
    raw = {"unit": "hour", "min_quality": "0.9", "max_vendor_share": "0.5"}
    status = 200
    if request.method == "POST":
        raw = _raw(request.form)
        try:
            schema = NeedSchema()
            values = load_form(schema, form_body(schema, request.form, null_if_blank=BLANK_IS_NULL))
            need = services.create_need(current_user.organization_id, values, current_user)
        except ValidationFailed as failed:
            discard()
            errors = failed.errors
        else:
            flash(f"“{need.title}” is registered.", "success")
            return redirect(url_for("need_pages.index"))
        status = 422
    needs = db.session.scalars(
        scoped_select(Need)
        .where(Need.archived.is_(False))
        .order_by(Need.period_start.desc(), Need.id)
    ).all()
    return render_template(
        "needs/index.html",
        needs=needs,
        errors=errors,
        raw=raw,
        categories=service_categories(),
        **_options(),
    ), status


@bp.route("/needs/<int:need_id>", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"), POST=roles("buyer"))
@writes
def edit(need_id):
    need = get_scoped_or_404(Need, need_id)
    errors: dict = {}
    raw = {key: ("" if getattr(need, key) is None else getattr(need, key)) for key in FIELDS}
    status = 200
    if request.method == "POST":
        raw = _raw(request.form)
        schema = NeedUpdateSchema()
        body = form_body(schema, request.form, null_if_blank=BLANK_IS_NULL)
        if request.form.get("action") == "archive":
            body = {key: value for key, value in body.items() if key == "version"}
            body["archived"] = True
        try:
            values = load_form(schema, body)
            services.update_need(need, values, values.pop("version"), current_user)
        except (ValidationFailed, ConflictError) as failed:
            discard()
            need = get_scoped_or_404(Need, need_id)
            if isinstance(failed, ConflictError):
                flash(failed.message, "error")
                return redirect(url_for("need_pages.edit", need_id=need_id))
            errors = failed.errors
        else:
            flash("Archived." if values.get("archived") else "Saved.", "success")
            return redirect(url_for("need_pages.index"))
        status = 422
    return render_template(
        "needs/edit.html",
        need=need,
        errors=errors,
        raw=raw,
        **_options(kept=(need.service_category,)),
    ), status
