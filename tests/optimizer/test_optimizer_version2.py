"""Version 2 problem documents: labour hours as the common measure, monthly capacity shared
across needs, a need's own targets, several offers per vendor and need.

Hand-solved cases carry their arithmetic in comments. `ReferenceV2` is an independent dense
LP written for scipy's linprog (no code shared with optimizer/); the hour-weighted max_impact
objective, which the optimizer solves by Dinkelbach rounds, is solved here by the
Charnes-Cooper transformation instead."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

import optimizer
from optimizer.problem import parse_problem

MIXED = {
    "version": 2,
    "needs": [
        {"id": "N1", "unit": "hour", "volume": 1000, "period": {"start": "2026-01", "months": 2}},
        {"id": "N2", "unit": "item", "volume": 10000, "period": {"start": "2026-02", "months": 2}},
    ],
    "vendors": [
        {"id": "V1", "quality": 0.9, "impact_score": 80, "impact_worker_share": 0.5},
        {"id": "V2", "quality": 0.95, "impact_score": 40, "impact_worker_share": 0.2},
    ],
    "offers": [
        {"vendor": "V1", "need": "N1", "price": 20},
        {"vendor": "V2", "need": "N1", "price": 15},
        {"vendor": "V1", "need": "N2", "price": 0.65, "hours_per_unit": 0.03, "unit": "item"},
        {"vendor": "V2", "need": "N2", "price": 0.5, "hours_per_unit": 0.02, "id": "v2-items"},
    ],
    "capacities": [{"vendor": "V2", "month": "2026-02", "hours": 300}],
    "settings": {"hours_per_fte_year": 2000},
}


def _doc(**changes):
    doc = copy.deepcopy(MIXED)
    doc.update(changes)
    return doc


def _binding(result):
    return {c["name"]: c for c in result["constraints"] if c["binding"]}


def test_a_mixed_unit_plan_adds_hours_not_units():
    # V2 is cheapest on both needs, but in February it has 300 hours. N1 runs Jan-Feb, so
    # V2 spends x/2 of its N1 hours in February; N2 runs Feb-Mar at 0.02 h per item, so
    # 10,000 items take 200 h, 100 h in February. Moving an N1 hour to V1 costs $5 and frees
    # 0.5 February hour ($10 per hour freed); moving an item costs $0.15 and frees 0.01 h
    # ($15 per hour freed). So N1 moves: 0.5·x + 100 ≤ 300 gives x = 400 hours at V2.
    # Cost: 400 × 15 + 600 × 20 + 10,000 × 0.5 = 6,000 + 12,000 + 5,000 = 23,000.
    result = optimizer.solve(_doc())
    assert result["status"] == "optimal"
    lines = {(a["need"], a["vendor"]): a for a in result["allocations"]}
    assert lines["N1", "V1"]["volume"] == pytest.approx(600)
    assert lines["N1", "V2"]["volume"] == pytest.approx(400)
    assert lines["N2", "V2"]["volume"] == pytest.approx(10000)
    assert lines["N2", "V2"]["hours"] == pytest.approx(200)  # 10,000 × 0.02
    assert lines["N2", "V2"]["offer"] == "v2-items"
    totals = result["totals"]
    assert totals["cost"] == pytest.approx(23000)
    # 1,000 hours of N1 and 200 hours of items: 1,200 labour hours, never 11,000 "units"
    assert totals["labour_hours"] == pytest.approx(1200)
    assert "volume" not in totals
    # impact-worker hours: V1 600 h × 0.5 = 300; V2 (400 + 200) h × 0.2 = 120; 420 in all,
    # 0.21 full-time jobs at 2,000 hours a year
    assert totals["impact_worker_hours"] == pytest.approx(420)
    assert totals["impact_worker_jobs"] == pytest.approx(0.21)
    # average impact by hours: (600 × 80 + 600 × 40) / 1,200 = 60
    assert totals["avg_impact"] == pytest.approx(60)
    needs = {n["need"]: n for n in totals["needs"]}
    assert needs["N2"]["labour_hours"] == pytest.approx(200)
    assert needs["N1"]["avg_impact"] == pytest.approx((600 * 80 + 400 * 40) / 1000)  # 64
    capacity = _binding(result)["capacity_v00001_m2026_02"]
    assert capacity["label"] == "Vendor V2 can work at most 300 labour hours in 2026-02"
    assert capacity["shadow_price"] == pytest.approx(-10)  # $5 per N1 hour / 0.5 h freed


def test_overlapping_needs_share_one_vendors_monthly_hours_and_disjoint_ones_do_not():
    # Two 100-hour needs, one month each; V1 ($10) has 120 hours a month, V2 costs $12.
    # Same month: 200 hours compete for 120, so 80 go to V2: 120 × 10 + 80 × 12 = 2,160.
    # Different months: each fits, 200 × 10 = 2,000.
    def doc(second_start):
        return {
            "version": 2,
            "needs": [
                {"id": "A", "volume": 100, "period": {"start": "2026-03", "months": 1}},
                {"id": "B", "volume": 100, "period": {"start": second_start, "months": 1}},
            ],
            "vendors": [
                {"id": "V1", "quality": 1, "impact_score": 50},
                {"id": "V2", "quality": 1, "impact_score": 50},
            ],
            "offers": [
                {"vendor": v, "need": n, "price": p}
                for n in ("A", "B")
                for v, p in (("V1", 10), ("V2", 12))
            ],
            "capacities": [
                {"vendor": "V1", "month": "2026-03", "hours": 120},
                {"vendor": "V1", "month": "2026-04", "hours": 120},
            ],
        }

    shared = optimizer.solve(doc("2026-03"))
    assert shared["totals"]["cost"] == pytest.approx(2160)
    v1_hours = sum(a["hours"] for a in shared["allocations"] if a["vendor"] == "V1")
    assert v1_hours == pytest.approx(120)
    apart = optimizer.solve(doc("2026-04"))
    assert apart["totals"]["cost"] == pytest.approx(2000)


def test_capacity_that_grows_from_a_month_onward():
    # A 300-hour need over three months. V1 ($10) has 50 h in May and 200 h from June on;
    # V2 costs $20.
    doc = {
        "version": 2,
        "needs": [{"id": "N", "volume": 300, "period": {"start": "2026-05", "months": 3}}],
        "vendors": [
            {"id": "V1", "quality": 1, "impact_score": 50},
            {"id": "V2", "quality": 1, "impact_score": 50},
        ],
        "offers": [
            {"vendor": "V1", "need": "N", "price": 10},
            {"vendor": "V2", "need": "N", "price": 20},
        ],
        "capacities": [
            {"vendor": "V1", "month": "2026-05", "hours": 50},
            {"vendor": "V1", "month": "2026-06", "hours": 200},
            {"vendor": "V1", "month": "2026-07", "hours": 200},
        ],
    }
    result = optimizer.solve(doc)
    # Evenly spread: x/3 per month ≤ 50 in May, so x ≤ 150 at V1, 150 at V2:
    # 150 × 10 + 150 × 20 = 4,500. (Even spreading is the rule: a need's volume is worked
    # at one pace through its period.)
    assert result["totals"]["cost"] == pytest.approx(4500)
    assert _binding(result)["capacity_v00000_m2026_05"]["shadow_price"] == pytest.approx(-30)
    # -30: one more May hour lets 3 more hours (one a month) go from $20 to $10


def test_a_needs_own_target_holds_for_that_need_with_its_own_shadow_price():
    # N1 asks for an average impact of 70: V1 (80) must do a share s with 80s + 40(1 - s)
    # ≥ 70, s ≥ 0.75, 750 of its 1,000 hours. February: V2's 250/2 + 100 = 225 ≤ 300.
    # Cost 750 × 20 + 250 × 15 + 5,000 = 23,750. The portfolio average is
    # (750 × 80 + 250 × 40 + 200 × 40) / 1,200 = 65, but the target is N1's, not pooled.
    doc = _doc()
    doc["needs"][0]["min_avg_impact"] = 70
    result = optimizer.solve(doc)
    assert result["totals"]["cost"] == pytest.approx(23750)
    assert result["totals"]["needs"][0]["avg_impact"] == pytest.approx(70)
    row = _binding(result)["need_avg_impact_n00000"]
    assert row["need"] == "N1"
    assert row["label"] == "Need N1: average impact at least 70"
    # one point less needs 25 fewer V1 hours (1,000 / (80 − 40)), $5 each
    assert row["shadow_price"] == pytest.approx(-125)


def test_the_pooled_average_no_longer_hides_a_need_below_its_target():
    # The same target as a portfolio target: the 10,000 cheap items at impact 40 lower the
    # pooled average, so N1 alone must carry more. Pooled by hours:
    # (80·a + 40·(1,000 − a) + 40 × 200) / 1,200 ≥ 70 gives a = 1,000 (40a ≥ 36,000 → 900,
    # then the rest): a ≥ 900. Cost 900 × 20 + 100 × 15 + 5,000 = 24,500.
    doc = _doc(targets={"min_avg_impact": 70})
    result = optimizer.solve(doc)
    assert result["totals"]["cost"] == pytest.approx(24500)
    assert result["totals"]["avg_impact"] == pytest.approx(70)


def test_a_vendor_with_two_offers_for_one_need_has_both_considered():
    # V1 sells the same work twice: $12 at quality 0.95, and $9 at quality 0.8 with 40 h a
    # month. The cheap offer fills its 40 h; the rest of the 100-hour, one-month need goes to
    # the next cheapest, V1's $12 offer (V2 asks $13): 40 × 9 + 60 × 12 = 1,080.
    doc = {
        "version": 2,
        "needs": [{"id": "N", "volume": 100, "period": {"start": "2026-01", "months": 1}}],
        "vendors": [
            {"id": "V1", "quality": 0.95, "impact_score": 60},
            {"id": "V2", "quality": 0.9, "impact_score": 60},
        ],
        "offers": [
            {"vendor": "V1", "need": "N", "price": 12, "quality": 0.95, "id": "std"},
            {"vendor": "V1", "need": "N", "price": 9, "quality": 0.8, "capacity": 40, "id": "eco"},
            {"vendor": "V2", "need": "N", "price": 13},
        ],
    }
    result = optimizer.solve(doc)
    assert result["totals"]["cost"] == pytest.approx(1080)
    assert {a["offer"]: a["volume"] for a in result["allocations"]} == pytest.approx(
        {"eco": 40, "std": 60}
    )
    # quality by hours uses each offer's own: (40 × 0.8 + 60 × 0.95) / 100 = 0.89
    assert result["totals"]["avg_quality"] == pytest.approx(0.89)
    # a need asking for quality 0.85 leaves the 0.8 offer out: 100 × 12 = 1,200
    doc["needs"][0]["min_quality"] = 0.85
    assert optimizer.solve(doc)["totals"]["cost"] == pytest.approx(1200)


def test_the_plan_with_most_impact_worker_hours():
    # Every hour at V1 (share 0.5): N1 1,000 h + N2 10,000 × 0.03 = 300 h, 1,300 h × 0.5 =
    # 650 impact-worker hours; cost 20,000 + 6,500 = 26,500.
    result = optimizer.solve(_doc(objective="max_impact_worker_hours"))
    assert result["objective"] == {
        "name": "max_impact_worker_hours",
        "value": pytest.approx(650),
        "unit": "impact-worker hours",
    }
    assert result["totals"]["cost"] == pytest.approx(26500)
    # as a target: 500 hours cost 24,000 (checked against the independent LP below)
    targeted = optimizer.solve(_doc(targets={"min_impact_worker_hours": 500}))
    assert targeted["totals"]["impact_worker_hours"] == pytest.approx(500)
    reference = ReferenceV2(_doc(targets={"min_impact_worker_hours": 500})).solve()
    assert targeted["totals"]["cost"] == pytest.approx(reference[1])


def test_infeasible_version2_targets_are_explained_in_their_units():
    result = optimizer.solve(_doc(targets={"min_avg_impact": 85, "min_impact_worker_hours": 10}))
    assert result["status"] == "infeasible"
    entry = result["explanation"]["targets"]["min_avg_impact"]
    assert entry["achievable"] == pytest.approx(80)  # all work at V1
    assert entry["sentence"] == "The highest reachable average impact is 80 (target 85)."
    hours = optimizer.solve(_doc(targets={"min_impact_worker_hours": 700}))
    assert hours["explanation"]["summary"] == (
        "The most impact-worker hours reachable are 650 (target 700)."
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["offers"][2].update(hours_per_unit=0), "offers[2].hours_per_unit", "greater"),
        (lambda d: d["offers"][2].update(hours_per_unit=1001), "offers[2].hours_per_unit", "1000"),
        (lambda d: d["offers"][2].update(unit="hour"), "offers[2].unit", "need's unit"),
        (lambda d: d["needs"][0].pop("period"), "needs[0].period", "required"),
        (lambda d: d["needs"][0]["period"].update(months=37), "needs[0].period.months", "36"),
        (lambda d: d["capacities"][0].update(month="2026-13"), "capacities[0].month", "month"),
        (lambda d: d["capacities"][0].update(month="1999-12"), "capacities[0].month", "2000"),
        (
            lambda d: d["capacities"].append(dict(d["capacities"][0])),
            "capacities[1].month",
            "already",
        ),
        (lambda d: d["capacities"][0].update(hours=-1), "capacities[0].hours", "at least 0"),
        (lambda d: d["capacities"][0].update(hours=True), "capacities[0].hours", "number"),
        (lambda d: d["capacities"][0].update(hours=1e13), "capacities[0].hours", "at most"),
        (lambda d: d["capacities"][0].update(hours=math.nan), "capacities[0].hours", "finite"),
        (lambda d: d["capacities"][0].update(vendor="V9"), "capacities[0].vendor", "unknown"),
        (lambda d: d["capacities"][0].pop("hours"), "capacities[0].hours", "missing"),
        (lambda d: d["capacities"][0].update(note="x"), "capacities[0].note", "unknown field"),
        (  # a month string seen before is still checked (its number is kept, not its row)
            lambda d: d["capacities"].extend(
                [{"vendor": "V1", "month": "2026-13", "hours": 1}] * 2
            ),
            "capacities[2].month",
            "month",
        ),
        (lambda d: d["vendors"][0].update(capacity=10), "vendors[0].capacity", "per month"),
        (lambda d: d.update(version=3), "version", "1 or 2"),
    ],
)
def test_bad_version2_input_names_the_field(change, field, words):
    doc = _doc()
    change(doc)
    errors = optimizer.validate(doc)
    assert any(e["field"] == field and words in e["message"] for e in errors), errors


def test_capacity_rows_read_in_bulk_match_rows_read_field_by_field():
    # whole-number hours and a repeated month read as the field-by-field reading gives them
    doc = _doc()
    doc["capacities"] = [
        {"vendor": "V2", "month": "2026-02", "hours": 300},
        {"vendor": "V1", "month": "2026-02", "hours": 250.5},
        {"month": "2026-01", "hours": 100, "vendor": "V1"},
    ]
    problem, errors = parse_problem(doc)
    assert errors == [] and problem is not None
    caps = problem.capacities
    assert caps.vendor.tolist() == [0, 0, 1]
    assert caps.month.tolist() == [2026 * 12, 2026 * 12 + 1, 2026 * 12 + 1]
    assert caps.hours.tolist() == [100.0, 250.5, 300.0]
    assert caps.hours.dtype == np.float64


def test_version2_fields_in_a_version1_document_are_refused():
    doc = _doc()
    del doc["version"]
    fields = {e["field"] for e in optimizer.validate(doc)}
    assert {"capacities", "settings"} <= fields


def test_a_version1_document_solves_as_before(golden):
    for path in sorted((Path(__file__).parents[1] / "data" / "optimizer").glob("*.json")):
        doc = golden(path.stem)
        if "needs" not in doc:
            continue
        before = optimizer.solve(doc)
        marked = optimizer.solve({**golden(path.stem), "version": 1})
        for key in ("status", "objective", "allocations", "totals", "constraints"):
            assert marked.get(key) == before.get(key), (path.stem, key)


# ---------------------------------------------------------------------------------------------
# the independent reference


def _month(text):
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


class ReferenceV2:
    """Version 2 as written in the issue, dense, for scipy's linprog."""

    def __init__(self, doc):
        self.doc = doc
        self.targets = {k: v for k, v in (doc.get("targets") or {}).items() if v is not None}
        self.needs = {n["id"]: n for n in doc["needs"]}
        self.vendors = {v["id"]: v for v in doc["vendors"]}

        def quality(o):
            q = o.get("quality")
            return self.vendors[o["vendor"]]["quality"] if q is None else q

        self.offers = [
            o
            for o in doc["offers"]
            if quality(o) >= (self.needs[o["need"]].get("min_quality") or 0.0)
        ]
        self.h = np.array([o.get("hours_per_unit") or 1.0 for o in self.offers])
        self.p = np.array([o["price"] for o in self.offers], float)
        self.q = np.array([quality(o) for o in self.offers])
        self.imp = np.array([self.vendors[o["vendor"]]["impact_score"] for o in self.offers])
        self.share = np.array(
            [self.vendors[o["vendor"]].get("impact_worker_share") or 0.0 for o in self.offers]
        )
        self.upper = []
        for o in self.offers:
            need = self.needs[o["need"]]
            cap = need["volume"]
            if o.get("capacity") is not None:
                cap = min(cap, o["capacity"] * need["period"]["months"])
            self.upper.append(cap)

    def rows(self):
        """(A_ub, b_ub, A_eq, b_eq, homogeneous) with x ≥ 0; `homogeneous[i]` is False for the
        rows whose right-hand side is a constant (it scales with t in Charnes-Cooper)."""
        n = len(self.offers)
        a_eq = [[1.0 if o["need"] == nid else 0.0 for o in self.offers] for nid in self.needs]
        b_eq = [need["volume"] for need in self.needs.values()]
        a_ub, b_ub = [], []
        for k in range(n):  # offer caps
            row = np.zeros(n)
            row[k] = 1.0
            a_ub.append(row)
            b_ub.append(self.upper[k])
        for nid, need in self.needs.items():  # max vendor share: all of a vendor's offers
            if need.get("max_vendor_share") is None:
                continue
            for vid in self.vendors:
                row = np.array(
                    [o["need"] == nid and o["vendor"] == vid for o in self.offers], float
                )
                if row.any():
                    a_ub.append(row)
                    b_ub.append(need["max_vendor_share"] * need["volume"])
        for cap in self.doc.get("capacities") or []:
            month = _month(cap["month"])
            row = np.zeros(n)
            for k, o in enumerate(self.offers):
                period = self.needs[o["need"]]["period"]
                first = _month(period["start"])
                if o["vendor"] == cap["vendor"] and first <= month < first + period["months"]:
                    row[k] = self.h[k] / period["months"]
            a_ub.append(row)
            b_ub.append(cap["hours"])
        t = self.targets
        if "budget" in t:
            a_ub.append(self.p)
            b_ub.append(t["budget"])
        if "min_impact_worker_hours" in t:
            a_ub.append(-self.share * self.h)
            b_ub.append(-t["min_impact_worker_hours"])
        for rule in t.get("incumbents") or []:  # Σ x of the incumbents ≥ the larger limit
            volume = self.needs[rule["need"]]["volume"]
            kept = [
                o["need"] == rule["need"] and o["vendor"] in rule["vendors"] for o in self.offers
            ]
            a_ub.append(-np.array(kept, float))
            b_ub.append(
                -max((rule.get("min_share") or 0.0) * volume, rule.get("min_volume") or 0.0)
            )
        homogeneous_from = len(a_ub)
        for group in t.get("vendor_groups") or []:  # group's Σ m·x within shares of all Σ m·x
            m = self.h if group["measure"] == "hours" else self.p
            scope = np.array([group.get("need") in (None, o["need"]) for o in self.offers], float)
            member = np.array([o["vendor"] in group["vendors"] for o in self.offers], float)
            if group.get("min_share") is not None:
                a_ub.append(-scope * m * (member - group["min_share"]))
                b_ub.append(0.0)
            if group.get("max_share") is not None:
                a_ub.append(scope * m * (member - group["max_share"]))
                b_ub.append(0.0)
        if "min_avg_impact" in t:
            a_ub.append(-(self.imp - t["min_avg_impact"]) * self.h)
            b_ub.append(0.0)
        if "min_avg_quality" in t:
            a_ub.append(-(self.q - t["min_avg_quality"]) * self.h)
            b_ub.append(0.0)
        member = None
        if t.get("impact_vendor_min_score") is not None:
            member = np.array(
                [
                    self.vendors[o["vendor"]]["impact_score"] >= t["impact_vendor_min_score"]
                    for o in self.offers
                ],
                float,
            )
        if "min_impact_spend_share" in t:
            a_ub.append(-(member - t["min_impact_spend_share"]) * self.p)
            b_ub.append(0.0)
        for nid, need in self.needs.items():
            mine = np.array([o["need"] == nid for o in self.offers], float)
            if need.get("min_avg_impact") is not None:
                a_ub.append(-mine * (self.imp - need["min_avg_impact"]) * self.h)
                b_ub.append(0.0)
            if need.get("min_avg_quality") is not None:
                a_ub.append(-mine * (self.q - need["min_avg_quality"]) * self.h)
                b_ub.append(0.0)
        return (
            np.array(a_ub).reshape(len(a_ub), n),
            np.array(b_ub),
            np.array(a_eq).reshape(len(a_eq), n),
            np.array(b_eq, float),
            homogeneous_from,
        )

    def adjusted_prices(self):
        """price × (1 + Σ percent / 100) + Σ per_unit over the adjustments naming the vendor
        (directly or through its group): what min_cost minimises."""
        groups = {g["id"]: g["vendors"] for g in self.targets.get("vendor_groups") or []}
        percent = np.zeros(len(self.offers))
        per_unit = np.zeros(len(self.offers))
        for adjustment in self.targets.get("adjustments") or []:
            vendors = adjustment.get("vendors") or groups[adjustment.get("group")]
            named = np.array([o["vendor"] in vendors for o in self.offers], float)
            percent += named * (adjustment.get("percent") or 0.0)
            per_unit += named * (adjustment.get("per_unit") or 0.0)
        return self.p * (1 + percent / 100) + per_unit

    def solve(self, objective=None):
        objective = objective or self.doc.get("objective") or "min_cost"
        if not self.offers:
            return "infeasible", None
        a_ub, b_ub, a_eq, b_eq, homogeneous_from = self.rows()
        if objective != "max_impact":
            cost = self.adjusted_prices() if objective == "min_cost" else -self.share * self.h
            out = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
            if out.status != 0:
                return "infeasible", None
            return "optimal", float(out.fun if objective == "min_cost" else -out.fun)
        # Charnes-Cooper: y = t·x with Σ h·y = 1; maximise Σ impact·h·y; constant right-hand
        # sides b become b·t, so every row is [A, −b] over (y, t).
        n = len(self.offers)
        scaled_ub = np.hstack([a_ub, -b_ub.reshape(-1, 1)])
        scaled_ub[homogeneous_from:, n] = 0.0
        scaled_eq = np.vstack([np.hstack([a_eq, -b_eq.reshape(-1, 1)]), np.append(self.h, 0.0)])
        rhs_eq = np.append(np.zeros(len(b_eq)), 1.0)
        cost = np.append(-self.imp * self.h, 0.0)
        out = linprog(
            cost,
            A_ub=scaled_ub,
            b_ub=np.zeros(len(b_ub)),
            A_eq=scaled_eq,
            b_eq=rhs_eq,
            method="highs",
        )
        if out.status != 0:
            return "infeasible", None
        return "optimal", float(-out.fun)


