"""The scheduler: the jobs' round every few seconds, and the daily rounds.

The jobs' round (`procure.jobs.runner.tend_jobs`) marks failed the running jobs whose worker
went silent or overran, queues again the failed system jobs whose retry is due, and sends again
the queued jobs whose message is overdue (lost) or could not be sent (the broker was down).

The events' round (`close_events`), at the same pace, closes the sealed sourcing events whose
deadline has passed, as a buyer's close would (state, audit event by the system, the vendors
told); `procure events close-due` runs it once (cron-able).

The daily rounds are the campaigns' scheduled reminders, the notifications' mail digest, and
the re-scoring of the snapshots priced before an exchange rate came into force (`rescore_rates`:
a rate entered ahead of its day re-scores when that day comes, as its entry would have).
`run_daily_rounds(today)` does them all, each in its own unit of work (committed by
`transactions.command`, so their mail and jobs go after the commit). `procure campaigns
remind`, `procure notifications digest` and `procure rates rescore-due` run one each
(cron-able).

The `Scheduler` thread runs them all wherever jobs are worked (`procure worker`, and the embedded
server of `procure demo`). Every round may run on several hosts at once and as often as it
likes: each job is taken by one conditional UPDATE, a vendor is reminded at most once a day,
whichever campaigns await it (one reminder naming them all), and a user gets at most one digest
a day (each claimed by a conditional UPDATE), an event is closed once (a conditional
UPDATE too), and a period is re-scored once for a rate that came into force (the refresh prices
its snapshots on its own day, and one queued or running is left to finish; two hosts in the
same instant may each queue one, which run one after the other to the same snapshots).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask

from procure.audit.services import SYSTEM
from procure.campaigns.progress import today_utc
from procure.campaigns.reminders import send_scheduled_reminders
from procure.disclosures.pricing import pricing_day
from procure.events.services import close_due_events, event_now
from procure.jobs.runner import tend_jobs
from procure.notifications.services import send_digests
from procure.scoring.jobs import rescore_due_rates
from procure.transactions import command

log = logging.getLogger("procure.scheduler")


@dataclass(frozen=True)
class RoundsDone:
    reminded: int  # vendors reminded
    digests: int  # digests mailed
    rescored: int = 0  # periods queued for re-scoring: a rate of theirs came into force


def remind_campaigns(today: date | None = None) -> int:
    """Send the reminders due `today` (default: the UTC date), committed; how many vendors."""
    with command():
        return send_scheduled_reminders(today or today_utc(), SYSTEM)


def close_events(now: datetime | None = None) -> int:
    """Close the sealed events whose deadline passed by `now` (default: this moment, UTC),
    committed (the vendors' mail goes after the commit); how many."""
    with command():
        return close_due_events(now or event_now())


@dataclass(frozen=True)
class DigestRound:
    mailed: int  # digests the mail server took
    refused: int  # digests it did not take (logged): their day is given back to the next round


def mail_digests(today: date | None = None) -> DigestRound:
    """Mail the digests due `today` (default: the UTC date), committed; counted once the mail
    server answered (the sending follows the commit)."""
    with command():
        queued = send_digests(today or today_utc())
    mailed = sum(outgoing.sent for outgoing in queued)
    return DigestRound(mailed, len(queued) - mailed)


def rescore_rates(today: date | None = None) -> list[date]:
    """Queue the re-scoring of the periods whose snapshots priced before a rate in force by
    `today` (default, and at the latest: the day scores are priced on, `pricing_day`, since the
    refresh prices on its own day) came into force, committed (the refreshes start after the
    commit); the periods (`scoring.jobs.rescore_due_rates`)."""
    priced_on = pricing_day()
    with command():
        return rescore_due_rates(min(today or priced_on, priced_on))


def run_daily_rounds(today: date | None = None) -> RoundsDone:
    """Every daily round; a failure of one does not stop the next."""
    reminded = digests = rescored = 0
    try:
        reminded = remind_campaigns(today)
    except Exception:
        log.exception("the campaigns' reminders failed")
    try:
        digests = mail_digests(today).mailed
    except Exception:
        log.exception("the notifications' digest failed")
    try:
        rescored = len(rescore_rates(today))
    except Exception:
        log.exception("the re-scoring for the exchange rates that came into force failed")
    return RoundsDone(reminded, digests, rescored)


def job_round_seconds(config: Mapping[str, Any]) -> float:
    """How often the jobs' round runs: twice within the shorter of the stale and the re-send
    windows (so a dead job is failed, and a lost message sent again, at most half a window late),
    and at least every 30 s (a due retry waits no longer), never more than five times a second."""
    windows = (float(config["JOB_STALE_SECONDS"]), float(config["JOB_RESEND_SECONDS"]), 60.0)
    return max(min(windows) / 2, 0.2)


class Scheduler(threading.Thread):
    """Runs the daily rounds every `interval` seconds, and the jobs' and the events' rounds every
    `job_interval` seconds, in the background (0: that round never), each the first time at once
    (a process that restarts often still reminds and digests, each at most once a day)."""

    def __init__(self, app: Flask, interval: float, job_interval: float = 0.0):
        super().__init__(name="procure-scheduler", daemon=True)
        self.app, self.interval, self.job_interval = app, interval, job_interval
        self.stopped = threading.Event()
        self.rounds = 0  # daily rounds run, for tests and logs
        self.job_rounds = 0  # jobs' rounds run, for tests and logs
        self.event_rounds = 0  # events' rounds run, for tests and logs

    def run(self) -> None:
        next_daily = time.monotonic()
        while not self.stopped.is_set():
            if self.job_interval > 0:
                self._tend_jobs()
                self._close_events()
            if self.interval > 0 and time.monotonic() >= next_daily:
                self._daily_rounds()
                next_daily = time.monotonic() + self.interval
            waits = []
            if self.job_interval > 0:
                waits.append(self.job_interval)
            if self.interval > 0:
                waits.append(max(next_daily - time.monotonic(), 0.0))
            if not waits:
                return
            self.stopped.wait(min(waits))

    def _tend_jobs(self) -> None:
        try:
            with self.app.app_context():
                done = tend_jobs()
        except Exception:  # the app context itself failed: try again at the next round
            log.warning("the jobs' round failed", exc_info=True)
            return
        self.job_rounds += 1
        if done:
            log.info(
                "jobs: %d stale marked failed, %d retried by themselves, %d sent again",
                done.reaped,
                done.requeued,
                done.resent,
            )

    def _close_events(self) -> None:
        try:
            with self.app.app_context():
                closed = close_events()
        except Exception:  # a database outage: the next round tries again
            log.warning("the events' round failed", exc_info=True)
            return
        self.event_rounds += 1
        if closed:
            log.info("closed %d sourcing event(s) past their deadline", closed)

    def _daily_rounds(self) -> None:
        with self.app.app_context():
            done = run_daily_rounds()
        self.rounds += 1
        if done.reminded or done.digests:
            log.info("reminded %d vendor(s), mailed %d digest(s)", done.reminded, done.digests)
        if done.rescored:
            log.info("re-scoring %d period(s): an exchange rate came into force", done.rescored)

    def stop(self) -> None:
        self.stopped.set()
