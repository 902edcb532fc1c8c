"""Pages: cancel or retry a job from the page that shows it (the progress is polled from the API)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from procure.access import SIGNED_IN, access
from procure.forms import commit_or_flash
from procure.jobs import services
from procure.jobs.routes import visible_job

bp = Blueprint("job_pages", __name__)


def _back(job) -> str:
    if job.subject_type == "Scenario":
        return url_for("scenario_pages.show", scenario_id=job.subject_id)
    return url_for("accounts_pages.home")


def _control(job_id: int, action, done: str):
    job = visible_job(job_id)
    if not services.may_control(job, current_user):
        abort(403, "Only the user who started this job, or an admin, may cancel or retry it.")
    if commit_or_flash(lambda: action(job, current_user), done):
        services.start_committed()
    return redirect(_back(job))


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@access(SIGNED_IN)
def cancel(job_id):
    return _control(job_id, services.cancel, "Cancelled. A running step stops at its next checkpoint.")


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@access(SIGNED_IN)
def retry(job_id):
    return _control(job_id, services.retry, "Started again.")
