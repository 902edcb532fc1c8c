"""Concurrency: parallel requests on the same records, as a server with several workers sees them.

Every racer is its own client on its own thread, and each request runs in its own contexts with
its own database session (tests.conftest.IsolatedClient), as under gunicorn. `race` lines the
requests up on a threading.Barrier and sends them at once. Sent like that they rarely interleave
at the dangerous point, so most races are also run HELD: every request stops just before its
first write of the contested record (a `before_flush` listener waits on a second barrier) until
all of them have read it, so they all read the same version before any of them writes. A racer
that finishes without writing (refused on what it read) releases the others when it ends.

Each test runs rounds of races and checks every round (exactly one winner; the losers answered
409 in the one error shape naming the field; the stored record is the winner's input; one audit
event), then fails with how many of its races misbehaved. The counts are recorded as junit
properties (`--junitxml`): races, requests, misbehaved.

Runs on SQLite (writers wait for each other with the busy timeout) and on PostgreSQL (row locks;
CI sets PROCURE_TEST_DATABASE_URL).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.jobs.kinds import KINDS
from procure.jobs.models import Job
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.scoring.models import ScoreSnapshot, ScoringProfile
from procure.scoring.services import default_profile
from procure.vendors.models import Offer, Vendor
from tests.app.counting_job import SEEN
from tests.conftest import NEED, PDF, csrf_token_from, disclosure_form_fields, valid_document

RACE_TIMEOUT = 60.0  # seconds a racer may wait for the others before the race counts as broken
ERROR_SHAPE = {"code", "status", "message", "errors"}


# --------------------------------------------------------- the harness


def race(calls: list[Callable[[], Any]], hold: tuple[type, ...] = ()) -> list[Any]:
    """Run each call on its own thread, all released at once; return their results in order.

    With `hold` (model classes), each racer also waits just before its first flush that writes
    a record of those classes, until every racer has reached that point or finished: all of
    them have read the record before any of them writes it.
    """
    start = threading.Barrier(len(calls), timeout=RACE_TIMEOUT)
    written = threading.Barrier(len(calls), timeout=RACE_TIMEOUT)
    mine = threading.local()
    results: list[Any] = [None] * len(calls)

    def wait_to_write() -> None:
        if getattr(mine, "racing", False) and not mine.held:
            mine.held = True
            written.wait()

    def before_flush(session, _context, _instances) -> None:
        if any(isinstance(record, hold) for record in (*session.new, *session.dirty)):
            wait_to_write()

    def run(index: int, call: Callable[[], Any]) -> None:
        mine.racing, mine.held = bool(hold), False
        try:
            start.wait()
            results[index] = call()
        except Exception as failure:  # raised through the test client: a 500 under a server
            results[index] = Crash(failure)
        finally:
            if hold and not mine.held:  # refused without writing: let the others go on
                wait_to_write()

    if hold:
        event.listen(Session, "before_flush", before_flush)
    try:
        threads = [
            threading.Thread(target=run, args=(i, call), name=f"racer-{i}")
            for i, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(RACE_TIMEOUT * 3)
    finally:
        if hold:
            event.remove(Session, "before_flush", before_flush)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    db.session.expire_all()  # the test's own session reads what the racers wrote
    return results


class Crash:
    """A request whose exception escaped every handler (a server answers it with a 500)."""

    status_code = 500

    def __init__(self, failure: Exception):
        self.text = f"{type(failure).__name__}: {failure}"


@dataclass
class Tally:
    """The races of one test and the ones that misbehaved, with what went wrong."""

    case: str
    races: int = 0
    requests: int = 0
    faults: list[str] = field(default_factory=list)

    def add(self, label: str, requests: int, problems: list[str]) -> None:
        self.races += 1
        self.requests += requests
        if problems:
            self.faults.append(f"{label}: {'; '.join(problems)}")

    def assert_clean(self, record_property) -> None:
        record_property("races", self.races)
        record_property("requests", self.requests)
        record_property("misbehaved", len(self.faults))
        assert not self.faults, (
            f"{self.case}: {len(self.faults)} of {self.races} races misbehaved "
            f"({self.requests} requests):\n" + "\n".join(self.faults)
        )


MODES = (("held", True), ("sent at once", False), ("sent at once", False))


def one_winner(
    responses, *, won: int = 200, lost: int = 409, field_name: str | None = "version"
) -> tuple[int | None, list[str]]:
    """The index of the one racer answered `won`, and what is wrong with the answers: more or fewer
    winners, a loser answered other than `lost`, or outside the error shape (naming
    `field_name`)."""
    problems = []
    statuses = [r.status_code for r in responses]
    winners = [i for i, status in enumerate(statuses) if status == won]
    if len(winners) != 1:
        problems.append(f"{len(winners)} racers answered {won} (statuses {statuses})")
    for index, response in enumerate(responses):
        if index in winners:
            continue
        if response.status_code != lost:
            problems.append(f"racer {index} answered {response.status_code}: {response.text[:300]}")
        elif not ERROR_SHAPE - {"errors"} <= set(response.json) <= ERROR_SHAPE or (
            field_name and field_name not in response.json.get("errors", {})
        ):
            problems.append(
                f"racer {index}'s {lost} is not the error shape naming {field_name!r}: "
                f"{response.json}"
            )
    return (winners[0] if len(winners) == 1 else None), problems


def events(action: str, target_id: int | None = None) -> int:
    statement = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if target_id is not None:
        statement = statement.where(AuditEvent.target_id == str(target_id))
    return db.session.scalar(statement)


def clients(app, count: int):
    return [app.test_client() for _ in range(count)]


# --------------------------------------------------------- the same record edited in parallel


def edit_rounds(
    app,
    tally: Tally,
    *,
    url: str,
    headers,
    hold: type,
    payloads: Callable[[int, int], dict],
    stored: Callable[[], Any],
    expected: Callable[[dict], Any],
    action: str,
    record_id: int,
    version_field: str = "version",
    racers: int = 3,
) -> None:
    """Rounds of `racers` parallel edits of one record, all sent with the version just read.

    `payloads(round, racer)` is a racer's change (without the version); `stored()` reads the
    record back and `expected(payload)` says what it must then hold.
    """
    for round_number, (mode, held) in enumerate(MODES):
        version = app.test_client().get(url, headers=headers).json[version_field]
        bodies = [{**payloads(round_number, i), version_field: version} for i in range(racers)]
        before = events(action, record_id)
        responses = race(
            [
                lambda c=c, b=b: c.patch(url, headers=headers, json=b)
                for c, b in zip(clients(app, racers), bodies, strict=True)
            ],
            hold=(hold,) if held else (),
        )
        winner, problems = one_winner(responses, field_name=version_field)
        if winner is not None:
            body = responses[winner].json
            if body[version_field] <= version:
                problems.append(f"the winner's version is {body[version_field]}, read {version}")
            if stored() != expected(bodies[winner]):
                problems.append(
                    f"stored {stored()!r}, the winner sent {expected(bodies[winner])!r}"
                )
        if events(action, record_id) - before != 1:
            problems.append(f"{events(action, record_id) - before} {action} events")
        tally.add(f"round {round_number} ({mode})", racers, problems)


def test_parallel_vendor_and_offer_edits_one_wins(app, make_vendor, bearer, record_property):
    vendor, user = make_vendor("Kazi Data")
    headers = bearer(user)
    offer_id = vendor.offers[0].id
    tally = Tally("vendor profile and offer edits")
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/vendors/{vendor.id}",
        headers=headers,
        hold=Vendor,
        payloads=lambda r, i: {"description": f"round {r} by racer {i}"},
        stored=lambda: db.session.get(Vendor, vendor.id).description,
        expected=lambda body: body["description"],
        action="vendor.update",
        record_id=vendor.id,
    )
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/offers/{offer_id}",
        headers=headers,
        hold=Offer,
        payloads=lambda r, i: {"price": 10 + r * 10 + i, "capacity_per_period": 1000 + i},
        stored=lambda: (
            float(db.session.get(Offer, offer_id).price),
            db.session.get(Offer, offer_id).capacity_per_period,
        ),
        expected=lambda body: (float(body["price"]), float(body["capacity_per_period"])),
        action="offer.update",
        record_id=offer_id,
    )
    tally.assert_clean(record_property)


def test_parallel_need_edits_one_wins(app, make_user, bearer, record_property):
    headers = bearer(make_user("buyer"))
    need = app.test_client().post("/api/v1/needs", headers=headers, json=NEED).json
    tally = Tally("need edits")
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/needs/{need['id']}",
        headers=headers,
        hold=Need,
        payloads=lambda r, i: {"volume": 1000 + 100 * r + i, "title": f"Need r{r} by {i}"},
        stored=lambda: (
            db.session.get(Need, need["id"]).volume,
            db.session.get(Need, need["id"]).title,
        ),
        expected=lambda body: (body["volume"], body["title"]),
        action="need.update",
        record_id=need["id"],
    )
    tally.assert_clean(record_property)


def test_parallel_scenario_edits_one_wins_and_its_solve_is_stored(
    app, world, record_property, make_scenario
):
    headers = world["headers"]
    scenario = make_scenario()
    tally = Tally("scenario edits")
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/scenarios/{scenario['id']}",
        headers=headers,
        hold=Scenario,
        payloads=lambda r, i: {"name": f"Plan r{r} by {i}", "targets": {"budget": 7000 + 100 * i}},
        stored=lambda: (
            db.session.get(Scenario, scenario["id"]).name,
            db.session.get(Scenario, scenario["id"]).problem["targets"]["budget"],
        ),
        expected=lambda body: (body["name"], body["targets"]["budget"]),
        action="scenario.update",
        record_id=scenario["id"],
    )
    tally.assert_clean(record_property)
    assert_solves_consistent(scenario["id"])


def test_parallel_disclosure_draft_edits_one_wins(app, make_vendor, bearer, record_property):
    vendor, user = make_vendor()
    headers = bearer(user)
    draft = (
        app.test_client()
        .post(
            "/api/v1/disclosures",
            headers=headers,
            json={"vendor_id": vendor.id, **valid_document()},
        )
        .json
    )

    def payload(round_number, racer):
        document = valid_document()
        document["training"]["training_hours_all"] = 3000.0 + 100 * round_number + racer
        return {k: v for k, v in document.items() if k not in ("period_start", "period_end")}

    tally = Tally("disclosure draft edits")
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/disclosures/{draft['id']}",
        headers=headers,
        hold=Disclosure,
        payloads=payload,
        version_field="edit_version",
        stored=lambda: db.session.get(Disclosure, draft["id"]).figures["training"][
            "training_hours_all"
        ],
        expected=lambda body: body["training"]["training_hours_all"],
        action="disclosure.update",
        record_id=draft["id"],
    )
    tally.assert_clean(record_property)


def _weights(round_number: int, racer: int) -> dict:
    settings = default_profile().to_dict()
    impact = 0.40 + 0.05 * racer + 0.01 * round_number
    settings["pillar_weights"] = {"impact": impact, "cost": round(0.9 - impact, 4), "quality": 0.1}
    return settings


def test_parallel_profile_revisions_make_one_new_version(app, make_user, bearer, record_property):
    buyer = make_user("buyer")
    headers = bearer(buyer)
    latest = (
        app.test_client()
        .post(
            "/api/v1/scoring-profiles",
            headers=headers,
            json={"name": "Board", "settings": default_profile().to_dict()},
        )
        .json
    )
    tally = Tally("scoring profile revisions")
    for round_number, (mode, held) in enumerate(MODES):
        bodies = [{"settings": _weights(round_number, i)} for i in range(3)]
        responses = race(
            [
                lambda c=c, b=b, latest=latest: c.patch(
                    f"/api/v1/scoring-profiles/{latest['id']}", headers=headers, json=b
                )
                for c, b in zip(clients(app, 3), bodies, strict=True)
            ],
            hold=(ScoringProfile,) if held else (),
        )
        winner, problems = one_winner(responses, won=201, field_name=None)
        numbers = db.session.scalars(
            select(ScoringProfile.number)
            .where(ScoringProfile.name == "Board")
            .order_by(ScoringProfile.number)
        ).all()
        if numbers != list(range(1, round_number + 3)):
            problems.append(f"versions {numbers} after {round_number + 1} revisions")
        if winner is not None:
            latest = responses[winner].json
            stored = db.session.get(ScoringProfile, latest["id"])
            if stored.number != round_number + 2 or stored.settings[
                "pillar_weights"
            ] != pytest.approx(bodies[winner]["settings"]["pillar_weights"]):
                problems.append(
                    f"version {stored.number} holds {stored.settings['pillar_weights']}"
                )
        tally.add(f"round {round_number} ({mode})", 3, problems)
    if events("scoring_profile.revise") != tally.races:
        tally.faults.append(
            f"{events('scoring_profile.revise')} revise events for {tally.races} revisions"
        )
    tally.assert_clean(record_property)


# --------------------------------------------------------- the same record created in parallel


def test_the_same_record_created_in_parallel_once(
    app, make_user, make_org, bearer, record_property
):
    """A vendor profile per organization, a profile name per organization, a first draft per
    vendor and period: created by parallel requests, it exists once, and the others are told."""
    tally = Tally("the same record created in parallel")
    for round_number, (mode, held) in enumerate(MODES):
        organization = make_org("vendor")
        users = [make_user("vendor", organization=organization) for _ in range(3)]
        logins = [bearer(user) for user in users]
        responses = race(
            [
                # names unique across rounds: no vendor may take another vendor's name
                lambda c=c, h=h, n=n, r=round_number: c.post(
                    "/api/v1/vendors",
                    headers=h,
                    json={"name": f"Vendor {r}.{n}", "country": "KE"},
                )
                for c, h, n in zip(clients(app, 3), logins, range(3), strict=True)
            ],
            hold=(Vendor,) if held else (),
        )
        winner, problems = one_winner(responses, won=201, field_name=None)
        count = db.session.scalar(
            select(func.count())
            .select_from(Vendor)
            .where(Vendor.organization_id == organization.id)
        )
        if count != 1:
            problems.append(f"{count} vendor profiles for one organization")
        tally.add(f"vendor profile, round {round_number} ({mode})", 3, problems)
        vendor_id = responses[winner].json["id"] if winner is not None else None

        buyer_headers = bearer(make_user("buyer"))
        responses = race(
            [
                lambda c=c, buyer_headers=buyer_headers: c.post(
                    "/api/v1/scoring-profiles",
                    headers=buyer_headers,
                    json={"name": "Board", "settings": default_profile().to_dict()},
                )
                for c in clients(app, 3)
            ],
            hold=(ScoringProfile,) if held else (),
        )
        _, problems = one_winner(
            responses, won=201, lost=422, field_name="name"
        )  # as a later duplicate is
        tally.add(f"scoring profile, round {round_number} ({mode})", 3, problems)

        if vendor_id is None:
            continue
        vendor_headers = bearer(users[0])
        responses = race(
            [
                lambda c=c, vendor_headers=vendor_headers, vendor_id=vendor_id: c.post(
                    "/api/v1/disclosures",
                    headers=vendor_headers,
                    json={"vendor_id": vendor_id, **valid_document()},
                )
                for c in clients(app, 3)
            ],
            hold=(Disclosure,) if held else (),
        )
        _, problems = one_winner(responses, won=201, field_name=None)
        count = db.session.scalar(
            select(func.count()).select_from(Disclosure).where(Disclosure.vendor_id == vendor_id)
        )
        if count != 1:
            problems.append(f"{count} first drafts of one period")
        tally.add(f"first draft, round {round_number} ({mode})", 3, problems)
    tally.assert_clean(record_property)


# --------------------------------------------------------- disclosures: submit, amend, many vendors


def test_a_draft_submitted_twice_and_amended_twice_in_parallel(
    app, make_vendor, bearer, record_property
):
    tally = Tally("disclosure submitted and amended in parallel")
    for round_number, (mode, held) in enumerate(MODES):
        vendor, user = make_vendor()
        headers = bearer(user)
        draft = (
            app.test_client()
            .post(
                "/api/v1/disclosures",
                headers=headers,
                json={"vendor_id": vendor.id, **valid_document()},
            )
            .json
        )
        responses = race(
            [
                lambda c=c, draft=draft, headers=headers: c.post(
                    f"/api/v1/disclosures/{draft['id']}/submit", headers=headers
                )
                for c in clients(app, 3)
            ],
            hold=(Disclosure,) if held else (),
        )
        _, problems = one_winner(responses, field_name=None)
        stored = db.session.get(Disclosure, draft["id"])
        if stored.state != "submitted" or stored.edit_version != 2:
            problems.append(f"the draft is {stored.state}, edit version {stored.edit_version}")
        if events("disclosure.submit", draft["id"]) != 1:
            problems.append(f"{events('disclosure.submit', draft['id'])} submit events")
        refreshes = db.session.scalars(
            select(Job.status).where(Job.kind == "scores.refresh", Job.created_by_id == user.id)
        ).all()
        if refreshes != ["succeeded"]:
            problems.append(f"re-scoring jobs {refreshes}")
        tally.add(f"submit, round {round_number} ({mode})", 3, problems)

        responses = race(
            [
                lambda c=c, draft=draft, headers=headers: c.post(
                    f"/api/v1/disclosures/{draft['id']}/amend", headers=headers
                )
                for c in clients(app, 3)
            ],
            hold=(Disclosure,) if held else (),
        )
        _, problems = one_winner(responses, won=201, field_name=None)
        numbers = db.session.scalars(
            select(Disclosure.number)
            .where(Disclosure.vendor_id == vendor.id)
            .order_by(Disclosure.number)
        ).all()
        if numbers != [1, 2]:
            problems.append(f"versions {numbers}")
        if events("disclosure.amend") != round_number + 1:
            problems.append(
                f"{events('disclosure.amend')} amend events in {round_number + 1} rounds"
            )
        tally.add(f"amend, round {round_number} ({mode})", 3, problems)
    tally.assert_clean(record_property)


VENDORS_AT_ONCE = 6


def test_many_vendors_submitting_at_once_are_all_stored_and_scored(
    app, make_vendor, bearer, record_property
):
    tally = Tally("many vendors submitting at once")
    for round_number, (mode, held) in enumerate(MODES[:2]):
        period_end = date(2024 - round_number, 12, 31)
        document = valid_document(f"{period_end.year}-01-01", period_end.isoformat())
        drafts = []
        for _ in range(VENDORS_AT_ONCE):
            vendor, user = make_vendor()
            headers = bearer(user)
            draft = app.test_client().post(
                "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
            )
            assert draft.status_code == 201, draft.json
            drafts.append((vendor.id, draft.json["id"], headers))
        responses = race(
            [
                lambda c=c, d=d: c.post(f"/api/v1/disclosures/{d[1]}/submit", headers=d[2])
                for c, d in zip(clients(app, VENDORS_AT_ONCE), drafts, strict=True)
            ],
            hold=(Disclosure,) if held else (),
        )
        problems = [
            f"vendor {i} answered {r.status_code}: {r.text[:200]}"
            for i, r in enumerate(responses)
            if r.status_code != 200
        ]
        states = db.session.scalars(
            select(Disclosure.state).where(Disclosure.id.in_([d[1] for d in drafts]))
        ).all()
        if states != ["submitted"] * VENDORS_AT_ONCE:
            problems.append(f"stored states {states}")
        snapshots = db.session.execute(
            select(ScoreSnapshot.vendor_id, ScoreSnapshot.peers).where(
                ScoreSnapshot.period_end == period_end
            )
        ).all()
        expected = {(vendor_id, VENDORS_AT_ONCE) for vendor_id, _, _ in drafts}
        if sorted(snapshots) != sorted(expected):
            problems.append(
                f"{len(snapshots)} snapshots {sorted(snapshots)}, expected one per vendor with "
                f"{VENDORS_AT_ONCE} peers"
            )
        jobs = db.session.execute(
            select(Job.status, Job.error).where(
                Job.kind == "scores.refresh",
                Job.params["period_end"].as_string() == period_end.isoformat(),
            )
        ).all()
        # one per submission, or fewer: a submission joins a refresh of the period still queued
        # (coalesced, procure.scoring.jobs.start_refresh); the snapshots above are the proof
        if not 1 <= len(jobs) <= VENDORS_AT_ONCE or any(s != "succeeded" for s, _ in jobs):
            problems.append(f"re-scoring jobs {[tuple(job) for job in jobs]}")
        tally.add(f"round {round_number} ({mode})", VENDORS_AT_ONCE, problems)
    tally.assert_clean(record_property)


# --------------------------------------------------------- scenarios: solve, submit, approve


@contextmanager
def released_once_blocked(app, release: threading.Event, sqlite_grace: float = 0.5):
    """Around a request that will wait for a transaction held until `release` is set: set it once
    the request waits, or when it ends without waiting. PostgreSQL shows the wait (a lock asked
    for and not granted); SQLite does not, so there `release` is set `sqlite_grace` seconds after
    the request first writes (its write then waits for the held one's lock)."""
    caller, writing, done = threading.current_thread(), threading.Event(), threading.Event()
    with app.app_context():  # the racing threads have none outside their requests
        engine = db.engine

    def note_write(_session, _context, _instances) -> None:
        if threading.current_thread() is caller:
            writing.set()

    def watch() -> None:
        postgres = engine.dialect.name == "postgresql"
        ends = time.monotonic() + RACE_TIMEOUT
        while not done.is_set() and time.monotonic() < ends:
            if postgres:
                with engine.connect() as connection:
                    if connection.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND datname = current_database()"
                        )
                    ):
                        break
            elif writing.wait(0) and done.wait(sqlite_grace) is False:
                break
            time.sleep(0.02)
        release.set()

    event.listen(Session, "before_flush", note_write)
    watcher = threading.Thread(target=watch, name="release-watch")
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(RACE_TIMEOUT)
        event.remove(Session, "before_flush", note_write)


