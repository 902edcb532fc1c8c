"""Constraint priorities (`targets.priorities`, optimizer.relax): when the targets cannot all
hold, the lowest priorities give way first, each by the least amount.

Hand-solved cases carry their arithmetic in their docstrings. Random documents are checked
against a lexicographic elastic LP written here for scipy's linprog on top of the
independent `ReferenceV2` rows (test_optimizer_version2.py): one linprog per priority level,
from the highest down, then the cost with every level held."""

from __future__ import annotations

import copy
import importlib
import json
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.optimize import linprog

import optimizer
from optimizer.model import build_model
from optimizer.problem import parse_problem
from optimizer.relax import relax_by_priority
from optimizer.solve import Deadline, HighsSolver
from tests.optimizer.test_optimizer_version2 import ReferenceV2, random_v2_document

EXACT = 1e-6


def _doc(targets, offers=None, vendors=None, **changes):
    """100 hours of one need; A: impact 80 at $30 an hour, B: impact 40 at $10."""
    doc = {
        "version": 2,
        "needs": [
            {"id": "N", "unit": "hour", "volume": 100, "period": {"start": "2026-01", "months": 1}}
        ],
        "vendors": vendors
        or [
            {"id": "A", "quality": 0.9, "impact_score": 80, "impact_worker_share": 0.5},
            {"id": "B", "quality": 0.7, "impact_score": 40, "impact_worker_share": 0.1},
        ],
        "offers": offers
        or [{"vendor": "A", "need": "N", "price": 30}, {"vendor": "B", "need": "N", "price": 10}],
        "targets": targets,
    }
    doc.update(changes)
    return doc


def _volumes(result):
    return {a["vendor"]: a["volume"] for a in result["allocations"]}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_lower_priority_gives_way_by_exactly_the_least_amount(solver):
    """With a hours at A, cost = 30a + 10(100 − a) = 1,000 + 20a and average impact =
    (80a + 40(100 − a)) / 100 = 40 + 0.4a. A budget of $1,800 needs a ≤ 40; an average impact
    of 60 needs a ≥ 50: they conflict. The budget (priority 5) holds, so a ≤ 40 and the best
    average impact is 40 + 0.4 × 40 = 56: the impact target (priority 3) is relaxed by exactly
    4 points, and the least cost with impact ≥ 56 is a = 40, $1,800."""
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 5, "min_avg_impact": 3},
    }
    result = optimizer.solve(_doc(targets, options={"solver": solver}))
    assert result["status"] == "optimal_relaxed"
    assert _volumes(result) == pytest.approx({"A": 40, "B": 60}, abs=EXACT)
    assert result["objective"]["value"] == pytest.approx(1800, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert relaxed == {
        "target": "min_avg_impact",
        "label": "Average impact at least 60",
        "priority": 3,
        "asked": 60.0,
        "reached": 56.0,
        "relaxed_by": 4.0,
        "unit": "points of average impact",
        "held": ["budget"],
        "sentence": "Average impact at least 60 relaxed to 56 (priority 3), so that budget at "
        "most $1,800 (priority 5) holds.",
    }
    assert result["totals"]["avg_impact"] == pytest.approx(56, abs=EXACT)


def test_swapped_priorities_relax_the_budget_instead():
    """Impact (priority 5) holds: a ≥ 50, the least cost is 1,000 + 20 × 50 = $2,000, so the
    $1,800 budget (priority 3) is relaxed by exactly $200."""
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 3, "min_avg_impact": 5},
    }
    result = optimizer.solve(_doc(targets))
    assert result["status"] == "optimal_relaxed"
    assert _volumes(result) == pytest.approx({"A": 50, "B": 50}, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["reached"], relaxed["relaxed_by"]) == ("budget", 2000, 200)
    assert relaxed["unit"] == "$"
    assert relaxed["label"] == "Total cost at most $1,800 (budget)"  # as set, not as relaxed
    assert relaxed["sentence"] == (
        "Budget at most $1,800 relaxed to $2,000 (priority 3), so that average impact at "
        "least 60 (priority 5) holds."
    )


