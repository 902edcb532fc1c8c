"""A rate entered ahead of its day re-scores when that day comes (issue 17).

The operator enters on 1 March a EUR rate in force from 31 March. Entering it re-scores at once
(as any edit does), but prices nothing differently: the rate is not in force yet. When its day
comes, the daily round (`procure.scheduler.rescore_rates`, `procure rates rescore-due`) queues
the same re-scoring as an edit would, once, and catches up after missed days; approved scenarios
keep the rates their problem documents froze.

"Today" is moved by hand: the day scores price on (`pricing_day`, wherever it was imported) and
the clock the snapshots are stamped with. The world: Alpha sells at 8 (made EUR here), Beta at
6 USD an hour, in data annotation; both disclosed for the period ending 2025-12-31.
"""

from __future__ import annotations

import copy
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import procure.jobs.queue as queue
import procure.scoring.snapshots as snapshots
from procure.db import utcnow
from procure.disclosures import pricing
from procure.extensions import db
from procure.jobs.models import Job
from procure.jobs.runner import run_job
from procure.reference import forget_exchange_rates
from procure.scenarios.models import Scenario
from procure.scheduler import rescore_rates, run_daily_rounds
from procure.scoring.models import RankingDataVersion, ScoreSnapshot
from procure.scoring.snapshots import refresh_period
from procure.states import JobStatus, ScenarioStatus
from tests.conftest import run_cli

PERIOD = date(2025, 12, 31)
ENTERED = date(2027, 3, 1)  # the day the operator enters the rate
IN_FORCE = date(2027, 3, 31)  # the day it comes into force
# Alpha's 8 EUR an hour at the seeded 1.175 USD per EUR (from 2025-12-31): $9.40, above Beta's
# $6, the category's lowest; Beta's cost pillar 6 / 6 = 1, Alpha's 6 / 9.40 = 0.638298...
BEFORE = {"Alpha Annotation": 6 / 9.4, "Beta BPO": 1.0}
# at 0.5 USD per EUR: Alpha's $4.00 is the lowest; Alpha 4 / 4 = 1, Beta 4 / 6 = 0.666...
AFTER = {"Alpha Annotation": 1.0, "Beta BPO": 4 / 6}
FAKE_BROKER = "redis://broker.invalid:6379/0"


@pytest.fixture
def on_day(monkeypatch):
    """Move "today" to a day: `pricing_day` in every module that imported it, and the clock of
    the snapshots' `computed_at` (noon UTC of that day)."""
    real = pricing.pricing_day
    holders = [
        module
        for module in list(sys.modules.values())
        if module is not None and vars(module).get("pricing_day") is real
    ]
    assert pricing in holders and sys.modules["procure.scheduler"] in holders

    def move(day: date) -> None:
        for module in holders:
            monkeypatch.setattr(module, "pricing_day", lambda: day)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        monkeypatch.setattr(snapshots, "utcnow", lambda: noon)

    return move


@pytest.fixture
def future_rate(client, world, make_user, bearer, on_day):
    """Alpha's offer in EUR, its period scored on ENTERED; then the operator enters, on that
    day, 0.5 USD per EUR in force from IN_FORCE (through the API, which re-scores at once)."""
    world["alpha"].offers[0].currency = "EUR"
    db.session.commit()
    on_day(ENTERED)
    refresh_period(PERIOD)
    db.session.commit()
    assert _snapshot_costs(world) == pytest.approx(BEFORE)
    added = client.post(
        "/api/v1/exchange-rates",
        headers=bearer(make_user("operator")),
        json={
            "currency": "EUR",
            "effective_date": IN_FORCE.isoformat(),
            "usd_per_unit": 0.5,
            "source": "ECB reference rate",
        },
    )
    assert added.status_code == 201, added.json
    # the request forgot the rates its context had read; this test's own context (a round runs
    # in a fresh one) must forget the table it read before the rate was entered
    forget_exchange_rates()
    return added.json


def _snapshot_costs(world) -> dict[str, float]:
    """Each world vendor's stored cost pillar for the period (its score snapshot)."""
    db.session.commit()  # a fresh read: the requests and jobs commit in their own sessions
    costs = {}
    for vendor in (world["alpha"], world["beta"]):
        costs[vendor.name] = db.session.scalars(
            select(ScoreSnapshot.cost).where(
                ScoreSnapshot.vendor_id == vendor.id, ScoreSnapshot.period_end == PERIOD
            )
        ).one()
    return costs


