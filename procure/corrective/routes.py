"""Corrective action plans API: the plans your buyer organization opened, or the plans opened on
your vendor; open one (a buyer), answer it with actions (the vendor), close it (a buyer). Each
plan shows its baseline, the latest value the buyer organization's scorecard shows, the target
and whether the target is met."""

from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.corrective import services
from procure.corrective.models import CorrectivePlan
from procure.corrective.schemas import (
    PlanAnswerSchema,
    PlanCloseSchema,
    PlanDetailSchema,
    PlanOpenSchema,
    PlanSchema,
)
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.transactions import writes
from procure.vendors.models import Vendor

blp = Blueprint(
    "corrective_api",
    __name__,
    url_prefix="/api/v1",
    description="Corrective action plans: a buyer asks a vendor to improve a metric of its "
    "scorecard to a target by a due date; the vendor answers with actions",
)

# the buyer side (buyers, executives, its admin) and the vendors (and their admins)
READERS = roles("buyer", "executive", "admin", "vendor")


def user():
    return current_user._get_current_object()


def detail(plan: CorrectivePlan) -> services.PlanView:
    return services.views_of([plan])[0]


def vendor_or_422(vendor_id: int) -> Vendor:
    vendor = db.session.scalars(scoped_select(Vendor).where(Vendor.id == vendor_id)).first()
    if vendor is None:
        raise ValidationFailed({"vendor_id": [f"No vendor with id {vendor_id}."]})
    return vendor


@blp.route("/corrective-plans")
class Plans(MethodView):
    @access(READERS)
    @blp.response(200, PlanSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your organization's plans, or the plans opened on your vendor; the latest first, a
        page at a time"""
        plans = page_of_select(
            scoped_select(CorrectivePlan).order_by(CorrectivePlan.id.desc()),
            pagination_parameters,
        )
        return services.views_of(plans)

    @access(roles("buyer"))
    @blp.arguments(PlanOpenSchema)
    @blp.response(201, PlanDetailSchema)
    @writes
    def post(self, body):
        """Open a plan on a vendor's metric, with a target and a due date: its baseline is the
        value your scorecard of the vendor shows now, and the vendor is told"""
        vendor = vendor_or_422(body.pop("vendor_id"))
        return detail(services.open_plan(user(), vendor, body, services.today()))


@blp.route("/corrective-plans/<int:plan_id>")
class PlanDetail(MethodView):
    @access(READERS)
    @blp.response(200, PlanDetailSchema)
    @blp.alt_response(404, description="No such plan visible to you")
    def get(self, plan_id):
        """A plan: baseline, latest value, target, state and the vendor's answers"""
        return detail(get_scoped_or_404(CorrectivePlan, plan_id))


@blp.route("/corrective-plans/<int:plan_id>/answers")
class PlanAnswers(MethodView):
    @access(roles("vendor"))
    @blp.arguments(PlanAnswerSchema)
    @blp.response(201, PlanDetailSchema)
    @blp.alt_response(404, description="No such plan on your vendor")
    @blp.alt_response(409, description="The plan is closed")
    @writes
    def post(self, body, plan_id):
        """Answer an open plan on your vendor with actions, each with its day; the buyer
        organization's buyers are told"""
        plan = get_scoped_or_404(CorrectivePlan, plan_id)
        services.answer_plan(plan, user(), body["actions"])
        return detail(plan)


@blp.route("/corrective-plans/<int:plan_id>/close")
class PlanClose(MethodView):
    @access(roles("buyer"))
    @blp.arguments(PlanCloseSchema)
    @blp.response(200, PlanDetailSchema)
    @blp.alt_response(404, description="No such plan of your organization")
    @blp.alt_response(409, description="A stale version, or closed already")
    @writes
    def post(self, body, plan_id):
        """Close an open plan as met or not met, with a comment; the vendor is told"""
        plan = get_scoped_or_404(CorrectivePlan, plan_id)
        services.close_plan(plan, user(), body["version"], body["outcome"], body["comment"])
        return detail(plan)
