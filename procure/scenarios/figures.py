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
DEFAULT_HOURS_PER_FTE_YEAR = 2080.0
"""What the optimizer assumes when a version 2 document states no setting."""


Document = Mapping[str, Any] | None


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


def frontier_measure(problem: Document) -> str:
    """What the frontier sweeps: impact-worker hours where the buyer set them (`measure`),
    else average impact. Version 1 documents sweep average impact only."""
    return measure(problem) if counts_hours(problem) else IMPACT


def chosen_point(result: Document, problem: Document) -> dict[str, Any] | None:
    """This plan's place on the frontier chart: its cost, average impact and impact-worker
    hours (None when it has no cost)."""
    totals = (result or {}).get("totals") or {}
    if totals.get("cost") is None:
        return None
    return {
        "avg_impact": totals.get("avg_impact"),
        "impact_worker_hours": impact_worker_hours(result, problem),
        "cost": totals["cost"],
    }


def offer_lines(problem: Document) -> dict[str, Mapping[str, Any]]:
    """Version 2: the problem's offer lines by their id ("O12")."""
    return {o["id"]: o for o in (problem or {}).get("offers", []) if o.get("id") is not None}


def price_source(
    allocation: Mapping[str, Any], offers: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The price an allocation line was bought at as the vendor stated it: original price,
    currency, the rate used (USD per unit of the currency) and its date; empty where the
    document does not say (version 1)."""
    offer = offers.get(allocation.get("offer") or "")
    if not offer or offer.get("currency") is None:
        return {}
    return {
        "original_price": offer.get("original_price"),
        "currency": offer["currency"],
        "rate": offer.get("rate"),
        "rate_date": offer.get("rate_date"),
    }


def need_figures(result: Document, problem: Document) -> list[dict[str, Any]]:
    """Version 2: each need's own figures from the result (need id, unit, volume in that unit,
    labour hours, cost, hour-weighted averages, impact-worker hours); [] for version 1."""
    if not counts_hours(problem):
        return []
    units = need_units(problem)
    totals = (result or {}).get("totals") or {}
    return [{**row, "unit": units.get(row["need"], "hour")} for row in totals.get("needs") or []]
