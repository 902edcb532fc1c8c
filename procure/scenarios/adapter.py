"""The one adapter from the database to an optimizer problem document (version 2).

- Needs become `needs` (id `N<need id>`): their unit, volume, minimum quality, largest vendor
  share, period (the calendar months from the need's first to its last day) and their own
  targets (minimum average impact, minimum impact spend share), which the optimizer holds for
  that need alone.
- A need's whole-number rules, where set: `max_vendors` (at most this many vendors get volume on
  it; the optimizer counts a vendor once however many of its lines are used) and its
  `min_award`, the optimizer's rule of the need (`needs[].min_award`): a vendor given volume on
  the need gets at least the minimum in total over its lines for it, however the volume is
  split over its prices (the need form says so). The lines carry no `min_order`. Needs without
  them add neither field, so their documents are as before.
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
- Award rules (`vendor_groups`, `incumbents`, `adjustments`; procure.scenarios.award_rules):
  the scenario names vendors and needs by their ids, the document by its keys ("V12", "N3");
  a group by `country` (or a region's `countries`) lists the document's vendors based there,
  and `meta.vendor_group_countries` keeps a region's countries. A rule keeps only the
  document's vendors; one left with none is not applied, and `meta.award_rules` says why.
- Priorities (`targets.priorities`) name a need's target by its id ("needs.3.min_avg_impact"
  becomes "needs.N3.min_avg_impact") and an incumbent rule by its position among those kept;
  a priority of a rule not applied, or of a target the document does not set (the budget
  when a need has none), goes, and `meta.award_rules` says so.
- `settings.hours_per_fte_year` freezes the setting into the document, so an approved plan's
  jobs never move with it.

An award scenario (`event`: a closed sourcing event) is priced by the event's bids instead of
the rate cards, and the needs are its lots as they stood when it was made:

- A need's entry takes the lot's title, unit, volume and period; its minimum quality is the
  higher of the need's and the event's (`min_quality`), its other targets are the need's.
- Each bid on a lot of the scenario's needs is one offer line (id `B<bid id>`, `source: "bid"`,
  `bid_id`): its price converted by the same rule as offers (with the original amount,
  currency, rate and rate date), its unit and hours per unit, and its capacity (units in the
  lot's period) as a cap in units per month of the lot's months. Bids carry no quality: a
  line takes the vendor's own from its active rate-card offers in the lot's category and unit
  (the lowest, `quality_source: "offer"` with `quality_offer_id`), else the lot's minimum
  quality (`quality_source: "lot_minimum"`; 0 where neither the need nor the event sets one).
- A bidder still needs a scored disclosure for its impact score; one without (or knocked out,
  or with a bid priced in a way that cannot be compared) is listed under `meta.excluded` with
  the reason; so is one whose disclosure's evidence falls short of the event's rule
  (`evidence_required`, procure.awards.evidence_rule), naming each short section. A bidder
  without an active offer is scored on its bid's price
  (`scoring_input(bid_prices=...)`), which its impact score does not read. Its monthly labour
  hours (`capacities`) hold as for any vendor. `meta.event` names the event.
- A bid whose `valid_until` is before the day the problem is built (`meta.rate_date`) is not
  used: it is listed under `meta.excluded` ("bid valid until 2026-11-30; expired"). Validity is
  how long the bidder holds its price open for the buyer to accept (events ask it to last at
  least to the deadline's day), and the award is decided now, on the built document; a bid
  still open today binds its vendor even when the lot's work starts later, so the need's period
  start is not the test. The day is frozen in the document, so a re-read gives the same answer.
- A bidder that withdrew from a lot and has no bid on it now is listed under `meta.excluded`
  for that lot ("withdrew from lot Invoices on 2026-12-07 10:30 UTC"), not merely absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

import scoring
from procure.awards.evidence_rule import evidence_shortfall
from procure.disclosures.pricing import OfferPrice, left_out_reason, usd_rates
from procure.events.models import Bid, EventLot, SourcingEvent
from procure.events.services import withdrawal_words
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios import award_rules
from procure.scoring.adapter import scoring_input
from procure.scoring.services import catalog_for
from procure.scoring_defaults import DEFAULT_IMPACT_VENDOR_MIN_SCORE
from procure.vendors.capacity import (
    calendar_months,
    capacity_loading,
    month_text,
    offer_units_by_month,
    unstated_hours_reason,
    vendor_hours_by_month,
)
from procure.vendors.models import Vendor

PROBLEM_VERSION = 2
NO_SCORED_DISCLOSURE = (
    "has no submitted disclosure your organization has not rejected, so no impact score to "
    "weigh its bids by"
)


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


def _award_limits(need: Need) -> dict[str, Any]:
    """A need's whole-number rules for its entry, only those set."""
    limits: dict[str, Any] = {}
    if need.max_vendors is not None:
        limits["max_vendors"] = need.max_vendors
    if need.min_award is not None:
        limits["min_award"] = need.min_award
    return limits


