"""Scoring API: profiles (versioned), ranked scores, vendor scorecards and what-if."""

from flask import abort
from flask.views import MethodView
from flask_login import current_user

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list, page_of_select
from procure.extensions import db
from procure.scoring import rankings, services
from procure.scoring.models import CustomMetric, ScoringProfile
from procure.scoring.schemas import (
    MetricSchema,
    ProfileRevisionSchema,
    ProfileSchema,
    ScorecardSchema,
    ScoreQuerySchema,
    ScoreRowSchema,
    WhatIfResultSchema,
    WhatIfSchema,
)
from procure.scoring.shared_profiles import ScoringBasis, buyer_views, viewer_basis
from procure.transactions import computes, writes
from procure.vendors.models import Vendor

blp = Blueprint(
    "scoring_api",
    __name__,
    url_prefix="/api/v1",
    description="Scoring profiles, scores and scorecards",
)

BUYER_SIDE = roles("buyer", "executive", "admin")


def basis_for_request(profile_id: int | None) -> ScoringBasis:
    """What a request scores with: the profile it names (its organization's; 404 otherwise), else
    its organization's own: the coalition profile it adopted, or the default profile."""
    record = get_scoped_or_404(ScoringProfile, profile_id) if profile_id is not None else None
    return viewer_basis(current_user, record)


