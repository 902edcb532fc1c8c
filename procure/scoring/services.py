"""Scores in the app: profiles (versioned), ranked comparison, scorecards, what-if."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pandas as pd
from flask import current_app
from sqlalchemy import func, select, union

import scoring
from procure.accounts.models import Organization
from procure.audit.services import record_event
from procure.disclosures.models import Disclosure, DisclosureReview, DisclosureSectionReview
from procure.disclosures.pricing import left_out_reason, pricing_day, usd_rates
from procure.disclosures.reviews import section_view
from procure.disclosures.tables import (
    BOUNDING_FIGURES,
    SITE_FIELD,
    impossible_changes,
    site_changes,
    site_wages,
    wage_columns_with,
)
from procure.editing import insert_once
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.needs.models import Need
from procure.scoring.adapter import ScoringInput, buyer_columns_read, scoring_input
from procure.scoring.models import CustomMetric, ScoringProfile
from procure.scoring.versions import GLOBAL, bump, data_versions
from procure.scoring_defaults import catalog, default_profile
from procure.states import DisclosureState, ReviewDecision
from procure.vendors.categories import category_label, service_categories
from procure.vendors.models import Offer
from scoring.contract import REQUIRED_COLUMNS, WAGE_SITE_COLUMN
from scoring.explain import EXPLANATION_COLUMNS
from scoring.fields import COLUMN_FIELDS

DEFAULT_PROFILE_NAME = "Default profile"


def catalog_for(organization_id: int | None) -> scoring.Catalog:
    """The built-in catalog plus the organization's custom metrics (in the order they were
    added)."""
    if organization_id is None:
        return catalog()
    custom = db.session.scalars(
        select(CustomMetric)
        .where(CustomMetric.organization_id == organization_id)
        .order_by(CustomMetric.id)
    ).all()
    if not custom:
        return catalog()
    return scoring.catalog_from_dict(
        {"metrics": [*catalog().to_dict()["metrics"], *(m.definition() for m in custom)]}
    )


def viewer_catalog(user) -> scoring.Catalog:
    """The catalog a user scores with: vendors the built-in one, buyer-side users their
    organization's."""
    return catalog() if user.role == "vendor" else catalog_for(user.organization_id)


def profile_of(record: ScoringProfile | None) -> scoring.Profile:
    return (
        default_profile()
        if record is None
        else scoring.profile_from_dict(record.settings, catalog_for(record.organization_id))
    )


def _checked_settings(settings: Mapping[str, Any], organization_id: int) -> dict[str, Any]:
    return checked_settings(settings, catalog_for(organization_id))


def checked_settings(settings: Mapping[str, Any], metrics: scoring.Catalog) -> dict[str, Any]:
    """A profile's settings as `scoring.profile_from_dict` validates them against `metrics`;
    ValidationFailed naming each setting (`settings.<field>`) otherwise. Shared by a buyer's
    profiles and a coalition's (procure.coalitions.measurement)."""
    try:
        return scoring.profile_from_dict(dict(settings), metrics).to_dict()
    except scoring.ProfileError as invalid:
        errors: dict[str, list[str]] = {}
        for error in invalid.errors:
            errors.setdefault(f"settings.{error.field}", []).append(error.message)
        raise ValidationFailed(
            errors, "The scoring profile is not valid: see the message for each setting."
        ) from None


def create_profile(
    organization_id: int, name: str, settings: Mapping[str, Any], user
) -> ScoringProfile:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": ["Give the profile a name."]})
    taken = ValidationFailed(
        {"name": [f"A profile named {name!r} exists: change it to make a new version."]}
    )
    if db.session.scalar(
        select(ScoringProfile.id).where(
            ScoringProfile.organization_id == organization_id, ScoringProfile.name == name
        )
    ):
        raise taken
    record = ScoringProfile(
        organization_id=organization_id,
        name=name,
        number=1,
        settings=_checked_settings(settings, organization_id),
        created_by_id=user.id,
    )
    db.session.add(record)
    insert_once(record, taken)  # another request may have created it since the check
    record_event("scoring_profile.create", record, actor=user, after={"name": name, "number": 1})
    return record


def latest_version(record: ScoringProfile) -> ScoringProfile:
    latest = db.session.scalars(
        select(ScoringProfile)
        .where(
            ScoringProfile.organization_id == record.organization_id,
            ScoringProfile.name == record.name,
        )
        .order_by(ScoringProfile.number.desc())
    ).first()
    if latest is None:  # the record is one of the versions, unless it was deleted meanwhile
        raise LookupError(f"scoring profile {record.id} no longer exists")
    return latest