def _need_entry(need: Need) -> dict[str, Any]:
    months = calendar_months(need.period_start, need.period_end)
    return {
        "id": f"N{need.id}",
        "title": need.title,
        "unit": need.unit,
        "volume": need.volume,
        "min_quality": need.min_quality,
        "max_vendor_share": need.max_vendor_share,
        "period": {"start": month_text(months[0]), "months": len(months)},
        "min_avg_impact": need.min_avg_impact,
        "min_impact_spend_share": need.min_impact_spend_share,
        **_award_limits(need),
    }


def _lot_min_quality(need: Need, event: SourcingEvent) -> float | None:
    """A lot's minimum quality (0–1): the higher of its need's and its event's, where set."""
    floors = [q for q in (need.min_quality, event.min_quality) if q is not None]
    return max(floors) if floors else None


def _lot_entry(need: Need, lot: EventLot, event: SourcingEvent) -> dict[str, Any]:
    """A need's entry as its lot stood when the event was made (bids were made against it)."""
    months = calendar_months(lot.period_start, lot.period_end)
    return {
        **_need_entry(need),
        "title": lot.title,
        "unit": lot.unit,
        "volume": lot.volume,
        "min_quality": _lot_min_quality(need, event),
        "period": {"start": month_text(months[0]), "months": len(months)},
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


def _bid_quality(bid: Bid, lot: EventLot, need: Need, event: SourcingEvent) -> dict[str, Any]:
    """The quality (0–1) a bid line counts at, and where it comes from: the vendor's own figure
    from its active rate-card offers in the lot's category and unit (the lowest), else the lot's
    minimum quality (0 where none is set)."""
    own = [
        o
        for o in bid.vendor.offers
        if o.active and o.service_category == lot.service_category and o.unit == lot.unit
    ]
    if own:
        offer = min(own, key=lambda o: (o.quality, o.id))
        return {"quality": offer.quality, "quality_source": "offer", "quality_offer_id": offer.id}
    return {"quality": _lot_min_quality(need, event) or 0.0, "quality_source": "lot_minimum"}


def _bid_line(
    bid: Bid,
    need: Need,
    event: SourcingEvent,
    vendor_key: str,
    rate: tuple[float, date],
) -> dict[str, Any]:
    usd_per_unit, rate_day = rate
    lot = bid.lot
    months = calendar_months(lot.period_start, lot.period_end)
    return {
        "id": f"B{bid.id}",
        "vendor": vendor_key,
        "need": f"N{need.id}",
        "unit": bid.unit,
        "price": float(bid.price) * usd_per_unit,
        "hours_per_unit": float(bid.hours_per_unit),
        **_bid_quality(bid, lot, need, event),
        # units in the lot's period, spread evenly: the optimizer holds x <= capacity x months
        "capacity": bid.capacity / len(months),
        "source": "bid",
        "bid_id": bid.id,
        "original_price": float(bid.price),
        "currency": bid.currency,
        "rate": usd_per_unit,
        "rate_date": rate_day.isoformat(),
    }


def _event_bids(event: SourcingEvent, needs: Sequence[Need]) -> list[Bid]:
    """The event's bids on the lots of these needs, by lot and vendor."""
    need_ids = [need.id for need in needs]
    return list(
        db.session.scalars(
            select(Bid)
            .join(EventLot, EventLot.id == Bid.lot_id)
            .where(Bid.event_id == event.id, EventLot.need_id.in_(need_ids))
            .order_by(EventLot.need_id, Bid.vendor_id, Bid.id)
        )
    )


def _bid_prices(bids: Sequence[Bid], rates: dict[str, tuple[float, date]], on: date):
    """Per bidder, one of its bids priced by the offers' rule (the first whose price can be
    compared), for `scoring_input(bid_prices=...)`: a bidder without an active offer is scored
    on it."""
    prices: dict[int, OfferPrice] = {}
    for bid in bids:
        if bid.vendor_id in prices or left_out_reason(float(bid.price), bid.currency, rates):
            continue
        usd_per_unit, rate_day = rates[bid.currency]
        prices[bid.vendor_id] = OfferPrice(
            offer_id=bid.id,
            vendor_id=bid.vendor_id,
            category=bid.lot.service_category,
            unit=bid.unit,
            quality=_bid_quality(bid, bid.lot, bid.lot.need, bid.event)["quality"],
            amount=float(bid.price),
            currency=bid.currency,
            rate=usd_per_unit,
            rate_date=rate_day,
            priced_on=on,
            usd=float(bid.price) * usd_per_unit,
        )
    return prices


def _vendor_entry(vendor: Vendor, key: str, score, disclosure, quality: float) -> dict[str, Any]:
    workforce = disclosure.figures.get("workforce") or {}
    headcount, impact_workers = (
        workforce.get("headcount_end"),
        workforce.get("impact_workers_end"),
    )
    return {
        "id": key,
        "name": vendor.name,
        "quality": quality,
        "impact_score": round(float(score["impact_score"]), 6),
        "impact_worker_share": round(impact_workers / headcount, 6)
        if headcount and impact_workers is not None
        else None,
    }


def _capacity_rows(vendor: Vendor, key: str, months: list[date]) -> list[dict[str, Any]]:
    return [
        {"vendor": key, "month": month_text(month), "hours": hours}
        for month, hours in zip(months, vendor_hours_by_month(vendor, months), strict=True)
        if hours is not None
    ]


def build_problem(
    needs: Sequence[Need],
    profile: scoring.Profile,
    objective: str,
    targets: dict[str, Any],
    time_limit: float = 60.0,
    *,
    hours_per_fte_year: float,
    rate_date: date | None = None,
    event: SourcingEvent | None = None,
    metrics: scoring.Catalog | None = None,
) -> dict[str, Any]:
    """The version 2 problem document for these needs under this profile (a plain,
    self-contained dict), scored with `metrics` (default: the buyer's own catalog) and its own
    disclosure reviews, priced at the rates in force on `rate_date` (today by default): by the
    rate cards, or with `event` (closed, its lots the needs) by the event's bids."""
    rate_date = rate_date or date.today()
    organization_id = needs[0].organization_id if needs else None
    bids = _event_bids(event, needs) if event is not None else []
    bid_rates = usd_rates({bid.currency for bid in bids}, rate_date)
    inputs = scoring_input(
        organization_id,
        evidence_age_months=profile.evidence_age_months,
        bid_prices=_bid_prices(bids, bid_rates, rate_date) if event is not None else None,
    )
    metrics = metrics or catalog_for(organization_id)
    result = (
        scoring.score_table(inputs.table, metrics, profile) if inputs.table is not None else None
    )
    # the vendors' capacity changes and their offers' in a few SELECT ... IN, not one a vendor
    db.session.scalars(
        select(Vendor)
        .where(Vendor.id.in_([*inputs.vendors, *(bid.vendor_id for bid in bids)]))
        .options(*capacity_loading())
    ).all()
    lots = {lot.need_id: lot for lot in event.lots} if event is not None else {}
    need_months = {need.id: calendar_months(*_period(lots.get(need.id) or need)) for need in needs}
    months = sorted({month for each in need_months.values() for month in each})
    scores = _Scores(result)
    if event is None:
        vendors, offers, excluded, capacities = _rate_card_lines(
            needs, need_months, months, inputs, scores, rate_date
        )
        entries = [_need_entry(n) for n in needs]
    else:
        vendors, offers, excluded, capacities = _bid_lines(
            event, needs, bids, bid_rates, inputs, scores, months, rate_date
        )
        entries = [_lot_entry(n, lots[n.id], event) for n in needs]
    rules, rule_notes = award_rules.document_rules(
        targets, *_vendor_lookups(vendors, award_rules.award_targets(targets))
    )
    document_targets = {
        **default_targets(needs),
        **{k: v for k, v in targets.items() if k not in award_rules.AWARD_KEYS},
        **rules,
    }
    document_targets, priority_notes = award_rules.unset_priorities(document_targets, entries)
    rule_notes += priority_notes
    if (
        document_targets.get("min_impact_spend_share") is not None
        and document_targets.get("impact_vendor_min_score") is None
    ):
        document_targets["impact_vendor_min_score"] = DEFAULT_IMPACT_VENDOR_MIN_SCORE
    meta: dict[str, Any] = {
        "excluded": excluded,
        "currency": "USD",
        "rate_date": rate_date.isoformat(),
        "scored_disclosures": {f"V{vid}": d.id for vid, d in inputs.disclosures.items()},
    }
    if event is not None:
        meta["event"] = {"id": event.id, "title": event.title}
    if rule_notes:
        meta["award_rules"] = rule_notes
    regions = {
        group_id: codes
        for group_id, codes in award_rules.region_countries(targets).items()
        if any(group["id"] == group_id for group in rules.get("vendor_groups") or [])
    }
    if regions:  # a region's countries, for its sentence (the groups list vendors alone)
        meta["vendor_group_countries"] = regions
    return {
        "version": PROBLEM_VERSION,
        "needs": entries,
        "vendors": vendors,
        "offers": offers,
        "capacities": capacities,
        "targets": document_targets,
        "objective": objective,
        "options": {"solver": "highs", "time_limit": time_limit},
        "settings": {"hours_per_fte_year": hours_per_fte_year},
        "meta": meta,
    }


def _vendor_lookups(
    vendors: Sequence[dict[str, Any]], rules: dict[str, Any]
) -> tuple[dict[int, str], dict[int, str]]:
    """The document's vendors by their ids (to their keys), and, where a vendor group names a
    country or a region's countries, their countries (one query, only then)."""
    keys = {int(entry["id"][1:]): entry["id"] for entry in vendors}
    if not any(
        "country" in group or "countries" in group for group in rules.get("vendor_groups") or []
    ):
        return keys, {}
    rows = db.session.execute(select(Vendor.id, Vendor.country).where(Vendor.id.in_(keys)))
    return keys, {vendor_id: country for vendor_id, country in rows}


def _period(record: Need | EventLot) -> tuple[date, date]:
    return record.period_start, record.period_end


class _Scores:
    """Each scored vendor's row of the scoring result."""

    def __init__(self, result: scoring.ScoreTables | None):
        self.result = result
        self.keys = {str(key): key for key in result.scores.index} if result is not None else {}

    def of(self, vendor_id: int):
        if self.result is None:  # scoring_input has vendors only along with the table scoring them
            raise RuntimeError("vendors to offer without their scores")
        return self.result.scores.loc[self.keys[str(vendor_id)]]


Parts = tuple[list[dict], list[dict], list[dict], list[dict]]
"""A document's vendors, offer lines, exclusions and monthly capacities."""


def _rate_card_lines(
    needs: Sequence[Need],
    need_months: dict[int, list[date]],
    months: list[date],
    inputs,
    scores: _Scores,
    rate_date: date,
) -> Parts:
    """One offer line per active offer of a scored vendor in a need's category and unit."""
    categories = {need.service_category for need in needs}
    rates = usd_rates(
        {o.currency for v in inputs.vendors.values() for o in v.offers if o.active}, rate_date
    )
    vendors: list[dict] = []
    offers: list[dict] = []
    excluded: list[dict] = []
    capacities: list[dict] = []
    for vendor_id in sorted(inputs.vendors):
        score = scores.of(vendor_id)
        vendor = inputs.vendors[vendor_id]
        key = f"V{vendor_id}"
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
        quality = min(o.quality for o in relevant)
        vendors.append(_vendor_entry(vendor, key, score, inputs.disclosures[vendor_id], quality))
        capacities.extend(_capacity_rows(vendor, key, months))
    return vendors, offers, excluded, capacities


def _bid_lines(
    event: SourcingEvent,
    needs: Sequence[Need],
    bids: Sequence[Bid],
    rates: dict[str, tuple[float, date]],
    inputs,
    scores: _Scores,
    months: list[date],
    on: date,
) -> Parts:
    """One offer line per bid of a scored bidder whose price can be compared and that is still
    valid `on` the day the problem is built."""
    by_need = {need.id: need for need in needs}
    by_vendor: dict[int, list[Bid]] = {}
    for bid in bids:
        by_vendor.setdefault(bid.vendor_id, []).append(bid)
    vendors: list[dict] = []
    offers: list[dict] = []
    excluded: list[dict] = []
    capacities: list[dict] = []
    for vendor_id in sorted(by_vendor):
        placed = by_vendor[vendor_id]
        vendor, key = placed[0].vendor, f"V{vendor_id}"
        refused = {bid.id: reason for bid in placed if (reason := _bid_refusal(bid, rates, on))}
        excluded.extend(
            {
                "vendor": key,
                "name": vendor.name,
                "need": f"N{bid.lot.need_id}",
                "bid": bid.id,
                "reason": refused[bid.id],
            }
            for bid in placed
            if bid.id in refused
        )
        if len(refused) == len(placed):
            continue
        if vendor_id not in inputs.vendors:
            excluded.append({"vendor": key, "name": vendor.name, "reason": NO_SCORED_DISCLOSURE})
            continue
        score = scores.of(vendor_id)
        if bool(score["knocked_out"]):
            excluded.append(
                {"vendor": key, "name": vendor.name, "reason": score["knockout_reason"]}
            )
            continue
        if short := evidence_shortfall(event.evidence_required, inputs.evidence[vendor_id]):
            excluded.append({"vendor": key, "name": vendor.name, "reason": short})
            continue
        lines = [
            _bid_line(bid, by_need[bid.lot.need_id], event, key, rates[bid.currency])
            for bid in placed
            if bid.id not in refused
        ]
        offers.extend(lines)
        quality = min(line["quality"] for line in lines)
        vendors.append(_vendor_entry(vendor, key, score, inputs.disclosures[vendor_id], quality))
        capacities.extend(_capacity_rows(vendor, key, months))
    excluded.extend(_withdrawals(event, by_need, bids))
    return vendors, offers, excluded, capacities


def _withdrawals(
    event: SourcingEvent, by_need: dict[int, Need], bids: Sequence[Bid]
) -> list[dict[str, Any]]:
    """The vendors that withdrew from a lot of these needs and bid on it no more, each with its
    lot and when: the bid is absent, and "Vendors left out" says why."""
    placed = {(bid.lot_id, bid.vendor_id) for bid in bids}
    rows = sorted(
        (
            row
            for row in event.withdrawals
            if row.lot.need_id in by_need and (row.lot_id, row.vendor_id) not in placed
        ),
        key=lambda row: (row.vendor_id, row.lot_id),
    )
    if not rows:
        return []
    names = {
        vendor_id: name
        for vendor_id, name in db.session.execute(
            select(Vendor.id, Vendor.name).where(Vendor.id.in_({row.vendor_id for row in rows}))
        )
    }
    return [
        {
            "vendor": f"V{row.vendor_id}",
            "name": names[row.vendor_id],
            "need": f"N{row.lot.need_id}",
            "reason": withdrawal_words(row),
        }
        for row in rows
    ]


def _bid_refusal(bid: Bid, rates: dict[str, tuple[float, date]], on: date) -> str | None:
    """Why a bid is not used in a problem built `on` this day, or None: it expired before it, or
    its price cannot be compared."""
    if bid.valid_until < on:
        return f"bid valid until {bid.valid_until.isoformat()}; expired"
    if priced := left_out_reason(float(bid.price), bid.currency, rates):
        return f"bid {bid.id} is {priced}"
    return None
