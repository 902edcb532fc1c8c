"""Where each vendor asked by a campaign stands, read and never stored: from its invitation
(asked by email and not registered yet: invited), then from its disclosures of the campaign's
period (none: registered; a draft: draft started; a submitted version: submitted; that version
reviewed by the campaign's buyer organization: reviewed). A vendor still awaited once the
deadline has passed is overdue. Reads only: nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from procure.accounts.models import Organization
from procure.campaigns.models import Campaign, CampaignRequest
from procure.db import utcnow
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.paging import Page, page_of_rows
from procure.states import (
    AWAITED_CAMPAIGN_STATES,
    CampaignStatus,
    CampaignVendorState,
    DisclosureState,
    InvitationState,
)
from procure.vendors.models import Vendor

# a vendor's home page shows the requests of campaigns whose deadline passed at most this long ago
HOME_DAYS_AFTER_DEADLINE = 60


def period_label(start: date, end: date) -> str:
    """The period in words: "2025" for a calendar year, else "2025-04-01 to 2026-03-31"."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start} to {end}"


def today_utc() -> date:
    return utcnow().date()


@dataclass(frozen=True)
class VendorStatus:
    """Where one vendor asked by a campaign stands on a given day."""

    request: CampaignRequest
    name: str  # the vendor's name, else its organization's, else the invited address
    organization_id: int | None  # None while the invitation is not accepted
    state: CampaignVendorState
    overdue: bool
    invitation_state: InvitationState | None  # asked by email: the invitation's state
    disclosure: Disclosure | None  # the version that decides the state
    review_decision: str | None  # the campaign's buyer's decision on it, when reviewed

    @property
    def email(self) -> str | None:
        invitation = self.request.invitation
        return invitation.email if invitation is not None else None

    @property
    def awaited(self) -> bool:
        return self.state in AWAITED_CAMPAIGN_STATES


@dataclass(frozen=True)
class CampaignProgress:
    """A campaign's vendors with their states, and the counts the campaign page shows."""

    campaign: Campaign
    statuses: list[VendorStatus]
    today: date

    @property
    def counts(self) -> dict[CampaignVendorState, int]:
        counts = dict.fromkeys(CampaignVendorState, 0)
        for status in self.statuses:
            counts[status.state] += 1
        return counts

    @property
    def overdue(self) -> int:
        return sum(status.overdue for status in self.statuses)

    @property
    def asked(self) -> int:
        return len(self.statuses)

    @property
    def answered(self) -> int:
        """Vendors that submitted their disclosure of the period (reviewed or not)."""
        return sum(not status.awaited for status in self.statuses)

    @property
    def response_rate(self) -> float:
        """Answered / asked, 0-1 (0 for a campaign that asks nobody)."""
        return self.answered / self.asked if self.asked else 0.0

    @property
    def status(self) -> CampaignStatus:
        if self.campaign.closed:
            return CampaignStatus.CLOSED
        if self.answered == self.asked:
            return CampaignStatus.ANSWERED
        if self.today > self.campaign.deadline:
            return CampaignStatus.PAST_DEADLINE
        return CampaignStatus.OPEN


def _with_subjects(statement):
    return statement.options(
        selectinload(CampaignRequest.vendor),
        selectinload(CampaignRequest.invitation),
        selectinload(CampaignRequest.campaign),
    )


