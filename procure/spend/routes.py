"""Impact spend report API: spend with impact vendors and other spend per quarter or year, by
service category, vendor country or beneficiary group, planned (the approved plans) or actual
(invoiced deliveries), as JSON, CSV or XLSX. A buyer organization's buyers, executives and admin
read their own organization's (`/spend`); a coalition's backbone and active members read the
coalition's, aggregates only (`/coalitions/{id}/spend`), as they read its progress."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user

from procure.access import access
from procure.api_paging import Blueprint
from procure.coalitions.routes import READERS as COALITION_READERS
from procure.coalitions.routes import insider_or_404
from procure.docs import XLSX, file_types
from procure.downloads import attachment
from procure.scenarios.routes import READERS
from procure.spend import services
from procure.spend.schemas import (
    BuyerSpendQuerySchema,
    CoalitionSpendReportSchema,
    SpendQuerySchema,
    SpendReportSchema,
)

blp = Blueprint(
    "spend_api",
    __name__,
    url_prefix="/api/v1",
    description="Impact spend reports: spend with impact vendors by category, country, "
    "beneficiary group and period, for your organization or a coalition",
)

FILE_DESCRIPTION = "With format=csv or xlsx: one row per period and key, then each period's total"


def answer(report: dict[str, Any], fmt: str, name: str):
    """The report itself (JSON), or its rows as a CSV or XLSX download with its notes."""
    if fmt == "json":
        return report
    # here: procure.spreadsheets loads openpyxl (~0.07 s), which the app's start otherwise skips
    from procure.spreadsheets import write_table

    content = write_table(
        services.export_rows(report), services.export_columns(report), fmt, notes=report["notes"]
    )
    mimetype = "text/csv" if fmt == "csv" else XLSX
    return attachment(content, mimetype, f"{name}-{report['basis']}-{report['by']}.{fmt}")


@blp.route("/spend")
class BuyerSpend(MethodView):
    @access(READERS)
    @blp.arguments(BuyerSpendQuerySchema, location="query")
    @blp.response(200, SpendReportSchema)
    @file_types(blp, ("text/csv", XLSX), FILE_DESCRIPTION)
    def get(self, query):
        """Your organization's spend with impact vendors and other spend, from its approved
        plans (planned) or its deliveries (actual), by category, country or beneficiary group
        (groups overlap: they do not add up to the total), per quarter or year"""
        report = services.buyer_spend(current_user.organization_id, query)
        return answer(report, query["format"], "spend")


@blp.route("/coalitions/<int:coalition_id>/spend")
class CoalitionSpend(MethodView):
    @access(COALITION_READERS)
    @blp.arguments(SpendQuerySchema, location="query")
    @blp.response(200, CoalitionSpendReportSchema)
    @file_types(blp, ("text/csv", XLSX), FILE_DESCRIPTION)
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    def get(self, query, coalition_id):
        """The coalition's spend report over its active members' approved plans or deliveries,
        at the coalition's impact vendor threshold: aggregates only, a member's share named only
        when it shares its contribution. A cell of fewer contributing members than the minimum
        (`min_cell_members`), or one that would let such a cell be worked out from its table's
        total, is null with `suppressed` and the reason"""
        coalition, _ = insider_or_404(coalition_id)
        report = services.coalition_spend(coalition, query)
        return answer(report, query["format"], f"coalition-{coalition.id}-spend")
