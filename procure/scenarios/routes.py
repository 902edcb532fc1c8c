"""Scenarios API: create, edit, solve, copy, and the exact problem and result documents."""

import optimizer
from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.extensions import db
from procure.scenarios import services
from procure.scenarios.models import Scenario
from procure.scenarios.schemas import FrontierQuerySchema, ScenarioSchema, ScenarioUpdateSchema

blp = Blueprint("scenarios_api", __name__, url_prefix="/api/v1", description="Allocation scenarios")

READERS = roles("buyer", "executive", "admin")


@blp.route("/scenarios")
class Scenarios(MethodView):
    @access(READERS)
    @blp.response(200, ScenarioSchema(many=True))
    def get(self):
        """Your organization's scenarios, newest first"""
        return db.session.scalars(scoped_select(Scenario).order_by(Scenario.id.desc())).all()

    @access(roles("buyer"))
    @blp.arguments(ScenarioSchema)
    @blp.response(201, ScenarioSchema)
    def post(self, body):
        """Create a scenario and solve it"""
        scenario = services.create_scenario(current_user.organization_id, body, current_user)
        services.solve_scenario(scenario)
        db.session.commit()
        return scenario


@blp.route("/scenarios/<int:scenario_id>")
class ScenarioById(MethodView):
    @access(READERS)
    @blp.response(200, ScenarioSchema)
    def get(self, scenario_id):
        """One scenario"""
        return get_scoped_or_404(Scenario, scenario_id)

    @access(roles("buyer"))
    @blp.arguments(ScenarioUpdateSchema)
    @blp.response(200, ScenarioSchema)
    @blp.alt_response(409, description="Submitted or approved, or a stale version")
    def patch(self, body, scenario_id):
        """Change a scenario that is not submitted; it is solved again"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        sent = body.pop("version")
        services.update_scenario(scenario, body, sent)
        services.solve_scenario(scenario)
        db.session.commit()
        return scenario


@blp.route("/scenarios/<int:scenario_id>/solve")
class ScenarioSolve(MethodView):
    @access(roles("buyer"))
    @blp.response(200, ScenarioSchema)
    def post(self, scenario_id):
        """Solve again with today's vendors, scores and offers"""
        scenario = services.solve_scenario(get_scoped_or_404(Scenario, scenario_id))
        db.session.commit()
        return scenario


@blp.route("/scenarios/<int:scenario_id>/copy")
class ScenarioCopy(MethodView):
    @access(roles("buyer"))
    @blp.response(201, ScenarioSchema)
    def post(self, scenario_id):
        """Copy a scenario (any status) into a new one, solved"""
        copy = services.copy_scenario(get_scoped_or_404(Scenario, scenario_id), current_user)
        services.solve_scenario(copy)
        db.session.commit()
        return copy


@blp.route("/scenarios/<int:scenario_id>/problem.json")
class ScenarioProblem(MethodView):
    @access(READERS)
    @blp.response(200, description="The exact problem document the optimizer solved")
    def get(self, scenario_id):
        """The problem document (solve it again with `procure optimize`)"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        if scenario.problem is None:
            abort(404, "This scenario has not been solved yet.")
        return scenario.problem


@blp.route("/scenarios/<int:scenario_id>/result.json")
class ScenarioResult(MethodView):
    @access(READERS)
    @blp.response(200, description="The result document")
    def get(self, scenario_id):
        """The result document"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        if scenario.result is None:
            abort(404, "This scenario has not been solved yet.")
        return scenario.result


@blp.route("/scenarios/<int:scenario_id>/frontier")
class ScenarioFrontier(MethodView):
    @access(READERS)
    @blp.arguments(FrontierQuerySchema, location="query")
    @blp.response(200, description="Least cost against average impact")
    def get(self, query, scenario_id):
        """The cost-versus-impact frontier of the scenario's problem document"""
        scenario = get_scoped_or_404(Scenario, scenario_id)
        if scenario.problem is None:
            abort(404, "This scenario has not been solved yet.")
        return optimizer.frontier(scenario.problem, query["points"])
