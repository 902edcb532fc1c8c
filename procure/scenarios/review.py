"""Executive review: key figures per scenario, side-by-side comparison, projected impact.

Everything here reads the stored problem and result documents (and the disclosures the problem
names), so a frozen scenario always shows the figures it was approved on.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from flask import current_app
from sqlalchemy import select

from procure.disclosures.models import Disclosure
from procure.disclosures.tables import flat_row
from procure.extensions import db
from procure.jobs.models import Job
from procure.scenarios.models import Scenario
from procure.scoring.adapter import scored_versions
from procure.states import JobStatus, ScenarioStatus


def _ratio(numerator, denominator):
    return numerator / denominator if numerator is not None and denominator else None


def _disclosures(ids) -> dict[int, Disclosure]:
    """The disclosures of these ids, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        d.id: d for d in db.session.scalars(select(Disclosure).where(Disclosure.id.in_(wanted)))
    }


def _vendor_facts(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Per optimizer vendor id: name, impact-worker share, training hours per impact worker and
    living-wage ratio, from the disclosure version the scenario's scores came from."""
    problem = scenario.problem or {}
    scored = (problem.get("meta") or {}).get("scored_disclosures", {})
    names, _ = problem_labels(problem)
    disclosures = _disclosures(scored.values())
    facts = {}
    for vendor in problem.get("vendors", []):
        disclosure = disclosures.get(scored.get(vendor["id"]))
        row = flat_row(disclosure) if disclosure else {}
        facts[vendor["id"]] = {
            "name": names[vendor["id"]],
            "impact_score": vendor.get("impact_score"),
            "impact_worker_share": vendor.get("impact_worker_share"),
            "training_hours_per_impact_worker": _ratio(
                row.get("training_hours_impact_workers"), row.get("impact_workers_end")
            ),
            "living_wage_ratio": _ratio(
                row.get("impact_worker_median_wage"), row.get("living_wage_benchmark")
            ),
        }
    return facts


def _weighted(pairs: list[tuple[float, float | None]]) -> float | None:
    known = [(w, v) for w, v in pairs if v is not None]
    total = sum(w for w, _ in known)
    return sum(w * v for w, v in known) / total if total else None


def projected_impact(scenario: Scenario) -> dict[str, Any]:
    """What the allocation sustains: impact-worker hours (Σ hours × the vendor's impact-worker
    share), full-time jobs (hours / hours per FTE-year), and the volume-weighted training hours
    per impact worker and living-wage ratio of the vendors that get the work.

    Only volume bought by the hour counts as hours: work bought per item or task has no hours
    to count (the optimizer's own `impact_worker_hours` total counts every unit, as DESIGN §5
    defines it).
    """
    hours_per_fte = current_app.config["HOURS_PER_FTE_YEAR"]
    facts = _vendor_facts(scenario)
    units = {
        need["id"]: need.get("unit", "hour") for need in (scenario.problem or {}).get("needs", [])
    }
    volume: defaultdict[str, float] = defaultdict(float)
    cost: defaultdict[str, float] = defaultdict(float)
    hours: defaultdict[str, float] = defaultdict(float)
    for allocation in (scenario.result or {}).get("allocations", []):
        volume[allocation["vendor"]] += allocation["volume"]
        cost[allocation["vendor"]] += allocation["cost"]
        if units.get(allocation["need"], "hour") == "hour":
            hours[allocation["vendor"]] += allocation["volume"]
    total_volume = sum(volume.values())
    by_vendor = []
    for vendor_id in sorted(volume, key=lambda v: -volume[v]):
        fact = facts.get(vendor_id, {"name": vendor_id})
        share = fact.get("impact_worker_share")
        by_vendor.append(
            {
                "vendor": fact["name"],
                "vendor_id": vendor_id,
                "volume": volume[vendor_id],
                "cost": cost[vendor_id],
                "share_of_volume": volume[vendor_id] / total_volume if total_volume else 0.0,
                "hours": hours[vendor_id],
                "impact_score": fact.get("impact_score"),
                "impact_worker_share": share,
                "impact_worker_hours": None if share is None else hours[vendor_id] * share,
                "training_hours_per_impact_worker": fact.get("training_hours_per_impact_worker"),
                "living_wage_ratio": fact.get("living_wage_ratio"),
            }
        )
    worker_hours = sum(v["impact_worker_hours"] or 0.0 for v in by_vendor)
    return {
        "impact_worker_hours": worker_hours,
        "fte_jobs": worker_hours / hours_per_fte,
        "hours_per_fte_year": hours_per_fte,
        "training_hours_per_impact_worker": _weighted(
            [(v["volume"], v["training_hours_per_impact_worker"]) for v in by_vendor]
        ),
        "living_wage_ratio": _weighted([(v["volume"], v["living_wage_ratio"]) for v in by_vendor]),
        "units": sorted(
            {units.get(a["need"], "hour") for a in (scenario.result or {}).get("allocations", [])}
        ),
        "by_vendor": by_vendor,
    }


def key_figures(scenario: Scenario) -> dict[str, Any]:
    """The KPI set of one scenario (None where it was not solved)."""
    result = scenario.result or {}
    totals = result.get("totals") or {}
    impact = projected_impact(scenario) if result.get("allocations") else None
    spend: defaultdict[str, float] = defaultdict(float)
    for allocation in result.get("allocations", []):
        spend[allocation["vendor"]] += allocation["cost"]
    total_cost = totals.get("cost")
    return {
        "impact": impact,
        "total_cost": total_cost,
        "avg_impact": totals.get("avg_impact"),
        "impact_spend_share": totals.get("impact_spend_share"),
        "impact_worker_hours": impact["impact_worker_hours"] if impact else None,
        "fte_jobs": impact["fte_jobs"] if impact else None,
        "avg_quality": totals.get("avg_quality"),
        "vendors": len(spend),
        "largest_vendor_share": max(spend.values()) / total_cost if spend and total_cost else None,
        "binding_targets": [
            c["label"]
            for c in result.get("constraints", [])
            if c.get("binding")
            and c.get("kind")
            in (
                "budget",
                "min_avg_impact",
                "min_avg_quality",
                "min_impact_spend_share",
                "max_vendor_spend_share",
            )
        ],
    }


ROWS = (
    ("total_cost", "Total cost", "money"),
    ("cost_premium", "Cost premium over the cheapest", "percent"),
    ("avg_impact", "Average impact score", "number"),
    ("impact_spend_share", "Share of spend with impact vendors", "percent"),
    ("impact_worker_hours", "Impact-worker hours", "integer"),
    ("fte_jobs", "Full-time jobs for impact workers", "number"),
    ("avg_quality", "Average quality", "percent"),
    ("vendors", "Vendors", "integer"),
    ("largest_vendor_share", "Largest vendor's share of spend", "percent"),
    ("binding_targets", "Binding targets", "text"),
)


def compare(scenarios: list[Scenario]) -> dict[str, Any]:
    """Side by side: the KPI rows, and the volume each vendor gets in each scenario (vendors named
    by `problem_labels` over all the scenarios, like every other page and report)."""
    figures = [key_figures(s) for s in scenarios]
    costs = [f["total_cost"] for f in figures if f["total_cost"] is not None]
    cheapest = min(costs) if costs else None
    for f in figures:
        f["cost_premium"] = (
            (f["total_cost"] / cheapest - 1.0) if f["total_cost"] is not None and cheapest else None
        )
    rows = [
        {"key": key, "label": label, "format": fmt, "values": [f[key] for f in figures]}
        for key, label, fmt in ROWS
    ]
    vendor_volume: dict[str, list[float]] = {}
    for index, scenario in enumerate(scenarios):
        for allocation in (scenario.result or {}).get("allocations", []):
            vendor_volume.setdefault(allocation["vendor"], [0.0] * len(scenarios))[index] += (
                allocation["volume"]
            )
    names, _ = problem_labels(*(scenario.problem for scenario in scenarios))
    vendor_rows: list[dict[str, Any]] = [
        {"vendor": names.get(v, v), "values": values, "spread": max(values) - min(values)}
        for v, values in vendor_volume.items()
    ]
    vendor_rows.sort(key=lambda r: (-r["spread"], r["vendor"]))
    return {
        "scenarios": [s.name for s in scenarios],
        "ids": [s.id for s in scenarios],
        "rows": rows,
        "vendor_rows": vendor_rows,
        "figures": figures,
        "summary": summary_sentences(scenarios, figures),
    }


def summary_sentences(scenarios: list[Scenario], figures: list[dict[str, Any]]) -> list[str]:
    """One plain sentence per scenario against the cheapest one."""
    solved = [
        (s, f) for s, f in zip(scenarios, figures, strict=True) if f["total_cost"] is not None
    ]
    if not solved:
        return []
    cheapest_scenario, cheapest = min(solved, key=lambda pair: pair[1]["total_cost"])
    sentences = []
    for scenario, f in solved:
        jobs = f["fte_jobs"] or 0.0
        if scenario.id == cheapest_scenario.id:
            sentences.append(
                f"{scenario.name} is the cheapest plan (${f['total_cost']:,.0f}) and sustains "
                f"{jobs:,.1f} full-time jobs for impact workers."
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
    return sentences


def actual_against_projected(
    scenario: Scenario, impact: dict[str, Any] | None = None, newest: dict | None = None
) -> dict[str, Any]:
    """For an approved allocation: the impact-worker hours it was projected to sustain, and the
    hours the same volumes sustain at each vendor's newest disclosure, where a vendor has disclosed
    a later period since the scenario was solved. `impact` is the scenario's `projected_impact`
    when the caller has it already, `newest` the `scored_versions()` of the scenario's organization
    from a caller reading several."""
    newest = scored_versions(scenario.organization_id) if newest is None else newest
    scored = ((scenario.problem or {}).get("meta") or {}).get("scored_disclosures", {})
    used_disclosures = _disclosures(scored.values())
    rows = []
    for line in (impact or projected_impact(scenario))["by_vendor"]:
        vendor_number = int(line["vendor_id"].lstrip("V"))
        used = used_disclosures.get(scored.get(line["vendor_id"]))
        latest = newest.get(vendor_number)
        actual_share = None
        if latest is not None and used is not None and latest.period_end > used.period_end:
            workforce = latest.figures.get("workforce") or {}
            actual_share = _ratio(
                workforce.get("impact_workers_end"), workforce.get("headcount_end")
            )
        rows.append(
            {
                "vendor": line["vendor"],
                "volume": line["volume"],
                "projected_share": line["impact_worker_share"],
                "actual_share": actual_share,
                "projected_hours": line["impact_worker_hours"],
                "actual_hours": None if actual_share is None else line["hours"] * actual_share,
                "actual_period_end": (
                    latest.period_end if latest is not None and actual_share is not None else None
                ),
            }
        )
    updated = [r for r in rows if r["actual_hours"] is not None]
    return {
        "rows": rows,
        "vendors_with_new_disclosures": len(updated),
        "projected_hours_of_those": sum(r["projected_hours"] or 0.0 for r in updated),
        "actual_hours_of_those": sum(r["actual_hours"] for r in updated),
    }


def distinct_labels(labels: dict[str, str], kind: str) -> dict[str, str]:
    """Labels by optimizer id ("V12", "N3"), with the record number added where two ids share a
    label, so that two needs titled alike stay two lines of a report."""
    counts = Counter(labels.values())
    return {
        key: f"{label} ({kind} #{key[1:]})" if counts[label] > 1 else label
        for key, label in labels.items()
    }


def problem_labels(*problems: dict | None) -> tuple[dict[str, str], dict[str, str]]:
    """Vendor names and need titles by optimizer id, as the problem documents stored them when
    they were solved (so a need renamed since does not rename an approved plan), kept distinct
    across all of them. A record named differently in two problems (renamed between the solves)
    takes its name from the first: in a comparison, the scenario it is made for."""
    vendors: dict[str, str] = {}
    needs: dict[str, str] = {}
    for problem in problems:
        for vendor in (problem or {}).get("vendors", []):
            vendors.setdefault(vendor["id"], vendor.get("name") or vendor["id"])
        for need in (problem or {}).get("needs", []):
            needs.setdefault(need["id"], need.get("title") or need["id"])
    return distinct_labels(vendors, "vendor"), distinct_labels(needs, "need")


def plain_words(names: dict, need_titles: dict):
    """Replace the optimizer's ids in its sentences with vendor names and need titles."""

    def plain(text):
        if not isinstance(text, str):
            return text
        text = re.sub(r"\b[Vv]endor (V\d+)\b", lambda m: names.get(m.group(1), m.group(0)), text)
        text = re.sub(
            r"\b[Nn]eed (N\d+)\b",
            lambda m: f"“{need_titles[m.group(1)]}”" if m.group(1) in need_titles else m.group(0),
            text,
        )
        return text

    return plain


def report_outdated(report_job: Job | None, scenario: Scenario) -> bool:
    """Whether the newest board PDF was made from an older version of the scenario (a new
    solve, a submission or a decision came after it)."""
    if report_job is None or report_job.status != JobStatus.SUCCEEDED:
        return False
    return (report_job.result or {}).get("scenario_version") != scenario.version


def infeasibility_lines(explanation: dict[str, Any]) -> list[str]:
    """The suggestions of an infeasibility explanation as sentences, without the one that
    repeats its summary (a suggestion is a sentence, or a dict with `text` or `message`)."""
    lines = []
    for suggestion in explanation.get("suggestions") or []:
        text = suggestion
        if isinstance(suggestion, dict):
            text = suggestion.get("text") or suggestion.get("message") or str(suggestion)
        if text != explanation.get("summary"):
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
