"""Pages: the service categories every signed-in user reads, and the platform operator's forms to
add, edit and retire them. The forms are read by the API's schemas."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import SIGNED_IN, access, get_scoped_or_404, permitted, roles, scoped_select
from procure.categories import services
from procure.categories.schemas import ServiceCategoryCreateSchema, ServiceCategoryUpdateSchema
from procure.forms import form_body, load_form
from procure.transactions import submit, writes
from procure.vendors.categories import UNITS, ServiceCategory

bp = Blueprint("category_pages", __name__)

ADD_FIELDS = ("key", "label", "unit", "description")
EDIT_FIELDS = ("label", "unit", "description")
LABELS = {
    "key": "Key",
    "label": "Label",
    "unit": "Unit",
    "description": "Description",
    "retired": "Retired",
    "version": "Version",
}
UNIT_OPTIONS = [(unit, unit) for unit in UNITS]


def field_label(field: str) -> str:
    return LABELS.get(field, field)


@bp.route("/service-categories", methods=["GET", "POST"])
@access(SIGNED_IN, POST=roles("operator"))
@writes
def index():
    """Every category by label; for the operator, how many offers and needs use each, and a
    form to add one."""
    errors: dict = {}
    raw = {"key": "", "label": "", "unit": "hour", "description": ""}
    status = 200
    if request.method == "POST":
        raw = {key: request.form.get(key, "").strip() for key in ADD_FIELDS}
        schema = ServiceCategoryCreateSchema()
        added = submit(
            lambda: services.add_category(
                load_form(schema, form_body(schema, request.form)),
                current_user._get_current_object(),
            )
        )
        if added.result is not None:
            flash(f"“{added.result.label}” ({added.result.key}) is added.", "success")
            return redirect(url_for("category_pages.index"))
        errors, status = added.errors, added.status
    can_edit = permitted("POST")
    return render_template(
        "categories/index.html",
        categories=services.listing(scoped_select(ServiceCategory)),
        usage=services.usage_by_key() if can_edit else {},
        can_edit=can_edit,
        errors=errors,
        raw=raw,
        unit_options=UNIT_OPTIONS,
        field_label=field_label,
    ), status


@bp.route("/service-categories/<int:category_id>", methods=["GET", "POST"])
@access(roles("operator"))
@writes
def edit(category_id):
    """The operator edits a category's label, description and unit, or retires it (action
    "retire") or brings it back ("unretire")."""
    category = get_scoped_or_404(ServiceCategory, category_id)
    errors: dict = {}
    raw = {name: getattr(category, name) for name in EDIT_FIELDS}
    status = 200
    if request.method == "POST":
        schema = ServiceCategoryUpdateSchema()
        action = request.form.get("action")
        if action in ("retire", "unretire"):
            body = {"retired": action == "retire", "version": request.form.get("version", "")}
        else:
            raw = {name: request.form.get(name, "").strip() for name in EDIT_FIELDS}
            body = form_body(schema, request.form)

        def change() -> ServiceCategory:
            values = load_form(schema, body)
            return services.update_category(
                category, values, values.pop("version"), current_user._get_current_object()
            )

        edited = submit(change)
        if edited.conflict:
            return redirect(url_for("category_pages.edit", category_id=category_id))
        if edited.done:
            flash(_done(category, action), "success")
            return redirect(url_for("category_pages.index"))
        errors, status = edited.errors, edited.status
    return render_template(
        "categories/edit.html",
        category=category,
        usage=services.usage_of(category.key),
        errors=errors,
        raw=raw,
        unit_options=UNIT_OPTIONS,
        field_label=field_label,
    ), status


def _done(category: ServiceCategory, action: str | None) -> str:
    if action == "retire":
        return f"“{category.label}” is retired: new offers and needs can no longer choose it."
    if action == "unretire":
        return f"“{category.label}” is offered again."
    return f"“{category.label}” is saved."