def test_targets_of_one_priority_give_way_by_the_least_relative_amount():
    """Both at priority 4: the level minimises the sum of relative relaxations, each target's
    slack over its size on an even spread (50 h at each vendor): the budget's size is $1,800,
    the impact target's 60 × 100 h = 6,000 points × hours. For 40 ≤ a ≤ 50 the budget is over
    by 20a − 800 dollars and impact short by 100 × (60 − 40 − 0.4a) = 2,000 − 40a points ×
    hours; the sum (20a − 800) / 1,800 + (2,000 − 40a) / 6,000 rises with a (20 / 1,800 =
    0.0111 against 40 / 6,000 = 0.0067 per hour at A), so a = 40: 0.0667 (impact 4 points
    short, 6.7 %) beats a = 50: 0.111 (the budget $200 over, 11.1 %)."""
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 4, "min_avg_impact": 4},
    }
    result = optimizer.solve(_doc(targets))
    assert result["status"] == "optimal_relaxed"
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["reached"]) == ("min_avg_impact", 56.0)
    assert relaxed["held"] == []
    assert relaxed["sentence"].endswith("so that the rules without a priority hold.")
    # with the budget cut to $1,500 (a ≤ 25): (20a − 500) / 1,500 against (2,000 − 40a) /
    # 6,000: 0.0133 against 0.0067 per hour at A, still a = 25, impact 40 + 10 = 50
    targets["budget"] = 1500
    lower = optimizer.solve(_doc(targets))
    assert [r["reached"] for r in lower["relaxations"]] == [50.0]


def test_a_tie_where_the_budget_is_the_smaller_relative_relaxation():
    """A $1,990 budget (a ≤ 49.5) against impact 60 (a ≥ 50), both priority 4: at a = 49.5
    impact is short by 100 × 0.2 = 20 points × hours, 20 / 6,000 = 0.0033; at a = 50 the
    budget is $10 over, 10 / 1,990 = 0.0050. The sum (20a − 990) / 1,990 + (2,000 − 40a) /
    6,000 still rises with a, so impact gives way: 40 + 0.4 × 49.5 = 59.8."""
    targets = {
        "budget": 1990,
        "min_avg_impact": 60,
        "priorities": {"budget": 4, "min_avg_impact": 4},
    }
    result = optimizer.solve(_doc(targets))
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["reached"]) == ("min_avg_impact", pytest.approx(59.8))
    # a worker-hour target at priority 4 too: W = 0.5a + 0.1(100 − a) = 10 + 0.4a ≥ 32 needs
    # a ≥ 55, its size is 32 hours. The level's sum (20a − 990)⁺ / 1,990 + (2,000 − 40a)⁺ /
    # 6,000 + (22 − 0.4a)⁺ / 32 has the slope −0.0067 − 0.0125 below a = 49.5, then
    # +0.0101 − 0.0067 − 0.0125, then +0.0101 − 0.0125 from a = 50, all < 0, and +0.0101 past
    # a = 55: least at a = 55, where only the budget gives way, to 1,000 + 20 × 55 = $2,100
    targets["min_impact_worker_hours"] = 32
    targets["priorities"]["min_impact_worker_hours"] = 4
    three = optimizer.solve(_doc(targets))
    assert three["status"] == "optimal_relaxed"
    assert _volumes(three)["A"] == pytest.approx(55, abs=EXACT)
    assert [r["target"] for r in three["relaxations"]] == ["budget"]
    assert three["relaxations"][0]["reached"] == pytest.approx(1000 + 20 * 55)


def test_no_relaxation_needed_is_the_plain_solve():
    """Targets that hold together: priorities change nothing; status optimal, no relaxations,
    the same plan, objective and constraints as without them."""
    plain = _doc({"budget": 2200, "min_avg_impact": 60})
    with_priorities = copy.deepcopy(plain)
    with_priorities["targets"]["priorities"] = {"budget": 1, "min_avg_impact": 2}
    a, b = optimizer.solve(plain), optimizer.solve(with_priorities)
    assert b["status"] == "optimal" and "relaxations" not in b
    for key in ("objective", "allocations", "totals", "constraints", "tie_break", "model"):
        assert a[key] == b[key], key


