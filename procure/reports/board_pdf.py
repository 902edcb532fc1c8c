"""The board report: a plain context dict → HTML (Jinja, autoescaped) → PDF (WeasyPrint).

The app builds the context (no ORM objects; shape in tests/reports/sample_context.py) and calls
`render_board_pdf`. Everything in the context is user data: the template autoescapes it, and
WeasyPrint fetches through `StaticOnlyFetcher`, which serves `data:` URIs and files under
procure/static and refuses every other URL, so nothing in a report can reach the network or
the rest of the file system.
"""

from __future__ import annotations

import functools
import logging
import math
import mimetypes
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from procure import charts
from procure.formatting import format_value
from procure.reports.allocation_totals import IMPACT_AVERAGE_RULE, impact_average, vendor_totals
from procure.reports.listed_rules import listed_rules
from procure.settings import resource_dir
from procure.states import Objective, ScenarioStatus
from scoring.formula_words import formula_words

STATIC_ROOT = Path(__file__).resolve().parents[1] / "static"
TEMPLATE = "reports/board.html"
CHART_TOP_VENDORS = 15
IMPACT_TABLE_VENDORS = 50
"""The impact table lists this many vendors, those with the most impact-worker hours, and sums
the rest in one line: a plan of 1,000 vendors would otherwise take dozens of pages (and most
of the report's rendering time). Every vendor is in the XLSX pack's "Scores" sheet."""
INDENTATION = re.compile(r"\n[ \t]+")
BETWEEN_TABLE_TAGS = re.compile(r"(</?(?:table|colgroup|col|thead|tbody|tr|th|td)\b[^>]*>)\n(?=<)")
"""A newline after a table's own tag and before the next tag: white space a table never shows
(CSS 2.1 §17.2.1, or the start of a cell, which a line strips), yet WeasyPrint makes a text box
of each one (some 900 in the report of a 1,000-vendor plan)."""

OBJECTIVES: dict[str, str] = {
    Objective.MIN_COST: "Least cost that meets every target",
    Objective.MAX_IMPACT: "Most impact within the budget",
    Objective.MAX_IMPACT_WORKER_HOURS: "Most impact-worker hours (jobs) within the budget",
}
FRONTIER_CAPTIONS: dict[str, str] = {
    "impact": "average impact",
    "hours": "impact-worker hours",
}
STATUSES: dict[str, str] = {
    ScenarioStatus.APPROVED: "Approved",
    ScenarioStatus.SUBMITTED: "Submitted for approval",
    ScenarioStatus.SOLVED: "Solved, not yet submitted",
    ScenarioStatus.REJECTED: "Rejected",
    ScenarioStatus.DRAFT: "Draft",
    ScenarioStatus.INFEASIBLE: "No plan meets every target",
    ScenarioStatus.FAILED: "Failed",
}
RELAXED_STATUS = ", with targets relaxed"
"""Added to the status of a plan solved with targets relaxed by their priorities."""

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The report asked for a resource outside data: URIs and procure/static."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves `data:` URIs and files under one static folder.

    Anything else (http, https, ftp, a file elsewhere, a path escaping through `..` or a
    symlink) raises `RefusedURL`; WeasyPrint then leaves the resource out. Refused URLs are kept
    in `refused` so callers and tests can see what was asked for.
    """

    def __init__(self, static_root: Path = STATIC_ROOT):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.static_root = Path(static_root).resolve()
        self.refused: list[str] = []

    def static_path(self, url: str) -> Path:
        """The file a `file:` URL names, when it lies under the static folder."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(
                f"Only data: URIs and files of the static folder are fetched, not {url[:80]!r}"
            )
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.static_root) or not path.is_file():
            raise RefusedURL(f"{url[:200]!r} is not a file of the static folder")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = self.static_path(url)
        except RefusedURL:
            self.refused.append(url)
            logger.warning("report: refused to fetch %.200s", url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


# ---------------------------------------------------------------------------------------------
# Text as the report prints it (numbers: procure.formatting.format_value, as pages print them).


def _goalposts(goalposts: Iterable[Any] | None) -> str:
    values = list(goalposts or [])
    if len(values) != 2:
        return "–"
    return " → ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in values)


# ---------------------------------------------------------------------------------------------
# Context → what the template shows.


def _numbers(*values: Any) -> bool:
    return all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )


def _bar_percent(weight: Any) -> float:
    """A 0–1 weight as a bar length in per cent of its cell, clipped."""
    try:
        return round(min(max(float(weight), 0.0), 1.0) * 100, 1)
    except (TypeError, ValueError):
        return 0.0