def assert_solves_consistent(scenario_id: int, may_fail: bool = False) -> None:
    """No solve job of the scenario is left queued or running, and the scenario holds what its
    newest one ended with: its result (it succeeded), or, with `may_fail`, its failure."""
    scenario = db.session.get(Scenario, scenario_id)
    jobs = _solve_jobs(scenario_id)
    newest = jobs[-1]
    assert not [job.id for job in jobs if job.active]
    if may_fail and newest.status == "failed":
        assert (
            scenario.status == "failed" and scenario.result["errors"][0]["message"] == newest.error
        )
        return
    assert newest.status == "succeeded", (newest.status, newest.error)
    assert scenario.status == newest.result["status"] == "solved"
    assert scenario.result["totals"]["cost"] == pytest.approx(newest.result["cost"])


def _solved(make_scenario, name="Plan") -> dict:
    scenario = make_scenario(name)
    assert scenario["status"] == "solved", scenario
    return scenario


def _solve_jobs(scenario_id: int) -> list[Job]:
    return db.session.scalars(
        select(Job)
        .where(Job.kind == "scenario.solve", Job.subject_id == scenario_id)
        .order_by(Job.id)
    ).all()


def solve_problems(scenario_id: int, may_fail: bool = False) -> list[str]:
    """What is inconsistent between a scenario and its solve jobs (see assert_solves_consistent)."""
    try:
        assert_solves_consistent(scenario_id, may_fail)
    except AssertionError as failure:
        jobs = [(job.id, job.status, (job.error or "")[:120]) for job in _solve_jobs(scenario_id)]
        return [f"scenario and solve jobs inconsistent ({failure!r}): jobs {jobs}"]
    return []


