"""Coalesced refreshes (#23, procure.jobs.services.enqueue_coalesced): ten submissions in a row,
each followed by a read of the ranking, leave the stored ranking equal to a fresh
`rank_vendors`, whether the jobs run inline after each change or wait for a worker; waiting,
they cause one ranking refresh and one snapshot refresh; a change while a refresh runs queues
exactly one more, which skips its work when the one before left the ranking current; a refresh
asked for within refresh_min_gap_seconds of the last waits until then (a fake clock here), and
the workers hold it until then."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from procure.extensions import db
from procure.jobs import background, queue, runner, services
from procure.jobs.models import Job
from procure.scoring.jobs import SCORES_REFRESH, start_refresh
from procure.scoring.models import ScoreSnapshot
from procure.scoring.rankings import REFRESH_KIND
from procure.states import JobStatus
from tests.app.test_rankings import (
    FAKE_BROKER,
    _assert_stored_is_fresh,
    _served,
    _submit,
    sent,  # noqa: F401 (a fixture)
)
from tests.conftest import valid_document

SUBMISSIONS = 10
PERIOD = date(2025, 12, 31)


def _document(index: int) -> dict:
    """valid_document with its own impact hires (3 + index), the impact workers at the end
    following (40 + hires - 5), so each vendor scores differently."""
    document = valid_document()
    hires = 3 + index
    document["workforce"].update(impact_worker_hires=hires, impact_workers_end=35 + hires)
    return document


def _jobs(kind: str) -> list[Job]:
    db.session.commit()
    return list(db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def _submit_and_read(client, world, make_vendor, bearer) -> list[bool]:
    """SUBMISSIONS vendors submit, each followed by a read of the ranking; whether each read
    was served stale."""
    stale = []
    for index in range(SUBMISSIONS):
        vendor, user = make_vendor(f"Vendor {index:02d}")
        _submit(client, bearer(user), vendor, _document(index))
        stale.append(_served(client, world["headers"]).headers["X-Ranking-Stale"] == "true")
    return stale


def _readers(world) -> list:
    return [(world["headers"], world["buyer"].organization_id, None)]


def test_ten_submissions_with_inline_jobs_leave_the_ranking_fresh_after_each(
    client, world, make_vendor, bearer
):
    _served(client, world["headers"])  # stored by its first reader
    stale = _submit_and_read(client, world, make_vendor, bearer)
    assert stale == [False] * SUBMISSIONS  # each refresh ran inline, before the read answered
    _assert_stored_is_fresh(client, _readers(world))
    # each change ran its own refreshes (nothing waited to absorb the next)
    assert len(_jobs(REFRESH_KIND)) == SUBMISSIONS
    assert [job.status for job in _jobs(SCORES_REFRESH)] == ["succeeded"] * (SUBMISSIONS + 2)


def test_ten_submissions_with_queued_jobs_cause_one_refresh_of_each_and_end_fresh(
    app,
    client,
    world,
    make_vendor,
    bearer,
    sent,  # noqa: F811
):
    _served(client, world["headers"])
    snapshot_jobs_before = len(_jobs(SCORES_REFRESH))
    app.config["BROKER_URL"] = FAKE_BROKER  # a worker-less broker: every job waits
    stale = _submit_and_read(client, world, make_vendor, bearer)
    assert stale == [True] * SUBMISSIONS
    rankings, snapshots = _jobs(REFRESH_KIND), _jobs(SCORES_REFRESH)[snapshot_jobs_before:]
    assert [job.status for job in rankings] == ["queued"]  # ten reads, one refresh
    assert [job.status for job in snapshots] == ["queued"]  # ten submissions, one re-scoring
    assert snapshots[0].params == {"period_end": "2025-12-31"}
    # the worker runs what was sent, in order: the ranking is then current and fresh
    assert sent == [snapshots[0].id, rankings[0].id]
    for job_id in sent:
        assert runner.run_job(job_id) == "succeeded"
    app.config["BROKER_URL"] = None
    _assert_stored_is_fresh(client, _readers(world))
    assert len(_jobs(REFRESH_KIND)) == 1  # the read found it current: nothing more queued
    # the one snapshot refresh scored all twelve vendors of the period
    peers = db.session.scalars(
        select(ScoreSnapshot.peers).where(ScoreSnapshot.period_end == PERIOD)
    ).all()
    assert peers == [SUBMISSIONS + 2] * (SUBMISSIONS + 2)


def _claim(job_id: int) -> None:
    """A worker takes the job (it is running from here on) without running it yet."""
    assert runner._claim(job_id)


def test_a_change_while_a_refresh_runs_queues_one_more_and_it_runs_after(
    app,
    client,
    world,
    make_vendor,
    bearer,
    sent,  # noqa: F811
):
    _served(client, world["headers"])
    app.config["BROKER_URL"] = FAKE_BROKER
    vendor, user = make_vendor("Early")
    _submit(client, bearer(user), vendor, _document(0))
    assert _served(client, world["headers"]).headers["X-Ranking-Stale"] == "true"
    [first] = _jobs(REFRESH_KIND)
    _claim(first.id)  # running: it may have read the data before the changes below
    for index in range(1, 4):
        vendor, user = make_vendor(f"Late {index}")
        _submit(client, bearer(user), vendor, _document(index))
        assert _served(client, world["headers"]).headers["X-Ranking-Stale"] == "true"
    jobs = _jobs(REFRESH_KIND)
    assert [job.status for job in jobs] == ["running", "queued"]  # three changes, one more
    # the first ends (here: it is put back and run, so it reads everything), then the second
    db.session.execute(update(Job).where(Job.id == first.id).values(status=JobStatus.QUEUED))
    db.session.commit()
    assert runner.run_job(first.id) == "succeeded"
    assert runner.run_job(jobs[1].id) == "succeeded"
    second = db.session.get(Job, jobs[1].id)
    db.session.refresh(second)
    assert second.result["already_current"] is True  # the first left it current: no work
    app.config["BROKER_URL"] = None
    _assert_stored_is_fresh(client, _readers(world))


def test_a_snapshot_refresh_requested_while_one_runs_is_queued_once(app, world, make_user):
    user = make_user("buyer")
    with app.test_request_context(method="POST"):
        first = start_refresh(PERIOD, user.organization_id, user)
        db.session.commit()
        db.session.info.pop(runner.COMMITTED, None)  # not started: a worker will take it
        again = start_refresh(PERIOD, world["alpha"].organization_id, user)
        assert again.id == first.id  # queued, not started: it stands for this request too
        db.session.commit()
        _claim(first.id)
        followers = [start_refresh(PERIOD, user.organization_id, user) for _ in range(2)]
        db.session.commit()
        later = start_refresh(PERIOD, user.organization_id, user)
        db.session.commit()
        db.session.info.pop(runner.COMMITTED, None)
    assert followers[0].id == followers[1].id == later.id != first.id
    other = start_refresh(date(2024, 12, 31), user.organization_id, user)  # another period
    assert other.id not in (first.id, later.id)
    db.session.rollback()
    statuses = [(job.params["period_end"], job.status) for job in _jobs(SCORES_REFRESH)]
    assert statuses[-2:] == [("2025-12-31", "running"), ("2025-12-31", "queued")]


def test_a_queued_job_asked_to_cancel_absorbs_nothing(app, make_user):
    user = make_user("buyer")
    with app.test_request_context(method="POST"):
        first = start_refresh(PERIOD, user.organization_id, user)
        db.session.commit()
        db.session.info.pop(runner.COMMITTED, None)
        db.session.execute(update(Job).where(Job.id == first.id).values(cancel_requested=True))
        db.session.commit()
        again = start_refresh(PERIOD, user.organization_id, user)
        db.session.rollback()
    assert again.id != first.id


def test_no_one_cancels_a_refresh_that_others_joined(app, client, make_user, bearer):
    """Another organization's submission joined the queued snapshot refresh: the user who
    queued it may not cancel it (409), so the other's change is still scored."""
    user, other = make_user("admin"), make_user("vendor")
    with app.test_request_context(method="POST"):
        first = start_refresh(PERIOD, user.organization_id, user)
        db.session.commit()
        db.session.info.pop(runner.COMMITTED, None)
        joined = start_refresh(PERIOD, other.organization_id, other)
        db.session.commit()
        db.session.info.pop(runner.COMMITTED, None)
    assert joined.id == first.id
    refused = client.post(f"/api/v1/jobs/{first.id}/cancel", headers=bearer(user))
    assert refused.status_code == 409, refused.json
    assert "cannot be cancelled" in refused.json["message"]
    db.session.expire_all()
    job = db.session.get(Job, first.id)
    assert (job.status, job.cancel_requested) == (JobStatus.QUEUED, False)