def _fold_vendors(vendors: list[dict], allocations: list[dict], limit: int) -> list[dict]:
    """The `limit` largest vendors by cost, then one "Others" line, as in the chart.

    The others' impact score is the average of their allocations, by the same rule as each
    vendor's own. The impact table names IMPACT_TABLE_VENDORS of them; the XLSX pack names
    every vendor.
    """
    if len(vendors) <= limit + 1:
        return vendors
    rest = vendors[limit:]
    folded = {(row["vendor_id"], row["vendor"]) for row in rest}
    shares = [row["share_of_cost"] for row in rest]
    return vendors[:limit] + [
        {
            "vendor_id": None,
            "vendor": f"Others ({len(rest)} vendors)",
            "others": True,
            "needs": None,
            "cost": sum(row["cost"] for row in rest),
            "share_of_cost": None if None in shares else sum(shares),
            "impact_score": impact_average(
                a for a in allocations if (a["vendor_id"], a["vendor"]) in folded
            ),
        }
    ]


def _impact_rest(rest: list[dict]) -> dict | None:
    """The impact table's line for the vendors it does not name (`IMPACT_TABLE_VENDORS`): how
    many, and their labour hours, volume, shares and impact-worker hours summed (a sum only
    where each of them has the figure; volume only where they share one unit)."""
    if not rest:
        return None

    def total(key: str) -> float | None:
        known = [value for row in rest if (value := row.get(key)) is not None]
        return math.fsum(known) if len(known) == len(rest) else None

    units = {row.get("unit") for row in rest}
    one_unit = len(units) == 1 and all(isinstance(row.get("volume"), (int, float)) for row in rest)
    return {
        "vendors": len(rest),
        "hours": total("hours"),
        "share_of_hours": total("share_of_hours"),
        "volume": total("volume") if one_unit else None,
        "unit": next(iter(units)) if one_unit else None,
        "share_of_volume": total("share_of_volume"),
        "impact_worker_hours": total("impact_worker_hours"),
    }


ACTUALS_SUMMED = (
    "allocated_hours",
    "delivered_hours",
    "projected_impact_worker_hours",
    "actual_impact_worker_hours",
    "volume_effect",
    "share_effect",
)
"""The figures to date of the actuals table that add across vendors (its line for the rest)."""


def _actuals(actuals: dict | None) -> dict | None:
    """Projected against actual with the table's vendors capped as the impact table's
    (`IMPACT_TABLE_VENDORS`, the largest by the plan's hours, as the app orders them) and the
    rest summed in one line: their figures to date added, reliability delivered ÷ allocated.
    Every vendor is in the XLSX pack's "Actuals" sheet."""
    if not actuals:
        return actuals
    vendors = list(actuals.get("vendors") or [])
    rest = [row["to_date"] for row in vendors[IMPACT_TABLE_VENDORS:]]
    summed: dict[str, Any] | None = None
    if rest:
        summed = {key: math.fsum(row[key] for row in rest) for key in ACTUALS_SUMMED}
        allocated = summed["allocated_hours"]
        summed["delivery_reliability"] = (
            summed["delivered_hours"] / allocated if allocated else None
        )
    return {
        **actuals,
        "vendors": vendors[:IMPACT_TABLE_VENDORS],
        "rest": {"vendors": len(rest), "to_date": summed} if summed else None,
    }


def _need_rows(allocations: list[dict]) -> list[dict]:
    """One line per need (in the order the app gave them): volume in the need's own unit, its
    labour hours (where the scenario counts them), cost, vendors, the largest vendor's share of
    the need's volume and the impact score weighted by labour hours (by volume without them).
    The split of each need by vendor is the XLSX pack's Allocations sheet."""
    needs: dict[tuple, dict] = {}
    for allocation in allocations:  # keyed by id and title: two needs of one title stay two
        need = needs.setdefault(
            (allocation["need_id"], allocation["need"]),
            {
                "need": allocation["need"],
                "unit": allocation.get("unit"),
                "volume": 0.0,
                "hours": 0.0,
                "cost": 0.0,
                "by_vendor": {},
                "allocations": [],
            },
        )
        volume = allocation.get("volume") or 0.0
        need["volume"] += volume
        need["cost"] += allocation.get("cost") or 0.0
        if need["hours"] is not None and allocation.get("hours") is not None:
            need["hours"] += allocation["hours"]
        else:
            need["hours"] = None
        vendor = (allocation["vendor_id"], allocation["vendor"])
        need["by_vendor"][vendor] = need["by_vendor"].get(vendor, 0.0) + volume
        need["allocations"].append(allocation)
        if need["unit"] != allocation.get("unit"):
            need["unit"] = None
    rows = []
    for need in needs.values():
        (_, largest), largest_volume = max(
            need["by_vendor"].items(), key=lambda item: (item[1], str(item[0]))
        )
        rows.append(
            {
                "need": need["need"],
                "unit": need["unit"],
                "volume": need["volume"],
                "hours": need["hours"],
                "cost": need["cost"],
                "vendors": len(need["by_vendor"]),
                "largest_vendor": largest,
                "largest_share": largest_volume / need["volume"] if need["volume"] else None,
                "impact_score": impact_average(need["allocations"]),
            }
        )
    return rows


