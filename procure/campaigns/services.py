"""Disclosure campaigns: a buyer asks vendors for their disclosure of one period by a deadline
(`create_campaign`), asks more vendors later (`ask_more_vendors`), edits, closes and reopens it,
the vendors asked are told, and the campaign's status exports as CSV. Where each vendor stands is
read in procure.campaigns.progress; the reminders are in procure.campaigns.reminders. Services
flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import CompoundSelect, case, func, select, union
from sqlalchemy.orm import selectinload

from procure.accounts.models import Organization, User
from procure.accounts.names import name_key
from procure.accounts.services import normalise_email
from procure.audit.services import record_event
from procure.campaigns.models import Campaign, CampaignRequest
from procure.campaigns.progress import CampaignProgress, period_label
from procure.db import utcnow
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
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
# a vendor search answers at most this many vendors: a page never lists the whole directory
MAX_VENDOR_MATCHES = 50


@dataclass
class VendorsAsked:
    """A campaign started, or more vendors asked by it."""

    campaign: Campaign
    # the invitations sent to new vendors, each with its link's secret (shown or mailed once)
    invitations: list[tuple[Invitation, str]] = field(default_factory=list)
    asked: int = 0  # the vendors and addresses asked


@dataclass
class _Asking:
    """The vendors a request asks, checked: the vendors on the platform (from `vendor_ids` and
    `vendor_names`, once each) and the addresses to invite."""

    vendors: list[Vendor]
    emails: list[str]
    errors: dict[str, list[str]]


def _period(fields: Mapping[str, Any]) -> tuple[date, date]:
    if fields.get("year") is not None:
        return date(fields["year"], 1, 1), date(fields["year"], 12, 31)
    return fields["period_start"], fields["period_end"]


def _asking(fields: Mapping[str, Any], buyer: User, campaign: Campaign | None = None) -> _Asking:
    """Check the vendors asked (`vendor_ids`, `vendor_names`, `emails`): each vendor exists, each
    name is a vendor's, no address is a user's of the buyer's own organization, and (a campaign
    asking more) none is asked already. The errors name the field each refused vendor came
    from."""
    errors: dict[str, list[str]] = {}
    vendor_ids = list(dict.fromkeys(fields.get("vendor_ids") or ()))
    by_id = {
        vendor.id: vendor
        for vendor in db.session.scalars(select(Vendor).where(Vendor.id.in_(vendor_ids)))
    }
    unknown = [vendor_id for vendor_id in vendor_ids if vendor_id not in by_id]
    if unknown:
        errors["vendor_ids"] = [f"No vendor with id {', '.join(map(str, unknown))}."]
    names = list(dict.fromkeys(n.strip() for n in fields.get("vendor_names") or () if n.strip()))
    keys = {name: name_key(name) for name in names}
    by_key = {
        vendor.name_key: vendor
        for vendor in db.session.scalars(select(Vendor).where(Vendor.name_key.in_(keys.values())))
    }
    unnamed = [name for name in names if keys[name] not in by_key]
    if unnamed:
        errors["vendor_names"] = [
            f"No vendor on the platform is named {name!r}: search for it, or invite it by email."
            for name in unnamed
        ]
    # the vendors in the order given, each once, with the field it was given in
    chosen: dict[int, tuple[Vendor, str]] = {}
    for vendor_id in vendor_ids:
        if vendor_id in by_id:
            chosen.setdefault(vendor_id, (by_id[vendor_id], "vendor_ids"))
    for name in names:
        if keys[name] in by_key:
            vendor = by_key[keys[name]]
            chosen.setdefault(vendor.id, (vendor, "vendor_names"))
    asked = fields.get("emails") or ()
    emails = list(dict.fromkeys(normalise_email(email) for email in asked if email.strip()))
    # Whether another organization's user has an address is never told: it is invited like any
    # other (the same answer, audit event and campaign row), and its owner learns at the link
    # what the invitation can do for them (procure.invitations). Only the buyer's own
    # colleagues are refused: that tells nothing of another tenant.
    colleagues = db.session.scalars(
        select(User.email).where(
            User.email.in_(emails), User.organization_id == buyer.organization_id
        )
    ).all()
    for email in sorted(colleagues, key=emails.index):
        errors.setdefault("emails", []).append(
            f"{email} is a user of {buyer.organization.name}: invite a vendor by its own address."
        )
    if campaign is not None:
        _refuse_asked_already(campaign, chosen, emails, errors)
    if not chosen and not emails and not errors:
        errors["vendor_ids"] = [
            "Ask at least one vendor: choose vendors on the platform or give emails to invite."
        ]
    return _Asking([vendor for vendor, _ in chosen.values()], emails, errors)


def _refuse_asked_already(
    campaign: Campaign,
    chosen: dict[int, tuple[Vendor, str]],
    emails: list[str],
    errors: dict[str, list[str]],
) -> None:
    """Name the vendors and addresses this campaign asks already: a vendor asked directly or
    through the invitation it accepted, an address invited."""
    requests = db.session.scalars(
        select(CampaignRequest)
        .where(CampaignRequest.campaign_id == campaign.id)
        .options(selectinload(CampaignRequest.invitation))
    ).all()
    asked_vendors = {request.vendor_id for request in requests if request.vendor_id}
    asked_organizations = {
        request.invitation.accepted_organization_id for request in requests if request.invitation
    }
    invited = {request.invitation.email for request in requests if request.invitation}
    for vendor, source in chosen.values():
        if vendor.id in asked_vendors or vendor.organization_id in asked_organizations:
            errors.setdefault(source, []).append(
                f"{vendor.name} is asked by this campaign already."
            )
    for email in emails:
        if email in invited:
            errors.setdefault("emails", []).append(f"{email} is invited by this campaign already.")


def create_campaign(buyer: User, fields: Mapping[str, Any], today: date) -> VendorsAsked:
    """Start a campaign of the buyer's organization: the period (`year`, or `period_start` and
    `period_end`, as the schema loaded them), `deadline` (not before `today`), `message`, and the
    vendors asked: `vendor_ids` and `vendor_names` (vendors on the platform) and `emails`
    (invited, each with an invitation linked to the campaign). Each vendor's users are notified;
    an invited vendor's, once it registers or a vendor on the platform accepts through the link
    (an address of another organization's user is invited like any other: the buyer is never
    told it has an account). All or nothing; ValidationFailed names `deadline`, `vendor_ids`,
    `vendor_names` or `emails` (malformed, or a user of the buyer's own organization)."""
    period_start, period_end = _period(fields)
    deadline: date = fields["deadline"]
    asking = _asking(fields, buyer)
    errors = dict(asking.errors)
    if deadline < today:
        errors["deadline"] = [_passed(deadline, today)]
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
    asked = _ask(campaign, buyer, asking)
    record_event(
        "campaign.create",
        campaign,
        actor=buyer,
        after={
            "title": campaign.title,
            "period_start": period_start,
            "period_end": period_end,
            "deadline": deadline,
            "vendor_ids": [vendor.id for vendor in asking.vendors],
            "invited": asking.emails,
        },
    )
    db.session.flush()
    return asked


def ask_more_vendors(
    campaign: Campaign, buyer: User, fields: Mapping[str, Any], today: date
) -> VendorsAsked:
    """Ask more vendors by an open campaign (`vendor_ids`, `vendor_names`, `emails`), checked
    and told as at its start; a vendor or address it asks already is refused, naming its field,
    and so is every vendor while the deadline has passed (`today`, UTC: a vendor asked now
    would be overdue at once; move the deadline first). All or nothing; ConflictError for a
    closed campaign."""
    refuse_closed(campaign, "ask more vendors")
    asking = _asking(fields, buyer, campaign)
    errors = dict(asking.errors)
    if campaign.deadline < today:
        errors["deadline"] = [
            f"The deadline {campaign.deadline} has passed: a vendor asked now would be overdue "
            "at once. Move the deadline (edit the campaign) first."
        ]
    if errors:
        raise ValidationFailed(errors)
    asked = _ask(campaign, buyer, asking)
    record_event(
        "campaign.ask_more",
        campaign,
        actor=buyer,
        after={"vendor_ids": [vendor.id for vendor in asking.vendors], "invited": asking.emails},
    )
    db.session.flush()
    return asked


def _ask(campaign: Campaign, buyer: User, asking: _Asking) -> VendorsAsked:
    """One request per vendor and address (a parallel request that asked one of them first
    makes this one refused, as if it had come second); each vendor's users are told, each
    address gets its invitation."""
    asked = VendorsAsked(campaign, asked=len(asking.vendors) + len(asking.emails))
    requests = [CampaignRequest(campaign_id=campaign.id, vendor=v) for v in asking.vendors]
    db.session.add_all(requests)
    if requests:
        insert_once(
            requests[0],
            ValidationFailed({"vendor_ids": ["Another request asked some of these vendors."]}),
        )
    for request in requests:
        assert request.vendor is not None  # asked as a vendor on the platform, just above
        _tell_of_request(request, request.vendor.organization_id)
    for index, email in enumerate(asking.emails):
        try:
            invitation, secret = create_invitation(buyer, email, _invitation_message(campaign))
        except ValidationFailed as failed:  # the address: named as the list's item
            raise ValidationFailed(
                {f"emails.{index}": [m for ms in failed.errors.values() for m in ms]}
            ) from None
        db.session.add(CampaignRequest(campaign_id=campaign.id, invitation=invitation))
        asked.invitations.append((invitation, secret))
    db.session.flush()
    return asked


def _passed(deadline: date, today: date) -> str:
    return f"The deadline {deadline} has passed: choose today ({today}) or a later day."


def refuse_closed(campaign: Campaign, action: str) -> None:
    """ConflictError for a closed campaign: nothing but reading and reopening it."""
    if campaign.closed:
        raise ConflictError(f"This campaign is closed: reopen it to {action}.")


# the fields of a campaign that its buyers may change once it is started
EDITABLE = ("title", "message", "deadline")


def update_campaign(
    campaign: Campaign, values: Mapping[str, Any], sent_version: int | None, user: User, today: date
) -> Campaign:
    """Change an open campaign's `title` (blank: the default title), `message` (blank: none) or
    `deadline` (a new one not before `today`; an unchanged one may have passed), based on version
    `sent_version`. ValidationFailed names `deadline`; ConflictError for a stale version or a
    closed campaign."""
    check_version(campaign, sent_version, "campaign")
    refuse_closed(campaign, "change it")
    changes: dict[str, Any] = {}
    if "title" in values:
        period = period_label(campaign.period_start, campaign.period_end)
        changes["title"] = (values["title"] or "").strip() or f"Impact disclosure {period}"
    if "message" in values:
        changes["message"] = (values["message"] or "").strip() or None
    if "deadline" in values:
        changes["deadline"] = values["deadline"]
        if values["deadline"] != campaign.deadline and values["deadline"] < today:
            raise ValidationFailed({"deadline": [_passed(values["deadline"], today)]})
    changes = {key: value for key, value in changes.items() if getattr(campaign, key) != value}
    if not changes:
        return campaign
    before = {key: getattr(campaign, key) for key in changes}
    for key, value in changes.items():
        setattr(campaign, key, value)
    save_changes(campaign, "campaign", sent_version)
    record_event("campaign.update", campaign, actor=user, before=before, after=changes)
    if "deadline" in changes:
        _tell_of_new_deadline(campaign, before["deadline"])
    return campaign


def _tell_of_new_deadline(campaign: Campaign, was: date) -> None:
    """Every vendor organization the campaign asked (directly, or through an invitation it
    accepted) is told of a moved deadline, in one notification each user; an invitation not
    yet accepted shows the new deadline on the campaign request once its vendor registers."""
    asked = select(CampaignRequest.id).where(CampaignRequest.campaign_id == campaign.id)
    organizations: CompoundSelect = union(
        select(Vendor.organization_id)
        .join(CampaignRequest, CampaignRequest.vendor_id == Vendor.id)
        .where(CampaignRequest.id.in_(asked)),
        select(Invitation.accepted_organization_id)
        .join(CampaignRequest, CampaignRequest.invitation_id == Invitation.id)
        .where(CampaignRequest.id.in_(asked), Invitation.accepted_organization_id.is_not(None)),
    )
    users = active_users(*ANSWERING_ROLES, organizations=organizations)
    period = period_label(campaign.period_start, campaign.period_end)
    notify(
        users,
        NotificationKind.CAMPAIGN_REQUEST,
        f"{campaign.organization.name} moved the deadline for your disclosure for {period} "
        f"to {campaign.deadline:%d %b %Y} (it was {was:%d %b %Y}).",
        link=link_to("accounts_pages.home"),
        subject=campaign,
    )


def close_campaign(campaign: Campaign, user: User) -> Campaign:
    """Close an open campaign: it sends no more reminders and asks no more vendors (its vendors
    may still submit, and their states still show). ConflictError when it is closed already."""
    if campaign.closed:
        assert campaign.closed_at is not None and campaign.closed_by is not None
        raise ConflictError(
            f"This campaign was closed on {campaign.closed_at:%Y-%m-%d} by "
            f"{campaign.closed_by.name} already."
        )
    campaign.closed_at, campaign.closed_by = utcnow(), user
    save_changes(campaign, "campaign")
    record_event("campaign.close", campaign, actor=user, after={"closed_at": campaign.closed_at})
    return campaign


def reopen_campaign(campaign: Campaign, user: User) -> Campaign:
    """Open a closed campaign again: the scheduled reminders and "remind the late ones" resume.
    ConflictError when it is open."""
    if not campaign.closed:
        raise ConflictError("This campaign is open: there is nothing to reopen.")
    before = {"closed_at": campaign.closed_at, "closed_by_id": campaign.closed_by_id}
    campaign.closed_at, campaign.closed_by = None, None
    save_changes(campaign, "campaign")
    record_event("campaign.reopen", campaign, actor=user, before=before)
    return campaign


def search_vendors(
    statement,
    query: str,
    limit: int = MAX_VENDOR_MATCHES,
    not_asked_by: Campaign | None = None,
) -> tuple[list[Vendor], int]:
    """The vendors `statement` selects (the caller's scoped select) whose name holds `query`,
    compared as names are (case and width folded), leaving out those `not_asked_by` asks
    already: those whose name starts with it first, then by name; at most `limit` of them, and
    how many match in all. An empty query matches every vendor."""
    if not_asked_by is not None:
        asked = select(CampaignRequest.vendor_id).where(
            CampaignRequest.campaign_id == not_asked_by.id, CampaignRequest.vendor_id.is_not(None)
        )
        joined = (
            select(Invitation.accepted_organization_id)
            .join(CampaignRequest, CampaignRequest.invitation_id == Invitation.id)
            .where(
                CampaignRequest.campaign_id == not_asked_by.id,
                Invitation.accepted_organization_id.is_not(None),
            )
        )
        statement = statement.where(Vendor.id.not_in(asked), Vendor.organization_id.not_in(joined))
    key = name_key(query)
    if key:
        statement = statement.where(Vendor.name_key.contains(key, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    starts = case((Vendor.name_key.startswith(key, autoescape=True), 0), else_=1)
    vendors = db.session.scalars(
        statement.order_by(starts, Vendor.name_key, Vendor.id).limit(limit)
    ).all()
    return list(vendors), total


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
    campaign asks, like the vendors asked directly (unless its buyer closed the campaign)."""
    for request in db.session.scalars(
        select(CampaignRequest).where(CampaignRequest.invitation_id == invitation.id)
    ):
        if not request.campaign.closed:
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
