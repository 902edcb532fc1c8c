from datetime import date

from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.corrective.models import (
    MAX_ACTION_LENGTH,
    MAX_ACTIONS,
    MAX_NOTE_LENGTH,
    METRIC_KEY_LENGTH,
)
from procure.states import PlanOutcome, PlanState

LAST_DAY = date(2999, 12, 31)
DAY_RANGE = validate.Range(
    min=date(2000, 1, 1), max=LAST_DAY, error="Choose a day of the years 2000 to 2999."
)


class PlanFieldsSchema(Schema):
    """What a buyer sets when it opens a plan (the page's form; the API adds the vendor)."""

    metric = fields.String(
        required=True,
        validate=validate.Length(min=1, max=METRIC_KEY_LENGTH),
        metadata={"description": "The key of a metric of your organization's catalog"},
    )
    target = FiniteNumber(
        required=True, metadata={"description": "The value to reach, in the metric's unit"}
    )
    due_on = fields.Date(
        required=True,
        validate=DAY_RANGE,
        # a blank date field is sent as "", which marshmallow calls "Not a valid date."
        error_messages={
            "required": "Choose a due date.",
            "invalid": "Choose a due date: a day such as 2027-03-31.",
        },
        metadata={"description": "Today or a later day"},
    )
    note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_NOTE_LENGTH)
    )


class PlanOpenSchema(PlanFieldsSchema):
    vendor_id = RecordId(required=True, metadata={"description": "The vendor the plan is on"})


class ActionSchema(Schema):
    text = fields.String(
        required=True,
        validate=validate.Length(max=MAX_ACTION_LENGTH),
        metadata={"description": "What the vendor does"},
    )
    on = fields.Date(
        required=True,
        validate=DAY_RANGE,
        metadata={"description": "The day it is done, or will be"},
    )


class PlanAnswerSchema(Schema):
    actions = fields.List(
        fields.Nested(ActionSchema),
        required=True,
        validate=validate.Length(max=MAX_ACTIONS),
        metadata={"description": f"One to {MAX_ACTIONS} actions"},
    )


class PlanCloseSchema(Schema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(PlanOutcome)))
    comment = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_NOTE_LENGTH)
    )


class ActionOutSchema(Schema):
    text = fields.String(dump_only=True)
    on = fields.String(dump_only=True, metadata={"description": "YYYY-MM-DD"})


class AnswerSchema(Schema):
    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    by = fields.String(dump_only=True, attribute="created_by.name")
    actions = fields.List(fields.Nested(ActionOutSchema), dump_only=True)


class PlanProgressSchema(Schema):
    value = fields.Float(
        dump_only=True,
        allow_none=True,
        attribute="latest",
        metadata={"description": "The latest scored value (null: not disclosed or not scored)"},
    )
    disclosure_id = fields.Integer(dump_only=True, allow_none=True)
    period_end = fields.Date(dump_only=True, allow_none=True)
    newer = fields.Boolean(
        dump_only=True,
        metadata={"description": "Read from a disclosure version other than the baseline's"},
    )
    met = fields.Boolean(dump_only=True, allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    buyer = fields.String(dump_only=True, attribute="organization.name")
    vendor_id = fields.Integer(dump_only=True)
    vendor = fields.String(dump_only=True, attribute="vendor.name")
    metric = fields.String(dump_only=True)
    metric_label = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    direction = fields.String(dump_only=True, validate=validate.OneOf(("higher", "lower")))
    baseline = fields.Float(dump_only=True, allow_none=True)
    baseline_disclosure_id = fields.Integer(dump_only=True, allow_none=True)
    baseline_period_end = fields.Date(dump_only=True, allow_none=True)
    target = fields.Float(dump_only=True)
    due_on = fields.Date(dump_only=True)
    note = fields.String(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, validate=validate.OneOf(tuple(PlanState)))
    latest = fields.Nested(PlanProgressSchema, dump_only=True, attribute="progress")
    opened_at = fields.DateTime(dump_only=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    outcome = fields.String(
        dump_only=True, allow_none=True, validate=validate.OneOf(tuple(PlanOutcome))
    )
    close_comment = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class PlanDetailSchema(PlanSchema):
    answers = fields.List(fields.Nested(AnswerSchema), dump_only=True)
