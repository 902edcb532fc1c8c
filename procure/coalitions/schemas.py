from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber, RecordId, RecordVersion
from procure.coalitions.services import (
    MAX_CANDIDATES,
    MAX_CHARTER_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_POST_LENGTH,
    MAX_THEORY_LENGTH,
)
from procure.events.schemas import DAY_RANGE
from procure.scoring.schemas import MetricSchema, NumbersByKey
from procure.scoring_defaults import DEFAULT_IMPACT_VENDOR_MIN_SCORE
from procure.states import CoalitionMemberState, CoalitionPostKind, TargetMeasure


class CharterSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NAME_LENGTH))
    charter = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_CHARTER_LENGTH),
        metadata={"description": "The common agenda the members sign up to"},
    )
    theory_of_change = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_THEORY_LENGTH),
        metadata={"description": "A few lines: how the members' buying leads to the impact"},
    )
    period_start = fields.Date(required=True, validate=DAY_RANGE)
    period_end = fields.Date(
        required=True, validate=DAY_RANGE, metadata={"description": "At most ten years on"}
    )
    impact_vendor_min_score = FiniteNumber(
        load_default=DEFAULT_IMPACT_VENDOR_MIN_SCORE,
        validate=validate.Range(min=0, max=100),
        metadata={
            "description": "A vendor counts as an impact vendor (in the spend share) from this "
            "impact score (0–100) on"
        },
    )


class CoalitionUpdateSchema(CharterSchema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class InviteSchema(Schema):
    organization_id = RecordId(
        required=True,
        error_messages={"invalid": "Choose a buyer organization from the search."},
        metadata={"description": "The id of a buyer organization"},
    )


class CandidateQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NAME_LENGTH),
        metadata={"description": "Part of the organization's name; empty: the first by name"},
    )


class _CandidateSchema(Schema):
    id = fields.Integer(dump_only=True, metadata={"description": "Invite it by this id"})
    name = fields.String(dump_only=True)


class CandidatesSchema(Schema):
    items = fields.List(
        fields.Nested(_CandidateSchema),
        dump_only=True,
        metadata={
            "description": f"At most {MAX_CANDIDATES} buyer organizations not invited or a member "
            "already: those whose name starts with the query first, then by name"
        },
    )
    total = fields.Integer(dump_only=True, metadata={"description": "How many match in all"})


class SharingSchema(Schema):
    shares_contribution = fields.Boolean(
        required=True,
        metadata={
            "description": "Show your organization's own contribution by name to the backbone "
            "and the other members (otherwise it is summed into 'other members')"
        },
    )


class TargetSchema(Schema):
    measure = fields.String(
        required=True,
        validate=validate.OneOf(tuple(TargetMeasure)),
        metadata={"description": "The common measure of the target"},
    )
    beneficiary_group = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "For beneficiary_group_hours (and only then): the group, as vendors "
            "disclose it (long_term_unemployed, below_poverty_line, refugee_or_displaced, "
            "disability, youth_neet, women_low_participation, other)"
        },
    )
    value = FiniteNumber(
        required=True,
        metadata={"description": "Above 0: jobs, hours, or a share from 0 to 1 (0.4 is 40 %)"},
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LABEL_LENGTH))
    period_start = fields.Date(required=True, validate=DAY_RANGE)
    period_end = fields.Date(
        required=True,
        validate=DAY_RANGE,
        metadata={"description": "Within the coalition's period"},
    )


class TargetUpdateSchema(TargetSchema):
    version = RecordVersion(required=True, metadata={"description": "The version you loaded"})


class AnnouncementSchema(Schema):
    text = fields.String(
        required=True,
        validate=validate.Length(
            min=1,
            max=MAX_POST_LENGTH,
            error=f"Write the announcement in 1 to {MAX_POST_LENGTH:,} characters.",
        ),
    )


