"""Sourcing events API: a buyer organization's events (make one from its needs and invited
vendors, publish, extend the deadline, close, cancel), the events a vendor is invited to, and
the bids. A bid is read by its vendor at any time, by the event's buyer side once the event is
closed (or was published unsealed), and by nobody else: a sealed bid answers 404 and a sealed
event's list of bids is empty."""

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.docs import FILE, XLSX
from procure.downloads import attachment
from procure.events import bid_sheets, services
from procure.events.models import BUYER_SIDE, Bid, SourcingEvent
from procure.events.schemas import (
    BidAmendSchema,
    BidCreateSchema,
    BidSchema,
    BidSheetFileSchema,
    BidSheetResultSchema,
    BidWithdrawSchema,
    EventCreateSchema,
    EventDetailSchema,
    EventExtendSchema,
    EventInvitationCreatedSchema,
    EventInviteByEmailSchema,
    EventSchema,
    EventVersionSchema,
)
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.invitations.services import (
    invitation_link,
    mail_invitation,
    mail_invitation_again,
)
from procure.transactions import writes

blp = Blueprint(
    "events_api",
    __name__,
    url_prefix="/api/v1",
    description="Sourcing events of your buyer organization, the events your vendor is invited "
    "to, and bids",
)

# the buyer side (buyers, executives, its admin) and the vendors (and their admins)
READERS = roles("buyer", "executive", "admin", "vendor")


def user():
    return current_user._get_current_object()


def detail(event: SourcingEvent) -> services.EventView:
    return services.EventView(event, current_user.reads_as in BUYER_SIDE)


@blp.route("/events")
class Events(MethodView):
    @access(READERS)
    @blp.response(200, EventSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your organization's events, or the published events your vendor is invited to; the
        latest deadline first, a page at a time"""
        return page_of_select(
            scoped_select(SourcingEvent).order_by(
                SourcingEvent.deadline.desc(), SourcingEvent.id.desc()
            ),
            pagination_parameters,
        )

    @access(roles("buyer"))
    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventDetailSchema)
    @writes
    def post(self, body):
        """Make a draft event: your needs as lots, vendors invited, a deadline and the rules.
        Nobody is told until it is published"""
        return detail(services.create_event(user(), body, services.event_now()))


@blp.route("/events/<int:event_id>")
class EventDetail(MethodView):
    @access(READERS)
    @blp.response(200, EventDetailSchema)
    @blp.alt_response(404, description="No such event visible to you")
    def get(self, event_id):
        """An event: its lots and rules; for your organization's own, the vendors invited and
        whether each has bid"""
        return detail(get_scoped_or_404(SourcingEvent, event_id))


def _state_change(event_id: int, change) -> services.EventView:
    event = get_scoped_or_404(SourcingEvent, event_id)
    change(event)
    return detail(event)


@blp.route("/events/<int:event_id>/publish")
class EventPublish(MethodView):
    @access(roles("buyer"))
    @blp.arguments(EventVersionSchema)
    @blp.response(200, EventDetailSchema)
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="A stale version, or not a draft")
    @writes
    def post(self, body, event_id):
        """Publish a draft: each invited vendor is told and may bid until the deadline"""
        return _state_change(
            event_id,
            lambda e: services.publish_event(e, user(), body["version"], services.event_now()),
        )


@blp.route("/events/<int:event_id>/extend")
class EventExtend(MethodView):
    @access(roles("buyer"))
    @blp.arguments(EventExtendSchema)
    @blp.response(200, EventDetailSchema)
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="A stale version, or not published")
    @writes
    def post(self, body, event_id):
        """Move a published event's deadline later"""
        return _state_change(
            event_id,
            lambda e: services.extend_deadline(
                e, user(), body["version"], body["deadline"], services.event_now()
            ),
        )


@blp.route("/events/<int:event_id>/close")
class EventClose(MethodView):
    @access(roles("buyer"))
    @blp.arguments(EventVersionSchema)
    @blp.response(200, EventDetailSchema)
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="A stale version, not published, or sealed until later")
    @writes
    def post(self, body, event_id):
        """End bidding (a sealed event at its deadline or after): your side reads every bid, and
        the invited vendors are told"""
        return _state_change(
            event_id,
            lambda e: services.close_event(e, user(), body["version"], services.event_now()),
        )


@blp.route("/events/<int:event_id>/cancel")
class EventCancel(MethodView):
    @access(roles("buyer"))
    @blp.arguments(EventVersionSchema)
    @blp.response(200, EventDetailSchema)
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="A stale version, or closed or cancelled already")
    @writes
    def post(self, body, event_id):
        """Call off a draft or published event: no bids are taken or read; the vendors of a
        published one are told"""
        return _state_change(
            event_id,
            lambda e: services.cancel_event(e, user(), body["version"], services.event_now()),
        )


def invite_by_email(event: SourcingEvent, body) -> Invitation:
    """Invite by email and company name: the invitation, with its link and mail when it is new,
    or a mail naming every event it carries now when it is reused (`link`, `outgoing`: in this
    answer only, never stored)."""
    invited = services.invite_by_email(event, user(), body["email"], body["company_name"])
    invitation: Any = invited.invitation
    invitation.link = invitation_link(invited.secret) if invited.secret else None
    invitation.outgoing = (
        mail_invitation(invitation, invitation.link)
        if invitation.link
        else mail_invitation_again(invitation)  # reused: the events it carries now, no link
    )
    invitation.event_id, invitation.company_name = event.id, invited.row.company_name
    invitation.reused = invited.secret is None
    return invitation


