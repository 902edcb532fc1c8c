"""Pages: an approved scenario's deliveries (projected against actual per vendor with the
variance explained, the rows recorded, a form to record or correct one, a form to upload an ERP
export whose errors are listed by row and column, and removing a row). The scenario's own page
shows the same figures in its "Deliveries" section (templates/deliveries/_section.html). Forms
are read through the API's schemas and checked by the same services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from procure.access import access, get_scoped_or_404, permitted, roles
from procure.deliveries import services
from procure.deliveries.actuals import PLAN_LOAD, actuals_if_approved, plan_of, shown_vendors
from procure.deliveries.models import Delivery
from procure.deliveries.routes import READERS, delivery_or_404, import_upload, rows_select
from procure.deliveries.schemas import DeliveryCreateSchema
from procure.errors import ConflictError, ValidationFailed
from procure.forms import form_body, load_form
from procure.page_query import page_asked
from procure.paging import page_of_rows
from procure.scenarios.models import Scenario
from procure.states import ScenarioStatus
from procure.transactions import attempt, discard, submit, writes

bp = Blueprint("delivery_pages", __name__)

OUTCOME_WORDS = {
    services.RECORDED: "Recorded.",
    services.CORRECTED: "Corrected: the row's figures are replaced (the audit log keeps the old).",
    services.UNCHANGED: "Nothing changed: the row holds these figures already.",
}


ROWS_PER_PAGE = 100  # recorded rows shown at once: a year of 8 vendors' needs is about 100


def _user():
    return current_user._get_current_object()


def _page(
    scenario: Scenario,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    import_errors: dict[str, list[str]] | None = None,
    status: int = 200,
):
    approved = scenario.status == ScenarioStatus.APPROVED
    plan = plan_of(scenario)
    actuals = actuals_if_approved(scenario, plan)
    actual_vendors, vendors_left_out = shown_vendors(actuals)
    return render_template(
        "deliveries/index.html",
        scenario=scenario,
        approved=approved,
        actuals=actuals,
        actual_vendors=actual_vendors,
        vendors_left_out=vendors_left_out,
        listing=page_of_rows(
            rows_select(scenario).options(
                selectinload(Delivery.vendor), selectinload(Delivery.need)
            ),
            page_asked(),
            ROWS_PER_PAGE,
        ),
        vendor_options=[
            (str(v), plan.vendor_names.get(v, f"vendor {v}")) for v in plan.vendor_ids()
        ],
        need_options=[
            (str(n), f"{plan.need_titles.get(n, f'need {n}')} ({line.unit}s)")
            for n, line in sorted(
                {need_id: line for (_, need_id), line in plan.lines.items()}.items()
            )
        ],
        values=values or {"currency": "USD"},
        errors=errors or {},
        import_errors=import_errors or {},
        can_record=approved and permitted("POST", "delivery_pages.index"),
    ), status


@bp.route("/scenarios/<int:scenario_id>/deliveries", methods=["GET", "POST"])
@access(READERS, POST=roles("buyer"))
@writes
def index(scenario_id):
    """The deliveries page; its form records a row (or corrects the one of the same vendor,
    need and month), read through the API's schema (DeliveryCreateSchema)."""
    scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
    if request.method == "GET":
        return _page(scenario)
    schema = DeliveryCreateSchema()
    body = form_body(schema, request.form, null_if_blank=("need_id", "note"))
    saved = submit(lambda: services.record_delivery(scenario, _user(), load_form(schema, body)))
    if saved.done and saved.result is not None:
        flash(OUTCOME_WORDS[saved.result[1]], "success")
        return redirect(url_for("delivery_pages.index", scenario_id=scenario.id))
    if saved.conflict:
        return redirect(url_for("delivery_pages.index", scenario_id=scenario.id))
    return _page(scenario, values=body, errors=saved.errors, status=saved.status)


@bp.route("/scenarios/<int:scenario_id>/deliveries/import", methods=["POST"])
@access(roles("buyer"))
@writes
def upload(scenario_id):
    """Import an ERP export; one bad row and nothing is imported, each listed by row and column."""
    scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
    try:
        result = import_upload(scenario, request.files.get("file"))
    except ValidationFailed as failed:
        discard()
        return _page(scenario, import_errors=failed.errors, status=422)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return redirect(url_for("delivery_pages.index", scenario_id=scenario.id))
    flash(
        f"Imported: {result['recorded']} row(s) recorded, {result['corrected']} corrected, "
        f"{result['unchanged']} unchanged.",
        "success",
    )
    return redirect(url_for("delivery_pages.index", scenario_id=scenario.id))


@bp.route("/scenarios/<int:scenario_id>/deliveries/<int:delivery_id>/delete", methods=["POST"])
@access(roles("buyer"))
@writes
def delete(scenario_id, delivery_id):
    scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
    delivery = delivery_or_404(scenario, delivery_id)
    attempt(lambda: services.delete_delivery(delivery, _user()), "The row is removed.")
    return redirect(url_for("delivery_pages.index", scenario_id=scenario.id))
