"""Pages: corrective action plans. A buyer opens one from a vendor's scorecard (the form there
posts to `open_plan`, which shows the form again with what is wrong); a plan's page shows its
baseline, the latest value and the target, the vendor's answers, an answer form for the vendor
and a close form for the buyer. The scorecards list the plans the reader may see
(`corrective_plans`, a template global), and `/corrective-plans` lists them all. Forms are read
through the API's schemas."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import access, get_scoped_or_404, permitted, roles, scoped_select
from procure.corrective import services
from procure.corrective.models import BUYER_SIDE, MAX_ACTIONS, CorrectivePlan
from procure.corrective.routes import READERS
from procure.corrective.schemas import PlanAnswerSchema, PlanCloseSchema, PlanFieldsSchema
from procure.extensions import db
from procure.formatting import plain_number
from procure.forms import form_body, load_form
from procure.states import PlanOutcome, PlanState
from procure.transactions import submit, writes
from procure.vendors.models import Vendor

bp = Blueprint("corrective_pages", __name__)

# the empty action rows the answer form offers (rows left blank are not sent)
ANSWER_ROWS = 3
PLANS_LISTED = 500


def _user():
    return current_user._get_current_object()


@bp.context_processor
def _words():
    return {"plan_states": PlanState, "plan_outcomes": PlanOutcome, "field_label": field_label}


@bp.app_template_global("corrective_plans")
def corrective_plans(vendor: Vendor) -> list[services.PlanView]:
    """The plans on `vendor` the signed-in user may see (its own organization's, or every plan
    on its own vendor), newest first, for the scorecards."""
    if not permitted("GET", "corrective_pages.index"):
        return []
    plans = db.session.scalars(
        scoped_select(CorrectivePlan)
        .where(CorrectivePlan.vendor_id == vendor.id)
        .order_by(CorrectivePlan.id.desc())
    ).all()
    return services.views_of(plans)


@bp.app_template_global("can_open_corrective_plan")
def can_open_corrective_plan() -> bool:
    """Whether the signed-in user may open a plan (the scorecard shows the form only then)."""
    return permitted("POST", "corrective_pages.open_plan")


@bp.app_template_global("corrective_metric_options")
def corrective_metric_options(
    vendor: Vendor, card: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The metrics a plan may be opened on, for the form: each shown with its label, key and
    the value the buyer's scorecard of `vendor` shows (read from `card` when the scorecard has
    it at hand, otherwise scored again)."""
    if card is not None:
        values = {line["metric"]: line["raw_value"] for line in card.get("explanation") or ()}
    else:
        lines = services.scored_lines(current_user.organization_id, [vendor.id]).get(vendor.id)
        values = {key: line.value for key, line in (lines or {}).items()}
    options = []
    for metric in services.metric_choices(current_user.organization_id):
        value = values.get(metric.key)
        shown = "not disclosed" if value is None else f"now {plain_number(value, 4)} {metric.unit}"
        options.append((metric.key, f"{metric.label}: {shown}"))
    return options


# the form's fields as its error summary names them
FIELD_LABELS = {
    "metric": "Metric",
    "target": "Target",
    "due_on": "Due date",
    "note": "Note",
    "vendor_id": "Vendor",
    "actions": "Actions",
    "outcome": "Outcome",
    "comment": "Comment",
    "version": "Version",
}


def field_label(name: str) -> str:
    """An error's field as people read it: `actions.0.text` is "Action 1, text"."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "actions" and parts[1].isdigit():
        return f"Action {int(parts[1]) + 1}, {'text' if parts[2] == 'text' else 'day'}"
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


@bp.route("/corrective-plans")
@access(READERS)
def index():
    plans = db.session.scalars(
        scoped_select(CorrectivePlan).order_by(CorrectivePlan.id.desc()).limit(PLANS_LISTED)
    ).all()
    return render_template(
        "corrective/index.html",
        plans=services.views_of(plans),
        buyer_side=current_user.reads_as in BUYER_SIDE,
    )


@bp.route("/vendors/<int:vendor_id>/corrective-plans", methods=["GET", "POST"])
@access(roles("buyer"))
@writes
def open_plan(vendor_id):
    """Open a plan on the vendor (the scorecard's form posts here; shown again when refused)."""
    vendor = get_scoped_or_404(Vendor, vendor_id)
    values: dict[str, Any] = {"metric": request.args.get("metric")}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        schema = PlanFieldsSchema()
        body = form_body(schema, request.form, null_if_blank=("note",))
        values = {**values, **body}
        opened = submit(
            lambda: services.open_plan(_user(), vendor, load_form(schema, body), services.today())
        )
        if (plan := opened.result) is not None:
            flash(f"The plan is open: {vendor.name} is told and may answer.", "success")
            return redirect(url_for("corrective_pages.show", plan_id=plan.id))
        errors, status = opened.errors, opened.status
    return render_template(
        "corrective/new.html",
        vendor=vendor,
        values=values,
        errors=errors,
        options=corrective_metric_options(vendor),
        today=services.today(),
    ), status


@bp.route("/corrective-plans/<int:plan_id>")
@access(READERS)
def show(plan_id):
    plan = get_scoped_or_404(CorrectivePlan, plan_id)
    return _render_plan(plan, {}, {}, 200)


def _render_plan(plan: CorrectivePlan, errors: dict, values: dict, status: int):
    view = services.views_of([plan])[0]
    return render_template(
        "corrective/show.html",
        plan=view,
        buyer_side=current_user.reads_as in BUYER_SIDE,
        can_answer=not plan.closed and permitted("POST", "corrective_pages.answer"),
        can_close=not plan.closed and permitted("POST", "corrective_pages.close"),
        errors=errors,
        values=values,
        rows=max(ANSWER_ROWS, len(values.get("actions") or ())),
        max_actions=MAX_ACTIONS,
        today=services.today(),
    ), status


@bp.route("/corrective-plans/<int:plan_id>/answer", methods=["POST"])
@access(roles("vendor"))
@writes
def answer(plan_id):
    plan = get_scoped_or_404(CorrectivePlan, plan_id)
    schema = PlanAnswerSchema()
    body = form_body(schema, request.form)
    body.setdefault("actions", [])
    answered = submit(
        lambda: services.answer_plan(plan, _user(), load_form(schema, body)["actions"])
    )
    if answered.done:
        flash("Your answer is sent: the buyer is told.", "success")
        return redirect(url_for("corrective_pages.show", plan_id=plan.id))
    if answered.conflict:
        return redirect(url_for("corrective_pages.show", plan_id=plan.id))
    return _render_plan(plan, answered.errors, body, answered.status)


@bp.route("/corrective-plans/<int:plan_id>/close", methods=["POST"])
@access(roles("buyer"))
@writes
def close(plan_id):
    plan = get_scoped_or_404(CorrectivePlan, plan_id)
    schema = PlanCloseSchema()
    body = form_body(schema, request.form, null_if_blank=("comment",))

    def change():
        loaded = load_form(schema, body)
        return services.close_plan(
            plan, _user(), loaded["version"], loaded["outcome"], loaded["comment"]
        )

    closed = submit(change)
    if closed.done:
        flash("The plan is closed: the vendor is told.", "success")
        return redirect(url_for("corrective_pages.show", plan_id=plan.id))
    if closed.conflict:
        return redirect(url_for("corrective_pages.show", plan_id=plan.id))
    return _render_plan(plan, closed.errors, body, closed.status)
