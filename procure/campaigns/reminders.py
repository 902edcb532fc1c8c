"""Reminders of the vendors a campaign still awaits, at most once per vendor and campaign a day
(a conditional UPDATE of `reminded_on`, so two schedulers on two hosts cannot both send): on the
buyer's request ("remind the late ones"), and on a schedule (`send_scheduled_reminders`, run by
`procure campaigns remind` and the scheduler thread) 7 days and 1 day before the deadline and
weekly for four weeks after it. A registered vendor's users get a CAMPAIGN_REMINDER notification
(mailed at once to those who want it by email); an invited one, its invitation's address, by mail
when mail is set up. Services flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.campaigns.models import Campaign, CampaignRequest
from procure.campaigns.progress import VendorStatus, period_label, progress_of
from procure.campaigns.services import answering_users
from procure.db import rowcount
from procure.extensions import db
from procure.mail import mail_configured, send_after_commit
from procure.notifications.services import link_to, mail_at_once, notify
from procure.states import InvitationState, NotificationKind

# scheduled reminders: this many days before the deadline, then every OVERDUE_EVERY_DAYS days from
# the day after it, for OVERDUE_FOR_DAYS days
REMINDER_DAYS_BEFORE = (7, 1)
OVERDUE_EVERY_DAYS = 7
OVERDUE_FOR_DAYS = 28


@dataclass
class ReminderRound:
    """What one round of reminders of one campaign did."""

    reminded: list[str] = field(default_factory=list)  # the vendors (or addresses) reminded
    already_today: list[str] = field(default_factory=list)  # reminded earlier today: skipped
    unreachable: list[str] = field(default_factory=list)  # no active user, no usable invitation


def _claim_reminder(request: CampaignRequest, today: date) -> bool:
    """Mark the request reminded `today`: True for the one caller that does (at most one
    reminder per vendor, campaign and day, whoever sends it)."""
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


def _reminder_title(campaign: Campaign, today: date) -> str:
    days = (campaign.deadline - today).days
    if days > 1:
        when = f"due in {days} days, on {campaign.deadline:%d %b %Y}"
    elif days == 1:
        when = f"due tomorrow, {campaign.deadline:%d %b %Y}"
    elif days == 0:
        when = "due today"
    else:
        when = f"overdue since {campaign.deadline:%d %b %Y}"
    period = period_label(campaign.period_start, campaign.period_end)
    return f"Reminder: {campaign.organization.name} awaits your disclosure for {period}, {when}."


def _remind_invitee(status: VendorStatus, title: str) -> None:
    invitation = status.request.invitation
    assert invitation is not None  # an invited vendor is asked through its invitation
    lines = [
        title,
        "",
        f"{invitation.invited_by.name} of {invitation.organization.name} invited you to "
        f"impact-procure on {invitation.created_at:%d %B %Y}. Register through the link in that "
        f"message (it works until {invitation.expires_at:%Y-%m-%d %H:%M} UTC), then submit your "
        "disclosure.",
        "",
        f"If you cannot find it, ask {invitation.invited_by.name} to invite you again.",
    ]
    send_after_commit(invitation.email, title, "\n".join(lines) + "\n")


def remind(
    campaign: Campaign,
    statuses: Iterable[VendorStatus],
    *,
    actor: Any,
    today: date,
    scheduled: bool,
) -> ReminderRound:
    """Remind each of these vendors that is still awaited, at most once a day: its users get a
    CAMPAIGN_REMINDER notification (mailed at once to those who want it by email); an invited
    vendor, a mail to its invitation's address when mail is set up and the invitation still
    works. One audit event for the round."""
    outcome = ReminderRound()
    title = _reminder_title(campaign, today)
    for status in statuses:
        if not status.awaited:
            continue
        users: list[User] = []
        if status.organization_id is not None:
            users = answering_users(status.organization_id)
            reachable = bool(users)
        else:
            reachable = status.invitation_state == InvitationState.PENDING and mail_configured()
        if not reachable:
            outcome.unreachable.append(status.name)
            continue
        if not _claim_reminder(status.request, today):
            outcome.already_today.append(status.name)
            continue
        if users:
            notifications = notify(
                users,
                NotificationKind.CAMPAIGN_REMINDER,
                title,
                link=link_to("accounts_pages.home"),
                subject=status.request,
            )
            mail_at_once(notifications)
        else:
            _remind_invitee(status, title)
        outcome.reminded.append(status.name)
    if outcome.reminded:
        record_event(
            "campaign.remind",
            campaign,
            actor=actor,
            after={"reminded": outcome.reminded, "scheduled": scheduled, "on": today},
            organization_id=campaign.organization_id,
        )
    db.session.flush()
    return outcome


def remind_the_late_ones(campaign: Campaign, actor: User, today: date) -> ReminderRound:
    """The buyer's "remind the late ones": every vendor still awaited, unless reminded today."""
    return remind(
        campaign, progress_of(campaign, today).statuses, actor=actor, today=today, scheduled=False
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


def send_scheduled_reminders(today: date, actor: Any) -> int:
    """Remind the vendors due a scheduled reminder on `today` (a UTC date), in every campaign;
    the caller commits. How many vendors were reminded."""
    reminded = 0
    earliest_deadline = today - timedelta(days=OVERDUE_FOR_DAYS)
    latest_deadline = today + timedelta(days=max(REMINDER_DAYS_BEFORE))
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.deadline.between(earliest_deadline, latest_deadline))
        .order_by(Campaign.id)
    ).all()
    for campaign in campaigns:
        since = reminder_window_start(campaign.deadline, today)
        if since is None:
            continue
        due = [
            status
            for status in progress_of(campaign, today).statuses
            if max(status.request.reminded_on or date.min, status.request.created_at.date()) < since
        ]
        if due:
            reminded += len(
                remind(campaign, due, actor=actor, today=today, scheduled=True).reminded
            )
    return reminded
