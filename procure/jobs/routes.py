"""Jobs API: status and progress (poll it), cancel, retry, and the file a job made."""

from flask import Response, abort
from flask.views import MethodView
from flask_login import current_user

from procure.access import SIGNED_IN, access, get_scoped_or_404, scoped_select
from procure.api_paging import Blueprint, page_of_select
from procure.docs import FILE
from procure.jobs import services
from procure.jobs.kinds import download_refusal
from procure.jobs.models import ACTIVE_STATUSES, Job
from procure.jobs.schemas import JobListQuerySchema, JobSchema
from procure.states import JobStatus
from procure.transactions import writes

blp = Blueprint("jobs_api", __name__, url_prefix="/api/v1", description="Background jobs")

NOT_YOURS = "Started by someone else, and you are not its organization's admin"


def visible_job(job_id: int) -> Job:
    """A job of the user's organization."""
    return get_scoped_or_404(Job, job_id)


def controlled_job(job_id: int) -> Job:
    """A job the user may cancel or retry, with stale runs marked failed first (flushes: only
    requests that write call this)."""
    services.reap_stale()
    job = visible_job(job_id)
    if not services.may_control(job, current_user):
        abort(403, "Only the user who started this job, or an admin, may cancel or retry it.")
    return job


@blp.route("/jobs")
class Jobs(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(JobListQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Your organization's jobs, newest first, a page at a time"""
        statement = scoped_select(Job).order_by(Job.id.desc())
        if query["active"]:
            statement = statement.where(Job.status.in_(ACTIVE_STATUSES))
        return page_of_select(statement, pagination_parameters)


@blp.route("/jobs/<int:job_id>")
class JobById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """One job: status, progress and message (poll this while it is queued or running)"""
        return visible_job(job_id)


@blp.route("/jobs/<int:job_id>/cancel")
class JobCancel(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, JobSchema)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(409, description="Already finished")
    @writes
    def post(self, job_id):
        """Cancel a queued job, or ask a running one to stop at its next step"""
        return services.cancel(controlled_job(job_id), current_user)


@blp.route("/jobs/<int:job_id>/retry")
class JobRetry(MethodView):
    @access(SIGNED_IN)
    @blp.response(202, JobSchema)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(409, description="Not failed or cancelled, or replaced by a newer job")
    @blp.alt_response(
        503, description="The job queue cannot be reached: the job is unchanged (see Retry-After)"
    )
    @writes
    def post(self, job_id):
        """Run a failed or cancelled job again"""
        return services.retry(controlled_job(job_id), current_user)


@blp.route("/jobs/<int:job_id>/file")
class JobFile(MethodView):
    @access(SIGNED_IN)
    @blp.response(
        200,
        FILE,
        content_type="application/pdf",
        description="The file the job made (the board PDF)",
    )
    def get(self, job_id):
        """Download the file a finished job made"""
        job = visible_job(job_id)
        if job.status != JobStatus.SUCCEEDED or not job.has_output:
            abort(404, "This job has no file (yet).")
        if refusal := download_refusal(job, current_user):
            abort(403, refusal)
        return Response(
            job.output,
            mimetype=job.output_type,
            headers={"Content-Disposition": f'attachment; filename="{job.output_name}"'},
        )
