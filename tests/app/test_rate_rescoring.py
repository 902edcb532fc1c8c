"""A rate change re-scores (issue 17): when the operator adds, corrects or removes a rate, the
score snapshots that priced something in that currency are re-computed by the re-scoring job
(inline in tests, after the commit); approved scenarios keep the rates their documents froze."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import select

from procure.db import utcnow
from procure.extensions import db
from procure.jobs.models import Job
from procure.rates.models import ExchangeRate
from procure.scenarios.models import Scenario
from procure.scoring.models import ScoreSnapshot
from procure.scoring.snapshots import periods_priced_in
from procure.states import JobStatus, ScenarioStatus

EUR = {"currency": "EUR", "effective_date": "2026-01-01", "source": "ECB reference rate"}


@pytest.fixture
def operator_headers(make_user, bearer):
    return bearer(make_user("operator"))


def _cost_pillars(client, world) -> dict[str, float]:
    """Each vendor's cost pillar as /scores computes it now."""
    rows = client.get("/api/v1/scores?category=data_annotation", headers=world["headers"]).json
    return {row["vendor_name"]: row["cost"] for row in rows}


def _trend_point(client, world, vendor) -> dict:
    """The vendor's stored scores for 2025 (its score snapshot, as disclosed): read from the
    table, since the scorecard's trend is computed for its reader (issue #18)."""
    db.session.commit()  # a fresh read: the requests commit in their own sessions
    snapshot = db.session.scalars(
        select(ScoreSnapshot).where(
            ScoreSnapshot.vendor_id == vendor.id, ScoreSnapshot.period_end == date(2025, 12, 31)
        )
    ).one()
    return {
        "cost": snapshot.cost,
        "total": snapshot.total,
        "rank": snapshot.rank,
        "impact_score": snapshot.impact_score,
    }


def _snapshot_cost(client, world, vendor) -> float:
    """The vendor's stored cost pillar for 2025."""
    return _trend_point(client, world, vendor)["cost"]


def _refreshes() -> list[Job]:
    db.session.commit()  # a fresh snapshot: the requests commit in their own sessions
    return db.session.scalars(
        select(Job).where(Job.kind == "scores.refresh").order_by(Job.id)
    ).all()


def test_adding_correcting_and_removing_a_rate_re_scores_the_snapshots(
    client, world, make_scenario, operator_headers
):
    # Alpha sells at 8 EUR an hour: at the seeded 1.175 USD per EUR (2025-12-31) that is
    # $9.40, so Beta's $6 is the category's lowest. The snapshots were taken when the world's
    # disclosures were submitted, both vendors then at $8.
    alpha, beta = world["alpha"], world["beta"]
    alpha.offers[0].currency = "EUR"
    db.session.commit()
    assert periods_priced_in("EUR") == [date(2025, 12, 31)]
    # Beta 6 / 6 = 1, Alpha 6 / 9.40
    assert _cost_pillars(client, world) == {
        "Beta BPO": 1.0,
        "Alpha Annotation": pytest.approx(6 / 9.4),
    }

    sid = make_scenario("Approved before the rate")["id"]
    scenario = db.session.get(Scenario, sid)
    scenario.status, scenario.decided_at = ScenarioStatus.APPROVED, utcnow()
    db.session.commit()
    frozen = {
        what: client.get(f"/api/v1/scenarios/{sid}/{what}", headers=world["headers"]).json
        for what in ("problem.json", "result.json", "impact")
    }
    frozen_documents = copy.deepcopy((scenario.problem, scenario.result))
    before = len(_refreshes())

    # 0.5 USD per EUR from 2026-01-01: Alpha costs $4, the new lowest; Beta 4 / 6
    added = client.post(
        "/api/v1/exchange-rates", headers=operator_headers, json={**EUR, "usd_per_unit": 0.5}
    )
    assert added.status_code == 201, added.json
    jobs = _refreshes()[before:]
    assert [(job.params, job.status) for job in jobs] == [
        ({"period_end": "2025-12-31"}, JobStatus.SUCCEEDED)
    ]
    assert _snapshot_cost(client, world, beta) == pytest.approx(4 / 6)
    assert _snapshot_cost(client, world, alpha) == 1.0
    assert _cost_pillars(client, world) == {
        "Alpha Annotation": 1.0,
        "Beta BPO": pytest.approx(4 / 6),
    }

    # corrected to 0.6: Alpha $4.80, still the lowest; Beta 4.80 / 6 = 0.8
    corrected = client.patch(
        f"/api/v1/exchange-rates/{added.json['id']}",
        headers=operator_headers,
        json={"usd_per_unit": 0.6, "version": 1},
    )
    assert corrected.status_code == 200, corrected.json
    assert len(_refreshes()) == before + 2
    assert _snapshot_cost(client, world, beta) == pytest.approx(0.8)

    # removed: back to 1.175, Alpha 6 / 9.40 again
    removed = client.delete(f"/api/v1/exchange-rates/{added.json['id']}", headers=operator_headers)
    assert removed.status_code == 204
    assert len(_refreshes()) == before + 3
    assert _snapshot_cost(client, world, alpha) == pytest.approx(6 / 9.4)
    assert _snapshot_cost(client, world, beta) == 1.0

    # the approved scenario never moved: its documents froze the rate of its solve
    db.session.expire_all()
    scenario = db.session.get(Scenario, sid)
    assert (scenario.problem, scenario.result) == frozen_documents
    for what, answer in frozen.items():
        assert client.get(f"/api/v1/scenarios/{sid}/{what}", headers=world["headers"]).json == (
            answer
        )