def _comparison(comparison: dict | None) -> dict | None:
    if not comparison or not comparison.get("scenarios"):
        return None
    chosen = comparison.get("chosen")
    return {
        "scenarios": list(comparison["scenarios"]),
        "chosen": chosen if isinstance(chosen, int) else None,
        "rows": [
            {
                "label": row["label"],
                "format": row.get("format", "number"),
                "values": list(row.get("values") or []),
            }
            for row in comparison.get("rows") or []
        ],
    }


def _complete(rows: Iterable[dict] | None, *fields: str) -> list[dict]:
    """Rows with every field the template reads (missing ones None, printed as "–" or nothing)."""
    return [{**dict.fromkeys(fields), **row} for row in rows or []]


def report_view(context: dict, include_charts: bool = True) -> dict:
    """Everything the template needs, computed once, with optional parts defaulted."""
    scenario = dict(context.get("scenario") or {})
    allocations = _complete(
        context.get("allocations"),
        "need_id",
        "need",
        "vendor_id",
        "vendor",
        "volume",
        "unit",
        "price",
        "cost",
        "impact_score",
        "hours",
    )
    impact = dict(context.get("impact") or {})
    method = dict(context.get("method") or {})
    vendors = [{**row, "others": False} for row in vendor_totals(allocations)]
    frontier = context.get("frontier") or {}
    measure: str = frontier.get("measure") or "impact"
    if measure not in charts.FRONTIER_AXES:
        measure = "impact"
    chosen = frontier.get("chosen")
    chart_uris: dict[str, str | None] = {"frontier": None, "vendors": None}
    if include_charts:  # the pages' charts, embedded as images
        frontier_svg = charts.frontier_chart(
            frontier.get("points") or [],
            chosen,
            scenario.get("name") or "This scenario",
            measure=measure,
        )
        vendor_svg = charts.horizontal_bar_chart(
            charts.top_with_others(
                [(row["vendor"], row["cost"]) for row in vendors], CHART_TOP_VENDORS
            ),
            colour=charts.COST,
            value_label="Cost of the work allocated",
        )
        chart_uris = {
            name: charts.svg_data_uri(svg) if svg else None
            for name, svg in (("frontier", frontier_svg), ("vendors", vendor_svg))
        }
    by_vendor = sorted(
        _complete(
            impact.get("by_vendor"),
            "vendor",
            "volume",
            "unit",
            "share_of_volume",
            "hours",
            "share_of_hours",
            "impact_worker_share",
            "impact_worker_hours",
            "living_wage_ratio",
        ),
        key=lambda row: (-(row["impact_worker_hours"] or 0.0), str(row["vendor"])),
    )
    in_hours = bool(allocations) and all(a["hours"] is not None for a in allocations)
    rules, rules_left_out = listed_rules(context.get("constraints") or [])
    folded = len(vendors) - CHART_TOP_VENDORS if len(vendors) > CHART_TOP_VENDORS + 1 else 0
    return {
        "organization": context.get("organization") or "",
        "generated_at": context.get("generated_at") or "",
        "scenario": {
            "name": scenario.get("name") or "Untitled scenario",
            "status": scenario.get("status") or "",
            "status_label": STATUSES.get(
                scenario.get("status") or "", str(scenario.get("status") or "").capitalize()
            )
            + (RELAXED_STATUS if scenario.get("relaxed") else ""),
            "relaxed": bool(scenario.get("relaxed")),
            "objective": OBJECTIVES.get(
                scenario.get("objective") or "", scenario.get("objective") or "–"
            ),
            "approved_by": scenario.get("approved_by"),
            "approved_at": scenario.get("approved_at"),
            "decision_comment": scenario.get("decision_comment"),
            "profile": scenario.get("profile") or method.get("profile") or "–",
        },
        "summary": list(context.get("summary") or []),
        "kpis": _complete(context.get("kpis"), "label", "value", "format"),
        "comparison": _comparison(context.get("comparison")),
        "frontier_has_points": bool(
            charts.solved_points(frontier.get("points") or [], measure=measure)
        ),
        "frontier_measure": FRONTIER_CAPTIONS.get(measure, measure),
        "frontier_in_hours": measure == "hours",
        "chosen_point": chosen
        if chosen and _numbers(chosen.get(charts.FRONTIER_AXES[measure][0]), chosen.get("cost"))
        else None,
        "in_hours": in_hours,
        "charts": chart_uris,
        "vendors": vendors,
        "vendor_rows": _fold_vendors(vendors, allocations, CHART_TOP_VENDORS),
        "vendor_chart_folded": folded,
        "total_cost": sum(row["cost"] for row in vendors),
        "need_rows": _need_rows(allocations),
        "impact_average_rule": IMPACT_AVERAGE_RULE,
        "impact": {
            "impact_worker_hours": impact.get("impact_worker_hours"),
            "fte_jobs": impact.get("fte_jobs"),
            "hours_per_fte_year": impact.get("hours_per_fte_year"),
            "labour_hours": impact.get("labour_hours"),
            "training_hours_per_impact_worker": impact.get("training_hours_per_impact_worker"),
            "living_wage_ratio": impact.get("living_wage_ratio"),
            "units": list(impact.get("units") or []),
            "by_vendor": by_vendor[:IMPACT_TABLE_VENDORS],
            "rest": _impact_rest(by_vendor[IMPACT_TABLE_VENDORS:]),
        },
        "actuals": _actuals(context.get("actuals")),  # projected against actual, when delivered
        # the needs' whole-number rules and the gap reached, when the plan used them
        "whole_number_rules": context.get("whole_number_rules"),
        # the award rules in words and, with adjustments, both costs (scenarios.award_rules)
        "award_rules": context.get("award_rules"),
        # each target relaxed by its priority: sentence, asked, reached, difference
        "relaxations": list(context.get("relaxations") or []),
        # why no plan meets every target, for an infeasible scenario (summary and suggestions)
        "infeasibility": context.get("infeasibility"),
        "constraints": _complete(
            rules,
            "label",
            "binding",
            "slack",
            "slack_words",
            "shadow_price",
            "price_per_step",
            "unit",
        ),
        "constraints_left_out": rules_left_out,
        "method": {
            "profile": method.get("profile") or scenario.get("profile") or "–",
            "pillar_weights": [
                {
                    "pillar": name,
                    "weight": weight,
                    "colour": charts.PILLAR_COLOURS.get(name, charts.MUTED),
                    "bar_percent": _bar_percent(weight),
                }
                for name, weight in (method.get("pillar_weights") or {}).items()
            ],
            "metrics": [
                # the formula in the disclosure form's words: a board reads no field keys
                dict(
                    metric,
                    goalposts_text=_goalposts(metric["goalposts"]),
                    formula_text=formula_words(metric["formula"]),
                )
                for metric in _complete(
                    method.get("metrics"),
                    "key",
                    "label",
                    "formula",
                    "goalposts",
                    "weight",
                    "section",
                    "source",
                )
            ],
            "evidence_factors": list((method.get("evidence_factors") or {}).items()),
            "sources": list(method.get("sources") or []),
        },
        "audit": _complete(context.get("audit"), "at", "who", "action"),
    }


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(resource_dir("templates"))),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name in a template fails, never prints nothing
        finalize=lambda value: "" if value is None else value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["fmt"] = format_value
    return environment


def render_report_html(template: str, report: dict) -> str:
    """A report template (under templates/reports) rendered with `report` as one HTML document
    (autoescaped, the report filters at hand); its stylesheet is css/report.css."""
    html = _environment().get_template(template).render(report=report)
    # Template indentation only slows WeasyPrint's HTML parser; one newline renders the same.
    return BETWEEN_TABLE_TAGS.sub(r"\1", INDENTATION.sub("\n", html))


def render_board_html(context: dict, include_charts: bool = True) -> str:
    """The board report as one HTML document."""
    return render_report_html(TEMPLATE, report_view(context, include_charts))


def html_to_pdf(html: str, url_fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """PDF bytes for an HTML string whose relative URLs resolve inside procure/static."""
    return HTML(
        string=html,
        base_url=STATIC_ROOT.as_uri() + "/",
        url_fetcher=url_fetcher or StaticOnlyFetcher(),
    ).write_pdf()


def render_board_pdf(context: dict) -> bytes:
    """The board report of one scenario, as PDF bytes (A4)."""
    return html_to_pdf(render_board_html(context))
