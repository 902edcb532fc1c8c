"""The plain dict the board report and the XLSX pack are rendered from (no ORM objects)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.deliveries.actuals import actuals_if_approved
from procure.disclosures.tables import WORST_SITE_RULE
from procure.extensions import db
from procure.formatting import action_words
from procure.scenarios import award_limits, award_rules, figures, review, services, trail
from procure.scenarios.models import Scenario
from procure.scenarios.review import plain_words
from procure.scoring.services import catalog, catalog_for
from procure.scoring.shared_profiles import shared_catalog
from procure.states import ScenarioStatus

MAX_COMPARED = 5
TARGET_KINDS = review.TARGET_KINDS


def _comparable(scenario: Scenario) -> list[Scenario]:
    """This scenario and up to four other solved ones of the organization over the same needs."""
    others = db.session.scalars(
        select(Scenario)
        .where(
            Scenario.organization_id == scenario.organization_id,
            Scenario.id != scenario.id,
            Scenario.status.in_(
                (
                    ScenarioStatus.SOLVED,
                    ScenarioStatus.SUBMITTED,
                    ScenarioStatus.APPROVED,
                    ScenarioStatus.REJECTED,
                )
            ),
        )
        .order_by(Scenario.id.desc())
    ).all()
    same_needs = [s for s in others if sorted(s.need_ids) == sorted(scenario.need_ids)]
    return [scenario, *same_needs[: MAX_COMPARED - 1]]


def _name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else None


def _scored_metrics(scenario: Scenario, settings: dict) -> list:
    """The metrics the scenario's scores were made with: the built-in catalog and the custom
    metrics its frozen profile names (a custom metric added since is not part of them); the
    coalition's metrics for a scenario solved under a coalition profile."""
    built_in = {m.key for m in catalog().metrics}
    named = set(settings.get("metric_weights") or {})
    metrics = (
        shared_catalog(scenario.coalition_id)
        if scenario.coalition_id is not None
        else catalog_for(scenario.organization_id)
    )
    return [m for m in metrics.metrics if m.key in built_in or m.key in named]


def _sources(problem: dict, hours_per_fte_year: float) -> list[str]:
    """Where the hours, rates and jobs came from (the version 2 document says; version 1 as it
    was printed)."""
    if not figures.counts_hours(problem):
        return [
            "Exchange rates: the platform's approximate period-end rates",
            f"Jobs: impact-worker hours / {hours_per_fte_year:,} hours per full-time year",
        ]
    meta = problem.get("meta") or {}
    rate_date = meta.get("rate_date")
    # an award scenario's prices are its event's bids (meta.event), a plan's the rate cards
    priced = "bid" if meta.get("event") else "offer"
    sources = [
        f"Labour hours: each allocation's volume × the {priced}'s hours per unit (the vendor's "
        "own figure; 1 for work bought by the hour). Totals, impact-worker hours and the "
        "averages of impact and quality add and weigh labour hours, never items and hours "
        "together",
        "Impact-worker hours: labour hours × the vendor's impact-worker share (impact workers "
        "/ headcount at the end of the scored period)",
        "Exchange rates: the rate in force on "
        f"{rate_date or 'the day the plan was built'} for each {priced}, kept with the "
        f"{priced} in the plan's stored inputs (original price, currency, rate and its date); "
        "prices are rounded for display only",
        f"Jobs: impact-worker hours / {hours_per_fte_year:,g} hours per full-time year, the "
        "setting kept with the plan when it was solved",
    ]
    if meta.get("event"):
        sources.insert(
            0,
            f"Prices: the bids of the sourcing event “{meta['event'].get('title')}”, not the "
            "rate cards. A bid states no quality: it counts at the vendor's rate-card quality "
            "in the lot's category and unit, else at the lot's minimum quality",
        )
    return sources


def _actuals(scenario: Scenario) -> dict[str, Any] | None:
    actuals = actuals_if_approved(scenario)
    return actuals if actuals and actuals["deliveries"] else None


def _whole_number_rules(problem: dict, result: dict, plain) -> dict[str, Any] | None:
    limits = award_limits.plan_limits(problem, result)
    if limits is None:
        return None
    return {"rules": [plain(rule) for rule in limits["rules"]], "gap": limits["gap"]}


