"""The scheduler closes a sealed event once its deadline has passed, as a buyer's close would:
the state, the audit event (by the system), the invited vendors told; once, however many rounds
or schedulers run."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.events.models import SourcingEvent
from procure.extensions import db
from procure.notifications.models import Notification
from procure.scheduler import Scheduler, close_events
from tests.app.test_events import _create, _past_deadline, _published
from tests.app.test_events import sourcing as sourcing  # noqa: F401 (a fixture)
from tests.conftest import run_cli


def _closes(event_id: int) -> list[tuple]:
    return list(
        db.session.execute(
            select(AuditEvent.actor_id, AuditEvent.organization_id, AuditEvent.changes)
            .where(
                AuditEvent.action == "event.close",
                AuditEvent.target_type == "SourcingEvent",
                AuditEvent.target_id == str(event_id),
            )
            .order_by(AuditEvent.id)
        ).all()
    )


def _closed_notices(user) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Notification.user_id == user.id, Notification.kind == "event_closed"
        )
    )


def _event(event_id: int) -> SourcingEvent:
    db.session.expire_all()
    return db.session.get_one(SourcingEvent, event_id)


def test_a_due_event_closes_on_the_schedulers_round_once_and_others_are_untouched(
    app, client, sourcing
):
    s = sourcing
    due = _published(client, s)
    ahead = _published(client, s, title="Still open")
    draft = _create(client, s, title="A draft")
    cancelled = _published(client, s, title="Called off")
    unsealed = _published(client, s, title="Not sealed", sealed=False)
    gone = client.post(
        f"/api/v1/events/{cancelled['id']}/cancel",
        headers=s.headers["buyer_x"],
        json={"version": cancelled["version"]},
    )
    assert gone.status_code == 200, gone.json
    for event in (due, draft, cancelled, unsealed):
        _past_deadline(event["id"])
    told_before = _closed_notices(s.users["vendor_a"])

    # one round of the scheduler's thread (its events' round runs with the jobs' round)
    scheduler = Scheduler(app, interval=0, job_interval=0.1)
    scheduler.start()
    try:
        limit = time.monotonic() + 20
        while time.monotonic() < limit and _event(due["id"]).state != "closed":
            time.sleep(0.05)
    finally:
        scheduler.stop()
        scheduler.join(timeout=10)
    assert scheduler.event_rounds >= 1

    closed = _event(due["id"])
    assert (closed.state, closed.ended_by_id, closed.version) == ("closed", None, 3)
    assert closed.ended_at is not None
    # the audit event: by the system (no user), under the buyer's organization
    assert _closes(due["id"]) == [
        (
            None,
            s.users["buyer_x"].organization_id,
            {"before": {"state": "published"}, "after": {"state": "closed"}},
        )
    ]
    assert _closed_notices(s.users["vendor_a"]) == told_before + 1
    assert _closed_notices(s.users["vendor_b"]) >= 1
    assert _closed_notices(s.users["vendor_c"]) == 0  # not invited

    # before its deadline, a draft, a cancelled one and an unsealed one: untouched
    for event, state in (
        (ahead, "published"),
        (draft, "draft"),
        (cancelled, "cancelled"),
        (unsealed, "published"),
    ):
        assert (_event(event["id"]).state, _closes(event["id"])) == (state, [])

    # later rounds close nothing more and tell nobody again
    assert close_events() == 0
    assert close_events() == 0
    assert len(_closes(due["id"])) == 1
    assert _closed_notices(s.users["vendor_a"]) == told_before + 1
    # the buyer now reads the bids, as after a manual close
    assert client.get(f"/api/v1/events/{due['id']}", headers=s.headers["buyer_x"]).json[
        "bids_unsealed"
    ]


def test_a_round_at_the_deadline_closes_and_a_moment_before_does_not(client, sourcing):
    s = sourcing
    event = _published(client, s)
    deadline = _event(event["id"]).deadline
    assert close_events(deadline - timedelta(seconds=1)) == 0
    assert _event(event["id"]).state == "published"
    assert close_events(deadline) == 1  # bids are taken until the deadline, not at it
    assert _event(event["id"]).state == "closed"


def test_two_schedulers_at_once_close_an_event_once(app, client, sourcing):
    s = sourcing
    events = [_published(client, s, title=f"Race {n}") for n in range(3)]
    for event in events:
        _past_deadline(event["id"])
    start = threading.Barrier(2, timeout=20)
    counts: list[int] = []

    def run() -> None:
        with app.app_context():
            start.wait()
            counts.append(close_events(datetime.now(UTC)))
            db.session.remove()

    racers = [threading.Thread(target=run) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert len(counts) == 2 and sum(counts) == 3, counts
    for event in events:
        assert _event(event["id"]).state == "closed"
        assert len(_closes(event["id"])) == 1
    assert _closed_notices(s.users["vendor_a"]) == 3


def test_the_cli_closes_the_due_events(client, sourcing, tmp_path, monkeypatch):
    s = sourcing
    event = _published(client, s)
    _past_deadline(event["id"])
    first = run_cli(["events", "close-due"], tmp_path, monkeypatch)
    assert first.exit_code == 0 and first.output == "Closed 1 event(s).\n", first.output
    second = run_cli(["events", "close-due"], tmp_path, monkeypatch)
    assert second.output == "Closed 0 event(s).\n"
    assert _event(event["id"]).state == "closed"


def test_a_round_that_listed_the_events_before_another_closed_them_closes_nothing_again(
    client, sourcing, monkeypatch
):
    """As a second scheduler whose list of due events was read before the first one committed:
    every event is listed (closed, not due yet, a draft), and the UPDATE's own conditions keep
    it from closing any of them, or writing and sending anything."""
    from procure.events import services

    s = sourcing
    closed, ahead, draft = _published(client, s), _published(client, s), _create(client, s)
    _past_deadline(closed["id"])
    assert close_events() == 1
    real_select = services.select

    class EveryEvent:
        def where(self, *conditions):
            return real_select(SourcingEvent.id)

    def stale_select(*columns):
        return EveryEvent() if columns[0] is SourcingEvent.id else real_select(*columns)

    monkeypatch.setattr(services, "select", stale_select)
    assert close_events() == 0
    assert [_event(e["id"]).state for e in (closed, ahead, draft)] == [
        "closed",
        "published",
        "draft",
    ]
    assert len(_closes(closed["id"])) == 1
    assert _closed_notices(s.users["vendor_a"]) == 1
