"""Pages: the exchange rates every signed-in user reads, and the platform operator's forms to add,
correct and remove them. The forms are read by the API's schemas."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import SIGNED_IN, access, get_scoped_or_404, permitted, roles, scoped_select
from procure.formatting import exact_number, plain_number
from procure.forms import form_body, load_form
from procure.page_query import read_query
from procure.rates import services
from procure.rates.models import ExchangeRate
from procure.rates.schemas import (
    ExchangeRateCorrectionSchema,
    ExchangeRateCreateSchema,
    ExchangeRateQuerySchema,
)
from procure.transactions import attempt, submit, writes

bp = Blueprint("rate_pages", __name__)

PER_PAGE = 100
ADD_FIELDS = ("currency", "effective_date", "usd_per_unit", "source")
LABELS = {
    "currency": "Currency",
    "effective_date": "In force from",
    "usd_per_unit": "US dollars per unit",
    "source": "Source",
    "version": "Version",
}


def field_label(field: str) -> str:
    return LABELS.get(field, field)


@bp.route("/exchange-rates", methods=["GET", "POST"])
@access(SIGNED_IN, POST=roles("operator"))
@writes
def index():
    """Every rate, newest first per currency; for the operator, a form to add one."""
    # the API's filter and page (a page shows PER_PAGE rows: no `per_page`)
    query = read_query(ExchangeRateQuerySchema(only=("currency", "page")))
    errors: dict = {}
    raw = {"currency": "", "effective_date": "", "usd_per_unit": "", "source": ""}
    status = 200
    if request.method == "POST":
        raw = {key: request.form.get(key, "").strip() for key in ADD_FIELDS}
        schema = ExchangeRateCreateSchema()
        added = submit(
            lambda: services.add_rate(
                load_form(schema, form_body(schema, request.form)),
                current_user._get_current_object(),
            )
        )
        if (rate := added.result) is not None:
            flash(
                f"{rate.currency} is {plain_number(rate.usd_per_unit, 15)} US dollars per unit "
                f"from {rate.effective_date.isoformat()}.",
                "success",
            )
            return redirect(url_for("rate_pages.index", currency=rate.currency))
        errors, status = added.errors, added.status
    currency = query["currency"]
    return render_template(
        "rates/index.html",
        listing=services.page_of(scoped_select(ExchangeRate), query["page"], PER_PAGE, currency),
        currency=currency,
        can_edit=permitted("POST"),
        errors=errors,
        raw=raw,
        field_label=field_label,
    ), status


@bp.route("/exchange-rates/<int:rate_id>", methods=["GET", "POST"])
@access(roles("operator"))
@writes
def correct(rate_id):
    """The operator corrects one rate's value or source."""
    rate = get_scoped_or_404(ExchangeRate, rate_id)
    errors: dict = {}
    raw = {"usd_per_unit": exact_number(rate.usd_per_unit), "source": rate.source}
    status = 200
    if request.method == "POST":
        raw = {key: request.form.get(key, "").strip() for key in raw}
        schema = ExchangeRateCorrectionSchema()

        def change() -> ExchangeRate:
            values = load_form(schema, form_body(schema, request.form))
            return services.correct_rate(
                rate, values, values.pop("version"), current_user._get_current_object()
            )

        corrected = submit(change)
        if corrected.conflict:
            return redirect(url_for("rate_pages.correct", rate_id=rate_id))
        if corrected.done:
            flash(f"The {rate.currency} rate from {rate.effective_date} is corrected.", "success")
            return redirect(url_for("rate_pages.index", currency=rate.currency))
        errors, status = corrected.errors, corrected.status
    return render_template(
        "rates/correct.html", rate=rate, errors=errors, raw=raw, field_label=field_label
    ), status


@bp.route("/exchange-rates/<int:rate_id>/remove", methods=["POST"])
@access(roles("operator"))
@writes
def remove(rate_id):
    rate = get_scoped_or_404(ExchangeRate, rate_id)
    currency, day = rate.currency, rate.effective_date
    removed = attempt(
        lambda: services.remove_rate(rate, current_user._get_current_object()),
        f"The {currency} rate from {day} is removed.",
    )
    if not removed:
        return redirect(url_for("rate_pages.correct", rate_id=rate_id))
    return redirect(url_for("rate_pages.index", currency=currency))