def random_v2_document(seed):
    rng = np.random.default_rng(seed)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    needs = []
    for j in range(int(rng.integers(1, 4))):
        start = int(rng.integers(0, 8))
        need = {
            "id": f"N{j}",
            "unit": "hour" if rng.random() < 0.5 else "item",
            "volume": float(rng.integers(50, 400)) * (1 if rng.random() < 0.5 else 20),
            "period": {"start": months[start], "months": int(rng.integers(1, 5))},
        }
        if rng.random() < 0.3:
            need["min_avg_impact"] = round(float(rng.uniform(30, 60)), 1)
        if rng.random() < 0.2:
            need["min_quality"] = 0.8
        needs.append(need)
    vendors = [
        {
            "id": f"V{i}",
            "quality": round(float(rng.uniform(0.7, 1.0)), 2),
            "impact_score": round(float(rng.uniform(10, 90)), 1),
            "impact_worker_share": round(float(rng.uniform(0, 0.8)), 2),
        }
        for i in range(int(rng.integers(2, 6)))
    ]
    offers = []
    for vendor in vendors:
        for need in needs:
            for _ in range(1 + int(rng.random() < 0.25)):
                if rng.random() < 0.8:
                    hourly = need["unit"] == "hour"
                    offer = {
                        "vendor": vendor["id"],
                        "need": need["id"],
                        "price": round(float(rng.uniform(8, 40)) * (1 if hourly else 0.05), 4),
                        "hours_per_unit": 1.0
                        if hourly
                        else round(float(rng.uniform(0.02, 0.1)), 3),
                    }
                    if rng.random() < 0.3:
                        offer["quality"] = round(float(rng.uniform(0.7, 1.0)), 2)
                    if rng.random() < 0.2:
                        offer["capacity"] = float(rng.integers(20, 200))
                    offers.append(offer)
    capacities = [
        {"vendor": vendor["id"], "month": month, "hours": float(rng.integers(60, 500))}
        for vendor in vendors
        for month in months
        if rng.random() < 0.3
    ]
    targets = {}
    if rng.random() < 0.4:
        targets["min_avg_impact"] = round(float(rng.uniform(30, 60)), 1)
    if rng.random() < 0.3:
        targets["min_impact_worker_hours"] = float(rng.integers(10, 200))
    if rng.random() < 0.3:
        targets["min_avg_quality"] = 0.8
    objective = str(rng.choice(["min_cost", "min_cost", "max_impact", "max_impact_worker_hours"]))
    # drawn last, so that the rest of each document is as it was: a max vendor share on half
    # the needs that three or more vendors offer for, with a second, cheaper but capped offer
    # of one of them, so that a vendor's two offers together often fill its share
    for need in needs:
        mine = [o for o in offers if o["need"] == need["id"]]
        if len({o["vendor"] for o in mine}) >= 3 and rng.random() < 0.5:
            need["max_vendor_share"] = round(float(rng.uniform(0.4, 0.85)), 2)
            offer = mine[int(rng.integers(len(mine)))]
            per_month = need["volume"] / need["period"]["months"]
            offers.append(
                {
                    **offer,
                    "price": round(offer["price"] * float(rng.uniform(0.6, 1.0)), 4),
                    "capacity": round(per_month * float(rng.uniform(0.2, 0.6)), 1),
                }
            )
    return {
        "version": 2,
        "needs": needs,
        "vendors": vendors,
        "offers": offers,
        "capacities": capacities,
        "targets": targets,
        "objective": objective,
    }


