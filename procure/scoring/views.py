"""Pages: the buyer's ranked comparison and the vendor scorecard with its what-if box."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import select

import scoring
from procure import charts
from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_fields import PageNumber
from procure.disclosures.models import Disclosure
from procure.disclosures.tables import WORST_SITE_RULE
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_body, load_form
from procure.page_query import read_query
from procure.paging import Page
from procure.scenarios import plan_share
from procure.scoring import raising, rankings, services
from procure.scoring.draft_effect import draft_effect
from procure.scoring.models import CustomMetric, ScoringProfile
from procure.scoring.schemas import (
    AHP_PAIRS,
    AhpJudgementsSchema,
    MetricFormSchema,
    ProfileEditorSchema,
    ScoreQuerySchema,
    StandardQuerySchema,
    WhatIfFormSchema,
)
from procure.scoring.shared_profiles import (
    adopted_profile,
    adopted_profile_label,
    basis_words,
    buyer_views,
    default_profile_label,
    viewer_basis,
)
from procure.scoring_defaults import standard_metrics
from procure.states import DisclosureState
from procure.transactions import attempt, computes, discard, writes
from procure.vendors.categories import service_categories
from procure.vendors.models import Vendor
from scoring.contract import FORMULA_FIELDS, PILLARS
from scoring.fields import COLUMN_FIELDS
from scoring.profile import DEFAULT_EVIDENCE_AGE_MONTHS

bp = Blueprint("scoring_pages", __name__)

# The figures the what-if box offers: columns of the scored table, labelled by the field table,
# then each site's wages in the site's own currency and pay period (`_site_fields`).
WHAT_IF_COLUMNS = (
    "impact_workers_end",
    "impact_worker_hires",
    "training_hours_impact_workers",
    "training_spend_usd",
)
# rows of the comparison page: the ranking covers every vendor, the page shows these many at once
SCORES_PER_PAGE = 50
# how the comparison page can order the whole ranking before it pages it (in SQL: rankings.SORTS)
SCORE_SORTS = {
    "rank": "Rank",
    "impact": "Impact score, highest first",
    "stability": "Stays in top 5, most often first",
    "topsis": "TOPSIS rank",
    "vendor": "Vendor name",
}


class ScoresPageQuerySchema(ScoreQuerySchema):
    """The comparison page's query: the API's profile and category, and how to sort and page."""

    sort = fields.String(load_default="rank", validate=validate.OneOf(list(SCORE_SORTS)))
    page = PageNumber()


# what the comparison and scorecard pages read from their query, as the API reads it (an id of
# no profile of the organization answers 404)
SCORES_QUERY = ScoresPageQuerySchema(exclude=("top_k",))
SCORECARD_QUERY = ScoreQuerySchema(only=("profile", "category"))
# the wages of a site the vendor sets (the minimum and living wages are benchmarks)
SITE_WAGE_COLUMNS = ("entry_level_wage", "impact_worker_median_wage")


def _profile_choice(chosen: int | None):
    """The profiles to choose from, and the one the query chose (None: the "Default" option)."""
    profiles = services.profiles_for(current_user.organization_id)  # none for a vendor
    record = get_scoped_or_404(ScoringProfile, chosen) if chosen is not None else None
    return profiles, record


@bp.route("/scores")
@access(roles("buyer", "executive", "admin"))
def compare():
    query = read_query(SCORES_QUERY)
    profiles, record = _profile_choice(query.get("profile"))
    if "category" in request.args:  # "All categories" sends an empty value
        category = query.get("category")
    else:
        category = services.default_category(current_user.organization_id)
    # the coalition profile the organization adopted (None: the default profile), read once for
    # the key (`rankings.default_key`) and the "Default" option's label
    adopted = adopted_profile(current_user.organization_id)
    if record is None:  # the default profile, or the coalition profile adopted
        key = rankings.RankingKey(
            current_user.organization_id, None, category or "", rankings.TOP_K, adopted
        )
    else:
        key = rankings.RankingKey(
            current_user.organization_id, record.id, category or "", rankings.TOP_K
        )
    served = rankings.read_ranking(key, current_user)  # stored once per change, paged in SQL
    ranking = served.ranking
    sort, page = query["sort"], query["page"]
    rows = rankings.page_rows(ranking, (page - 1) * SCORES_PER_PAGE, SCORES_PER_PAGE, sort)
    listing = Page(rows, page, SCORES_PER_PAGE, ranking.peers)
    # the page's living-wage ratios, from the disclosure versions its rows were scored on
    ratios = rankings.living_wage_ratios(row["disclosure_id"] for row in listing.items)
    for row in listing.items:  # only the rows shown get a bar
        row["bar"] = charts.stacked_bar(row["points"])
        row["living_wage_ratio"] = ratios.get(row["disclosure_id"])
    if served.stale and record is None:  # named as the basis it was ranked under then
        said = rankings.basis_said(ranking, True, viewer_basis(current_user).described())
        default_label, profile_change = said["profile"]["label"], said.get("profile_change")
    else:
        default_label, profile_change = adopted_profile_label(adopted), None
    return render_template(
        "scoring/compare.html",
        rows=listing.items,
        listing=listing,
        sort=sort,
        sorts=SCORE_SORTS,
        as_of=rankings.as_of_label(ranking) if served.stale else None,
        peer_group=services.peer_group(ranking.peers, category),
        legend=charts.pillar_legend(),
        profiles=profiles,
        record=record,
        default_label=default_label,
        profile_change=profile_change,
        category=category,
        categories=service_categories(),
    )


def _possible(line: dict, profile) -> float:
    """The most points a scorecard line could give under the profile."""
    pillars = profile.to_dict()["pillar_weights"]
    if line["pillar"] == "impact":
        return 100.0 * pillars["impact"] * (line["weight"] or 0.0)
    return 100.0 * pillars.get(line["pillar"], 0.0)


def _render_scorecard(vendor: Vendor):
    """The scorecard with the what-if box: under the default profile for the vendor itself; for a
    buyer under the profile it chose (`?profile=`), else its organization's (the coalition
    profile it adopted, or the default profile: `shared_profiles.scoring_basis`)."""
    query = read_query(SCORECARD_QUERY)  # the what-if form's own `category` is read as before
    profiles, record = _profile_choice(query.get("profile"))
    # the profile chosen, else the organization's: the coalition profile it adopted or the default
    basis = viewer_basis(current_user, record)
    profile, metrics = basis.profile, basis.metrics
    category = request.values.get("category") or None
    own = vendor.organization_id == current_user.organization_id  # what buyers see, and the panel
    # the stored ranking read first (storing one commits; a what-if stores nothing)
    key = rankings.scorecard_key(
        current_user, record.id if record else None, category, metrics, basis.shared_id
    )
    served = (
        rankings.read_scorecard(key, current_user, vendor, store=request.method == "GET")
        if key
        else None
    )
    row = served.row if served is not None and not served.stale else None
    # the vendor's own panel and the what-if box score the table live: their "before" is the
    # current stored row, or, served stale, the card is computed live with them
    needs_ranking = own or request.method == "POST"
    card, as_of = None, None
    said: dict[str, Any] = {"profile": basis.described()}
    if served is not None and served.card is not None and not (served.stale and needs_ranking):
        card = served.card  # headline, breakdown and trend of the same stored data
        if served.stale:  # as of then, under the basis it was scored under then
            as_of = rankings.as_of_label(served.ranking)
            said = rankings.basis_said(served.ranking, True, said["profile"])
    ranking = None
    if card is None or needs_ranking:
        # one ranking for the card, the "how to raise your score" panel's and the box's what-ifs
        ranking = services.rank_vendors(
            profile,
            category,
            organization_id=current_user.organization_id,
            with_stability=False,
            metrics=metrics,
        )
    # the reader, catalog and ranking every live scoring of this page shares
    live: dict[str, Any] = {
        "organization_id": current_user.organization_id,
        "metrics": metrics,
        "ranking": ranking,
    }
    if card is None:
        card = services.scorecard(vendor.id, profile, category, row=row, **live)
    raise_actions = None  # the vendor's own card only: buyers never see the panel
    if card and own:
        # each reviewing buyer's ranking once, under what it ranks with (its coalition's
        # profile or the default one), for "what each buyer sees" and the panel's ranks
        buyers = buyer_views(vendor.id, category)
        card["buyer_views"] = buyers.views
        raise_actions = raising.with_buyer_ranks(
            vendor,
            raising.score_actions(vendor.id, profile, category, baseline=row, **live),
            card["score"]["disclosure_id"],
            buyers.rankings,
            category,
            buyers.bases,
            buyers.names,
        )
        # the vendor's own hours in the approved plans of buyers that let it see them
        raise_actions = plan_share.with_plan_shares(
            vendor.id, raise_actions, card["score"]["disclosure_id"]
        )
    outcome = None
    # the box starts from the figures the score reads; only a figure typed differently changes
    current = _shown_figures(card)
    values = dict(current)
    errors: dict[str, list[str]] = {}
    if card and request.method == "POST":
        # the box's inputs are named as the API's changes: a column, or wages[<site>].<column>
        values = {
            field["name"]: request.form.get(field["name"], "").strip()
            for field in _what_if_fields(card)
        }
        body = {
            "changes": {
                key: text.replace(",", "")
                for key, text in values.items()
                if text and text != current.get(key)
            }
        }
        try:
            loaded = load_form(WhatIfFormSchema(), body)
            if loaded["changes"]:
                outcome = services.what_if(
                    vendor.id, profile, loaded["changes"], category, baseline=row, **live
                )
        except ValidationFailed as failed:
            errors = {
                key.removeprefix("changes.").removesuffix(".value"): messages
                for key, messages in failed.errors.items()
            }
    chart, unscored = None, []
    if not card:
        unscored = services.unscored_reasons(
            vendor.id, category, organization_id=current_user.organization_id
        )
    else:
        lines = [
            line | {"possible": _possible(line, profile)}
            for line in card["explanation"]
            if line["pillar"] in ("impact", "cost", "quality")
        ]
        chart = charts.metric_bars(lines)
    return render_template(
        "scoring/scorecard.html",
        vendor=vendor,
        card=card,
        unscored=unscored,
        chart=chart,
        outcome=outcome,
        raise_actions=raise_actions,
        plans_unchanged=plan_share.unchanged_plans(raise_actions or []),
        plans_solved_differently=plan_share.plans_solved_differently(raise_actions or []),
        errors=errors,
        values=values,
        fields=_what_if_fields(card),
        category=category,
        profiles=profiles,
        record=record,
        # what "its" profile is: the option without a profile, or the line without a choice
        default_label=default_profile_label(current_user.organization_id)
        if record
        else said["profile"]["label"],
        profile_change=said.get("profile_change"),
        scored_under=basis_words(said["profile"]),  # the hints' words for the card's basis
        impact_weight=profile.to_dict()["pillar_weights"]["impact"],
        evidence_age_months=profile.evidence_age_months,
        categories=service_categories(),
        worst_site_rule=WORST_SITE_RULE,
        # the scored site's median wage ÷ living wage, as the comparison flags it
        living_wage_ratio=next(
            (
                site["median_to_living"]
                for site in (card or {}).get("sites") or []
                if site["scored"]
            ),
            None,
        ),
        as_of=as_of,
    ), (422 if errors else 200)


def _what_if_fields(card: dict | None) -> list[dict[str, Any]]:
    """The what-if box's inputs, each with its name (as the API names the change), label, unit
    and the value the score reads now: the figures of WHAT_IF_COLUMNS, then each site's wages
    as the vendor disclosed them, in the site's own currency per its pay period."""
    figures = (card or {}).get("scored_figures") or {}
    fields = [
        {
            "name": column,
            "label": COLUMN_FIELDS[column].label,
            "unit": COLUMN_FIELDS[column].unit,
            "value": figures.get(column),
        }
        for column in WHAT_IF_COLUMNS
    ]
    for index, site in enumerate((card or {}).get("sites") or []):
        unit = f"{site['currency'] or ''} per {site['pay_period'] or 'pay period'}".strip()
        for column in SITE_WAGE_COLUMNS:
            fields.append(
                {
                    "name": f"wages[{index}].{column}",
                    "label": f"{COLUMN_FIELDS[column].label}, {site['site'] or 'site'}",
                    "unit": unit + (", the site scored" if site["scored"] else ""),
                    "value": site["wages"].get(column),
                }
            )
    return fields


