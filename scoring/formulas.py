"""Safe, vectorised metric formulas.

A formula is an arithmetic expression over disclosure field names, evaluated once for all
vendors at a time (each name stands for a float array with one element per vendor).

Allowed, and nothing else:

- numbers (int or float literals) and known field names;
- ``+ - * /`` and unary ``+``/``-``, with parentheses;
- ``mean(a, b, ...)``, ``min(a, b, ...)``, ``max(a, b, ...)`` and ``abs(a)``;
- ``if_missing(a, b)``: ``a`` where it is known, else ``b``. The one way a formula gives a
  value for a vendor that did not disclose (or was not measured): the buyer writes the value
  down, e.g. ``if_missing(delivery_reliability, 0.9)`` for a vendor with no deliveries yet.

Anything else (attribute access, subscripts, calls to other functions, lambdas, dunder names,
strings, comprehensions, comparisons, ``**`` ...) is refused with a :class:`FormulaError`
naming the construct. The text is parsed with :mod:`ast` and checked against this whitelist,
then turned into a tree of numpy operations: it is never passed to ``eval``.

Missing data: NaN ("not disclosed") in any operand gives NaN, including in ``min``/``max``
(a missing value is never silently skipped), except where ``if_missing`` names the value. A
division by zero gives NaN, never inf, and any non-finite result is turned into NaN.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import numpy.typing as npt

MAX_FORMULA_LENGTH = 500

Floats = npt.NDArray[np.float64]
"""One value per vendor (NaN = not disclosed)."""
Values = Callable[[Mapping[str, Floats]], Floats | float]


class FormulaError(ValueError):
    """A formula cannot be parsed or uses something outside the whitelist."""


def divide_or_nan(numerator: Floats | float, denominator: Floats | float) -> Floats:
    """Element-wise ``numerator / denominator``; NaN where the denominator is 0 or missing
    and where the quotient overflows, never inf."""
    numerator, denominator = np.broadcast_arrays(
        np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    )
    quotient = np.full(numerator.shape, np.nan)
    with np.errstate(all="ignore"):
        np.divide(numerator, denominator, out=quotient, where=denominator != 0)
    quotient[~np.isfinite(quotient)] = np.nan
    return quotient


def _mean(*values: Floats | float) -> Floats | float:
    return reduce(np.add, values) / len(values)


def _if_missing(value: Floats | float, otherwise: Floats | float) -> Floats:
    value, otherwise = np.broadcast_arrays(
        np.asarray(value, dtype=float), np.asarray(otherwise, dtype=float)
    )
    return np.where(np.isnan(value), otherwise, value)


# name -> (function, least number of arguments, most number of arguments or None)
FUNCTIONS: dict[str, tuple[Callable[..., Floats | float], int, int | None]] = {
    "abs": (np.abs, 1, 1),
    "if_missing": (_if_missing, 2, 2),
    "max": (lambda *values: reduce(np.maximum, values), 1, None),
    "mean": (_mean, 1, None),
    "min": (lambda *values: reduce(np.minimum, values), 1, None),
}

_OPERATORS: dict[type[ast.operator], Callable[[Floats | float, Floats | float], Floats | float]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: divide_or_nan,
}
_OPERATOR_SYMBOLS = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}
_CONSTRUCTS = {
    ast.Lambda: "lambda",
    ast.Subscript: "subscript [...]",
    ast.Slice: "slice",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment expression :=",
    ast.Starred: "starred argument *",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


@dataclass(frozen=True)
class Formula:
    """A checked formula. ``fields`` are the disclosure fields it reads; ``divisors`` those
    that appear in the right operand of a division (a 0 there leaves the value unknown)."""

    text: str
    fields: frozenset[str]
    _values: Values = field(repr=False, compare=False)
    divisors: frozenset[str] = frozenset()

    def evaluate(self, fields: Mapping[str, Floats], size: int) -> Floats:
        """Metric values for ``size`` vendors (a new float array; NaN = not disclosed).

        ``fields`` maps each name in :attr:`fields` to a float array of length ``size``.
        """
        with np.errstate(all="ignore"):
            values = np.array(np.broadcast_to(self._values(fields), (size,)), dtype=float)
        values[~np.isfinite(values)] = np.nan
        return values


def compile_formula(text: str, known_fields: frozenset[str] | set[str]) -> Formula:
    """Check ``text`` against the whitelist and the ``known_fields``; raise FormulaError."""
    if not isinstance(text, str):
        raise FormulaError(f"formula must be text, got {type(text).__name__}")
    if not text.strip():
        raise FormulaError("formula is empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_FORMULA_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise FormulaError(f"cannot parse formula {text!r}: {error}") from None
    used: set[str] = set()
    _check(tree.body, known_fields, used)
    return Formula(
        text=text.strip(),
        fields=frozenset(used),
        _values=_build(tree.body),
        divisors=_divisors(tree.body),
    )


def _divisors(node: ast.AST) -> frozenset[str]:
    """The field names in the right operand of every division of a checked expression."""
    return frozenset(
        name.id
        for division in ast.walk(node)
        if isinstance(division, ast.BinOp) and isinstance(division.op, ast.Div)
        for name in ast.walk(division.right)
        if isinstance(name, ast.Name) and name.id not in FUNCTIONS
    )


def _check(node: ast.AST, known_fields: frozenset[str] | set[str], used: set[str]) -> None:
    """Refuse, naming it, the outermost construct that is not on the whitelist."""
    match node:
        case ast.Constant(value=value):
            if type(value) not in (int, float):
                raise FormulaError(f"{_literal_kind(value)} {value!r} is not allowed")
            if type(value) is int and abs(value) > 1e300:
                raise FormulaError("number literal is too large")
        case ast.Name(id=name):
            if name.startswith("__"):
                raise FormulaError(f"dunder name {name!r} is not allowed")
            if name in FUNCTIONS:
                raise FormulaError(f"function {name!r} must be called, e.g. {name}(a, b)")
            if name not in known_fields:
                raise FormulaError(f"unknown field {name!r}")
            used.add(name)
        case ast.BinOp(left=left, op=op, right=right):
            if type(op) not in _OPERATORS:
                raise FormulaError(f"operator {_OPERATOR_SYMBOLS[type(op)]!r} is not allowed")
            _check(left, known_fields, used)
            _check(right, known_fields, used)
        case ast.UnaryOp(op=op, operand=operand):
            if not isinstance(op, ast.UAdd | ast.USub):
                raise FormulaError(f"operator {_OPERATOR_SYMBOLS[type(op)]!r} is not allowed")
            _check(operand, known_fields, used)
        case ast.Call(func=function, args=args, keywords=keywords):
            if not isinstance(function, ast.Name):
                _check(function, known_fields, used)  # names what is being called, if it can
                raise FormulaError(f"call of {ast.unparse(function)!r} is not allowed")
            _check_call(function, args, keywords)
            for argument in args:
                _check(argument, known_fields, used)
        case ast.Attribute(attr=attribute):
            raise FormulaError(f"attribute access '.{attribute}' is not allowed")
        case _:
            construct = _CONSTRUCTS.get(type(node), type(node).__name__)
            raise FormulaError(f"{construct} is not allowed")


def _check_call(function: ast.Name, args: list[ast.expr], keywords: list[ast.keyword]) -> None:
    if function.id not in FUNCTIONS:
        allowed = ", ".join(sorted(FUNCTIONS))
        raise FormulaError(f"call to unknown function {function.id!r} (allowed: {allowed})")
    if keywords:
        raise FormulaError(f"keyword argument {keywords[0].arg!r} is not allowed")
    _, least, most = FUNCTIONS[function.id]
    if len(args) < least or (most is not None and len(args) > most):
        expected = f"{least}" if least == most else f"at least {least}"
        raise FormulaError(f"{function.id}() takes {expected} argument(s), got {len(args)}")


def _literal_kind(value: object) -> str:
    if isinstance(value, str):
        return "string literal"
    if isinstance(value, bytes):
        return "bytes literal"
    if isinstance(value, bool):
        return "boolean literal"
    return f"{type(value).__name__} literal"


def _build(node: ast.AST) -> Values:
    """Turn a checked expression into nested closures over numpy operations."""
    match node:
        case ast.Constant(value=int() | float() as value):  # _check allows no other constant
            number = float(value)
            return lambda fields: number

        case ast.Name(id=name):
            return lambda fields: fields[name]
        case ast.BinOp(left=left, op=op, right=right):
            operator, left_values, right_values = _OPERATORS[type(op)], _build(left), _build(right)
            return lambda fields: operator(left_values(fields), right_values(fields))
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            operand_values = _build(operand)
            return lambda fields: np.negative(operand_values(fields))
        case ast.UnaryOp(operand=operand):
            return _build(operand)
        case ast.Call(func=ast.Name(id=name), args=args):
            function, argument_values = FUNCTIONS[name][0], [_build(argument) for argument in args]
            return lambda fields: function(*(values(fields) for values in argument_values))
    raise AssertionError(f"unchecked node {ast.dump(node)}")  # _check refuses all others