def _vendor_share_binds(doc, result):
    """The `vendor_share_…` rows that bind with volume on two or more of the vendor's offers
    (where a bound on each offer alone would have let the vendor take more)."""
    binding = []
    for entry in result["constraints"]:
        if entry["name"].startswith("vendor_share_") and entry["binding"]:
            lines = [
                a
                for a in result["allocations"]
                if (a["need"], a["vendor"]) == (entry["need"], entry["vendor"])
            ]
            if len(lines) >= 2:
                binding.append(entry)
    return binding


def test_a_hundred_random_version2_documents_agree_with_the_independent_lp():
    agreed = {"optimal": 0, "infeasible": 0}
    share_binds = 0
    for seed in range(100):
        doc = random_v2_document(seed)
        result = optimizer.solve(copy.deepcopy(doc))
        status, value = ReferenceV2(doc).solve()
        assert result["status"] == status, (seed, result.get("errors"), json.dumps(doc))
        agreed[status] += 1
        if status != "optimal":
            continue
        mine = result["objective"]["value"]
        assert mine == pytest.approx(value, rel=1e-6, abs=1e-6), (seed, doc["objective"])
        # every vendor within its monthly hours, recomputed from the allocation lines
        used = _monthly_hours(doc, result)
        for cap in doc["capacities"]:
            assert used.get((cap["vendor"], _month(cap["month"])), 0.0) <= cap["hours"] + 1e-5
        # every vendor within the need's max_vendor_share, over all its offers for the need
        needs = {n["id"]: n for n in doc["needs"]}
        taken = {}
        for line in result["allocations"]:
            key = (line["need"], line["vendor"])
            taken[key] = taken.get(key, 0.0) + line["volume"]
        for (nid, _), volume in taken.items():
            share = needs[nid].get("max_vendor_share", 1.0)
            assert volume <= share * needs[nid]["volume"] * (1 + 1e-9) + 1e-6, seed
        share_binds += bool(_vendor_share_binds(doc, result))
    assert agreed["optimal"] >= 50 and agreed["infeasible"] >= 5, agreed
    # the vendor-level rows are exercised: in some plans a vendor's offers together fill it
    assert share_binds >= 3, share_binds