def test_the_same_scenario_solved_twice_in_parallel(app, world, record_property, make_scenario):
    """Two solves of one scenario at once: held (both read the same version), one is accepted and
    the other refused; sent at once, the second may also come after the first (both accepted, one
    after the other). Either way one job per accepted solve, and the scenario holds the result of
    the newest, which succeeded. Also from a scenario whose queued solve was cancelled (a draft
    with no documents, which the solve used not to write)."""
    scenario_id = _solved(make_scenario)["id"]
    tally = Tally("the same scenario solved twice in parallel")
    for round_number, (mode, held) in enumerate(MODES):
        for start in ("solved", "draft after a cancelled solve"):
            if start != "solved":
                record = db.session.get(Scenario, scenario_id)
                record.status, record.problem, record.result, record.frontier = (
                    "draft",
                    None,
                    None,
                    None,
                )
                db.session.commit()
            jobs_before = len(_solve_jobs(scenario_id))
            responses = race(
                [
                    lambda c=c: c.post(
                        f"/api/v1/scenarios/{scenario_id}/solve", headers=world["headers"]
                    )
                    for c in clients(app, 2)
                ],
                hold=(Scenario, Job) if held else (),
            )
            _, problems = one_winner(responses, won=202, field_name=None)
            accepted = sum(r.status_code == 202 for r in responses)
            if not held and accepted == len(responses):
                problems = []  # one after the other
            problems += solve_problems(scenario_id)
            if len(_solve_jobs(scenario_id)) - jobs_before != accepted:
                problems.append(
                    f"{len(_solve_jobs(scenario_id)) - jobs_before} solve jobs "
                    f"for {accepted} accepted"
                )
            tally.add(f"round {round_number} ({mode}), from {start}", 2, problems)
    tally.assert_clean(record_property)


