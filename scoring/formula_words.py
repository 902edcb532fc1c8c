"""A metric formula in words, for readers who never see a field key: each name a formula reads
becomes the label the disclosure form gives it, each operator its sign.

``formula_words("impact_workers_end / headcount_end")`` is
``"impact workers at period end ÷ employees at period end"``. The words keep the formula's
meaning exactly: parentheses stay where the order of operations needs them, and a function
reads as its name in words with its arguments in parentheses.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from scoring.contract import BUYER_COLUMN_LABELS, hourly_field
from scoring.fields import FIELDS, WAGE


def _lower_first(label: str) -> str:
    """A label mid-sentence: its first letter lower-case, unless its first word is an acronym."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for field in FIELDS:
        name = field.column or field.key
        if field.section == "categories":  # counts of impact workers at period end, by group
            labels[name] = f"{_lower_first(field.label)} (impact workers at period end)"
        elif field.unit == WAGE:  # formulas read wages per hour only
            labels[hourly_field(name)] = f"{_lower_first(field.label)} per hour"
        elif field.section != "evidence":
            labels[name] = _lower_first(field.label)
    labels.update({name: _lower_first(label) for name, label in BUYER_COLUMN_LABELS.items()})
    return labels


FORMULA_FIELD_WORDS: Mapping[str, str] = _labels()
"""Each name a formula may read, in the words of its label (lower-case, for mid-sentence)."""

_FUNCTION_WORDS = {
    "abs": "the absolute value of",
    "mean": "the mean of",
    "min": "the smallest of",
    "max": "the largest of",
}
_SIGNS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


def formula_words(text: str, labels: Mapping[str, str] = FORMULA_FIELD_WORDS) -> str:
    """`text`, a metric formula (scoring.formulas), in words: names as their `labels` (a name
    with none as its words, underscores as spaces), ``/`` as ÷, ``*`` as ×. A formula that does
    not parse is returned with its underscores as spaces."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return _words(tree.body, labels)
    except (SyntaxError, ValueError, RecursionError, KeyError):
        return text.replace("_", " ")


def _words(node: ast.AST, labels: Mapping[str, str]) -> str:
    match node:
        case ast.Name(id=name):
            return labels.get(name) or name.replace("_", " ")
        case ast.Constant(value=value) if isinstance(value, int | float):
            return f"{value:,}" if isinstance(value, int) else f"{value:,g}"
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return f"−{_operand(operand, 3, labels)}"
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _words(operand, labels)
        case ast.BinOp(left=left, op=op, right=right):
            level = _PRECEDENCE[type(op)]
            # a − (b − c) and a ÷ (b × c) keep their parentheses; a − b − c needs none
            return (
                f"{_operand(left, level, labels)} {_SIGNS[type(op)]} "
                f"{_operand(right, level + 1, labels)}"
            )
        case ast.Call(func=ast.Name(id="if_missing"), args=[value, otherwise]):
            return f"{_operand(value, 3, labels)} (where not known, {_words(otherwise, labels)})"
        case ast.Call(func=ast.Name(id=function), args=args):
            inner = [_words(argument, labels) for argument in args]
            listed = inner[0] if len(inner) == 1 else f"{', '.join(inner[:-1])} and {inner[-1]}"
            return f"{_FUNCTION_WORDS.get(function, function)} ({listed})"
    raise ValueError(f"not a metric formula: {ast.dump(node)}")


def _operand(node: ast.AST, level: int, labels: Mapping[str, str]) -> str:
    """An operand's words, in parentheses where its operator binds less tightly than `level`."""
    words = _words(node, labels)
    if isinstance(node, ast.BinOp) and _PRECEDENCE[type(node.op)] < level:
        return f"({words})"
    return words
