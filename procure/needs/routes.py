"""Needs API, scoped to the buyer organization."""

from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.needs import services
from procure.needs.models import Need
from procure.needs.schemas import NeedQuerySchema, NeedSchema, NeedUpdateSchema
from procure.transactions import writes

blp = Blueprint(
    "needs_api",
    __name__,
    url_prefix="/api/v1",
    description="Outsourcing needs of your organization",
)

READERS = roles("buyer", "executive", "admin")


@blp.route("/needs")
class Needs(MethodView):
    @access(READERS)
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.response(200, NeedSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Your organization's needs, the latest period first, a page at a time"""
        statement = scoped_select(Need).order_by(Need.period_start.desc(), Need.id)
        if not query["include_archived"]:
            statement = statement.where(Need.archived.is_(False))
        return page_of_select(statement, pagination_parameters)

    @access(roles("buyer"))
    @blp.arguments(NeedSchema)
    @blp.response(201, NeedSchema)
    @writes
    def post(self, body):
        """Register a need"""
        need = services.create_need(current_user.organization_id, body, current_user)
        return need


@blp.route("/needs/<int:need_id>")
class NeedById(MethodView):
    @access(READERS)
    @blp.response(200, NeedSchema)
    def get(self, need_id):
        """One need; another organization's answers 404"""
        return get_scoped_or_404(Need, need_id)

    @access(roles("buyer"))
    @blp.arguments(NeedUpdateSchema)
    @blp.response(200, NeedSchema)
    @blp.alt_response(409, description="Stale version")
    @writes
    def patch(self, body, need_id):
        """Change a need (archive it with archived=true); send the version you loaded"""
        need = get_scoped_or_404(Need, need_id)
        sent = body.pop("version")
        services.update_need(need, body, sent, current_user)
        return need
