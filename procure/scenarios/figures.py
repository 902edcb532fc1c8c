"""A scenario's figures read from its stored documents, version 1 or version 2, in one place.

Every consumer (the scenario page and list, the comparison, `/impact`, the board report and
the Excel pack) reads hours, impact-worker hours, jobs and weights through these functions, so
one figure is computed one way everywhere.

- **Version 2** documents (`"version": 2`, every solve since issue 17) count work in labour
  hours: an allocation line carries `hours` (volume × the offer's hours per unit), the result's
  totals carry `labour_hours`, `impact_worker_hours` (Σ hours × the vendor's impact-worker
  share), `impact_worker_jobs` and the per-need figures, and the problem document freezes
  `settings.hours_per_fte_year`. These functions return the result's own figures, so the page,
  the reports and the API print the same number.
- **Version 1** documents (no `version`: scenarios solved before) keep the figures they were
  shown with: only volume bought by the hour counts as hours (work bought per item or task had
  no hours to count), averages weigh volume, and jobs divide by the app's `HOURS_PER_FTE_YEAR`
  (version 1 froze no setting).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from procure.states import Objective

HOURS = "hours"
IMPACT = "impact"
FRONTIER_MEASURES = (IMPACT, HOURS)
"""What a frontier may sweep: average impact, or impact-worker hours (version 2 only)."""
DEFAULT_HOURS_PER_FTE_YEAR = 2080.0
"""What the optimizer assumes when a version 2 document states no setting."""


Document = Mapping[str, Any] | None


def record_id(key: object, prefix: str = "") -> int | None:
    """The record id in a problem document's id: 12 from "V12" (a vendor) or "N12" (a need);
    None for anything else, or for another kind than `prefix` when one is given."""
    if not isinstance(key, str) or len(key) < 2 or not key[1:].isdigit():
        return None
    return int(key[1:]) if key.startswith(prefix) else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator; None when the numerator is missing or the denominator is
    missing or 0."""
    return numerator / denominator if numerator is not None and denominator else None


def version(problem: Document) -> int:
    """2 for a version 2 problem document, else 1 (a document without `version`)."""
    return 2 if (problem or {}).get("version") == 2 else 1


def counts_hours(problem: Document) -> bool:
    """Whether the documents count work in labour hours (version 2)."""
    return version(problem) == 2


def hours_per_fte_year(problem: Document) -> float:
    """Hours of one full-time job a year: frozen in a version 2 document; the app's setting for
    a version 1 document, which froze none."""
    if counts_hours(problem):
        settings = (problem or {}).get("settings") or {}
        return settings.get("hours_per_fte_year") or DEFAULT_HOURS_PER_FTE_YEAR
    return current_app.config["HOURS_PER_FTE_YEAR"]


def need_units(problem: Document) -> dict[str, str]:
    """Each need's unit ("hour", "item", "task") by optimizer id; "hour" where unnamed."""
    return {need["id"]: need.get("unit") or "hour" for need in (problem or {}).get("needs", [])}


def vendor_shares(problem: Document) -> dict[str, float | None]:
    """Each vendor's impact-worker share (0–1, None where not disclosed) by optimizer id."""
    return {v["id"]: v.get("impact_worker_share") for v in (problem or {}).get("vendors", [])}


def allocation_hours(
    allocation: Mapping[str, Any], problem: Document, units: Mapping[str, str] | None = None
) -> float:
    """The labour hours of one allocation line: its `hours` in version 2; in version 1 its
    volume where the need is bought by the hour, else 0 (no hours to count)."""
    if counts_hours(problem):
        hours = allocation.get("hours")
        if hours is None:
            hours = allocation["volume"] * (allocation.get("hours_per_unit") or 1.0)
        return float(hours)
    units = need_units(problem) if units is None else units
    return float(allocation["volume"]) if units.get(allocation["need"], "hour") == "hour" else 0.0


