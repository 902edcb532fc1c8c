"""The re-scoring jobs (procure.jobs): refresh a period's score snapshots after disclosures
change, an offer of a category they compare with does, or an exchange rate they priced with
does, or comes into force (`rescore_due_rates`, a daily round of procure.scheduler); and
refresh a stored ranking (procure.scoring.rankings). The receivers of those changes also count
them in the rankings' data versions (procure.scoring.versions)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from procure.accounts.models import Organization, User
from procure.audit.services import SYSTEM
from procure.disclosures.models import Disclosure
from procure.disclosures.signals import reviews_changed, scores_outdated
from procure.extensions import db
from procure.jobs.kinds import job_kind
from procure.jobs.models import ACTIVE_STATUSES, Job
from procure.jobs.runner import Progress
from procure.jobs.services import enqueue_coalesced
from procure.rates.models import ExchangeRate
from procure.rates.signals import rates_changed
from procure.scoring.rankings import REFRESH_KIND, RankingKey, is_current, newest, store_ranking
from procure.scoring.snapshots import (
    periods_of_categories,
    periods_priced_in,
    priced_days,
    refresh_period,
)
from procure.scoring.versions import GLOBAL, bump
from procure.vendors.signals import offers_changed

SCORES_REFRESH = "scores.refresh"


# a system job: nobody waits on it, so one that fails for a passing cause (its worker lost, an
# outage) is queued again by itself (procure.jobs.kinds), lest snapshots stay on old versions
@job_kind(SCORES_REFRESH, "Re-scoring vendors", retries=True)
def refresh_scores(job: Job, progress: Progress) -> dict:
    """Replace the period's snapshots. Refreshes of one period run one after the other
    (refresh_period waits for the one before); disclosures submitted while one waits join it
    (`start_refresh`), and the last to run sees them all."""
    period_end = date.fromisoformat(job.params["period_end"])
    progress(10, f"Scoring every vendor for the period ending {period_end:%d %b %Y}")
    return {"period_end": period_end.isoformat(), "vendors_scored": refresh_period(period_end)}


@job_kind(REFRESH_KIND, "Refreshing a ranking", retries=True)
def refresh_ranking(job: Job, progress: Progress) -> dict:
    """Store the ranking of the job's key as the data is now (procure.scoring.rankings)."""
    key = RankingKey.of_job(job)
    stored = newest(key)
    if stored is not None and is_current(stored):  # a refresh queued while one ran, needless
        return {"ranking_id": stored.id, "vendors_ranked": 0, "already_current": True}
    progress(10, "Ranking every vendor")
    ranking = store_ranking(key)
    return {"ranking_id": ranking.id, "vendors_ranked": ranking.peers}


def start_refresh(period_end: date, organization_id: int, user) -> Job:
    """Queue a refresh of one period's snapshots (flushes), coalesced (`enqueue_coalesced`): a
    refresh of the period queued and not started yet, whoever asked for it, stands for this one
    too (and is returned); while one runs, one more is queued to run after it."""
    job, _ = enqueue_coalesced(
        SCORES_REFRESH,
        organization_id=organization_id,
        user=user,
        params={"period_end": period_end.isoformat()},
        any_organization=True,
    )
    return job


@scores_outdated.connect
def _refresh_on_change(disclosure: Disclosure, user: User) -> None:
    bump(GLOBAL)  # a version submitted, or attested: every buyer's rankings read it
    start_refresh(disclosure.period_end, user.organization_id, user)


@rates_changed.connect
def _refresh_on_rate_change(currency: str, user: User) -> None:
    """A rate of `currency` was added, corrected or removed: re-score what it prices."""
    refresh_priced_in(currency, user.organization_id, user)


def refresh_priced_in(currency: str, organization_id: int, actor) -> list[date]:
    """What a rate of `currency` moves: outdate the rankings and queue a refresh of every period
    whose snapshots priced something in it (`periods_priced_in`), each after the commit, as a
    job of `organization_id` started by `actor`; returns those periods. Flushes."""
    bump(GLOBAL)
    periods = periods_priced_in(currency)
    for period_end in periods:
        start_refresh(period_end, organization_id, actor)
    return periods


def rescore_due_rates(today: date) -> list[date]:
    """Re-score, as a change of the rates does (`refresh_priced_in`), the periods whose
    snapshots priced with a rate that has since been replaced by one in force from a day in
    (the day they priced with, `today`]: a rate entered ahead of its day moves nothing until
    then. Based on the data, not on the date alone: a round missed (the scheduler down for a
    week) is caught up by the next one, and a round run twice re-scores once, since the refresh
    prices the snapshots on its own day. A period whose refresh is queued or running is left
    to it (it prices on the day it runs). Approved scenarios do not move: their problem
    documents froze their rates. The jobs belong to the platform operator's organization (the
    rates are its data), started by the system; returns the periods queued, oldest first.
    Flushes."""
    priced = priced_days()
    for job_params in _active_refreshes():
        priced.pop(date.fromisoformat(job_params["period_end"]), None)
    if not priced:
        return []
    # per currency, its newest rate in force by today: a period priced before it is due
    in_force = db.session.execute(
        select(ExchangeRate.currency, func.max(ExchangeRate.effective_date))
        .where(ExchangeRate.effective_date <= today)
        .group_by(ExchangeRate.currency)
        .order_by(ExchangeRate.currency)
    ).all()
    due = [
        currency
        for currency, newest in in_force
        if any(
            priced[period] < newest for period in periods_priced_in(currency) if period in priced
        )
    ]
    if not due:
        return []
    operator = db.session.scalar(
        select(Organization.id).order_by(Organization.kind != "operator", Organization.id).limit(1)
    )
    if operator is None:  # no organization, so no vendor: nothing was scored
        return []
    periods: set[date] = set()
    for currency in due:
        periods.update(refresh_priced_in(currency, operator, SYSTEM))
    return sorted(periods)


def _active_refreshes() -> list[dict]:
    """The parameters of the snapshot refreshes queued or running."""
    return list(
        db.session.scalars(
            select(Job.params).where(Job.kind == SCORES_REFRESH, Job.status.in_(ACTIVE_STATUSES))
        )
    )


@offers_changed.connect
def _refresh_on_offer_change(categories: frozenset[str], user: User) -> None:
    """An offer of `categories` was added, changed or withdrawn: its category's lowest price,
    hence every cost pillar there, may move. Queue a refresh of every period of the vendors
    with an offer there, each after the commit."""
    bump(GLOBAL)
    for period_end in periods_of_categories(categories):
        start_refresh(period_end, user.organization_id, user)


@reviews_changed.connect
def _outdate_rankings_of(organization_id: int) -> None:
    """An organization decided on a version or a section: its rankings only (the snapshots are
    as disclosed, read by no review)."""
    bump(organization_id)
