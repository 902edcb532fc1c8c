"""Campaigns API: a buyer organization's disclosure campaigns (start one, find vendors to ask,
follow it, edit, close and reopen it, ask more vendors, remind the late ones, export its
status), and the requests a vendor was sent."""

from datetime import date

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list
from procure.campaigns import reminders, services
from procure.campaigns.models import Campaign, CampaignRequest
from procure.campaigns.progress import (
    CampaignProgress,
    page_of,
    progress_of,
    requests_for,
    today_utc,
)
from procure.campaigns.schemas import (
    CampaignCreatedSchema,
    CampaignCreateSchema,
    CampaignDetailSchema,
    CampaignPageSchema,
    CampaignQuerySchema,
    CampaignRequestSchema,
    CampaignUpdateSchema,
    CampaignVendorsSchema,
    ReminderRoundSchema,
    VendorMatchesSchema,
    VendorSearchSchema,
)
from procure.docs import file_types
from procure.invitations.services import invitation_link, mail_invitation
from procure.transactions import writes
from procure.vendors.models import Vendor

blp = Blueprint(
    "campaigns_api",
    __name__,
    url_prefix="/api/v1",
    description="Disclosure campaigns of your buyer organization, and the requests to your vendor",
)


@blp.route("/campaigns")
class Campaigns(MethodView):
    @access(roles("buyer", "admin"))
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, CampaignPageSchema)
    def get(self, query):
        """Your organization's campaigns, newest first, each with its counts and response rate"""
        return page_of(scoped_select(Campaign), query["page"], query["per_page"])

    @access(roles("buyer"))
    @blp.arguments(CampaignCreateSchema)
    @blp.response(201, CampaignCreatedSchema)
    @writes
    def post(self, body):
        """Start a campaign: ask vendors on the platform, and invite new ones by email, for their
        disclosure of a period by a deadline. The invitations' one-time links are in this answer
        only (and mailed with smtp_url set, once the campaign is stored)"""
        today = today_utc()
        created = services.create_campaign(current_user._get_current_object(), body, today)
        return _asked_answer(created, today)


def _asked_answer(asked: services.VendorsAsked, today: date) -> "AskedAnswer":
    invitations = []
    for invitation, secret in asked.invitations:
        link = invitation_link(secret)  # in this answer only; never stored
        invitations.append((invitation.email, link, mail_invitation(invitation, link)))
    return AskedAnswer(progress_of(asked.campaign, today), invitations)


class AskedAnswer:
    """A campaign's progress and the links of the invitations it just sent, for the answer
    alone: whether each was mailed is read when the answer is dumped, after `writes` has
    committed and the mail has gone (or failed)."""

    def __init__(self, progress: CampaignProgress, invitations: list):
        self.progress, self.invitations = progress, invitations

    def __getattr__(self, name: str):
        return getattr(self.progress, name)


@blp.route("/campaigns/vendor-search")
class CampaignVendorSearch(MethodView):
    @access(roles("buyer"))
    @blp.arguments(VendorSearchSchema, location="query")
    @blp.response(200, VendorMatchesSchema)
    @blp.alt_response(404, description="No such campaign of your organization (not_asked_by)")
    def get(self, query):
        """Vendors to ask, by part of their name: at most 50, those whose name starts with it
        first, and how many match in all"""
        campaign = None
        if query["not_asked_by"] is not None:
            campaign = get_scoped_or_404(Campaign, query["not_asked_by"])
        vendors, total = services.search_vendors(
            scoped_select(Vendor), query["q"], query["limit"], not_asked_by=campaign
        )
        return {"items": vendors, "total": total}