def test_the_version2_frontier_sweeps_average_impact_or_impact_worker_hours():
    # Average impact by hours: the cheapest plan has 60 (above), all-V1 has 80 at 26,500.
    # From 60 up, each point needs 30 more hours at V1 ((80 − 40) / 1,200 per hour), $5 each
    # moved off V2's N1 work: $150 a point, so 70 costs 23,000 + 1,500 = 24,500.
    impact = optimizer.frontier(_doc(), 3)
    assert impact["status"] == "optimal"
    assert [p["target"] for p in impact["points"]] == pytest.approx([60, 70, 80])
    assert [p["cost"] for p in impact["points"]] == pytest.approx([23000, 24500, 26500])
    assert impact["points"][0]["cost_per_impact_point"] == pytest.approx(150)
    hours = optimizer.frontier(_doc(), 3, measure="hours")
    assert [p["measure_value"] for p in hours["points"]] == pytest.approx([420, 535, 650])
    costs = [p["cost"] for p in hours["points"]]
    assert costs == sorted(costs) and costs[-1] == pytest.approx(26500)
    # each point's cost is the least cost at its level, as the independent LP has it
    middle = ReferenceV2(_doc(targets={"min_impact_worker_hours": 535})).solve()[1]
    assert costs[1] == pytest.approx(middle)
    v1 = _doc()
    for key in ("version", "capacities", "settings"):
        del v1[key]
    for need in v1["needs"]:
        del need["period"]
    assert optimizer.frontier(v1, 3, measure="hours")["errors"][0]["field"] == "measure"


