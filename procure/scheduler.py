"""Daily rounds: the campaigns' scheduled reminders and the notifications' mail digest.

`run_daily_rounds(today)` does both, each in its own unit of work (committed by
`transactions.command`, so their mail goes after the commit). `procure campaigns remind` and
`procure notifications digest` run one each (cron-able); the `Scheduler` thread runs both every
`schedule_interval_seconds` wherever the job reaper runs (`procure demo`, `procure worker`). Both
may run on several hosts at once and as often as they like: a vendor is reminded at most once a
day, whichever campaigns await it (one reminder naming them all), and a user gets at most one
digest a day (each claimed by a conditional UPDATE).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date

from flask import Flask

from procure.audit.services import SYSTEM
from procure.campaigns.progress import today_utc
from procure.campaigns.reminders import send_scheduled_reminders
from procure.notifications.services import send_digests
from procure.transactions import command

log = logging.getLogger("procure.scheduler")


@dataclass(frozen=True)
class RoundsDone:
    reminded: int  # vendors reminded
    digests: int  # digests mailed


def remind_campaigns(today: date | None = None) -> int:
    """Send the reminders due `today` (default: the UTC date), committed; how many vendors."""
    with command():
        return send_scheduled_reminders(today or today_utc(), SYSTEM)


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


def run_daily_rounds(today: date | None = None) -> RoundsDone:
    """Both rounds; a failure of the first does not stop the second."""
    reminded = digests = 0
    try:
        reminded = remind_campaigns(today)
    except Exception:
        log.exception("the campaigns' reminders failed")
    try:
        digests = mail_digests(today).mailed
    except Exception:
        log.exception("the notifications' digest failed")
    return RoundsDone(reminded, digests)


class Scheduler(threading.Thread):
    """Runs the daily rounds every `interval` seconds in the background, the first time at once
    (a process that restarts often still reminds and digests, each at most once a day)."""

    def __init__(self, app: Flask, interval: float):
        super().__init__(name="procure-scheduler", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()
        self.rounds = 0  # rounds run, for tests and logs

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.app.app_context():
                done = run_daily_rounds()
            self.rounds += 1
            if done.reminded or done.digests:
                log.info("reminded %d vendor(s), mailed %d digest(s)", done.reminded, done.digests)
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
