"""Benchmark: the stored ranking's refresh (procure.scoring.rankings, #23) at N vendors, and how
many refresh jobs a burst of submissions causes, on PostgreSQL.

Creates a fresh PostgreSQL database, builds its schema with the migrations and loads N vendors
(default 1,000; `--vendors 10000`) and a buyer with bench_load.py's loader (each vendor with its
offers and one submitted 2025 disclosure). Then, in this process:

(a) the refresh's cost, against one plain `rank_vendors` of the same key (every vendor ranked
    with rank stability: what `/scores` computed live per request before #23) in the same run:
    - the first store of the comparison's key (all categories, top 5: rows and every vendor's
      scorecard, `store_ranking`), committed (`--profile` prints its cProfile, top functions);
    - one `rankings.refresh` job for that key after a change (run by the job runner, inline);
    - one `scores.refresh` job of the period (the score snapshots).
(b) a burst: `--submissions` (100) vendors amend and submit their disclosure within
    `--seconds` (60), each followed by a read of the comparison's ranking (`read_ranking`, what
    `/scores` does), with the embedded background runner (`procure serve`'s worker thread)
    running the jobs as they come. A refresh asked for within `refresh_min_gap_seconds` of the
    last one of its key waits until then (`--gap` sets it; default: config/defaults.toml), so
    after the burst the bench waits for the runner to finish, which includes that wait, and
    reads once more. It prints how many `rankings.refresh` and `scores.refresh` jobs were queued
    and how many actually RAN (goal: at most 2 ranking refreshes per key), when each ran
    (seconds after the burst's first submission), how many reads were served stale, and checks
    that the final stored ranking is current and equals a fresh `rank_vendors` (its rows in the
    same order, the same figures).

The database is dropped at the end, also on failure (`--keep` keeps it; `--reuse URL` measures
a kept one again: the burst then amends versions of its own). Run from the repository root:

    python bench/bench_refresh.py [--vendors N] [--submissions S] [--seconds T] [--gap G]
                                  [--profile] [--server URL] [--keep] [--reuse URL]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import bench_database, migrate_and_load  # noqa: E402

BUYER_EMAIL = "buyer@bench.example"
PERIOD = date(2025, 12, 31)  # the loaded disclosures' period


def _timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _profiled(work, top: int = 25) -> tuple[float, str]:
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(work)
    seconds = time.perf_counter() - started
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(top)
    return seconds, text.getvalue()


def _fresh_rows(key) -> list[dict]:
    """The key's ranking computed now, as `store_ranking` computes it (score_rows of
    rank_vendors), without storing it."""
    from procure.scoring.rankings import ranked_for
    from procure.scoring.services import score_rows

    return score_rows(ranked_for(key)[0])


def _comparable(row: dict) -> dict:
    from procure.scoring.rankings import STORED_FIELDS

    return {name: row[name] for name in STORED_FIELDS} | {"points": row["points"]}


def _stored_rows(ranking) -> list[dict]:
    from procure.scoring.rankings import page_rows

    return page_rows(ranking, 0, ranking.peers)


def _jobs_since(first_id: int, origin) -> dict[str, dict[str, object]]:
    """Per kind: how many jobs were queued since `first_id`, how many ran (were started) and,
    of those, how many did the work (a refresh queued while one ran skips it when the one
    before left the ranking current), and when each started, in seconds after `origin`."""
    from sqlalchemy import select

    from procure.extensions import db
    from procure.jobs.models import Job

    counts: dict[str, dict[str, object]] = {}
    for kind, started_at, result in db.session.execute(
        select(Job.kind, Job.started_at, Job.result).where(Job.id >= first_id).order_by(Job.id)
    ):
        counted = counts.setdefault(kind, {"queued": 0, "ran": 0, "worked": 0, "starts": []})
        counted["queued"] += 1  # type: ignore[operator]
        if started_at is not None:
            counted["ran"] += 1  # type: ignore[operator]
            counted["worked"] += not (result or {}).get("already_current")  # type: ignore[operator]
            counted["starts"].append((started_at - origin).total_seconds())  # type: ignore[attr-defined]
    db.session.rollback()
    return counts


def _next_job_id() -> int:
    from sqlalchemy import func, select

    from procure.extensions import db
    from procure.jobs.models import Job

    found = db.session.scalar(select(func.max(Job.id)))
    db.session.rollback()
    return (found or 0) + 1


def _wait_idle(seconds: float = 1800) -> None:
    from sqlalchemy import func, select

    from procure.extensions import db
    from procure.jobs.models import ACTIVE_STATUSES, Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        active = db.session.scalar(select(func.count()).where(Job.status.in_(ACTIVE_STATUSES)))
        db.session.rollback()
        if not active:
            return
        time.sleep(0.2)
    raise SystemExit("the jobs did not finish in time")


def _run_queued() -> None:
    """Run the jobs the loader queued and committed without starting (its first vendors submit
    through the services), as the scheduler's round would, the newest of each kind and params
    only (the others cancelled: it stands for them): the burst starts with none queued."""
    from sqlalchemy import select

    from procure.extensions import db
    from procure.jobs.models import Job
    from procure.jobs.runner import run_job
    from procure.jobs.services import end_job
    from procure.states import JobStatus

    for job_id in db.session.scalars(select(Job.id).where(Job.status == JobStatus.RUNNING)):
        # left running by an earlier run killed mid-job (--reuse): no runner will end it
        end_job(job_id, JobStatus.FAILED, "left running by an earlier benchmark run")
    newest: dict[tuple[str, str], int] = {}
    for job_id, kind, params in db.session.execute(
        select(Job.id, Job.kind, Job.params).where(Job.status == JobStatus.QUEUED).order_by(Job.id)
    ):
        superseded = newest.get((kind, repr(sorted(params.items()))))
        if superseded is not None:
            end_job(superseded, JobStatus.CANCELLED, "superseded", from_status=JobStatus.QUEUED)
        newest[kind, repr(sorted(params.items()))] = job_id
    db.session.commit()
    for job_id in newest.values():
        run_job(job_id)


def measure_refresh(buyer, key, profile: bool) -> dict[str, float]:
    """(a): the seconds of one plain rank_vendors, the first store, one ranking refresh job and
    one snapshot refresh job."""
    from procure.extensions import db
    from procure.jobs.runner import run_job
    from procure.jobs.services import COMMITTED
    from procure.scoring.jobs import start_refresh
    from procure.scoring.rankings import newest, ranked_for, request_refresh, store_ranking
    from procure.scoring.versions import GLOBAL, bump
    from procure.transactions import command

    figures: dict[str, float] = {}
    figures["rank_vendors"], _ = _timed(lambda: ranked_for(key))
    db.session.rollback()

    def first_store() -> None:
        with command():
            store_ranking(key)

    if profile:  # its time is then the profiled one (cProfile slows it down)
        figures["first store"], text = _profiled(first_store)
        print("cProfile of the first store (cumulative):")
        print(text)
    else:
        figures["first store"], _ = _timed(first_store)
    assert newest(key) is not None

    # the runner's work for a queued job: queued and committed without the inline start
    # (the after-commit hook is not called), then run here, timed
    for name, queue in (
        ("ranking refresh job", lambda: request_refresh(key, buyer)),
        ("scores.refresh job", lambda: start_refresh(PERIOD, buyer.organization_id, buyer)),
    ):
        bump(GLOBAL)
        job_id = queue().id
        db.session.commit()
        db.session.info.pop(COMMITTED, None)
        figures[name], _ = _timed(lambda job_id=job_id: run_job(job_id))
    return figures


def burst(buyer, key, submissions: int, seconds: float) -> dict[str, object]:
    """(b): `submissions` amendments submitted within `seconds`, each followed by a read of the
    key's ranking, the embedded background runner running the jobs."""
    from flask import current_app
    from sqlalchemy import select

    from procure.accounts.models import User
    from procure.db import utcnow
    from procure.disclosures.models import Disclosure
    from procure.disclosures.services import amend, submit
    from procure.extensions import db
    from procure.jobs.background import start_background_runner
    from procure.jobs.runner import run_job
    from procure.scoring.rankings import read_ranking
    from procure.states import DisclosureState
    from procure.transactions import command

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = start_background_runner(app, run_job)
    assert runner is not None
    newest_of: dict[int, tuple[int, int]] = {}  # vendor: its newest submitted version, submitter
    for vendor_id, disclosure_id, user_id in db.session.execute(
        select(Disclosure.vendor_id, Disclosure.id, Disclosure.submitted_by_id)
        .where(Disclosure.state == DisclosureState.SUBMITTED)
        .order_by(Disclosure.vendor_id, Disclosure.number)
    ):
        newest_of[vendor_id] = (disclosure_id, user_id)
    latest = list(newest_of.values())[:submissions]
    db.session.rollback()
    first_job = _next_job_id()
    stale = 0
    read_seconds: list[float] = []
    origin = utcnow()
    started = time.perf_counter()
    for index, (disclosure_id, user_id) in enumerate(latest):
        due = started + seconds * index / max(1, len(latest) - 1)
        time.sleep(max(0.0, due - time.perf_counter()))
        with command():
            user = db.session.get_one(User, user_id)
            draft = amend(db.session.get_one(Disclosure, disclosure_id), user)
            draft.figures = dict(draft.figures)  # the same figures, a new submitted version
            submit(draft, user)
        took, served = _timed(lambda: read_ranking(key, buyer))
        read_seconds.append(took)
        stale += served.stale
        db.session.rollback()
    burst_seconds = time.perf_counter() - started
    _wait_idle()  # the last refresh may wait out its gap (refresh_min_gap_seconds) first
    final = read_ranking(key, buyer)  # the runner may still run a refresh this read queued
    _wait_idle()
    final = read_ranking(key, buyer)
    fresh_after = time.perf_counter() - started - burst_seconds
    runner.stop()
    runner.join(timeout=60)
    fresh = _fresh_rows(key)
    stored = _stored_rows(final.ranking)
    same = [_comparable(row) for row in stored] == [_comparable(row) for row in fresh]
    read_seconds.sort()
    return {
        "submitted": len(latest),
        "burst seconds": burst_seconds,
        "stale reads": stale,
        "read p50": read_seconds[len(read_seconds) // 2],
        "jobs": _jobs_since(first_job, origin),
        "seconds to fresh": fresh_after,
        "final current": not final.stale,
        "final equals fresh": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vendors", type=int, default=1000, help="vendors loaded (default 1,000)")
    parser.add_argument("--submissions", type=int, default=100, help="submissions (default 100)")
    parser.add_argument(
        "--seconds", type=float, default=60, help="the burst's length in seconds (default 60)"
    )
    parser.add_argument(
        "--gap",
        type=float,
        help="refresh_min_gap_seconds, the least time between two refreshes of a key "
        "(default: config/defaults.toml)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the first store")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="URL", help="measure a database kept by --keep")
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server (any database on it) to create the benchmark database on",
    )
    arguments = parser.parse_args()

    from sqlalchemy import select

    from procure import create_app
    from procure.accounts.models import User
    from procure.extensions import db
    from procure.scoring.rankings import TOP_K, default_key

    with bench_database(arguments) as (url, instance):
        if not arguments.reuse:
            migrate_and_load(url, instance, arguments.vendors)
        settings: dict[str, object] = {"database_url": url, "secret_key": "bench"}
        if arguments.gap is not None:
            settings["refresh_min_gap_seconds"] = arguments.gap
        app = create_app(settings, instance_path=str(instance))
        with app.app_context():
            buyer = db.session.scalar(select(User).where(User.email == BUYER_EMAIL))
            assert buyer is not None
            key = default_key(buyer.organization_id, "", TOP_K)
            gap = float(app.config["REFRESH_MIN_GAP_SECONDS"])
            _run_queued()
            figures = measure_refresh(buyer, key, arguments.profile)
            outcome = burst(buyer, key, arguments.submissions, arguments.seconds)
            db.session.remove()
            db.engine.dispose()

    base = figures["rank_vendors"]
    print(
        f"{arguments.vendors:,} vendors, PostgreSQL, key: all categories, top {TOP_K}, "
        f"refresh_min_gap_seconds {gap:g}"
    )
    print(f"plain rank_vendors (baseline)   {base:8.3f} s   1.00x")
    for name in ("first store", "ranking refresh job", "scores.refresh job"):
        label = f"{name} (under cProfile)" if name == "first store" and arguments.profile else name
        print(f"{label:<31} {figures[name]:8.3f} s  {figures[name] / base:5.2f}x")
    jobs = outcome["jobs"]
    assert isinstance(jobs, dict)
    print(
        f"burst: {outcome['submitted']} submissions in {outcome['burst seconds']:.1f} s, each "
        f"followed by a read ({outcome['stale reads']} served stale, read p50 "
        f"{float(outcome['read p50']) * 1000:.1f} ms = "  # type: ignore[arg-type]
        f"{float(outcome['read p50']) / base:.3f}x rank_vendors)"  # type: ignore[arg-type]
    )
    for kind in ("rankings.refresh", "scores.refresh"):
        counted = jobs.get(kind, {"queued": 0, "ran": 0, "worked": 0, "starts": []})
        starts = ", ".join(f"{at:.1f}" for at in counted["starts"])  # type: ignore[attr-defined]
        print(
            f"  {kind:<17} queued {counted['queued']:4d}   ran {counted['ran']:4d}   "
            f"of which computed {counted['worked']:4d}   started at [{starts}] s"
        )
    goal = jobs.get("rankings.refresh", {"ran": 0})["ran"] <= 2  # type: ignore[operator]
    print(f"  goal (at most 2 ranking refreshes run): {'met' if goal else 'NOT met'}")
    print(
        f"final stored ranking current: {outcome['final current']} "
        f"{float(outcome['seconds to fresh']):.1f} s after the burst; equals a fresh "  # type: ignore[arg-type]
        f"rank_vendors: {outcome['final equals fresh']}"
    )


if __name__ == "__main__":
    main()