def _least_cost_reference(doc, target, level):
    changed = copy.deepcopy(doc)
    changed["targets"] = {**(changed.get("targets") or {}), target: level}
    return ReferenceV2(changed).solve("min_cost")


@pytest.mark.parametrize("measure", ["impact", "hours"])
def test_frontier_points_are_the_least_cost_at_their_level_on_random_documents(measure):
    target = "min_avg_impact" if measure == "impact" else "min_impact_worker_hours"
    checked = 0
    for seed in range(40):
        doc = random_v2_document(seed)
        doc["objective"] = "min_cost"
        doc["targets"].pop(target, None)
        result = optimizer.frontier(copy.deepcopy(doc), 4, measure=measure)
        if result["status"] != "optimal":
            continue
        checked += 1
        costs = [point["cost"] for point in result["points"]]
        assert costs == sorted(costs) or max(
            b - a for a, b in zip(costs[1:], costs, strict=False)
        ) <= 1e-6 * max(costs), (seed, costs)
        top = result["points"][-1]["target"]
        for point in result["points"][1:-1]:
            if point["target"] >= top - 1e-6 * max(1.0, top):
                continue  # the top: a reference LP asked for exactly the most may miss it
            status, value = _least_cost_reference(doc, target, point["target"])
            assert status == "optimal", seed
            # the reported target is rounded to 6 decimals: allow what that moves the cost
            rounding = abs(point["cost_per_unit"] or 0.0) * 1e-6
            assert point["cost"] == pytest.approx(value, rel=1e-6, abs=1e-6 + rounding), (
                seed,
                point,
            )
            assert point["measure_value"] >= point["target"] - 1e-6 * max(1.0, point["target"])
    assert checked >= 10