def weight(allocation: Mapping[str, Any], problem: Document) -> float:
    """What an allocation line weighs in an average (impact, quality, training, wages): its
    labour hours in version 2, its volume in version 1 (as it was shown)."""
    if counts_hours(problem):
        return allocation_hours(allocation, problem)
    return float(allocation["volume"])


def labour_hours(result: Document, problem: Document) -> float | None:
    """The plan's labour hours (version 2, the result's total); None for version 1, which did
    not count them."""
    if not counts_hours(problem):
        return None
    totals = (result or {}).get("totals") or {}
    if totals.get("labour_hours") is not None:
        return float(totals["labour_hours"])
    return sum(allocation_hours(a, problem) for a in (result or {}).get("allocations", []))


def impact_worker_hours(result: Document, problem: Document) -> float:
    """Hours of the plan's work done by impact workers: Σ hours × the vendor's impact-worker
    share (vendors that disclosed no share count 0). Version 2: the result's own total."""
    totals = (result or {}).get("totals") or {}
    if counts_hours(problem) and totals.get("impact_worker_hours") is not None:
        return float(totals["impact_worker_hours"])
    shares, units = vendor_shares(problem), need_units(problem)
    return sum(
        allocation_hours(a, problem, units) * (shares.get(a["vendor"]) or 0.0)
        for a in (result or {}).get("allocations", [])
    )


def jobs(result: Document, problem: Document) -> float:
    """Full-time jobs for impact workers: impact-worker hours / hours per FTE-year (the
    setting frozen in a version 2 document, so the figure never moves with the app's; the
    result's `impact_worker_jobs` is the same quotient rounded to 6 decimals)."""
    return impact_worker_hours(result, problem) / hours_per_fte_year(problem)


def measure(problem: Document, objective: str | None = None) -> str:
    """The measure the buyer set: "hours" (impact-worker hours, shown as jobs) when the
    objective maximises them or a `min_impact_worker_hours` target is set, else "impact"
    (the average impact score)."""
    document = problem or {}
    objective = document.get("objective", objective)
    targets = document.get("targets") or {}
    if (
        objective == Objective.MAX_IMPACT_WORKER_HOURS
        or targets.get("min_impact_worker_hours") is not None
    ):
        return HOURS
    return IMPACT


def frontier_measure(problem: Document, chosen: str | None = None) -> str:
    """What the frontier sweeps: the measure the buyer chose for it (`chosen`) where the
    document can sweep it, else impact-worker hours where the buyer set them (`measure`),
    else average impact. Version 1 documents sweep average impact only."""
    if not counts_hours(problem):
        return IMPACT
    return chosen if chosen in FRONTIER_MEASURES else measure(problem)


def frontier_measure_refused(problem: Document, chosen: str) -> str | None:
    """Why the frontier of this problem document cannot sweep `chosen` (None: it can)."""
    if chosen == HOURS and not counts_hours(problem):
        return (
            "This scenario was solved before labour hours were counted (a version 1 problem "
            "document), so its frontier can sweep average impact only. Solve it again to trace "
            "it by impact-worker hours."
        )
    return None


def chosen_point(result: Document, problem: Document) -> dict[str, Any] | None:
    """This plan's place on the frontier chart: its cost (and, with price adjustments, the
    adjusted cost it was chosen on), average impact and impact-worker hours (None when it has
    no cost)."""
    totals = (result or {}).get("totals") or {}
    if totals.get("cost") is None:
        return None
    return {
        "avg_impact": totals.get("avg_impact"),
        "impact_worker_hours": impact_worker_hours(result, problem),
        "cost": totals["cost"],
        "adjusted_cost": totals.get("adjusted_cost"),
    }


def offer_lines(problem: Document) -> dict[str, Mapping[str, Any]]:
    """Version 2: the problem's offer lines by their id ("O12")."""
    return {o["id"]: o for o in (problem or {}).get("offers", []) if o.get("id") is not None}


