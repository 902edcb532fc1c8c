"""The re-scoring job: refresh a period's score snapshots after disclosures change (procure.jobs)."""

from __future__ import annotations

from datetime import date

from procure.jobs.models import Job
from procure.jobs.services import Progress
from procure.scoring.snapshots import refresh_period


def refresh_scores(job: Job, progress: Progress) -> dict:
    """Replace the period's snapshots. Refreshes of one period run one after the other
    (refresh_period waits for the one before), so disclosures submitted together each queue one
    and the last sees them all."""
    period_end = date.fromisoformat(job.params["period_end"])
    progress(10, f"Scoring every vendor for the period ending {period_end:%d %b %Y}")
    return {"period_end": period_end.isoformat(), "vendors_scored": refresh_period(period_end)}


def start_refresh(period_end: date, organization_id: int, user) -> Job:
    """Queue a refresh of one period's snapshots (flushes); one per period and transaction."""
    from procure.jobs.services import enqueue

    return enqueue(
        "scores.refresh",
        organization_id=organization_id,
        user=user,
        params={"period_end": period_end.isoformat()},
        once_per_transaction=True,
    )
