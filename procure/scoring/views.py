"""Pages: the buyer's ranked comparison and the vendor scorecard with its what-if box."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from procure import charts
from procure.access import access, get_scoped_or_404, roles
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.scoring import services
from procure.scoring.models import ScoringProfile
from procure.vendors.categories import service_categories
from procure.vendors.models import Vendor

bp = Blueprint("scoring_pages", __name__)

WHAT_IF_FIELDS = (
    ("impact_workers_end", "Impact workers at period end"),
    ("impact_worker_hires", "Impact workers hired"),
    ("impact_worker_median_wage", "Median wage of impact workers (per pay period)"),
    ("training_hours_impact_workers", "Training hours, impact workers"),
    ("training_spend_usd", "Training spend (USD)"),
)


def _profile_choice():
    profiles = services.profiles_for(current_user.organization_id) if current_user.role != "vendor" else []
    chosen = request.args.get("profile", type=int)
    record = get_scoped_or_404(ScoringProfile, chosen) if chosen else None
    return profiles, record


@bp.route("/scores")
@access(roles("buyer", "executive", "admin"))
def compare():
    profiles, record = _profile_choice()
    category = request.args.get("category") or None
    ranking = services.rank_vendors(services.profile_of(record), category)
    rows = services.score_rows(ranking)
    for row in rows:
        row["bar"] = charts.stacked_bar(row["points"])
    return render_template("scoring/compare.html", rows=rows, profiles=profiles, record=record, category=category,
                           categories=service_categories())


def _possible(line: dict, profile) -> float:
    """The most points a scorecard line could give under the profile."""
    pillars = profile.to_dict()["pillar_weights"]
    if line["pillar"] == "impact":
        return 100.0 * pillars["impact"] * (line["weight"] or 0.0)
    return 100.0 * pillars.get(line["pillar"], 0.0)


def _render_scorecard(vendor: Vendor):
    profile = services.default_profile()
    category = request.values.get("category") or None
    card = services.scorecard(vendor.id, profile, category)
    outcome, errors, values = None, {}, {}
    if card and request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key, _ in WHAT_IF_FIELDS}
        changes = {}
        for key, value in values.items():
            if value:
                try:
                    changes[key] = float(value)
                except ValueError:
                    errors[key] = [f"{value!r} is not a number."]
        if not errors and changes:
            try:
                outcome = services.what_if(vendor.id, profile, changes, category)
            except ValidationFailed as failed:
                errors = {k.removeprefix("changes."): v for k, v in failed.errors.items()}
    chart = None
    if card:
        lines = [line | {"possible": _possible(line, profile)} for line in card["explanation"]
                 if line["pillar"] in ("impact", "cost", "quality")]
        chart = charts.metric_bars(lines)
    return render_template("scoring/scorecard.html", vendor=vendor, card=card, chart=chart, outcome=outcome,
                           errors=errors, values=values, fields=WHAT_IF_FIELDS, category=category,
                           impact_weight=profile.to_dict()["pillar_weights"]["impact"],
                           categories=service_categories()), (422 if errors else 200)


@bp.route("/scorecard", methods=["GET", "POST"])
@access(roles("vendor"))
def own_scorecard():
    vendor = db.session.scalar(select(Vendor).where(Vendor.organization_id == current_user.organization_id))
    if vendor is None:
        abort(404, "Create your vendor profile first.")
    return _render_scorecard(vendor)


@bp.route("/vendors/<int:vendor_id>/scorecard", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"))
def vendor_scorecard(vendor_id):
    return _render_scorecard(get_scoped_or_404(Vendor, vendor_id))