def _shown_figures(card: dict | None) -> dict[str, str]:
    """The what-if figures as the box shows them (whole numbers without a decimal point; other
    values in full, so an untouched figure is the same)."""
    shown = {}
    for field in _what_if_fields(card):
        value = field["value"]
        if value is None:
            continue
        shown[field["name"]] = str(int(value)) if float(value).is_integer() else repr(float(value))
    return shown


@bp.route("/scorecard", methods=["GET", "POST"])
@access(roles("vendor"))
@computes
def own_scorecard():
    vendor = db.session.scalar(
        select(Vendor).where(Vendor.organization_id == current_user.organization_id)
    )
    if vendor is None:
        abort(404, "Create your vendor profile first.")
    return _render_scorecard(vendor)


@bp.route("/disclosures/<int:disclosure_id>/score-effect")
@access(roles("vendor"))
@computes
def draft_score_effect(disclosure_id):
    """What submitting the vendor's draft would do to its score, as an HTML fragment the
    draft's page loads (before the submit button); only the vendor's own versions (a version
    already submitted says so)."""
    draft = get_scoped_or_404(Disclosure, disclosure_id)
    effect = (
        draft_effect(draft, current_user)
        if draft.state == DisclosureState.DRAFT
        else {"kind": "submitted"}  # its effect is on the scorecard now
    )
    return render_template("scoring/_draft_effect.html", effect=effect, draft=draft)