@blp.route("/campaigns/<int:campaign_id>")
class CampaignDetail(MethodView):
    @access(roles("buyer", "admin"))
    @blp.response(200, CampaignDetailSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    def get(self, campaign_id):
        """A campaign: each vendor asked and where it stands, the counts and the response rate"""
        return progress_of(get_scoped_or_404(Campaign, campaign_id))

    @access(roles("buyer"))
    @blp.arguments(CampaignUpdateSchema)
    @blp.response(200, CampaignDetailSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    @blp.alt_response(409, description="A stale version, or a closed campaign")
    @writes
    def patch(self, body, campaign_id):
        """Change an open campaign's title, message or deadline (today or later); send the
        version you loaded"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        sent = body.pop("version")
        today = today_utc()
        services.update_campaign(campaign, body, sent, current_user._get_current_object(), today)
        return progress_of(campaign, today)


@blp.route("/campaigns/<int:campaign_id>/close")
class CampaignClose(MethodView):
    @access(roles("buyer"))
    @blp.response(200, CampaignDetailSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    @blp.alt_response(409, description="Closed already")
    @writes
    def post(self, campaign_id):
        """Close a campaign: no more reminders, by hand or on schedule, and no vendors added
        (those asked may still submit); it can be reopened"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        services.close_campaign(campaign, current_user._get_current_object())
        return progress_of(campaign)


@blp.route("/campaigns/<int:campaign_id>/reopen")
class CampaignReopen(MethodView):
    @access(roles("buyer"))
    @blp.response(200, CampaignDetailSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    @blp.alt_response(409, description="Open already")
    @writes
    def post(self, campaign_id):
        """Reopen a closed campaign: its reminders resume"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        services.reopen_campaign(campaign, current_user._get_current_object())
        return progress_of(campaign)


@blp.route("/campaigns/<int:campaign_id>/vendors")
class CampaignAskMore(MethodView):
    @access(roles("buyer"))
    @blp.arguments(CampaignVendorsSchema)
    @blp.response(200, CampaignCreatedSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    @blp.alt_response(409, description="A closed campaign")
    @writes
    def post(self, body, campaign_id):
        """Ask more vendors by an open campaign, as at its start: vendors on the platform (by id
        or name) and new ones invited by email; a vendor or address it asks already is refused.
        The new invitations' one-time links are in this answer only (and mailed with smtp_url
        set)"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        today = today_utc()
        asked = services.ask_more_vendors(campaign, current_user._get_current_object(), body, today)
        return _asked_answer(asked, today)


@blp.route("/campaigns/<int:campaign_id>/remind")
class CampaignRemind(MethodView):
    @access(roles("buyer"))
    @blp.response(200, ReminderRoundSchema)
    @blp.alt_response(404, description="No such campaign of your organization")
    @blp.alt_response(409, description="A closed campaign")
    @writes
    def post(self, campaign_id):
        """Remind the vendors still awaited (invited, registered or with a draft): their users
        are notified (and mailed, for those who want it), an invited address is mailed. At most
        one reminder per vendor a day, whichever campaigns await it: those reminded today
        already (by any campaign) are listed, not reminded; a vendor's reminder also names the
        other campaigns whose scheduled reminder falls due today"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        return reminders.remind_the_late_ones(
            campaign, current_user._get_current_object(), today_utc()
        )


@blp.route("/campaigns/<int:campaign_id>/status.csv")
class CampaignStatusExport(MethodView):
    @access(roles("buyer", "admin"))
    @file_types(blp, ("text/csv",), "One row per vendor asked (columns: see the campaign page)")
    @blp.alt_response(404, description="No such campaign of your organization")
    def get(self, campaign_id):
        """The campaign's status as CSV: one row per vendor asked"""
        campaign = get_scoped_or_404(Campaign, campaign_id)
        return status_csv(progress_of(campaign))


def status_csv(progress: CampaignProgress) -> Response:
    # here: procure.spreadsheets loads openpyxl (~0.07 s), which the app's start otherwise skips
    from procure.spreadsheets import write_table

    content = write_table(services.status_rows(progress), services.STATUS_COLUMNS, "csv")
    return Response(
        content,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=campaign-{progress.campaign.id}.csv"
        },
    )


@blp.route("/campaign-requests")
class CampaignRequests(MethodView):
    @access(roles("vendor"))
    @blp.response(200, CampaignRequestSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The campaigns' requests to your vendor organization (whose deadline passed at most 60
        days ago), the nearest deadline first, with where you stand"""
        return page_of_list(requests_for(scoped_select(CampaignRequest)), pagination_parameters)