def _monthly_hours(doc, result):
    needs = {n["id"]: n for n in doc["needs"]}
    used = {}
    for line in result["allocations"]:
        period = needs[line["need"]]["period"]
        first = _month(period["start"])
        for month in range(first, first + period["months"]):
            key = (line["vendor"], month)
            used[key] = used.get(key, 0.0) + line["hours"] / period["months"]
    return used


def test_adding_a_need_never_lets_a_vendor_exceed_its_monthly_hours():
    checked = 0
    for seed in range(30):
        doc = random_v2_document(seed)
        doc["objective"] = "min_cost"
        extra = copy.deepcopy(doc["needs"][0])
        extra["id"] = "EXTRA"
        doc["needs"].append(extra)  # the same work again, in the same months
        first = doc["needs"][0]["id"]
        doc["offers"] += [
            {**offer, "need": "EXTRA"} for offer in doc["offers"] if offer["need"] == first
        ]
        result = optimizer.solve(copy.deepcopy(doc))
        if result["status"] != "optimal":
            continue
        checked += 1
        used = _monthly_hours(doc, result)
        for cap in doc["capacities"]:
            assert (
                used.get((cap["vendor"], _month(cap["month"])), 0.0)
                <= cap["hours"] * (1 + 1e-9) + 1e-6
            ), seed
    assert checked >= 10