@pytest.mark.parametrize("moment", ["saves its result", "fails"])
def test_a_solve_asked_while_the_previous_solve_ends(
    app, world, monkeypatch, record_property, moment, make_scenario
):
    """A solve request arriving while the running solve job writes its end: its result, or its
    failure. The job is held there (its transaction open) until the new request has gone as far
    as it can; then no 500, no deadlock, and the scenario ends with the result of its newest
    solve job, which succeeded."""
    import optimizer
    from procure.scenarios import jobs as scenario_jobs
    from procure.scenarios import services as scenario_services

    scenario_id = _solved(make_scenario)["id"]
    ending, release = threading.Event(), threading.Event()

    def first_job() -> bool:
        return threading.current_thread().name == "racer-0"

    def hold() -> None:
        ending.set()
        release.wait(RACE_TIMEOUT)

    if moment == "fails":
        solve, mark_failed = optimizer.solve, scenario_jobs.solve_failed

        def failing_solve(problem, *args, **kwargs):
            if first_job():
                raise RuntimeError("the solver died")
            return solve(problem, *args, **kwargs)

        def held_mark_failed(job, reason):
            if first_job():
                hold()
            return mark_failed(job, reason)

        monkeypatch.setattr(optimizer, "solve", failing_solve)
        # the kind holds its failure hook itself (registered with @on_failure)
        solve_kind = KINDS["scenario.solve"]
        monkeypatch.setitem(KINDS, "scenario.solve", replace(solve_kind, failed=held_mark_failed))
    else:
        store = scenario_services.store_solution

        def held_store(*args, **kwargs):
            stored = store(*args, **kwargs)
            if first_job():
                hold()
            return stored

        monkeypatch.setattr(scenario_services, "store_solution", held_store)

    def second_solve():
        assert ending.wait(RACE_TIMEOUT), "the first solve never reached its end"
        with released_once_blocked(app, release):
            return app.test_client().post(
                f"/api/v1/scenarios/{scenario_id}/solve", headers=world["headers"]
            )

    tally = Tally(f"a solve asked while the previous solve {moment}")
    responses = race(
        [
            lambda: app.test_client().post(
                f"/api/v1/scenarios/{scenario_id}/solve", headers=world["headers"]
            ),
            second_solve,
        ]
    )
    problems = [
        f"racer {i} answered {r.status_code}: {r.text[:300]}"
        for i, r in enumerate(responses)
        if r.status_code not in (202, 409)
    ]
    if responses[0].status_code != 202:
        problems.append(f"the first solve answered {responses[0].status_code}")
    problems += solve_problems(scenario_id, may_fail=moment == "fails")
    tally.add(f"held while it {moment}", 2, problems)
    tally.assert_clean(record_property)


