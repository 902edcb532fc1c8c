from marshmallow import Schema, fields, validate

from procure.api_fields import RecordId
from procure.jobs.schemas import JobSchema
from procure.jobs.services import latest_job


def _solve_job(scenario):
    job = latest_job(scenario, "scenario.solve")
    return JobSchema().dump(job) if job is not None else None


class ScenarioSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    need_ids = fields.List(RecordId(), required=True)
    profile_id = RecordId(allow_none=True, load_default=None,
                                metadata={"description": "A scoring profile version; the default profile when null"})
    objective = fields.String(load_default="min_cost", validate=validate.OneOf(("min_cost", "max_impact")))
    targets = fields.Dict(load_default=dict, metadata={
        "description": "budget, min_avg_impact, min_avg_quality, min_impact_spend_share, impact_vendor_min_score, "
                       "max_vendor_spend_share; absent: taken from the needs; null: not applied"})
    status = fields.String(dump_only=True)
    copied_from_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    totals = fields.Dict(dump_only=True, attribute="result.totals", allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    job = fields.Function(_solve_job, dump_only=True, allow_none=True,
                          metadata={"description": "The newest solve job: poll /api/v1/jobs/<id> while it runs"})


class ScenarioUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    need_ids = fields.List(RecordId())
    profile_id = RecordId(allow_none=True)
    objective = fields.String(validate=validate.OneOf(("min_cost", "max_impact")))
    targets = fields.Dict()
    version = fields.Integer(required=True)


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "rejected")))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class CompareQuerySchema(Schema):
    ids = fields.List(RecordId(), required=True, validate=validate.Length(min=2, max=5),
                      metadata={"description": "Two to five scenario ids: ?ids=1&ids=2"})


class ScenarioDetailSchema(ScenarioSchema):
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decision_comment = fields.String(dump_only=True, allow_none=True)
    profile_settings = fields.Dict(dump_only=True, allow_none=True)
