"""A need's whole-number rules in a buyer's words: the most vendors it goes to (`max_vendors`) and
the least a vendor is awarded (`min_award`, in total over its lines for the need; the
optimizer's `needs[].min_award`), and how close the solver came to the best possible plan under
them (its MIP gap).

Read from a scenario's stored problem and result documents (plain dicts), for the scenario page
and the board report alike. Sentences name the optimizer's ids ("need N3", "vendor V2"), which
`review.plain_words` turns into titles and names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from procure.formatting import plain_number

GAP_SIGNIFICANT = 2
"""Significant digits of the gap in percent: 0.0001 %, 0.012 %."""


def _needs(problem: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {n["id"]: n for n in (problem or {}).get("needs", [])}


def _vendors(count: float) -> str:
    return f"{plain_number(count)} vendor{'' if count == 1 else 's'}"


def _units(need: Mapping[str, Any], amount: float) -> str:
    unit = need.get("unit") or "unit"
    return f"{plain_number(amount)} {unit}{'' if amount == 1 else 's'}"


def rule_sentences(problem: Mapping[str, Any] | None) -> list[str]:
    """One sentence per whole-number rule a need of the document sets. A document frozen before
    the minimum award was per vendor (issue 21) carries it as each line's `min_order` too, and
    was solved with it at each price: its sentence says so."""
    sentences = []
    per_line = {o.get("need") for o in (problem or {}).get("offers", []) if "min_order" in o}
    for need_id, need in _needs(problem).items():
        if need.get("max_vendors") is not None:
            sentences.append(f"Need {need_id} goes to at most {_vendors(need['max_vendors'])}.")
        if need.get("min_award") is not None:
            where = "at each price" if need_id in per_line else "in total across the prices"
            sentences.append(
                f"Need {need_id}: a vendor gets nothing or at least "
                f"{_units(need, need['min_award'])} {where} it gave."
            )
    return sentences


def gap_sentence(result: Mapping[str, Any] | None) -> str:
    """How close the plan is to the best possible one, from the result's relative MIP gap."""
    result = result or {}
    gap = result.get("mip_gap")
    stopped = result.get("status") == "time_limit"
    if gap is None:
        return (
            "The solver stopped at its time limit and did not report how close this plan is to "
            "the best possible one."
            if stopped
            else "The solver did not report how close this plan is to the best possible one."
        )
    within = f"within {plain_number(gap * 100, GAP_SIGNIFICANT)} % of the best possible plan"
    if stopped:
        return f"The solver stopped at its time limit with this plan, {within}."
    if gap == 0:
        return "The solver proved this plan is the best possible one (a gap of 0 %)."
    return f"The solver proved this plan is {within}."


def plan_limits(
    problem: Mapping[str, Any] | None, result: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The whole-number rules a solved plan used and the gap it reached, or None when it used
    none (no need sets one and the model had no yes-or-no choices)."""
    sentences = rule_sentences(problem)
    binaries = ((result or {}).get("model") or {}).get("binaries") or 0
    if not sentences and not binaries:
        return None
    return {"rules": sentences, "gap": gap_sentence(result) if result else None}