def test_approve_and_submit_racing_an_edit_one_fails_cleanly(
    app, world, make_user, bearer, record_property, make_scenario
):
    """A submit racing an edit of a solved scenario, then an approval racing a rejection, an edit
    and a solve of the submitted one: one of them wins, the others answer 409, and the documents the
    executives decide on are the ones stored when it was submitted."""
    organization = world["buyer"].organization
    approver, rejecter = (
        bearer(make_user("executive", organization=organization)),
        bearer(make_user("executive", organization=organization)),
    )
    buyer = world["headers"]
    tally = Tally("approve and submit racing an edit")
    for round_number, (mode, held) in enumerate(MODES):
        hold = (Scenario,) if held else ()
        scenario = _solved(make_scenario, f"Plan {round_number}")
        url = f"/api/v1/scenarios/{scenario['id']}"
        submitter, editor = clients(app, 2)
        responses = race(
            [
                lambda submitter=submitter, url=url: submitter.post(f"{url}/submit", headers=buyer),
                lambda editor=editor, url=url, scenario=scenario: editor.patch(
                    url,
                    headers=buyer,
                    json={
                        "name": "Edited",
                        "targets": {"budget": 9000},
                        "version": scenario["version"],
                    },
                ),
            ],
            hold=hold,
        )
        winner, problems = one_winner(responses, field_name=None)
        stored = db.session.get(Scenario, scenario["id"])
        if winner == 0 and (stored.status != "submitted" or stored.name != scenario["name"]):
            problems.append(
                f"the submit won, yet the scenario is {stored.status} and named {stored.name!r}"
            )
        if winner == 1 and (stored.status != "solved" or stored.name != "Edited"):
            problems.append(
                f"the edit won, yet the scenario is {stored.status} and named {stored.name!r}"
            )
        tally.add(f"submit racing an edit, round {round_number} ({mode})", 2, problems)
        if stored.status != "submitted":  # make it submitted for the next race
            submitted = app.test_client().post(f"{url}/submit", headers=buyer)
            assert submitted.status_code == 200, submitted.json
        submitted = db.session.get(Scenario, scenario["id"])
        documents = (
            submitted.problem,
            submitted.result,
            submitted.profile_settings,
            submitted.frontier,
        )
        approving, rejecting, editing, solving = clients(app, 4)
        responses = race(
            [
                lambda approving=approving, url=url: approving.post(
                    f"{url}/decision", headers=approver, json={"decision": "approved"}
                ),
                lambda rejecting=rejecting, url=url: rejecting.post(
                    f"{url}/decision",
                    headers=rejecter,
                    json={"decision": "rejected", "comment": "Too dear."},
                ),
                lambda editing=editing, url=url, submitted=submitted: editing.patch(
                    url, headers=buyer, json={"name": "Late edit", "version": submitted.version}
                ),
                lambda solving=solving, url=url: solving.post(f"{url}/solve", headers=buyer),
            ],
            hold=hold,
        )
        winner, problems = one_winner(responses, field_name=None)
        decided = db.session.get(Scenario, scenario["id"])
        if winner not in (0, 1) or decided.status != ("approved", "rejected")[winner or 0]:
            problems.append(f"winner {winner}; the scenario is {decided.status}")
        if (
            decided.problem,
            decided.result,
            decided.profile_settings,
            decided.frontier,
        ) != documents:
            problems.append("the decided scenario's documents changed")
        decisions = events("scenario.approve", scenario["id"]) + events(
            "scenario.reject", scenario["id"]
        )
        if decisions != 1 or events("scenario.update", scenario["id"]) != (
            1 if decided.name == "Edited" else 0
        ):
            problems.append(f"{decisions} decision events")
        if [job.id for job in _solve_jobs(scenario["id"]) if job.active]:
            problems.append("a solve job is still active on a decided scenario")
        tally.add(
            f"approve, reject, edit and solve at once, round {round_number} ({mode})", 4, problems
        )
    tally.assert_clean(record_property)


