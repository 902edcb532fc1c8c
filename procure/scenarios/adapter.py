"""The one adapter from the database to an optimizer problem document (version 2).

- Needs become `needs` (id `N<need id>`): their unit, volume, minimum quality, largest vendor
  share, period (the calendar months from the need's first to its last day) and their own
  targets (minimum average impact, minimum impact spend share), which the optimizer holds for
  that need alone.
- Every vendor with a scored disclosure (see `procure.scoring.adapter`) gets one offer line per
  active offer in a need's category *and unit*, each its own variable with its own price,
  quality and hours per unit. Offers in another unit, offers without hours per unit (item and
  task offers entered before it was asked), and knocked-out vendors are listed under
  `meta.excluded` with the reason.
- Prices are converted to US dollars by the one rule of `procure.disclosures.pricing`: the
  rate in force on the day the problem is built (`meta.rate_date`), unrounded (an offer that
  scoring leaves out, `pricing.left_out_reason`: no rate, a price of 0 or out of range in
  US dollars, is excluded with the reason); each offer line keeps its original
  amount, currency, rate and rate date. An offer's own cap is units per month (the lowest in
  force over the need's months).
- Capacity: a vendor's labour hours per month in force in each month any need runs
  (`capacities`); months where it states none are unlimited.
- A vendor's impact score is 100 × its impact pillar under the scenario's profile; its quality
  (the default for lines without one) is the lowest among its offers for the scenario's
  categories; `impact_worker_share` is impact workers / headcount at the end of the scored
  period.
- Portfolio targets: the budget defaults to the sum of the needs' budgets when every need has
  one; the others apply only when the scenario sets them (a number, or null to drop one).
- `settings.hours_per_fte_year` freezes the setting into the document, so an approved plan's
  jobs never move with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

import scoring
from procure.disclosures.pricing import left_out_reason, usd_rates
from procure.extensions import db
from procure.needs.models import Need
from procure.scoring.adapter import scoring_input
from procure.scoring.services import catalog_for
from procure.vendors.capacity import (
    calendar_months,
    capacity_loading,
    offer_units_by_month,
    unstated_hours_reason,
    vendor_hours_by_month,
)
from procure.vendors.models import Vendor

DEFAULT_IMPACT_VENDOR_MIN_SCORE = 50.0
PROBLEM_VERSION = 2


def _month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def default_targets(needs: Sequence[Need]) -> dict[str, Any]:
    """Portfolio targets a scenario starts from: the needs' budgets added up (when every need
    has one). A need's own impact targets are rows of that need, not portfolio targets."""
    budgets = [n.budget_usd for n in needs if n.budget_usd is not None]
    shares = [n.min_impact_spend_share for n in needs if n.min_impact_spend_share is not None]
    return {
        "budget": round(sum(budgets), 2) if needs and len(budgets) == len(needs) else None,
        "min_avg_impact": None,
        "min_avg_quality": None,
        "min_impact_spend_share": None,
        "impact_vendor_min_score": DEFAULT_IMPACT_VENDOR_MIN_SCORE if shares else None,
        "max_vendor_spend_share": None,
        "min_impact_worker_hours": None,
    }


def _need_entry(need: Need) -> dict[str, Any]:
    months = calendar_months(need.period_start, need.period_end)
    return {
        "id": f"N{need.id}",
        "title": need.title,
        "unit": need.unit,
        "volume": need.volume,
        "min_quality": need.min_quality,
        "max_vendor_share": need.max_vendor_share,
        "period": {"start": _month_text(months[0]), "months": len(months)},
        "min_avg_impact": need.min_avg_impact,
        "min_impact_spend_share": need.min_impact_spend_share,
    }


def _offer_line(
    offer, need: Need, months: list[date], vendor_key: str, rate: tuple[float, date]
) -> dict[str, Any]:
    usd_per_unit, rate_day = rate
    caps = offer_units_by_month(offer, months)
    stated = [cap for cap in caps if cap is not None]
    return {
        "id": f"O{offer.id}",
        "vendor": vendor_key,
        "need": f"N{need.id}",
        "unit": offer.unit,
        "price": float(offer.price) * usd_per_unit,
        "hours_per_unit": float(offer.hours_per_unit),
        "quality": offer.quality,
        "capacity": min(stated) if stated else None,
        "offer_id": offer.id,
        "original_price": float(offer.price),
        "currency": offer.currency,
        "rate": usd_per_unit,
        "rate_date": rate_day.isoformat(),
    }


