"""Reminders of the vendors that open campaigns still await: on the buyer's request ("remind the
late ones"), and on a schedule (`send_scheduled_reminders`, run by `procure campaigns remind` and
the scheduler thread) 7 days and 1 day before the deadline and weekly for four weeks after it.

A vendor gets at most one reminder a day, whichever campaigns await it and whoever sends it: the
day is claimed by a conditional UPDATE of the vendor's VendorReminderDay row (so two schedulers
on two hosts, or a buyer and the schedule, cannot both send), and that one reminder names every
campaign due: on a schedule, each campaign whose reminder falls due that day; on a buyer's
request, that buyer's campaign and any other campaign whose scheduled reminder falls due that
day. Each request named counts one reminder (`reminders`, `reminded_on`), and each campaign
named gets its audit event. A registered vendor's users get one CAMPAIGN_REMINDER notification
(mailed at once to those who want it by email); an invited one, one mail to its address, when
mail is set up. Closed campaigns remind nobody. Services flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from procure.accounts.models import User
from procure.audit.services import SYSTEM, record_event
from procure.campaigns.models import Campaign, CampaignRequest, VendorReminderDay
from procure.campaigns.progress import VendorStatus, period_label, progress_of, statuses_selected
from procure.campaigns.services import answering_users, refuse_closed
from procure.db import rowcount
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.mail import mail_configured, send_after_commit
from procure.notifications.services import link_to, mail_at_once, notify
from procure.states import InvitationState, NotificationKind
from procure.vendors.models import Vendor

# scheduled reminders: this many days before the deadline, then every OVERDUE_EVERY_DAYS days from
# the day after it, for OVERDUE_FOR_DAYS days
REMINDER_DAYS_BEFORE = (7, 1)
OVERDUE_EVERY_DAYS = 7
OVERDUE_FOR_DAYS = 28

# whom a reminder goes to: a vendor organization (id, ""), or an invited address (0, address)
Recipient = tuple[int, str]


@dataclass
class ReminderRound:
    """What one buyer's "remind the late ones" did for its campaign, by vendor name."""

    reminded: list[str] = field(default_factory=list)  # the vendors (or addresses) reminded
    already_today: list[str] = field(default_factory=list)  # reminded earlier today: skipped
    unreachable: list[str] = field(default_factory=list)  # no active user, no usable invitation


@dataclass
class _Sent:
    """What a round did: the requests each reminder named, those skipped because their vendor
    was reminded today already, those whose vendor cannot be reached, and how many vendors got
    a reminder."""

    named: set[int] = field(default_factory=set)
    already_today: set[int] = field(default_factory=set)
    unreachable: set[int] = field(default_factory=set)
    vendors: int = 0


def _recipient(status: VendorStatus) -> Recipient:
    if status.organization_id is not None:
        return status.organization_id, ""
    invitation = status.request.invitation
    assert invitation is not None  # a vendor not registered is asked through its invitation
    return 0, invitation.email


def _claim_day(recipient: Recipient, today: date) -> bool:
    """Mark the vendor reminded `today`: True for the one caller that does (at most one reminder
    per vendor a day, whichever campaigns and whoever sends it). The row is written the first
    time (INSERT ... ON CONFLICT DO NOTHING), then claimed by a conditional UPDATE."""
    organization_id, email = recipient
    table = cast(Table, VendorReminderDay.__table__)
    column = table.c.organization_id if organization_id else table.c.email
    key = organization_id or email
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table)
        .values({column.name: key, "reminded_on": None})
        .on_conflict_do_nothing(index_elements=[column])
    )
    claimed = db.session.execute(
        update(table)
        .where(
            column == key,
            or_(table.c.reminded_on.is_(None), table.c.reminded_on < today),
        )
        .values(reminded_on=today)
    )
    return rowcount(claimed) == 1