# --------------------------------------------------------- the page forms


def page_rounds(
    app,
    sign_in,
    user,
    tally: Tally,
    label: str,
    *,
    page: str,
    post: str,
    form: Callable[[int, int], dict],
    version: Callable[[], int],
    hold: type,
    stored: Callable[[], Any],
    expected: Callable[[dict], Any],
    version_name: str = "version",
) -> None:
    """Two browser tabs (clients signed in as `user`) post the same form, loaded at the same
    version.

    One change is stored; the other tab is answered as a stale form is (the page's own conflict
    message, not an error page), which a third post with the same version shows afterwards."""
    tabs = clients(app, 2)
    for tab in tabs:
        sign_in(tab, user)
    for round_number, (mode, held) in enumerate(MODES[:2]):
        loaded = version()
        forms = []
        for racer, tab in enumerate(tabs):
            token = csrf_token_from(tab.get(page).text)
            forms.append(
                {**form(round_number, racer), version_name: str(loaded), "csrf_token": token}
            )
        responses = race(
            [
                lambda t=t, f=f: t.post(post, data=f, follow_redirects=True)
                for t, f in zip(tabs, forms, strict=True)
            ],
            hold=(hold,) if held else (),
        )
        problems = []
        winners = [i for i, f in enumerate(forms) if expected(f) == stored()]
        if len(winners) != 1 or version() <= loaded:
            problems.append(f"stored {stored()!r}, version {version()} after {loaded}")
        if len(winners) == 1:
            loser = 1 - winners[0]
            stale = tabs[loser].post(post, data=forms[loser], follow_redirects=True)
            answer = responses[loser]
            if answer.status_code != stale.status_code or not any(
                # the conflict's own message, flashed, or the page's notice beside the form
                words in answer.text
                for words in ("changed since you loaded it", "since you opened the page")
            ):
                problems.append(
                    f"the losing tab got {answer.status_code} "
                    f"({_flash_or_title(answer.text)!r}); a stale form gets {stale.status_code} "
                    f"({_flash_or_title(stale.text)!r})"
                )
        tally.add(f"{label}, round {round_number} ({mode})", 2, problems)


def _flash_or_title(html: str) -> str:
    match = re.search(r'class="alert alert-\w+"[^>]*>(.*?)<', html, re.S) or re.search(
        r"<h1[^>]*>(.*?)<", html, re.S
    )
    return match.group(1).strip()[:160] if match else html[:160]


def test_parallel_page_edits_one_wins_the_other_tab_is_told(
    app, world, make_vendor, sign_in, bearer, record_property, make_scenario
):
    tally = Tally("page forms edited in two tabs at once")
    need_id = world["need"]["id"]
    need = lambda: db.session.get(Need, need_id)  # noqa: E731
    page_rounds(
        app,
        sign_in,
        world["buyer"],
        tally,
        "need page",
        page=f"/needs/{need_id}",
        post=f"/needs/{need_id}",
        form=lambda r, i: {
            "title": f"Need r{r} tab {i}",
            "service_category": "data_annotation",
            "unit": "hour",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "volume": str(1000 + i),
            "budget_usd": "20000",
            "min_quality": "0.9",
            "max_vendor_share": "0.8",
        },
        version=lambda: need().version,
        hold=Need,
        stored=lambda: need().title,
        expected=lambda f: f["title"],
    )

    scenario_id = _solved(make_scenario)["id"]
    scenario = lambda: db.session.get(Scenario, scenario_id)  # noqa: E731
    page_rounds(
        app,
        sign_in,
        world["buyer"],
        tally,
        "scenario page",
        page=f"/scenarios/{scenario_id}",
        post=f"/scenarios/{scenario_id}/edit",
        form=lambda r, i: {
            "name": f"Plan r{r} tab {i}",
            "objective": "min_cost",
            "profile_id": "",
            "targets.budget": str(9000 + i),
        },
        version=lambda: scenario().version,
        hold=Scenario,
        stored=lambda: scenario().name,
        expected=lambda f: f["name"],
    )

    vendor, vendor_user = make_vendor("Tabbed Vendor")
    profile = lambda: db.session.get(Vendor, vendor.id)  # noqa: E731
    page_rounds(
        app,
        sign_in,
        vendor_user,
        tally,
        "vendor profile page",
        page="/vendor/profile",
        post="/vendor/profile",
        form=lambda r, i: {
            "name": "Tabbed Vendor",
            "country": "KE",
            "description": f"r{r} tab {i}",
            "service_categories": "data_annotation",
            "sites.0.name": "Nairobi CBD",
            "sites.0.city": "Nairobi",
            "sites.0.country": "KE",
        },
        version=lambda: profile().version,
        hold=Vendor,
        stored=lambda: profile().description,
        expected=lambda f: f["description"],
    )

    draft = (
        app.test_client()
        .post(
            "/api/v1/disclosures",
            headers=bearer(vendor_user),
            json={"vendor_id": vendor.id, **valid_document()},
        )
        .json
    )
    disclosure = lambda: db.session.get(Disclosure, draft["id"])  # noqa: E731
    page_rounds(
        app,
        sign_in,
        vendor_user,
        tally,
        "disclosure page",
        page=f"/disclosures/{draft['id']}",
        post=f"/disclosures/{draft['id']}",
        form=lambda r, i: {
            **disclosure_form_fields(valid_document()),
            "action": "save",
            "training.training_hours_all": str(3000.0 + 10 * r + i),
        },
        version=lambda: disclosure().edit_version,
        version_name="edit_version",
        hold=Disclosure,
        stored=lambda: disclosure().figures["training"]["training_hours_all"],
        expected=lambda f: float(f["training.training_hours_all"]),
    )
    tally.assert_clean(record_property)