@bp.route("/vendors/<int:vendor_id>/scorecard", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"))
@computes
def vendor_scorecard(vendor_id):
    return _render_scorecard(get_scoped_or_404(Vendor, vendor_id))


PAIRS = tuple(scoring.ahp_pairs(PILLARS))
SETTING_GROUPS = ("pillar_weights", "metric_weights", "evidence_factors")


def _load_editor() -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The editor's form loaded by its schema, and no errors; or, refused, the form as typed (to
    show again) and the errors naming each refused field."""
    schema = ProfileEditorSchema()
    body = form_body(schema, request.form)
    try:
        return load_form(schema, body), {}
    except ValidationFailed as failed:
        return body, failed.errors


def _editor_settings(editor: Mapping[str, Any], base: dict) -> dict:
    """`base` with the editor's values: numbers as loaded, or the text as typed when the form is
    shown again refused. A setting the editor leaves out keeps its value in `base`."""
    settings = {**base, **{group: dict(base[group]) for group in SETTING_GROUPS}}
    metrics = services.viewer_catalog(current_user).metrics
    for metric in metrics:  # every metric of the catalog, the organization's own included
        settings["metric_weights"].setdefault(metric.key, 0.0)
    for group in SETTING_GROUPS:
        typed = editor.get(group) or {}
        settings[group].update({key: typed[key] for key in settings[group] if key in typed})
    # a metric left at 0 is not kept, so a custom metric nobody weighs stays removable
    for key, weight in list(settings["metric_weights"].items()):
        if weight == 0 and key not in base["metric_weights"]:
            del settings["metric_weights"][key]
    settings["knockout_below_minimum_wage"] = bool(editor.get("knockout_below_minimum_wage"))
    if editor.get("evidence_age_months") is not None:
        settings["evidence_age_months"] = editor["evidence_age_months"]
    typed = editor.get("goalposts") or {}
    goalposts = {key: list(bounds) for key, bounds in (base.get("goalposts") or {}).items()}
    for metric in metrics:
        current = goalposts.get(metric.key, list(metric.goalposts))
        bounds = [
            typed.get(f"{metric.key}.low", current[0]),
            typed.get(f"{metric.key}.high", current[1]),
        ]
        if bounds == list(metric.goalposts):
            goalposts.pop(metric.key, None)  # the catalog's own: no override kept
        else:
            goalposts[metric.key] = bounds
    settings["goalposts"] = goalposts
    return settings


def _ahp_pillars() -> tuple[dict | None, dict, float | None]:
    """Pillar weights from the editor's pairwise judgements (AhpJudgementsSchema), the errors,
    and the judgements' consistency ratio."""
    schema = AhpJudgementsSchema()
    try:
        judgements = load_form(schema, form_body(schema, request.form))["ahp"]
    except ValidationFailed as failed:
        return None, failed.errors, None
    pairs = dict(zip(PAIRS, (judgements[pair] for pair in AHP_PAIRS), strict=True))
    try:
        matrix = scoring.judgement_matrix(PILLARS, pairs)
    except scoring.AhpError as refused:
        return None, {f"ahp.{e.field}": [e.message] for e in refused.errors}, None
    try:
        outcome = scoring.ahp_weights(list(PILLARS), matrix)
    except scoring.AhpError as refused:
        return None, {"ahp": [e.message for e in refused.errors]}, None
    weights = {pillar: round(float(outcome.weights[pillar]), 6) for pillar in PILLARS}
    weights["quality"] = round(1.0 - weights["impact"] - weights["cost"], 6)  # sum exactly 1
    return weights, {}, float(outcome.consistency_ratio)


