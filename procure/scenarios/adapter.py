"""The one adapter from the database to an optimizer problem document.

- Needs become `needs` (id `N<need id>`), with their volume, minimum quality and largest
  vendor share.
- Every vendor with a scored disclosure (see `procure.scoring.adapter`) and an active offer in a
  need's category gets an offer for that need. Knocked-out vendors get no offers; they are
  listed under `meta.excluded` with the reason.
- Prices are converted to US dollars at the rate in force on the need's first day. An offer's
  capacity is its `capacity_per_period`, read as units per month, times the need's months
  (days / 30.4375).
- A vendor's impact score is 100 × its impact pillar under the scenario's profile; its quality
  is the lowest quality among its offers for the scenario's categories (the conservative choice,
  since the optimizer has one quality per vendor); `impact_worker_share` is impact workers /
  headcount at the end of the scored period.
- Targets default from the needs: budget = the sum of the needs' budgets when every need has
  one; min_avg_impact and min_impact_spend_share = the strictest need's. A scenario target given
  explicitly (a number, or null to drop it) wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import scoring
from procure.needs.models import Need
from procure.reference import reference
from procure.scoring.adapter import scoring_input
from procure.scoring.services import catalog_for

DEFAULT_IMPACT_VENDOR_MIN_SCORE = 50.0
DAYS_PER_MONTH = 30.4375


def _months(need: Need) -> float:
    return ((need.period_end - need.period_start).days + 1) / DAYS_PER_MONTH


def default_targets(needs: Sequence[Need]) -> dict[str, Any]:
    budgets = [n.budget_usd for n in needs if n.budget_usd is not None]
    impacts = [n.min_avg_impact for n in needs if n.min_avg_impact is not None]
    shares = [n.min_impact_spend_share for n in needs if n.min_impact_spend_share is not None]
    return {
        "budget": round(sum(budgets), 2) if needs and len(budgets) == len(needs) else None,
        "min_avg_impact": max(impacts) if impacts else None,
        "min_avg_quality": None,
        "min_impact_spend_share": max(shares) if shares else None,
        "impact_vendor_min_score": DEFAULT_IMPACT_VENDOR_MIN_SCORE if shares else None,
        "max_vendor_spend_share": None,
    }


def build_problem(
    needs: Sequence[Need],
    profile: scoring.Profile,
    objective: str,
    targets: dict[str, Any],
    time_limit: float = 60.0,
) -> dict[str, Any]:
    """The problem document for these needs under this profile (a plain, self-contained dict),
    scored with the buyer's own metrics and its own disclosure reviews."""
    organization_id = needs[0].organization_id if needs else None
    inputs = scoring_input(organization_id)
    metrics = catalog_for(organization_id)
    result = (
        scoring.score_table(inputs.table, metrics, profile) if inputs.table is not None else None
    )
    categories = {need.service_category for need in needs}
    vendors, offers, excluded = [], [], []
    score_key = {str(key): key for key in result.scores.index} if result is not None else {}
    for vendor_id in sorted(inputs.vendors):
        if result is None:  # scoring_input has vendors only along with the table scoring them
            raise RuntimeError("vendors to offer without their scores")
        vendor = inputs.vendors[vendor_id]
        score = result.scores.loc[score_key[str(vendor_id)]]
        relevant = [o for o in vendor.offers if o.active and o.service_category in categories]
        if not relevant:
            continue
        if bool(score["knocked_out"]):
            excluded.append(
                {"vendor": f"V{vendor_id}", "name": vendor.name, "reason": score["knockout_reason"]}
            )
            continue
        workforce = inputs.disclosures[vendor_id].figures.get("workforce") or {}
        headcount, impact_workers = (
            workforce.get("headcount_end"),
            workforce.get("impact_workers_end"),
        )
        vendors.append(
            {
                "id": f"V{vendor_id}",
                "name": vendor.name,
                "capacity": None,
                "quality": min(o.quality for o in relevant),
                "impact_score": round(float(score["impact_score"]), 6),
                "impact_worker_share": round(impact_workers / headcount, 6)
                if headcount and impact_workers is not None
                else None,
            }
        )
        for need in needs:
            for offer in relevant:
                if offer.service_category != need.service_category:
                    continue
                usd = reference().fx.to_usd(float(offer.price), offer.currency, need.period_start)
                offers.append(
                    {
                        "vendor": f"V{vendor_id}",
                        "need": f"N{need.id}",
                        "offer_id": offer.id,
                        "price": round(usd.usd_amount, 6),
                        "capacity": round(offer.capacity_per_period * _months(need), 6),
                    }
                )
                break  # one offer per vendor and need
    document_targets = {**default_targets(needs), **targets}
    if (
        document_targets.get("min_impact_spend_share") is not None
        and document_targets.get("impact_vendor_min_score") is None
    ):
        document_targets["impact_vendor_min_score"] = DEFAULT_IMPACT_VENDOR_MIN_SCORE
    return {
        "needs": [
            {
                "id": f"N{n.id}",
                "title": n.title,
                "unit": n.unit,
                "volume": n.volume,
                "min_quality": n.min_quality,
                "max_vendor_share": n.max_vendor_share,
            }
            for n in needs
        ],
        "vendors": vendors,
        "offers": offers,
        "targets": document_targets,
        "objective": objective,
        "options": {"solver": "highs", "time_limit": time_limit},
        "meta": {
            "excluded": excluded,
            "currency": "USD",
            "scored_disclosures": {f"V{vid}": d.id for vid, d in inputs.disclosures.items()},
        },
    }
