"""Delivery reliability as a field of custom metrics (issue 20): delivered / allocated work of a
vendor over the buyer organization's approved plans to date (procure.deliveries.reliability),
computed by hand; a vendor with nothing measured has no value and the scorecard says why in
words; the stored ranking is a fresh one after a delivery is recorded; another organization's
deliveries move nothing of another's scores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from procure.deliveries.models import Delivery
from procure.deliveries.reliability import reliability_from_actuals
from procure.extensions import db
from procure.scoring import adapter, services
from procure.scoring.models import CustomMetric
from procure.scoring.services import default_profile
from scoring.contract import DELIVERY_RELIABILITY_COLUMN, FORMULA_FIELDS, NO_DELIVERIES
from tests.app.test_deliveries import _row, plan  # noqa: F401  (the approved plan fixture)
from tests.app.test_rankings import _assert_stored_is_fresh, _ranking_ids, _served
from tests.conftest import metric_body

RELIABILITY = metric_body(
    "reliability",
    label="Delivery reliability (ours)",
    formula="delivery_reliability",
    unit="ratio",
    goalposts=[0, 1],
    section="workforce",
)


def _weighted_profile(client, headers) -> int:
    """A profile that gives the reliability metric the weight of the training metric."""
    settings = default_profile().to_dict()
    weights = settings["metric_weights"]
    weights[RELIABILITY["key"]] = weights.pop("training_hours_per_impact_worker")
    created = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Reliable vendors", "settings": settings},
    )
    assert created.status_code == 201, created.json
    return created.json["id"]


def _line(client, headers, vendor, profile_id: int) -> dict:
    card = client.get(
        f"/api/v1/vendors/{vendor.id}/scorecard?profile={profile_id}", headers=headers
    )
    assert card.status_code == 200, card.json
    return next(line for line in card.json["explanation"] if line["metric"] == "reliability")


def _record(client, plan, rows) -> None:  # noqa: F811  (the fixture's name)
    for row in rows:
        recorded = client.post(plan["url"], headers=plan["headers"], json=row)
        assert recorded.status_code in (200, 201), recorded.json


def test_reliability_by_hand_then_the_stored_ranking_follows_deliveries(client, plan):  # noqa: F811
    """The plan (tests.app.test_deliveries): the hourly need, 1,000 h over the 12 months of 2026
    (Beta 800 h, Alpha 200 h), and Alpha's 12,000 items over January to June at 0.05 h an item
    (600 h, 100 h a month)."""
    headers, alpha, beta = plan["headers"], plan["alpha"], plan["beta"]
    hours, items = plan["need"], plan["items"]
    assert client.post("/api/v1/metrics", headers=headers, json=RELIABILITY).status_code == 201
    profile_id = _weighted_profile(client, headers)
    readers = [(headers, plan["buyer"].organization_id, profile_id)]

    # nothing delivered yet: no value, and the reason in words
    for vendor in (alpha, beta):
        line = _line(client, headers, vendor, profile_id)
        assert line["raw_value"] is None and line["missing_reason"] == NO_DELIVERIES
        assert line["points"] == 0
    page = client.get(f"/vendors/{alpha.id}/scorecard?profile={profile_id}", headers=headers)
    assert page.status_code == 200
    assert "no deliveries yet" in page.text and NO_DELIVERIES in page.text
    _assert_stored_is_fresh(client, readers)
    before = {r["vendor_id"]: r["total"] for r in _served(client, headers, profile_id).json}

    # Beta, January to March on the hourly need: 60 + 70 + 50 = 180 h delivered of
    # 800 × 3/12 = 200 h allocated to date -> 0.9. The window runs to March for the whole plan,
    # so Alpha, with nothing delivered, has 200 × 3/12 + 600 × 3/6 = 50 + 300 = 350 h allocated
    # and 0 delivered -> 0.0 (measured, not missing).
    _record(
        client,
        plan,
        [_row(beta, hours, f"2026-0{m}", v, v * 6) for m, v in ((1, 60), (2, 70), (3, 50))],
    )
    assert _line(client, headers, beta, profile_id)["raw_value"] == pytest.approx(180 / 200)
    alpha_line = _line(client, headers, alpha, profile_id)
    assert alpha_line["raw_value"] == 0.0 and alpha_line["missing_reason"] is None
    _assert_stored_is_fresh(client, readers)
    after = {r["vendor_id"]: r["total"] for r in _served(client, headers, profile_id).json}
    assert after[beta.id] > before[beta.id]  # 0.9 of the metric's points, where it had none

    # Alpha: 20 h on the hourly need in January, and 2,000 + 1,800 + 2,200 = 6,000 items,
    # × 0.05 h = 300 h -> (20 + 300) / 350 = 0.914286
    _record(
        client,
        plan,
        [
            _row(alpha, hours, "2026-01", 20, 160),
            *(
                _row(alpha, items, f"2026-0{m}", v, v * 0.4)
                for m, v in ((1, 2000), (2, 1800), (3, 2200))
            ),
        ],
    )
    assert _line(client, headers, alpha, profile_id)["raw_value"] == pytest.approx(320 / 350)
    _assert_stored_is_fresh(client, readers)

    # a correction moves it too: Beta's March 50 h becomes 30 -> 160 / 200 = 0.8
    _record(client, plan, [_row(beta, hours, "2026-03", 30, 180)])
    assert _line(client, headers, beta, profile_id)["raw_value"] == pytest.approx(0.8)
    _assert_stored_is_fresh(client, readers)


def test_another_organizations_deliveries_move_nothing_of_its_scores(
    client,
    plan,  # noqa: F811
    make_user,
    bearer,
):
    """Organization Y scores with the same metric: X's deliveries give Y no reliability and
    leave Y's stored ranking current (not recomputed); Y cannot record one on X's plan."""
    y = make_user("buyer")
    y_headers = bearer(y)
    for headers in (y_headers, plan["headers"]):
        assert client.post("/api/v1/metrics", headers=headers, json=RELIABILITY).status_code == 201
    y_profile, x_profile = (
        _weighted_profile(client, y_headers),
        _weighted_profile(client, plan["headers"]),
    )
    assert _served(client, y_headers, y_profile).headers["X-Ranking-Stale"] == "false"
    y_rankings = _ranking_ids(y.organization_id)

    beta_january = _row(plan["beta"], plan["need"], "2026-01", 70, 420)
    refused = client.post(plan["url"], headers=y_headers, json=beta_january)
    assert refused.status_code == 404
    assert db.session.scalar(select(func.count(Delivery.id))) == 0
    _record(client, plan, [beta_january])

    line = _line(client, y_headers, plan["beta"], y_profile)
    assert line["raw_value"] is None and line["missing_reason"] == NO_DELIVERIES
    assert _served(client, y_headers, y_profile).headers["X-Ranking-Stale"] == "false"
    assert _ranking_ids(y.organization_id) == y_rankings
    # X's own: 70 h of 800 × 1/12 = 66.667 h allocated to date -> 1.05 (more than allocated)
    x_line = _line(client, plan["headers"], plan["beta"], x_profile)
    assert x_line["raw_value"] == pytest.approx(70 / (800 / 12))


def test_reliability_adds_hours_over_plans_by_hand():
    """The worked example of procure.deliveries.reliability: plan A, 270 of 300 h to date; plan
    B, 120 of 100 h -> (270 + 120) / (300 + 100) = 0.975. Beta, in plan A only, with 0 h
    allocated to date (its months start later) has no value."""

    def plan_of(*vendors):
        return {
            "vendors": [
                {"vendor_id": v, "to_date": {"delivered_hours": d, "allocated_hours": a}}
                for v, d, a in vendors
            ]
        }

    assert reliability_from_actuals(
        [plan_of((1, 270.0, 300.0), (2, 0.0, 0.0)), plan_of((1, 120.0, 100.0))]
    ) == {1: pytest.approx(0.975)}


def test_the_field_is_a_formula_name_and_a_typo_is_refused(client, world):
    assert "delivery_reliability" in FORMULA_FIELDS
    typo = client.post(
        "/api/v1/metrics",
        headers=world["headers"],
        json={**RELIABILITY, "formula": "delivery_reliabilty"},
    )
    assert typo.status_code == 422 and "formula" in typo.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(CustomMetric)) == 0


def test_the_reliability_is_read_only_when_a_metric_of_the_catalog_reads_it(
    client, world, monkeypatch
):
    """Its queries are work on every live ranking (a vendor's own card ranks once per buyer that
    reviewed it, under the built-in catalog): a catalog that does not read it reads nothing."""
    calls = []
    alpha_id, beta_id = world["alpha"].id, world["beta"].id

    def counting(organization_id, vendor_ids):
        calls.append((organization_id, sorted(vendor_ids)))
        return {alpha_id: 0.5}

    monkeypatch.setitem(adapter._buyer_figure_readers, DELIVERY_RELIABILITY_COLUMN, counting)
    organization_id = world["buyer"].organization_id
    services.rank_vendors(default_profile(), organization_id=organization_id, with_stability=False)
    assert calls == []  # the built-in catalog reads no buyer figure

    created = client.post("/api/v1/metrics", headers=world["headers"], json=RELIABILITY)
    assert created.status_code == 201, created.json
    ranking = services.rank_vendors(
        default_profile(),
        organization_id=organization_id,
        with_stability=False,
        metrics=services.catalog_for(organization_id),
    )
    assert calls == [(organization_id, sorted([alpha_id, beta_id]))]  # once, for both vendors
    table = ranking.inputs.table
    reliability = table.set_index(table["vendor_id"].astype(str))[DELIVERY_RELIABILITY_COLUMN]
    assert reliability[str(alpha_id)] == 0.5
    assert reliability[str(beta_id)] != reliability[str(beta_id)]  # NaN: nothing measured


def test_a_measured_metric_names_a_value_for_the_unmeasured_and_is_never_discounted(
    client,
    plan,  # noqa: F811
):
    """`if_missing(delivery_reliability, 0.9)` in the section "measured": a vendor with no
    deliveries yet scores 0.9 (normalised 0.9 on [0, 1]) at the evidence factor 1, where the
    vendor's own workforce figures are discounted by its workforce evidence."""
    headers, alpha = plan["headers"], plan["alpha"]
    measured = {
        **RELIABILITY,
        "formula": "if_missing(delivery_reliability, 0.9)",
        "section": "measured",
    }
    assert client.post("/api/v1/metrics", headers=headers, json=measured).status_code == 201
    profile_id = _weighted_profile(client, headers)
    line = _line(client, headers, alpha, profile_id)
    assert line["raw_value"] == pytest.approx(0.9) and line["missing_reason"] is None
    assert line["normalised"] == pytest.approx(0.9) and line["evidence_factor"] == 1.0
    assert line["evidence_level"] == "measured_by_the_buyer" and line["points"] > 0
    workforce = _line_of(client, headers, alpha, profile_id, "impact_worker_share")
    assert workforce["evidence_factor"] < 1.0  # the vendor's own figures are discounted

    bad = client.post(
        "/api/v1/metrics", headers=headers, json={**measured, "key": "x", "section": "ours"}
    )
    assert bad.status_code == 422 and "section" in str(bad.json), bad.json


def _line_of(client, headers, vendor, profile_id: int, metric: str) -> dict:
    card = client.get(
        f"/api/v1/vendors/{vendor.id}/scorecard?profile={profile_id}", headers=headers
    ).json
    return next(line for line in card["explanation"] if line["metric"] == metric)