def test_a_refresh_that_read_older_data_never_replaces_a_newer_ranking(
    app, client, world, monkeypatch
):
    """Two refreshes of one key at once, on two workers: the one that read the data versions
    before a change ends last. It keeps what the later one stored, not its own older rows."""
    from procure.scoring import rankings

    _served(client, world["headers"])  # stored at today's versions
    organization_id = world["buyer"].organization_id
    [stored] = db.session.scalars(
        select(rankings.StoredRanking).where(
            rankings.StoredRanking.organization_id == organization_id
        )
    ).all()
    key = rankings.RankingKey(
        organization_id=stored.organization_id,
        profile_id=stored.profile_id,
        category=stored.category,
        top_k=stored.top_k,
        coalition_id=stored.coalition_id,
    )
    older = (stored.global_version - 1, stored.organization_version)
    monkeypatch.setattr(rankings, "data_versions", lambda _organization_id: older)
    with app.test_request_context(method="POST"):
        kept = rankings.store_ranking(key)
        db.session.commit()
    ids = db.session.scalars(
        select(rankings.StoredRanking.id).where(
            rankings.StoredRanking.organization_id == organization_id
        )
    ).all()
    assert kept.id == stored.id and ids == [stored.id]


def test_a_refresh_asked_for_within_the_gap_waits_and_the_changes_join_it(
    app, client, world, make_vendor, bearer, monkeypatch
):
    """The gap (refresh_min_gap_seconds, 60 s): a refresh asked for 10 s after the last one ended
    waits, queued, until 60 s after it; the workers get it with that not-before time, the job
    API says so, and the changes meanwhile join it. Once it has run, the stored ranking is a
    fresh one; a change after the gap is refreshed at once."""
    sends: list[tuple[int, object]] = []
    monkeypatch.setattr(
        queue, "send_job", lambda _app, job_id, *args: sends.append((job_id, args[3]))
    )
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    assert app.config["REFRESH_MIN_GAP_SECONDS"] == 60.0
    _served(client, world["headers"])
    app.config["BROKER_URL"] = FAKE_BROKER
    vendor, user = make_vendor("First")
    _submit(client, bearer(user), vendor, _document(0))
    _served(client, world["headers"])
    [first] = _jobs(REFRESH_KIND)
    assert first.retry_at is None and (first.id, None) in sends  # none ran lately: at once
    assert runner.run_job(first.id) == "succeeded"
    ended = _jobs(REFRESH_KIND)[0].finished_at
    monkeypatch.setattr(services, "utcnow", lambda: ended + timedelta(seconds=10))
    for index in range(1, 4):
        vendor, user = make_vendor(f"Soon {index}")
        _submit(client, bearer(user), vendor, _document(index))
        assert _served(client, world["headers"]).headers["X-Ranking-Stale"] == "true"
    [_, waiting] = _jobs(REFRESH_KIND)  # three changes, one refresh, waiting out the gap
    due = ended + timedelta(seconds=60)
    assert (waiting.status, waiting.retry_at) == ("queued", due)
    assert (waiting.id, due) in sends  # Celery holds it until then (eta)
    shown = client.get(f"/api/v1/jobs/{waiting.id}", headers=world["headers"]).json
    assert shown["status"] == "queued"
    assert shown["message"] == services.waiting_until(due)
    assert f"runs after {due:%H:%M:%S} UTC" in shown["message"]
    # the gap has passed: a worker runs it, and the last change is in the stored ranking
    assert runner.run_job(waiting.id) == "succeeded"
    assert _jobs(REFRESH_KIND)[1].retry_at is None  # a running or ended job waits for nothing
    app.config["BROKER_URL"] = None
    _assert_stored_is_fresh(client, _readers(world))
    assert len(_jobs(REFRESH_KIND)) == 2
    # a change once the gap after that run has passed is refreshed at once
    ended = _jobs(REFRESH_KIND)[1].finished_at
    monkeypatch.setattr(services, "utcnow", lambda: ended + timedelta(seconds=61))
    app.config["BROKER_URL"] = FAKE_BROKER
    vendor, user = make_vendor("Later")
    _submit(client, bearer(user), vendor, _document(4))
    _served(client, world["headers"])
    later = _jobs(REFRESH_KIND)[2]
    assert (later.status, later.retry_at) == ("queued", None)


