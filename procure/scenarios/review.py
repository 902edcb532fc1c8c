"""Executive review: key figures per scenario, side-by-side comparison, projected impact.

Everything here reads the stored problem and result documents and the projection worked out
from them at solve time (`compute_projection`; for a scenario solved before migration 0041, the
disclosures the problem names, read again), so a frozen scenario always shows the figures it was
approved on.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select

import optimizer
from procure.disclosures.models import Disclosure
from procure.disclosures.tables import wage_columns
from procure.extensions import db
from procure.formatting import about_money, format_value, plain_number
from procure.jobs.models import Job
from procure.paging import Page, page_of_items
from procure.scenarios import figures, page_facts
from procure.scenarios.models import Scenario
from procure.scenarios.page_facts import distinct_labels
from procure.scoring_defaults import DEFAULT_IMPACT_VENDOR_MIN_SCORE
from procure.states import JobStatus, ScenarioStatus


def _scored_figures(scenarios: list[Scenario]) -> dict[int, dict[str, Any]]:
    """The figures of the disclosure versions the scenarios' vendors that get work were scored
    on, by disclosure id, in one query (plans of the same data share them)."""
    wanted = set()
    for scenario in scenarios:
        scored = ((scenario.problem or {}).get("meta") or {}).get("scored_disclosures", {})
        for allocation in (scenario.result or {}).get("allocations") or []:
            if disclosure_id := scored.get(allocation["vendor"]):
                wanted.add(disclosure_id)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Disclosure.id, Disclosure.figures).where(Disclosure.id.in_(wanted))
    )
    return {disclosure_id: document for disclosure_id, document in rows}


def _fact_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The flat table's columns (`disclosures.tables.flat_row`) that the facts read, taken from
    a disclosure's figures as that row takes them: the training hours, the impact workers at
    the period's end and the wages of the site that scores (`wage_columns`)."""
    return {
        "training_hours_impact_workers": (document.get("training") or {}).get(
            "training_hours_impact_workers"
        ),
        "impact_workers_end": (document.get("workforce") or {}).get("impact_workers_end"),
        **wage_columns(document.get("wages") or []),
    }


