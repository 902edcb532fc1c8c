from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

import scoring
from procure.api_fields import FiniteNumber, RecordId, RecordVersion, ScalarValue
from procure.disclosures.schemas import SectionLevelSchema
from procure.disclosures.tables import WORST_SITE_RULE
from procure.flat_rows import FlatRowSchema
from procure.scoring_defaults import standard_metrics
from procure.vendors.schemas import listed_category
from scoring.contract import PILLARS

PROFILE_NAME_LENGTH = validate.Length(max=120)


class NumbersByKey(fields.Dict):
    """Numbers keyed by name, as a page form sends them from inputs named `<field>.<key>`
    (procure.forms.form_body): each is read as a FiniteNumber (1,200 too), and one that is no
    number is refused as `<field>.<key>`. A key of `required_keys` that is not sent (or left
    blank) is refused with its message."""

    def __init__(self, required_keys: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        number = FiniteNumber()
        super().__init__(keys=fields.String(), values=number, **kwargs)
        self.number = number
        self.required_keys = dict(required_keys or {})

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        errors: dict[str, list[str]] = {
            key: [message] for key, message in self.required_keys.items() if key not in value
        }
        numbers: dict[str, Any] = {}  # floats: a null is refused ("Enter a number.")
        for key, text in value.items():
            try:
                numbers[str(key)] = self.number.deserialize(text)
            except ValidationError as refused:
                errors[str(key)] = list(refused.messages)
        if errors:
            raise ValidationError(errors)
        return numbers


class ProfileSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, error="Give the profile a name."), PROFILE_NAME_LENGTH],
    )
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
        validate=listed_category,
        metadata={
            "description": "Score only vendors offering this service category (a key of the "
            "service categories; 422 for one that is not listed)"
        },
    )
    top_k = fields.Integer(load_default=5, validate=validate.Range(min=1, max=100))


class ScoreRowSchema(FlatRowSchema):
    """A vendor's row of a ranking (a stored row: a plain dict of every field, dumped straight)."""

    vendor_id = fields.Integer()
    vendor_name = fields.String()
    category = fields.String(metadata={"description": "Of the offer scored"})
    unit = fields.String(metadata={"description": "Of the offer scored: hour, item or task"})
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
    # the rank's stability is stored with the ranking (top 5 on a scorecard): null on a
    # scorecard served while its ranking is being refreshed
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
    missing_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "Why `raw_value` is blank: the disclosed figure that is missing or "
            "0 (null where the value is known)"
        },
    )
    peer_percentile = fields.Float(allow_none=True)


class TrendPointSchema(Schema):
    """One period of a vendor's trend, scored as the headline is (see ScorecardSchema.trend)."""

    period_end = fields.Date()
    disclosure_id = fields.Integer(metadata={"description": "The version scored"})
    total = fields.Float()
    rank = fields.Integer()
    peers = fields.Integer()
    peer_group = fields.String(
        metadata={
            "description": 'Whom the rank is among, e.g. "11 vendors that disclosed '
            'the period ending 2024-12-31"'
        }
    )
    impact_score = fields.Float()
    cost = fields.Float(metadata={"description": "Cost pillar (0-1) at the rates in force today"})
    knocked_out = fields.Boolean()


class ScoredOfferSchema(Schema):
    """The offer a vendor is scored on, as priced: among its active offers (in the category
    asked for, else in any), the one with the best cost pillar; prices are not rounded."""

    offer_id = fields.Integer()
    category = fields.String()
    unit = fields.String()
    quality = fields.Float(metadata={"description": "0-1, the quality scored"})
    amount = fields.Float(metadata={"description": "Rate card price per unit, in `currency`"})
    currency = fields.String()
    rate = fields.Float(metadata={"description": "US dollars per unit of `currency`"})
    rate_date = fields.Date(metadata={"description": "The rate's date"})
    priced_on = fields.Date(
        metadata={"description": "Day of the calculation: the latest rate in force on it is used"}
    )
    usd = fields.Float(metadata={"description": "Price used, US dollars per unit: amount × rate"})
    lowest_usd = fields.Float(
        metadata={
            "description": "Lowest US dollar price per unit among all active offers of the "
            "category in the same unit; cost pillar = lowest_usd / usd"
        }
    )
    unit_note = fields.String(
        allow_none=True,
        metadata={
            "description": "Set when the offer is in another unit than its category's: it "
            "compares only with the category's offers in its own unit"
        },
    )


