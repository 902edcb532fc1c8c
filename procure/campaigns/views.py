"""Pages: a buyer organization's disclosure campaigns (the list, starting one, a campaign's page
with its counts, response-rate bar, vendors, reminders and CSV export, editing, closing and
reopening it, asking more vendors), and the requests a vendor sees on its home page
(`campaign_requests`, a template global).

Vendors are chosen by searching their names (at most MAX_VENDOR_MATCHES listed at a time, never
the whole directory), by pasting their names, or by inviting addresses. The search works without
JavaScript (the form's Search button sends the form back and the page lists the matches, keeping
what was typed); with it, static/js/campaign-vendors.js lists the matches as the buyer types,
from GET /api/v1/campaigns/vendor-search."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    after_this_request,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from procure.access import access, get_scoped_or_404, permitted, roles, scoped_select
from procure.campaigns import reminders, services
from procure.campaigns.models import Campaign, CampaignRequest
from procure.campaigns.progress import (
    VendorStatus,
    page_of,
    period_label,
    progress_of,
    requests_for,
    today_utc,
)
from procure.campaigns.routes import status_csv
from procure.campaigns.schemas import (
    MAX_NAME_LENGTH,
    CampaignCreateSchema,
    CampaignUpdateSchema,
    CampaignVendorsSchema,
)
from procure.charts import CAMPAIGN_STATE_COLOURS, response_bar, swatch
from procure.extensions import db
from procure.forms import form_body, form_int, load_form
from procure.invitations.services import invitation_link, mail_invitation
from procure.mail import Outgoing, mail_configured
from procure.page_query import page_asked
from procure.states import CampaignVendorState
from procure.transactions import attempt, submit, writes
from procure.vendors.models import Vendor

bp = Blueprint("campaign_pages", __name__)

PER_PAGE = 20
# The session key holding a new campaign's invitation links that were not mailed, until its page
# shows them once.
NEW_LINKS = "campaigns.new_links"
STATE_LABELS = {
    CampaignVendorState.INVITED: "Invited",
    CampaignVendorState.REGISTERED: "Registered",
    CampaignVendorState.DRAFT_STARTED: "Draft started",
    CampaignVendorState.SUBMITTED: "Submitted",
    CampaignVendorState.REVIEWED: "Reviewed",
}
# what separates addresses in the page's box: new lines, commas, semicolons or spaces
_ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")
# the form's button that searches vendors instead of sending the form
SEARCH = "search"


def _chart_context() -> dict:
    return {
        "state_labels": STATE_LABELS,
        "state_colours": {state: swatch(c) for state, c in CAMPAIGN_STATE_COLOURS.items()},
        "response_bar": response_bar,
        "states": CampaignVendorState,
    }


@bp.route("/campaigns")
@access(roles("buyer", "admin"))
def index():
    page = page_asked()
    return render_template(
        "campaigns/index.html",
        listing=page_of(scoped_select(Campaign), page, PER_PAGE),
        can_start=permitted("POST", "campaign_pages.new"),
        **_chart_context(),
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@access(roles("buyer"))
@writes
def new():
    """Start a campaign; the form is read through the API's schema (CampaignCreateSchema)."""
    schema = CampaignCreateSchema()
    values: dict = {"vendor_ids": [], "vendor_names": "", "emails": ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        body, values = _asked_body(schema, ("title", "message", "period_start", "period_end"))
        if request.form.get("action") != SEARCH:
            started = submit(
                lambda: services.create_campaign(
                    current_user._get_current_object(), load_form(schema, body), today_utc()
                )
            )
            if (created := started.result) is not None:
                _show_links_once(created)
                flash(f"The campaign {created.campaign.title!r} is started.", "success")
                return redirect(url_for("campaign_pages.show", campaign_id=created.campaign.id))
            errors, status = _by_field(started.errors), started.status
    return render_template(
        "campaigns/new.html",
        values=values,
        errors=errors,
        today=today_utc(),
        mail=mail_configured(),
        **_picker(values),
    ), status


def _asked_body(schema, null_if_blank: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The API's body for the page's form (the vendors ticked, the names pasted one a line, the
    addresses typed), and the values to show the form with again."""
    body = form_body(schema, request.form, null_if_blank=null_if_blank, checkboxes=("vendor_ids",))
    pasted = request.form.get("vendor_names", "")
    body["vendor_names"] = [line.strip() for line in pasted.splitlines() if line.strip()]
    typed = request.form.get("emails", "")
    body["emails"] = [a for a in _ADDRESS_SEPARATORS.split(typed) if a]
    return body, {**body, "vendor_names": pasted, "emails": typed}


def _picker(values: dict, campaign: Campaign | None = None) -> dict:
    """The vendor picker's context: the vendors chosen (ticked), and at most
    MAX_VENDOR_MATCHES others whose name holds the search (`q`), leaving out those chosen and
    those the campaign asks already."""
    query = (request.values.get("q") or "").strip()[:MAX_NAME_LENGTH]
    sent = list(values.get("vendor_ids") or ())[: services.MAX_VENDORS_ASKED]
    chosen_ids = [number for v in sent if (number := form_int(str(v)))]
    chosen = db.session.scalars(
        scoped_select(Vendor).where(Vendor.id.in_(chosen_ids)).order_by(Vendor.name_key)
    ).all()
    matches, total = services.search_vendors(
        scoped_select(Vendor).where(Vendor.id.not_in(chosen_ids)), query, not_asked_by=campaign
    )
    search: dict[str, Any] = {"not_asked_by": campaign.id} if campaign is not None else {}
    return {
        "query": query,
        "chosen_vendors": chosen,
        "matches": matches,
        "match_total": total,
        "search_url": url_for("campaigns_api.CampaignVendorSearch", **search),
    }


def _by_field(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The messages of a list's items (`emails.2`) under the list's field, where the page shows
    them."""
    merged: dict[str, list[str]] = {}
    for name, messages in errors.items():
        merged.setdefault(name.split(".")[0], []).extend(messages)
    return merged


def _show_links_once(created: services.VendorsAsked) -> None:
    """Mail each invitation (after the commit), and keep the links that were not mailed for the
    campaign's page to show once."""
    sent: list[tuple[str, str, Outgoing | None]] = []
    for invitation, secret in created.invitations:
        link = invitation_link(secret)
        sent.append((invitation.email, link, mail_invitation(invitation, link)))
    if not sent:
        return

    @after_this_request
    def remember(response):
        # runs once `writes` has committed and the mails have gone or failed
        if response.status_code < 400:
            session[NEW_LINKS] = [
                {"email": email, "link": link, "mail_failed": outgoing is not None}
                for email, link, outgoing in sent
                if outgoing is None or not outgoing.sent
            ]
        return response


@bp.route("/campaigns/<int:campaign_id>")
@access(roles("buyer", "admin"))
def show(campaign_id):
    progress = progress_of(get_scoped_or_404(Campaign, campaign_id))
    return render_template(
        "campaigns/show.html",
        progress=progress,
        campaign=progress.campaign,
        period=period_label(progress.campaign.period_start, progress.campaign.period_end),
        days_left=(progress.campaign.deadline - progress.today).days,
        can_remind=permitted("POST", "campaign_pages.remind"),
        can_edit=permitted("POST", "campaign_pages.edit"),
        can_close=permitted("POST", "campaign_pages.close"),
        can_ask_more=permitted("POST", "campaign_pages.ask_more"),
        new_links=session.get(NEW_LINKS),
        mail=mail_configured(),
        **_chart_context(),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@access(roles("buyer"))
@writes
def edit(campaign_id):
    """Change the title, message or deadline; read through the API's schema."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    values: dict = {key: getattr(campaign, key) for key in services.EDITABLE}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        schema = CampaignUpdateSchema()
        body = form_body(schema, request.form, null_if_blank=("title", "message"))
        values = {**values, **body}

        def change() -> Campaign:
            loaded = load_form(schema, body)
            return services.update_campaign(
                campaign,
                loaded,
                loaded.pop("version"),
                current_user._get_current_object(),
                today_utc(),
            )

        edited = submit(change)
        if edited.done:
            flash("Saved.", "success")
        if not edited.errors:
            return redirect(url_for("campaign_pages.show", campaign_id=campaign_id))
        errors, status = edited.errors, edited.status
    return render_template(
        "campaigns/edit.html",
        campaign=campaign,
        values=values,
        errors=errors,
        today=today_utc(),
    ), status


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@access(roles("buyer"))
@writes
def close(campaign_id):
    campaign = get_scoped_or_404(Campaign, campaign_id)
    attempt(
        lambda: services.close_campaign(campaign, current_user._get_current_object()),
        "Closed: the campaign sends no more reminders. Its vendors may still submit.",
    )
    return redirect(url_for("campaign_pages.show", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/reopen", methods=["POST"])
@access(roles("buyer"))
@writes
def reopen(campaign_id):
    campaign = get_scoped_or_404(Campaign, campaign_id)
    attempt(
        lambda: services.reopen_campaign(campaign, current_user._get_current_object()),
        "Reopened: the reminders resume.",
    )
    return redirect(url_for("campaign_pages.show", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/vendors", methods=["GET", "POST"])
@access(roles("buyer"))
@writes
def ask_more(campaign_id):
    """Ask more vendors by an open campaign, chosen as on the new campaign's form."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    today = today_utc()
    values: dict = {"vendor_ids": [], "vendor_names": "", "emails": ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        schema = CampaignVendorsSchema()
        body, values = _asked_body(schema)
        if request.form.get("action") != SEARCH:
            asked = submit(
                lambda: services.ask_more_vendors(
                    campaign, current_user._get_current_object(), load_form(schema, body), today
                )
            )
            if asked.result is not None:
                _show_links_once(asked.result)
                flash(f"Asked {asked.result.asked} more: each is told as at the start.", "success")
            if not asked.errors:
                return redirect(url_for("campaign_pages.show", campaign_id=campaign_id))
            errors, status = _by_field(asked.errors), asked.status
    return render_template(
        "campaigns/ask_more.html",
        campaign=campaign,
        values=values,
        errors=errors,
        mail=mail_configured(),
        **_picker(values, campaign),
    ), status


@bp.after_request
def _links_shown(response):
    """The new campaign's links are shown once: dropped from the session after its page showed
    them (a cookie change, not a database write)."""
    if request.endpoint == "campaign_pages.show" and response.status_code == 200:
        session.pop(NEW_LINKS, None)
    return response


@bp.route("/campaigns/<int:campaign_id>/status.csv")
@access(roles("buyer", "admin"))
def export(campaign_id):
    return status_csv(progress_of(get_scoped_or_404(Campaign, campaign_id)))


@bp.route("/campaigns/<int:campaign_id>/remind", methods=["POST"])
@access(roles("buyer"))
@writes
def remind(campaign_id):
    campaign = get_scoped_or_404(Campaign, campaign_id)
    reminded = submit(
        lambda: reminders.remind_the_late_ones(
            campaign, current_user._get_current_object(), today_utc()
        )
    )
    if (outcome := reminded.result) is None:  # a closed campaign: the reason is flashed
        return redirect(url_for("campaign_pages.show", campaign_id=campaign_id))
    parts = []
    if outcome.reminded:
        parts.append(f"Reminded {len(outcome.reminded)}: {', '.join(outcome.reminded)}.")
    if outcome.already_today:
        parts.append(
            f"{len(outcome.already_today)} reminded earlier today (one reminder a day): "
            f"{', '.join(outcome.already_today)}."
        )
    if outcome.unreachable:
        parts.append(
            f"{len(outcome.unreachable)} cannot be reached (no active user; or, invited, no mail "
            f"server or an invitation that no longer works): {', '.join(outcome.unreachable)}."
        )
    flash(" ".join(parts) or "Nobody is late: every vendor asked has answered.", "info")
    return redirect(url_for("campaign_pages.show", campaign_id=campaign.id))


@bp.app_template_global("campaign_requests")
def campaign_requests() -> list[VendorStatus]:
    """The campaigns' requests to the signed-in user's vendor organization, for its home page
    (nothing for anyone who may not read them)."""
    if not permitted("GET", "campaigns_api.CampaignRequests"):
        return []
    return requests_for(scoped_select(CampaignRequest))


@bp.app_template_global("campaign_period")
def campaign_period(campaign: Campaign) -> str:
    return period_label(campaign.period_start, campaign.period_end)