def test_hard_targets_that_conflict_stay_infeasible_with_the_explanation():
    """Budget and impact both hard (no priority): relaxing the prioritised quality target
    cannot help, so the status stays infeasible, explained as the hard rules alone are (the
    quality target, which would give way, left out), the summary saying that they conflict."""
    plain = _doc({"budget": 1800, "min_avg_impact": 60})
    prioritised = copy.deepcopy(plain)
    prioritised["targets"]["min_avg_quality"] = 0.5
    prioritised["targets"]["priorities"] = {"min_avg_quality": 1}
    a, b = optimizer.solve(plain), optimizer.solve(prioritised)
    assert a["status"] == b["status"] == "infeasible"
    assert "relaxations" not in b
    expected = dict(a["explanation"], prioritised=["min_avg_quality"])
    expected["summary"] = (
        "The rules without a priority conflict: no plan meets them even with every "
        "prioritised target relaxed. Budget short by $200: the least budget that meets all "
        "other targets is $2,000."
    )
    assert b["explanation"] == expected
    assert "relax_priority_1" in [stage["stage"] for stage in b["solver"]["stages"]]


def test_an_incumbent_rule_gives_way_to_a_group_cap():
    """100 hours, A $10 (incumbent, group Kenya), B $12. Keep ≥ 60 % with A (priority 1)
    against Kenya ≤ 40 % of hours (priority 2): the cap holds, A gets 40 h, so the incumbent
    rule is relaxed from 60 % to 40 %; cost 400 + 60 × 12 = $1,120."""
    targets = {
        "vendor_groups": [
            {"id": "KE", "label": "Kenya", "vendors": ["A"], "measure": "hours", "max_share": 0.4}
        ],
        "incumbents": [{"need": "N", "vendors": ["A"], "min_share": 0.6}],
        "priorities": {"incumbents.0": 1, "vendor_groups.KE.max_share": 2},
    }
    offers = [{"vendor": "A", "need": "N", "price": 10}, {"vendor": "B", "need": "N", "price": 12}]
    result = optimizer.solve(_doc(targets, offers=offers))
    assert result["status"] == "optimal_relaxed"
    assert result["objective"]["value"] == pytest.approx(1120, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert relaxed["target"] == "incumbents.0"
    assert (relaxed["asked"], relaxed["reached"], relaxed["relaxed_by"]) == (0.6, 0.4, 0.2)
    assert relaxed["sentence"] == (
        "The incumbent rule for need N at least 60% relaxed to 40% (priority 1), so that the "
        "group cap for Kenya (labour hours) at most 40% (priority 2) holds."
    )


def test_a_need_target_can_take_a_priority():
    """Need N's own average impact of 60 (priority 1) against the $1,800 budget (hard): as
    in the first case, the need's target is relaxed to 56."""
    doc = _doc({"budget": 1800, "priorities": {"needs.N.min_avg_impact": 1}})
    doc["needs"][0]["min_avg_impact"] = 60
    result = optimizer.solve(doc)
    assert result["status"] == "optimal_relaxed"
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["reached"]) == ("needs.N.min_avg_impact", 56.0)
    assert relaxed["sentence"].startswith("Need N's average impact at least 60 relaxed to 56")


def test_the_time_limit_covers_the_relaxation():
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 5, "min_avg_impact": 3},
    }
    result = optimizer.solve(_doc(targets, options={"time_limit": 1e-9}))
    assert result["status"] == "time_limit"


def test_no_elastic_model_is_built_once_the_time_is_up(monkeypatch):
    """Building it took 4 s at 100,000 offers, all past the time limit."""
    relax_module = importlib.import_module("optimizer.relax")
    monkeypatch.setattr(relax_module, "elastic_model", None)  # calling it would fail
    targets = {"budget": 1800, "min_avg_impact": 60, "priorities": {"budget": 5}}
    problem, _ = parse_problem(_doc(targets))
    relaxed = relax_by_priority(build_model(problem), HighsSolver(), Deadline(0.0), True, [])
    assert (relaxed.status, relaxed.staged.x) == ("time_limit", None)