class TargetOutSchema(Schema):
    id = fields.Integer(dump_only=True)
    measure = fields.String(dump_only=True, validate=validate.OneOf(tuple(TargetMeasure)))
    beneficiary_group = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "The group of a group's hours"}
    )
    value = fields.Float(dump_only=True)
    label = fields.String(dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    version = fields.Integer(dump_only=True)


class MemberSchema(Schema):
    organization_id = fields.Integer(dump_only=True)
    organization = fields.String(dump_only=True, attribute="organization.name")
    state = fields.String(dump_only=True, validate=validate.OneOf(tuple(CoalitionMemberState)))
    shares_contribution = fields.Boolean(dump_only=True)
    uses_profile = fields.Boolean(
        dump_only=True, metadata={"description": "Ranks and plans under the coalition profile"}
    )
    invited_at = fields.DateTime(dump_only=True)
    joined_at = fields.DateTime(dump_only=True, allow_none=True)


class CoalitionSchema(Schema):
    id = fields.Integer(dump_only=True)
    backbone = fields.String(dump_only=True, attribute="organization.name")
    name = fields.String(dump_only=True)
    charter = fields.String(dump_only=True)
    theory_of_change = fields.String(dump_only=True, allow_none=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    impact_vendor_min_score = fields.Float(dump_only=True)
    version = fields.Integer(dump_only=True)


class CoalitionDetailSchema(CoalitionSchema):
    targets = fields.List(fields.Nested(TargetOutSchema), dump_only=True)
    members = fields.List(
        fields.Nested(MemberSchema),
        dump_only=True,
        metadata={
            "description": "For the backbone every organization it invited, with its state; "
            "for a member the active members; for an invited organization none"
        },
    )
    membership = fields.Nested(
        MemberSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "Your organization's own invitation or membership"},
    )


def _suppressed():
    return fields.Boolean(
        dump_only=True,
        metadata={
            "description": "A figure here is withheld (null): fewer contributing members than "
            "the coalition minimum, or it would let one be worked out"
        },
    )


def _suppressed_figures():
    return fields.List(
        fields.String(), dump_only=True, metadata={"description": "Which figures are withheld"}
    )


def _suppressed_reason():
    return fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": 'Why, in words ("fewer than 3 members; not shown")'},
    )


class MonthProgressSchema(Schema):
    month = fields.Date(dump_only=True, metadata={"description": "The month's first day"})
    projected = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "Cumulative, by the month's end"}
    )
    actual = fields.Float(dump_only=True, allow_none=True)
    suppressed = _suppressed()
    suppressed_figures = _suppressed_figures()


class ContributionSchema(Schema):
    member = fields.String(
        dump_only=True,
        metadata={"description": "A member that shares its contribution, or 'Other members'"},
    )
    members = fields.Integer(dump_only=True, metadata={"description": "How many it sums"})
    projected = fields.Float(dump_only=True, allow_none=True)
    actual = fields.Float(dump_only=True, allow_none=True)
    suppressed = _suppressed()
    suppressed_figures = _suppressed_figures()


class TargetProgressSchema(TargetOutSchema):
    projected = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={"description": "From the active members' approved plans, in the measure"},
    )
    projected_share = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "Projected / the target"}
    )
    actual = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={"description": "From recorded deliveries; null when none is recorded"},
    )
    actual_share = fields.Float(dump_only=True, allow_none=True)
    suppressed = _suppressed()
    suppressed_figures = _suppressed_figures()
    suppressed_reason = _suppressed_reason()
    months = fields.List(fields.Nested(MonthProgressSchema), dump_only=True)
    contributions = fields.List(fields.Nested(ContributionSchema), dump_only=True)
    folded_reason = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Why members that share their contribution are summed as 'Other "
            "members' instead of named (a sum of fewer than the minimum of members would be "
            "a member's own figure); null when none is"
        },
    )


class ProgressSchema(Schema):
    members = fields.Integer(dump_only=True, metadata={"description": "Active members"})
    actual_status = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Why there is no actual progress, when there is none"},
    )
    min_cell_members = fields.Integer(
        dump_only=True,
        metadata={"description": "The fewest contributing members a figure shown may have"},
    )
    targets = fields.List(fields.Nested(TargetProgressSchema), dump_only=True)