def _ranking_costs(client, world) -> dict[str, float]:
    """Each vendor's cost pillar in the buyer's stored ranking (/scores)."""
    rows = client.get("/api/v1/scores?category=data_annotation", headers=world["headers"]).json
    return {row["vendor_name"]: row["cost"] for row in rows}


def _scored_offer(client, world) -> dict:
    """The offer Alpha's scorecard (the buyer's, stored with the ranking) says it is scored on."""
    card = client.get(
        f"/api/v1/vendors/{world['alpha'].id}/scorecard?category=data_annotation",
        headers=world["headers"],
    )
    assert card.status_code == 200, card.json
    return card.json["offer"]


def _refreshes() -> list[Job]:
    db.session.commit()
    return db.session.scalars(
        select(Job).where(Job.kind == "scores.refresh").order_by(Job.id)
    ).all()


def _global_version() -> int:
    db.session.commit()
    return db.session.scalars(
        select(RankingDataVersion.version).where(RankingDataVersion.scope == 0)
    ).one()


def test_a_rate_re_scores_when_its_day_comes_once_and_approved_scenarios_stay(
    client, world, make_scenario, future_rate, on_day
):
    # entered on 1 March: the entry re-scored (one job), at the rate still in force, 1.175
    assert [(job.params, job.status) for job in _refreshes()][-1] == (
        {"period_end": "2025-12-31"},
        JobStatus.SUCCEEDED,
    )
    assert _snapshot_costs(world) == pytest.approx(BEFORE)
    assert _ranking_costs(client, world) == pytest.approx(BEFORE)
    offer = _scored_offer(client, world)
    # 8 EUR × 1.175 = $9.40, the rate of 2025-12-31
    assert (offer["rate"], offer["rate_date"], offer["usd"]) == (1.175, "2025-12-31", 9.4)

    sid = make_scenario("Approved before the rate")["id"]
    scenario = db.session.get(Scenario, sid)
    scenario.status, scenario.decided_at = ScenarioStatus.APPROVED, utcnow()
    db.session.commit()
    frozen = {
        what: client.get(f"/api/v1/scenarios/{sid}/{what}", headers=world["headers"]).json
        for what in ("problem.json", "result.json", "impact")
    }
    frozen_documents = copy.deepcopy((scenario.problem, scenario.result))
    # the problem document froze Alpha's offer at 8 EUR × 1.175 = $9.40 an hour
    eur = [o for o in frozen["problem.json"]["offers"] if o["currency"] == "EUR"]
    assert [(o["rate"], o["price"]) for o in eur] == [(1.175, pytest.approx(9.4))]

    # the days before its day: nothing is due
    jobs, version = len(_refreshes()), _global_version()
    for day in (ENTERED, IN_FORCE - timedelta(days=1)):
        on_day(day)
        assert rescore_rates(day) == []
    assert len(_refreshes()) == jobs and _global_version() == version
    assert _snapshot_costs(world) == pytest.approx(BEFORE)

    # its day: the snapshots still hold the old price until the round re-scores them
    on_day(IN_FORCE)
    assert _snapshot_costs(world) == pytest.approx(BEFORE)
    assert rescore_rates(IN_FORCE) == [PERIOD]
    refreshes = _refreshes()[jobs:]
    assert [(job.params, job.status, job.created_by_id) for job in refreshes] == [
        ({"period_end": "2025-12-31"}, JobStatus.SUCCEEDED, None)
    ]
    assert _global_version() == version + 1  # the rankings are outdated, as by an edit
    assert _snapshot_costs(world) == pytest.approx(AFTER)
    assert _ranking_costs(client, world) == pytest.approx(AFTER)
    offer = _scored_offer(client, world)
    # 8 EUR × 0.5 = $4.00, the rate of 2027-03-31, now the category's lowest
    assert (offer["rate"], offer["rate_date"], offer["usd"], offer["lowest_usd"]) == (
        0.5,
        "2027-03-31",
        4.0,
        4.0,
    )

    # a second round the same day, and the next day: nothing again
    for day in (IN_FORCE, IN_FORCE + timedelta(days=1)):
        on_day(day)
        assert rescore_rates(day) == []
    assert len(_refreshes()) == jobs + 1 and _global_version() == version + 1
    assert _snapshot_costs(world) == pytest.approx(AFTER)

    # the approved scenario never moved: its documents froze the rate of its solve
    db.session.expire_all()
    scenario = db.session.get(Scenario, sid)
    assert (scenario.problem, scenario.result) == frozen_documents
    for what, answer in frozen.items():
        assert client.get(f"/api/v1/scenarios/{sid}/{what}", headers=world["headers"]).json == (
            answer
        )