@pytest.mark.parametrize(
    ("priorities", "field", "words"),
    [
        ({"budget": 0}, "targets.priorities.budget", "whole number from 1 to 1000"),
        ({"budget": 2.5}, "targets.priorities.budget", "whole number"),
        ({"budget": True}, "targets.priorities.budget", "whole number"),
        ({"min_avg_quality": 1}, "targets.priorities.min_avg_quality", "does not set"),
        ({"max_cost": 1}, "targets.priorities.max_cost", "unknown target"),
        ({"needs.X.min_avg_impact": 1}, "targets.priorities.needs.X.min_avg_impact", "'X'"),
        ({"needs.N.budget": 1}, "targets.priorities.needs.N.budget", "needs.<need id>"),
        ({"needs.N.min_avg_impact": 1}, "targets.priorities.needs.N.min_avg_impact", "not set"),
        ({"vendor_groups.KE.max_share": 1}, "targets.priorities.vendor_groups.KE.max_share", "KE"),
        ({"incumbents.0": 1}, "targets.priorities.incumbents.0", "no incumbent rule"),
        ([1], "targets.priorities", "must be an object"),
    ],
)
def test_bad_priorities_name_the_field(priorities, field, words):
    doc = _doc({"budget": 1800, "priorities": priorities})
    errors = optimizer.validate(doc)
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert optimizer.solve(doc)["status"] == "invalid"


def test_priorities_are_refused_in_version1_and_checked_alone():
    doc = _doc({"budget": 1800, "priorities": {"budget": 1}})
    doc.pop("version")
    for need in doc["needs"]:
        need.pop("unit"), need.pop("period")
    assert optimizer.validate(doc) == [
        {"field": "targets.priorities", "message": 'only in version 2 documents (set "version": 2)'}
    ]
    assert optimizer.validate_targets({"budget": 5, "priorities": {"budget": 1}}) == []
    assert optimizer.validate_targets({"priorities": {"budget": 1}}) == [
        {
            "field": "targets.priorities.budget",
            "message": "names a target the document does not set",
        }
    ]


def test_each_run_gets_what_is_left_of_the_time_limit(monkeypatch):
    """A clock that moves 10 s per solver run, and a time limit of 25 s: the infeasible first
    run gets 25 s, the budget's level 15 s, the impact's level 5 s; then the time is up, so
    the relaxed objective does not run and the relaxed model's run gets 0 s. The result is
    time_limit with the last elastic plan, whose relaxation is the optimal one (a = 40 hours
    at A, average impact 56, as in the first test): the plan found is kept."""
    solve_module = importlib.import_module("optimizer.solve")  # `optimizer.solve` is a function
    now = [1000.0]
    monkeypatch.setattr(solve_module, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    given = []
    real_run = solve_module.HighsSession.run

    def timed_run(session, time_limit, col_dual=True):
        given.append(time_limit)
        outcome = real_run(session, time_limit, col_dual)
        now[0] += 10.0
        return outcome

    monkeypatch.setattr(solve_module.HighsSession, "run", timed_run)
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 5, "min_avg_impact": 3},
    }
    result = optimizer.solve(_doc(targets, options={"time_limit": 25}))
    assert given == [25.0, 15.0, 5.0, 0.0]
    assert [stage["stage"] for stage in result["solver"]["stages"]] == [
        "primary",
        "relax_priority_5",
        "relax_priority_3",
        "primary",
    ]
    assert result["status"] == "time_limit"
    assert _volumes(result) == pytest.approx({"A": 40, "B": 60}, abs=EXACT)
    (relaxed,) = result["relaxations"]
    assert (relaxed["target"], relaxed["reached"]) == ("min_avg_impact", 56.0)


