import math
from collections.abc import Mapping

from marshmallow import Schema, fields, validate

import optimizer
from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.jobs.schemas import JobSchema
from procure.jobs.services import latest_job
from procure.scenarios.figures import FRONTIER_MEASURES
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
    """The targets object, each value a number or null, or an award rule's list
    (procure.scenarios.award_rules). Checked by the optimizer's own rules
    (procure.scenarios.services), which name each problem `targets.<name>`: so this field only
    reads a number's text as the number, and leaves any other value for those rules."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=FiniteNumber(allow_none=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        return {key: _number_or_as_sent(item) for key, item in value.items()}

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        # award rules (lists of records) and priorities (an object): sent back as sent
        return {
            key: item
            if isinstance(item, list | dict)
            else self.value_field._serialize(item, None, None)
            for key, item in value.items()
        }


NAME = [validate.Length(min=1, error="Give the scenario a name."), validate.Length(max=200)]


class ScenarioSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=NAME)
    need_ids = fields.List(
        RecordId(),
        required=True,
        metadata={"description": "Your needs; with `event_id`, lots of that event"},
    )
    event_id = RecordId(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "A closed sourcing event of your organization: an award scenario, "
            "priced by the event's bids instead of the rate cards; its approval is the "
            "event's award (GET /api/v1/awards). Null: a scenario of the rate cards"
        },
    )
    profile_id = RecordId(
        allow_none=True,
        load_default=None,
        metadata={"description": "A scoring profile version; the default profile when null"},
    )
    objective = fields.String(
        load_default=Objective.MIN_COST,
        validate=validate.OneOf(tuple(Objective)),
        metadata={
            "description": "min_cost: least cost within the targets; max_impact: the highest "
            "average impact within the budget; max_impact_worker_hours: the most hours of work "
            "by impact workers (jobs) within the budget. The frontier is traced by "
            "impact-worker hours when this objective or a min_impact_worker_hours target is "
            "set, else by average impact, unless the buyer chose its measure (POST "
            "/api/v1/scenarios/<id>/frontier)"
        },
    )
    targets = Targets(
        load_default=dict,
        metadata={
            "description": "budget ($), min_avg_impact (0-100, weighted by labour hours), "
            "min_avg_quality (0-1), min_impact_spend_share (0-1), impact_vendor_min_score "
            "(0-100), max_vendor_spend_share (0-1), min_impact_worker_hours (hours done by "
            "impact workers, also shown as full-time jobs); absent: the budget is the sum of "
            "the needs' budgets, the others are not applied (each need's own targets hold for "
            "that need); null: not applied. Award rules (lists; meanings and units as the "
            "optimizer's, vendors and needs by their ids): vendor_groups [{id, label, vendors "
            "[vendor ids] or country (two letters: the plan's vendors based there) or "
            "countries (a region: two letters each, at least two, named by its label: "
            '["KE", "UG", "TZ"], "East Africa"), measure '
            "hours|spend, min_share, max_share (0-1), need}], incumbents [{need, vendors, "
            "min_share (0-1), min_volume (units)}], adjustments [{vendors or group (a group id), "
            "percent, per_unit ($ a unit)}]: adjustments count when choosing the plan, not in "
            "its spend (totals.adjusted_cost against totals.cost). Priorities: {target: 1-1000}, a "
            "larger number holds longer; a target without one never gives way. Keys: a target "
            "above (budget, min_avg_impact, ...), needs.<need id>.min_avg_impact (or "
            ".min_avg_quality, .min_impact_spend_share), vendor_groups.<group id>.min_share or "
            ".max_share, incumbents.<position>. When the targets cannot all hold, the lowest "
            "priorities give way first, each by the least amount: the result's status is "
            "optimal_relaxed and its relaxations list each, the scenario's status is solved"
        },
    )
    status = fields.String(dump_only=True, validate=validate.OneOf(tuple(ScenarioStatus)))
    relaxed = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "True when the plan was solved with targets relaxed by their "
            "priorities (the result's relaxations list them)"
        },
    )
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


class FrontierRequestSchema(Schema):
    measure = fields.String(
        load_default=None,
        validate=validate.OneOf(FRONTIER_MEASURES, error="Choose impact or hours, not {input}."),
        metadata={
            "description": "What the frontier sweeps: impact (average impact, weighted by "
            "labour hours) or hours (impact-worker hours; not for a scenario solved before "
            "hours were counted, a version 1 problem document). Absent: impact-worker hours "
            "where the scenario targets or maximises them, else impact"
        },
    )


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
    coalition_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Solved under the coalition profile its organization adopted: that "
            "coalition (null: its own or the default profile)"
        },
    )
    coalition_profile_version = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The coalition profile's version it was solved under"},
    )


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

_NEED_TOTALS = _object(
    ("need",),
    need={"type": "string"},
    volume=_number(True),
    labour_hours=_number(True),
    cost=_number(True),
    avg_impact=_number(True),
    avg_quality=_number(True),
    impact_worker_hours=_number(True),
)

PROBLEM_DOCUMENT = _object(
    ("needs", "vendors", "offers", "targets", "objective"),
    version={
        "type": "integer",
        "enum": [1, 2],
        "description": "2: work counted in labour hours (every solve since units of work); "
        "absent: version 1, a document solved before",
    },
    needs=_array(
        _object(
            ("id", "volume"),
            id={"type": "string"},
            title={"type": "string"},
            unit={"type": "string"},
            volume=_number(),
            min_quality=_number(True),
            max_vendor_share=_number(True),
            period=_object(
                ("start", "months"),
                start={"type": "string", "description": "YYYY-MM"},
                months={"type": "integer"},
            ),
            min_avg_impact=_number(True),
            min_avg_quality=_number(True),
            min_impact_spend_share=_number(True),
            max_vendors={
                "type": "integer",
                "description": "The need's most vendors (a whole-number rule); absent: no limit",
            },
            min_award={
                "type": "number",
                "description": "The need's minimum award, in its unit: a vendor given any "
                "volume on the need gets at least this in total over its lines; absent: none",
            },
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
            id={
                "type": "string",
                "description": "Version 2: O<offer id>, one line per offer; B<bid id> in an "
                "award scenario, one line per bid",
            },
            vendor={"type": "string"},
            need={"type": "string"},
            unit={"type": "string"},
            price=_number(),
            hours_per_unit=_number(True),
            quality=_number(True),
            capacity=_number(True),
            min_order={
                "type": "number",
                "description": "Units: the line gets nothing or at least this; absent: no "
                "minimum (scenarios built since the minimum award is per vendor carry it on "
                "the need instead)",
            },
            offer_id={"type": "integer"},
            source={
                "type": "string",
                "enum": ["bid"],
                "description": "An award scenario's line: a bid of its event (absent: a rate "
                "card's offer)",
            },
            bid_id={"type": "integer"},
            quality_source={
                "type": "string",
                "enum": ["offer", "lot_minimum"],
                "description": "A bid states no quality: the vendor's rate-card offer in the "
                "lot's category and unit (quality_offer_id), else the lot's minimum quality",
            },
            quality_offer_id={"type": "integer"},
            original_price=_number(True),
            currency={"type": "string"},
            rate={
                "type": "number",
                "nullable": True,
                "description": "USD per unit of the currency, in force on rate_date",
            },
            rate_date={"type": "string", "nullable": True},
        )
    ),
    capacities=_array(
        _object(
            ("vendor", "month", "hours"),
            vendor={"type": "string"},
            month={"type": "string", "description": "YYYY-MM"},
            hours=_number(),
        )
    ),
    targets={
        "type": "object",
        "description": "Numbers (null: not applied), and the award rules vendor_groups, "
        "incumbents and adjustments: lists of records naming vendors and needs by the "
        "document's ids (V12, N3)",
        "additionalProperties": {"oneOf": [_number(True), {"type": "array"}]},
    },
    objective=_one_of(Objective),
    options={"type": "object"},
    settings=_object(
        (),
        hours_per_fte_year={
            "type": "number",
            "description": "Hours of one full-time job a year, frozen with the document",
        },
    ),
    meta={
        "type": "object",
        "description": "Where the figures came from: currency, the exchange rates' date "
        "(rate_date), the scored disclosure of each vendor, vendors left out and why, and for "
        "an award scenario the event whose bids priced it (event: {id, title})",
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
            offer={"type": "string"},
            volume=_number(),
            price=_number(),
            cost=_number(),
            hours_per_unit=_number(),
            hours={"type": "number", "description": "Labour hours: volume x hours_per_unit"},
        )
    ),
    totals={
        "type": "object",
        "nullable": True,
        "description": "Version 2 counts labour hours (no volume: units of different kinds do "
        "not add) and weighs the averages by them; version 1 has volume",
        "properties": {
            "cost": _number(True),
            "volume": _number(True),
            "labour_hours": _number(True),
            "avg_impact": _number(True),
            "avg_quality": _number(True),
            "impact_spend_share": _number(True),
            "impact_worker_hours": _number(True),
            "impact_worker_hours_coverage": _number(True),
            "impact_worker_jobs": _number(True),
            "hours_per_fte_year": _number(True),
            "needs": _array(_NEED_TOTALS),
        },
        "additionalProperties": _number(True),
    },
    constraints=_array(
        _object(
            ("name", "kind", "binding"),
            name={"type": "string"},
            kind={"type": "string"},
            label={"type": "string"},
            binding={"type": "boolean"},
            slack=_number(True),
            shadow_price=_number(True),
            unit={
                "type": "string",
                "nullable": True,
                "description": "The shadow price's unit in words, e.g. \"$ per point of "
                'average impact relaxed" (null without a price); measure, step, steps and '
                "direction say it in parts",
            },
            measure={
                "type": "string",
                "nullable": True,
                "description": "What the shadow price is counted in: the objective's unit "
                '("$", "points of average impact", "impact-worker hours")',
            },
            step={
                "type": "string",
                "nullable": True,
                "description": 'One step of the rule the price is per, singular: "point of '
                'average impact", "labour hour of capacity at vendor V2", "$ of budget"',
            },
            steps={
                "type": "string",
                "nullable": True,
                "description": "The plural of step where it may be counted in multiples "
                '("$ of budget", "labour hours of capacity at vendor V2"); null for a step '
                "on a bounded scale (a point of average impact, a percentage point)",
            },
            direction={
                "type": "string",
                "nullable": True,
                "enum": ["raised", "lowered", None],
                "description": "Which way one step moves the rule's limit for the price: "
                "lowered (a target relaxed), raised (more capacity or budget, a higher cap, "
                "one more unit of a need)",
            },
            need={"type": "string", "nullable": True},
            vendor={"type": "string", "nullable": True},
        )
    ),
    mip_gap={
        "type": "number",
        "nullable": True,
        "description": "Only when the plan used whole-number rules (a need's max_vendors or "
        "min_award): the relative gap between this plan's objective and the best bound the "
        "solver proved (0.000001: within 0.0001 % of the best possible plan); null where the "
        "solver reports none",
    },
    model={
        "type": "object",
        "description": "The model's size: variables, constraints, binaries (the yes-or-no "
        "choices of the whole-number rules) and ineligible offers",
    },
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
    measure={
        "type": "string",
        "enum": ["impact", "hours"],
        "description": "What the frontier sweeps (version 2): average impact, or "
        "impact-worker hours; chosen by the buyer (POST .../frontier), else impact-worker "
        "hours where the scenario targets or maximises them",
    },
    points=_array(
        _object(
            ("avg_impact", "cost"),
            avg_impact=_number(True),
            cost=_number(True),
            target_avg_impact=_number(True),
            cost_per_impact_point=_number(True),
            measure_value=_number(True),
            target=_number(True),
            cost_per_unit={
                "type": "number",
                "nullable": True,
                "description": "$ per point of average impact or per impact-worker hour",
            },
            impact_worker_hours=_number(True),
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
    version={"type": "integer", "description": "The problem document's version (1 or 2)"},
    measure={
        "type": "string",
        "enum": ["impact", "hours"],
        "description": "The measure the buyer set: impact-worker hours (jobs) or impact",
    },
    impact_worker_hours={
        "type": "number",
        "description": "Σ labour hours x the vendor's impact-worker share; version 2: equal to "
        "the result's totals.impact_worker_hours (version 1: hourly work only)",
    },
    fte_jobs={
        "type": "number",
        "description": "impact_worker_hours / hours_per_fte_year",
    },
    hours_per_fte_year={
        "type": "number",
        "description": "Version 2: frozen in the problem document; version 1: the setting",
    },
    labour_hours=_number(True),
    training_hours_per_impact_worker=_number(True),
    living_wage_ratio=_number(True),
    units=_array({"type": "string"}),
    needs=_array(
        {**_NEED_TOTALS, "properties": {**_NEED_TOTALS["properties"], "unit": {"type": "string"}}}
    ),
    by_vendor=_array(
        _object(
            ("vendor", "volume", "cost"),
            vendor={"type": "string"},
            vendor_id={"type": "string"},
            volume={
                "type": "number",
                "nullable": True,
                "description": "Summed over the vendor's needs; version 2: null where they are "
                "in different units (see volumes)",
            },
            unit={"type": "string", "nullable": True},
            volumes={"type": "object", "additionalProperties": _number()},
            cost=_number(),
            share_of_volume=_number(True),
            hours=_number(),
            share_of_hours=_number(True),
            impact_score=_number(True),
            impact_worker_share=_number(True),
            impact_worker_hours=_number(True),
            training_hours_per_impact_worker=_number(True),
            living_wage_ratio=_number(True),
        )
    ),
)
COMPARISON_DOCUMENT = _object(
    ("scenarios", "ids", "rows", "vendor_rows", "summary", "warnings"),
    scenarios=_array({"type": "string"}),
    ids=_array({"type": "integer"}),
    rows=_array(
        _object(
            ("key", "label", "format", "values", "best"),
            key={"type": "string"},
            label={"type": "string"},
            format={"type": "string"},
            values={
                "type": "array",
                "items": {},
                "description": "One per scenario, null where unknown",
            },
            best={
                "type": "array",
                "items": {"type": "integer"},
                "description": "The positions of the best value (ties: several); empty where "
                "the row has no better direction or the values are equal",
            },
        )
    ),
    vendor_measure={
        "type": "string",
        "description": "What vendor_rows count: labour hours, or volume for scenarios solved "
        "before labour hours were counted",
    },
    vendor_rows=_array(
        _object(
            ("vendor", "values", "spread"),
            vendor={"type": "string"},
            values=_array(_number()),
            spread=_number(),
        )
    ),
    summary=_array({"type": "string"}),
    warnings={
        "type": "array",
        "items": {"type": "array", "items": {"type": "string"}},
        "description": "Per scenario: vendors below a living wage, fewer jobs for impact "
        "workers than the cheapest plan, one vendor above half the spend",
    },
)
