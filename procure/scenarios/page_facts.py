"""What the scenario's page and the comparison show of a solved scenario, worked out from its
problem and result documents once, when the result is stored (issue #23, migration 0047).

At 10,000 vendors the problem document is 3.7 MB (its offers 2.4 MB) and the result 4.9 MB (its
constraints 4.1 MB: a capacity row per vendor, of which the page lists the 20 that cost the
most): parsing both took half of each page. The facts are two small documents instead:
- `scenario.page_facts` (`facts`): both documents without their lists per vendor, offer and
  allocation line, the rules the page lists, the figures worked out from those lists, the labels
  and the offers the page's sentences name; read by the page and the comparison;
- `scenario.page_lines` (`lines`): the allocation lines by cost, each with its price source, the
  vendors the award rule forms list, and the plan an approved scenario's deliveries are held
  against (`plan_documents`); read by the page alone (and, for the plan, by the deliveries).

A scenario solved before 0047, or facts of another format, are worked out on reading by the same
`work_out`, storing nothing (a read writes nothing).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from procure.paging import Page
from procure.reports.listed_rules import listed_rules
from procure.scenarios import award_limits, award_rules, figures
from procure.scenarios.models import Scenario

PAGE_FACTS_FORMAT = 1
"""The layout of `scenario.page_facts["format"]`; facts of another layout are worked out again on
reading."""

PAGE_LINES_FORMAT = 2
"""The layout of `scenario.page_lines["format"]` (2: with the plan, `plan_documents`); lines of
another layout are worked out again on reading, and `procure scenarios store-facts` stores them."""

UNLISTED_SLACK_KINDS = ("demand", "vendor_capacity", "offer_capacity", "vendor_share")
"""Rules the page lists only where they bind (demand is met, and most capacities have room)."""

LINES_CHUNK = 100
"""Allocation lines (with their price sources) per chunk of `page_lines["chunks"]`."""

PER_LINE_KEYS = ("vendors", "offers")
"""The problem document's lists per vendor and per offer line, which the facts leave out."""

OFFER_ID = re.compile(r"\b[OB]\d+\b")