def revise_profile(record: ScoringProfile, settings: Mapping[str, Any], user) -> ScoringProfile:
    """A new version with new settings; the earlier versions stay as they were."""
    latest = latest_version(record)
    if latest.id != record.id:
        raise ConflictError(
            f"Version {record.number} is not the latest ({latest.number} is): "
            "change the latest version."
        )
    revision = ScoringProfile(
        organization_id=record.organization_id,
        name=record.name,
        number=record.number + 1,
        settings=_checked_settings(settings, record.organization_id),
        created_by_id=user.id,
    )
    db.session.add(revision)
    insert_once(
        revision,
        ConflictError(  # two changes of the same version at once: the first one made it
            f"Version {record.number} was changed by someone else a moment ago "
            f"(version {revision.number} exists now): reload it and apply your change again."
        ),
    )
    record_event(
        "scoring_profile.revise",
        revision,
        actor=user,
        before={"number": record.number},
        after={"number": revision.number},
    )
    return revision


def profiles_for(organization_id: int) -> Sequence[ScoringProfile]:
    """The latest version of each of the organization's profiles."""
    newest = (
        select(ScoringProfile.name, func.max(ScoringProfile.number).label("number"))
        .where(ScoringProfile.organization_id == organization_id)
        .group_by(ScoringProfile.name)
        .subquery()
    )
    return db.session.scalars(
        select(ScoringProfile)
        .join(
            newest,
            (ScoringProfile.name == newest.c.name) & (ScoringProfile.number == newest.c.number),
        )
        .where(ScoringProfile.organization_id == organization_id)
        .order_by(ScoringProfile.name)
    ).all()


@dataclass(frozen=True)
class Ranking:
    inputs: ScoringInput
    result: scoring.ScoreResult | None
    stability: pd.DataFrame | None


def rank_vendors(
    profile: scoring.Profile,
    category: str | None = None,
    *,
    organization_id: int | None,
    top_k: int = 5,
    with_stability: bool = True,
    metrics: scoring.Catalog | None = None,
    period_end: date | None = None,
) -> Ranking:
    """Score every vendor under `profile` with `metrics` (default: the built-in catalog), as the
    organization's disclosure reviews have them (see `scoring_input`): each vendor on its latest
    period, or, with `period_end`, the vendors that disclosed that period."""
    metrics = metrics or catalog()
    inputs = scoring_input(
        organization_id,
        category,
        period_end=period_end,
        evidence_age_months=profile.evidence_age_months,
        buyer_columns=buyer_columns_read(metrics),
    )
    if inputs.table is None:
        return Ranking(inputs, None, None)
    result = scoring.score_table(inputs.table, metrics, profile)
    stability = (
        scoring.rank_stability(result, top_k=min(top_k, len(result.scores)))
        if with_stability
        else None
    )
    return Ranking(inputs, result, stability)


def _key(table_ids, vendor_id: int):
    """The vendor id as the scoring table holds it (ids are read as text from CSV)."""
    for candidate in table_ids:
        if str(candidate) == str(vendor_id):
            return candidate
    return None


PILLARS = ("impact", "cost", "quality")


def score_rows(ranking: Ranking) -> list[dict[str, Any]]:
    """The ranked comparison, one plain dict per vendor, best first."""
    if ranking.result is None:
        return []
    scores = ranking.result.scores
    explanation = ranking.result.explanation
    topsis = scoring.topsis_ranking(ranking.result)
    ordered = scores.sort_values("rank")
    # whole columns to plain dicts first: a pandas lookup per vendor and field is slow at 1,000s
    points = (
        explanation.groupby(["vendor_id", "pillar"])["points"]
        .sum()
        .unstack("pillar")
        .reindex(index=ordered.index, columns=PILLARS)
        .fillna(0.0)
        .to_dict("index")
    )
    stability = (
        ranking.stability.reindex(ordered.index).to_dict("index")
        if ranking.stability is not None
        else {}
    )
    closeness = topsis.reindex(ordered.index).to_dict("index")
    rows = []
    for vendor_key, score in ordered.to_dict("index").items():
        # scoring_input's table is read from CSV, so the vendor ids are text
        vendor_id = int(cast(str, vendor_key))
        disclosure = ranking.inputs.disclosures[vendor_id]
        stable = stability.get(vendor_key)
        close = closeness[vendor_key]
        ranked_by_topsis = close["rank"] == close["rank"]  # NaN when TOPSIS left the vendor out
        rows.append(
            {
                "vendor_id": vendor_id,
                "vendor_name": ranking.inputs.vendors[vendor_id].name,
                "category": score["category"],
                "unit": ranking.inputs.offers[vendor_id].unit,  # of the offer scored
                "rank": int(score["rank"]),
                "total": float(score["total"]),
                "impact": float(score["impact"]),
                "cost": float(score["cost"]),
                "quality": float(score["quality"]),
                "points": {pillar: float(points[vendor_key][pillar]) for pillar in PILLARS},
                "impact_score": float(score["impact_score"]),
                "knocked_out": bool(score["knocked_out"]),
                "knockout_reason": score["knockout_reason"] or None,
                "p_top_k": None if stable is None else float(stable["p_top_k"]),
                "rank_p05": None if stable is None else int(stable["rank_p05"]),
                "rank_p95": None if stable is None else int(stable["rank_p95"]),
                "topsis_closeness": float(close["closeness"]) if ranked_by_topsis else None,
                "topsis_rank": int(close["rank"]) if ranked_by_topsis else None,
                "disclosure_id": disclosure.id,
                "period_end": disclosure.period_end,
            }
        )
    return rows