def _claim_reminder(request: CampaignRequest, today: date) -> bool:
    """Count a reminder of the request `today`: False when one counted today already."""
    claimed = db.session.execute(
        update(CampaignRequest)
        .where(
            CampaignRequest.id == request.id,
            or_(CampaignRequest.reminded_on.is_(None), CampaignRequest.reminded_on < today),
        )
        .values(reminded_on=today, reminders=CampaignRequest.reminders + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request, ["reminded_on", "reminders"])
    return rowcount(claimed) == 1


def _when(campaign: Campaign, today: date) -> str:
    days = (campaign.deadline - today).days
    if days > 1:
        return f"due in {days} days, on {campaign.deadline:%d %b %Y}"
    if days == 1:
        return f"due tomorrow, {campaign.deadline:%d %b %Y}"
    if days == 0:
        return "due today"
    return f"overdue since {campaign.deadline:%d %b %Y}"


def _reminder_title(campaigns: Sequence[Campaign], today: date) -> str:
    """One campaign: "Reminder: <buyer> awaits your disclosure for <period>, <when>."; several:
    "Reminder: 2 campaigns await your disclosures: <buyer> for <period> (<title>), <when>; ..."."""
    if len(campaigns) == 1:
        [campaign] = campaigns
        period = period_label(campaign.period_start, campaign.period_end)
        return (
            f"Reminder: {campaign.organization.name} awaits your disclosure for {period}, "
            f"{_when(campaign, today)}."
        )
    listed = "; ".join(
        f"{c.organization.name} for {period_label(c.period_start, c.period_end)} ({c.title}), "
        f"{_when(c, today)}"
        for c in campaigns
    )
    return f"Reminder: {len(campaigns)} campaigns await your disclosures: {listed}."


def _remind_invitee(email: str, statuses: Sequence[VendorStatus], title: str) -> None:
    """One mail to an invited address, naming each invitation it got (each campaign's)."""
    lines = [title]
    invitations = {
        s.request.invitation.id: s.request.invitation for s in statuses if s.request.invitation
    }
    for invitation in invitations.values():
        lines += [
            "",
            f"{invitation.invited_by.name} of {invitation.organization.name} invited you to "
            f"impact-procure on {invitation.created_at:%d %B %Y}. Register through the link in "
            f"that message (it works until {invitation.expires_at:%Y-%m-%d %H:%M} UTC), then "
            "submit your disclosure.",
        ]
    names = ", ".join(dict.fromkeys(i.invited_by.name for i in invitations.values()))
    lines += ["", f"If you cannot find it, ask {names} to invite you again."]
    send_after_commit(email, title, "\n".join(lines) + "\n")


def _remind_vendors(statuses: Iterable[VendorStatus], today: date) -> _Sent:
    """Remind the vendor of each of these statuses (all awaited) once, naming every campaign of
    its statuses, unless it was reminded today already; in a fixed order of vendors, so that
    parallel rounds take their rows' locks in one order."""
    sent = _Sent()
    groups: dict[Recipient, list[VendorStatus]] = {}
    for status in statuses:
        groups.setdefault(_recipient(status), []).append(status)
    for recipient in sorted(groups):
        group = groups[recipient]
        organization_id, email = recipient
        users: list[User] = []
        if organization_id:
            users = answering_users(organization_id)
            reachable = group if users else []
        elif mail_configured():
            reachable = [s for s in group if s.invitation_state == InvitationState.PENDING]
        else:
            reachable = []
        sent.unreachable |= {s.request.id for s in group} - {s.request.id for s in reachable}
        if not reachable:
            continue
        if not _claim_day(recipient, today):
            sent.already_today |= {s.request.id for s in reachable}
            continue
        named = [s for s in reachable if _claim_reminder(s.request, today)]
        sent.already_today |= {s.request.id for s in reachable} - {s.request.id for s in named}
        if not named:
            continue
        title = _reminder_title([s.request.campaign for s in named], today)
        if users:
            notifications = notify(
                users,
                NotificationKind.CAMPAIGN_REMINDER,
                title,
                link=link_to("accounts_pages.home"),
                subject=named[0].request,
            )
            mail_at_once(notifications)
        else:
            _remind_invitee(email, named, title)
        sent.named |= {s.request.id for s in named}
        sent.vendors += 1
    return sent


def _record(
    statuses: Iterable[VendorStatus],
    sent: _Sent,
    today: date,
    actor: Any,
    by_hand: Campaign | None = None,
) -> None:
    """One campaign.remind event per campaign whose requests a reminder named: `by_hand` is the
    campaign whose buyer (`actor`) asked; the others' reminders were the schedule's."""
    by_campaign: dict[int, list[VendorStatus]] = {}
    for status in statuses:
        if status.request.id in sent.named:
            by_campaign.setdefault(status.request.campaign_id, []).append(status)
    for reminded in by_campaign.values():
        campaign = reminded[0].request.campaign
        asked = campaign is by_hand
        record_event(
            "campaign.remind",
            campaign,
            actor=actor if asked or by_hand is None else SYSTEM,
            after={"reminded": [s.name for s in reminded], "scheduled": not asked, "on": today},
            organization_id=campaign.organization_id,
        )


def reminder_window_start(deadline: date, today: date) -> date | None:
    """The first day of the scheduled-reminder window `today` falls in, or None when none is
    open: windows start REMINDER_DAYS_BEFORE days before the deadline and every
    OVERDUE_EVERY_DAYS days from the day after it, and the last one closes OVERDUE_FOR_DAYS days
    after it. A vendor not reminded (nor asked) since its window started is due."""
    if today > deadline + timedelta(days=OVERDUE_FOR_DAYS):
        return None
    starts = [deadline - timedelta(days=days) for days in REMINDER_DAYS_BEFORE]
    starts += [
        deadline + timedelta(days=1 + weeks)
        for weeks in range(0, OVERDUE_FOR_DAYS, OVERDUE_EVERY_DAYS)
    ]
    opened = [start for start in starts if start <= today]
    return max(opened) if opened else None


def _due(today: date, recipients: set[Recipient] | None = None) -> list[VendorStatus]:
    """The awaited vendors of open campaigns whose scheduled reminder is due `today`: every one,
    or only those of `recipients`."""
    statement = (
        select(CampaignRequest)
        .join(Campaign, Campaign.id == CampaignRequest.campaign_id)
        .where(
            Campaign.closed_at.is_(None),
            Campaign.deadline.between(
                today - timedelta(days=OVERDUE_FOR_DAYS),
                today + timedelta(days=max(REMINDER_DAYS_BEFORE)),
            ),
        )
        .order_by(CampaignRequest.id)
    )
    if recipients is not None:
        if not recipients:
            return []
        organization_ids = [organization_id for organization_id, _ in recipients if organization_id]
        emails = [email for organization_id, email in recipients if not organization_id]
        statement = statement.where(
            or_(
                CampaignRequest.vendor.has(Vendor.organization_id.in_(organization_ids)),
                CampaignRequest.invitation.has(
                    or_(
                        Invitation.accepted_organization_id.in_(organization_ids),
                        Invitation.email.in_(emails),
                    )
                ),
            )
        )
    due = []
    for status in statuses_selected(statement, today):
        since = reminder_window_start(status.request.campaign.deadline, today)
        last = max(status.request.reminded_on or date.min, status.request.created_at.date())
        if status.awaited and since is not None and last < since:
            due.append(status)
    return due


def remind_the_late_ones(campaign: Campaign, actor: User, today: date) -> ReminderRound:
    """The buyer's "remind the late ones": every vendor its open campaign still awaits, unless
    that vendor was reminded today already (by any campaign). A vendor's reminder also names the
    other campaigns whose scheduled reminder falls due today. ConflictError for a closed one."""
    refuse_closed(campaign, "remind its vendors")
    late = [status for status in progress_of(campaign, today).statuses if status.awaited]
    others = [
        status
        for status in _due(today, {_recipient(status) for status in late})
        if status.request.campaign_id != campaign.id
    ]
    sent = _remind_vendors(late + others, today)
    _record(late + others, sent, today, actor, by_hand=campaign)
    db.session.flush()
    return ReminderRound(
        reminded=[s.name for s in late if s.request.id in sent.named],
        already_today=[s.name for s in late if s.request.id in sent.already_today],
        unreachable=[s.name for s in late if s.request.id in sent.unreachable],
    )


def send_scheduled_reminders(today: date, actor: Any) -> int:
    """Remind the vendors due a scheduled reminder on `today` (a UTC date), by every open
    campaign, each vendor once; the caller commits. How many vendors were reminded."""
    due = _due(today)
    sent = _remind_vendors(due, today)
    _record(due, sent, today, actor)
    db.session.flush()
    return sent.vendors
