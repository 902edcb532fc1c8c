"""The safe formula evaluator: arithmetic over known fields only, NaN for missing data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import FormulaError, compile_formula

FIELDS = frozenset({"x", "y", "headcount_end"})
NAN = math.nan
VALUES = {"x": np.array([1.0, 2.0, 0.0, NAN]), "y": np.array([2.0, 0.0, 0.0, 1.0])}


def evaluate(text: str) -> np.ndarray:
    return compile_formula(text, FIELDS).evaluate(VALUES, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x / y", [0.5, NAN, NAN, NAN]),  # 1/2; 2/0 and 0/0 -> NaN, never inf; NaN/1 -> NaN
        ("-x + 2 * y", [3.0, -2.0, 0.0, NAN]),  # -1+4, -2+0, 0, NaN
        ("(x + y) * 0.5", [1.5, 1.0, 0.0, NAN]),
        ("mean(x, y)", [1.5, 1.0, 0.0, NAN]),  # a missing operand stays missing
        ("min(x, y)", [1.0, 0.0, 0.0, NAN]),
        ("max(x, y, 1.5)", [2.0, 2.0, 1.5, NAN]),
        ("abs(x - y)", [1.0, 2.0, 0.0, NAN]),
        ("if_missing(x, 7)", [1.0, 2.0, 0.0, 7.0]),  # only the missing value is replaced
        ("if_missing(x / y, y)", [0.5, 0.0, 0.0, 1.0]),  # 2/0 and 0/0 are missing too
        ("if_missing(x, x)", [1.0, 2.0, 0.0, NAN]),  # missing both ways stays missing
        ("1 / (1 / y)", [2.0, NAN, NAN, 1.0]),  # a zero divisor deep inside is still NaN
        ("x * 1e308 * 10", [NAN, NAN, 0.0, NAN]),  # overflow to inf becomes NaN
        ("+x", [1.0, 2.0, 0.0, NAN]),
        ("2", [2.0, 2.0, 2.0, 2.0]),  # a constant is broadcast to every vendor
    ],
)
def test_formula_values(text, expected):
    np.testing.assert_array_equal(evaluate(text), np.array(expected))


def test_formula_records_the_fields_it_reads():
    assert compile_formula("x / mean(x, y)", FIELDS).fields == {"x", "y"}


def test_evaluation_does_not_modify_the_fields():
    before = {name: values.copy() for name, values in VALUES.items()}
    evaluate("x / y")
    for name, values in VALUES.items():
        np.testing.assert_array_equal(values, before[name])


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('ls')", "attribute access '.system'"),
        ("headcount_end.__class__", "attribute access '.__class__'"),
        ("().__class__", "attribute access '.__class__'"),
        ("().__class__.__bases__[0]", "subscript"),
        ("lambda: 1", "lambda"),
        ("(lambda: 1)()", "lambda is not allowed"),
        ("(x + y)(1)", "call of 'x + y'"),
        ("'abc'", "string literal 'abc'"),
        ("x + b'abc'", "bytes literal"),
        ("x + os", "unknown field 'os'"),
        ("__builtins__", "dunder name '__builtins__'"),
        ("headcount_end[0]", "subscript"),
        ("[v for v in x]", "list comprehension"),
        ("sum(v for v in x)", "unknown function 'sum'"),
        ("max(v for v in x)", "generator expression"),
        ("eval('1')", "unknown function 'eval'"),
        ("open('x')", "unknown function 'open'"),
        ("max(x, key=y)", "keyword argument 'key'"),
        ("max(*x)", "starred argument"),
        ("x if y else 0", "conditional expression"),
        ("x > y", "comparison"),
        ("x and y", "and/or"),
        ("x ** 2", "operator '**'"),
        ("x // 2", "operator '//'"),
        ("~x", "operator '~'"),
        ("True", "boolean literal True"),
        ("None", "NoneType literal None"),
        ("1j", "complex literal"),
        ("(x := 1)", "assignment expression"),
        ("f'{x}'", "f-string"),
        ("[x, y]", "list"),
        ("{'a': x}", "dict"),
        ("mean", "function 'mean' must be called"),
        ("abs(x, y)", "abs() takes 1 argument(s), got 2"),
        ("min()", "min() takes at least 1 argument(s), got 0"),
        ("if_missing(x)", "if_missing() takes 2 argument(s), got 1"),
        ("x = 1", "cannot parse"),
        ("import os", "cannot parse"),
        ("x +", "cannot parse"),
        ("", "formula is empty"),
        ("x" + " + x" * 200, "longer than 500 characters"),
        ("1" * 400, "too large"),
    ],
)
def test_unsafe_or_unknown_constructs_are_refused_by_name(text, named):
    with pytest.raises(FormulaError) as raised:
        compile_formula(text, FIELDS)
    assert named in str(raised.value)


def test_non_text_formula_is_refused():
    with pytest.raises(FormulaError, match="must be text, got int"):
        compile_formula(3, FIELDS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_either_compiles_or_raises_formula_error(text):
    # Fuzz: arbitrary input never escapes as another exception type, and what compiles
    # only reads known fields and gives finite or NaN values.
    try:
        formula = compile_formula(text, FIELDS)
    except FormulaError:
        return
    assert formula.fields <= FIELDS
    values = formula.evaluate({**VALUES, "headcount_end": np.ones(4)}, 4)
    assert not np.isinf(values).any()