def _award_rules(seed, doc):
    """Vendor groups, incumbent rules and bid adjustments drawn for a random document."""
    rng = np.random.default_rng(10_000 + seed)
    vendors = [v["id"] for v in doc["vendors"]]
    needs = [n["id"] for n in doc["needs"]]

    def some(ids):
        return [str(i) for i in rng.choice(ids, int(rng.integers(1, len(ids) + 1)), replace=False)]

    groups = []
    for g in range(int(rng.integers(0, 3))):
        group = {
            "id": f"G{g}",
            "vendors": some(vendors),
            "measure": str(rng.choice(["hours", "spend"])),
        }
        low = round(float(rng.uniform(0.0, 0.5)), 2)
        high = round(float(rng.uniform(low, 1.0)), 2)
        side = rng.random()
        if side < 0.7:
            group["max_share"] = high
        if side > 0.4:
            group["min_share"] = low
        if rng.random() < 0.3:
            group["need"] = str(rng.choice(needs))
        groups.append(group)
    incumbents = []
    for _ in range(int(rng.integers(0, 3))):
        need = doc["needs"][int(rng.integers(len(needs)))]
        rule = {"need": need["id"], "vendors": some(vendors)}
        if rng.random() < 0.7:
            rule["min_share"] = round(float(rng.uniform(0.1, 0.8)), 2)
        if "min_share" not in rule or rng.random() < 0.3:
            rule["min_volume"] = round(float(rng.uniform(0.05, 0.5)) * need["volume"], 1)
        incumbents.append(rule)
    adjustments = []
    for _ in range(int(rng.integers(0, 3))):
        adjustment = {"percent": round(float(rng.uniform(-20, 40)), 1)}
        if rng.random() < 0.5:
            adjustment["per_unit"] = round(float(rng.uniform(0, 5)), 2)
        if groups and rng.random() < 0.3:
            adjustment["group"] = groups[0]["id"]
        else:
            adjustment["vendors"] = some(vendors)
        adjustments.append(adjustment)
    return {"vendor_groups": groups, "incumbents": incumbents, "adjustments": adjustments}


