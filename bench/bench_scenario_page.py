"""Benchmark: a solved scenario's page, two scenarios compared, the board report's context and
its PDF, at N vendors, against a baseline request in the same run, with the SQL statements each
sends.

Builds the SQLite database of bench_adapter.py (N vendors, each with a rate card for data
annotation and three submitted yearly disclosures), a buyer who signs in, one need large
enough that most vendors get work, and two scenarios of it (least cost, and least cost with a
minimum average impact), each solved in-process as the solve job does (problem from today's
data, optimizer, frontier, stored result). Then times, after one warm-up each:
  - GET /healthz (the baseline: one request through the stack and one `SELECT 1`);
  - GET /scenarios/<id> (the solved scenario's page);
  - GET /scenarios/compare?ids=<a>&ids=<b> (the two compared);
  - board_context (the board report's figures, as the PDF job gathers them);
  - the board PDF from that context (HTML with charts → WeasyPrint), against WeasyPrint's fixed
    cost (a one-page document with the report's stylesheet; bench_report.ONE_PAGE);
  - the page, the comparison and board_context again with the stored projections and page
    facts removed (a scenario solved before migration 0041: the projection is worked out on
    every read from the scored disclosures, the page facts from the problem and result), the old
    path against the new in the same run;
and prints medians, SQL statements, the page's size and the ratios to the baseline.

Run from the repository root:
    python bench/bench_scenario_page.py [--vendors N ...] [--repeat R] [--no-pdf]
e.g. python bench/bench_scenario_page.py --vendors 1000 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_adapter import scratch_database  # noqa: E402
from bench_report import ONE_PAGE  # noqa: E402
from sqlalchemy import event, update  # noqa: E402

from procure.extensions import db  # noqa: E402
from tests.conftest import TEST_PASSWORD, post_sign_in  # noqa: E402

HOURS_PER_VENDOR = 7_000
"""The need's volume per vendor (each offers 1,000 hours a month): most vendors get work."""


def _buyer(organization_id: int):
    from werkzeug.security import generate_password_hash

    from procure.accounts.models import User

    user = User(
        organization_id=organization_id,
        email="buyer@bench.example",
        name="Bench Buyer",
        role="buyer",
        password_hash=generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000"),
        active=True,
    )
    db.session.add(user)
    db.session.commit()
    return user


def _solved(buyer, need_id: int, name: str, targets: dict):
    """A scenario of the need, solved as the solve job does it, committed."""
    import optimizer
    from procure.scenarios import figures, services
    from procure.scenarios.jobs import FRONTIER_POINTS

    scenario = services.create_scenario(
        buyer.organization_id, {"name": name, "need_ids": [need_id], "targets": targets}, buyer
    )
    db.session.flush()
    problem, settings = services.problem_for(scenario)
    result = optimizer.solve(problem)
    measure = figures.frontier_measure(problem, None)
    frontier = optimizer.frontier(problem, FRONTIER_POINTS, measure=measure)
    services.store_solution(scenario, problem, settings, result, frontier, actor=buyer)
    db.session.commit()
    return scenario


