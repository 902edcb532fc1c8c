"""A realistic report context, as the app builds it: plain dicts, lists, strings and numbers.

`sample_context()` gives a board-sized case (12 vendors, 3 needs); `sample_context(100, 20)`
gives the benchmark case. The numbers hang together: the total cost KPI is the sum of the
allocation costs, impact-worker hours are volume × the vendor's impact-worker share, the chosen
plan is the middle column of the comparison and sits on the frontier.
"""

from __future__ import annotations

import math
import random

VENDOR_NAMES = [
    "Kazi Data Works",
    "Samasource Nairobi",
    "Digital Divide Data",
    "iMerit Kolkata",
    "Cloudfactory Kathmandu",
    "Daproim Africa",
    "Harambee Digital",
    "Ruangguru Annotations",
    "Andela Support Desk",
    "Azure BPO Services",
    "Northgate Outsourcing",
    "Transcom Manila",
    "Anudip Foundation Services",
    "Impact Hub Digital",
    "RefugeeTech Collective",
    "Humans in the Loop Sofia",
    "Bridge Digital Kampala",
    "Learning Lab Amman",
    "Cortex BPO Lisbon",
    "Kiva Data Services",
    "Nexa Call Centre",
    "Sagar Digitisation",
    "Umoja Annotation Co-op",
    "Vistula Support Sp. z o.o.",
]
_PREFIXES = [
    "Asante",
    "Baraka",
    "Cedar",
    "Delta",
    "Equator",
    "Fjord",
    "Granite",
    "Horizon",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
]
_SUFFIXES = [
    "Data Works",
    "Digital Services",
    "BPO",
    "Annotation Lab",
    "Support Centre",
    "Digitisation",
    "Outsourcing",
]

NEEDS = [
    ("Product image annotation", "hour", 4.9),
    ("Customer support, tier 1 (English)", "hour", 11.5),
    ("Invoice digitisation", "item", 0.42),
    ("Catalogue data entry", "item", 0.31),
    ("Content moderation", "hour", 7.8),
    ("Speech transcription (Swahili)", "hour", 9.6),
    ("Address verification", "task", 0.55),
    ("Returns email triage", "task", 0.9),
    ("LiDAR point-cloud labelling", "hour", 8.4),
    ("Social media replies", "task", 1.2),
    ("Receipt OCR correction", "item", 0.18),
    ("Search relevance rating", "task", 0.35),
    ("Product description writing", "item", 3.2),
    ("Chat support, French", "hour", 12.9),
    ("Survey coding", "item", 0.6),
    ("Translation review", "hour", 14.5),
    ("Medical record abstraction", "item", 2.4),
    ("Map feature tagging", "task", 0.28),
    ("Back-office reconciliation", "hour", 10.2),
    ("Video clip tagging", "item", 0.75),
]

PROFILE = "Default profile v1"

METRICS = [
    (
        "impact_worker_share",
        "Impact workers as a share of headcount",
        "impact_workers_end / headcount_end",
        [0, 0.5],
        0.25,
        "workforce",
        "IRIS+ OI8869; GISC impact-worker definition",
    ),
    (
        "impact_hire_share",
        "Impact workers as a share of hires",
        "impact_worker_hires / total_hires",
        [0, 0.5],
        0.15,
        "workforce",
        "IRIS+ OI2444; GRI 401-1",
    ),
    (
        "living_wage_ratio",
        "Impact-worker median wage against the living wage",
        "impact_worker_median_hourly_wage / living_wage_hourly",
        [0.75, 1.25],
        0.20,
        "wages",
        "Anker living-wage benchmarks; GRI 202-1",
    ),
    (
        "entry_wage_to_min_wage",
        "Entry-level wage against the minimum wage",
        "entry_hourly_wage / minimum_hourly_wage",
        [1.0, 1.5],
        0.10,
        "wages",
        "GRI 202-1",
    ),
    (
        "training_hours_per_impact_worker",
        "Training hours per impact worker",
        "training_hours_impact_workers / impact_workers_end",
        [0, 80],
        0.10,
        "training",
        "GRI 404-1; B Lab workforce development",
    ),
    (
        "training_spend_per_fte_usd",
        "Training spend per FTE (USD)",
        "training_spend_usd / fte_avg",
        [0, 500],
        0.10,
        "training",
        "B Lab workforce development",
    ),
    (
        "impact_worker_retention_12m",
        "12-month retention of impact-worker hires",
        "retention_cohort_retained_12m / retention_cohort_hired",
        [0.4, 0.9],
        0.05,
        "workforce",
        "IRIS+ PI2444",
    ),
    (
        "impact_worker_promotion_rate",
        "Promotion rate of impact workers",
        "promotions_impact_workers / mean(impact_workers_start, impact_workers_end)",
        [0, 0.15],
        0.05,
        "workforce",
        "GRI 404-3 (adapted)",
    ),
]


