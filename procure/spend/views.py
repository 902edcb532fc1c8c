"""Pages: the impact spend report of the signed-in user's buyer organization (`/spend`) and of
a coalition (`/coalitions/<id>/spend`, its backbone and active members): a filter form (read by
the API's query schema), a stacked column chart of spend with impact vendors and other spend per
period, the table by category, country or beneficiary group, and the CSV and XLSX downloads of
the same figures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError

from procure import charts
from procure.access import access
from procure.coalitions.routes import READERS as COALITION_READERS
from procure.coalitions.routes import insider_or_404
from procure.forms import field_errors
from procure.scenarios.routes import READERS
from procure.spend import services
from procure.spend.schemas import BuyerSpendQuerySchema, SpendQuerySchema

bp = Blueprint("spend_pages", __name__)

BASIS_OPTIONS = [
    ("planned", "Planned (approved plans)"),
    ("actual", "Actual (invoiced deliveries)"),
]
BY_OPTIONS = [
    ("category", "Service category"),
    ("country", "Vendor country"),
    ("group", "Beneficiary group"),
]
PERIOD_OPTIONS = [("quarter", "Quarter"), ("year", "Year")]


def _query(schema: Schema) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The filter as the API reads it; on bad values, the defaults and the errors by field."""
    sent = {key: value for key, value in request.args.items() if value != ""}
    try:
        return schema.load(sent), {}
    except ValidationError as refused:
        kept = {key: value for key, value in sent.items() if key not in refused.messages}
        return schema.load(kept), field_errors(refused.messages)


def chart(report: dict[str, Any]):
    """Spend with impact vendors and other spend, stacked, per period; a period whose total is
    withheld (a coalition's small cell) is left out."""
    totals = [total for total in report["totals"] if not total.get("suppressed")]
    return charts.stacked_columns(
        [total["period"] for total in totals],
        [
            ("With impact vendors", charts.IMPACT, [t["impact_spend"] for t in totals]),
            ("With other vendors", charts.OTHERS, [t["other_spend"] for t in totals]),
        ],
        f"{report['basis'].capitalize()} spend (USD) per {report['period']}",
    )


def _page(report, query, errors, download, title, coalition=None):
    links = {fmt: download(**{**query, "format": fmt}) for fmt in ("csv", "xlsx")}
    return render_template(
        "spend/index.html",
        report=report,
        query=query,
        errors=errors,
        chart=chart(report),
        links=links,
        title=title,
        coalition=coalition,
        basis_options=BASIS_OPTIONS,
        by_options=BY_OPTIONS,
        period_options=PERIOD_OPTIONS,
    ), (422 if errors else 200)


@bp.route("/spend")
@access(READERS)
def index():
    query, errors = _query(BuyerSpendQuerySchema())
    report = services.buyer_spend(current_user.organization_id, query)
    return _page(
        report,
        query,
        errors,
        lambda **args: url_for("spend_api.BuyerSpend", **args),
        "Impact spend",
    )


@bp.route("/coalitions/<int:coalition_id>/spend")
@access(COALITION_READERS)
def coalition(coalition_id):
    found, _ = insider_or_404(coalition_id)
    query, errors = _query(SpendQuerySchema())
    report = services.coalition_spend(found, query)
    return _page(
        report,
        query,
        errors,
        lambda **args: url_for("spend_api.CoalitionSpend", coalition_id=found.id, **args),
        f"Impact spend of {found.name}",
        coalition=found,
    )