class LeftOutOfferSchema(Schema):
    """An active offer that no price comparison can use, and why."""

    offer_id = fields.Integer()
    category = fields.String()
    unit = fields.String()
    currency = fields.String()
    reason = fields.String()


class SiteWagesSchema(Schema):
    """One site of the scored disclosure, its wages as disclosed and per hour."""

    site = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    pay_period = fields.String(allow_none=True)
    standard_weekly_hours = fields.Float(allow_none=True)
    wages = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        metadata={"description": "Each wage as disclosed, in `currency` per `pay_period`"},
    )
    hourly = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        metadata={"description": "Each wage per hour: per pay period / (weekly hours × weeks)"},
    )
    entry_to_minimum = fields.Float(
        allow_none=True, metadata={"description": "Entry-level wage / local minimum wage"}
    )
    median_to_living = fields.Float(
        allow_none=True,
        metadata={"description": "Impact workers' median wage / living-wage benchmark"},
    )
    scored = fields.Boolean(
        metadata={"description": "The site every wage metric and the knock-out use"}
    )


class ProfileUsedSchema(Schema):
    """Which scoring profile a figure was computed with (never its weights)."""

    kind = fields.String(
        validate=validate.OneOf(["named", "coalition", "default"]),
        metadata={
            "description": "named: one of your organization's profiles (the `profile` asked "
            "for); coalition: the coalition profile your organization adopted; default: the "
            "default profile"
        },
    )
    name = fields.String(
        metadata={
            "description": "The named profile's name, the coalition's name, or \"Default profile\""
        }
    )
    version = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The named profile's version number or the coalition profile's "
            "version; null for the default profile and a coalition profile not set yet (it "
            "weighs as the default profile)"
        },
    )
    label = fields.String(
        metadata={
            "description": 'The words the pages use, e.g. "Coalition profile: Lakeshore '
            'Compact, version 2"'
        }
    )


class BuyerViewSchema(Schema):
    """What one buyer organization that reviewed the vendor sees (shown to the vendor only)."""

    organization = fields.String()
    profile = fields.String(
        metadata={
            "description": 'What that buyer ranks with: "Default profile", or the coalition '
            'profile it adopted by name, e.g. "Coalition profile: Lakeshore Compact, version 2" '
            "(a buyer's own profiles stay private)"
        }
    )
    scored = fields.Boolean(metadata={"description": "False: it rejected every version"})
    disclosure_id = fields.Integer(metadata={"description": "The version it scores"})
    total = fields.Float()
    rank = fields.Integer()
    peers = fields.Integer()
    peer_group = fields.String()
    decisions = fields.List(
        fields.String(), metadata={"description": 'e.g. "verified wages", "rejected training"'}
    )