def build_problem(
    needs: Sequence[Need],
    profile: scoring.Profile,
    objective: str,
    targets: dict[str, Any],
    time_limit: float = 60.0,
    *,
    hours_per_fte_year: float,
    rate_date: date | None = None,
) -> dict[str, Any]:
    """The version 2 problem document for these needs under this profile (a plain,
    self-contained dict), scored with the buyer's own metrics and its own disclosure
    reviews, priced at the rates in force on `rate_date` (today by default)."""
    rate_date = rate_date or date.today()
    organization_id = needs[0].organization_id if needs else None
    inputs = scoring_input(organization_id, evidence_age_months=profile.evidence_age_months)
    metrics = catalog_for(organization_id)
    result = (
        scoring.score_table(inputs.table, metrics, profile) if inputs.table is not None else None
    )
    # the vendors' capacity changes and their offers' in a few SELECT ... IN, not one a vendor
    db.session.scalars(
        select(Vendor).where(Vendor.id.in_(list(inputs.vendors))).options(*capacity_loading())
    ).all()
    categories = {need.service_category for need in needs}
    need_months = {need.id: calendar_months(need.period_start, need.period_end) for need in needs}
    months = sorted({month for each in need_months.values() for month in each})
    rates = usd_rates(
        {o.currency for v in inputs.vendors.values() for o in v.offers if o.active}, rate_date
    )
    vendors, offers, excluded, capacities = [], [], [], []
    score_key = {str(key): key for key in result.scores.index} if result is not None else {}
    for vendor_id in sorted(inputs.vendors):
        if result is None:  # scoring_input has vendors only along with the table scoring them
            raise RuntimeError("vendors to offer without their scores")
        vendor = inputs.vendors[vendor_id]
        key = f"V{vendor_id}"
        score = result.scores.loc[score_key[str(vendor_id)]]
        relevant = [o for o in vendor.offers if o.active and o.service_category in categories]
        if not relevant:
            continue
        if bool(score["knocked_out"]):
            excluded.append(
                {"vendor": key, "name": vendor.name, "reason": score["knockout_reason"]}
            )
            continue
        lines = []
        for need in needs:
            for offer in relevant:
                if offer.service_category != need.service_category:
                    continue
                reason = None
                if offer.unit != need.unit:
                    reason = f"priced per {offer.unit}; need N{need.id} is in {need.unit}s"
                elif priced := left_out_reason(float(offer.price), offer.currency, rates):
                    reason = f"offer {offer.id} is {priced}"
                elif offer.hours_per_unit is None:
                    reason = unstated_hours_reason(offer)
                if reason is not None:
                    excluded.append(
                        {
                            "vendor": key,
                            "name": vendor.name,
                            "need": f"N{need.id}",
                            "reason": reason,
                        }
                    )
                    continue
                lines.append(
                    _offer_line(offer, need, need_months[need.id], key, rates[offer.currency])
                )
        if not lines:
            continue
        offers.extend(lines)
        workforce = inputs.disclosures[vendor_id].figures.get("workforce") or {}
        headcount, impact_workers = (
            workforce.get("headcount_end"),
            workforce.get("impact_workers_end"),
        )
        vendors.append(
            {
                "id": key,
                "name": vendor.name,
                "quality": min(o.quality for o in relevant),
                "impact_score": round(float(score["impact_score"]), 6),
                "impact_worker_share": round(impact_workers / headcount, 6)
                if headcount and impact_workers is not None
                else None,
            }
        )
        for month, hours in zip(months, vendor_hours_by_month(vendor, months), strict=True):
            if hours is not None:
                capacities.append({"vendor": key, "month": _month_text(month), "hours": hours})
    document_targets = {**default_targets(needs), **targets}
    if (
        document_targets.get("min_impact_spend_share") is not None
        and document_targets.get("impact_vendor_min_score") is None
    ):
        document_targets["impact_vendor_min_score"] = DEFAULT_IMPACT_VENDOR_MIN_SCORE
    return {
        "version": PROBLEM_VERSION,
        "needs": [_need_entry(n) for n in needs],
        "vendors": vendors,
        "offers": offers,
        "capacities": capacities,
        "targets": document_targets,
        "objective": objective,
        "options": {"solver": "highs", "time_limit": time_limit},
        "settings": {"hours_per_fte_year": hours_per_fte_year},
        "meta": {
            "excluded": excluded,
            "currency": "USD",
            "rate_date": rate_date.isoformat(),
            "scored_disclosures": {f"V{vid}": d.id for vid, d in inputs.disclosures.items()},
        },
    }