def _vendor_facts(
    scenario: Scenario, vendor_ids: Collection[str], documents: Mapping[int, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Per optimizer vendor id of `vendor_ids` (the vendors that get work: a problem holds every
    vendor that could): name, impact-worker share, training hours per impact worker and
    living-wage ratio, from the disclosure version the scenario's scores came from (its figures
    in `documents`, `_scored_figures`)."""
    problem = scenario.problem or {}
    scored = (problem.get("meta") or {}).get("scored_disclosures", {})
    names, _ = problem_labels(problem)
    facts = {}
    for vendor in problem.get("vendors", []):
        if vendor["id"] not in vendor_ids:
            continue
        document = documents.get(scored.get(vendor["id"]))
        row = _fact_columns(document) if document is not None else {}
        facts[vendor["id"]] = {
            "name": names[vendor["id"]],
            "impact_score": vendor.get("impact_score"),
            "impact_worker_share": vendor.get("impact_worker_share"),
            "training_hours_per_impact_worker": figures.ratio(
                row.get("training_hours_impact_workers"), row.get("impact_workers_end")
            ),
            "living_wage_ratio": figures.ratio(
                row.get("impact_worker_median_wage"), row.get("living_wage_benchmark")
            ),
        }
    return facts


def allocation_page(result: Mapping[str, Any] | None, page: int, per_page: int) -> Page[dict]:
    """Page `page` (from 1) of a result's allocation lines, the largest by cost first (lines of
    one cost in the result's order): a plan of 10,000 lines shows its top lines and pages the
    rest."""
    lines = (result or {}).get("allocations") or []
    return page_of_items(page_facts.by_cost(lines), page, per_page)


def _weighted(pairs: list[tuple[float, float | None]]) -> float | None:
    known = [(w, v) for w, v in pairs if v is not None]
    total = sum(w for w, _ in known)
    return sum(w * v for w, v in known) / total if total else None


PROJECTION_FORMAT = 2
"""The layout of a stored projection (`scenario.projection["format"]`). Format 2 (migration
0045): `scenario.projection` holds the summary (`impact` without its rows per vendor, with their
count and the vendors below a living wage), `scenario.projection_rows` the rows (`by_vendor`), so
the scenario page and the comparison never read a row per vendor. A projection of another
layout is worked out again on reading, as one stored before migration 0041."""


def projected_impact(
    scenario: Scenario, documents: Mapping[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the allocation sustains (`compute_projection`), its rows per vendor included: the
    projection stored when the scenario was solved, else (a scenario solved before migration
    0041, or a version 1 document) worked out now from its documents, storing nothing (a read
    writes nothing).

    The stored documents are the scenario's own: read them, never change them.
    `documents`: as `compute_projection` takes them, for a projection worked out now."""
    stored = stored_projection(scenario)
    if stored is not None:
        return {**stored["impact"], "by_vendor": scenario.projection_rows or []}
    return compute_projection(scenario, documents)["impact"]


def projected_summary(
    scenario: Scenario, documents: Mapping[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`projected_impact` without its rows per vendor, with `vendors` (how many get work) and
    `below_living_wage` (`below_living_wage`): what the page, the comparison and the home page
    show, read from the stored summary alone when there is one."""
    stored = stored_projection(scenario)
    if stored is None:
        stored, _ = split_projection(compute_projection(scenario, documents))
    return stored["impact"] | {
        "vendors": stored["vendors"],
        "below_living_wage": stored["below_living_wage"],
    }


def split_projection(projection: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A projection (`compute_projection`) as it is stored: its summary (`scenario.projection`:
    the impact without its rows, their count and the vendors below a living wage) and its rows
    per vendor (`scenario.projection_rows`)."""
    impact = projection["impact"]
    summary = {
        "format": projection["format"],
        "impact": {key: value for key, value in impact.items() if key != "by_vendor"},
        "vendors": len(impact["by_vendor"]),
        "below_living_wage": below_living_wage(impact),
    }
    return summary, impact["by_vendor"]


def stored_projection(scenario: Scenario) -> dict[str, Any] | None:
    """The projection summary stored with the scenario's result, when there is one of this
    layout."""
    stored = scenario.projection
    return stored if stored and stored.get("format") == PROJECTION_FORMAT else None


def store_projection(scenario: Scenario) -> None:
    """Keep the projection with a result (`compute_projection`, `split_projection`); none for a
    result without allocations (nothing to project) and for a version 1 document, whose jobs
    divide by the app's setting of today and so are worked out on each reading."""
    scenario.projection, scenario.projection_rows = None, None
    if (scenario.result or {}).get("allocations") and figures.counts_hours(scenario.problem):
        scenario.projection, scenario.projection_rows = split_projection(
            compute_projection(scenario)
        )


def compute_projection(
    scenario: Scenario, documents: Mapping[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The scenario's projection, `{"format": PROJECTION_FORMAT, "impact": ...}`, worked out
    from its stored problem and result documents and the disclosure versions the solve scored
    (`meta.scored_disclosures`, fixed once submitted): the one computation both of what is
    stored at solve time and of what a scenario solved before it was stored reads.

    `impact`: what the allocation sustains: impact-worker hours (Σ hours × the vendor's
    impact-worker share), full-time jobs (hours / hours per FTE-year), and the training hours
    per impact worker and living-wage ratio of the vendors that get the work, weighted by their
    work; `by_vendor` holds each such vendor's figures and facts.

    The figures are read through `procure.scenarios.figures`: a version 2 document counts every
    need's labour hours (volume × hours per unit), its total equals the result's
    `totals.impact_worker_hours`, and its jobs divide by the hours per FTE-year frozen in the
    document; a version 1 document counts hourly work only, weighs volume and divides by the
    app's setting, as it always showed.

    `documents`: the scored disclosures' figures (`_scored_figures`), read here when not given.
    """
    problem, result = scenario.problem or {}, scenario.result or {}
    in_hours = figures.counts_hours(problem)
    units = figures.need_units(problem)
    allocations = result.get("allocations", [])
    volume: defaultdict[str, float] = defaultdict(float)
    volumes: defaultdict[str, dict[str, float]] = defaultdict(dict)
    cost: defaultdict[str, float] = defaultdict(float)
    hours: defaultdict[str, float] = defaultdict(float)
    weights: defaultdict[str, float] = defaultdict(float)
    for allocation in allocations:
        vendor, unit = allocation["vendor"], units.get(allocation["need"], "hour")
        volume[vendor] += allocation["volume"]
        volumes[vendor][unit] = volumes[vendor].get(unit, 0.0) + allocation["volume"]
        cost[vendor] += allocation["cost"]
        hours[vendor] += figures.allocation_hours(allocation, problem, units)
        weights[vendor] += figures.weight(allocation, problem)
    facts = _vendor_facts(
        scenario, volume.keys(), _scored_figures([scenario]) if documents is None else documents
    )
    used_units = sorted({units.get(a["need"], "hour") for a in allocations})
    total_volume = sum(volume.values())
    total_hours = sum(hours.values())
    by_vendor = []
    for vendor_id in sorted(volume, key=lambda v: -(weights[v])):
        fact = facts.get(vendor_id, {"name": vendor_id})
        share = fact.get("impact_worker_share")
        # version 2 never adds items to hours: a vendor's volume is a sum only in one unit
        one_unit = len(volumes[vendor_id]) == 1
        row = {
            "vendor": fact["name"],
            "vendor_id": vendor_id,
            "volume": volume[vendor_id] if one_unit or not in_hours else None,
            "cost": cost[vendor_id],
            "share_of_volume": (volume[vendor_id] / total_volume if total_volume else 0.0)
            if len(used_units) == 1 or not in_hours
            else None,
            "hours": hours[vendor_id],
            "impact_score": fact.get("impact_score"),
            "impact_worker_share": share,
            "impact_worker_hours": None if share is None else hours[vendor_id] * share,
            "training_hours_per_impact_worker": fact.get("training_hours_per_impact_worker"),
            "living_wage_ratio": fact.get("living_wage_ratio"),
        }
        if in_hours:
            row["unit"] = next(iter(volumes[vendor_id])) if one_unit else None
            row["volumes"] = dict(sorted(volumes[vendor_id].items()))
            row["share_of_hours"] = hours[vendor_id] / total_hours if total_hours else None
        by_vendor.append(row)
    impact = {
        "version": figures.version(problem),
        "measure": figures.measure(problem, scenario.objective),
        "impact_worker_hours": figures.impact_worker_hours(result, problem),
        "fte_jobs": figures.jobs(result, problem),
        "hours_per_fte_year": figures.hours_per_fte_year(problem),
        "labour_hours": figures.labour_hours(result, problem),
        "training_hours_per_impact_worker": _weighted(
            [(weights[v["vendor_id"]], v["training_hours_per_impact_worker"]) for v in by_vendor]
        ),
        "living_wage_ratio": _weighted(
            [(weights[v["vendor_id"]], v["living_wage_ratio"]) for v in by_vendor]
        ),
        "units": used_units,
        "by_vendor": by_vendor,
    }
    if in_hours:
        impact["needs"] = figures.need_figures(result, problem)
    return {"format": PROJECTION_FORMAT, "impact": impact}


TARGET_KINDS = (*optimizer.TARGET_ROWS, *optimizer.NEED_TARGET_ROWS, "max_vendor_share")
"""The constraint kinds that are targets a buyer set (a need's own ones labelled with it): the
scenario's, and a need's own, its largest vendor share included (a bound or a row of the
optimizer, listed where it binds), as the page, the PDF and the Needs sheet count them."""


def impact_vendor_threshold(problems: list[Mapping[str, Any]]) -> float:
    """The impact score from which a vendor counts as an impact vendor, one for all the plans
    compared (their problem documents, or the page facts' copies): the one their targets name
    when they agree, else the platform's default (50)."""
    named = {
        float(limit)
        for problem in problems
        if (limit := (problem.get("targets") or {}).get("impact_vendor_min_score")) is not None
    }
    return named.pop() if len(named) == 1 else DEFAULT_IMPACT_VENDOR_MIN_SCORE


def impact_spend_share(scored_costs: list[list[Any]], threshold: float) -> float | None:
    """Spend with vendors whose impact score (as the plan was solved with it) is `threshold` or
    more, over the plan's spend, of each allocation line's (impact score, cost)
    (`page_facts.work_out`); the optimizer reports this only when a target names the threshold,
    so the comparison works it out for every plan alike."""
    total = math.fsum(cost for _, cost in scored_costs)
    if total <= 0:
        return None
    return (
        math.fsum(cost for score, cost in scored_costs if score is not None and score >= threshold)
        / total
    )


def key_figures(
    scenario: Scenario,
    impact_vendor_min_score: float = DEFAULT_IMPACT_VENDOR_MIN_SCORE,
    documents: Mapping[int, dict[str, Any]] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The KPI set of one scenario (None where it was not solved); impact vendors are those
    scoring `impact_vendor_min_score` or more; `documents` as `projected_impact` takes them.
    Read from its page facts (`facts`, else `page_facts.facts_of`), never from its documents."""
    facts = page_facts.facts_of(scenario) if facts is None else facts
    problem, result = facts["problem"], facts["result"]
    totals = result.get("totals") or {}
    impact = projected_summary(scenario, documents) if facts["allocated"] else None
    spend = facts["spend"]
    total_cost = totals.get("cost")
    names, titles = labels_of((facts["vendor_labels"], facts["need_labels"]))
    plain = plain_words(names, titles, facts["offers"])
    return {
        "impact": impact,
        "measure": figures.measure(problem, scenario.objective),
        "total_cost": total_cost,
        "labour_hours": facts["labour_hours"],
        "avg_impact": totals.get("avg_impact"),
        "impact_spend_share": impact_spend_share(facts["scored_costs"], impact_vendor_min_score),
        "impact_worker_hours": impact["impact_worker_hours"] if impact else None,
        "fte_jobs": impact["fte_jobs"] if impact else None,
        "avg_quality": totals.get("avg_quality"),
        "budget": (problem.get("targets") or {}).get("budget"),
        "below_living_wage": (impact or {}).get("below_living_wage") or [],
        "vendors": len(spend),
        "largest_vendor_share": max(spend.values()) / total_cost if spend and total_cost else None,
        "binding_targets": [
            plain(c["label"])
            for c in result.get("constraints", [])
            if c.get("binding") and c.get("kind") in TARGET_KINDS
        ],
        "relaxations": [row["sentence"] for row in relaxation_rows(result, plain)],
    }


RELAXED_UNITS = {"$": "money", "share (0-1)": "percent"}
"""A relaxation's unit (optimizer.relax) → how its figures print; others are numbers followed
by their unit."""


def relaxation_rows(result: Mapping[str, Any] | None, plain) -> list[dict[str, Any]]:
    """Each target a plan relaxed by its priority (a result of status optimal_relaxed): its
    sentence in plain words, what was asked, what the plan reaches and the difference, with
    `format` ("money", "percent" or "number") and, for a number, its unit in words."""
    if (result or {}).get("status") != optimizer.Status.OPTIMAL_RELAXED:
        return []
    rows = []
    for relaxed in (result or {}).get("relaxations") or []:
        unit = relaxed.get("unit") or ""
        kind = RELAXED_UNITS.get(unit, "number")
        rows.append(
            {
                "sentence": plain(relaxed.get("sentence") or relaxed.get("label") or ""),
                "label": plain(relaxed.get("label") or ""),
                "priority": relaxed.get("priority"),
                "asked": relaxed.get("asked"),
                "reached": relaxed.get("reached"),
                "relaxed_by": relaxed.get("relaxed_by"),
                "format": kind,
                "unit": unit.replace("(0-1)", "(0 to 1)") if kind == "number" else "",
            }
        )
    return rows


def below_living_wage(impact: dict[str, Any] | None) -> list[str]:
    """The vendors of a plan whose impact workers' median wage is below the living wage, with
    the ratio: ["Gramin Mahila BPO (0.97)"]; the scenario page, the comparison and the board
    report flag them."""
    return [
        f"{row['vendor']} ({row['living_wage_ratio']:.2f})"
        for row in (impact or {}).get("by_vendor", [])
        if row.get("living_wage_ratio") is not None and row["living_wage_ratio"] < 1.0
    ]


ROWS = (
    ("total_cost", "Total cost", "money"),
    ("budget", "Budget", "money"),
    ("cost_premium", "Cost premium over the cheapest", "percent"),
    ("labour_hours", "Labour hours", "integer"),
    ("avg_impact", "Average impact score", "number"),
    ("impact_spend_share", "Share of spend with impact vendors", "percent"),
    ("impact_worker_hours", "Impact-worker hours", "integer"),
    ("fte_jobs", "Full-time jobs for impact workers", "number"),
    ("avg_quality", "Average quality", "percent"),
    ("vendors", "Vendors", "integer"),
    ("largest_vendor_share", "Largest vendor's share of spend", "percent"),
    ("below_living_wage", "Vendors paying below a living wage (ratio)", "text"),
    ("binding_targets", "Binding targets", "text"),
)
BEST = {
    "total_cost": min,
    "cost_premium": min,
    "avg_impact": max,
    "impact_spend_share": max,
    "impact_worker_hours": max,
    "fte_jobs": max,
    "avg_quality": max,
    "largest_vendor_share": min,
    "below_living_wage": min,  # the fewest vendors below a living wage
}
"""How the decision page marks the best plan of a row (rows not named here have no best)."""
CONCENTRATED = 0.5
"""A plan that gives one vendor more than this share of its spend is flagged."""
HOURS_ONLY_ROWS = ("labour_hours",)
"""Rows shown only when a compared scenario counts labour hours (version 2)."""


def compare(scenarios: list[Scenario]) -> dict[str, Any]:
    """Side by side: the KPI rows, and the work each vendor gets in each scenario (labour hours
    when every scenario counts them, else volume; vendors named by `problem_labels` over all
    the scenarios, like every other page and report)."""
    # what the page shows of each, worked out once for a plan solved before migration 0047
    facts = [page_facts.facts_of(s) for s in scenarios]
    threshold = impact_vendor_threshold([f["problem"] for f in facts])
    # one read for all the plans whose projection was not stored (solved before 0041)
    documents = _scored_figures([s for s in scenarios if stored_projection(s) is None])
    kpis = [key_figures(s, threshold, documents, f) for s, f in zip(scenarios, facts, strict=True)]
    costs = [f["total_cost"] for f in kpis if f["total_cost"] is not None]
    cheapest = min(costs) if costs else None
    for f in kpis:
        f["cost_premium"] = (
            (f["total_cost"] / cheapest - 1.0) if f["total_cost"] is not None and cheapest else None
        )
    cheapest_plan = cheapest_figures(kpis)
    in_hours = [figures.counts_hours(f["problem"]) for f in facts]
    rows = [
        {
            "key": key,
            "label": (
                f"{label} (impact score {plain_number(threshold)} or more)"
                if key == "impact_spend_share"
                else label
            ),
            "format": fmt,
            "values": [f[key] for f in kpis],
            "best": best_of(key, [f[key] for f in kpis]),
        }
        for key, label, fmt in ROWS
        if key not in HOURS_ONLY_ROWS or any(in_hours)
    ]
    vendor_work: dict[str, list[float]] = {}
    for index, scenario_facts in enumerate(facts):
        for vendor, weight in scenario_facts["weights"].items():
            vendor_work.setdefault(vendor, [0.0] * len(scenarios))[index] = weight
    names, _ = labels_of(*((f["vendor_labels"], f["need_labels"]) for f in facts))
    vendor_rows: list[dict[str, Any]] = [
        {"vendor": names.get(v, v), "values": values, "spread": max(values) - min(values)}
        for v, values in vendor_work.items()
    ]
    # the widest differences first; among equal ones (plans that agree) the largest vendors
    vendor_rows.sort(key=lambda r: (-r["spread"], -max(r["values"]), r["vendor"]))
    if all(in_hours):
        vendor_measure = "labour hours"
    elif any(in_hours):
        vendor_measure = "labour hours (volume for scenarios solved before hours were counted)"
    else:
        vendor_measure = "volume"
    return {
        "scenarios": [s.name for s in scenarios],
        "ids": [s.id for s in scenarios],
        "rows": rows,
        "vendor_rows": vendor_rows,
        "vendor_measure": vendor_measure,
        "figures": kpis,
        "summary": summary_sentences(scenarios, kpis),
        "warnings": [plan_warnings(f, cheapest_plan) for f in kpis],
    }


BUDGET_DRAWN_ABOVE = 1.15
"""The decision chart draws a budget line up to this multiple of the dearest plan's cost; a
budget far above every plan would squeeze the plans into the chart's foot, so it is told in
words instead."""


def chart_inputs(comparison: dict[str, Any]) -> dict[str, Any]:
    """What the decision page's chart draws: each plan's (name, measure, total cost); each budget
    the plans set, with the plans that set it, as a line when it is near the plans' costs
    (`drawn`) or in words (`far`); the measure: impact-worker hours when every plan has them,
    else the average impact score."""
    kpis, names = comparison["figures"], comparison["scenarios"]
    hours = all(f["impact_worker_hours"] is not None for f in kpis)
    key = "impact_worker_hours" if hours else "avg_impact"
    by_budget: dict[float, list[str]] = {}
    for name, f in zip(names, kpis, strict=True):
        if f["budget"] is not None:
            by_budget.setdefault(float(f["budget"]), []).append(name)
    dearest = max((f["total_cost"] for f in kpis if f["total_cost"] is not None), default=0.0)
    budgets = [
        (value, "all plans" if len(set_by) == len(names) else ", ".join(set_by))
        for value, set_by in sorted(by_budget.items())
    ]
    return {
        "plans": [(name, f[key], f["total_cost"]) for name, f in zip(names, kpis, strict=True)],
        "drawn": [b for b in budgets if b[0] <= dearest * BUDGET_DRAWN_ABOVE],
        "far": [b for b in budgets if b[0] > dearest * BUDGET_DRAWN_ABOVE],
        "measure": "hours" if hours else "impact",
    }


def best_of(key: str, values: list[Any]) -> list[int]:
    """The positions of the best value of a comparison row (several when tied), or none when
    the row has no better direction, fewer than two plans have a value, or all are equal."""
    choose = BEST.get(key)
    known = [(i, len(v) if isinstance(v, list) else v) for i, v in enumerate(values)]
    known = [(i, v) for i, v in known if v is not None]
    if choose is None or len(known) < 2 or len({round(v, 9) for _, v in known}) < 2:
        return []
    best = choose(v for _, v in known)
    return [i for i, v in known if abs(v - best) < 1e-9]


def cheapest_figures(kpis: list[dict[str, Any]]) -> dict[str, Any] | None:
    solved = [f for f in kpis if f["total_cost"] is not None]
    return min(solved, key=lambda f: f["total_cost"]) if solved else None


def plan_warnings(f: dict[str, Any], cheapest: dict[str, Any] | None) -> list[str]:
    """What an executive must see before approving a plan: vendors below a living wage, fewer
    jobs for impact workers than the cheapest plan, one vendor's concentration of spend."""
    warnings = []
    relaxed = len(f.get("relaxations") or [])
    if relaxed:
        warnings.append(
            f"{relaxed} target{'s' if relaxed > 1 else ''} relaxed by priority: not every "
            "target holds"
        )
    below = f.get("below_living_wage") or []
    if below:
        warnings.append(f"{len(below)} of {f.get('vendors') or 0} vendors below a living wage")
    if (
        cheapest is not None
        and f is not cheapest
        and f.get("fte_jobs") is not None
        and cheapest.get("fte_jobs") is not None
        and f["fte_jobs"] < cheapest["fte_jobs"] - 0.05
    ):
        warnings.append(
            f"{cheapest['fte_jobs'] - f['fte_jobs']:,.1f} fewer full-time jobs for impact "
            "workers than the cheapest plan"
        )
    share = f.get("largest_vendor_share")
    if share is not None and share > CONCENTRATED:
        warnings.append(f"One vendor takes {share * 100:.0f} % of the spend")
    return warnings


def _jobs_sentence(name: str, cost_words: str, f: dict, cheapest: dict) -> str:
    """A plan the buyer set in impact-worker hours, in jobs: what it sustains, against the
    cheapest plan."""
    jobs = f["fte_jobs"] or 0.0
    more_jobs = jobs - (cheapest["fte_jobs"] or 0.0)
    more_hours = (f["impact_worker_hours"] or 0.0) - (cheapest["impact_worker_hours"] or 0.0)
    if abs(more_jobs) >= 0.05:
        against = f"{abs(more_jobs):,.1f} {'more' if more_jobs > 0 else 'fewer'} than the cheapest"
    elif abs(more_hours) >= 0.5:
        against = (
            f"{abs(more_hours):,.0f} impact-worker hours {'more' if more_hours > 0 else 'fewer'} "
            "than the cheapest (less than a tenth of a full-time job)"
        )
    else:
        against = "as many as the cheapest"
    return (
        f"{name} {cost_words} and sustains {jobs:,.1f} full-time jobs for impact workers "
        f"({f['impact_worker_hours'] or 0.0:,.0f} impact-worker hours), {against}."
    )


def summary_sentences(scenarios: list[Scenario], kpis: list[dict[str, Any]]) -> list[str]:
    """One plain sentence per scenario against the cheapest one, in the measure its buyer set:
    jobs and impact-worker hours for a plan that maximises or targets them, else the average
    impact score and the jobs."""
    solved = [(s, f) for s, f in zip(scenarios, kpis, strict=True) if f["total_cost"] is not None]
    if not solved:
        return []
    cheapest_scenario, cheapest = min(solved, key=lambda pair: pair[1]["total_cost"])
    sentences = []
    for scenario, f in solved:
        jobs = f["fte_jobs"] or 0.0
        in_jobs = f.get("measure") == figures.HOURS
        if scenario.id == cheapest_scenario.id:
            hours_words = (
                f" ({f['impact_worker_hours'] or 0.0:,.0f} impact-worker hours)" if in_jobs else ""
            )
            what = (
                f"costs ${f['total_cost']:,.0f}"
                if len(solved) == 1  # one plan is no "cheapest plan"
                else f"is the cheapest plan (${f['total_cost']:,.0f})"
            )
            sentences.append(
                f"{scenario.name} {what} and sustains "
                f"{jobs:,.1f} full-time jobs for impact workers{hours_words}."
            )
            continue
        premium = f["cost_premium"] or 0.0  # compare() worked it out, and guards a zero cost
        more_jobs = jobs - (cheapest["fte_jobs"] or 0.0)
        cost_words = (
            f"costs the same as the cheapest plan ({cheapest_scenario.name})"
            if premium < 0.0005
            else f"costs {premium * 100:.1f} % more than the cheapest plan "
            f"({cheapest_scenario.name})"
        )
        if in_jobs:
            sentences.append(_jobs_sentence(scenario.name, cost_words, f, cheapest))
            continue
        more_hours = (f["impact_worker_hours"] or 0.0) - (cheapest["impact_worker_hours"] or 0.0)
        if abs(more_jobs) >= 0.05:
            job_words = (
                f"sustains {abs(more_jobs):,.1f} {'more' if more_jobs > 0 else 'fewer'} "
                "full-time jobs for impact workers"
            )
        elif (
            abs(more_hours) >= 0.5
        ):  # under a tenth of a job: the hours say what the jobs round away
            job_words = (
                f"buys {abs(more_hours):,.0f} {'more' if more_hours > 0 else 'fewer'} "
                "hours of work by impact workers (less than a tenth of a full-time job)"
            )
        else:
            job_words = "sustains as many full-time jobs for impact workers"
        impact, cheapest_impact = f["avg_impact"], cheapest["avg_impact"]
        impact_words = ""
        if (
            impact is not None
            and cheapest_impact is not None
            and abs(impact - cheapest_impact) >= 0.05
        ):
            impact_words = (
                f", {'raises' if impact > cheapest_impact else 'lowers'} the average impact score "
                f"from {cheapest_impact:,.1f} to {impact:,.1f}"
            )
        sentences.append(f"{scenario.name} {cost_words}{impact_words} and {job_words}.")
    return sentences + [line for s, f in solved for line in _warnings(s.name, f)]


def _warnings(name: str, f: dict[str, Any]) -> list[str]:
    """What a board must not miss about one plan: how much of its budget it uses, and the
    vendors that pay impact workers below a living wage."""
    lines = [f"In {name}, a target gave way: {sentence}" for sentence in f.get("relaxations") or []]
    if f.get("budget"):
        lines.append(
            f"{name} uses {f['total_cost'] / f['budget'] * 100:.1f} % of its "
            f"${f['budget']:,.0f} budget."
        )
    below, vendors = f.get("below_living_wage") or [], f.get("vendors") or 0
    if below:
        pays = "pays" if len(below) == 1 else "pay"
        lines.append(
            f"In {name}, {len(below)} of {vendors} vendors {pays} impact workers below a living "
            f"wage (median wage ÷ living wage): {', '.join(below)}."
        )
    return lines


def problem_labels(*problems: dict | None) -> tuple[dict[str, str], dict[str, str]]:
    """Vendor names and need titles by optimizer id, as the problem documents stored them when
    they were solved (so a need renamed since does not rename an approved plan), kept distinct
    across all of them. A record named differently in two problems (renamed between the solves)
    takes its name from the first: in a comparison, the scenario it is made for."""
    return labels_of(*(page_facts.raw_labels(problem) for problem in problems))


def labels_of(
    *labels: tuple[Mapping[str, str], Mapping[str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """`problem_labels` of the problems' own labels (`page_facts.raw_labels`)."""
    vendors: dict[str, str] = {}
    needs: dict[str, str] = {}
    for vendor_labels, need_labels in labels:  # the first problem's label wins
        vendors = {**vendor_labels, **vendors}
        needs = {**need_labels, **needs}
    return distinct_labels(vendors, "vendor"), distinct_labels(needs, "need")


def offer_words(key: str, offers: Mapping[str, Mapping[str, Any]]) -> str:
    """An offer line's key ("O12", "B3") as what it is, a bid or a rate card by the line's
    `source` (`figures.is_bid`, as the price sources read it), with the price the vendor
    stated when the problem holds it, so that two rate cards of one vendor read apart:
    "rate card at 12.5 EUR per record"."""
    offer = offers.get(key) or {}
    kind = "bid" if figures.is_bid(offer) else "rate card"
    price = offer.get("original_price", offer.get("price"))
    if price is None:
        return kind
    currency = offer.get("currency") or "USD"
    unit = offer.get("unit") or "unit"
    return f"{kind} at {plain_number(price)} {currency} per {unit}"


def plain_words(
    names: dict, need_titles: dict, offers: Mapping[str, Mapping[str, Any]] | None = None
):
    """Replace the optimizer's ids in its sentences with vendor names, need titles and, given
    the problem's offer lines (`figures.offer_lines`), each offer's stated price."""
    offers = offers or {}

    def plain(text):
        if not isinstance(text, str):
            return text
        # one pass, "vendor V1" and the ids a rule lists bare ("Group Kenya (V1 and V3)",
        # "kept with incumbent V1"): a name put in is never read again ("Team V2")
        text = re.sub(
            r"\b(?:[Vv]endor )?(V\d+)\b",
            lambda m: names.get(m.group(1), m.group(0)),
            text,
        )
        text = re.sub(
            r"\b[Nn]eed (N\d+)\b",
            lambda m: f"“{need_titles[m.group(1)]}”" if m.group(1) in need_titles else m.group(0),
            text,
        )
        return re.sub(
            r"\(offer ([OB]\d+)\)", lambda m: f"({offer_words(m.group(1), offers)})", text
        )

    return plain


def report_outdated(report_job: Job | None, scenario: Scenario) -> bool:
    """Whether the newest board PDF was made from an older version of the scenario (a new
    solve, a submission or a decision came after it)."""
    if report_job is None or report_job.status != JobStatus.SUCCEEDED:
        return False
    return (report_job.result or {}).get("scenario_version") != scenario.version


TARGET_FIELDS = (  # (key, label, hint): the targets form, the fixes and the board PDF
    ("budget", "Budget (USD)", "Empty: the sum of the needs' budgets"),
    (
        "min_avg_impact",
        "Minimum average impact (0–100)",
        "Over all needs, weighted by labour hours; each need's own minimum holds as well",
    ),
    ("min_avg_quality", "Minimum average quality (0–1)", ""),
    ("min_impact_spend_share", "Share of spend with impact vendors (0–1)", ""),
    ("impact_vendor_min_score", "Impact score that makes an impact vendor", "Default 50"),
    ("max_vendor_spend_share", "Largest share of spend per vendor (0–1)", ""),
    (
        "min_impact_worker_hours",
        "Minimum impact-worker hours",
        "Labour hours done by impact workers; shown also as full-time jobs",
    ),
)
TARGET_LABELS = {key: label for key, label, _ in TARGET_FIELDS}


def target_fixes(explanation: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each target of an infeasibility explanation: what was asked and what the other targets
    allow, each as one figure in the target's unit (the figure the explanation's sentence says)
    and as a number (`target`, `limit`), and the value "Apply this fix" sets (None when relaxing
    it alone would not help)."""
    rows = []
    for name, info in (explanation.get("targets") or {}).items():
        asked, achievable = info.get("target"), info.get("achievable")
        known = name in optimizer.TARGET_LIMITS and isinstance(achievable, (int, float))
        limit = optimizer.workable_limit(name, achievable) if known else None
        rows.append(
            {
                "name": name,
                "label": labels.get(name, name.replace("_", " ")),
                "asked": optimizer.limit_text(name, asked)
                if name in optimizer.TARGET_LIMITS and isinstance(asked, (int, float))
                else "—",
                "reachable": optimizer.limit_text(name, limit) if limit is not None else "—",
                # the same two figures as numbers (the XLSX pack writes them as such)
                "target": asked if isinstance(asked, (int, float)) else None,
                "limit": limit,
                "feasible_if_relaxed": info.get("feasible_if_relaxed"),
                "fix": limit if limit is not None and info.get("feasible_if_relaxed") else None,
            }
        )
    return rows


RELAXED = " relaxed"
# what a maximising objective's shadow price is in: (what is reached, its unit)
MEASURE_WORDS = {
    "points of average impact": ("average impact", "points"),
    "impact-worker hours": ("impact-worker hours", "hours"),
}
SMALL_EFFECT = 0.1
"""An effect per step under this (in $, points or hours) is said per a round multiple of the
step, the least power of ten that makes it at least 1: "$1,000 of budget … 2.43 hours", not
"$ of budget … 0.00243 hours"."""
MAX_STEP_MULTIPLE = 10**9
"""The largest multiple a step is counted in (a price is 0 below 1e-9 anyway)."""


def _price_quote(constraint: Mapping[str, Any]) -> tuple[str, str, str | None, float] | None:
    """(measure, what one step is said as after "Each ", the same for a multiple of steps with
    `{n}` where the multiple goes (None: the step is never multiplied), the objective's change
    per step said) of a priced rule, read from the optimizer's structured fields (`measure`,
    `step`, `steps`, `direction`): the sentence says one more step of the rule's limit, so a
    price quoted per step lowered (a target relaxed) is read the other way."""
    price = constraint["shadow_price"]
    measure, step = constraint.get("measure"), constraint.get("step")
    direction = constraint.get("direction")
    if not measure or not step or direction not in ("raised", "lowered"):
        return _legacy_price_quote(price, constraint.get("unit") or "")
    steps = constraint.get("steps")
    change = price if direction == "raised" else -price
    return measure, f"extra {step}", f"extra {{n}} {steps}" if steps else None, change


def _legacy_price_quote(price: float, unit: str) -> tuple[str, str, str | None, float] | None:
    """`_price_quote` of a result stored before constraints carried their unit in parts: the
    `unit` text parsed ("$ per point of need N1's average impact relaxed"), so the sentence
    reads as it always did."""
    if " per " not in unit:
        return None
    measure, step = unit.split(" per ", 1)
    # "point of need N1's average impact" reads "point of average impact on need N1"
    step = re.sub(r"\bneed (N\d+)'s (.+?)(?= relaxed$|$)", r"\2 on need \1", step)
    if step.endswith(RELAXED):
        step = step[: -len(RELAXED)]
        head, _, tail = step.partition(" of ")
        if "cap" in step:
            return measure, f"{head} less on the {tail}", None, -price
        return measure, f"extra {step}", None, -price  # a point, 0.01 or percentage point
    if step.endswith(" less required"):
        counted = step.removesuffix(" less required")
        return measure, f"extra {counted} required", f"extra {{n}} {counted}s required", -price
    if step.startswith("extra "):
        counted = step.removeprefix("extra ")
        head, of, rest = ([*re.split(r"( (?:of|on|for) )", counted, maxsplit=1), "", ""])[:3]
        plural = counted if counted.startswith("$ ") else f"{head}s{of}{rest}"
        return measure, step, f"extra {{n}} {plural}", price
    return measure, step, None, price


def _step_multiple(change: float) -> int:
    """The round multiple of a step a sentence counts in: 1, or for an effect under
    SMALL_EFFECT the least power of ten that brings it to at least 1."""
    multiple = 1
    if abs(change) >= SMALL_EFFECT:
        return multiple
    while abs(change) * multiple < 1 and multiple < MAX_STEP_MULTIPLE:
        multiple *= 10
    return multiple


def _money_amount(change: float) -> str:
    """A dollar effect for a sentence: about_money, with two significant digits where that
    rounds to $0.00 (a step that is never multiplied: "$0.0034", never "$0")."""
    text = about_money(change)
    return text if text != "$0.00" else f"${plain_number(abs(change), 2)}"


def price_words(constraint: dict[str, Any]) -> str | None:
    """A rule's shadow price as a buyer says it: "Each extra point of average impact costs about
    $2,919", "Each extra labour hour of capacity at vendor V2 would save about $12". The
    optimizer states a price per step the rule's limit moves (`step`, `direction`, and in
    words its `unit`: "$ per point of average impact relaxed"); the sentence says one more step
    (a target is read the other way, as what one more point of it costs), and a tiny effect
    per a round multiple of the step ("Each extra $1,000 of budget raises the reachable
    impact-worker hours by about 2.43 hours"). None for a rule with no price, or a price of 0
    (the rule costs nothing at the margin)."""
    price = constraint.get("shadow_price")
    if price is None or abs(price) < 1e-9:
        return None
    quote = _price_quote(constraint)
    if quote is None:
        return None
    measure, what, multiples, change = quote
    multiple = _step_multiple(change) if multiples else 1
    if multiples and multiple > 1:
        counted = multiples.replace("{n} $ ", f"${multiple:,} ").replace("{n}", f"{multiple:,}")
        what, change = counted, change * multiple
    if measure == "$":
        verb = "costs" if change > 0 else "would save"
        return f"Each {what} {verb} about {_money_amount(change)}"
    verb = "raises" if change > 0 else "lowers"
    reached, units = MEASURE_WORDS.get(measure, (measure, ""))
    amount = f"{plain_number(abs(change), 3)} {units}".rstrip()
    return f"Each {what} {verb} the reachable {reached} by about {amount}"


def price_per_step(constraint: dict[str, Any]) -> tuple[float, str] | None:
    """A rule's shadow price as the figure `price_words` says, per one step in the sentence's
    direction, with its unit in words: (302.5, "$ per extra point of average impact on need
    N1") for a price of −302.5 per point relaxed. None for a rule with no price."""
    if constraint.get("shadow_price") is None:
        return None
    quote = _price_quote(constraint)
    if quote is None:
        return None
    measure, what, _, change = quote
    return change + 0.0, f"{measure} per {what}"  # + 0.0: never "-0"


def _slack_side(constraint: dict[str, Any]) -> str:
    """Which side of its limit a rule's slack lies on, in words, by the rule's kind (and, for a
    kind not named, the way its price is quoted: a minimum's is per step lowered)."""
    kind, direction = constraint.get("kind") or "", constraint.get("direction")
    if kind == "budget":
        return "under the budget"
    if "min" in kind or kind.startswith("need_") or kind in ("demand", "incumbent"):
        return "above the minimum"
    if "max" in kind or "cap" in kind or "capacity" in kind:
        return "below the cap"
    return {"lowered": "above the minimum", "raised": "below the cap"}.get(direction or "", "")


def slack_words(constraint: dict[str, Any]) -> str:
    """A rule's slack as a buyer says it: a share in per cent ("1.2 % of labour hours below the
    cap"), money in dollars ("$45,176 under the budget"), any other figure in its unit ("120
    hours above the minimum"); "none: at the limit" for a rule the plan sits on."""
    slack = constraint.get("slack")
    if slack is None or not math.isfinite(slack):
        return "—"
    if abs(slack) < 1e-9:
        return "none: at the limit"
    unit = (constraint.get("slack_unit") or "").strip()
    if unit.endswith("(0-1)"):
        what = unit.removesuffix("(0-1)").strip()
        if what.startswith("share"):  # "share of labour hours", a bare "share"
            of = what.removeprefix("share").removeprefix(" of ").strip()
            figure = f"{format_value(slack, 'percent')}{f' of {of}' if of else ''}"
        else:  # a quality on the 0-1 scale
            figure = f"{format_value(slack * 100, 'number')} percentage points of {what}"
    elif unit == "$" or constraint.get("kind") == "budget":  # a result stored without a unit
        figure = format_value(slack, "money")
    else:
        figure = f"{format_value(slack, 'number')} {unit}".rstrip()
    return f"{figure} {_slack_side(constraint)}".rstrip()


def infeasibility_lines(explanation: dict[str, Any]) -> list[str]:
    """The suggestions of an infeasibility explanation as sentences, without the one that
    repeats its summary (a suggestion is a sentence, or a dict with `text` or `message`), and
    without a target's or rule's own sentence: that is its row of `target_fixes` or the rule
    fixes, with one rounded figure each (the sentence holds the unrounded limit)."""
    listed = {
        entry.get("sentence")
        for entry in [
            *(explanation.get("targets") or {}).values(),
            *(explanation.get("rules") or []),
        ]
    }
    # the summary may say a suggestion after a first sentence of its own ("The rules without a
    # priority conflict: … Need N allows at most 30% per vendor …", optimizer.relax)
    summary = str(explanation.get("summary") or "")
    lines = []
    for suggestion in explanation.get("suggestions") or []:
        text = suggestion
        if isinstance(suggestion, dict):
            text = suggestion.get("text") or suggestion.get("message") or str(suggestion)
        if not (text and summary.endswith(str(text))) and text not in listed:
            lines.append(str(text))
    return lines


def shows_solve_panel(solve_job: Job | None, scenario: Scenario) -> bool:
    """The solve's progress panel shows while it runs, and after a failed or cancelled solve
    of a scenario that has no result yet (with its retry button)."""
    if solve_job is None:
        return False
    ended_without_result = scenario.status == ScenarioStatus.DRAFT and solve_job.status in (
        JobStatus.FAILED,
        JobStatus.CANCELLED,
    )
    return solve_job.active or ended_without_result