def _award_rules(problem: dict, result: dict, plain) -> dict[str, Any] | None:
    """The award rules the plan was made under, in words, and both costs where adjustments
    priced the choice (procure.scenarios.award_rules)."""
    rules = [plain(line) for line in award_rules.rule_sentences(problem)]
    notes = [plain(note) for note in (problem.get("meta") or {}).get("award_rules") or []]
    if not rules and not notes:
        return None
    return {
        "rules": rules,
        "notes": notes,
        "costs": award_rules.cost_sentence(result),
    }


def _no_plan_impact(problem: dict) -> dict[str, Any]:
    """The impact figures of a scenario without allocations (infeasible): none to report."""
    return {
        "impact_worker_hours": None,
        "fte_jobs": None,
        "hours_per_fte_year": figures.hours_per_fte_year(problem),
        "labour_hours": None,
        "training_hours_per_impact_worker": None,
        "living_wage_ratio": None,
        "units": [],
        "by_vendor": [],
    }


def _price_per_step(constraint: dict, plain) -> dict[str, Any] | None:
    quoted = review.price_per_step(constraint)
    return {"value": quoted[0], "unit": plain(quoted[1])} if quoted else None


def _relaxing_alone(row: dict[str, Any]) -> str:
    """What relaxing one target of `review.target_fixes` alone does, as the board PDF's table
    and the XLSX pack's Targets sheet say it."""
    if row["fix"] is not None:
        return "makes a plan possible"
    if row["feasible_if_relaxed"] is False:
        return "is not enough"
    return "unknown (the solver's time ran out)"


def _infeasible_targets(explanation: dict, plain) -> list[dict[str, Any]]:
    """Each target of the explanation (`review.target_fixes`), with what relaxing it alone
    does, the change its fix needs (limit − asked, in the target's unit), whether it is in the
    set of rules that cannot all hold together, and its own sentence in plain words."""
    conflicting = {m["name"] for m in (explanation.get("conflict") or {}).get("constraints") or []}
    entries = explanation.get("targets") or {}
    return [
        {
            **row,
            "relaxing_alone": _relaxing_alone(row),
            "change": round(row["fix"] - row["target"], 9)  # 0.413 − 0.4: 0.013, no float dust
            if row["fix"] is not None and row["target"] is not None
            else None,
            "conflicting": row["name"] in conflicting,
            "sentence": plain((entries.get(row["name"]) or {}).get("sentence")),
        }
        for row in review.target_fixes(explanation, review.TARGET_LABELS)
    ]


def _infeasibility(scenario: Scenario, plain) -> dict[str, Any] | None:
    """Why no plan meets every target, as the scenario page says it: the explanation's summary
    and its suggestions, in plain words; None for a scenario that is not infeasible."""
    if scenario.status != ScenarioStatus.INFEASIBLE:
        return None
    explanation = (scenario.result or {}).get("explanation") or {}
    targets = _infeasible_targets(explanation, plain)
    lines = [plain(line) for line in review.infeasibility_lines(explanation)]
    conflict = explanation.get("conflict") or {}
    return {
        "summary": plain(explanation.get("summary") or ""),
        # a target's or rule's own sentence is its row below (one figure each), not a line
        "lines": lines,
        # the suggested fixes: each target that alone makes a plan possible, then the lines
        "fixes": [
            f"Set “{row['label']}” to {row['reachable']} (asked: {row['asked']})."
            for row in targets
            if row["fix"] is not None
        ]
        + lines,
        # each target that conflicts: asked, the best the others allow (one figure each)
        "targets": targets,
        # the rules that cannot all hold together (one irreducible set of the problem without
        # its whole-number rules), and the solver's note where it found none
        "conflict": [
            {"rule": plain(member.get("label")), "kind": member.get("kind")}
            for member in conflict.get("constraints") or []
        ],
        "conflict_note": plain(conflict.get("note")),
        # each award rule (group limit, incumbent) that conflicts, in words
        "rules": [
            plain(row["sentence"])
            for row in award_rules.rule_fixes(explanation, None)
            if row["sentence"]
        ],
        # the vendors the problem left out, and why (as "Vendors left out" on the page): the
        # capacity or prices a plan lacks may be theirs
        "left_out": [
            {
                "vendor": entry["name"],
                "vendor_id": entry.get("vendor"),
                "reason": plain(entry["reason"]),
            }
            for entry in ((scenario.problem or {}).get("meta") or {}).get("excluded") or []
        ],
    }