def test_parallel_saves_in_the_profile_editor_make_one_version(
    app, make_user, sign_in, bearer, record_property
):
    """The editor saves a new version on top of the latest one: two tabs that loaded the same latest
    version save one new version, and the other tab is told (not a second version replacing the
    first one unseen, nor a 500 from the unique version number)."""
    buyer = make_user("buyer")
    tabs = clients(app, 2)
    for tab in tabs:
        sign_in(tab, buyer)
    first = (
        app.test_client()
        .post(
            "/api/v1/scoring-profiles",
            headers=bearer(buyer),
            json={"name": "Board", "settings": default_profile().to_dict()},
        )
        .json
    )
    tally = Tally("profile editor saved in two tabs at once")
    for round_number, (mode, held) in enumerate(MODES[:2]):
        page = f"/profiles/{first['id']}"
        forms = []
        for i, tab in enumerate(tabs):
            html = tab.get(page).text
            forms.append(
                {
                    "csrf_token": csrf_token_from(html),
                    "action": "save",
                    "pillar_weights.impact": str(0.5 + 0.1 * i),
                    "pillar_weights.cost": str(round(0.4 - 0.1 * i, 2)),
                    "pillar_weights.quality": "0.1",
                    **dict(re.findall(r'name="(latest_number)" value="(\d+)"', html)),
                }
            )  # the version loaded
        responses = race(
            [
                lambda t=t, f=f, page=page: t.post(page, data=f)
                for t, f in zip(tabs, forms, strict=True)
            ],
            hold=(ScoringProfile,) if held else (),
        )
        statuses = sorted(r.status_code for r in responses)
        numbers = db.session.scalars(
            select(ScoringProfile.number)
            .where(ScoringProfile.name == "Board")
            .order_by(ScoringProfile.number)
        ).all()
        problems = []
        refused = [r for r in responses if r.status_code != 302]
        if (
            statuses != [302, 409] or 'class="alert alert-error"' not in refused[0].text
        ):  # the form says why
            problems.append(f"statuses {statuses}: {[_flash_or_title(r.text) for r in responses]}")
        if numbers != list(range(1, round_number + 3)):
            problems.append(f"versions {numbers} after {round_number + 1} saves")
        tally.add(f"round {round_number} ({mode})", 2, problems)
    tally.assert_clean(record_property)


def test_parallel_reviews_one_per_organization(
    app, make_vendor, make_user, make_org, bearer, record_property
):
    """Colleagues of one buyer organization reviewing a version at once: one decision stands, the
    others are told (409). Buyers of different organizations reviewing at once: each keeps its
    own."""
    from procure.disclosures.models import DisclosureReview

    vendor, user = make_vendor()
    vendor_headers = bearer(user)
    tally = Tally("disclosure reviews")
    for round_number, (mode, held) in enumerate(MODES):
        document = valid_document(f"{2010 + round_number}-01-01", f"{2010 + round_number}-12-31")
        created = (
            app.test_client()
            .post(
                "/api/v1/disclosures",
                headers=vendor_headers,
                json={"vendor_id": vendor.id, **document},
            )
            .json
        )
        app.test_client().post(
            f"/api/v1/disclosures/{created['id']}/submit", headers=vendor_headers
        )
        url = f"/api/v1/disclosures/{created['id']}/review"
        organization = make_org("buyer")
        colleagues = [bearer(make_user("buyer", organization=organization)) for _ in range(3)]
        decisions = [
            {"decision": "verified"},
            {"decision": "rejected", "comment": "No source."},
            {"decision": "verified", "comment": "Checked."},
        ]
        responses = race(
            [
                lambda c=c, h=h, b=b, url=url: c.post(url, headers=h, json=b)
                for c, h, b in zip(clients(app, 3), colleagues, decisions, strict=True)
            ],
            hold=(DisclosureReview,) if held else (),
        )
        winner, problems = one_winner(responses, field_name=None)
        stored = db.session.scalars(
            select(DisclosureReview).where(DisclosureReview.disclosure_id == created["id"])
        ).all()
        if winner is not None and [r.decision for r in stored] != [decisions[winner]["decision"]]:
            problems.append(
                f"stored {[r.decision for r in stored]}, the winner sent {decisions[winner]}"
            )
        if (
            events("disclosure.verify", created["id"]) + events("disclosure.reject", created["id"])
            != 1
        ):
            problems.append("not one review event")
        tally.add(f"one organization, round {round_number} ({mode})", 3, problems)

        others = [bearer(make_user("buyer")) for _ in range(3)]
        responses = race(
            [
                lambda c=c, h=h, url=url: c.post(url, headers=h, json={"decision": "verified"})
                for c, h in zip(clients(app, 3), others, strict=True)
            ],
            hold=(DisclosureReview,) if held else (),
        )
        problems = [
            f"racer {i} answered {r.status_code}: {r.text[:200]}"
            for i, r in enumerate(responses)
            if r.status_code != 200
        ]
        count = db.session.scalar(
            select(func.count())
            .select_from(DisclosureReview)
            .where(DisclosureReview.disclosure_id == created["id"])
        )
        if count != 4:
            problems.append(f"{count} reviews stored, expected 4")
        tally.add(f"three organizations, round {round_number} ({mode})", 3, problems)
    tally.assert_clean(record_property)


