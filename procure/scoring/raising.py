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


def _evidence_actions(
    evidence: dict[str, EffectiveLevel], period_end, age_months: int, disclosure_id: int
) -> list[dict[str, Any]]:
    today = pricing_day()
    statement = Statement(  # what a provider would issue today
        id=0,
        provider="an assurance provider",
        standard="ISAE 3000 (Revised)",
        assurance=AssuranceLevel.LIMITED,
        opinion=Opinion.UNQUALIFIED,
        issued_on=today,
        expires_on=today + timedelta(days=365),
    )
    actions = []
    for section, level in evidence.items():
        backing = _backing(level)
        upgrades = []
        if _rank(level.level) < _rank(DOCUMENTED):
            upgrades.append(
                (
                    "document",
                    SectionEvidence(
                        backing.files + 1,
                        backing.decision,
                        backing.decided_on,
                        backing.statements,
                    ),
                    f"Attach a document to the {section} section",
                    "in a new version of your disclosure (files go on drafts)",
                )
            )
        if _rank(level.level) < _rank(THIRD_PARTY_LIMITED):
            upgrades.append(
                (
                    "assurance",
                    SectionEvidence(
                        backing.files,
                        backing.decision,
                        backing.decided_on,
                        (*backing.statements, statement),
                    ),
                    f"Get an independent assurance statement on the {section} section "
                    "(limited assurance)",
                    "share the version scored with an assurance provider from its page; "
                    "an unqualified statement",
                )
            )
        for kind, backed, title, how in upgrades:
            after = effective_level(backed, period_end, age_months=age_months, on=today)
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
