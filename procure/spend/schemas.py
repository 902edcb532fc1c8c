from marshmallow import Schema, fields, validate

from procure.api_fields import FiniteNumber
from procure.scoring_defaults import DEFAULT_IMPACT_VENDOR_MIN_SCORE
from procure.spend.report import BASES, DIMENSIONS, PERIODS

FORMATS = ("json", "csv", "xlsx")


class SpendQuerySchema(Schema):
    """A coalition's report: its own impact vendor threshold applies."""

    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    basis = fields.String(
        load_default="planned",
        validate=validate.OneOf(BASES),
        metadata={"description": "planned (the approved plans) or actual (invoiced deliveries)"},
    )
    by = fields.String(load_default="category", validate=validate.OneOf(DIMENSIONS))
    period = fields.String(load_default="quarter", validate=validate.OneOf(PERIODS))


class BuyerSpendQuerySchema(SpendQuerySchema):
    impact_vendor_min_score = FiniteNumber(
        load_default=DEFAULT_IMPACT_VENDOR_MIN_SCORE,
        validate=validate.Range(0, 100),
        metadata={"description": "A vendor with at least this impact score (0–100) is one"},
    )


class SpendFiguresSchema(Schema):
    impact_spend = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "USD; null when suppressed"}
    )
    other_spend = fields.Float(dump_only=True, allow_none=True, metadata={"description": "USD"})
    spend = fields.Float(dump_only=True, allow_none=True, metadata={"description": "USD"})
    impact_share = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "0–1; null without spend"}
    )
    suppressed = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "A coalition's: the figures are withheld (null), made up of fewer "
            "members than the minimum or letting such a figure be worked out"
        },
    )
    suppressed_reason = fields.String(dump_only=True, allow_none=True)


class SpendRowSchema(SpendFiguresSchema):
    period = fields.String(dump_only=True, metadata={"description": '"2026-Q1" or "2026"'})
    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)


class SpendTotalSchema(SpendFiguresSchema):
    period = fields.String(dump_only=True)


class SpendContributionSchema(Schema):
    member = fields.String(dump_only=True)
    impact_share = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "The member's spend with impact vendors / all members' spend; null "
            "when suppressed"
        },
    )
    suppressed = fields.Boolean(dump_only=True)


class SpendReportSchema(Schema):
    basis = fields.String(dump_only=True)
    by = fields.String(dump_only=True)
    period = fields.String(dump_only=True)
    impact_vendor_min_score = fields.Float(dump_only=True)
    periods = fields.List(fields.String(), dump_only=True)
    rows = fields.List(fields.Nested(SpendRowSchema), dump_only=True)
    totals = fields.List(fields.Nested(SpendTotalSchema), dump_only=True)
    total = fields.Nested(SpendFiguresSchema, dump_only=True)
    groups_overlap = fields.Boolean(
        dump_only=True, metadata={"description": "Group figures do not add up to the total"}
    )
    unattributed_spend = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={"description": "By group: the spend with vendors stating no headcount"},
    )
    notes = fields.List(fields.String(), dump_only=True)


class CoalitionSpendReportSchema(SpendReportSchema):
    members = fields.Integer(dump_only=True, metadata={"description": "Active members"})
    min_cell_members = fields.Integer(
        dump_only=True,
        metadata={"description": "The fewest contributing members a figure shown may have"},
    )
    unattributed_suppressed = fields.Boolean(dump_only=True)
    suppressed_reason = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why figures are withheld"}
    )
    contributions = fields.List(fields.Nested(SpendContributionSchema), dump_only=True)
