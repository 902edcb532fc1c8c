"""Delivery reliability, a figure a buyer organization's custom metrics can score with
(`delivery_reliability` in a formula, scoring.contract): per vendor, the labour hours it
delivered / the labour hours the organization's approved plans allocated it to date, over all
those plans.

"To date" is each plan's own window, as its projected-against-actual figures have it
(procure.deliveries.actuals): its months up to the latest month with any delivery of that plan;
a month of the window without a delivery row of the vendor counts as nothing delivered. A plan
without any delivery yet adds nothing, to either side. Hours, not volumes, are added up: a
vendor may hold needs in different units (items, tasks, hours); for one need the two ratios are
the same (hours = volume × the line's hours per unit), and over a vendor's needs of one plan
this is the `delivery_reliability` the scenario page shows for the vendor.

Worked example. Plan A allocates Alpha 1,200 hours over January to December (100 a month) and
records deliveries through March: 90 + 100 + 80 = 270 hours delivered of 300 allocated to date.
Plan B allocates Alpha 600 hours over January to June (100 a month) with deliveries through
January: 120 hours of 100. Alpha's reliability = (270 + 120) / (300 + 100) = 390 / 400 = 0.975.

No value (absent, not 0) for a vendor that no approved plan with a delivery holds: nothing has
been measured. A metric reading it then has no value for that vendor; the scorecard says why in
words (scoring.contract.NO_DELIVERIES) and, as for every figure that is missing, the metric
scores 0 there (scoring never imputes a missing value).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import select

from procure.deliveries.actuals import actuals_of_many
from procure.deliveries.models import Delivery
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.states import ScenarioStatus


def reliability_from_actuals(actuals: Iterable[Mapping[str, Any]]) -> dict[int, float]:
    """Per vendor: Σ delivered hours / Σ allocated hours to date over the plans' actuals (each
    as `actuals_of` returns it); vendors with no allocated hours to date are left out."""
    delivered: dict[int, float] = {}
    allocated: dict[int, float] = {}
    for plan in actuals:
        for vendor in plan["vendors"]:
            to_date = vendor["to_date"]
            vendor_id = vendor["vendor_id"]
            delivered[vendor_id] = delivered.get(vendor_id, 0.0) + to_date["delivered_hours"]
            allocated[vendor_id] = allocated.get(vendor_id, 0.0) + to_date["allocated_hours"]
    return {
        vendor_id: delivered[vendor_id] / hours for vendor_id, hours in allocated.items() if hours
    }


def delivery_reliability(organization_id: int, vendor_ids: Collection[int]) -> dict[int, float]:
    """The reliability of these vendors over the organization's approved plans, by vendor id
    (absent where nothing is measured yet). Reads only the plans with a delivery, and those
    with their deliveries in a fixed number of queries (`actuals_of_many`)."""
    if not vendor_ids:
        return {}
    scenarios = db.session.scalars(
        select(Scenario)
        .where(
            Scenario.organization_id == organization_id,
            Scenario.status == ScenarioStatus.APPROVED,
            Scenario.id.in_(
                select(Delivery.scenario_id).where(Delivery.organization_id == organization_id)
            ),
        )
        .order_by(Scenario.id)
    ).all()
    wanted = set(vendor_ids)
    return {
        vendor_id: value
        for vendor_id, value in reliability_from_actuals(
            actuals_of_many(list(scenarios)).values()
        ).items()
        if vendor_id in wanted
    }
