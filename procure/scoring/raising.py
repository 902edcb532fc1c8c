"""How to raise your score: the concrete actions on a vendor's own scorecard, largest gain first.

Each action is a set of changed figures scored by the what-if (`services.what_if`), never by a
formula of its own, so the points and the rank it shows are those the what-if box and the API
give for the same change. One ranking (the database read and the unchanged table's scores) is
shared by every action: the page scores the table once, then once more per action.

The actions:
- per evidence section, a file attached (in a new version: files go on drafts) and an
  unqualified limited-assurance statement; the level each would give is derived by the one rule
  of `procure.disclosures.evidence_levels.effective_level`, ageing and the statements the
  section has already included (an adverse statement on it, for one, stays the most cautious);
- 10 % of the headcount more impact workers at period end, capped by the headcount;
- the scored site's median wage of impact workers raised to its living-wage benchmark, when it
  is below;
- 20 more training hours per impact worker (and as many more for all employees).
An action the disclosure's own rules refuse (what the what-if refuses) or that gains less than
MIN_GAIN is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import scoring
from procure.disclosures.evidence_levels import (
    DOCUMENTED,
    LEVEL_LABELS,
    THIRD_PARTY_LIMITED,
    EffectiveLevel,
    SectionEvidence,
    Statement,
    effective_level,
)
from procure.disclosures.pricing import pricing_day
from procure.disclosures.tables import site_wages
from procure.errors import ValidationFailed
from procure.formatting import plain_number
from procure.scoring import services
from procure.scoring.shared_profiles import ScoringBasis
from procure.scoring_defaults import default_profile
from procure.states import AssuranceLevel, Opinion
from scoring.contract import EVIDENCE_COLUMNS
from scoring.fields import EVIDENCE_LEVELS

# more impact workers: this share of the headcount at period end (capped by the headcount)
IMPACT_WORKER_STEP = 0.10
# more training: these many hours a year per impact worker
TRAINING_HOURS_STEP = 20.0
# an action gaining less is not listed: the page shows points to one decimal ("+0.0")
MIN_GAIN = 0.05
# the words after an amount paid per pay period: "KES 24,000 a month"
PER_PERIOD = {"hour": "an hour", "week": "a week", "month": "a month", "year": "a year"}


def _rank(level: str) -> int:
    return EVIDENCE_LEVELS.index(level)


def _backing(level: EffectiveLevel) -> SectionEvidence:
    """What backs the section, as the level was derived from it."""
    return SectionEvidence(level.files, level.decision, level.decided_on, level.statements)


def _statement(today) -> Statement:
    """What a provider would issue today: an unqualified limited-assurance statement."""
    return Statement(
        id=0,
        provider="an assurance provider",
        standard="ISAE 3000 (Revised)",
        assurance=AssuranceLevel.LIMITED,
        opinion=Opinion.UNQUALIFIED,
        issued_on=today,
        expires_on=today + timedelta(days=365),
    )


def _upgraded(level: EffectiveLevel, kind: str, period_end, age_months: int) -> EffectiveLevel:
    """The section's level once the evidence step `kind` ("document": one more file;
    "assurance": a statement issued today) is taken, for the reader `level` was derived for (a
    buyer's own rejection of the section stands for that buyer)."""
    today = pricing_day()
    backing = _backing(level)
    if kind == "document":
        backed = SectionEvidence(
            backing.files + 1, backing.decision, backing.decided_on, backing.statements
        )
    else:
        backed = SectionEvidence(
            backing.files,
            backing.decision,
            backing.decided_on,
            (*backing.statements, _statement(today)),
        )
    return effective_level(backed, period_end, age_months=age_months, on=today)


def _evidence_actions(
    evidence: dict[str, EffectiveLevel], period_end, age_months: int, disclosure_id: int
) -> list[dict[str, Any]]:
    actions = []
    for section, level in evidence.items():
        upgrades = []
        if _rank(level.level) < _rank(DOCUMENTED):
            upgrades.append(
                (
                    "document",
                    f"Attach a document to the {section} section",
                    "in a new version of your disclosure (files go on drafts)",
                )
            )
        if _rank(level.level) < _rank(THIRD_PARTY_LIMITED):
            upgrades.append(
                (
                    "assurance",
                    f"Get an independent assurance statement on the {section} section "
                    "(limited assurance)",
                    "share the version scored with an assurance provider from its page; "
                    "an unqualified statement",
                )
            )
        for kind, title, how in upgrades:
            after = _upgraded(level, kind, period_end, age_months)
            if _rank(after.level) <= _rank(level.level):
                continue  # it would not lift the section (an adverse statement stays)
            aged = " (one level lower: the period ended long ago)" if after.aged else ""
            actions.append(
                {
                    "kind": kind,
                    "section": section,
                    "title": title,
                    "detail": f"{how[:1].upper()}{how[1:]}: the {section} section would score "
                    f"as {LEVEL_LABELS[after.level]}{aged} instead of {level.label}.",
                    "changes": {EVIDENCE_COLUMNS[section]: after.level},
                    "link": ("disclosure_pages.show", disclosure_id, "assurance")
                    if kind == "assurance"
                    else ("disclosure_pages.show", disclosure_id, "evidence"),
                }
            )
    return actions


def _count(value) -> int | None:
    return None if value is None else int(value)


def _impact_worker_action(figures: dict[str, Any]) -> list[dict[str, Any]]:
    headcount, impact = (
        _count(figures.get("headcount_end")),
        _count(figures.get("impact_workers_end")),
    )
    if not headcount or impact is None:
        return []
    step = max(1, round(IMPACT_WORKER_STEP * headcount))
    after = min(headcount, impact + step)
    if after <= impact:
        return []
    capped = ", capped by the headcount" if after < impact + step else ""
    return [
        {
            "kind": "impact_workers",
            "section": "workforce",
            "title": f"Employ {after - impact:,} more impact workers",
            "detail": f"Impact workers at period end {impact:,} → {after:,} of your "
            f"{headcount:,} employees (10 % of the headcount{capped}).",
            "changes": {"impact_workers_end": after},
            "link": None,
        }
    ]


def _living_wage_actions(figures: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for index, site in enumerate(site_wages(figures)):
        median = site["wages"]["impact_worker_median_wage"]
        living = site["wages"]["living_wage_benchmark"]
        if not site["scored"] or median is None or living is None or median >= living:
            continue
        name = site["site"] or f"site {index + 1}"
        per = PER_PERIOD.get(site["pay_period"] or "", f"per {site['pay_period']}")
        amount = f"{site['currency'] or ''} {plain_number(living)} {per}".strip()
        actions.append(
            {
                "kind": "living_wage",
                "section": "wages",
                "title": f"Raise the median wage at {name} to the living wage ({amount})",
                "detail": f"Impact workers' median wage at {name}, the site scored: "
                f"{site['currency'] or ''} {plain_number(median)} → {plain_number(living)} "
                f"{per}.",
                "changes": {f"wages[{index}].impact_worker_median_wage": living},
                "link": None,
            }
        )
    return actions


def _training_action(figures: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """More hours for impact workers are more hours for all employees too: both rise by the
    same hours, so the disclosure's rule (impact workers' hours <= all employees') holds."""
    hours, impact = (
        figures.get("training_hours_impact_workers"),
        _count(figures.get("impact_workers_end")),
    )
    if not impact:
        return []
    before = hours or 0.0
    added = TRAINING_HOURS_STEP * impact
    changes: dict[str, Any] = {"training_hours_impact_workers": before + added}
    everyone = (document.get("training") or {}).get("training_hours_all")
    if everyone is not None:
        changes["training_hours_all"] = everyone + added
    return [
        {
            "kind": "training",
            "section": "training",
            "title": f"Give each impact worker {plain_number(TRAINING_HOURS_STEP)} more hours "
            "of training",
            "detail": f"Training hours of impact workers {plain_number(before)} → "
            f"{plain_number(before + added)} for {impact:,} impact workers"
            + (
                f", and of all employees {plain_number(everyone)} → "
                f"{plain_number(everyone + added)}."
                if everyone is not None
                else "."
            ),
            "changes": changes,
            "link": None,
        }
    ]


def score_actions(
    vendor_id: int,
    profile: scoring.Profile,
    category: str | None = None,
    *,
    organization_id: int | None,
    metrics: scoring.Catalog | None = None,
    ranking: services.Ranking | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The actions that raise the vendor's total, largest gain first (then the better rank, then
    the order above), each with its changes, the points gained, the total and rank it reaches
    among the same peers as the scorecard's headline, and the lines that move; empty when the
    vendor is not scored. Reads only: nothing is stored. `ranking` is `services.rank_vendors`
    under the same arguments (without stability) when the caller has it (the scorecard's);
    `baseline` the vendor's row of the current stored ranking (the scorecard's headline), which
    the total and rank "before" are read from (`services.what_if`)."""
    if ranking is None:
        ranking = services.rank_vendors(
            profile,
            category,
            organization_id=organization_id,
            with_stability=False,
            metrics=metrics,
        )
    if ranking.result is None or vendor_id not in ranking.inputs.disclosures:
        return []
    inputs = ranking.inputs
    disclosure = inputs.disclosures[vendor_id]
    figures = services.scored_figures(inputs.table, vendor_id)
    candidates = [
        *_evidence_actions(
            inputs.evidence[vendor_id],
            disclosure.period_end,
            profile.evidence_age_months,
            disclosure.id,
        ),
        *_impact_worker_action(figures),
        *_living_wage_actions(disclosure.figures),
        *_training_action(figures, disclosure.figures),
    ]
    peers = len(ranking.result.scores)
    actions = []
    for order, candidate in enumerate(candidates):
        try:
            outcome = services.what_if(
                vendor_id,
                profile,
                candidate["changes"],
                category,
                organization_id=organization_id,
                metrics=metrics,
                ranking=ranking,
                baseline=baseline,
            )
        except ValidationFailed:
            continue  # the disclosure's own rules refuse the figures: no action to suggest
        gain = outcome["total_after"] - outcome["total_before"]
        if gain < MIN_GAIN:
            continue
        actions.append(
            candidate
            | {
                "order": order,
                "points": gain,
                "total_before": outcome["total_before"],
                "total_after": outcome["total_after"],
                "rank_before": outcome["rank_before"],
                "rank_after": outcome["rank_after"],
                "peers": peers,
                "moves": [m for m in outcome["moves"] if abs(m["points_delta"]) >= 0.005],
            }
        )
    return sorted(actions, key=lambda a: (-a["points"], a["rank_after"], a["order"]))


def buyer_changes(
    action: Mapping[str, Any], evidence: dict[str, EffectiveLevel], period_end, age_months: int
) -> dict[str, Any]:
    """The action's changes as a buyer scores them: an evidence step lifts the section from the
    level that buyer scores (its own verification or rejection included), so it may lift it
    less, or not at all ({}); every other step changes the same figures for every reader."""
    if action["kind"] not in ("document", "assurance"):
        return dict(action["changes"])
    level = evidence[action["section"]]
    after = _upgraded(level, action["kind"], period_end, age_months)
    if _rank(after.level) <= _rank(level.level):
        return {}
    return {EVIDENCE_COLUMNS[action["section"]]: after.level}


def with_buyer_ranks(
    vendor: Any,
    actions: list[dict[str, Any]],
    disclosure_id: int,
    buyer_rankings: Mapping[int, services.Ranking],
    category: str | None = None,
    bases: Mapping[int, ScoringBasis] | None = None,
    names: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Each action with `buyers`: per buyer organization that reviews the vendor (the keys of
    `buyer_rankings`, `services.buyer_ranking` each, as "what each buyer sees" shows them), by
    name, the vendor's own total and rank that buyer sees before and after the step, under what
    that buyer ranks with (`bases`, shared_profiles.buyer_basis: the coalition profile it
    adopted, else the default profile; a buyer's own profiles stay private). The "before" is
    that ranking's row, the figure "what each buyer sees" shows on the same page; the "after"
    is the what-if with that buyer's ranking, only for the actions shown. A buyer that scores
    another version of the disclosure (it rejected the one scored here) gets a note instead of
    ranks."""
    if names is None:  # the caller's, read once with "what each buyer sees"
        names = {
            organization.id: organization.name
            for organization in services.reviewing_organizations(vendor.id)
        }
    per_action: list[list[dict[str, Any]]] = [[] for _ in actions]
    for organization_id, name in names.items():
        ranking = buyer_rankings.get(organization_id)
        if ranking is None:  # began reviewing since its ranking was read
            continue
        basis = (bases or {}).get(organization_id)
        profile = basis.profile if basis is not None else default_profile()
        scored = ranking.inputs.disclosures.get(vendor.id)
        score = services.vendor_score(ranking, vendor.id)
        if scored is None or score is None or scored.id != disclosure_id:
            note = (
                "does not score you: it rejected every version it could score"
                if scored is None or score is None
                else "scores another version of your disclosure"
            )
            for buyers in per_action:
                buyers.append({"organization": name, "note": note})
            continue
        assert ranking.result is not None  # it scored the vendor
        peers = len(ranking.result.scores)
        # the ranking "what each buyer sees" shows on the same page: one figure, one source
        before = (float(score["total"]), int(score["rank"]))
        for action, buyers in zip(actions, per_action, strict=True):
            changes = buyer_changes(
                action,
                ranking.inputs.evidence[vendor.id],
                scored.period_end,
                profile.evidence_age_months,
            )
            after = before
            if changes:
                try:
                    outcome = services.what_if(
                        vendor.id,
                        profile,
                        changes,
                        category,
                        organization_id=organization_id,
                        metrics=basis.metrics if basis is not None else None,
                        ranking=ranking,
                    )
                except ValidationFailed as refused:  # said, not dropped: every buyer is listed
                    reasons = "; ".join(
                        " ".join(map(str, m)) for m in (refused.errors or {}).values()
                    )
                    buyers.append(
                        {
                            "organization": name,
                            "note": f"cannot be scored for this buyer: {reasons}",
                        }
                    )
                    continue
                after = (outcome["total_after"], outcome["rank_after"])
            buyers.append(
                {
                    "organization": name,
                    "total_before": before[0],
                    "rank_before": before[1],
                    "total_after": after[0],
                    "rank_after": after[1],
                    "peers": peers,
                    "note": None
                    if changes
                    else "no change for this buyer: its own review of the section decides "
                    "its level",
                }
            )
    return [action | {"buyers": buyers} for action, buyers in zip(actions, per_action, strict=True)]
