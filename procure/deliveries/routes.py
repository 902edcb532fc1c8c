"""Deliveries API: the rows recorded against an approved scenario (list, record one, correct,
remove, import a CSV or XLSX table all or nothing), and projected against actual per vendor and
for the plan (`/actuals`). The scenario's own buyer organization alone reaches them: its buyers
write, its executives and admin read; another buyer organization's users get 404 (the scenario
is not visible to them), and vendors, the operator and assurers are refused by role (403), as on
every scenario route."""

from flask import abort
from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.deliveries import imports, services
from procure.deliveries.actuals import PLAN_LOAD, actuals_of
from procure.deliveries.models import Delivery
from procure.deliveries.schemas import (
    ActualsSchema,
    DeliveryCreateSchema,
    DeliveryFileSchema,
    DeliveryImportResultSchema,
    DeliverySchema,
    DeliveryUpdateSchema,
)
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.scenarios.routes import READERS
from procure.transactions import writes

blp = Blueprint(
    "deliveries_api",
    __name__,
    url_prefix="/api/v1",
    description="Deliveries against your organization's approved scenarios, and projected "
    "against actual impact",
)

RECORDERS = roles("buyer")


def user():
    return current_user._get_current_object()


def delivery_or_404(scenario: Scenario, delivery_id: int) -> Delivery:
    """A row of this scenario visible to the reader (404 otherwise, also for another scenario's)."""
    delivery = db.session.scalars(
        scoped_select(Delivery).where(
            Delivery.id == delivery_id, Delivery.scenario_id == scenario.id
        )
    ).first()
    if delivery is None:
        abort(
            404, f"No delivery with id {delivery_id} of scenario {scenario.id} is visible to you."
        )
    return delivery


def rows_select(scenario: Scenario):
    """The scenario's rows the reader may see, by month, vendor and need (its unique key)."""
    return (
        scoped_select(Delivery)
        .where(Delivery.scenario_id == scenario.id)
        .order_by(Delivery.month, Delivery.vendor_id, Delivery.need_id)
    )


def import_upload(scenario: Scenario, upload) -> dict:
    """Import an uploaded CSV or XLSX table for the scenario, all or nothing."""
    # here: reading a table loads pandas and openpyxl, which the app's start otherwise skips
    from procure.spreadsheets import read_upload

    rows = read_upload(upload, imports.MAX_IMPORT_ROWS)
    return imports.import_rows(scenario, user(), rows)


@blp.route("/scenarios/<int:scenario_id>/deliveries")
class Deliveries(MethodView):
    @access(READERS)
    @blp.response(200, DeliverySchema(many=True))
    @blp.alt_response(404, description="No such scenario of your organization")
    @blp.paginate()
    def get(self, scenario_id, pagination_parameters):
        """The rows recorded against the scenario, by month, vendor and need, a page at a time"""
        scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
        return page_of_select(rows_select(scenario), pagination_parameters)

    @access(RECORDERS)
    @blp.arguments(DeliveryCreateSchema)
    @blp.response(201, DeliverySchema)
    @blp.alt_response(
        200,
        schema=DeliverySchema,
        description="The vendor, need and month had a row: its figures are replaced (or were "
        "equal already)",
        success=True,
    )
    @blp.alt_response(404, description="No such scenario of your organization")
    @blp.alt_response(409, description="The scenario is not approved")
    @writes
    def post(self, body, scenario_id):
        """Record what a vendor delivered of a need in a month and what it invoiced; a row for the same vendor, need and month is replaced (a correction)"""  # noqa: E501
        scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
        delivery, outcome = services.record_delivery(scenario, user(), body)
        return delivery, 201 if outcome == services.RECORDED else 200


@blp.route("/scenarios/<int:scenario_id>/deliveries/<int:delivery_id>")
class DeliveryById(MethodView):
    @access(RECORDERS)
    @blp.arguments(DeliveryUpdateSchema)
    @blp.response(200, DeliverySchema)
    @blp.alt_response(404, description="No such delivery of this scenario of your organization")
    @blp.alt_response(409, description="A stale version, or the scenario is not approved")
    @writes
    def put(self, body, scenario_id, delivery_id):
        """Correct a row's figures (every figure again, and the version you loaded)"""
        delivery = delivery_or_404(
            get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD), delivery_id
        )
        sent = body.pop("version")
        return services.correct_delivery(delivery, user(), body, sent)

    @access(RECORDERS)
    @blp.response(204)
    @blp.alt_response(404, description="No such delivery of this scenario of your organization")
    @blp.alt_response(409, description="The scenario is not approved")
    @writes
    def delete(self, scenario_id, delivery_id):
        """Remove a row recorded by mistake (the audit log keeps its figures)"""
        delivery = delivery_or_404(
            get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD), delivery_id
        )
        services.delete_delivery(delivery, user())


@blp.route("/scenarios/<int:scenario_id>/deliveries/import")
class DeliveryImport(MethodView):
    @access(RECORDERS)
    @blp.arguments(DeliveryFileSchema, location="files")
    @blp.response(200, DeliveryImportResultSchema)
    @blp.alt_response(404, description="No such scenario of your organization")
    @blp.alt_response(409, description="The scenario is not approved")
    @writes
    def post(self, files, scenario_id):
        """Import a CSV or XLSX table of deliveries (all rows or none; errors name the row and the column)"""  # noqa: E501
        return import_upload(get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD), files["file"])


@blp.route("/scenarios/<int:scenario_id>/actuals")
class ScenarioActuals(MethodView):
    @access(READERS)
    @blp.response(200, ActualsSchema)
    @blp.alt_response(404, description="No such scenario of your organization")
    @blp.alt_response(409, description="The scenario is not approved")
    def get(self, scenario_id):
        """Projected against actual to the latest month delivered: hours, jobs, spend, cost per impact job and the variance explained, per vendor and for the plan"""  # noqa: E501
        scenario = get_scoped_or_404(Scenario, scenario_id, *PLAN_LOAD)
        services.approved_or_409(scenario)
        return actuals_of(scenario)
