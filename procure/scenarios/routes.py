"""Scenarios API: create, edit, solve, copy, and the exact problem and result documents.

Solving and the board PDF are jobs (procure.jobs): a scenario carries its newest solve job, and
a client polls /api/v1/jobs/<id> until it ends. Without a broker the job has already run by the
time the response is sent.
"""

from flask import Response, abort, jsonify
from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.docs import FILE, XLSX
from procure.events.models import SourcingEvent
from procure.jobs.schemas import JobSchema
from procure.scenarios import jobs as scenario_jobs
from procure.scenarios import review, services
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from procure.scenarios.schemas import (
    CHECK_DOCUMENT,
    COMPARISON_DOCUMENT,
    FRONTIER_DOCUMENT,
    IMPACT_DOCUMENT,
    PROBLEM_DOCUMENT,
    RESULT_DOCUMENT,
    CompareQuerySchema,
    DecisionSchema,
    FrontierRequestSchema,
    ScenarioDetailSchema,
    ScenarioSchema,
    ScenarioUpdateSchema,
)
from procure.states import FrontierStatus
from procure.transactions import writes

blp = Blueprint("scenarios_api", __name__, url_prefix="/api/v1", description="Allocation scenarios")

READERS = roles("buyer", "executive", "admin")
NOT_EXPORTED = (
    "Only a solved scenario, or one that was solved and has no possible plan, can be exported."
)


def solved_or_404(scenario_id: int) -> Scenario:
    """A visible scenario that has been solved (its problem and result documents exist)."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    if scenario.problem is None or scenario.result is None:
        abort(404, "This scenario has not been solved yet.")
    return scenario


@blp.route("/scenarios")
class Scenarios(MethodView):
    @access(READERS)
    @blp.response(200, ScenarioSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your organization's scenarios, newest first, a page at a time"""
        return page_of_select(
            scoped_select(Scenario).order_by(Scenario.id.desc()), pagination_parameters
        )

    @access(roles("buyer"))
    @blp.arguments(ScenarioSchema)
    @blp.response(201, ScenarioSchema)
    @blp.alt_response(404, description="No sourcing event of your organization with `event_id`")
    @writes
    def post(self, body):
        """Create a scenario and start solving it (see its `job`); with `event_id`, an award
        scenario of a closed event of your organization, priced by its bids"""
        if body["event_id"] is not None:  # another organization's event is not there: 404
            get_scoped_or_404(SourcingEvent, body["event_id"])
        scenario = services.create_scenario(current_user.organization_id, body, current_user)
        services.solve_scenario(scenario, current_user)
        return scenario


@blp.route("/scenarios/<int:scenario_id>")
class ScenarioById(MethodView):
    @access(READERS)
    @blp.response(200, ScenarioDetailSchema)
    def get(self, scenario_id):
        """One scenario, with its newest solve job"""
        return get_scoped_or_404(Scenario, scenario_id)

    @access(roles("buyer"))
    @blp.arguments(ScenarioUpdateSchema)
    @blp.response(200, ScenarioSchema)
    @blp.alt_response(409, description="Submitted or approved, or a stale version")
    @writes
    def patch(self, body, scenario_id):
        """Change a scenario that is not submitted; a new solve starts"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        sent = body.pop("version")
        services.update_scenario(scenario, body, sent, current_user)
        services.solve_scenario(scenario, current_user)
        return scenario


@blp.route("/scenarios/<int:scenario_id>/solve")
class ScenarioSolve(MethodView):
    @access(roles("buyer"))
    @blp.response(202, ScenarioSchema)
    @blp.alt_response(409, description="Submitted or approved: frozen")
    @writes
    def post(self, scenario_id):
        """Start a new solve with today's vendors, scores and offers (see the scenario's `job`)"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        services.solve_scenario(scenario, current_user)
        return scenario


@blp.route("/scenarios/<int:scenario_id>/copy")
class ScenarioCopy(MethodView):
    @access(roles("buyer"))
    @blp.response(201, ScenarioSchema)
    @writes
    def post(self, scenario_id):
        """Copy a scenario (any status) into a new one, and start solving it"""
        copy = services.copy_scenario(get_scoped_or_404(Scenario, scenario_id), current_user)
        services.solve_scenario(copy, current_user)
        return copy


@blp.route("/scenarios/<int:scenario_id>/problem.json")
class ScenarioProblem(MethodView):
    @access(READERS)
    @blp.response(
        200, PROBLEM_DOCUMENT, description="The exact problem document the optimizer solved"
    )
    def get(self, scenario_id):
        """The problem document (solve it again with `procure optimize`)"""
        return jsonify(solved_or_404(scenario_id).problem)


@blp.route("/scenarios/<int:scenario_id>/result.json")
class ScenarioResult(MethodView):
    @access(READERS)
    @blp.response(200, RESULT_DOCUMENT, description="The result document")
    def get(self, scenario_id):
        """The result document"""
        return jsonify(solved_or_404(scenario_id).result)


