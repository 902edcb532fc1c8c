"""Benchmark: the board PDF for 100 vendors and 20 needs (goal: under 3 s).

Times, in the same run and process, after one warm-up render:
  - the full report (context → HTML with two SVG charts → PDF), `--repeat` times;
  - its parts: context → HTML (figures, the two charts, the template), and HTML → PDF (WeasyPrint);
  - WeasyPrint on the same HTML without the charts (what drawing the two SVGs costs it);
  - the charts alone (procure.charts → SVG);
  - WeasyPrint rendering a one-page document with the same stylesheet (its fixed cost);
and prints min and median seconds and the ratios to the full report.

Run from the repository root:  python bench/bench_report.py [--vendors N] [--needs M] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from weasyprint import HTML

from procure import charts
from procure.reports.board_pdf import (
    STATIC_ROOT,
    StaticOnlyFetcher,
    html_to_pdf,
    render_board_html,
    render_board_pdf,
    report_view,
)
from tests.reports.sample_context import sample_context

ONE_PAGE = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>One page</title>
<link rel="stylesheet" href="css/report.css"></head><body><section class="cover">
<p class="cover-org">Northwind Retail Group</p><h1 class="cover-title">One page</h1>
<p>A single page with the report stylesheet: WeasyPrint's fixed cost per document.</p>"""
    "</section></body></html>"
)


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return seconds


def line(name: str, seconds: list[float], reference: float | None = None) -> str:
    text = f"{name:<44} min {min(seconds):6.3f} s   median {statistics.median(seconds):6.3f} s"
    if reference:
        text += f"   full / this = {reference / statistics.median(seconds):5.2f}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vendors", type=int, default=100)
    parser.add_argument("--needs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    context = sample_context(args.vendors, args.needs)
    first_start = time.perf_counter()
    pdf = render_board_pdf(context)  # warm-up: font configuration, template compilation, imports
    first = time.perf_counter() - first_start
    html_without_charts = render_board_html(context, include_charts=False)
    pages = len(
        HTML(
            string=render_board_html(context),
            base_url=STATIC_ROOT.as_uri() + "/",
            url_fetcher=StaticOnlyFetcher(),
        )
        .render()
        .pages
    )

    def charts_only() -> None:
        view = report_view(context, include_charts=False)
        charts.frontier_chart(
            context["frontier"]["points"], context["frontier"]["chosen"], "Plan B"
        )
        charts.horizontal_bar_chart(
            charts.top_with_others([(row["vendor"], row["cost"]) for row in view["vendors"]], 15)
        )

    html_with_charts = render_board_html(context)
    full = timed(lambda: render_board_pdf(context), args.repeat)
    to_html = timed(lambda: render_board_html(context), args.repeat)
    to_pdf = timed(lambda: html_to_pdf(html_with_charts), args.repeat)
    without_charts = timed(lambda: html_to_pdf(html_without_charts), args.repeat)
    chart_seconds = timed(charts_only, args.repeat)
    one_page = timed(lambda: html_to_pdf(ONE_PAGE), args.repeat)

    reference = statistics.median(full)
    print(
        f"board PDF, {args.vendors} vendors, {args.needs} needs, "
        f"{len(context['allocations'])} allocation "
        f"lines: {pages} pages, {len(pdf) / 1024:,.0f} KiB; first render (cold) {first:.3f} s"
    )
    print(line("full report", full))
    print(line("  context → HTML (figures, charts, template)", to_html, reference))
    print(line("  HTML → PDF (WeasyPrint)", to_pdf, reference))
    print(line("WeasyPrint on the HTML without the charts", without_charts, reference))
    print(line("the two charts alone (procure.charts → SVG)", chart_seconds, reference))
    print(line("one-page document, same stylesheet", one_page, reference))
    print(f"goal: full report under 3 s (median) — {'met' if reference < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
