"""Disclosure campaigns: a buyer asks vendors for their disclosure of one period by a deadline
(`create_campaign`), the vendors asked are told, and the campaign's status exports as CSV. Where
each vendor stands is read in procure.campaigns.progress; the reminders are in
procure.campaigns.reminders. Services flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import normalise_email
from procure.audit.services import record_event
from procure.campaigns.models import Campaign, CampaignRequest
from procure.campaigns.progress import CampaignProgress, period_label
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.invitations.services import MAX_MESSAGE_LENGTH, create_invitation
from procure.invitations.signals import invitation_accepted
from procure.notifications.services import active_users, link_to, notify
from procure.states import NotificationKind
from procure.vendors.models import Vendor

MAX_TITLE_LENGTH = 200
# the campaign's message goes into each invitation's message after a line naming the request
MAX_CAMPAIGN_MESSAGE_LENGTH = MAX_MESSAGE_LENGTH - 400
MAX_VENDORS_ASKED = 1000
MAX_EMAILS_INVITED = 200
# the roles of a vendor organization that answer a campaign (its admin acts as the vendor)
ANSWERING_ROLES = ("vendor", "admin")


@dataclass
class CampaignCreated:
    campaign: Campaign
    # the invitations sent to new vendors, each with its link's secret (shown or mailed once)
    invitations: list[tuple[Invitation, str]] = field(default_factory=list)


def _period(fields: Mapping[str, Any]) -> tuple[date, date]:
    if fields.get("year") is not None:
        return date(fields["year"], 1, 1), date(fields["year"], 12, 31)
    return fields["period_start"], fields["period_end"]


def create_campaign(buyer: User, fields: Mapping[str, Any], today: date) -> CampaignCreated:
    """Start a campaign of the buyer's organization: the period (`year`, or `period_start` and
    `period_end`, as the schema loaded them), `deadline` (not before `today`), `message`, and the
    vendors asked: `vendor_ids` (existing vendors) and `emails` (invited, each with an
    invitation linked to the campaign). Each vendor's users are notified; an invited vendor's,
    once it registers. All or nothing; ValidationFailed names `deadline`, `vendor_ids` or
    `emails`."""
    period_start, period_end = _period(fields)
    deadline: date = fields["deadline"]
    errors: dict[str, list[str]] = {}
    if deadline < today:
        errors["deadline"] = [
            f"The deadline {deadline} has passed: choose today ({today}) or a later day."
        ]
    vendor_ids = list(dict.fromkeys(fields.get("vendor_ids") or ()))
    vendors = {
        vendor.id: vendor
        for vendor in db.session.scalars(select(Vendor).where(Vendor.id.in_(vendor_ids)))
    }
    unknown = [vendor_id for vendor_id in vendor_ids if vendor_id not in vendors]
    if unknown:
        errors["vendor_ids"] = [f"No vendor with id {', '.join(map(str, unknown))}."]
    asked = fields.get("emails") or ()
    emails = list(dict.fromkeys(normalise_email(email) for email in asked if email.strip()))
    registered = db.session.scalars(select(User.email).where(User.email.in_(emails))).all()
    if registered:
        errors["emails"] = [
            f"{email} already has an account: choose its vendor in the list instead."
            for email in registered
        ]
    if not vendor_ids and not emails:
        errors["vendor_ids"] = [
            "Ask at least one vendor: choose vendors on the platform or give emails to invite."
        ]
    if errors:
        raise ValidationFailed(errors)
    period = period_label(period_start, period_end)
    campaign = Campaign(
        organization_id=buyer.organization_id,
        created_by_id=buyer.id,
        title=(fields.get("title") or "").strip() or f"Impact disclosure {period}",
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        message=(fields.get("message") or "").strip() or None,
    )
    db.session.add(campaign)
    db.session.flush()
    created = CampaignCreated(campaign)
    for vendor_id in vendor_ids:
        request = CampaignRequest(campaign=campaign, vendor=vendors[vendor_id])
        db.session.add(request)
        _tell_of_request(request, vendors[vendor_id].organization_id)
    for index, email in enumerate(emails):
        try:
            invitation, secret = create_invitation(buyer, email, _invitation_message(campaign))
        except ValidationFailed as failed:  # the address: named as the list's item
            raise ValidationFailed(
                {f"emails.{index}": [m for ms in failed.errors.values() for m in ms]}
            ) from None
        db.session.add(CampaignRequest(campaign=campaign, invitation=invitation))
        created.invitations.append((invitation, secret))
    record_event(
        "campaign.create",
        campaign,
        actor=buyer,
        after={
            "title": campaign.title,
            "period_start": period_start,
            "period_end": period_end,
            "deadline": deadline,
            "vendor_ids": vendor_ids,
            "invited": emails,
        },
    )
    db.session.flush()
    return created


def _invitation_message(campaign: Campaign) -> str:
    buyer = campaign.organization.name
    lines = [
        f"{buyer} asks for your impact disclosure for "
        f"{period_label(campaign.period_start, campaign.period_end)} by "
        f"{campaign.deadline:%d %B %Y} ({campaign.title})."
    ]
    if campaign.message:
        lines += ["", campaign.message]
    return "\n".join(lines)


def answering_users(organization_id: int) -> list[User]:
    return active_users(*ANSWERING_ROLES, organization_id=organization_id)


def _tell_of_request(request: CampaignRequest, organization_id: int) -> None:
    campaign = request.campaign
    notify(
        answering_users(organization_id),
        NotificationKind.CAMPAIGN_REQUEST,
        f"{campaign.organization.name} asks for your disclosure for "
        f"{period_label(campaign.period_start, campaign.period_end)} by "
        f"{campaign.deadline:%d %b %Y}.",
        link=link_to("accounts_pages.home"),
        subject=request,
    )


@invitation_accepted.connect
def _tell_the_new_vendor(invitation: Invitation, organization: Organization, **_: Any) -> None:
    """A vendor that registered (or joined) through a campaign's invitation is told what the
    campaign asks, like the vendors asked directly."""
    for request in db.session.scalars(
        select(CampaignRequest).where(CampaignRequest.invitation_id == invitation.id)
    ):
        _tell_of_request(request, organization.id)


# ---------------------------------------------------------------- the status as CSV

STATUS_COLUMNS = [
    "vendor",
    "email",
    "state",
    "overdue",
    "invitation_state",
    "disclosure_id",
    "disclosure_version",
    "review_decision",
    "reminders",
    "last_reminded_on",
]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def status_rows(progress: CampaignProgress) -> list[dict[str, Any]]:
    """One row per vendor asked, for the CSV export (columns STATUS_COLUMNS), as text (an id
    left blank must not turn the column's other ids into 12.0)."""
    return [
        {
            "vendor": status.name,
            "email": status.email,
            "state": status.state.value,
            "overdue": "yes" if status.overdue else "no",
            "invitation_state": _text(status.invitation_state and status.invitation_state.value),
            "disclosure_id": _text(status.disclosure and status.disclosure.id),
            "disclosure_version": _text(status.disclosure and status.disclosure.number),
            "review_decision": status.review_decision,
            "reminders": str(status.request.reminders),
            "last_reminded_on": _text(status.request.reminded_on),
        }
        for status in progress.statuses
    ]
