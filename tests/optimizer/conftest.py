"""Fixtures for the optimizer tests.

* `reference` – an independent LP of the DESIGN §5 semantics written directly for
  `scipy.optimize.linprog(method="highs")` (it shares no code with optimizer/), plus the
  "best value of one target with that target removed" questions answered by it;
* `random_document` – seeded random problem documents (a fresh dict per call);
* `golden` – the hand-solved documents in tests/data/optimizer (a fresh dict per call).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

DATA = Path(__file__).resolve().parents[1] / "data" / "optimizer"


class ReferenceLP:
    """x_k for each eligible offer; every target as written in DESIGN §5 (dense rows, no
    auxiliary variables); `solve(doc)` returns (status, objective value, {(need, vendor): x})
    with the objective in $ (min_cost) or average impact points (max_impact)."""

    def __init__(self, doc: dict, drop: tuple[str, ...] = ()) -> None:
        targets = {k: v for k, v in (doc.get("targets") or {}).items() if v is not None}
        for name in drop:
            targets.pop(name, None)
        self.targets = targets
        self.needs = {n["id"]: n for n in doc["needs"]}
        self.vendors = {v["id"]: v for v in doc["vendors"]}
        self.offers = [
            o
            for o in doc["offers"]
            if self.vendors[o["vendor"]]["quality"]
            >= (self.needs[o["need"]].get("min_quality") or 0.0)
        ]
        self.total = sum(n["volume"] for n in doc["needs"])
        self.price = np.array([o["price"] for o in self.offers], dtype=float)
        self.impact = np.array([self.vendors[o["vendor"]]["impact_score"] for o in self.offers])
        self.quality = np.array([self.vendors[o["vendor"]]["quality"] for o in self.offers])
        upper = []
        for offer in self.offers:
            need = self.needs[offer["need"]]
            limit = (
                need.get("max_vendor_share") if need.get("max_vendor_share") is not None else 1.0
            ) * need["volume"]
            if offer.get("capacity") is not None:
                limit = min(limit, offer["capacity"])
            upper.append(limit)
        self.bounds = [(0.0, u) for u in upper]

    def rows(self, share: float | None = None, cap: float | None = None):
        """(A_ub, b_ub, A_eq, b_eq); `share` / `cap` override the two spend-share targets."""
        n = len(self.offers)
        a_eq, b_eq = [], []
        for need_id, need in self.needs.items():
            a_eq.append([1.0 if o["need"] == need_id else 0.0 for o in self.offers])
            b_eq.append(need["volume"])
        a_ub, b_ub = [], []
        for vendor_id, vendor in self.vendors.items():
            if vendor.get("capacity") is not None:
                a_ub.append([1.0 if o["vendor"] == vendor_id else 0.0 for o in self.offers])
                b_ub.append(vendor["capacity"])
        t = self.targets
        if "budget" in t:
            a_ub.append(self.price)
            b_ub.append(t["budget"])
        if "min_avg_impact" in t:
            a_ub.append(-self.impact)
            b_ub.append(-t["min_avg_impact"] * self.total)
        if "min_avg_quality" in t:
            a_ub.append(-self.quality)
            b_ub.append(-t["min_avg_quality"] * self.total)
        share = t.get("min_impact_spend_share") if share is None else share
        if share is not None:
            member = np.array(
                [
                    self.vendors[o["vendor"]]["impact_score"] >= t["impact_vendor_min_score"]
                    for o in self.offers
                ],
                float,
            )
            a_ub.append(share * self.price - member * self.price)
            b_ub.append(0.0)
        cap = t.get("max_vendor_spend_share") if cap is None else cap
        if cap is not None:
            for vendor_id in self.vendors:
                own = np.array([o["vendor"] == vendor_id for o in self.offers], float)
                if own.any():
                    a_ub.append(own * self.price - cap * self.price)
                    b_ub.append(0.0)

        def matrix(rows):
            return np.array(rows, dtype=float).reshape(len(rows), n) if rows else None

        return matrix(a_ub), (np.array(b_ub) if b_ub else None), matrix(a_eq), np.array(b_eq)

    def run(self, cost, **overrides):
        a_ub, b_ub, a_eq, b_eq = self.rows(**overrides)
        if not self.offers:
            return None
        out = linprog(
            cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=self.bounds, method="highs"
        )
        return out if out.status == 0 else None

    def solve(self, objective: str = "min_cost"):
        cost = self.price if objective == "min_cost" else -self.impact
        out = self.run(cost)
        if out is None:
            return "infeasible", None, {}
        value = out.fun if objective == "min_cost" else -out.fun / self.total
        plan = {(o["need"], o["vendor"]): float(v) for o, v in zip(self.offers, out.x, strict=True)}
        return "optimal", float(value), plan

    def feasible(self, **overrides) -> bool:
        return self.run(np.zeros(len(self.offers)), **overrides) is not None

    def bisect(self, name: str, low: float, high: float, feasible_high: bool) -> float | None:
        """The edge of feasibility of a share target between low and high (60 halvings)."""
        key = "share" if name == "min_impact_spend_share" else "cap"
        at = lambda value: self.feasible(**{key: value})  # noqa: E731
        if not at(high if feasible_high else low):
            return None
        for _ in range(60):
            middle = (low + high) / 2
            if at(middle) == feasible_high:
                high = middle
            else:
                low = middle
        return (low + high) / 2


def _reference_achievable(doc: dict, name: str) -> float | None:
    """The best value of target `name` with that target alone removed (None: infeasible)."""
    lp = ReferenceLP(doc, drop=(name,))
    if name == "budget":
        out = lp.run(lp.price)
        return None if out is None else float(out.fun)
    if name in ("min_avg_impact", "min_avg_quality"):
        out = lp.run(-(lp.impact if name == "min_avg_impact" else lp.quality))
        return None if out is None else float(-out.fun / lp.total)
    if name == "min_impact_spend_share":
        # the highest share s still feasible: feasible below, infeasible above
        result = lp.bisect(name, 0.0, 1.0, feasible_high=False)
        if result is None:
            return None
        return result if lp.feasible(share=0.0) else None
    result = lp.bisect(name, 0.0, 1.0, feasible_high=True)
    return result


@pytest.fixture(scope="session")
def reference():
    """The independent linprog model: `reference.solve(doc)`, `reference.achievable(doc,
    target)`, `reference.ReferenceLP`."""

    class Reference:
        ReferenceLP = ReferenceLP

        @staticmethod
        def solve(doc: dict, objective: str | None = None):
            return ReferenceLP(doc).solve(objective or doc.get("objective") or "min_cost")

        achievable = staticmethod(_reference_achievable)

    return Reference()


def make_random_document(
    seed: int, vendors: int | None = None, needs: int | None = None, targets: bool = True
) -> dict:
    """A small random problem; about half of them are feasible."""
    rng = np.random.default_rng(seed)
    v_count = vendors or int(rng.integers(2, 8))
    n_count = needs or int(rng.integers(1, 5))
    needs_list = []
    for j in range(n_count):
        need = {"id": f"N{j + 1}", "volume": float(rng.integers(20, 400))}
        if rng.random() < 0.5:
            need["min_quality"] = round(float(rng.uniform(0.7, 0.9)), 2)
        if rng.random() < 0.5:
            need["max_vendor_share"] = round(float(rng.uniform(0.4, 1.0)), 2)
        needs_list.append(need)
    volume = sum(n["volume"] for n in needs_list)
    vendor_list = []
    for i in range(v_count):
        vendor = {
            "id": f"V{i + 1}",
            "quality": round(float(rng.uniform(0.7, 1.0)), 3),
            "impact_score": round(float(rng.uniform(5, 95)), 1),
            "capacity": (
                None if rng.random() < 0.2 else float(rng.integers(1, 4) * volume / v_count)
            ),
        }
        if rng.random() < 0.6:
            vendor["impact_worker_share"] = round(float(rng.uniform(0, 0.8)), 2)
        vendor_list.append(vendor)
    offers = []
    for vendor in vendor_list:
        for need in needs_list:
            if rng.random() < 0.75:
                offer = {
                    "vendor": vendor["id"],
                    "need": need["id"],
                    "price": round(float(rng.uniform(8, 40)), 2),
                }
                if rng.random() < 0.2:
                    offer["capacity"] = float(rng.integers(10, 300))
                offers.append(offer)
    target_values = {}
    if targets:
        if rng.random() < 0.5:
            target_values["budget"] = round(float(volume * rng.uniform(15, 35)), 0)
        if rng.random() < 0.6:
            target_values["min_avg_impact"] = round(float(rng.uniform(30, 70)), 1)
        if rng.random() < 0.3:
            target_values["min_avg_quality"] = round(float(rng.uniform(0.8, 0.9)), 2)
        if rng.random() < 0.3:
            target_values["min_impact_spend_share"] = round(float(rng.uniform(0.1, 0.6)), 2)
            target_values["impact_vendor_min_score"] = 50.0
        if rng.random() < 0.25:
            target_values["max_vendor_spend_share"] = round(float(rng.uniform(0.3, 0.8)), 2)
    return {
        "needs": needs_list,
        "vendors": vendor_list,
        "offers": offers,
        "targets": target_values,
        "objective": "max_impact" if rng.random() < 0.3 else "min_cost",
        "options": {"time_limit": 30},
    }


@pytest.fixture(scope="session")
def random_document() -> Callable[..., dict]:
    """`random_document(seed, vendors=None, needs=None, targets=True)`: a fresh document."""
    return make_random_document


@pytest.fixture(scope="session")
def golden() -> Callable[[str], dict]:
    """`golden(name)`: tests/data/optimizer/<name>.json as a fresh dict."""
    cache: dict[str, dict] = {}

    def load(name: str) -> dict:
        if name not in cache:
            cache[name] = json.loads((DATA / f"{name}.json").read_text())
        return copy.deepcopy(cache[name])

    return load


def check_plan(doc: dict, result: dict, tolerance: float = 1e-6) -> list[str]:
    """Every DESIGN §5 rule checked on a result's allocations; returns the violations."""
    needs = {n["id"]: n for n in doc["needs"]}
    vendors = {v["id"]: v for v in doc["vendors"]}
    offers = {(o["need"], o["vendor"]): o for o in doc["offers"]}
    targets = {k: v for k, v in (doc.get("targets") or {}).items() if v is not None}
    lines = result["allocations"]
    problems = []

    def over(value, limit, what):
        if value > limit + tolerance * max(1.0, abs(limit)):
            problems.append(f"{what}: {value} > {limit}")

    for line in lines:
        offer = offers.get((line["need"], line["vendor"]))
        need, vendor = needs[line["need"]], vendors[line["vendor"]]
        if offer is None:
            problems.append(f"no offer for {line}")
            continue
        if vendor["quality"] < (need.get("min_quality") or 0):
            problems.append(f"ineligible {line}")
        if offer.get("capacity") is not None:
            over(line["volume"], offer["capacity"], f"offer capacity {line}")
        share = need.get("max_vendor_share")
        over(line["volume"], (1.0 if share is None else share) * need["volume"], f"share {line}")
        if line["volume"] < 0 or abs(line["cost"] - line["volume"] * line["price"]) > 1e-5:
            problems.append(f"line arithmetic {line}")
    for need_id, need in needs.items():
        placed = sum(line["volume"] for line in lines if line["need"] == need_id)
        if abs(placed - need["volume"]) > tolerance * max(1.0, need["volume"]):
            problems.append(f"demand {need_id}: {placed} != {need['volume']}")
    for vendor_id, vendor in vendors.items():
        if vendor.get("capacity") is not None:
            over(
                sum(line["volume"] for line in lines if line["vendor"] == vendor_id),
                vendor["capacity"],
                f"capacity {vendor_id}",
            )
    cost = sum(line["cost"] for line in lines)
    volume = sum(line["volume"] for line in lines)
    impact = sum(line["volume"] * vendors[line["vendor"]]["impact_score"] for line in lines)
    quality = sum(line["volume"] * vendors[line["vendor"]]["quality"] for line in lines)
    if "budget" in targets:
        over(cost, targets["budget"], "budget")
    if "min_avg_impact" in targets:
        over(targets["min_avg_impact"] * volume, impact, "min_avg_impact")
    if "min_avg_quality" in targets:
        over(targets["min_avg_quality"] * volume, quality, "min_avg_quality")
    if "min_impact_spend_share" in targets:
        impact_spend = sum(
            line["cost"]
            for line in lines
            if vendors[line["vendor"]]["impact_score"] >= targets["impact_vendor_min_score"]
        )
        over(targets["min_impact_spend_share"] * cost, impact_spend, "impact spend share")
    if "max_vendor_spend_share" in targets:
        for vendor_id in vendors:
            spend = sum(line["cost"] for line in lines if line["vendor"] == vendor_id)
            over(spend, targets["max_vendor_spend_share"] * cost, f"spend share {vendor_id}")
    return problems


@pytest.fixture(scope="session")
def plan_violations() -> Callable[[dict, dict], list[str]]:
    """`plan_violations(doc, result)`: the DESIGN §5 rules a result's plan breaks."""
    return check_plan
