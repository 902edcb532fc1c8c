"""A metric formula in words (the board report's method appendix): each field by its form label,
each operator by its sign, parentheses where the order of operations needs them."""

from __future__ import annotations

import pytest

from scoring.catalog import load_catalog
from scoring.contract import FORMULA_FIELD_ORDER
from scoring.formula_words import FORMULA_FIELD_WORDS, formula_words
from scoring.formulas import compile_formula


def test_the_default_formulas_in_the_forms_words():
    assert formula_words("impact_workers_end / headcount_end") == (
        "impact workers at period end ÷ employees at period end"
    )
    assert formula_words("entry_level_wage_hourly / local_minimum_wage_hourly") == (
        "entry-level wage per hour ÷ local minimum wage per hour"
    )
    assert formula_words("training_spend_usd / fte_avg") == (
        "training spend (USD) ÷ average full-time equivalents"
    )
    assert formula_words(
        "promotions_impact_workers / mean(impact_workers_start, impact_workers_end)"
    ) == (
        "impact workers promoted ÷ the mean of (impact workers at period start and impact "
        "workers at period end)"
    )
    assert formula_words("refugee_or_displaced / impact_workers_end") == (
        "refugees or displaced people (impact workers at period end) ÷ impact workers at period end"
    )
    assert formula_words("if_missing(delivery_reliability, 0.9)") == (
        "delivery reliability (where not known, 0.9)"
    )


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("a - (b - c)", "a − (b − c)"),  # the parentheses change the value: kept
        ("a - b - c", "a − b − c"),
        ("(a + b) / c", "(a + b) ÷ c"),
        ("a / (b * c)", "a ÷ (b × c)"),
        ("a + b * c", "a + b × c"),
        ("-(a + b) * 2", "−(a + b) × 2"),
        ("max(a, b, 1000)", "the largest of (a, b and 1,000)"),
    ],
)
def test_the_order_of_operations_is_kept(formula, words):
    assert formula_words(formula, {}) == words


def test_every_name_a_formula_may_read_has_words_and_every_catalog_formula_reads_without_keys():
    assert set(FORMULA_FIELD_ORDER) <= set(FORMULA_FIELD_WORDS)
    catalog = load_catalog("config/metrics.toml")
    for metric in catalog.metrics:
        compile_formula(metric.formula.text, set(FORMULA_FIELD_ORDER))  # a real formula
        words = formula_words(metric.formula.text)
        assert "_" not in words, (metric.key, words)