def _clean(value):
    return None if value is None or (isinstance(value, float) and value != value) else value


def scorecard(
    vendor_id: int,
    profile: scoring.Profile,
    category: str | None = None,
    *,
    organization_id: int | None,
    metrics: scoring.Catalog | None = None,
    ranking: Ranking | None = None,
    row: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Every point of one vendor's total, with peer percentiles; None when it is not scored.
    `ranking` is `rank_vendors` under the same arguments (without stability) when the caller
    has it, so a page that also weighs what-ifs on it reads and scores once. `row` is the
    vendor's row of the current stored ranking of the same arguments (rankings.scorecard_row:
    with its rank stability), read instead of ranking every vendor's row; without it the row
    is `score_rows`' of `ranking`."""
    if ranking is None:
        ranking = rank_vendors(
            profile,
            category,
            organization_id=organization_id,
            with_stability=False,
            metrics=metrics,
        )
    if ranking.result is None:
        return None
    key = _key(ranking.result.scores.index, vendor_id)
    if key is None:
        return None
    if row is None:
        row = next(r for r in score_rows(ranking) if r["vendor_id"] == vendor_id)
    earlier = earlier_points(
        vendor_id,
        row["period_end"],
        profile,
        category,
        organization_id=organization_id,
        metrics=metrics,
    )
    return assemble_card(
        row,
        card_parts(ranking, [vendor_id])[vendor_id],
        earlier,
        len(ranking.result.scores),
        category,
    )


# a scorecard line: the explanation's columns but the vendor's id and the pillar arithmetic
CARD_LINE_COLUMNS = tuple(
    column
    for column in EXPLANATION_COLUMNS
    if column not in ("vendor_id", "pillar_weight", "impact_contribution")
)


def card_parts(ranking: Ranking, vendor_ids: Sequence[int] | None = None) -> dict[int, dict]:
    """Per vendor scored by `ranking` (or only `vendor_ids`): what its scorecard shows besides
    the headline row and the trend, as plain data: the explanation lines with their peer
    percentiles, the sites, the scored figures, the evidence sections and the offer scored.
    The whole table's columns are read once, so every vendor's parts cost little more than
    one's (the stored ranking keeps them all: procure.scoring.rankings)."""
    if ranking.result is None:
        return {}
    inputs = ranking.inputs
    wanted = set(ranking.inputs.disclosures if vendor_ids is None else vendor_ids)
    percentiles = scoring.peer_percentiles(ranking.result).to_dict("index")
    explanation = ranking.result.explanation
    if vendor_ids is not None:
        keys = [_key(ranking.result.scores.index, vendor_id) for vendor_id in vendor_ids]
        explanation = explanation[explanation["vendor_id"].isin(keys)]
    lines: dict[int, list[dict[str, Any]]] = {}
    # column by column, not a dict per row (`to_dict("records")` was a third of storing the
    # cards of 10,000 vendors, #23): each column once as Python values, then zipped
    cleaned = [
        [_clean(value) for value in explanation[column].tolist()]
        if column in explanation.columns
        else [None] * len(explanation)
        for column in CARD_LINE_COLUMNS
    ]
    vendor_keys, metrics = explanation["vendor_id"].tolist(), explanation["metric"].tolist()
    for vendor_key, metric, *values in zip(vendor_keys, metrics, *cleaned, strict=True):
        line = dict(zip(CARD_LINE_COLUMNS, values, strict=True))
        line["peer_percentile"] = _clean(percentiles.get(vendor_key, {}).get(metric))
        lines.setdefault(int(vendor_key), []).append(line)
    table = inputs.table
    figures = {} if table is None else _figures_by_vendor(table, wanted)
    parts = {}
    for vendor_id in wanted:
        if vendor_id not in lines:
            continue  # not scored (not in the table)
        disclosure = inputs.disclosures[vendor_id]
        claims = disclosure.figures.get("evidence") or {}
        offer = inputs.offers[vendor_id]
        parts[vendor_id] = {
            # every site of the version scored, and which one the wage metrics use
            "sites": site_wages(disclosure.figures),
            # the disclosure's figures as the score reads them (the scoring table's row)
            "scored_figures": figures[vendor_id],
            "explanation": lines[vendor_id],
            # each section's effective level as scored, why, and where the claim goes beyond it
            "evidence": [
                section_view(section, claims.get(section), level)
                for section, level in inputs.evidence[vendor_id].items()
            ],
            # the offer scored, as priced, and why its price compares with fewer offers
            "offer": offer.as_dict() | {"unit_note": _unit_note(offer.category, offer.unit)},
        }
    return parts


