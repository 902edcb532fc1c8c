import math
from collections.abc import Mapping

from marshmallow import Schema, fields, validate

import optimizer
from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.jobs.schemas import JobSchema
from procure.jobs.services import latest_job
from procure.states import Decision, FrontierStatus, Objective, ScenarioStatus


def _solve_job(scenario):
    job = latest_job(scenario, "scenario.solve")
    return JobSchema().dump(job) if job is not None else None


def _number_or_as_sent(value):
    """A target sent as a number's text (as a page form sends it) read as that number; anything
    else as sent."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    return value


class Targets(fields.Dict):
    """The targets object, each value a number or null. Checked by the optimizer's own rules
    (procure.scenarios.services), which name each problem `targets.<name>`: so this field only
    reads a number's text as the number, and leaves any other value for those rules."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=FiniteNumber(allow_none=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        return {key: _number_or_as_sent(item) for key, item in value.items()}


NAME = [validate.Length(min=1, error="Give the scenario a name."), validate.Length(max=200)]


class ScenarioSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=NAME)
    need_ids = fields.List(RecordId(), required=True)
    profile_id = RecordId(
        allow_none=True,
        load_default=None,
        metadata={"description": "A scoring profile version; the default profile when null"},
    )
    objective = fields.String(
        load_default=Objective.MIN_COST, validate=validate.OneOf(tuple(Objective))
    )
    targets = Targets(
        load_default=dict,
        metadata={
            "description": "budget, min_avg_impact, min_avg_quality, min_impact_spend_share, "
            "impact_vendor_min_score, max_vendor_spend_share; absent: taken from the needs; "
            "null: not applied"
        },
    )
    status = fields.String(dump_only=True, validate=validate.OneOf(tuple(ScenarioStatus)))
    copied_from_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    totals = fields.Dict(dump_only=True, attribute="result.totals", allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    job = fields.Function(
        _solve_job,
        dump_only=True,
        allow_none=True,
        metadata={"description": "The newest solve job: poll /api/v1/jobs/<id> while it runs"},
    )


class ScenarioUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    need_ids = fields.List(RecordId())
    profile_id = RecordId(allow_none=True)
    objective = fields.String(validate=validate.OneOf(tuple(Objective)))
    targets = Targets()
    version = RecordVersion(required=True)


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(tuple(Decision)))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class CompareQuerySchema(Schema):
    ids = fields.List(
        RecordId(),
        required=True,
        validate=validate.Length(min=2, max=5),
        metadata={"description": "Two to five scenario ids: ?ids=1&ids=2"},
    )


class ScenarioDetailSchema(ScenarioSchema):
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decision_comment = fields.String(dump_only=True, allow_none=True)
    profile_settings = fields.Dict(dump_only=True, allow_none=True)


# The documents below are built by optimizer/ and procure.scenarios.review and sent as they are:
# these JSON Schemas document them (a marshmallow schema would drop the keys it does not name).
def _number(nullable=False):
    return {"type": "number", "nullable": True} if nullable else {"type": "number"}


def _object(required=(), **properties):
    return {"type": "object", "required": list(required), "properties": properties}


def _array(items):
    return {"type": "array", "items": items}


def _one_of(values, description=None):
    listed = {"type": "string", "enum": [str(value) for value in values]}
    return {**listed, "description": description} if description else listed


# a result is never stopped (only a frontier, by its caller)
RESULT_STATUSES = tuple(status for status in optimizer.Status if status != optimizer.Status.STOPPED)


_MESSAGES = _array(
    _object(("field", "message"), field={"type": "string"}, message={"type": "string"})
)