def test_a_missed_week_is_caught_up_by_the_next_daily_rounds(world, future_rate, on_day):
    """The scheduler was down from the 30th of March to the 7th of April: its first daily
    rounds re-score the period, once."""
    jobs = len(_refreshes())
    week_late = IN_FORCE + timedelta(days=7)
    on_day(week_late)
    assert _snapshot_costs(world) == pytest.approx(BEFORE)
    assert run_daily_rounds(week_late).rescored == 1
    assert _snapshot_costs(world) == pytest.approx(AFTER)
    assert run_daily_rounds(week_late).rescored == 0
    assert len(_refreshes()) == jobs + 1


def test_a_refresh_waiting_for_a_worker_is_not_queued_again(
    app, world, future_rate, on_day, monkeypatch
):
    """With a broker and a slow worker, the round's refresh is still queued at the next round:
    that one leaves it (it prices on the day it runs), and once it ran nothing is due."""
    monkeypatch.setattr(queue, "send_job", lambda _app, _job_id, *_args: None)
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    monkeypatch.setitem(app.config, "BROKER_URL", FAKE_BROKER)
    jobs = len(_refreshes())
    on_day(IN_FORCE)
    assert rescore_rates() == [PERIOD]  # the day defaults to the day scores price on
    assert rescore_rates() == []
    queued = _refreshes()[jobs:]
    assert [job.status for job in queued] == [JobStatus.QUEUED]
    assert _snapshot_costs(world) == pytest.approx(BEFORE)
    run_job(queued[0].id)  # the worker, at last
    assert _snapshot_costs(world) == pytest.approx(AFTER)
    assert rescore_rates() == [] and len(_refreshes()) == jobs + 1


def test_the_cli_re_scores_the_due_periods_once(world, future_rate, on_day, tmp_path, monkeypatch):
    on_day(IN_FORCE)
    early = run_cli(["rates", "rescore-due", "--today", "2027-03-30"], tmp_path, monkeypatch)
    assert early.exit_code == 0 and early.output == "Re-scoring 0 period(s).\n", early.output
    first = run_cli(["rates", "rescore-due"], tmp_path, monkeypatch)
    assert first.exit_code == 0, first.output
    assert first.output == "Re-scoring 1 period(s).\n  the period ending 2025-12-31\n"
    assert _snapshot_costs(world) == pytest.approx(AFTER)
    second = run_cli(["rates", "rescore-due"], tmp_path, monkeypatch)
    assert second.output == "Re-scoring 0 period(s).\n"
    wrong = run_cli(["rates", "rescore-due", "--today", "31/03/2027"], tmp_path, monkeypatch)
    assert wrong.exit_code == 2 and "today" in wrong.output


def test_a_rate_of_a_currency_nothing_priced_in_re_scores_nothing_on_its_day(
    client, world, make_user, bearer, on_day
):
    """Every world offer is in US dollars and its training spends in KES: a CAD rate coming
    into force moves no snapshot, so its day queues nothing and outdates no ranking."""
    on_day(ENTERED)
    refresh_period(PERIOD)
    db.session.commit()
    added = client.post(
        "/api/v1/exchange-rates",
        headers=bearer(make_user("operator")),
        json={
            "currency": "CAD",
            "effective_date": IN_FORCE.isoformat(),
            "usd_per_unit": 0.73,
            "source": "Bank of Canada",
        },
    )
    assert added.status_code == 201, added.json
    forget_exchange_rates()
    jobs, version = len(_refreshes()), _global_version()
    on_day(IN_FORCE)
    assert rescore_rates() == []
    assert len(_refreshes()) == jobs and _global_version() == version