def _profile_errors(invalid: scoring.ProfileError) -> dict[str, list[str]]:
    """The profile's errors keyed by the editor's fields: a metric's goalposts (`goalposts.<key>`,
    `[0]` and `[1]` its L and U) at its L or U field."""
    errors: dict[str, list[str]] = {}
    for error in invalid.errors:
        field = error.field
        if field.startswith("goalposts."):
            field = field.replace("[0]", ".low").replace("[1]", ".high")
            if not field.endswith((".low", ".high")):
                field += ".low"
        errors.setdefault(field, []).append(error.message)
    return errors


def _preview(profile) -> list[dict]:
    """The top 15 under `profile`, each with its rank under the default profile."""
    metrics = services.viewer_catalog(current_user)
    organization_id = current_user.organization_id
    ranking = services.rank_vendors(
        profile, organization_id=organization_id, with_stability=False, metrics=metrics
    )
    default = {
        r["vendor_id"]: r
        for r in services.score_rows(
            services.rank_vendors(
                services.default_profile(),
                organization_id=organization_id,
                with_stability=False,
                metrics=metrics,
            )
        )
    }
    return [
        r | {"default_rank": default.get(r["vendor_id"], {}).get("rank")}
        for r in services.score_rows(ranking)
    ][:15]


@bp.route("/profiles/preview", methods=["POST"])
@access(roles("buyer"))
@computes
def preview_fragment():
    """The ranking preview for the editor's current (unsaved) values, as an HTML fragment: the
    editor's script asks for it as the buyer types."""
    editor, errors = _load_editor()
    preview = None
    if not errors:
        profile_id = editor.get("profile_id")
        record = get_scoped_or_404(ScoringProfile, profile_id) if profile_id is not None else None
        base = record.settings if record else services.default_profile().to_dict()
        try:
            preview = _preview(
                scoring.profile_from_dict(
                    _editor_settings(editor, base), services.viewer_catalog(current_user)
                )
            )
        except scoring.ProfileError as invalid:
            errors = _profile_errors(invalid)
    return render_template(
        "scoring/_preview.html", preview=preview, errors=errors
    ), 422 if errors else 200


