"""Pages: the buyer organization's needs."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.formatting import input_number, plain_number
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


LABELS = {
    "title": ("Title", ""),
    "service_category": ("Service category", ""),
    "volume": ("Volume", ""),
    "unit": ("Unit", ""),
    "period_start": ("From", ""),
    "period_end": ("To", ""),
    "budget_usd": ("Budget", "USD"),
    "min_quality": ("Minimum quality", "0–1"),
    "max_vendor_share": ("Largest share per vendor", "0–1"),
    "min_avg_impact": ("Minimum average impact", "0–100"),
    "min_impact_spend_share": ("Share of spend with impact vendors", "0–1"),
    "max_vendors": ("Most vendors for this need", ""),
    "min_award": ("Minimum award per vendor", "in the need's unit"),
}
"""Each field's name and the unit or scale its input is typed in: the form's label is
"Budget (USD)", a fact reads "Budget" with the figure in words."""

FORM_LABELS = {key: f"{name} ({unit})" if unit else name for key, (name, unit) in LABELS.items()}

SHARES = ("min_quality", "max_vendor_share", "min_impact_spend_share")
"""The fields typed as a 0–1 share, read as a percentage."""


def facts(need: Need, categories: dict[str, str]) -> list[tuple[str, str]]:
    """The need's figures as a reader who cannot edit them sees them: (label, value in words),
    money with its currency, shares as percentages, a limit left empty said as such;
    `categories`: a category's key to its label."""
    unit = f"{need.unit}s"

    def words(key: str) -> str:
        value = getattr(need, key)
        if key == "service_category":
            return categories.get(value, value)
        if isinstance(value, date):
            return value.isoformat()
        if value is None:
            return "no budget limit" if key == "budget_usd" else "none"
        if key == "budget_usd":
            return f"{plain_number(value)} USD"
        if key in SHARES:
            return f"{plain_number(value * 100, 4)} %"
        if key in ("volume", "min_award"):
            return f"{plain_number(value)} {unit}"
        return plain_number(value) if isinstance(value, int | float) else str(value)

    return [(LABELS[key][0], words(key)) for key in FIELDS]


def _raw(form) -> dict:
    """The text typed into each field, to show again."""
    return {key: form.get(key, "").strip() for key in FIELDS}


def _options(kept: Collection[str] = ()):
    """The choices of the form; `kept` holds the need's own category (shown when retired)."""
    return {
        "category_options": category_options(kept),
        "unit_options": [(unit, unit) for unit in UNITS],
        "labels": FORM_LABELS,
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
    conflict = None
    if request.method == "POST":
        raw = _raw(request.form)
        schema = NeedUpdateSchema()
        body = form_body(schema, request.form, null_if_blank=BLANK_IS_NULL)
        if request.form.get("action") == "archive":
            body = {key: value for key, value in body.items() if key == "version"}
            body["archived"] = True
        try:
            values = load_form(schema, body)
            changed = services.update_need(need, values, values.pop("version"), current_user)
        except ConflictError as failed:
            discard()
            need = get_scoped_or_404(Need, need_id)
            if "version" not in failed.errors:
                flash(failed.message, "error")
                return redirect(url_for("need_pages.edit", need_id=need_id))
            # loaded before someone else saved it: what was typed stays, beside what is saved
            conflict, status = _conflict(need, raw), 409
        except ValidationFailed as failed:
            discard()
            need = get_scoped_or_404(Need, need_id)
            errors, status = failed.errors, 422
        else:
            if not changed:
                flash("No changes to save: the need is as it was.", "info")
                return redirect(url_for("need_pages.edit", need_id=need_id))
            flash("Archived." if values.get("archived") else "Saved.", "success")
            return redirect(url_for("need_pages.index"))
    return render_template(
        "needs/edit.html",
        need=need,
        errors=errors,
        raw=raw,
        conflict=conflict,
        facts=facts(need, dict(category_options((need.service_category,)))),
        **_options(kept=(need.service_category,)),
    ), status


def _conflict(need: Need, typed: dict[str, str]) -> dict:
    """The notice of a form loaded before someone else saved the need: what to do, and the
    saved values that differ from what was typed (label, value in words)."""
    shown = dict(facts(need, dict(category_options((need.service_category,)))))
    saved_now = []
    for key in FIELDS:
        saved = getattr(need, key)
        text = saved.isoformat() if isinstance(saved, date) else input_number(saved)
        if typed.get(key, "") != text:
            saved_now.append((LABELS[key][0], shown[LABELS[key][0]]))
    return {
        "message": "Someone else changed this need since you opened the page, so nothing was "
        "saved. Please review the current values and save again.",
        "form": True,  # the page's one form keeps what was typed
        "saved_now": saved_now,
    }