def assemble_card(
    row: Mapping[str, Any],
    parts: Mapping[str, Any],
    earlier: Sequence[Mapping[str, Any]],
    peers: int,
    category: str | None,
) -> dict[str, Any]:
    """A scorecard from its headline `row`, its `card_parts`, the trend's earlier periods
    (`earlier_points`) and the number of vendors ranked; the trend's latest period is the
    headline itself, so the two never disagree. The offers left out are read as they are."""
    group = peer_group(peers, category)
    history = sorted([*earlier, _point(row, peers, group)], key=lambda point: point["period_end"])
    return {
        "score": dict(row),
        "sites": parts["sites"],
        "scored_figures": parts["scored_figures"],
        "explanation": parts["explanation"],
        "evidence": parts["evidence"],
        "peers": peers,
        "peer_group": group,
        "trend": history,
        "offer": parts["offer"],
        "offers_left_out": offers_left_out(row["vendor_id"], category),
    }


def default_category(organization_id: int | None) -> str | None:
    """The service category a comparison opens on: the one most of the organization's open
    needs are in; among equals (or with no needs), the one with the most active offers, then
    by key. The cost pillar compares prices within a category, so ranking every category
    together is a choice, never the default. None when no category has an offer or a need."""
    needs = dict(
        db.session.execute(
            select(Need.service_category, func.count())
            .where(Need.organization_id == organization_id, Need.archived.is_(False))
            .group_by(Need.service_category)
        ).all()
    )
    offers = active_offers_by_category()
    known = [key for key in {*needs, *offers} if key in service_categories()]
    if not known:
        return None
    return min(known, key=lambda key: (-needs.get(key, 0), -offers.get(key, 0), key))


def active_offers_by_category() -> dict[str, int]:
    """How many active offers each category has, counted once per change of the offers: the
    count (a scan of every offer, 12 ms at 10,000 vendors, #23) is kept by the app with the
    global data version it was read at, which every offer created or changed bumps
    (procure.scoring.versions); the version is read first, so a count is never older than
    the version it is kept with."""
    version = data_versions(GLOBAL)[0]
    kept = current_app.extensions.get("active_offers_by_category")
    if kept is not None and kept[0] == version:
        return dict(kept[1])
    counts = dict(
        db.session.execute(
            select(Offer.service_category, func.count())
            .where(Offer.active.is_(True))
            .group_by(Offer.service_category)
        ).all()
    )
    if not (db.session.new or db.session.dirty):  # a count this transaction may roll back: not kept
        # one assignment: a thread reading the pair meanwhile sees the old one or the new one
        current_app.extensions["active_offers_by_category"] = (version, counts)
    return dict(counts)


def peer_group(peers: int, category: str | None, period_end: date | None = None) -> str:
    """Whom a rank is among: "33 vendors in Data annotation, each on its latest disclosure", or
    "11 vendors that disclosed the period ending 2024-12-31"."""
    among = f"{peers} vendor{'s' if peers != 1 else ''}"
    if category:
        among += f" in {category_label(category)}"
    if period_end is None:
        return f"{among}, each on its latest disclosure"
    return f"{among} that disclosed the period ending {period_end.isoformat()}"


def _point(row: Mapping[str, Any], peers: int, group: str) -> dict[str, Any]:
    return {
        "period_end": row["period_end"],
        "total": row["total"],
        "rank": row["rank"],
        "peers": peers,
        "peer_group": group,
        "impact_score": row["impact_score"],
        "cost": row["cost"],
        "knocked_out": row["knocked_out"],
        "disclosure_id": row["disclosure_id"],
    }


def _scored_period_select(vendor_ids: Collection[int], organization_id: int | None):
    """(vendor id, period end) of each period of these vendors with a submitted version the
    organization has not rejected (every one when read as disclosed), once each."""
    statement = select(Disclosure.vendor_id, Disclosure.period_end).where(
        Disclosure.vendor_id.in_(list(vendor_ids)),
        Disclosure.state == DisclosureState.SUBMITTED,
    )
    if organization_id is not None:
        statement = statement.where(
            ~Disclosure.in_state_for(ReviewDecision.REJECTED, organization_id)
        )
    return statement.distinct()