class ScorecardSchema(Schema):
    score = fields.Nested(ScoreRowSchema)
    profile = fields.Nested(
        ProfileUsedSchema,
        metadata={
            "description": "The profile the card is scored with: the `profile` asked for, "
            "else your organization's (the coalition profile it adopted, or the default "
            "profile); a vendor's own card: the default profile. A card served stale "
            "(X-Ranking-Stale) names the one it was scored under, which may be an earlier "
            "version (see `profile_change`)"
        },
    )
    profile_change = fields.String(
        metadata={
            "description": "Only on a card served stale that was scored under another profile "
            'than the one its refresh applies, e.g. "scored under version 1; version 2 is being '
            'applied" (the coalition published a new version since)'
        },
    )
    profile_applied = fields.Nested(
        ProfileUsedSchema,
        metadata={
            "description": "With `profile_change`: the profile the newer score is being computed "
            "under"
        },
    )
    buyer_views = fields.List(
        fields.Nested(BuyerViewSchema),
        metadata={
            "description": "For the vendor reading its own scorecard: each buyer organization "
            "that reviewed one of its versions, the total and rank it sees under the profile it "
            "ranks with (the coalition profile it adopted, else the default profile; named in "
            "`profile`) with its reviews, and its decisions. Absent for other readers"
        },
    )
    scored_figures = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={
            "description": "The disclosure's figures as the score reads them, by column of the "
            "scoring table (wages per the row's pay_period; several sites: per hour, of the "
            "site scored); the what-if changes these"
        },
    )
    sites = fields.List(
        fields.Nested(SiteWagesSchema),
        metadata={
            "description": "The scored disclosure's sites. " + WORST_SITE_RULE,
        },
    )
    evidence = fields.List(
        fields.Nested(SectionLevelSchema),
        metadata={
            "description": "Each evidence section's effective level as scored here (never the "
            "vendor's claim), why, and when a verification starts to count one level lower"
        },
    )
    offer = fields.Nested(ScoredOfferSchema)
    trend = fields.List(
        fields.Nested(TrendPointSchema),
        metadata={
            "description": "Total and rank per reporting period, scored as the headline is: the "
            "same profile, category, catalog, your organization's reviews and every attestation. "
            "An earlier period ranks among the vendors that disclosed it; the latest is the "
            "headline itself. Periods whose every version your organization rejected are left out"
        },
    )
    explanation = fields.List(fields.Nested(ExplanationRowSchema))
    peers = fields.Integer(metadata={"description": "Vendors scored in the comparison"})
    peer_group = fields.String(
        metadata={
            "description": 'Whom the rank is among, e.g. "33 vendors in Data annotation, '
            'each on its latest disclosure"'
        }
    )
    offers_left_out = fields.List(
        fields.Nested(LeftOutOfferSchema),
        metadata={
            "description": "The vendor's active offers (in the category asked for) that are "
            "not compared: priced at 0 or in a currency without an exchange rate"
        },
    )


class WhatIfSchema(Schema):
    changes = fields.Dict(
        keys=fields.String(),
        values=ScalarValue(allow_none=True),
        required=True,
        metadata={
            "description": "Columns of the scoring table and their new values, or a site's "
            "wage as `wages[<index>].<wage column>` in that site's own currency per its pay "
            "period (the site scored is then chosen again), or `training_hours_all` (no metric "
            "reads it; the training hours of impact workers may not exceed it)"
        },
    )
    category = fields.String()
    profile = RecordId(
        metadata={
            "description": "A scoring profile of your organization (buyers); "
            "the default profile when absent"
        }
    )


class WhatIfFormSchema(WhatIfSchema):
    """The scorecard page's what-if box: the same body as the API's, its figures typed as
    numbers (the box has only number fields); errors are named `changes.<column>` as the API
    names them."""

    changes = fields.Dict(keys=fields.String(), values=FiniteNumber(allow_none=True))


class WhatIfMoveSchema(Schema):
    """One line of the total that the change moved: a metric, the cost or quality pillar, or the
    knock-out."""

    metric = fields.String()
    label = fields.String()
    unit = fields.String(allow_none=True)
    value_before = fields.Float(allow_none=True, metadata={"description": "None: not disclosed"})
    value_after = fields.Float(allow_none=True)
    points_before = fields.Float()
    points_after = fields.Float()
    points_delta = fields.Float()


class WhatIfResultSchema(Schema):
    total_before = fields.Float()
    total_after = fields.Float()
    rank_before = fields.Integer()
    rank_after = fields.Integer()
    impact_score_before = fields.Float()
    impact_score_after = fields.Float()
    sentence = fields.String()
    site_note = fields.String(
        allow_none=True,
        metadata={"description": "Set when the change hands the score to another site's wages"},
    )
    moves = fields.List(
        fields.Nested(WhatIfMoveSchema),
        metadata={"description": "Every line of the total that moved, the largest move first"},
    )