def board_context(scenario: Scenario) -> dict[str, Any]:
    """The report's figures, from the scenario's stored problem and result documents (need titles
    and vendor names as they were when it was solved), keyed by the optimizer's ids."""
    result = scenario.result or {}
    totals = result.get("totals") or {}
    problem = scenario.problem or {}
    in_hours = figures.counts_hours(problem)
    compared = _comparable(scenario)
    comparison = review.compare(compared)
    key = comparison.pop("figures")[0]
    # with its rows per vendor (the comparison reads the summary); an infeasible scenario has no
    # plan to measure
    impact = review.projected_impact(scenario) if key["impact"] else _no_plan_impact(problem)
    names, titles = review.problem_labels(problem)
    scores = {v["id"]: v.get("impact_score") for v in problem.get("vendors", [])}
    units = {n["id"]: n.get("unit") or "" for n in problem.get("needs", [])}
    asked_volumes = {n["id"]: n.get("volume") for n in problem.get("needs", [])}
    offers = figures.offer_lines(problem)
    plain = plain_words(names, titles, offers)
    profile_label = services.profile_label(scenario)  # its own, a coalition's or the default
    approved = scenario.status == ScenarioStatus.APPROVED
    settings = scenario.profile_settings or {}
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Scenario", AuditEvent.target_id == str(scenario.id))
        .order_by(AuditEvent.id)
    ).all()
    changes_said = trail.trail_words(events)  # what each change did, in words
    kpis = [
        {"label": "Total cost", "value": totals.get("cost"), "format": "money"},
        {"label": "Average impact", "value": totals.get("avg_impact"), "format": "number"},
        {"label": "Average quality", "value": totals.get("avg_quality"), "format": "percent"},
        {"label": "Jobs for impact workers", "value": impact["fte_jobs"], "format": "number"},
        {
            "label": "Impact-worker hours",
            "value": impact["impact_worker_hours"],
            "format": "integer",
        },
        {"label": "Vendors", "value": key["vendors"], "format": "integer"},
    ]
    if in_hours:
        kpis.insert(
            1, {"label": "Labour hours", "value": impact["labour_hours"], "format": "integer"}
        )
    return {
        "organization": db.session.get_one(Organization, scenario.organization_id).name,
        "generated_at": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "scenario": {
            "id": scenario.id,
            "name": scenario.name,
            "status": scenario.status,
            "relaxed": scenario.relaxed,
            "objective": scenario.objective,
            "measure": key["measure"],
            "approved_by": _name(scenario.decided_by_id) if approved else None,
            "approved_at": scenario.decided_at.strftime("%Y-%m-%d")
            if scenario.decided_at and approved
            else None,
            "decision_comment": scenario.decision_comment,
            "profile": profile_label,
        },
        "summary": comparison["summary"],
        "kpis": kpis,
        "comparison": {
            "scenarios": comparison["scenarios"],
            "chosen": 0,
            "rows": [
                {"label": r["label"], "values": r["values"], "format": r["format"]}
                for r in comparison["rows"]
            ],
        },
        "frontier": {
            "measure": (scenario.frontier or {}).get("measure", figures.IMPACT),
            "points": (scenario.frontier or {}).get("points", []),
            "chosen": figures.chosen_point(result, problem),
        },
        "allocations": [
            {
                "need_id": a["need"],
                "need": titles.get(a["need"], a["need"]),
                "vendor_id": a["vendor"],
                "vendor": names.get(a["vendor"], a["vendor"]),
                "volume": a["volume"],
                "unit": units.get(a["need"], ""),
                "price": a["price"],
                "cost": a["cost"],
                "impact_score": scores.get(a["vendor"]),
                # labour hours (version 2 only: None where the document did not count them)
                "hours_per_unit": a.get("hours_per_unit") if in_hours else None,
                "hours": figures.allocation_hours(a, problem) if in_hours else None,
                **figures.price_source(a, offers),
            }
            for a in result.get("allocations", [])
        ],
        # each need's figures and own targets, and the plan's (the XLSX pack's Needs sheet)
        "totals": {key: totals.get(key) for key in ("cost", "avg_impact", "avg_quality")},
        "needs": [
            {
                **line,
                "need_id": line["need"],
                "need": titles.get(line["need"], line["title"]),
                # the volume the problem asks for (`volume` is what the plan placed)
                "volume_needed": asked_volumes.get(line["need"]),
            }
            for line in figures.need_lines(result, problem)
        ],
        "impact": {
            "impact_worker_hours": impact["impact_worker_hours"],
            "fte_jobs": impact["fte_jobs"],
            "hours_per_fte_year": impact["hours_per_fte_year"],
            "labour_hours": impact["labour_hours"],
            "training_hours_per_impact_worker": impact["training_hours_per_impact_worker"],
            "living_wage_ratio": impact["living_wage_ratio"],
            "units": impact["units"],
            "by_vendor": [
                {
                    k: v.get(k)
                    for k in (
                        "vendor_id",
                        "vendor",
                        "volume",
                        "unit",
                        "share_of_volume",
                        "hours",
                        "share_of_hours",
                        "impact_worker_share",
                        "impact_worker_hours",
                        "living_wage_ratio",
                    )
                    if k in v
                }
                for v in impact["by_vendor"]
            ],
        },
        # projected against actual, as the API and the scenario page give it (None until an
        # approved plan has a delivery recorded)
        "actuals": _actuals(scenario),
        "constraints": [
            {
                "label": plain(c["label"]),
                "binding": c["binding"],
                "slack": c.get("slack"),
                "shadow_price": c.get("shadow_price"),
                "unit": plain(c.get("unit")),
                "meaning": plain(review.price_words(c)),
                # the slack and the price in words and plain units ("1.2 % of labour hours
                # below the cap"; 302.5, "$ per extra point of average impact on “…”")
                "slack_words": plain(review.slack_words(c)),
                "price_per_step": _price_per_step(c, plain),
                "kind": c.get("kind"),  # the report lists few capacities (reports.listed_rules)
            }
            for c in result.get("constraints", [])
            if c.get("binding") or c.get("kind") in TARGET_KINDS
        ],
        # the needs' whole-number rules the plan used and the gap the solver reached (None
        # when it used none)
        "whole_number_rules": _whole_number_rules(problem, result, plain),
        "award_rules": _award_rules(problem, result, plain),
        # the targets that gave way by their priorities (a plan of status optimal_relaxed)
        "relaxations": review.relaxation_rows(result, plain),
        # why no plan meets every target (an infeasible scenario; None otherwise)
        "infeasibility": _infeasibility(scenario, plain),
        "method": {
            "profile": profile_label,
            "pillar_weights": settings.get("pillar_weights", {}),
            "metrics": [
                {
                    "key": m.key,
                    "label": m.label,
                    "formula": m.formula.text,
                    "goalposts": list((settings.get("goalposts") or {}).get(m.key, m.goalposts)),
                    "weight": (settings.get("metric_weights") or {}).get(m.key, 0.0),
                    "section": m.section,
                    "source": m.source,
                }
                for m in _scored_metrics(scenario, settings)
            ],
            "evidence_factors": settings.get("evidence_factors", {}),
            "sources": [
                "Figures: the vendor disclosures the plan was solved with, each named with its "
                "period in the plan's stored inputs",
                "Minimum and living wages: as disclosed per site, each with its source and date. "
                + WORST_SITE_RULE,
                *_sources(problem, impact["hours_per_fte_year"]),
            ],
        },
        "audit": [
            {
                "at": e.created_at.strftime("%Y-%m-%d %H:%M"),
                "who": _name(e.actor_id) or "—",
                "action": action_words(e.action)
                + (f": {said}" if (said := changes_said.get(e.id)) else ""),
            }
            for e in events
        ],
    }
