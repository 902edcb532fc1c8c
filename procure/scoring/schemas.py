from marshmallow import Schema, fields, validate

from procure.api_fields import RecordId


class ProfileSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    number = fields.Integer(dump_only=True, metadata={"description": "Version number"})
    settings = fields.Dict(
        required=True,
        metadata={
            "description": "pillar_weights, metric_weights, goalposts, "
            "evidence_factors, knockout_below_minimum_wage, "
            "quality_goalposts (see config/scoring_profile.toml)"
        },
    )
    locked = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ProfileRevisionSchema(Schema):
    settings = fields.Dict(required=True)


class ScoreQuerySchema(Schema):
    profile = RecordId(
        metadata={"description": "A scoring profile version id; the default profile when absent"}
    )
    category = fields.String(
        metadata={"description": "Score only vendors offering this service category"}
    )
    top_k = fields.Integer(load_default=5, validate=validate.Range(min=1, max=100))


class ScoreRowSchema(Schema):
    vendor_id = fields.Integer()
    vendor_name = fields.String()
    category = fields.String()
    rank = fields.Integer()
    total = fields.Float(metadata={"description": "0-100"})
    impact = fields.Float(metadata={"description": "pillar, 0-1"})
    cost = fields.Float(metadata={"description": "pillar, 0-1"})
    quality = fields.Float(metadata={"description": "pillar, 0-1"})
    points = fields.Dict(metadata={"description": "Points of the total from each pillar"})
    impact_score = fields.Float(
        metadata={"description": "100 x impact pillar: the optimizer's impact score"}
    )
    knocked_out = fields.Boolean()
    knockout_reason = fields.String(allow_none=True)
    # the rank's stability is worked out for the ranked comparison only: null on a scorecard
    p_top_k = fields.Float(
        allow_none=True,
        metadata={"description": "Share of 1,000 weight draws that keep the vendor in the top k"},
    )
    rank_p05 = fields.Integer(allow_none=True)
    rank_p95 = fields.Integer(allow_none=True)
    topsis_rank = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Rank by TOPSIS closeness on the same criteria and weights "
            "(knocked-out vendors have none)"
        },
    )
    topsis_closeness = fields.Float(allow_none=True)
    disclosure_id = fields.Integer()
    period_end = fields.Date()


class ExplanationRowSchema(Schema):
    pillar = fields.String()
    metric = fields.String()
    label = fields.String()
    raw_value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    normalised = fields.Float(allow_none=True)
    section = fields.String(allow_none=True)
    evidence_level = fields.String(allow_none=True)
    evidence_factor = fields.Float(allow_none=True)
    weight = fields.Float(allow_none=True)
    points = fields.Float()
    not_disclosed = fields.Boolean()
    peer_percentile = fields.Float(allow_none=True)


class TrendPointSchema(Schema):
    period_end = fields.Date()
    total = fields.Float()
    rank = fields.Integer()
    peers = fields.Integer()
    impact_score = fields.Float()
    knocked_out = fields.Boolean()


class ScorecardSchema(Schema):
    score = fields.Nested(ScoreRowSchema)
    trend = fields.List(
        fields.Nested(TrendPointSchema),
        metadata={
            "description": "Total and rank per reporting period under the default profile, "
            "among the vendors of that "
            "period, on the figures as disclosed (no review applied); periods whose scored version "
            "your organization rejected are left out"
        },
    )
    explanation = fields.List(fields.Nested(ExplanationRowSchema))
    peers = fields.Integer(metadata={"description": "Vendors scored in the comparison"})


class WhatIfSchema(Schema):
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={"description": "Columns of the scoring table and their new values"},
    )
    category = fields.String()
    profile = RecordId(
        metadata={
            "description": "A scoring profile of your organization (buyers); "
            "the default profile when absent"
        }
    )


class WhatIfResultSchema(Schema):
    total_before = fields.Float()
    total_after = fields.Float()
    rank_before = fields.Integer()
    rank_after = fields.Integer()
    impact_score_before = fields.Float()
    impact_score_after = fields.Float()
    sentence = fields.String()


class MetricSchema(Schema):
    """A metric of the catalog; `custom` ones belong to your organization (and have an `id`)."""

    id = fields.Integer(dump_only=True, allow_none=True)
    custom = fields.Boolean(dump_only=True)
    key = fields.String(required=True, metadata={"description": "Lower-case letters, digits and _"})
    label = fields.String(required=True)
    formula = fields.String(
        required=True,
        metadata={
            "description": "Arithmetic and min, max, abs, mean over disclosure fields, e.g. "
            "promotions_impact_workers / impact_workers_end"
        },
    )
    unit = fields.String(required=True)
    direction = fields.String(
        required=True, metadata={"description": "higher or lower (is better)"}
    )
    goalposts = fields.List(fields.Raw(), required=True, metadata={"description": "[L, U], L != U"})
    section = fields.String(
        required=True,
        metadata={
            "description": "workforce, wages or training: the evidence section that discounts it"
        },
    )
    source = fields.String(
        required=True, metadata={"description": "Standard or reference (IRIS+ or GRI code)"}
    )
