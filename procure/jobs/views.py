"""Pages: cancel or retry a job from the page that shows it (the progress is polled from the
API)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from procure.access import SIGNED_IN, access
from procure.jobs import services
from procure.jobs.routes import controlled_job
from procure.transactions import attempt, discard, writes

bp = Blueprint("job_pages", __name__)
bp.add_app_template_global(
    services.may_control
)  # the job panel shows cancel and retry by the same rule
bp.add_app_template_global(services.is_system)  # and no Cancel on a system job


def _back(job) -> str:
    if job.subject_type == "Scenario":
        return url_for("scenario_pages.show", scenario_id=job.subject_id)
    if job.subject_type == "Coalition":
        return url_for("coalition_pages.show", coalition_id=job.subject_id)
    return url_for("accounts_pages.home")


def _control(job_id: int, action, done: str):
    job = controlled_job(job_id)
    try:
        attempt(lambda: action(job, current_user), done)
    except services.JobQueueUnavailable as down:  # the API answers 503; the page says why
        discard()
        flash(down.description or "The job queue cannot be reached right now.", "error")
    return redirect(_back(job))


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@access(SIGNED_IN)
@writes
def cancel(job_id):
    return _control(
        job_id, services.cancel, "Cancelled. A running step stops at its next checkpoint."
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@access(SIGNED_IN)
@writes
def retry(job_id):
    return _control(job_id, services.retry, "Started again.")