def is_bid(offer: Mapping[str, Any]) -> bool:
    """Whether an offer line of the problem document (`offer_lines`) is a sourcing event's bid
    (`source` "bid") rather than a rate card's."""
    return offer.get("source") == "bid"


def price_source(
    allocation: Mapping[str, Any], offers: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The price an allocation line was bought at as the vendor stated it: original price,
    currency, the rate used (USD per unit of the currency) and its date, and where it was
    stated (`source`: "offer", a rate card's, or "bid", a sourcing event's, with `bid_id`);
    empty where the document does not say (version 1)."""
    offer = offers.get(allocation.get("offer") or "")
    if not offer or offer.get("currency") is None:
        return {}
    stated = (
        {"source": "bid", "bid_id": offer.get("bid_id")} if is_bid(offer) else {"source": "offer"}
    )
    return {
        "original_price": offer.get("original_price"),
        "currency": offer["currency"],
        "rate": offer.get("rate"),
        "rate_date": offer.get("rate_date"),
        **stated,
    }


def need_figures(result: Document, problem: Document) -> list[dict[str, Any]]:
    """Version 2: each need's own figures from the result (need id, unit, volume in that unit,
    labour hours, cost, hour-weighted averages, impact-worker hours); [] for version 1."""
    if not counts_hours(problem):
        return []
    units = need_units(problem)
    totals = (result or {}).get("totals") or {}
    return [{**row, "unit": units.get(row["need"], "hour")} for row in totals.get("needs") or []]


NEED_TARGETS = (
    ("min_avg_impact", "need_avg_impact", "Minimum average impact"),
    ("min_avg_quality", "need_avg_quality", "Minimum average quality"),
    ("min_quality", None, "Minimum offer quality"),
    ("max_vendor_share", "max_vendor_share", "Largest vendor share"),
    ("min_impact_spend_share", "need_impact_spend_share", "Minimum impact spend share"),
)
"""A need's own targets: (field of the need, kind of its rows in the result's constraints,
label). `min_quality` is an eligibility rule, not a row: offers below it get no variable, so it
never binds; the achieved value is the lowest quality of the work placed."""


VERSION_1_NEED_TARGETS = ("min_quality", "max_vendor_share")
"""The targets a version 1 document held per need (its impact and quality targets were the
portfolio's)."""


def _is_set(field: str, target: float | None) -> bool:
    """Whether a need's target applies: set, and for the quality floor above 0 and the vendor
    share below 1 (their defaults, which hold nothing)."""
    if target is None:
        return False
    if field == "min_quality":
        return target > 0
    if field == "max_vendor_share":
        return target < 1
    return True


def _quality(
    allocation: Mapping[str, Any],
    offers: Mapping[str, Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
) -> float | None:
    """The quality (0–1) an allocation line was bought at: its offer's own (version 2), else
    the vendor's."""
    quality = (offers.get(allocation.get("offer") or "") or {}).get("quality")
    return quality if quality is not None else vendors.get(allocation["vendor"], {}).get("quality")


def _impact_spend_share(
    allocations: list[Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
    problem: Mapping[str, Any],
) -> float | None:
    """The share (0–1) of the allocations' cost with impact vendors (impact score at least the
    document's `impact_vendor_min_score`); None without that score or without cost."""
    min_score = (problem.get("targets") or {}).get("impact_vendor_min_score")
    cost = sum(a["cost"] for a in allocations)
    if min_score is None or not cost:
        return None
    impact_cost = sum(
        a["cost"]
        for a in allocations
        if (vendors.get(a["vendor"], {}).get("impact_score") or 0.0) >= min_score
    )
    return impact_cost / cost


def _weighted_average(pairs: list[tuple[float, float | None]]) -> float | None:
    known = [(w, v) for w, v in pairs if v is not None]
    total = sum(w for w, _ in known)
    return sum(w * v for w, v in known) / total if total else None


def need_lines(result: Document, problem: Document) -> list[dict[str, Any]]:
    """Each need of the problem, in its order, with its figures and its own targets.

    Figures: need (id), title, unit, volume (in the need's unit), labour_hours, cost (USD),
    impact_worker_hours, jobs (impact-worker hours / `hours_per_fte_year`), avg_impact
    (0–100) and avg_quality (0–1). Version 2: the result's per-need figures (`need_figures`),
    averages weighted by labour hours. Version 1, as it was shown: averages weighted by volume,
    impact-worker hours from work bought by the hour only (`allocation_hours`), no labour hours.

    `targets`: the need's own targets that are set, each {field, label, target, achieved,
    binding}: binding from the result's constraints of the need (None for `min_quality`, which
    is no row); achieved is the need's average for the average targets, the largest vendor's
    share of the need's volume, the lowest quality of the offers that got volume, and the
    share of the need's cost with impact vendors (impact score at least the document's
    `impact_vendor_min_score`, as the optimizer counts them).
    """
    document, solved = problem or {}, result or {}
    in_hours = counts_hours(problem)
    own = {row["need"]: row for row in need_figures(result, problem)}
    vendors = {v["id"]: v for v in document.get("vendors", [])}
    offers = offer_lines(problem)
    units = need_units(problem)
    per_fte_year = hours_per_fte_year(problem)
    constraints = solved.get("constraints") or []
    lines = []
    for need in document.get("needs", []):
        placed = [a for a in solved.get("allocations", []) if a["need"] == need["id"]]
        qualities = [_quality(a, offers, vendors) for a in placed]
        if in_hours:
            row = own.get(need["id"], {})
            volume, hours, cost = row.get("volume"), row.get("labour_hours"), row.get("cost")
            worker_hours = row.get("impact_worker_hours")
            avg_impact, avg_quality = row.get("avg_impact"), row.get("avg_quality")
        else:
            volume = sum(a["volume"] for a in placed) if placed else None
            hours, cost = None, sum(a["cost"] for a in placed) if placed else None
            worker_hours = impact_worker_hours({"allocations": placed}, problem) if placed else None
            weights = [weight(a, problem) for a in placed]
            scores = [vendors.get(a["vendor"], {}).get("impact_score") for a in placed]
            avg_impact = _weighted_average(list(zip(weights, scores, strict=True)))
            avg_quality = _weighted_average(list(zip(weights, qualities, strict=True)))
        by_vendor: dict[str, float] = {}
        for allocation in placed:
            by_vendor[allocation["vendor"]] = by_vendor.get(allocation["vendor"], 0.0) + float(
                allocation["volume"]
            )
        achieved = {
            "min_avg_impact": avg_impact,
            "min_avg_quality": avg_quality,
            "min_quality": min((q for q in qualities if q is not None), default=None),
            "max_vendor_share": max(by_vendor.values()) / need["volume"]
            if by_vendor and need.get("volume")
            else None,
            "min_impact_spend_share": _impact_spend_share(placed, vendors, document),
        }
        targets = []
        for field, kind, label in NEED_TARGETS:
            target = need.get(field)
            if not _is_set(field, target) or not (in_hours or field in VERSION_1_NEED_TARGETS):
                continue
            rows = [c for c in constraints if c.get("kind") == kind and c.get("need") == need["id"]]
            targets.append(
                {
                    "field": field,
                    "label": label,
                    "target": target,
                    "achieved": achieved.get(field) if placed else None,
                    # a share bound is reported only where it binds: no row means slack
                    "binding": any(c.get("binding") for c in rows)
                    if kind is not None and placed
                    else None,
                }
            )
        lines.append(
            {
                "need": need["id"],
                "title": need.get("title") or need["id"],
                "unit": units.get(need["id"], "hour"),
                "volume": volume,
                "labour_hours": hours,
                "cost": cost,
                "impact_worker_hours": worker_hours,
                "jobs": None if worker_hours is None else worker_hours / per_fte_year,
                "avg_impact": avg_impact,
                "avg_quality": avg_quality,
                "targets": targets,
            }
        )
    return lines