@blp.route("/events/<int:event_id>/invitations")
class EventInvitations(MethodView):
    @access(roles("buyer"))
    @blp.arguments(EventInviteByEmailSchema)
    @blp.response(201, EventInvitationCreatedSchema)
    @blp.alt_response(404, description="No such event of your organization")
    @blp.alt_response(409, description="The address is invited to this event already")
    @writes
    def post(self, body, event_id):
        """Invite a vendor not on the platform to a draft or published event, by email and
        company name: a new invitation (its one-time link in this answer, mailed with mail
        settings), or a pending one to that address reused. Once it is accepted, the vendor
        organization bids as an invited vendor"""
        return invite_by_email(get_scoped_or_404(SourcingEvent, event_id), body)


@blp.route("/events/<int:event_id>/bids")
class EventBids(MethodView):
    @access(READERS)
    @blp.response(200, BidSchema(many=True))
    @blp.alt_response(404, description="No such event visible to you")
    @blp.paginate()
    def get(self, event_id, pagination_parameters):
        """The bids you may read on this event: your vendor's own; for your organization's
        event, every bid once it is closed (or if it was published unsealed), none before"""
        event = get_scoped_or_404(SourcingEvent, event_id)
        return page_of_select(
            scoped_select(Bid).where(Bid.event_id == event.id).order_by(Bid.lot_id, Bid.id),
            pagination_parameters,
        )

    @access(roles("vendor"))
    @blp.arguments(BidCreateSchema)
    @blp.response(201, BidSchema)
    @blp.alt_response(404, description="No such event your vendor is invited to")
    @blp.alt_response(409, description="Past the deadline, not open, or bid on already")
    @writes
    def post(self, body, event_id):
        """Bid on one lot of a published event your vendor is invited to, before the deadline"""
        event = get_scoped_or_404(SourcingEvent, event_id)
        return services.place_bid(event, user(), body, services.event_now())


@blp.route("/bids/<int:bid_id>")
class BidDetail(MethodView):
    @access(READERS)
    @blp.response(200, BidSchema)
    @blp.alt_response(404, description="No such bid visible to you (a sealed bid is not)")
    def get(self, bid_id):
        """A bid: your vendor's own, or one of your organization's event once unsealed"""
        return get_scoped_or_404(Bid, bid_id)

    @access(roles("vendor"))
    @blp.arguments(BidAmendSchema)
    @blp.response(200, BidSchema)
    @blp.alt_response(404, description="No such bid of your vendor")
    @blp.alt_response(409, description="A stale version, or past the deadline")
    @writes
    def put(self, body, bid_id):
        """Amend your vendor's bid before the deadline: every figure again, and the version you
        loaded"""
        bid = get_scoped_or_404(Bid, bid_id)
        sent = body.pop("version")
        return services.amend_bid(bid, user(), body, sent, services.event_now())


@blp.route("/bids/<int:bid_id>/withdraw")
class BidWithdraw(MethodView):
    @access(roles("vendor"))
    @blp.arguments(BidWithdrawSchema)
    @blp.response(204)
    @blp.alt_response(404, description="No such bid of your vendor")
    @blp.alt_response(
        409, description="A stale version, past the deadline, not open, or withdrawn already"
    )
    @writes
    def post(self, body, bid_id):
        """Withdraw your vendor's bid before the deadline (the version you loaded): no award
        uses it and the buyer never reads it; you may bid on the lot again until the deadline"""
        bid = bid_to_withdraw(bid_id)
        services.withdraw_bid(bid, user(), body["version"], services.event_now())


def bid_to_withdraw(bid_id: int, event_id: int | None = None) -> Bid:
    """The user's vendor's bid (in `event_id` when given), to withdraw: a ConflictError (409)
    when its vendor withdrew it already, 404 when it has no such bid."""
    bid = db.session.scalars(scoped_select(Bid).where(Bid.id == bid_id)).first()
    if bid is None:
        services.refuse_withdrawing_again(bid_id, user(), event_id)
    if bid is None or (event_id is not None and bid.event_id != event_id):
        abort(404, f"No bid {bid_id} of yours in this event.")
    return bid


def bid_sheet_download(event: SourcingEvent):
    """The event's bid sheet for the signed-in user: blank for the buyer side, with its own
    bids for a vendor."""
    content = bid_sheets.sheet_for(event, user(), current_user.reads_as in BUYER_SIDE)
    return attachment(content, XLSX, f"event-{event.id}-bid-sheet.xlsx")


@blp.route("/events/<int:event_id>/bid-sheet.xlsx")
class EventBidSheet(MethodView):
    @access(READERS)
    @blp.response(200, FILE, content_type=XLSX, description="One row per lot, with a header")
    @blp.alt_response(404, description="No such event visible to you")
    def get(self, event_id):
        """The event's bid sheet to fill in: one row per lot (need, unit, volume, period) and
        empty columns for the figures. Blank for your organization's event; your vendor's
        current bids filled in for an event it is invited to"""
        return bid_sheet_download(get_scoped_or_404(SourcingEvent, event_id))


@blp.route("/events/<int:event_id>/bid-sheet")
class EventBidSheetUpload(MethodView):
    @access(roles("vendor"))
    @blp.arguments(BidSheetFileSchema, location="files")
    @blp.response(200, BidSheetResultSchema)
    @blp.alt_response(404, description="No such event your vendor is invited to")
    @blp.alt_response(409, description="Past the deadline, or not open")
    @writes
    def post(self, files, event_id):
        """Bid with a filled bid sheet: all rows or none (errors name the row and the column);
        each row places or amends your vendor's bid on its lot, as the bid form does"""
        event = get_scoped_or_404(SourcingEvent, event_id)
        rows = bid_sheets.read_upload(files["file"])
        return bid_sheets.upload_bid_sheet(event, user(), rows, services.event_now())