def scored_periods(vendor_id: int, organization_id: int | None) -> list[date]:
    """The periods of the vendor with a submitted version the organization has not rejected
    (every one when read as disclosed), oldest first: those its trend shows."""
    rows = db.session.execute(_scored_period_select([vendor_id], organization_id))
    return sorted(period for _, period in rows)


def earlier_points(
    vendor_id: int,
    latest_period: date,
    profile: scoring.Profile,
    category: str | None,
    *,
    organization_id: int | None,
    metrics: scoring.Catalog | None,
) -> list[dict[str, Any]]:
    """The vendor's total and rank in each period before its headline's (`latest_period`),
    scored as the headline is, from the same inputs for the same reader: the profile, the
    catalog, the category, the organization's reviews and every attestation. Each period ranks
    among the vendors that disclosed it (one ranking per period)."""
    points: list[dict[str, Any]] = []
    for period in scored_periods(vendor_id, organization_id):
        if period == latest_period:
            continue
        ranking = _period_ranking(profile, category, organization_id, metrics, period)
        points += _period_points(ranking, period, category, [vendor_id]).values()
    return points


def earlier_points_of_all(
    latest_periods: Mapping[int, date],
    profile: scoring.Profile,
    category: str | None,
    *,
    organization_id: int | None,
    metrics: scoring.Catalog | None,
) -> dict[int, list[dict[str, Any]]]:
    """`earlier_points` of every vendor of `latest_periods` (vendor id -> its headline's period),
    with one ranking per period that is some vendor's earlier one, not one per vendor and
    period: what a stored ranking keeps for its scorecards' trends."""
    # the periods `scored_periods` reads, of the asked vendors only, at once
    submitted = db.session.execute(_scored_period_select(latest_periods, organization_id)).all()
    periods: dict[int, set[date]] = {}
    for vendor_id, period in submitted:
        periods.setdefault(vendor_id, set()).add(period)
    # a scored period before the headline's is a submitted one before the vendor's newest
    needed = {period for own in periods.values() for period in own if period < max(own)}
    points: dict[int, list[dict[str, Any]]] = {vendor_id: [] for vendor_id in latest_periods}
    for period in sorted(needed):
        ranking = _period_ranking(profile, category, organization_id, metrics, period)
        wanted = [v for v in ranking.inputs.disclosures if latest_periods.get(v, period) != period]
        for vendor_id, point in _period_points(ranking, period, category, wanted).items():
            points[vendor_id].append(point)
    return points


def _period_ranking(
    profile: scoring.Profile,
    category: str | None,
    organization_id: int | None,
    metrics: scoring.Catalog | None,
    period: date,
) -> Ranking:
    """The vendors that disclosed the period ending `period`, ranked as a trend point is."""
    return rank_vendors(
        profile,
        category,
        organization_id=organization_id,
        with_stability=False,
        metrics=metrics,
        period_end=period,
    )


