"""The version 2 problem a scenario builds from the database: units of work, labour hours,
monthly capacity, a need's own targets, and offers that cannot serve a need excluded with the
reason (issue 17)."""

from datetime import date

import pytest

from procure.extensions import db
from procure.vendors.models import Offer, VendorCapacityChange
from tests.conftest import NEED

ITEMS = {
    **NEED,
    "title": "Image tagging H1",
    "unit": "item",
    "volume": 50000,
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "budget_usd": 25000,
    "max_vendor_share": 1.0,  # only Alpha states its hours per item
}


@pytest.fixture
def mixed(client, world):
    """The world's hourly need plus an item need; Alpha also tags images per item (0.05 h an
    item, $0.40) and has 500 hours a month, 800 from April; Beta's item offer states no hours."""
    alpha, beta = world["alpha"], world["beta"]
    db.session.add_all(
        [
            Offer(
                vendor_id=alpha.id,
                service_category="data_annotation",
                unit="item",
                price=0.4,
                currency="USD",
                hours_per_unit=0.05,
                quality=0.95,
            ),
            Offer(  # as stored before hours per unit were asked for
                vendor_id=beta.id,
                service_category="data_annotation",
                unit="item",
                price=0.3,
                currency="USD",
                hours_per_unit=None,
                quality=0.95,
            ),
        ]
    )
    alpha.capacity_hours_per_month = 500
    db.session.add(
        VendorCapacityChange(vendor_id=alpha.id, from_month=date(2026, 4, 1), hours_per_month=800)
    )
    db.session.commit()
    items = client.post("/api/v1/needs", headers=world["headers"], json=ITEMS).json
    scenario = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Hours and items", "need_ids": [world["need"]["id"], items["id"]]},
    )
    assert scenario.status_code == 201, scenario.json
    problem = client.get(
        f"/api/v1/scenarios/{scenario.json['id']}/problem.json", headers=world["headers"]
    ).json
    return {**world, "items": items, "scenario": scenario.json, "problem": problem}


def test_offers_serve_a_need_only_in_its_unit_and_with_stated_hours(mixed):
    problem = mixed["problem"]
    hours_need, item_need = f"N{mixed['need']['id']}", f"N{mixed['items']['id']}"
    alpha, beta = f"V{mixed['alpha'].id}", f"V{mixed['beta'].id}"
    lines = {(o["need"], o["vendor"], o["unit"]): o for o in problem["offers"]}
    assert set(lines) == {
        (hours_need, alpha, "hour"),
        (hours_need, beta, "hour"),
        (item_need, alpha, "item"),
    }
    assert lines[item_need, alpha, "item"]["hours_per_unit"] == 0.05
    reasons = {(e["vendor"], e.get("need")): e["reason"] for e in problem["meta"]["excluded"]}
    assert reasons[alpha, hours_need] == f"priced per item; need {hours_need} is in hours"
    assert reasons[alpha, item_need] == f"priced per hour; need {item_need} is in items"
    assert "has not stated hours_per_unit" in reasons[beta, item_need]
    needs = {n["id"]: n for n in problem["needs"]}
    assert needs[item_need]["period"] == {"start": "2026-01", "months": 6}
    assert needs[hours_need]["period"] == {"start": "2026-01", "months": 12}


def test_capacity_is_the_vendors_hours_in_each_month_any_need_runs(mixed):
    alpha = f"V{mixed['alpha'].id}"
    capacity = {(c["vendor"], c["month"]): c["hours"] for c in mixed["problem"]["capacities"]}
    assert capacity == {
        **{(alpha, f"2026-{m:02d}"): 500.0 for m in (1, 2, 3)},
        **{(alpha, f"2026-{m:02d}"): 800.0 for m in range(4, 13)},
    }  # Beta states no capacity: unlimited, no rows


def test_a_mixed_unit_plan_adds_labour_hours(client, mixed):
    # Hours: Beta ($6) takes its 80 % share, 800 h, Alpha ($8) 200 h. Items: only Alpha can,
    # 50,000 × $0.40 = $20,000 and 50,000 × 0.05 = 2,500 h. Alpha's months Jan-Mar:
    # 200/12 + 2,500/6 = 433.3 h ≤ 500. Cost 800 × 6 + 200 × 8 + 20,000 = 26,400;
    # labour hours 1,000 + 2,500 = 3,500 (never 51,000 "units").
    scenario = client.get(
        f"/api/v1/scenarios/{mixed['scenario']['id']}", headers=mixed["headers"]
    ).json
    result = client.get(
        f"/api/v1/scenarios/{mixed['scenario']['id']}/result.json", headers=mixed["headers"]
    ).json
    assert scenario["status"] == "solved", result.get("explanation")
    totals = scenario["totals"]
    assert totals["cost"] == pytest.approx(26400)
    assert totals["labour_hours"] == pytest.approx(3500)
    problem = mixed["problem"]
    share = {v["id"]: v["impact_worker_share"] for v in problem["vendors"]}
    alpha, beta = f"V{mixed['alpha'].id}", f"V{mixed['beta'].id}"
    assert totals["impact_worker_hours"] == pytest.approx(
        (200 + 2500) * share[alpha] + 800 * share[beta]
    )
    assert totals["impact_worker_jobs"] == pytest.approx(totals["impact_worker_hours"] / 2080)
    assert "volume" not in totals


def _problem_of(client, world, name):
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": name, "need_ids": [world["need"]["id"]]},
    ).json
    path = f"/api/v1/scenarios/{created['id']}"
    return (
        client.get(f"{path}/problem.json", headers=world["headers"]).json,
        client.get(f"{path}/result.json", headers=world["headers"]).json,
    )


def test_a_needs_own_impact_target_is_a_row_of_that_need(client, world):
    # The need asks for an average impact of (Alpha + Beta) / 2: half its hours at Alpha.
    problem, _ = _problem_of(client, world, "Scores")
    middle = sum(v["impact_score"] for v in problem["vendors"]) / 2
    edited = client.patch(
        f"/api/v1/needs/{world['need']['id']}",
        headers=world["headers"],
        json={"min_avg_impact": middle, "version": world["need"]["version"]},
    )
    assert edited.status_code == 200, edited.json
    problem, result = _problem_of(client, world, "Own target")
    assert problem["needs"][0]["min_avg_impact"] == pytest.approx(middle)
    assert problem["targets"]["min_avg_impact"] is None  # not pooled across needs
    row = next(c for c in result["constraints"] if c["kind"] == "need_avg_impact")
    assert row["need"] == f"N{world['need']['id']}" and row["binding"]
    # half each: 500 × 8 + 500 × 6 = 7,000
    assert result["totals"]["cost"] == pytest.approx(7000, abs=1e-4)