def test_a_mip_level_starts_from_the_plan_of_the_level_above(monkeypatch):
    """With binaries (at most 2 vendors, a minimum order of 10 hours) the plan is that of the
    first test, and every MIP run after the first level starts with the last level's plan
    as its incumbent, the relaxed model's run too: only the first two runs start without."""
    solve_module = importlib.import_module("optimizer.solve")
    started = []
    real_run = solve_module.HighsSession.run

    def spied_run(session, time_limit, col_dual=True):
        started.append(session.start is not None)
        return real_run(session, time_limit, col_dual)

    monkeypatch.setattr(solve_module.HighsSession, "run", spied_run)
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 5, "min_avg_impact": 3},
    }
    doc = _doc(targets)
    doc["needs"][0]["max_vendors"] = 2
    for offer in doc["offers"]:
        offer["min_order"] = 10
    result = optimizer.solve(doc)
    assert result["status"] == "optimal_relaxed"
    assert result["model"]["binaries"] == 2
    assert _volumes(result) == pytest.approx({"A": 40, "B": 60}, abs=EXACT)
    assert [stage["stage"] for stage in result["solver"]["stages"]][:4] == [
        "primary",
        "relax_priority_5",
        "relax_priority_3",
        "primary",
    ]
    assert started[:4] == [False, False, True, True]


def test_an_lp_level_goes_on_by_the_primal_simplex(monkeypatch):
    """An LP (no binaries): the first two runs (the infeasible model, the first level) use
    the dual simplex; once a level is held, the next level runs by the primal
    simplex (strategy 4) from the held plan, with the same plan as the first test."""
    solve_module = importlib.import_module("optimizer.solve")
    strategies = []
    real_run = solve_module.HighsSession.run

    def spied_run(session, time_limit, col_dual=True):
        strategies.append(session.highs.getOptionValue("simplex_strategy")[1])
        return real_run(session, time_limit, col_dual)

    monkeypatch.setattr(solve_module.HighsSession, "run", spied_run)
    targets = {
        "budget": 1800,
        "min_avg_impact": 60,
        "priorities": {"budget": 5, "min_avg_impact": 3},
    }
    result = optimizer.solve(_doc(targets))
    assert result["status"] == "optimal_relaxed" and result["model"]["binaries"] == 0
    assert _volumes(result) == pytest.approx({"A": 40, "B": 60}, abs=EXACT)
    assert strategies[2] == solve_module.HIGHS_PRIMAL_SIMPLEX
    assert strategies[:2] == [solve_module.HIGHS_DUAL_SIMPLEX] * 2


def test_the_document_is_not_changed():
    doc = _doc({"budget": 1800, "min_avg_impact": 60, "priorities": {"budget": 2}})
    before = json.dumps(doc, sort_keys=True)
    optimizer.solve(doc)
    assert json.dumps(doc, sort_keys=True) == before


# ---------------------------------------------------------------------------------------------
# against an independent lexicographic elastic LP


PRIORITISED = ("budget", "min_impact_worker_hours", "incumbent")


def _prioritised_rows(reference, doc):
    """{target key: (g, c)} with the target as g·x ≤ c over the reference's offers: each
    written from the document, not from optimizer/."""
    t = doc["targets"]
    rows = {}
    if "budget" in t:
        rows["budget"] = (reference.p, t["budget"])
    if "min_impact_worker_hours" in t:
        rows["min_impact_worker_hours"] = (
            -reference.share * reference.h,
            -t["min_impact_worker_hours"],
        )
    for index, rule in enumerate(t.get("incumbents") or []):
        kept = np.array(
            [
                o["need"] == rule["need"] and o["vendor"] in rule["vendors"]
                for o in reference.offers
            ],
            float,
        )
        volume = reference.needs[rule["need"]]["volume"]
        rows[f"incumbents.{index}"] = (-kept, -rule["min_share"] * volume)
    return rows