class MetricSchema(Schema):
    """A metric of the catalog; `custom` ones belong to your organization (and have an `id`).

    A body `{"standard": "<key>"}` adds one of the standard metrics (config/metrics.toml's
    `[[standard_metrics]]`, one per beneficiary group, e.g. `refugee_or_displaced_share`) as it
    is defined there; a field given with it replaces the standard's (e.g. other goalposts)."""

    id = fields.Integer(dump_only=True, allow_none=True)
    custom = fields.Boolean(dump_only=True)
    standard = fields.String(
        load_only=True,
        metadata={
            "description": "The key of a standard metric, whose definition fills the fields "
            "not given: " + ", ".join(standard_metrics().keys)
        },
    )
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
            "description": "workforce, wages or training: the evidence section that discounts "
            "it; or measured: a figure the buyer measured itself (delivery_reliability), never "
            "discounted"
        },
    )
    source = fields.String(
        required=True, metadata={"description": "Standard or reference (IRIS+ or GRI code)"}
    )

    @pre_load
    def _standard(self, data: Any, **kwargs: Any) -> Any:
        """A body naming a standard metric: its definition, with the fields given instead."""
        if not isinstance(data, Mapping) or "standard" not in data:
            return data
        key, metrics = data["standard"], standard_metrics()
        if not isinstance(key, str) or key not in metrics:
            raise ValidationError(
                {"standard": [f"No standard metric {key!r}: one of {', '.join(metrics.keys)}."]}
            )
        given = {name: value for name, value in data.items() if name != "standard"}
        return metrics[key].to_dict() | given


class StandardQuerySchema(Schema):
    """The metric forms' `?standard=<key>`: start the form from a standard metric's definition
    (config/metrics.toml's `[[standard_metrics]]`, one per beneficiary group)."""

    standard = fields.String(
        validate=validate.OneOf(standard_metrics().keys),
        metadata={"description": "The key of a standard metric"},
    )


class MetricFormSchema(MetricSchema):
    """The catalog page's form for a new metric: the API's body, its goalposts [L, U] typed into
    two inputs `goalposts.low` and `goalposts.high`. What the catalog's rules refuse about the pair
    (L equal to U) is named `goalposts`, as the API names it."""

    goalposts = NumbersByKey(  # type: ignore[assignment]  # two inputs, loaded as the API's list
        required_keys={"low": "Give L.", "high": "Give U."},
        required=True,
        error_messages={"required": "Give L and U."},
    )

    @post_load
    def _pair(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return data | {"goalposts": [data["goalposts"]["low"], data["goalposts"]["high"]]}


# --------------------------------------------------------------------------- the profile editor

EDITOR_ACTIONS = ("preview", "ahp", "save")
AHP_PAIRS = tuple(f"{first}.{second}" for first, second in scoring.ahp_pairs(PILLARS))
AHP_JUDGEMENT = "Give a number from 1/9 (0.111) to 9."


class ProfileEditorSchema(Schema):
    """The profile editor's form (a page: the API takes a whole `settings` document instead). Its
    inputs are named by the setting's path inside `settings` (`pillar_weights.impact`,
    `metric_weights.<metric>`, `evidence_factors.none`), a metric's goalposts by
    `goalposts.<metric>.low` and `.high`; a number left blank keeps the profile's value. The
    settings are then checked by the API's own rules (scoring.profile_from_dict), which name a
    setting by the same path."""

    name = fields.String(validate=PROFILE_NAME_LENGTH)  # a new profile's; saving checks it is given
    pillar_weights = NumbersByKey(load_default=dict)
    metric_weights = NumbersByKey(load_default=dict)
    evidence_factors = NumbersByKey(load_default=dict)
    goalposts = NumbersByKey(load_default=dict)  # keyed `<metric>.low` and `<metric>.high`
    knockout_below_minimum_wage = fields.Boolean(load_default=False)  # a box: sent when ticked
    evidence_age_months = fields.Integer(strict=False)  # left blank: the profile's value stays
    action = fields.String(load_default="preview", validate=validate.OneOf(EDITOR_ACTIONS))
    profile_id = RecordId(metadata={"description": "The profile changed; none for a new one"})
    latest_number = RecordVersion(
        metadata={"description": "The profile's latest version when the page was loaded"}
    )


class AhpJudgementsSchema(Schema):
    """The editor's pairwise comparisons of the pillars, inputs `ahp.<first>.<second>`: how much
    more important the first is than the second (1/9 to 9)."""

    ahp = NumbersByKey(
        required_keys=dict.fromkeys(AHP_PAIRS, AHP_JUDGEMENT),
        required=True,
        error_messages={"required": AHP_JUDGEMENT},
    )
