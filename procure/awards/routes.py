"""Awards API: the lines of approved awards. A vendor reads its own vendor's lines (the event,
the lot, the volume, its own price and currency, the period), never another vendor's nor
anything of the buyer's plan; the buyer side reads every line of its organization's awards."""

from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.awards import services
from procure.awards.models import AwardLine
from procure.awards.schemas import AwardLineSchema, AwardQuerySchema, EventAwardSchema
from procure.docs import FILE, XLSX
from procure.downloads import attachment
from procure.errors import ConflictError
from procure.events.models import SourcingEvent

blp = Blueprint(
    "awards_api",
    __name__,
    url_prefix="/api/v1",
    description="Awards of sourcing events: what each vendor won",
)


# the buyer side (buyers, executives, its admin) and the vendors (and their admins)
READERS = roles("buyer", "executive", "admin", "vendor")
# the buyer side alone: what it sends out holds every vendor's award
BUYER_SIDE_READERS = roles("buyer", "executive", "admin")


@blp.route("/awards")
class Awards(MethodView):
    @access(READERS)
    @blp.arguments(AwardQuerySchema, location="query")
    @blp.response(200, AwardLineSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Award lines you may read: your vendor's own, or every line of your organization's
        awards; the newest award first, then by lot, a page at a time"""
        statement = scoped_select(AwardLine)
        if query["event_id"] is not None:
            statement = statement.where(AwardLine.event_id == query["event_id"])
        return page_of_select(
            statement.order_by(
                AwardLine.award_id.desc(), AwardLine.lot_id, AwardLine.vendor_id
            ).options(*services.LINE_LOADS),
            pagination_parameters,
        )


@blp.route("/events/<int:event_id>/award")
class EventAward(MethodView):
    @access(READERS)
    @blp.response(200, EventAwardSchema)
    @blp.alt_response(404, description="No such event visible to you")
    def get(self, event_id):
        """Whether the event is awarded and the lines you may read: every line for your
        organization's event; your vendor's own for an event it was invited to (none: it was
        given no volume)"""
        event = get_scoped_or_404(SourcingEvent, event_id)
        view = services.award_view(event, current_user)
        return {
            "event_id": event.id,
            "awarded": view is not None,
            "awarded_at": view.award.awarded_at if view else None,
            "scenario_id": view.award.scenario_id if view and view.buyer_side else None,
            "lines": view.lines if view else [],
            "rank_bands": view.rank_bands if view else [],
        }


@blp.route("/events/<int:event_id>/award.xlsx")
class EventAwardWorkbook(MethodView):
    @access(BUYER_SIDE_READERS)
    @blp.response(
        200,
        FILE,
        content_type=XLSX,
        description="One sheet per vendor awarded volume, then one of every vendor invited",
    )
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="Not awarded yet")
    def get(self, event_id):
        """Your organization's event's award as XLSX, ready to send: one sheet per vendor with
        its needs, volumes, units, prices as bid, currencies, periods and totals; a last sheet
        lists every vendor invited, whether it bid and on how many lots it was awarded (0 too)"""
        # here: the workbook loads openpyxl, which the app's start otherwise skips
        from procure.awards.workbook import award_workbook

        event = get_scoped_or_404(SourcingEvent, event_id)
        view = services.award_view(event, current_user)
        if view is None:
            raise ConflictError(
                "This event has no award yet: an executive approves an award scenario first.",
                {"event_id": ["Not awarded yet."]},
            )
        return attachment(
            award_workbook(event.title, view.lines, services.invited_standings(event, view.lines)),
            XLSX,
            f"event-{event.id}-award.xlsx",
        )