class VendorMonthSchema(Schema):
    month = fields.Date(dump_only=True)
    booked_hours = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "Null when suppressed"}
    )
    capacity = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "Null: no limit stated"}
    )
    # Not `load`, which would shadow Schema.load; the JSON key stays "load".
    load_ratio = fields.Float(
        data_key="load",
        dump_only=True,
        allow_none=True,
        metadata={"description": "Booked / capacity"},
    )
    over = fields.Boolean(dump_only=True)
    suppressed = _suppressed()
    suppressed_reason = _suppressed_reason()


class VendorLoadSchema(Schema):
    vendor = fields.String(dump_only=True)
    members = fields.Integer(dump_only=True, metadata={"description": "Members relying on it"})
    over = fields.Boolean(dump_only=True)
    months = fields.List(fields.Nested(VendorMonthSchema), dump_only=True)


class FlagMonthSchema(Schema):
    month = fields.Date(dump_only=True)
    own_hours = fields.Float(
        dump_only=True, metadata={"description": "The hours your own plans book that month"}
    )
    load_ratio = fields.Float(  # JSON key "load" (see VendorMonthSchema)
        data_key="load",
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "All members' booked / capacity; null (suppressed) when fewer "
            "members than the coalition minimum book the vendor that month"
        },
    )
    suppressed = _suppressed()
    suppressed_reason = _suppressed_reason()


class FlagSchema(Schema):
    vendor = fields.String(dump_only=True)
    months = fields.List(fields.Nested(FlagMonthSchema), dump_only=True)


class VendorLoadViewSchema(Schema):
    vendors = fields.List(
        fields.Nested(VendorLoadSchema),
        dump_only=True,
        metadata={"description": "For the backbone: every vendor the members' plans book"},
    )
    flags = fields.List(
        fields.Nested(FlagSchema),
        dump_only=True,
        metadata={"description": "For a member: its own vendors booked beyond capacity"},
    )


class PostSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, validate=validate.OneOf(tuple(CoalitionPostKind)))
    text = fields.String(dump_only=True)
    at = fields.DateTime(dump_only=True)


class CoalitionMetricSchema(MetricSchema):
    """A metric of the coalition's catalog (the same fields and rules as a buyer's custom
    metric); `coalition` ones are the backbone's (and have an `id`), the others built in."""

    coalition = fields.Boolean(dump_only=True)
    weight = fields.Float(
        dump_only=True, metadata={"description": "Its weight in the coalition profile (0-1)"}
    )


class CoalitionProfileSchema(Schema):
    coalition_id = fields.Integer(dump_only=True)
    set = fields.Boolean(
        dump_only=True,
        metadata={"description": "false until the backbone sets it: it weighs as the default"},
    )
    version = fields.Integer(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True, allow_none=True)
    settings = fields.Dict(
        dump_only=True,
        metadata={"description": "pillar_weights, metric_weights, goalposts, ... as a profile's"},
    )
    metrics = fields.List(fields.Nested(CoalitionMetricSchema), dump_only=True)
    uses_profile = fields.Boolean(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Your organization ranks under it (null for the backbone)"},
    )


class CoalitionProfileUpdateSchema(Schema):
    settings = fields.Dict(
        required=True,
        metadata={
            "description": "pillar_weights, metric_weights, goalposts, evidence_factors, "
            "knockout_below_minimum_wage, quality_goalposts, evidence_age_months, checked "
            "against the coalition's catalog as a buyer's profile is"
        },
    )
    version = RecordVersion(
        load_default=None,
        metadata={"description": "The version you loaded; none the first time"},
    )


class UsesProfileSchema(Schema):
    uses_profile = fields.Boolean(
        required=True,
        metadata={
            "description": "Rank and plan under the coalition profile instead of your default "
            "profile (under one coalition's at most)"
        },
    )


class CoalitionWeightsFormSchema(Schema):
    """The coalition measurement page's weights form: inputs `pillar_weights.<pillar>` and
    `metric_weights.<metric>`, the other settings of the profile kept as they are; a metric
    weight of 0 (or blank) weighs nothing."""

    pillar_weights = NumbersByKey(load_default=dict)
    metric_weights = NumbersByKey(load_default=dict)
    version = RecordVersion(load_default=None)
