"""Pages: the buyer organization's needs."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_number, form_version
from procure.needs import services
from procure.needs.models import Need
from procure.transactions import discard, writes
from procure.vendors.categories import UNITS, service_categories

bp = Blueprint("need_pages", __name__)

NUMBER_FIELDS = (
    "volume",
    "budget_usd",
    "min_quality",
    "max_vendor_share",
    "min_avg_impact",
    "min_impact_spend_share",
)
OPTIONAL = ("budget_usd", "min_avg_impact", "min_impact_spend_share")


def _values_from_form(form) -> tuple[dict, dict, dict]:
    """Typed values, per-field errors, and the raw text to show again."""
    raw = {
        key: form.get(key, "").strip()
        for key in (
            "title",
            "service_category",
            "unit",
            "period_start",
            "period_end",
            *NUMBER_FIELDS,
        )
    }
    values: dict = {
        "title": raw["title"],
        "service_category": raw["service_category"],
        "unit": raw["unit"],
    }
    errors: dict = {}
    for key in ("period_start", "period_end"):
        try:
            values[key] = date.fromisoformat(raw[key])
        except ValueError:
            errors[key] = ["Enter a date (YYYY-MM-DD)."]
    for key in NUMBER_FIELDS:
        number = form_number(
            form, key, errors, required="Enter the volume." if key == "volume" else None
        )
        if number is not None or key in OPTIONAL:
            values[key] = number  # blank min_quality / max_vendor_share keep their defaults
    return values, errors, raw


def _options():
    return {
        "category_options": [(key, c.label) for key, c in service_categories().items()],
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
        values, errors, raw = _values_from_form(request.form)
        if not errors:
            try:
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
    raw = {
        key: ("" if getattr(need, key) is None else getattr(need, key))
        for key in (
            "title",
            "service_category",
            "unit",
            "period_start",
            "period_end",
            *NUMBER_FIELDS,
        )
    }
    status = 200
    if request.method == "POST":
        values, errors, raw = _values_from_form(request.form)
        if request.form.get("action") == "archive":
            values, errors = {"archived": True}, {}
        if not errors:
            try:
                services.update_need(need, values, form_version(request.form), current_user)
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
        "needs/edit.html", need=need, errors=errors, raw=raw, **_options()
    ), status
