"""The re-scoring jobs (procure.jobs): refresh a period's score snapshots after disclosures
change, an offer of a category they compare with does, or an exchange rate they priced with
does; and refresh a stored ranking (procure.scoring.rankings). The receivers of those changes
also count them in the rankings' data versions (procure.scoring.versions)."""

from __future__ import annotations

from datetime import date

from procure.accounts.models import User
from procure.disclosures.models import Disclosure
from procure.disclosures.signals import reviews_changed, scores_outdated
from procure.jobs.kinds import job_kind
from procure.jobs.models import Job
from procure.jobs.runner import Progress
from procure.jobs.services import enqueue
from procure.rates.signals import rates_changed
from procure.scoring.rankings import REFRESH_KIND, RankingKey, store_ranking
from procure.scoring.snapshots import periods_of_categories, periods_priced_in, refresh_period
from procure.scoring.versions import GLOBAL, bump
from procure.vendors.signals import offers_changed


# a system job: nobody waits on it, so one that fails for a passing cause (its worker lost, an
# outage) is queued again by itself (procure.jobs.kinds), lest snapshots stay on old versions
@job_kind("scores.refresh", "Re-scoring vendors", retries=True)
def refresh_scores(job: Job, progress: Progress) -> dict:
    """Replace the period's snapshots. Refreshes of one period run one after the other
    (refresh_period waits for the one before), so disclosures submitted together each queue one
    and the last sees them all."""
    period_end = date.fromisoformat(job.params["period_end"])
    progress(10, f"Scoring every vendor for the period ending {period_end:%d %b %Y}")
    return {"period_end": period_end.isoformat(), "vendors_scored": refresh_period(period_end)}


@job_kind(REFRESH_KIND, "Refreshing a ranking", retries=True)
def refresh_ranking(job: Job, progress: Progress) -> dict:
    """Store the ranking of the job's key as the data is now (procure.scoring.rankings)."""
    progress(10, "Ranking every vendor")
    ranking = store_ranking(RankingKey.of_job(job))
    return {"ranking_id": ranking.id, "vendors_ranked": ranking.peers}


def start_refresh(period_end: date, organization_id: int, user) -> Job:
    """Queue a refresh of one period's snapshots (flushes); one per period and transaction."""
    return enqueue(
        "scores.refresh",
        organization_id=organization_id,
        user=user,
        params={"period_end": period_end.isoformat()},
        once_per_transaction=True,
    )


@scores_outdated.connect
def _refresh_on_change(disclosure: Disclosure, user: User) -> None:
    bump(GLOBAL)  # a version submitted, or attested: every buyer's rankings read it
    start_refresh(disclosure.period_end, user.organization_id, user)


@rates_changed.connect
def _refresh_on_rate_change(currency: str, user: User) -> None:
    """A rate of `currency` was added, corrected or removed: queue a refresh of every period
    whose snapshots priced something in it (`periods_priced_in`), each after the commit."""
    bump(GLOBAL)
    for period_end in periods_priced_in(currency):
        start_refresh(period_end, user.organization_id, user)


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