def vendor_names(count: int) -> list[str]:
    names = list(VENDOR_NAMES[:count])
    index = 0
    while len(names) < count:
        prefix = _PREFIXES[index % len(_PREFIXES)]
        suffix = _SUFFIXES[(index // len(_PREFIXES)) % len(_SUFFIXES)]
        names.append(f"{prefix} {suffix}" + (f" {index // 112 + 2}" if index >= 112 else ""))
        index += 1
    return names


def need_list(count: int) -> list[tuple[str, str, float]]:
    needs = list(NEEDS[:count])
    while len(needs) < count:
        title, unit, price = NEEDS[len(needs) % len(NEEDS)]
        needs.append((f"{title} (batch {len(needs) // len(NEEDS) + 1})", unit, price))
    return needs


def sample_context(n_vendors: int = 12, n_needs: int = 3, seed: int = 7) -> dict:
    """A report context with `n_vendors` vendors splitting `n_needs` needs (same seed, same
    dict)."""
    rng = random.Random(seed)
    names = vendor_names(n_vendors)
    vendors = {
        name: {
            "impact_score": round(rng.uniform(22, 86), 1),
            "impact_worker_share": round(rng.uniform(0.05, 0.72), 2),
            "living_wage_ratio": round(rng.uniform(0.86, 1.22), 2),
            "price_factor": rng.uniform(0.86, 1.24),
            "quality": rng.uniform(0.9, 0.985),
        }
        for name in names
    }
    # Every vendor serves at least one need: vendors are dealt to needs in turn, then each need
    # gets a few more picked at random, as the optimizer spreads volume under share caps.
    per_need = max(3, math.ceil(1.6 * n_vendors / n_needs))
    assignment: list[list[str]] = [[] for _ in range(n_needs)]
    for index, name in enumerate(names):
        assignment[index % n_needs].append(name)
    for chosen in assignment:
        extra = [n for n in names if n not in chosen]
        rng.shuffle(extra)
        chosen.extend(extra[: max(0, per_need - len(chosen))])

    allocations = []
    vendor_ids = {name: f"V{index + 1}" for index, name in enumerate(names)}
    for need_number, ((title, unit, base_price), chosen) in enumerate(
        zip(need_list(n_needs), assignment, strict=True), start=1
    ):
        volume = float(
            rng.choice([8000, 12000, 20000, 45000, 60000, 150000 if unit != "hour" else 30000])
        )
        weights = [rng.uniform(0.3, 1.0) for _ in chosen]
        total_weight = sum(weights)
        shares = [round(volume * w / total_weight, -1) for w in weights]
        shares[0] += volume - sum(shares)
        for name, share in sorted(zip(chosen, shares, strict=True), key=lambda pair: -pair[1]):
            price = round(base_price * vendors[name]["price_factor"], 2 if base_price >= 1 else 3)
            allocations.append(
                {
                    "need_id": f"N{need_number}",
                    "need": title,
                    "vendor_id": vendor_ids[name],
                    "vendor": name,
                    "volume": float(share),
                    "unit": unit,
                    "price": price,
                    "cost": round(share * price, 2),
                    "impact_score": vendors[name]["impact_score"],
                }
            )

    total_cost = round(sum(a["cost"] for a in allocations), 2)
    total_volume = sum(a["volume"] for a in allocations)
    avg_impact = round(sum(a["impact_score"] * a["volume"] for a in allocations) / total_volume, 1)
    avg_quality = round(
        sum(vendors[a["vendor"]]["quality"] * a["volume"] for a in allocations) / total_volume, 3
    )

    volume_by_vendor: dict[str, float] = {}
    hours_by_vendor: dict[str, float] = {}
    for allocation in allocations:
        name = allocation["vendor"]
        volume_by_vendor[name] = volume_by_vendor.get(name, 0.0) + allocation["volume"]
        if allocation["unit"] == "hour":
            hours_by_vendor[name] = hours_by_vendor.get(name, 0.0) + allocation["volume"]
    by_vendor = []
    for name in sorted(volume_by_vendor, key=lambda n: -volume_by_vendor[n]):
        share = vendors[name]["impact_worker_share"]
        by_vendor.append(
            {
                "vendor_id": vendor_ids[name],
                "vendor": name,
                "volume": volume_by_vendor[name],
                "share_of_volume": round(volume_by_vendor[name] / total_volume, 4),
                "impact_worker_share": share,
                "impact_worker_hours": round(hours_by_vendor.get(name, 0.0) * share, 1),
                "living_wage_ratio": vendors[name]["living_wage_ratio"],
            }
        )
    impact_worker_hours = round(sum(v["impact_worker_hours"] for v in by_vendor), 1)
    fte_jobs = round(impact_worker_hours / 2080, 1)
    living_wage_ratio = round(
        sum(v["living_wage_ratio"] * v["volume"] for v in by_vendor) / total_volume, 2
    )

    cheapest = round(total_cost / 1.041, 2)
    premium = total_cost / cheapest - 1
    plan_c = round(cheapest * 1.111, 2)
    jobs_a, jobs_c = round(fte_jobs * 0.62, 1), round(fte_jobs * 1.21, 1)
    largest_share = (
        max(sum(a["cost"] for a in allocations if a["vendor"] == name) for name in volume_by_vendor)
        / total_cost
    )

    frontier_points = []
    low_impact, high_impact = round(avg_impact - 18.8, 1), round(avg_impact + 8.0, 1)
    for step in range(9):
        impact = round(low_impact + (high_impact - low_impact) * step / 8, 1)
        # A convex curve through (low, cheapest) and (avg_impact, total_cost).
        stretch = ((impact - low_impact) / (avg_impact - low_impact)) ** 2
        frontier_points.append(
            {
                "avg_impact": impact,
                "cost": round(cheapest + (total_cost - cheapest) * stretch, 2),
                "status": "optimal",
            }
        )
    frontier_points.append(
        {"avg_impact": round(high_impact + 2.5, 1), "cost": None, "status": "infeasible"}
    )

    scenario_name = f"Plan B: impact {avg_impact:.0f}"
    return {
        "organization": "Northwind Retail Group",
        "generated_at": "2026-11-22 07:45 UTC",
        "scenario": {
            "id": 3,
            "name": scenario_name,
            "status": "approved",
            "objective": "min_cost",
            "approved_by": "Jonas Lindqvist",
            "approved_at": "2026-11-22",
            "decision_comment": (
                "Approved for Q1; revisit the living-wage gap at two vendors in March."
            ),
            "profile": PROFILE,
        },
        "summary": [
            (
                f"Scenario B costs {premium * 100:.1f} % more than the cheapest plan and sustains "
                f"{fte_jobs - jobs_a:.1f} more full-time jobs for impact workers."
            ),
            (
                f"{len(volume_by_vendor)} vendors share {n_needs} needs; no vendor takes more than "
                f"{largest_share * 100:.0f} % of the spend."
            ),
            (
                f"The average impact target of {avg_impact:.0f} binds: "
                f"each further point costs about ${(total_cost - cheapest) / 18.8:,.0f}."
            ),
            (
                f"Impact workers are paid on average {living_wage_ratio:.2f} times the local "
                "living wage."
            ),
        ],
        "kpis": [
            {"label": "Total cost", "value": total_cost, "format": "money"},
            {"label": "Average impact", "value": avg_impact, "format": "number"},
            {"label": "Average quality", "value": avg_quality, "format": "percent"},
            {
                "label": "Jobs sustained for impact workers (FTE)",
                "value": fte_jobs,
                "format": "number",
            },
            {
                "label": "Premium over the cheapest plan",
                "value": round(premium, 4),
                "format": "percent",
            },
            {"label": "Vendors used", "value": len(volume_by_vendor), "format": "integer"},
        ],
        "comparison": {
            "scenarios": [
                "Plan A: cheapest",
                scenario_name,
                f"Plan C: impact {avg_impact + 5:.0f}",
            ],
            "chosen": 1,
            "rows": [
                {
                    "label": "Total cost",
                    "values": [cheapest, total_cost, plan_c],
                    "format": "money",
                },
                {
                    "label": "Cost premium over the cheapest",
                    "values": [0.0, round(premium, 4), 0.111],
                    "format": "percent",
                },
                {
                    "label": "Average impact",
                    "values": [low_impact, avg_impact, round(avg_impact + 5, 1)],
                    "format": "number",
                },
                {
                    "label": "Average quality",
                    "values": [0.948, avg_quality, 0.931],
                    "format": "percent",
                },
                {
                    "label": "Jobs sustained for impact workers (FTE)",
                    "values": [jobs_a, fte_jobs, jobs_c],
                    "format": "number",
                },
                {
                    "label": "Largest vendor's share of spend",
                    "values": [0.41, round(largest_share, 3), 0.22],
                    "format": "percent",
                },
                {
                    "label": "Vendors used",
                    "values": [
                        max(2, len(volume_by_vendor) - 4),
                        len(volume_by_vendor),
                        len(volume_by_vendor) + 2,
                    ],
                    "format": "integer",
                },
            ],
        },
        "frontier": {
            "points": frontier_points,
            "chosen": {"avg_impact": avg_impact, "cost": total_cost},
        },
        "allocations": allocations,
        "impact": {
            "impact_worker_hours": impact_worker_hours,
            "fte_jobs": fte_jobs,
            "hours_per_fte_year": 2080,
            "training_hours_per_impact_worker": 36.0,
            "living_wage_ratio": living_wage_ratio,
            "units": sorted({a["unit"] for a in allocations}),
            "by_vendor": by_vendor,
        },
        "constraints": [
            {
                "label": f"Average impact at least {avg_impact:.0f}",
                "binding": True,
                "slack": 0.0,
                "shadow_price": -round((total_cost - cheapest) / 18.8, 2),
                "unit": "$ per point of average impact relaxed",
                "meaning": "Each extra point of average impact costs about "
                f"${round((total_cost - cheapest) / 18.8):,.0f}",
            },
            {
                "label": f"Budget at most ${round(total_cost * 1.05, -3):,.0f}",
                "binding": False,
                "slack": round(round(total_cost * 1.05, -3) - total_cost, 2),
                "shadow_price": 0.0,
                "unit": "$ per $ of budget added",
            },
            {
                "label": "Average quality at least 92 %",
                "binding": False,
                "slack": round(avg_quality - 0.92, 3),
                "shadow_price": 0.0,
                "unit": "$ per point of quality",
            },
            {
                "label": "No vendor above 40 % of a need",
                "binding": True,
                "slack": 0.0,
                "shadow_price": -0.37,
                "unit": "$ per unit of volume moved to the next vendor",
            },
        ],
        "method": {
            "profile": PROFILE,
            "pillar_weights": {"impact": 0.45, "cost": 0.30, "quality": 0.25},
            "metrics": [
                {
                    "key": key,
                    "label": label,
                    "formula": formula,
                    "goalposts": goalposts,
                    "weight": weight,
                    "section": section,
                    "source": source,
                }
                for key, label, formula, goalposts, weight, section, source in METRICS
            ],
            "evidence_factors": {
                "none": 0.0,
                "self_reported": 0.5,
                "self_reported_documented": 0.7,
                "buyer_verified": 0.85,
                "third_party_limited": 0.9,
                "third_party_reasonable": 1.0,
            },
            "sources": [
                "Minimum wages: as disclosed per site with their source",
                "Living wages: Anker benchmarks as disclosed",
                "FX: config/fx.toml (approximate period-end rates)",
            ],
        },
        "audit": [
            {"at": "2026-11-20 14:02", "who": "Amara Okafor", "action": "Created"},
            {"at": "2026-11-20 14:03", "who": "Amara Okafor", "action": "Solved"},
            {"at": "2026-11-21 09:15", "who": "Amara Okafor", "action": "Frontier traced"},
            {"at": "2026-11-22 07:30", "who": "Amara Okafor", "action": "Submitted for approval"},
            {"at": "2026-11-22 07:41", "who": "Jonas Lindqvist", "action": "Approved"},
        ],
    }
