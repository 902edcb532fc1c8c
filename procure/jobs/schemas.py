from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from procure.jobs.kinds import KINDS, download_refusal
from procure.states import JobStatus


class JobSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(
        dump_only=True,
        metadata={
            "description": "scenario.solve, scenario.frontier, report.board_pdf or scores.refresh"
        },
    )
    title = fields.Function(lambda job: KINDS[job.kind].title, dump_only=True)
    status = fields.String(dump_only=True, validate=validate.OneOf(tuple(JobStatus)))
    progress = fields.Integer(dump_only=True, metadata={"description": "Percent done, 0–100"})
    message = fields.String(dump_only=True, metadata={"description": "What the job is doing now"})
    error = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why it failed or stopped"}
    )
    result = fields.Dict(dump_only=True, allow_none=True)
    subject_type = fields.String(dump_only=True, allow_none=True)
    subject_id = fields.Integer(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    retry_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "When a failed system job (re-scoring) runs again by itself; of a "
            "queued one, the time it waits for (a refresh asked for soon after the last)"
        },
    )
    time_limit_seconds = fields.Float(dump_only=True)
    cancel_requested = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    file_url = fields.Function(
        lambda job: (
            url_for("jobs_api.JobFile", job_id=job.id)
            if job.status == JobStatus.SUCCEEDED
            and job.has_output
            and download_refusal(job, current_user) is None
            else None
        ),
        dump_only=True,
        allow_none=True,
        metadata={"description": "The file the job made, when done"},
    )


class JobListQuerySchema(Schema):
    active = fields.Boolean(
        load_default=False, metadata={"description": "Only queued and running jobs"}
    )
