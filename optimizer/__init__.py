"""Allocation optimizer: place each need's volume with vendors at least cost (or most impact).

Pure library (PuLP, highspy, numpy, standard library); no web or database imports. Three
steps: `model.build_model` builds the model, `solve.solve_model` solves it with an injected
solver, `result` / `explain` read it back. Public entry points:

    solve(problem: dict) -> dict                 the result document
    frontier(problem: dict, points: int) -> dict  least cost against average impact
    validate(problem: dict) -> list[dict]         [{"field": json_path, "message": text}]

None of them raises on bad input or mutates the document.

Problem document (DESIGN.md §5). Units: volume and capacities in units of work (hours, items,
tasks); prices in $ per unit; budget in $; impact scores 0–100 points; quality and shares
0–1. Required fields are marked *; everything else may be absent or null.

    needs*:    list, at least one, of
        id*               string, unique among needs
        volume*           > 0 units (at most 1e12), placed in full (Σ x = volume)
        min_quality       0–1, default 0: offers from vendors with lower quality are not
                          eligible (no variable is created for them)
        max_vendor_share  0–1, default 1: every vendor's volume on the need (Σ x over its
                          offers for it) ≤ share × volume
        max_vendors       whole number ≥ 1: at most this many vendors get volume (MIP extra)
    vendors*:  list of
        id*               string, unique among vendors
        capacity          ≥ 0 units over all needs (at most 1e12); null = unlimited
        quality*          0–1
        impact_score*     0–100 (the scoring pipeline's impact score)
        impact_worker_share  0–1, optional: share of the vendor's hours done by impact
                          workers; only used for totals.impact_worker_hours
    offers*:   list of (at most one per vendor and need)
        vendor*, need*    ids from the lists above
        price*            ≥ 0 $ per unit (at most 1e9)
        capacity          ≥ 0 units for this offer; null = only the vendor's capacity
        min_order         ≥ 0 units: if the offer gets any volume it gets at least this
                          (MIP extra, a binary per offer)
    targets:   object; a null or absent target is not applied
        budget                  $: total cost ≤ budget
        min_avg_impact          0–100: Σ impact_score·x ≥ target × Σ volume
        min_avg_quality         0–1:   Σ quality·x ≥ target × Σ volume
        min_impact_spend_share  0–1: spend with impact vendors ≥ share × total spend
        impact_vendor_min_score 0–100: an impact vendor has impact_score ≥ this (required
                                with min_impact_spend_share; also sets
                                totals.impact_spend_share)
        max_vendor_spend_share  0–1: each vendor's spend ≤ share × total spend
    objective: "min_cost" (default: least total cost) or "max_impact" (most average impact)
    options:   object
        solver       "highs" (default) or "cbc"
        time_limit   > 0 seconds, default 60, for the whole call (all stages, explanation
                     solves, frontier points)
        mip_rel_gap  0–1, default 1e-6, for problems with min_order / max_vendors /
                     min_award
        tie_break    true (default) or false: run stages 2 and 3 (see optimizer.solve)
    meta:      anything; ignored (room for the caller's own bookkeeping)

Version 2 (`"version": 2`; a document without `version` is version 1 and solves exactly as
before). Work is counted in labour hours, the one measure that adds across needs priced per
hour, item or task:

    needs[]:   period*  {start: "YYYY-MM", months: 1–36}; the volume is spread evenly over it
               unit     optional name of the need's unit ("hour", "item"); an offer that
                        names another unit is refused
               min_avg_impact, min_avg_quality, min_impact_spend_share: the need's own
                        targets, rows over that need's offers alone
               max_vendor_share  caps the vendor, not each offer: its offers for the need
                        together get at most share × volume
               max_vendors  counts vendors, not offers: a vendor whose offers for the need
                        get any volume counts once (one binary for all its offers there)
               min_award  ≥ 0 units of the need: a vendor given any volume on the need gets
                        at least this in total over its offers for it (one binary per vendor
                        and need, shared with max_vendors; MIP extra); 0 or null: none
    vendors[]: capacity is refused; capacity is monthly, in `capacities`
    offers[]:  hours_per_unit  > 0, at most 1,000, default 1: labour hours one unit takes
               quality  0–1, optional: the offer's own (else the vendor's); eligibility,
                        quality rows and the totals use it
               capacity units per month of the need's period (x ≤ capacity × months)
               id, unit optional; several offers of one vendor for one need are allowed,
                        each its own variable
               min_order  still per offer: each offer with one gets nothing or at least it
                        (needs[].min_award is the rule per vendor over its offers)
    capacities: [{vendor*, month* "YYYY-MM", hours* ≥ 0}]: the vendor's labour hours that
               month, shared by all its needs; Σ hours_per_unit·x / months over its offers
               whose need runs that month ≤ hours. A month without a row is unlimited.
    targets:   min_avg_impact   Σ impact·h·x ≥ target × Σ h·x (h = hours_per_unit)
               min_avg_quality  Σ quality·h·x ≥ target × Σ h·x
               min_impact_worker_hours  Σ impact_worker_share·h·x ≥ hours
    objective: also "max_impact_worker_hours"; "max_impact" maximises the hour-weighted
               average, a ratio, by Dinkelbach rounds (optimizer.solve)
    settings:  {hours_per_fte_year: default 2080}: frozen with the document, it turns
               impact-worker hours into full-time jobs
    targets:   award rules (lists; optimizer.award), each with rows named after its position:
        vendor_groups  [{id*, label, vendors* [vendor ids], measure* "hours"|"spend",
                       min_share, max_share (0–1, at least one, min ≤ max), need}]: the
                       group's Σ m·x is within [min_share, max_share] × everyone's Σ m·x,
                       where m is hours_per_unit ("hours": labour hours) or the real price
                       ("spend"), over all needs or the one need named. Linear rows
                       Σ m·(member − share)·x ≥ 0 / ≤ 0 (`vendor_group_min_share_gGGGGG`,
                       `vendor_group_max_share_gGGGGG`).
        incumbents     [{need*, vendors* [vendor ids], min_share 0–1, min_volume ≥ 0 units}]:
                       at least one of the two; with both, the larger applies: Σ x over the
                       incumbents' offers for the need ≥ max(min_share × volume, min_volume)
                       (`incumbent_iIIIII`). min_volume above the need's volume is refused.
        adjustments    [{vendors [ids] or group (a vendor group id; exactly one of them),
                       percent −100–1000, per_unit $ (±1e9), at least one}]: in the
                       optimization each offer of those vendors costs price × (1 + percent
                       / 100) + per_unit; several adjustments naming one vendor add up.
                       min_cost minimises this adjusted cost (objective.value); totals.cost,
                       allocations' cost, the budget and the spend shares use the real price.
                       totals.adjusted_cost gives the adjusted total, and an allocation whose
                       adjusted price differs carries `adjusted_price`. Kept in targets, not on
                       offers: an adjustment is the buyer's award rule, not the vendor's bid.
        priorities     {"<target>": 1–1000}: targets that may give way when the targets
                       cannot all hold; a larger number is more important, a target without
                       one is hard. Keys: a portfolio target ("budget"), "needs.<need id>.
                       min_avg_impact" (a need's own), "vendor_groups.<group id>.max_share"
                       (or min_share), "incumbents.<position>" (optimizer.priorities). When
                       the model is infeasible, the lowest priorities are relaxed first, each
                       by the least amount (a lexicographic elastic LP, optimizer.relax).

    Results add `hours_per_unit`, `hours` (and `offer`) to each allocation, and
    totals.labour_hours, impact_worker_jobs, hours_per_fte_year and needs[] (each need's
    volume in its own unit, labour hours, cost and averages); totals.volume is left out,
    since units of different kinds do not add. `frontier(problem, points, measure=)` sweeps
    "impact" or "hours" (optimizer.frontier_v2).

Unknown fields are errors at the top level and in targets and options (a misspelt target
must not silently vanish); needs, vendors and offers may carry extra fields (names, labels),
which are ignored.

Result document:

    status        optimal | optimal_relaxed | infeasible | time_limit | invalid | error
                  (`Status`; a frontier may also be stopped); optimal_relaxed: optimal once
                  prioritised targets were relaxed
    objective     {"name": "min_cost", "value": $, "unit": "$"},
                  {"name": "max_impact", "value": points, "unit": "points of average impact"}
                  or (version 2) {"name": "max_impact_worker_hours", "value": hours,
                  "unit": "impact-worker hours"}
    allocations   [{need, vendor, volume, price, cost}] in (need id, vendor id) order,
                  zero volumes left out, volumes rounded to 6 decimals (see optimizer.result);
                  version 2 adds offer, hours_per_unit and hours (above)
    totals        {cost, volume, avg_impact, avg_quality, impact_spend_share,
                   impact_worker_hours, impact_worker_hours_coverage} in version 1, where
                  the averages weigh by volume; version 2 weighs them by labour hours and
                  changes the keys as listed above (no volume; labour_hours, needs[], …)
    constraints   [{name, kind, label, binding, slack, slack_unit, shadow_price, unit,
                   measure, step, steps, direction, meaning, need?, vendor?}];
                  shadow_price = change in the objective per unit relaxation of the
                  constraint; `unit` says it in words ("$ per point of average impact
                  relaxed") and measure (the objective's unit), step (one step of the rule,
                  "point of average impact"), steps (its plural, or null for a step on a
                  bounded scale) and direction ("raised" | "lowered": the way one step moves
                  the rule's limit for that price) say it in parts, null without a price;
                  need and vendor: the ids the rule is about (see optimizer.result)
    solver        {name, version, time, wall_time, iterations, threads, random_seed, stages}
    tie_break     "applied", "off" or why it was skipped
    model         {variables, constraints, binaries, ineligible_offers}
    mip_gap       relative gap, only when binaries are used
    errors        [{field, message}] (invalid / error)
    relaxations   only when optimal_relaxed (or time_limit after a relaxation): [{target
                  (its priorities key), label, priority, asked, reached, relaxed_by, unit,
                  held (keys of the higher-priority targets that hold), sentence}], lowest
                  priority first (optimizer.relax)
    explanation   only when infeasible: {checks, targets, conflict, summary, suggestions}
                  and, with award rules, `rules`: per group limit or incumbent rule its
                  field path, the limit the other rules allow (`limit`, rounded by
                  workable_limit under the key `limit_name` of TARGET_LIMITS) and a sentence
                  (see optimizer.explain). When the rules without a priority alone admit no
                  plan, it explains them alone (the prioritised targets would give way), its
                  summary says so first and `prioritised` lists the keys left out
                  (optimizer.relax.explain_hard_conflict)
"""

from optimizer.api import solve, validate
from optimizer.explain import TARGET_LIMITS, limit_text, workable_limit
from optimizer.frontier import frontier
from optimizer.model import NEED_TARGET_ROWS, TARGET_ROWS
from optimizer.problem import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_NEED_MONTHS,
    MAX_PRICE,
    MAX_UNITS,
    validate_targets,
)
from optimizer.status import Status

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_NEED_MONTHS",
    "MAX_PRICE",
    "MAX_UNITS",
    "NEED_TARGET_ROWS",
    "Status",
    "TARGET_LIMITS",
    "TARGET_ROWS",
    "frontier",
    "limit_text",
    "solve",
    "validate",
    "validate_targets",
    "workable_limit",
]