def by_cost(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Allocation lines, the largest by cost first (lines of one cost in the result's order)."""
    return sorted(lines, key=lambda line: -line["cost"])


def raw_labels(problem: Mapping[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Vendor names and need titles by optimizer id as one problem document stored them (the
    id where it has none), before `review.problem_labels` keeps them distinct."""
    vendors = {v["id"]: v.get("name") or v["id"] for v in (problem or {}).get("vendors", [])}
    needs = {n["id"]: n.get("title") or n["id"] for n in (problem or {}).get("needs", [])}
    return vendors, needs


def distinct_labels(labels: dict[str, str], kind: str) -> dict[str, str]:
    """Labels by optimizer id ("V12", "N3"), with the record number added where two ids share a
    label, so that two needs titled alike stay two lines of a report."""
    shared = {label for label, count in Counter(labels.values()).items() if count > 1}
    if not shared:  # 10,000 vendors of distinct names: a copy
        return dict(labels)
    return {
        key: f"{label} ({kind} #{key[1:]})" if label in shared else label
        for key, label in labels.items()
    }


def _slim_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    slim = {key: value for key, value in problem.items() if key not in PER_LINE_KEYS}
    if "meta" in slim:
        slim["meta"] = {
            key: value for key, value in slim["meta"].items() if key != "scored_disclosures"
        }
    return slim


def work_out(scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page facts and the page lines (see the module) of the scenario's stored documents,
    the one computation of what is stored at solve time and of what a scenario solved before
    0047 shows."""
    problem, result = scenario.problem or {}, scenario.result or {}
    facts, offers = _facts(problem, result)
    return facts, _lines(problem, result, offers, facts["vendor_labels"])


def _facts(
    problem: Mapping[str, Any], result: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page facts of the documents, and every offer line (`figures.offer_lines`)."""
    allocations = result.get("allocations") or []
    rules, rules_left_out = listed_rules(
        [
            c
            for c in result.get("constraints", [])
            if c.get("binding") or c.get("kind") not in UNLISTED_SLACK_KINDS
        ]
    )
    slim_result = {
        key: value for key, value in result.items() if key not in ("allocations", "constraints")
    }
    slim_result["constraints"] = rules
    vendor_labels, need_labels = raw_labels(problem)
    scores = {v["id"]: v.get("impact_score") for v in problem.get("vendors", [])}
    spend: defaultdict[str, float] = defaultdict(float)
    weights: defaultdict[str, float] = defaultdict(float)
    for allocation in allocations:
        spend[allocation["vendor"]] += allocation["cost"]
        weights[allocation["vendor"]] += figures.weight(allocation, problem)
    facts: dict[str, Any] = {
        "format": PAGE_FACTS_FORMAT,
        "problem": _slim_problem(problem),
        "result": slim_result,
        "rules_left_out": rules_left_out,
        "allocated": bool(allocations),
        "vendor_labels": vendor_labels,
        "need_labels": need_labels,
        "labour_hours": figures.labour_hours(result, problem),
        "need_rows": figures.need_figures(result, problem),
        "chosen_point": figures.chosen_point(result, problem),
        "plan_limits": award_limits.plan_limits(problem, result),
        "spend": dict(spend),
        "weights": dict(weights),
        # (impact score, cost) of each line: the comparison's share of spend with impact vendors
        "scored_costs": [[scores.get(a["vendor"]), a["cost"]] for a in allocations],
    }
    # the offers the page's sentences name ("(offer O12)"), as `review.plain_words` reads them
    offers = figures.offer_lines(problem)
    named = set(OFFER_ID.findall(repr([facts["problem"], slim_result])))
    named.update(OFFER_ID.findall(" ".join(award_limits.rule_sentences(problem))))
    facts["offers"] = {key: offers[key] for key in sorted(named) if key in offers}
    return facts, offers


def _lines(
    problem: Mapping[str, Any],
    result: Mapping[str, Any],
    offers: dict[str, Any],
    vendor_labels: dict[str, str],
) -> dict[str, Any]:
    """The page lines of the documents (the page alone reads them)."""
    allocations = result.get("allocations") or []
    lines_by_cost = by_cost(allocations)
    pairs = [[line, figures.price_source(line, offers)] for line in lines_by_cost]
    names = distinct_labels(vendor_labels, "vendor")
    lines = {
        "format": PAGE_LINES_FORMAT,
        "count": len(pairs),
        # as JSON text per chunk: reading the lines parses only the chunks of the page shown
        "chunks": [
            json.dumps(pairs[start : start + LINES_CHUNK])
            for start in range(0, len(pairs), LINES_CHUNK)
        ],
        "awarded": sorted({a.get("vendor") for a in allocations if a.get("vendor")}),
        "vendor_options": [  # pairs as JSON keeps them
            list(option) for option in award_rules.vendor_options(problem, names)
        ],
        # as JSON text: only an approved plan's deliveries parse it (`plan_documents`)
        "plan": plan_documents(problem, result, names),
    }
    return lines


PLAN_LINE = ("vendor", "need", "volume", "cost", "hours")
"""What the stored plan keeps of an allocation line, as a row in this order (`plan_documents`)."""


def plan_documents(
    problem: Mapping[str, Any], result: Mapping[str, Any], names: Mapping[str, str]
) -> str:
    """The scenario's documents cut to what its plan of deliveries is built from
    (`deliveries.actuals.plan_from_documents`), as compact JSON text: the settings and the needs,
    the awarded vendors as [id, name, impact-worker share] (`names`: their labels kept distinct
    among all the problem's vendors) and each allocation line as a `PLAN_LINE` row, its hours
    those `figures.allocation_hours` counts. At 10,000 vendors about 6 % of the two documents;
    `stored_plan_documents` reads it back as the two documents."""
    allocations = result.get("allocations") or []
    awarded = {a["vendor"] for a in allocations}
    units = figures.need_units(problem)
    plan = {
        "problem": {
            **{key: problem[key] for key in ("version", "settings") if key in problem},
            "needs": problem.get("needs") or [],
        },
        "vendors": [
            [v["id"], names[v["id"]], v.get("impact_worker_share")]
            for v in problem.get("vendors", [])
            if v["id"] in awarded
        ],
        "lines": [
            [
                a["vendor"],
                a["need"],
                a["volume"],
                a["cost"],
                figures.allocation_hours(a, problem, units),
            ]
            for a in allocations
        ],
    }
    return json.dumps(plan, separators=(",", ":"))


def stored_plan_documents(scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(problem, result): the scenario's documents as far as its page lines keep them
    (`plan_documents`), to be read as the whole ones are; None where they keep none (a scenario
    solved before they did, or never solved)."""
    lines = scenario.page_lines
    if not lines or lines.get("format") != PAGE_LINES_FORMAT or "plan" not in lines:
        return None
    plan = json.loads(lines["plan"])
    vendors = [
        {"id": key, "name": name, "impact_worker_share": share}
        for key, name, share in plan["vendors"]
    ]
    allocations = [dict(zip(PLAN_LINE, row, strict=True)) for row in plan["lines"]]
    return {**plan["problem"], "vendors": vendors}, {"allocations": allocations}


def store(scenario: Scenario) -> None:
    """Keep the page facts and lines of the scenario's documents (`work_out`)."""
    scenario.page_facts, scenario.page_lines = work_out(scenario)


def _current(document: Mapping[str, Any] | None, layout: int = PAGE_FACTS_FORMAT) -> bool:
    return bool(document) and document.get("format") == layout  # type: ignore[union-attr]


def is_stored(scenario: Scenario) -> bool:
    """Whether the scenario's page facts and lines are stored, of this layout."""
    return _current(scenario.page_facts) and _current(scenario.page_lines, PAGE_LINES_FORMAT)


def facts_of(scenario: Scenario) -> dict[str, Any]:
    """The scenario's page facts: stored, else worked out now (storing nothing)."""
    stored = scenario.page_facts
    if _current(stored):
        return stored  # type: ignore[return-value]
    return _facts(scenario.problem or {}, scenario.result or {})[0]  # not the lines: unread here


def facts_and_lines(scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario's page facts and page lines: stored, else worked out now (storing
    nothing)."""
    if is_stored(scenario):
        return scenario.page_facts, scenario.page_lines  # type: ignore[return-value]
    return work_out(scenario)


def lines_page(lines: Mapping[str, Any], page: int, per_page: int) -> tuple[Page[dict], list[dict]]:
    """Page `page` (from 1) of the page lines' allocation lines (`review.allocation_page`) and
    the price source of each, parsing only the chunks it spans."""
    start = (page - 1) * per_page
    first = start // LINES_CHUNK
    last = min(len(lines["chunks"]), -(-(start + per_page) // LINES_CHUNK))
    pairs = [pair for chunk in lines["chunks"][first:last] for pair in json.loads(chunk)]
    shown = pairs[start - first * LINES_CHUNK :][:per_page]
    return (
        Page([line for line, _ in shown], page, per_page, lines["count"]),
        [source for _, source in shown],
    )