def test_random_documents_with_award_rules_agree_with_the_independent_lp():
    """Vendor groups, incumbent rules and bid adjustments on the random version 2 documents:
    the same status and objective (the adjusted cost for min_cost) as the dense LP."""
    agreed = {"optimal": 0, "infeasible": 0}
    binding = set()
    adjusted = limits_checked = 0
    for seed in range(100):
        doc = random_v2_document(seed)
        doc["targets"].update(_award_rules(seed, doc))
        result = optimizer.solve(copy.deepcopy(doc))
        status, value = ReferenceV2(doc).solve()
        assert result["status"] == status, (seed, result.get("errors"), json.dumps(doc))
        agreed[status] += 1
        if status != "optimal":
            assert result["explanation"]["summary"], seed
            limits_checked += _check_rule_limits(doc, result["explanation"].get("rules", []))
            continue
        assert result["objective"]["value"] == pytest.approx(value, rel=1e-6, abs=1e-6), seed
        binding |= {c["kind"] for c in result["constraints"] if c["binding"]}
        if doc["targets"]["adjustments"] and doc["objective"] == "min_cost":
            totals = result["totals"]
            assert totals["adjusted_cost"] == result["objective"]["value"], seed
            real = sum(line["cost"] for line in result["allocations"])
            assert totals["cost"] == pytest.approx(real, abs=1e-6), seed
            adjusted += 1
    assert agreed["optimal"] >= 30 and agreed["infeasible"] >= 10, agreed
    assert {"vendor_group_min_share", "vendor_group_max_share", "incumbent"} <= binding, binding
    assert adjusted >= 10, adjusted
    assert limits_checked >= 10, limits_checked


def _check_rule_limits(doc, rules):
    """Each award rule's limit from the explanation, set in the document, makes the dense LP
    feasible, and the same limit a ten-thousandth tighter than the exact best does not.
    Incumbent rules with both a share and a volume are left out (the other one may then
    hold the rule)."""
    checked = 0
    for entry in rules:
        if entry["limit"] is None or entry["achievable"] is None:
            continue
        listed, position, field = re.fullmatch(
            r"targets\.(\w+)\[(\d+)\]\.(\w+)", entry["field"]
        ).groups()
        rule = doc["targets"][listed][int(position)]
        if listed == "incumbents" and {"min_share", "min_volume"} <= rule.keys():
            continue
        upper = entry["limit_name"] == "vendor_group_max_share"
        tighter = entry["achievable"] + (-1e-4 if upper else 1e-4)
        for value, status in ((entry["limit"], "optimal"), (tighter, "infeasible")):
            if not 0.0 <= value <= (1.0 if "share" in field else math.inf):
                continue
            changed = copy.deepcopy(doc)
            changed["targets"][listed][int(position)][field] = value
            assert ReferenceV2(changed).solve()[0] == status, (entry, value)
        checked += 1
    return checked