def statuses_of(requests: Sequence[CampaignRequest], today: date) -> list[VendorStatus]:
    """Where each request's vendor stands on `today`, in a few queries for any number of requests
    (of one campaign or several)."""
    organization_ids: set[int] = set()
    for request in requests:
        if request.vendor is not None:
            organization_ids.add(request.vendor.organization_id)
        elif request.invitation is not None and request.invitation.accepted_organization_id:
            organization_ids.add(request.invitation.accepted_organization_id)
    vendors = {
        vendor.organization_id: vendor
        for vendor in db.session.scalars(
            select(Vendor).where(Vendor.organization_id.in_(organization_ids))
        )
    }
    names = dict(
        db.session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(organization_ids))
        ).all()
    )
    periods = {(r.campaign.period_start, r.campaign.period_end) for r in requests}
    versions: dict[tuple[int, date, date], list[Disclosure]] = {}
    if vendors and periods:
        for version in db.session.scalars(
            select(Disclosure)
            .where(
                Disclosure.vendor_id.in_([v.id for v in vendors.values()]),
                or_(
                    *(
                        and_(Disclosure.period_start == start, Disclosure.period_end == end)
                        for start, end in periods
                    )
                ),
            )
            .order_by(Disclosure.number)
        ):
            key = (version.vendor_id, version.period_start, version.period_end)
            versions.setdefault(key, []).append(version)
    statuses = []
    for request in requests:
        campaign, invitation = request.campaign, request.invitation
        if request.vendor is not None:
            organization_id: int | None = request.vendor.organization_id
        else:
            organization_id = invitation.accepted_organization_id if invitation else None
        vendor = vendors.get(organization_id) if organization_id is not None else None
        found = (
            versions.get((vendor.id, campaign.period_start, campaign.period_end), [])
            if vendor is not None
            else []
        )
        state, disclosure, decision = _state_of(campaign, organization_id, found)
        if vendor is not None:
            name = vendor.name
        elif organization_id is not None:
            name = names.get(organization_id, "")
        else:
            name = invitation.email if invitation is not None else ""
        statuses.append(
            VendorStatus(
                request=request,
                name=name,
                organization_id=organization_id,
                state=state,
                overdue=state in AWAITED_CAMPAIGN_STATES and today > campaign.deadline,
                invitation_state=invitation.state_at(utcnow()) if invitation else None,
                disclosure=disclosure,
                review_decision=decision,
            )
        )
    return statuses


def _state_of(
    campaign: Campaign, organization_id: int | None, versions: list[Disclosure]
) -> tuple[CampaignVendorState, Disclosure | None, str | None]:
    """The state from the vendor's versions of the period (by number): the newest submitted one
    decides when there is one (reviewed when the campaign's buyer organization reviewed it)."""
    if organization_id is None:
        return CampaignVendorState.INVITED, None, None
    submitted = [v for v in versions if v.state == DisclosureState.SUBMITTED]
    if submitted:
        newest = submitted[-1]
        review = newest.review_by(campaign.organization_id)
        if review is not None:
            return CampaignVendorState.REVIEWED, newest, review.decision
        return CampaignVendorState.SUBMITTED, newest, None
    if versions:
        return CampaignVendorState.DRAFT_STARTED, versions[-1], None
    return CampaignVendorState.REGISTERED, None, None


def statuses_selected(statement, today: date) -> list[VendorStatus]:
    """Where the vendor of each request `statement` selects stands on `today`, in its order."""
    return statuses_of(db.session.scalars(_with_subjects(statement)).all(), today)


def progress_of(campaign: Campaign, today: date | None = None) -> CampaignProgress:
    """The campaign's vendors, in the order they were asked, and where each stands."""
    today = today or today_utc()
    statement = (
        select(CampaignRequest)
        .where(CampaignRequest.campaign_id == campaign.id)
        .order_by(CampaignRequest.id)
    )
    return CampaignProgress(campaign, statuses_selected(statement, today), today)


def page_of(
    statement, page: int, per_page: int, today: date | None = None
) -> Page[CampaignProgress]:
    """One page of the campaigns `statement` selects (the caller's scoped select), the newest
    first, each with its progress."""
    rows = page_of_rows(
        statement.order_by(Campaign.created_at.desc(), Campaign.id.desc()), page, per_page
    )
    return Page([progress_of(c, today) for c in rows.items], page, per_page, rows.total)


def requests_for(statement, today: date | None = None) -> list[VendorStatus]:
    """The campaign requests `statement` selects (a vendor's scoped select) whose deadline passed
    at most HOME_DAYS_AFTER_DEADLINE days ago, the nearest deadline first, with their states."""
    today = today or today_utc()
    return statuses_selected(
        statement.join(Campaign, Campaign.id == CampaignRequest.campaign_id)
        .where(Campaign.deadline >= today - timedelta(days=HOME_DAYS_AFTER_DEADLINE))
        .order_by(Campaign.deadline, CampaignRequest.id),
        today,
    )