def _save_profile(
    record: ScoringProfile | None, name: str, settings: dict, loaded: int | None
) -> ScoringProfile:
    """Create the profile, or save its next version on top of the latest one, which must still be
    the latest the page was loaded with (`loaded`, its number): a version saved from another tab
    meanwhile is not silently replaced (409). Flushes."""
    if record is None:
        return services.create_profile(current_user.organization_id, name, settings, current_user)
    latest = services.latest_version(record)
    if loaded is not None and loaded != latest.number:
        raise ConflictError(
            f"{record.name} was changed since you loaded it (version {latest.number} was saved "
            "meanwhile). Reload it and apply your change again."
        )
    return services.revise_profile(latest, settings, current_user)


@bp.route("/profiles", methods=["GET", "POST"])
@bp.route("/profiles/<int:profile_id>", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"), POST=roles("buyer"))
@writes
def profiles(profile_id=None):
    record = get_scoped_or_404(ScoringProfile, profile_id) if profile_id else None
    base = record.settings if record else services.default_profile().to_dict()
    settings, errors, preview, consistency = base, {}, None, None
    name = record.name if record else ""
    status = 200
    if request.method == "POST":
        editor, errors = _load_editor()
        settings = _editor_settings(editor, base)
        name = editor.get("name", name)
        action = editor.get("action", "preview")
        if action == "ahp" and not errors:
            weights, errors, consistency = _ahp_pillars()
            if weights:
                settings["pillar_weights"] = weights
        if not errors:
            try:
                profile = scoring.profile_from_dict(settings, services.viewer_catalog(current_user))
            except scoring.ProfileError as invalid:
                errors = _profile_errors(invalid)
            else:
                if action == "save":
                    try:
                        saved = _save_profile(record, name, settings, editor.get("latest_number"))
                    except ValidationFailed as failed:
                        discard()
                        errors = failed.errors
                    except ConflictError as conflict:  # saved from another tab at the same moment
                        discard()
                        flash(conflict.message, "error")
                        status = 409
                    else:
                        return redirect(url_for("scoring_pages.profiles", profile_id=saved.id))
                else:
                    preview = _preview(profile)
        status = 422 if errors else status
    versions = []
    if record:
        versions = db.session.scalars(
            scoped_select(ScoringProfile)
            .where(ScoringProfile.name == record.name)
            .order_by(ScoringProfile.number)
        ).all()
    return render_template(
        "scoring/profiles.html",
        record=record,
        settings=settings,
        errors=errors,
        name=name,
        preview=preview,
        consistency=consistency,
        pairs=PAIRS,
        versions=versions,
        existing=services.profiles_for(current_user.organization_id),
        metrics=services.viewer_catalog(current_user).metrics,
        goalpost_errors=any(field.startswith("goalposts.") for field in errors),
        default_age_months=DEFAULT_EVIDENCE_AGE_MONTHS,  # of a profile saved without the setting
    ), status


NEW_METRIC = {"direction": "higher", "section": "workforce"}
"""What a new metric's form starts from."""


def new_metric_values() -> dict[str, Any]:
    """What a metric form starts from: a standard metric's definition when the page's query
    names one (`?standard=<key>`, StandardQuerySchema: 422 naming it otherwise), which the
    reader then adds as it is or changes; else `NEW_METRIC`."""
    key = read_query(StandardQuerySchema()).get("standard")
    return standard_metrics()[key].to_dict() if key else dict(NEW_METRIC)


def standard_choices() -> list[tuple[str, str]]:
    """The standard metrics a metric form can start from, (key, label)."""
    return [(metric.key, metric.label) for metric in standard_metrics().metrics]


@bp.route("/metrics", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"), POST=roles("buyer", "admin"))
@writes
def metrics():
    """The metric catalog the organization scores with, and a form to add a custom metric."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = dict(NEW_METRIC)
    status = 200
    if request.method == "GET":
        values = new_metric_values()
    if request.method == "POST":
        schema = MetricFormSchema()
        body = form_body(schema, request.form)
        bounds = body.get("goalposts") or {}
        values = body | {"goalposts": [bounds.get("low"), bounds.get("high")]}  # as typed
        try:
            metric = services.add_custom_metric(
                current_user.organization_id, load_form(schema, body), current_user
            )
        except ValidationFailed as failed:
            discard()
            errors = failed.errors
        else:
            flash(
                f"Added {metric.label}. Give it a weight in a scoring profile to count it.",
                "success",
            )
            return redirect(url_for("scoring_pages.metrics"))
        status = 422
    custom = {
        m.key: m
        for m in db.session.scalars(scoped_select(CustomMetric).order_by(CustomMetric.id)).all()
    }
    return render_template(
        "scoring/metrics.html",
        catalog=[metric.to_dict() for metric in services.viewer_catalog(current_user).metrics],
        custom=custom,
        errors=errors,
        values=values,
        fields=sorted(FORMULA_FIELDS),
        standard_choices=standard_choices(),
    ), status


@bp.route("/metrics/<int:metric_id>/delete", methods=["POST"])
@access(roles("buyer", "admin"))
@writes
def delete_metric(metric_id):
    metric = get_scoped_or_404(CustomMetric, metric_id)
    attempt(lambda: services.delete_custom_metric(metric, current_user), f"Removed {metric.label}.")
    return redirect(url_for("scoring_pages.metrics"))