def lexicographic_reference(doc):
    """(status, cost, {key: slack}) by linprog: one run per priority level, from the highest
    down, each minimising its slack with the lower levels' free and the higher ones' held
    (with 1e-9 of room), then the cost with every slack held."""
    hard = copy.deepcopy(doc)
    priorities = hard["targets"].pop("priorities")
    for key in priorities:
        if not key.startswith("incumbents."):
            hard["targets"].pop(key)
    hard["targets"].pop("incumbents", None)
    reference = ReferenceV2(hard)
    if not reference.offers:
        return "infeasible", None, {}
    a_ub, b_ub, a_eq, b_eq, _ = reference.rows()
    rows = _prioritised_rows(reference, doc)
    keys = sorted(rows)
    n, m = a_ub.shape[1], len(keys)
    elastic_ub = [np.hstack([a_ub, np.zeros((a_ub.shape[0], m))])]
    elastic_b = [b_ub]
    for i, key in enumerate(keys):
        g, c = rows[key]
        elastic_ub.append(np.concatenate([g, -np.eye(m)[i]]).reshape(1, -1))
        elastic_b.append([c])
    a = np.vstack(elastic_ub)
    b = np.concatenate([np.asarray(v, float) for v in elastic_b])
    eq = np.hstack([a_eq, np.zeros((a_eq.shape[0], m))])
    bounds = [(0, None)] * (n + m)
    for level in sorted(set(priorities.values()), reverse=True):
        (i,) = [k for k, key in enumerate(keys) if priorities[key] == level]
        cost = np.zeros(n + m)
        cost[n + i] = 1.0
        out = linprog(cost, A_ub=a, b_ub=b, A_eq=eq, b_eq=b_eq, bounds=bounds, method="highs")
        if out.status != 0:
            return "infeasible", None, {}
        bounds[n + i] = (0, out.fun + 1e-9 * (1 + abs(out.fun)))
    cost = np.concatenate([reference.p, np.zeros(m)])
    out = linprog(cost, A_ub=a, b_ub=b, A_eq=eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert out.status == 0
    slack = {key: float(out.x[n + i]) for i, key in enumerate(keys)}
    # the same plan's real slacks (the last run may use the room left above)
    return "relaxed" if max(slack.values()) > 1e-6 else "optimal", float(out.fun), slack


def prioritised_document(seed):
    """A random version 2 document (min_cost) with a budget, an impact-worker-hour target and
    an incumbent rule, each set near or beyond what the others allow, with distinct
    priorities."""
    doc = random_v2_document(seed)
    rng = np.random.default_rng(1000 + seed)
    doc["objective"] = "min_cost"
    need = doc["needs"][0]
    offered = sorted({o["vendor"] for o in doc["offers"] if o["need"] == need["id"]})
    cheapest = sum(
        n["volume"] * min((o["price"] for o in doc["offers"] if o["need"] == n["id"]), default=0)
        for n in doc["needs"]
    )
    doc["targets"] = {
        "budget": round(cheapest * float(rng.uniform(1.0, 1.3)), 2),
        "min_impact_worker_hours": float(rng.integers(10, 400)),
    }
    if offered:
        doc["targets"]["incumbents"] = [
            {
                "need": need["id"],
                "vendors": offered[-1:],
                "min_share": round(float(rng.uniform(0.3, 0.9)), 2),
            }
        ]
    keys = [k for k in ("budget", "min_impact_worker_hours") if k in doc["targets"]]
    keys += ["incumbents.0"] if offered else []
    levels = rng.permutation(len(keys)) + 1
    doc["targets"]["priorities"] = {
        key: int(level) for key, level in zip(keys, levels, strict=True)
    }
    return doc


def test_random_prioritised_documents_agree_with_the_lexicographic_reference():
    seen = {"optimal": 0, "relaxed": 0, "infeasible": 0}
    for seed in range(60):
        doc = prioritised_document(seed)
        result = optimizer.solve(copy.deepcopy(doc))
        status, cost, slack = lexicographic_reference(doc)
        context = (seed, json.dumps(doc))
        seen[status] += 1
        if status == "infeasible":
            assert result["status"] == "infeasible", context
            continue
        assert result["status"] == ("optimal" if status == "optimal" else "optimal_relaxed"), (
            context
        )
        assert result["objective"]["value"] == pytest.approx(cost, rel=1e-6, abs=1e-4), context
        relaxed = {r["target"]: r for r in result.get("relaxations", [])}
        assert set(relaxed) == {k for k, s in slack.items() if s > 1e-6}, (context, slack)
        for key, entry in relaxed.items():  # linear targets: the slack is the relaxation
            expected = slack[key]
            if key.startswith("incumbents."):
                need = doc["targets"]["incumbents"][0]["need"]
                expected /= next(n["volume"] for n in doc["needs"] if n["id"] == need)
            assert entry["relaxed_by"] == pytest.approx(expected, rel=1e-6, abs=1e-5), context
    assert seen["relaxed"] >= 10 and seen["optimal"] >= 3 and seen["infeasible"] >= 3, seen