def test_the_background_runner_holds_a_job_until_its_not_before_time(app, monkeypatch):
    """The embedded setup's runner (`procure serve`): a job with a not-before time joins the
    line then (a timer, faked here), one without it or past it at once."""
    timers = []

    class FakeTimer:
        def __init__(self, interval, function, args):
            timers.append((interval, function, args))

        def start(self):
            pass

    now = services.utcnow()
    monkeypatch.setattr(background.threading, "Timer", FakeTimer)
    monkeypatch.setattr(background, "utcnow", lambda: now)
    runner_thread = background.BackgroundRunner(app, lambda _job_id: None)  # never started
    runner_thread.submit(1, now + timedelta(seconds=30))
    runner_thread.submit(2, now - timedelta(seconds=1))
    runner_thread.submit(3)
    assert [runner_thread.waiting.get_nowait() for _ in range(2)] == [2, 3]
    assert runner_thread.waiting.empty()
    [(interval, function, args)] = timers
    assert interval == 30.0
    function(*args)  # the time has come
    assert runner_thread.waiting.get_nowait() == 1


def test_a_job_sent_with_a_not_before_time_reaches_celery_with_its_eta(app, monkeypatch):
    sent_tasks = []

    class FakeCelery:
        def send_task(self, name, **options):
            sent_tasks.append(options)

    monkeypatch.setattr(queue, "celery_for", lambda *_args: FakeCelery())
    due = services.utcnow() + timedelta(seconds=45)
    queue.send_job(app, 7, 10.0, runner.run_job, runner.reap_and_commit, due)
    queue.send_job(app, 8, 10.0, runner.run_job, runner.reap_and_commit)
    assert [(task["args"], task["eta"]) for task in sent_tasks] == [([7], due), ([8], None)]