def _timed(run: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median seconds and SQL statements of `run`, after one warm-up."""
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    run()
    seconds, counts = [], []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            db.session.expire_all()
            statements.clear()
            started = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - started)
            counts.append(len(statements))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(seconds), int(statistics.median(counts))


def measure(vendors: int, repeat: int, pdf: bool) -> None:
    from procure.needs.services import create_need
    from procure.reports.board_pdf import html_to_pdf, render_board_html
    from procure.scenarios import page_facts, review
    from procure.scenarios.models import Scenario
    from procure.scenarios.report_context import board_context

    started = time.perf_counter()
    with scratch_database(vendors) as (app, buyer_id):
        buyer = _buyer(buyer_id)
        need = create_need(
            buyer_id,
            {
                "title": "Annotation 2026",
                "service_category": "data_annotation",
                "volume": vendors * HOURS_PER_VENDOR,
                "unit": "hour",
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 12, 31),
            },
            buyer,
        )
        db.session.commit()
        cheapest = _solved(buyer, need.id, "Least cost", {})
        greener = _solved(buyer, need.id, "More impact", {"min_avg_impact": 0})
        built = time.perf_counter() - started
        lines = len(cheapest.result["allocations"])
        client = app.test_client()
        assert post_sign_in(client, buyer.email, TEST_PASSWORD).status_code == 302
        sizes: dict[str, int] = {}

        def get(name: str, url: str) -> Callable[[], None]:
            def run() -> None:
                answer = client.get(url)
                assert answer.status_code == 200, (url, answer.status_code)
                sizes[name] = len(answer.data)

            return run

        rows = {
            "GET /healthz (baseline)": _timed(get("healthz", "/healthz"), repeat),
            "GET /scenarios/<id>": _timed(get("page", f"/scenarios/{cheapest.id}"), repeat),
            "GET /scenarios/compare (two)": _timed(
                get("compare", f"/scenarios/compare?ids={cheapest.id}&ids={greener.id}"),
                repeat,
            ),
            "board_context": _timed(lambda: board_context(cheapest), repeat),
        }
        # the old path in the same run: the scenarios as solved before migration 0041, without
        # a stored projection (the pages work it out from the scored disclosures) nor page facts
        # (0047: the page and the comparison work them out from the problem and result)
        db.session.execute(
            update(Scenario).values(
                projection=None, projection_rows=None, page_facts=None, page_lines=None
            )
        )
        db.session.commit()
        old_rows = {
            "GET /scenarios/<id>": _timed(get("page", f"/scenarios/{cheapest.id}"), repeat),
            "GET /scenarios/compare (two)": _timed(
                get("compare", f"/scenarios/compare?ids={cheapest.id}&ids={greener.id}"),
                repeat,
            ),
            "board_context": _timed(lambda: board_context(cheapest), repeat),
        }
        for scenario in (cheapest, greener):
            review.store_projection(scenario)
            page_facts.store(scenario)
        db.session.commit()
        if pdf:
            context = board_context(cheapest)
            rows["board PDF (context → HTML → PDF)"] = _timed(
                lambda: html_to_pdf(render_board_html(context)), repeat
            )
            rows["one-page PDF (WeasyPrint's fixed cost)"] = _timed(
                lambda: html_to_pdf(ONE_PAGE), repeat
            )
    baseline = rows["GET /healthz (baseline)"][0]
    print(
        f"\n{vendors:,} vendors, {lines:,} allocation lines in the scenario "
        f"(built and solved in {built:.0f} s); median of {repeat}"
    )
    for name, (seconds, statements) in rows.items():
        print(
            f"  {name:<40} {seconds * 1000:9.1f} ms  {statements:6,d} SQL  "
            f"{seconds / baseline:8.1f}x /healthz"
        )
    print(
        "  without a stored projection nor page facts (solved before migration 0041; worked out "
        "per read):"
    )
    for name, (seconds, statements) in old_rows.items():
        print(
            f"  {name:<40} {seconds * 1000:9.1f} ms  {statements:6,d} SQL  "
            f"{seconds / baseline:8.1f}x /healthz  "
            f"{seconds / rows[name][0]:5.1f}x the stored projection"
        )
    print(f"  page {sizes['page'] / 1024:,.0f} KiB, comparison {sizes['compare'] / 1024:,.0f} KiB")
    if pdf:
        whole = rows["board_context"][0] + rows["board PDF (context → HTML → PDF)"][0]
        fixed = rows["one-page PDF (WeasyPrint's fixed cost)"][0]
        print(
            f"  board report (context + PDF) {whole:.2f} s = {whole / fixed:.1f}x a one-page "
            f"PDF; goal under 3 s: {'met' if whole < 3 else 'NOT met'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vendors", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="leave out the board PDF")
    args = parser.parse_args()
    for vendors in args.vendors:
        measure(vendors, args.repeat, not args.no_pdf)


if __name__ == "__main__":
    main()