PROBLEM_DOCUMENT = _object(
    ("needs", "vendors", "offers", "targets", "objective"),
    needs=_array(
        _object(
            ("id", "volume"),
            id={"type": "string"},
            title={"type": "string"},
            unit={"type": "string"},
            volume=_number(),
            min_quality=_number(True),
            max_vendor_share=_number(True),
        )
    ),
    vendors=_array(
        _object(
            ("id",),
            id={"type": "string"},
            name={"type": "string"},
            capacity=_number(True),
            quality=_number(True),
            impact_score=_number(True),
            impact_worker_share=_number(True),
        )
    ),
    offers=_array(
        _object(
            ("vendor", "need", "price"),
            vendor={"type": "string"},
            need={"type": "string"},
            price=_number(),
            capacity=_number(True),
            offer_id={"type": "integer"},
        )
    ),
    targets={"type": "object", "additionalProperties": _number(True)},
    objective=_one_of(Objective),
    options={"type": "object"},
    meta={
        "type": "object",
        "description": "Where the figures came from: currency, the scored disclosure of "
        "each vendor, vendors left out and why",
    },
)
RESULT_DOCUMENT = _object(
    ("status", "allocations", "constraints", "errors"),
    status=_one_of(RESULT_STATUSES),
    objective={"type": "object", "nullable": True},
    allocations=_array(
        _object(
            ("need", "vendor", "volume", "cost"),
            need={"type": "string"},
            vendor={"type": "string"},
            volume=_number(),
            price=_number(),
            cost=_number(),
        )
    ),
    totals={"type": "object", "nullable": True, "additionalProperties": _number(True)},
    constraints=_array(
        _object(
            ("name", "kind", "binding"),
            name={"type": "string"},
            kind={"type": "string"},
            label={"type": "string"},
            binding={"type": "boolean"},
            slack=_number(True),
            shadow_price=_number(True),
        )
    ),
    errors=_MESSAGES,
    explanation={
        "type": "object",
        "description": "For an infeasible problem: per target the best reachable "
        "value, the conflicting constraints and what would fix it",
    },
)
FRONTIER_DOCUMENT = _object(
    ("status", "points"),
    status=_one_of(
        (*optimizer.Status, *FrontierStatus),
        "skipped: the solve was not optimal, so no frontier was traced",
    ),
    points=_array(
        _object(
            ("avg_impact", "cost"),
            avg_impact=_number(True),
            cost=_number(True),
            target_avg_impact=_number(True),
            cost_per_impact_point=_number(True),
            status=_one_of(optimizer.Status),
        )
    ),
    errors=_MESSAGES,
)
CHECK_DOCUMENT = _object(
    ("identical", "stored_allocations", "resolved_allocations", "stored_cost", "resolved_cost"),
    identical={"type": "boolean"},
    stored_allocations={"type": "integer"},
    resolved_allocations={"type": "integer"},
    stored_cost=_number(True),
    resolved_cost=_number(True),
)
IMPACT_DOCUMENT = _object(
    ("impact_worker_hours", "fte_jobs", "by_vendor"),
    impact_worker_hours=_number(),
    fte_jobs=_number(),
    hours_per_fte_year=_number(),
    training_hours_per_impact_worker=_number(True),
    living_wage_ratio=_number(True),
    by_vendor=_array(
        _object(
            ("vendor", "volume", "cost"),
            vendor={"type": "string"},
            vendor_id={"type": "string"},
            volume=_number(),
            cost=_number(),
            share_of_volume=_number(),
            hours=_number(),
            impact_score=_number(True),
            impact_worker_share=_number(True),
            impact_worker_hours=_number(True),
            training_hours_per_impact_worker=_number(True),
            living_wage_ratio=_number(True),
        )
    ),
)
COMPARISON_DOCUMENT = _object(
    ("scenarios", "ids", "rows", "vendor_rows", "summary"),
    scenarios=_array({"type": "string"}),
    ids=_array({"type": "integer"}),
    rows=_array(
        _object(
            ("key", "label", "format", "values"),
            key={"type": "string"},
            label={"type": "string"},
            format={"type": "string"},
            values={
                "type": "array",
                "items": {},
                "description": "One per scenario, null where unknown",
            },
        )
    ),
    vendor_rows=_array(
        _object(
            ("vendor", "values", "spread"),
            vendor={"type": "string"},
            values=_array(_number()),
            spread=_number(),
        )
    ),
    summary=_array({"type": "string"}),
)