@blp.route("/scenarios/<int:scenario_id>/frontier")
class ScenarioFrontier(MethodView):
    @access(READERS)
    @blp.response(
        200,
        FRONTIER_DOCUMENT,
        description="Least cost against average impact or impact-worker hours (its `measure`)",
    )
    def get(self, scenario_id):
        """The frontier of the scenario's problem document: least cost against its measure (traced by its solve)"""  # noqa: E501
        skipped = {"status": FrontierStatus.SKIPPED, "points": []}
        return jsonify(solved_or_404(scenario_id).frontier or skipped)

    @access(roles("buyer"))
    @blp.arguments(FrontierRequestSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(409, description="Not solved, or submitted or approved: frozen")
    @writes
    def post(self, body, scenario_id):
        """Trace the frontier again by the measure you choose (impact or hours); a new solve keeps the choice"""  # noqa: E501
        scenario = get_scoped_or_404(Scenario, scenario_id)
        return scenario_jobs.start_frontier(scenario, body["measure"], current_user)


@blp.route("/scenarios/<int:scenario_id>/submit")
class ScenarioSubmit(MethodView):
    @access(roles("buyer"))
    @blp.response(200, ScenarioDetailSchema)
    @blp.alt_response(409, description="Not solved")
    @writes
    def post(self, scenario_id):
        """Send a solved scenario to the executives; it is frozen from now on, its board PDF queued"""  # noqa: E501
        scenario = services.submit_scenario(get_scoped_or_404(Scenario, scenario_id), current_user)
        return scenario


@blp.route("/scenarios/<int:scenario_id>/decision")
class ScenarioDecision(MethodView):
    @access(roles("executive"))
    @blp.arguments(DecisionSchema)
    @blp.response(200, ScenarioDetailSchema)
    @blp.alt_response(409, description="Not submitted")
    @writes
    def post(self, body, scenario_id):
        """Approve or reject a submitted scenario (executives of the organization only); its board PDF is made again"""  # noqa: E501
        scenario = get_scoped_or_404(Scenario, scenario_id)
        services.decide_scenario(scenario, body["decision"], body["comment"], current_user)
        return scenario


@blp.route("/scenarios/<int:scenario_id>/check")
class ScenarioCheck(MethodView):
    @access(READERS)
    @blp.response(
        200,
        CHECK_DOCUMENT,
        description="Whether the stored problem re-solves to the stored allocation",
    )
    @blp.alt_response(409, description="Not solved yet")
    def get(self, scenario_id):
        """Solve the stored problem document again and compare (changes nothing)"""
        return jsonify(services.check_frozen(get_scoped_or_404(Scenario, scenario_id)))


@blp.route("/scenarios/<int:scenario_id>/impact")
class ScenarioImpact(MethodView):
    @access(READERS)
    @blp.response(200, IMPACT_DOCUMENT, description="Projected impact of the allocation")
    def get(self, scenario_id):
        """Impact-worker hours, full-time jobs, training and living-wage ratio of the allocation"""
        return jsonify(review.projected_impact(get_scoped_or_404(Scenario, scenario_id)))


@blp.route("/scenarios/compare")
class ScenarioCompare(MethodView):
    @access(READERS)
    @blp.arguments(CompareQuerySchema, location="query")
    @blp.response(
        200, COMPARISON_DOCUMENT, description="KPI rows and per-vendor volumes, side by side"
    )
    @blp.alt_response(404, description="A scenario that is not visible to you")
    def get(self, query):
        """Compare two to five scenarios"""
        scenarios = [get_scoped_or_404(Scenario, i) for i in query["ids"]]
        comparison = review.compare(scenarios)
        comparison.pop("figures")  # the rows carry them; `figures` holds the full impact documents
        return jsonify(comparison)


def _download(content: bytes, mimetype: str, filename: str):
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/scenarios/<int:scenario_id>/report")
class ScenarioReport(MethodView):
    @access(READERS)
    @blp.response(202, JobSchema)
    @blp.alt_response(
        200,
        schema=JobSchema,
        description="The same report (this scenario version) is already under way: that job",
    )
    @blp.alt_response(409, description="Not solved")
    @blp.alt_response(
        429,
        description="The organization's most reports at once are under way (see Retry-After)",
    )
    @writes
    def post(self, scenario_id):
        """Start rendering the board-ready PDF; download it from the job's `file_url` when it is done"""  # noqa: E501
        started = services.start_board_report(
            get_scoped_or_404(Scenario, scenario_id), current_user
        )
        return started.job, 202 if started.new else 200


@blp.route("/scenarios/<int:scenario_id>/export.xlsx")
class ScenarioExport(MethodView):
    @access(READERS)
    @blp.response(
        200,
        FILE,
        content_type=XLSX,
        description="Allocations, needs, scores, comparison and assumptions; for an infeasible "
        "scenario, why no plan meets every target: its targets, the conflicting rules, the "
        "needs and the vendors left out",
    )
    @blp.alt_response(409, description="Not solved")
    def get(self, scenario_id):
        """The XLSX export pack of a solved scenario, or of an infeasible one (why it has no plan)"""  # noqa: E501
        # here: the XLSX pack loads openpyxl (~0.07 s), which the app's start otherwise skips
        from procure.reports.no_plan_pack import export_scenario_pack

        scenario = get_scoped_or_404(Scenario, scenario_id)
        if not services.has_board_report(scenario):
            abort(409, NOT_EXPORTED)
        pack = export_scenario_pack(board_context(scenario))
        return _download(pack, XLSX, f"scenario-{scenario.id}.xlsx")
