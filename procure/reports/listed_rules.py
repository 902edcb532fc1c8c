"""Which rules of a plan the scenario's page and the board report list: every target, and of the
rules there is one of per vendor or offer (its capacity) only the few that cost the most. A plan
of 10,000 vendors has thousands of binding capacities; every rule stays in the result and in
the XLSX pack's "Assumptions" sheet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

Rule = TypeVar("Rule", bound=Mapping[str, Any])

PER_VENDOR_KINDS = frozenset({"vendor_capacity", "offer_capacity"})
"""The optimizer's rule kinds (a result constraint's `kind`) there is one of per vendor or offer."""
PER_VENDOR_SHOWN = 20
"""How many rules of those kinds are listed: the largest shadow prices in size."""


def listed_rules(rules: Sequence[Rule], shown: int = PER_VENDOR_SHOWN) -> tuple[list[Rule], int]:
    """`rules` in their order, with at most `shown` of the per-vendor kinds (those whose shadow
    price is largest in size; of equal ones, the first), and how many of them were left out."""
    per_vendor = [i for i, rule in enumerate(rules) if rule.get("kind") in PER_VENDOR_KINDS]
    if len(per_vendor) <= shown:
        return list(rules), 0
    kept = set(
        sorted(per_vendor, key=lambda i: (-abs(rules[i].get("shadow_price") or 0.0), i))[:shown]
    )
    return [
        rule
        for i, rule in enumerate(rules)
        if rule.get("kind") not in PER_VENDOR_KINDS or i in kept
    ], len(per_vendor) - shown
