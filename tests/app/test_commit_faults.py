"""The database goes away in the middle of a write: a write that committed never answers 5xx,
and one that did not answers 503 with Retry-After and saves nothing.

Every write's answer is built before its commit (procure.transactions.commit_answered), so
nothing the answer shows is read after it. On PostgreSQL the fault is real: the request's
connection is terminated by the server (pg_terminate_backend) and the database refuses new
connections (ALLOW_CONNECTIONS false) until the test gives them back. On SQLite every statement
and commit of the engine fails from the chosen moment, as a lost connection does.

The jobs these writes queue go to a broker (a port nobody listens on): with jobs run inline, the
answer carries their outcome and is built after the commit, as the README says.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.jobs.models import Job
from procure.needs.models import Need
from tests.conftest import NEED, csrf_token_from, valid_document


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker(app):
    app.config["BROKER_URL"] = f"redis://127.0.0.1:{_unused_port()}/0"
    yield
    app.config["BROKER_URL"] = ""


class _PostgresOutage:
    """Cuts the test database for real: terminates its connections and refuses new ones."""

    def __init__(self):
        url = make_url(db.engine.url)
        self.database = url.database
        self.admin = url.set(database="postgres", drivername="postgresql").render_as_string(
            hide_password=False
        )

    def _run(self, statement: str) -> None:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(statement)

    def begin(self) -> None:
        self._run(f'ALTER DATABASE "{self.database}" WITH ALLOW_CONNECTIONS false')
        self._run(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()"
        )

    def end(self) -> None:
        self._run(f'ALTER DATABASE "{self.database}" WITH ALLOW_CONNECTIONS true')


class _SqliteOutage:
    """Every statement, commit and new connection of the engine fails while it lasts."""

    def __init__(self):
        self.down = False
        engine = db.engine
        self.hooks = [
            (engine, "before_cursor_execute", self._refuse),
            (engine, "commit", self._refuse),
            (engine.pool, "checkout", self._refuse),
        ]
        for target, name, hook in self.hooks:
            event.listen(target, name, hook)

    def _refuse(self, *_args, **_kwargs) -> None:
        if self.down:
            raise OperationalError("(the database)", {}, ConnectionError("connection lost"))

    def begin(self) -> None:
        self.down = True

    def end(self) -> None:
        self.down = False
        for target, name, hook in self.hooks:
            event.remove(target, name, hook)


@contextmanager
def database_lost(moment: str) -> Iterator[dict]:
    """The database goes away at `moment` of the next request's unit of work: "before_commit"
    (the commit fails) or "after_commit" (the commit is done; everything after it fails)."""
    outage = _PostgresOutage() if db.engine.dialect.name == "postgresql" else _SqliteOutage()
    seen = {"cut": False}
    ours = db.session()

    def cut(session: Session) -> None:
        if not seen["cut"] and session is not ours:  # the request's session
            seen["cut"] = True
            outage.begin()

    event.listen(Session, moment, cut)
    try:
        yield seen
    finally:
        event.remove(Session, moment, cut)
        outage.end()
        db.session().invalidate()  # this test's own connection may have been cut too
        db.engine.dispose()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The writes tried: (name, make the request with the client) -> the expected success status,
# and how to see afterwards that it stood.


def _create_need(client, world):
    return client.post("/api/v1/needs", headers=world["headers"], json={**NEED, "title": "Cut"})


def _update_need(client, world):
    need = world["need"]
    return client.patch(
        f"/api/v1/needs/{need['id']}",
        headers=world["headers"],
        json={"title": "Cut", "version": need["version"]},
    )


def _create_scenario(client, world):
    return client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Cut", "need_ids": [world["need"]["id"]], "targets": {}},
    )


WRITES = {
    "create a need": (_create_need, 201),
    "edit a need": (_update_need, 200),
    "start a scenario's solve (a job)": (_create_scenario, 201),
}


def _stood(name: str, world) -> bool:
    db.session.expire_all()
    if name == "create a need":
        return db.session.scalar(select(Need).where(Need.title == "Cut")) is not None
    if name == "edit a need":
        return db.session.get(Need, world["need"]["id"]).title == "Cut"
    return db.session.scalar(select(Job).where(Job.kind == "scenario.solve")) is not None


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_that_committed_never_answers_5xx(app, client, world, broker, name):
    request, status = WRITES[name]
    with database_lost("after_commit") as seen:
        response = request(client, world)
    assert seen["cut"], "the request never committed"
    assert response.status_code == status, response.text
    assert response.json["id"]  # the answer was built whole, before the commit
    assert _stood(name, world)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_whose_commit_fails_answers_503_and_saves_nothing(app, client, world, broker, name):
    request, _status = WRITES[name]
    needs, jobs = _count(Need), _count(Job)
    with database_lost("before_commit") as seen:
        response = request(client, world)
    assert seen["cut"]
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "30"
    assert response.json["message"].startswith("The database is not available right now.")
    assert not _stood(name, world)
    assert (_count(Need), _count(Job)) == (needs, jobs)


def test_a_submitted_disclosure_stands_when_the_database_goes_after_the_commit(
    app, client, make_vendor, bearer, broker
):
    vendor, user = make_vendor("Cut Ltd")
    headers = bearer(user)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    assert created.status_code == 201, created.text
    with database_lost("after_commit"):
        submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json["state"] == "submitted"
    assert db.session.get(Disclosure, created.json["id"]).state == "submitted"


def test_a_page_form_that_committed_redirects(app, world, sign_in, broker):
    pages = sign_in(app.test_client(), world["buyer"])
    token = csrf_token_from(pages.get("/needs").text)
    form = {**{k: str(v) for k, v in NEED.items()}, "title": "Cut", "csrf_token": token}
    with database_lost("after_commit") as seen:
        response = pages.post("/needs", data=form)
    assert seen["cut"] and response.status_code == 302, response.text[:2000]
    assert _stood("create a need", world)


def test_with_jobs_inline_a_lost_answer_says_the_change_was_saved(app, client, world):
    """Without a broker the answer carries the solve's outcome, so it is built after the commit;
    when the database goes then, the error says the change was saved (it was), not the opposite."""
    with database_lost("after_commit") as seen:
        response = _create_scenario(client, world)
    assert seen["cut"] and response.status_code == 503
    assert response.json["message"].startswith("Your change was saved")
    assert _stood("start a scenario's solve (a job)", world)
