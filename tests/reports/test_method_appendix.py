"""The board report's method appendix states the rules a reader needs to check the figures:
labour-hour weighting, a need's own targets, monthly shared capacity, the one conversion rule
and the cost-pillar rule (issue 17); a plan solved before labour hours were counted says so."""

from __future__ import annotations

import html
import re

from procure.reports.board_pdf import render_board_html
from tests.reports.sample_context import sample_context


def _appendix(context: dict) -> str:
    page = render_board_html(context, include_charts=False)
    section = page[page.index('<section id="method"') :]
    text = re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])
    return " ".join(html.unescape(text).split())


def _in_hours(context: dict) -> dict:
    for allocation in context["allocations"]:
        allocation["hours"] = allocation["volume"] * 0.5
    return context


def test_a_plan_in_labour_hours_states_every_rule():
    text = _appendix(_in_hours(sample_context(6, 2)))
    assert "average impact and average quality are weighted by labour hours" in text
    assert "Σ impact × x × h ≥ target × Σ x × h" in text
    assert "A vendor's capacity is labour hours per calendar month, shared by all the needs" in text
    assert (
        "A need's own targets (minimum average impact, minimum quality, largest vendor share, "
        "minimum impact spend share) hold for that need alone" in text
    )
    assert (
        "an amount converts to US dollars at the latest exchange rate in force on a stated "
        "date" in text
    )
    assert "Nothing is rounded before use" in text
    assert (
        "Cost pillar = the lowest price per unit among all active offers of the service category "
        "in the same unit ÷ the offer's price" in text
    )
    assert "a vendor's cost pillar comes from its best offer there" in text
    assert "solved before labour hours were counted" not in text


def test_a_plan_solved_before_hours_were_counted_says_so():
    text = _appendix(sample_context(6, 2))  # its allocations have no hours
    assert "This plan was solved before labour hours were counted" in text
    assert "weighted by labour hours" not in text and "Exchange rates One conversion" not in text


def test_the_cost_pillar_rule_is_stated_without_pillar_weights():
    context = _in_hours(sample_context(6, 2))
    context["method"]["pillar_weights"] = {}
    text = _appendix(context)
    assert "Pillar weights" not in text
    assert "a vendor's cost pillar comes from its best offer there" in text


def test_each_formula_reads_in_the_disclosure_forms_words_without_keys():
    """Issue #22: the board read `impact_worker_share` and `impact_workers_end / headcount_end`;
    each metric is named by its label, its formula by the labels of the fields it divides."""
    text = _appendix(_in_hours(sample_context(6, 2)))
    assert (
        "Impact workers as a share of headcount impact workers at period end ÷ employees at "
        "period end" in text
    )
    assert "impact workers hired ÷ hires in the period" in text
    assert (
        "impact workers promoted ÷ the mean of (impact workers at period start and impact "
        "workers at period end)" in text
    )
    assert "training spend (USD) ÷ average full-time equivalents" in text
    for key in ("impact_worker_share", "impact_workers_end", "headcount_end", "_hourly"):
        assert key not in text, key