def _period_points(
    ranking: Ranking, period: date, category: str | None, vendor_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Per vendor of `vendor_ids` that `ranking` (of the period ending `period`) scored: its
    trend point. A vendor left out has no active offer (in the category) to score it with."""
    if ranking.result is None:
        return {}
    scores = ranking.result.scores
    peers = len(scores)
    group = peer_group(peers, category, period)
    # the table's vendor ids are text (read from CSV)
    by_id = {
        str(key): score
        for key, score in scores[["total", "rank", "impact_score", "cost", "knocked_out"]]
        .to_dict("index")
        .items()
    }
    points = {}
    for vendor_id in vendor_ids:
        score = by_id.get(str(vendor_id))
        if score is None:
            continue
        row = {
            "period_end": period,
            "total": float(score["total"]),
            "rank": int(score["rank"]),
            "impact_score": float(score["impact_score"]),
            "cost": float(score["cost"]),
            "knocked_out": bool(score["knocked_out"]),
            "disclosure_id": ranking.inputs.disclosures[vendor_id].id,
        }
        points[vendor_id] = _point(row, peers, group)
    return points


def reviewing_organizations(vendor_id: int) -> Sequence[Organization]:
    """The buyer organizations that reviewed one of the vendor's submitted versions (a version
    or a section of one), by name."""
    submitted = select(Disclosure.id).where(
        Disclosure.vendor_id == vendor_id, Disclosure.state == DisclosureState.SUBMITTED
    )
    reviewers = union(
        select(DisclosureReview.organization_id).where(
            DisclosureReview.disclosure_id.in_(submitted)
        ),
        select(DisclosureSectionReview.organization_id).where(
            DisclosureSectionReview.disclosure_id.in_(submitted)
        ),
    ).subquery()
    return db.session.scalars(
        select(Organization)
        .where(Organization.id.in_(select(reviewers.c.organization_id)))
        .order_by(Organization.name)
    ).all()


def buyer_ranking(organization_id: int, category: str | None = None) -> Ranking:
    """Every vendor as the buyer organization scores it for a vendor's "what each buyer sees":
    the default profile and the built-in catalog with the organization's reviews (a buyer's own
    profiles and metrics stay private)."""
    return rank_vendors(
        default_profile(), category, organization_id=organization_id, with_stability=False
    )


def vendor_score(ranking: Ranking, vendor_id: int) -> pd.Series | None:
    """The vendor's row of the ranking's scores (total, rank, ...); None when it is not scored."""
    if ranking.result is None:
        return None
    key = _key(ranking.result.scores.index, vendor_id)
    return None if key is None else ranking.result.scores.loc[key]


def buyer_views(
    vendor_id: int,
    category: str | None = None,
    rankings: Mapping[int, Ranking] | None = None,
    organizations: Sequence[Organization] | None = None,
) -> list[dict[str, Any]]:
    """For the vendor's own scorecard: each buyer organization that reviewed one of its
    submitted versions (`organizations`, when the caller read them: `reviewing_organizations`),
    in that order, the total and rank that buyer sees (its own reviews and every attestation
    applied; a buyer's own profiles stay private), and what it decided on the version it scores
    ("Northwind verified wages"). `rankings`: each organization's ranking by id, when the
    caller has them (shared_profiles.buyer_views: under what each buyer ranks with); else
    `buyer_ranking`, under the default profile."""
    views = []
    if organizations is None:
        organizations = reviewing_organizations(vendor_id)
    for organization in organizations:
        ranking = (rankings or {}).get(organization.id) or buyer_ranking(organization.id, category)
        score = vendor_score(ranking, vendor_id)
        if ranking.result is None or score is None:
            views.append(
                {
                    "organization": organization.name,
                    "scored": False,
                    "decisions": ["rejected every version it could score"],
                }
            )
            continue
        peers = len(ranking.result.scores)
        disclosure = ranking.inputs.disclosures[vendor_id]
        views.append(
            {
                "organization": organization.name,
                "scored": True,
                "disclosure_id": disclosure.id,
                "total": float(score["total"]),
                "rank": int(score["rank"]),
                "peers": peers,
                "peer_group": peer_group(peers, category),
                "decisions": _decisions(disclosure, organization.id),
            }
        )
    return views


def _decisions(disclosure: Disclosure, organization_id: int) -> list[str]:
    """What the organization decided on the version: "verified wages", "rejected training"."""
    decided = [
        f"{review.decision} {review.section}"
        for review in sorted(disclosure.section_reviews, key=lambda r: r.section)
        if review.organization_id == organization_id
    ]
    version = disclosure.review_by(organization_id)
    if version is not None:
        decided.insert(0, f"{version.decision} the version")
    return decided or ["no decision on this version"]


def scored_figures(table: pd.DataFrame | None, vendor_id: int) -> dict[str, Any]:
    """The vendor's disclosure columns of the scoring table (None where not disclosed)."""
    if table is None:
        return {}
    return _figures_by_vendor(table, [vendor_id])[vendor_id]


def _figures_by_vendor(table: pd.DataFrame, vendor_ids: Iterable[int]) -> dict[int, dict]:
    """`scored_figures` of each vendor of `vendor_ids` that `table` holds, from one pass."""
    wanted = {str(vendor_id) for vendor_id in vendor_ids}
    chosen = table[table["vendor_id"].astype(str).isin(wanted)]
    columns = (*COLUMN_FIELDS, WAGE_SITE_COLUMN)
    return {
        int(record["vendor_id"]): {
            column: _clean(value.item() if hasattr(value := record[column], "item") else value)
            for column in columns
        }
        for record in chosen.to_dict("records")
    }


def _unit_note(category: str, unit: str) -> str | None:
    """Why an offer in another unit than its category's compares with fewer prices; None in
    the category's unit."""
    known = service_categories().get(category)
    if known is None or known.unit == unit:
        return None
    return (
        f"Priced per {unit}, while {known.label} is bought per {known.unit}: the cost pillar "
        f"compares it with the lowest per-{unit} price of the category only."
    )


def _active_offers(vendor_id: int, category: str | None) -> Sequence[Offer]:
    statement = select(Offer).where(Offer.vendor_id == vendor_id, Offer.active).order_by(Offer.id)
    if category is not None:
        statement = statement.where(Offer.service_category == category)
    return db.session.scalars(statement).all()


def offers_left_out(vendor_id: int, category: str | None = None) -> list[dict[str, Any]]:
    """The vendor's active offers (in `category`) that no price comparison can use, each with
    why: priced at 0, or in a currency without an exchange rate to US dollars (the rates in
    force today, `procure.disclosures.pricing`). Offer id order."""
    offers = _active_offers(vendor_id, category)
    rates = usd_rates({offer.currency for offer in offers}, pricing_day())
    left_out = []
    for offer in offers:
        reason = left_out_reason(float(offer.price), offer.currency, rates)
        if reason is None:
            continue
        left_out.append(
            {
                "offer_id": offer.id,
                "category": offer.service_category,
                "unit": offer.unit,
                "currency": offer.currency,
                "reason": f"{category_label(offer.service_category)}, per {offer.unit}: {reason}",
            }
        )
    return left_out


def unscored_reasons(
    vendor_id: int, category: str | None = None, *, organization_id: int | None
) -> list[str]:
    """Why the vendor has no score (in `category`) for the organization: no submitted
    disclosure, every submitted version of it rejected, no active offer, or only offers that
    no price comparison can use (`offers_left_out`)."""
    reasons = []
    submitted = select(Disclosure.id).where(
        Disclosure.vendor_id == vendor_id, Disclosure.state == DisclosureState.SUBMITTED
    )
    if db.session.scalar(submitted.limit(1)) is None:
        reasons.append("No submitted disclosure: drafts are not scored.")
    elif organization_id is not None:
        unrejected = submitted.where(
            ~Disclosure.in_state_for(ReviewDecision.REJECTED, organization_id)
        )
        if db.session.scalar(unrejected.limit(1)) is None:
            reasons.append("Your organization rejected every submitted version of its disclosure.")
    offers = _active_offers(vendor_id, category)
    if not offers:
        where = f" in {category_label(category)}" if category else ""
        reasons.append(f"No active offer{where}: the cost pillar needs a price.")
    elif len(left_out := offers_left_out(vendor_id, category)) == len(offers):
        reasons += [f"Offer {o['offer_id']} is left out: {o['reason']}." for o in left_out]
    return reasons


def what_if(
    vendor_id: int,
    profile: scoring.Profile,
    changes: Mapping[str, Any],
    category: str | None = None,
    *,
    organization_id: int | None,
    metrics: scoring.Catalog | None = None,
    ranking: Ranking | None = None,
    baseline: Mapping[str, Any] | None = None,
    checked_with: Disclosure | None = None,
) -> dict[str, Any]:
    """The vendor's total and rank if some of its figures were different. `ranking` is
    `rank_vendors` under the same profile, category, organization and catalog when the caller
    has it: several what-ifs (the "how to raise your score" panel) then read the database and
    score the unchanged table once. `baseline` is the vendor's row of the current stored
    ranking of the same arguments (its scorecard's headline): the total, rank and impact score
    "before" are read from it (the same figures as the unchanged table's). `checked_with`: the
    version whose other figures the changes are checked with (default the scored one; a draft
    whose figures the changes are: procure.scoring.draft_effect)."""
    if ranking is None:
        inputs = scoring_input(
            organization_id, category, evidence_age_months=profile.evidence_age_months
        )
    else:
        inputs = ranking.inputs
    table = inputs.table
    key = None if table is None else _key(table["vendor_id"], vendor_id)
    if table is None or key is None:
        raise ValidationFailed(
            {"vendor_id": ["This vendor has no submitted disclosure and offer to score yet."]}
        )
    # the disclosure's figures and the offer's price and quality; not the offer's unit or the
    # category's lowest price, which come from the rate cards. A site's wage is named
    # `wages[<index>].<column>`, in the site's own currency per its pay period.
    by_site = site_changes(changes)
    # a figure no metric reads (BOUNDING_FIGURES) is checked with the others, never scored
    columns = {
        key: value
        for key, value in changes.items()
        if not SITE_FIELD.fullmatch(key) and key not in BOUNDING_FIGURES
    }
    unknown = sorted(
        set(columns) - set(REQUIRED_COLUMNS) | ({"vendor_id", "category"} & set(columns))
    )
    if unknown:
        raise ValidationFailed(
            {f"changes.{name}": ["Not a figure you can change here."] for name in unknown}
        )
    impossible = impossible_changes(checked_with or inputs.disclosures[vendor_id], changes)
    if impossible:
        raise ValidationFailed(
            {f"changes.{column}": messages for column, messages in impossible.items()},
            "The disclosure's own rules refuse these figures: see the message for each.",
        )
    site_note = None
    if by_site:  # the scored site is chosen again from the changed sites, as the flat row does
        columns |= wage_columns_with(inputs.disclosures[vendor_id], changes)
        before = scored_figures(table, vendor_id).get(WAGE_SITE_COLUMN)
        if columns.get(WAGE_SITE_COLUMN) != before:
            site_note = (
                f"The wages scored would be {columns.get(WAGE_SITE_COLUMN)}'s instead of "
                f"{before}'s: the site whose entry-level wage is lowest against its minimum."
            )
    try:
        outcome = scoring.what_if(
            table,
            metrics or catalog(),
            profile,
            key,
            columns,
            scored=None if ranking is None else ranking.result,
        )
    except scoring.TableError as invalid:
        raise ValidationFailed(
            {f"changes.{e.column}": [e.message] for e in invalid.errors}
        ) from None
    total_before, rank_before, impact_score_before = (
        (outcome.total_before, outcome.rank_before, outcome.impact_score_before)
        if baseline is None
        else (baseline["total"], baseline["rank"], baseline["impact_score"])
    )
    sentence = (
        f"The total would move from {total_before:.1f} to {outcome.total_after:.1f}, "
        f"rank {rank_before} to {outcome.rank_after}."
    )
    return {
        "total_before": total_before,
        "total_after": outcome.total_after,
        "rank_before": rank_before,
        "rank_after": outcome.rank_after,
        "impact_score_before": impact_score_before,
        "impact_score_after": outcome.impact_score_after,
        "sentence": sentence,
        "site_note": site_note,
        "moves": [
            {
                "metric": move.metric,
                "label": move.label,
                "unit": move.unit,
                "value_before": move.value_before,
                "value_after": move.value_after,
                "points_before": move.points_before,
                "points_after": move.points_after,
                "points_delta": move.points_delta,
            }
            for move in outcome.moves
        ],
    }


METRIC_FIELDS = ("key", "label", "formula", "unit", "direction", "goalposts", "section", "source")


def add_custom_metric(organization_id: int, values: Mapping[str, Any], user) -> CustomMetric:
    """Add a metric to the organization's catalog, checked by the catalog's own rules (a safe
    formula over known disclosure fields, a key no other metric has, L != U, ...). Flushes."""
    entry = checked_metric(values, catalog_for(organization_id))
    metric = CustomMetric(
        organization_id=organization_id,
        created_by_id=user.id,
        **{name: entry[name] for name in METRIC_FIELDS},
    )
    insert_metric(metric)
    record_event("custom_metric.create", metric, actor=user, after=metric.definition())
    bump(organization_id)  # its catalog, hence its rankings, changed
    return metric


def insert_metric(metric: Any) -> None:
    """Insert a new metric (a CustomMetric, or a coalition's CoalitionMetric; flushes). The
    catalog read to check it may miss the same key a parallel request added: refused alike
    (422 naming `key`)."""
    db.session.add(metric)
    insert_once(
        metric,
        ValidationFailed(
            {"key": [f"duplicate key {metric.key!r}"]},
            "The metric was not added: see the message for each field.",
        ),
    )


def checked_metric(values: Mapping[str, Any], current: scoring.Catalog) -> dict[str, Any]:
    """A metric's fields (METRIC_FIELDS) as `current` plus it would hold them, checked by the
    catalog's own rules and the columns' lengths (MetricDefinition); ValidationFailed naming
    each field otherwise. Shared by a buyer's custom metrics and a coalition's."""
    entry: dict[str, Any] = {name: values.get(name) for name in METRIC_FIELDS}
    too_long = {
        name: [f"At most {length} characters."]
        for name, column in CustomMetric.__table__.c.items()
        if name in entry
        and (length := getattr(column.type, "length", None))
        and len(str(entry[name] or "")) > length
    }
    if too_long:
        raise ValidationFailed(
            too_long, "The metric was not added: see the message for each field."
        )
    try:
        scoring.add_metric(current, entry)
    except scoring.CatalogError as invalid:
        prefix = f"metrics[{len(current.metrics)}]."
        errors: dict[str, list[str]] = {}
        for error in invalid.errors:
            field = error.field.removeprefix(prefix)
            if error.field.startswith("metrics[") and not error.field.startswith(prefix):
                field = "key"  # about another metric: only a key can clash
            errors.setdefault(field, []).append(error.message)
        raise ValidationFailed(
            errors, "The metric was not added: see the message for each field."
        ) from None
    return entry | {"goalposts": [float(bound) for bound in entry["goalposts"]]}


def delete_custom_metric(metric: CustomMetric, user) -> None:
    """Remove a custom metric that no version of the organization's profiles uses (flushes)."""
    users = [
        f"{p.name} v{p.number}"
        for p in db.session.scalars(
            select(ScoringProfile)
            .where(ScoringProfile.organization_id == metric.organization_id)
            .order_by(ScoringProfile.name, ScoringProfile.number)
        ).all()
        if metric.key in (p.settings.get("metric_weights") or {})
        or metric.key in (p.settings.get("goalposts") or {})
    ]
    if users:
        raise ConflictError(
            f"The metric {metric.key!r} is used by {', '.join(users)}: profile versions are kept "
            "as they were, so it stays."
        )
    record_event("custom_metric.delete", metric, actor=user, before=metric.definition())
    bump(metric.organization_id)
    db.session.delete(metric)
    db.session.flush()
