"""The re-scoring job: refresh a period's score snapshots after disclosures change (procure.jobs)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from procure.extensions import db
from procure.jobs.models import Job
from procure.jobs.services import Progress
from procure.scoring.snapshots import refresh_period

ATTEMPTS = 3


def refresh_scores(job: Job, progress: Progress) -> dict:
    """Replace the period's snapshots. Two refreshes of one period at once (two disclosures
    submitted together) may collide on the one-snapshot-per-vendor-and-period constraint: the
    loser starts over on the winner's rows, so the end state is one snapshot per vendor."""
    period_end = date.fromisoformat(job.params["period_end"])
    for attempt in range(1, ATTEMPTS + 1):
        progress(10, f"Scoring every vendor for the period ending {period_end:%d %b %Y}")
        try:
            scored = refresh_period(period_end)
        except IntegrityError:
            db.session.rollback()  # only this handler's writes: the job's claim is committed
            if attempt == ATTEMPTS:
                raise
            continue
        return {"period_end": period_end.isoformat(), "vendors_scored": scored}
    raise AssertionError("unreachable")


def start_refresh(period_end: date, organization_id: int, user) -> Job:
    """Queue a refresh of one period's snapshots (flushes); one per period and transaction."""
    from procure.jobs.services import enqueue

    return enqueue("scores.refresh", organization_id=organization_id, user=user,
                   params={"period_end": period_end.isoformat()}, once_per_transaction=True)