def test_an_evidence_upload_racing_the_submit_is_in_the_version_or_refused(
    app, make_vendor, bearer, record_property
):
    """A file uploaded while the draft is submitted: either the submitted version holds it (and its
    warnings were computed with it), or the upload is refused (409). Never a file added to a
    version after it was submitted."""
    import io

    from procure.disclosures.models import Evidence
    from procure.disclosures.services import unbacked_evidence_warnings

    vendor, user = make_vendor()
    headers = bearer(user)

    def new_draft(year: int) -> int:
        document = valid_document(f"{year}-01-01", f"{year}-12-31")
        document["evidence"]["wages"] = "self_reported_documented"  # the file would back this claim
        return (
            app.test_client()
            .post("/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document})
            .json["id"]
        )

    def submit(client, draft_id):
        return client.post(f"/api/v1/disclosures/{draft_id}/submit", headers=headers)

    def upload(client, draft_id):
        return client.post(
            f"/api/v1/disclosures/{draft_id}/evidence",
            headers=headers,
            data={
                "section": "wages",
                "level": "self_reported_documented",
                "file": (io.BytesIO(PDF), "payroll.pdf"),
            },
            content_type="multipart/form-data",
        )

    def version_problems(draft_id: int) -> list[str]:
        """A submitted version gained a file afterwards, or its warnings do not match its files."""
        stored = db.session.get(Disclosure, draft_id)
        files = db.session.scalars(select(Evidence).where(Evidence.disclosure_id == draft_id)).all()
        if stored.state != "submitted":
            return []
        problems = (
            ["a file was added after the version was submitted"]
            if any(f.created_at > stored.submitted_at for f in files)
            else []
        )
        if [
            w for w in stored.warnings if w["field"].startswith("evidence.")
        ] != unbacked_evidence_warnings(stored):
            problems.append(f"the submitted warnings miss the files: {stored.warnings}")
        return problems

    # the checks themselves, one request after the other: the file first, then the submit
    control = new_draft(2009)
    assert upload(app.test_client(), control).status_code == 201
    assert submit(app.test_client(), control).status_code == 200
    assert db.session.get(Disclosure, control).evidence and version_problems(control) == []

    tally = Tally("evidence upload racing the submit")
    for round_number, (mode, held) in enumerate(MODES):
        draft_id = new_draft(2010 + round_number)
        submitter, uploader = clients(app, 2)
        responses = race(
            [
                lambda submitter=submitter, draft_id=draft_id: submit(submitter, draft_id),
                lambda uploader=uploader, draft_id=draft_id: upload(uploader, draft_id),
            ],
            hold=(Disclosure,) if held else (),
        )
        problems = [
            f"racer {i} answered {r.status_code}: {r.text[:200]}"
            for i, r in enumerate(responses)
            if r.status_code not in ((200, 409) if i == 0 else (201, 409))
        ]
        problems += version_problems(draft_id)
        if responses[0].status_code == 200 and responses[1].status_code == 201 and held:
            problems.append("both won although both read the draft before either wrote")
        tally.add(f"round {round_number} ({mode})", 2, problems)
    tally.assert_clean(record_property)


def test_parallel_cancels_and_retries_of_one_job(
    app, world, counting_kind, record_property, make_scenario
):
    """Three cancels of a queued job at once: one cancels it, the others are told it has ended.
    Three retries of a failed job at once: it is queued and run once, the others are told."""
    from procure.jobs import services as jobs

    headers = world["headers"]
    scenario = make_scenario()
    subject = db.session.get(Scenario, scenario["id"])
    tally = Tally("job cancels and retries")
    for round_number, (mode, held) in enumerate(MODES):
        queued = jobs.enqueue(
            "test.counting",
            organization_id=world["buyer"].organization_id,
            user=world["buyer"],
            subject=subject,
            params={"after_step": {"50": "boom"}},
        )
        db.session.commit()  # queued, never started: nothing calls start_committed
        before = events("job.cancel", queued.id)
        responses = race(
            [
                lambda c=c, queued=queued: c.post(
                    f"/api/v1/jobs/{queued.id}/cancel", headers=headers
                )
                for c in clients(app, 3)
            ],
            hold=(Job,) if held else (),
        )
        _, problems = one_winner(responses, field_name=None)
        if db.session.get(Job, queued.id).status != "cancelled":
            problems.append(f"the job is {db.session.get(Job, queued.id).status}")
        if events("job.cancel", queued.id) - before != 1:
            problems.append(f"{events('job.cancel', queued.id) - before} cancel events")
        tally.add(f"cancel, round {round_number} ({mode})", 3, problems)

        SEEN.clear()
        responses = race(
            [
                lambda c=c, queued=queued: c.post(
                    f"/api/v1/jobs/{queued.id}/retry", headers=headers
                )
                for c in clients(app, 3)
            ],
            hold=(Job,) if held else (),
        )
        _, problems = one_winner(responses, won=202, field_name=None)
        if SEEN != [10, 50]:  # one run, which fails at step 50 as its params say
            problems.append(f"the handler ran the steps {SEEN}")
        if db.session.get(Job, queued.id).status != "failed":
            problems.append(f"the job is {db.session.get(Job, queued.id).status}")
        if events("job.retry", queued.id) != 1:
            problems.append(f"{events('job.retry', queued.id)} retry events")
        tally.add(f"retry, round {round_number} ({mode})", 3, problems)
    tally.assert_clean(record_property)


# --------------------------------------------------------- failed sign-ins in parallel


def test_parallel_first_failed_sign_ins_for_one_email_each_count_and_none_answers_500(app):
    """Found by bench/bench_signin_flood.py: the first failures for one email, at once, each
    inserted the email's throttle row and all but one answered 500 (its unique key). Now each
    answers 401 and each counts."""
    from procure.accounts.models import SignInThrottle

    body = {"email": "nobody@parallel.example", "password": "not-the-password", "name": "t"}
    for held in (False, True):
        db.session.execute(SignInThrottle.__table__.delete())
        db.session.commit()
        responses = race(
            [lambda c=c: c.post("/api/v1/auth/tokens", json=body) for c in clients(app, 4)],
            hold=(SignInThrottle,) if held else (),
        )
        assert [r.status_code for r in responses] == [401, 401, 401, 401], [
            r.text[:200] for r in responses
        ]
        db.session.expire_all()
        assert db.session.get(SignInThrottle, "nobody@parallel.example").failures == 4