@blp.route("/scoring-profiles")
class Profiles(MethodView):
    @access(BUYER_SIDE)
    @blp.response(200, ProfileSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your organization's scoring profiles (latest version of each)"""
        return page_of_list(
            services.profiles_for(current_user.organization_id), pagination_parameters
        )

    @access(roles("buyer"))
    @blp.arguments(ProfileSchema)
    @blp.response(201, ProfileSchema)
    @writes
    def post(self, body):
        """Create a scoring profile (version 1); errors name the setting"""
        record = services.create_profile(
            current_user.organization_id, body["name"], body["settings"], current_user
        )
        return record


@blp.route("/scoring-profiles/<int:profile_id>")
class ProfileById(MethodView):
    @access(BUYER_SIDE)
    @blp.response(200, ProfileSchema)
    def get(self, profile_id):
        """One profile version"""
        return get_scoped_or_404(ScoringProfile, profile_id)

    @access(roles("buyer"))
    @blp.arguments(ProfileRevisionSchema)
    @blp.response(201, ProfileSchema)
    @blp.alt_response(409, description="Not the latest version")
    @writes
    def patch(self, body, profile_id):
        """Change a profile: creates the next version (earlier versions never change)"""
        revision = services.revise_profile(
            get_scoped_or_404(ScoringProfile, profile_id), body["settings"], current_user
        )
        return revision


@blp.route("/scoring-profiles/<int:profile_id>/versions")
class ProfileVersions(MethodView):
    @access(BUYER_SIDE)
    @blp.response(200, ProfileSchema(many=True))
    @blp.paginate()
    def get(self, profile_id, pagination_parameters):
        """Every version of this profile, oldest first"""
        record = get_scoped_or_404(ScoringProfile, profile_id)
        return page_of_select(
            scoped_select(ScoringProfile)
            .where(ScoringProfile.name == record.name)
            .order_by(ScoringProfile.number, ScoringProfile.id),
            pagination_parameters,
        )


RANKING_HEADERS = {
    "X-Ranking-As-Of": {
        "description": "When the ranking served was computed (ISO 8601, UTC)",
        "schema": {"type": "string", "format": "date-time"},
    },
    "X-Ranking-Stale": {
        "description": "true when the data changed since: a newer ranking is being computed "
        "and this one is served meanwhile; false when it is current",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}


@blp.route("/scores")
class Scores(MethodView):
    @access(BUYER_SIDE)
    @blp.arguments(ScoreQuerySchema, location="query")
    @blp.response(200, ScoreRowSchema(many=True), headers=RANKING_HEADERS)
    @blp.alt_response(404, description="The profile is not visible to you (vendors: any profile)")
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Vendors ranked by total score, with the points of each pillar and rank stability, a
        page at a time (the rank is over all of them). Without `profile`: under the default
        profile, or the coalition profile when your organization adopted one. Read from the
        ranking stored for your organization, profile, category and top k, computed once per
        change: when the data
        changed since, the stored one is served with `X-Ranking-Stale: true` while a newer one
        is computed"""
        record_id = query.get("profile")
        category = query.get("category") or ""
        if record_id is not None:
            record_id = get_scoped_or_404(ScoringProfile, record_id).id
            key = rankings.RankingKey(
                current_user.organization_id, record_id, category, query["top_k"]
            )
        else:  # the coalition profile, when the organization adopted one
            key = rankings.default_key(current_user.organization_id, category, query["top_k"])
        served = rankings.read_ranking(key, current_user)
        ranking = served.ranking
        pagination_parameters.item_count = ranking.peers
        rows = rankings.page_rows(
            ranking,
            (pagination_parameters.page - 1) * pagination_parameters.page_size,
            pagination_parameters.page_size,
        )
        headers = {
            "X-Ranking-As-Of": ranking.computed_at.isoformat(),
            "X-Ranking-Stale": "true" if served.stale else "false",
        }
        return rows, 200, headers


@blp.route("/vendors/<int:vendor_id>/scorecard")
class Scorecard(MethodView):
    @access(roles("vendor", "buyer", "executive", "admin"))
    @blp.arguments(ScoreQuerySchema, location="query")
    @blp.response(200, ScorecardSchema)
    def get(self, query, vendor_id):
        """Every point of a vendor's total explained (a vendor sees only its own)"""
        vendor = get_scoped_or_404(Vendor, vendor_id)
        basis = basis_for_request(query.get("profile"))  # checks the profile is visible
        profile, metrics = basis.profile, basis.metrics
        key = rankings.scorecard_key(
            current_user, query.get("profile"), query.get("category"), metrics, basis.shared_id
        )
        served = rankings.read_scorecard(key, current_user, vendor) if key else None
        headers = {}
        # which profile scored it: the basis the stored card was scored under, else this one
        described = basis.described()
        if served is not None and served.card is not None:
            # the whole card from the stored ranking (headline, breakdown and trend of the same
            # data), stale or not: as of when it was computed, under the basis it read then
            card = served.card | rankings.basis_said(served.ranking, served.stale, described)
            headers = {
                "X-Ranking-As-Of": served.ranking.computed_at.isoformat(),
                "X-Ranking-Stale": "true" if served.stale else "false",
            }
        else:  # none stored: the card computed live (with the stored headline when current)
            card = services.scorecard(
                vendor_id,
                profile,
                query.get("category"),
                organization_id=current_user.organization_id,
                metrics=metrics,
                row=served.row if served is not None and not served.stale else None,
            )
        if card is None:
            reasons = services.unscored_reasons(
                vendor_id, query.get("category"), organization_id=current_user.organization_id
            )
            abort(404, " ".join(["This vendor has no score yet.", *reasons]))
        if vendor.organization_id == current_user.organization_id:  # its own: what buyers see
            card["buyer_views"] = buyer_views(vendor.id, query.get("category")).views
        return {"profile": described} | card, 200, headers


@blp.route("/vendors/<int:vendor_id>/what-if")
class WhatIf(MethodView):
    @access(roles("vendor", "buyer", "executive", "admin"))
    @blp.arguments(WhatIfSchema)
    @blp.response(200, WhatIfResultSchema)
    @computes
    def post(self, body, vendor_id):
        """The total and rank a vendor would have with some figures changed (nothing is saved)"""
        vendor = get_scoped_or_404(Vendor, vendor_id)
        basis = basis_for_request(body.get("profile"))  # checks the profile is visible
        profile, metrics = basis.profile, basis.metrics
        key = rankings.scorecard_key(
            current_user, body.get("profile"), body.get("category"), metrics, basis.shared_id
        )
        return services.what_if(
            vendor.id,
            profile,
            body["changes"],
            body.get("category"),
            organization_id=current_user.organization_id,
            metrics=metrics,
            # "before" from the current stored ranking, as the scorecard's headline; a what-if
            # stores nothing
            baseline=rankings.scorecard_row(key, current_user, vendor, store=False)
            if key
            else None,
        )


def _metric_rows(organization_id: int) -> list[dict]:
    custom = {m.key: m for m in db.session.scalars(scoped_select(CustomMetric)).all()}
    return [
        {
            **metric.to_dict(),
            "custom": metric.key in custom,
            "id": custom[metric.key].id if metric.key in custom else None,
        }
        for metric in services.catalog_for(organization_id).metrics
    ]


@blp.route("/metrics")
class Metrics(MethodView):
    @access(BUYER_SIDE)
    @blp.response(200, MetricSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The metric catalog your organization scores with: the built-in metrics, then your own"""
        return page_of_list(_metric_rows(current_user.organization_id), pagination_parameters)

    @access(roles("buyer", "admin"))
    @blp.arguments(MetricSchema)
    @blp.response(201, MetricSchema)
    @writes
    def post(self, body):
        """Add a custom metric (it weighs nothing until a profile gives it a weight)"""
        metric = services.add_custom_metric(current_user.organization_id, body, current_user)
        return {**metric.definition(), "custom": True, "id": metric.id}


@blp.route("/metrics/<int:metric_id>")
class MetricById(MethodView):
    @access(roles("buyer", "admin"))
    @blp.response(204)
    @blp.alt_response(409, description="A profile version uses it")
    @writes
    def delete(self, metric_id):
        """Remove a custom metric that no profile version uses"""
        services.delete_custom_metric(get_scoped_or_404(CustomMetric, metric_id), current_user)