def test_a_rate_of_a_currency_nothing_scored_uses_queues_no_re_scoring(
    client, world, operator_headers
):
    before = len(_refreshes())
    added = client.post(
        "/api/v1/exchange-rates",
        headers=operator_headers,
        json={**EUR, "currency": "CAD", "usd_per_unit": 0.73},
    )
    assert added.status_code == 201, added.json
    assert periods_priced_in("CAD") == [] and len(_refreshes()) == before


def test_a_training_spend_in_the_currency_re_scores_its_period(client, world, operator_headers):
    """Every offer is in US dollars, but the world's training spends are 1,500,000 KES
    (valid_document), converted at the rate of the period's last day: 1,500,000 × 0.00774 /
    110 FTE = $105.5 per FTE. Correcting that rate to 0.01548 doubles it to $211.1 per FTE
    (inside the metric's 0–500 goalposts), so 2025's stored impact scores rise."""
    alpha = world["alpha"]
    assert periods_priced_in("KES") == [date(2025, 12, 31)]
    impact_before = _trend_point(client, world, alpha)["impact_score"]
    kes = db.session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.currency == "KES", ExchangeRate.effective_date == date(2025, 12, 31)
        )
    ).one()
    assert kes.usd_per_unit == 0.00774
    before = len(_refreshes())
    corrected = client.patch(
        f"/api/v1/exchange-rates/{kes.id}",
        headers=operator_headers,
        json={"usd_per_unit": 0.01548, "version": kes.version},
    )
    assert corrected.status_code == 200, corrected.json
    assert [job.params for job in _refreshes()[before:]] == [{"period_end": "2025-12-31"}]
    assert _trend_point(client, world, alpha)["impact_score"] > impact_before


def test_an_offer_change_re_scores_its_categorys_periods(client, world, bearer):
    """An offer moves its category's lowest price, hence every cost pillar there: the stored
    snapshots (the scorecard's trend) must move with it, as /scores does. Before, only a
    disclosure or a rate re-scored, so the trend kept the old total after a price change."""
    beta = world["beta"]
    offer = client.get(f"/api/v1/offers/{beta.offers[0].id}", headers=world["headers"]).json
    before = len(_refreshes())
    changed = client.patch(
        f"/api/v1/offers/{beta.offers[0].id}",
        headers=bearer(beta.organization.users[0]),
        json={"price": 12, "version": offer["version"]},
    )
    assert changed.status_code == 200, changed.json
    refreshes = _refreshes()[before:]
    assert [job.params["period_end"] for job in refreshes] == ["2025-12-31"]
    assert {job.status for job in refreshes} == {JobStatus.SUCCEEDED}
    # Alpha's $8 is the lowest now: Beta 8 / 12, Alpha 1; stored as /scores computes them
    assert _cost_pillars(client, world) == {
        "Alpha Annotation": 1.0,
        "Beta BPO": pytest.approx(8 / 12),
    }
    scores = {
        row["vendor_id"]: row for row in client.get("/api/v1/scores", headers=world["headers"]).json
    }
    for vendor in (world["alpha"], beta):
        point = _trend_point(client, world, vendor)
        # the trend scores as disclosed (no review applied): the world's buyer reviewed nothing
        assert point["cost"] == pytest.approx(scores[vendor.id]["cost"], abs=1e-12)
        assert point["total"] == pytest.approx(scores[vendor.id]["total"], abs=1e-9)
        assert point["rank"] == scores[vendor.id]["rank"]
