"""Health: `/healthz/live` checks the process, `/healthz/ready` (and `/healthz`) the database;
the broker is reported in the body and at `/healthz/broker`, and never pulls a web host."""

import socket

import pytest
from sqlalchemy.exc import OperationalError

from procure import health


def _unused_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_ready_with_the_database_only(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json["status"] == "ok" and response.json["checks"]["database"]["ok"] is True
    assert "broker" not in response.json["checks"]


def test_live_checks_nothing_but_the_process(client, monkeypatch):
    def no_database():
        raise AssertionError("liveness must not touch the database")

    monkeypatch.setattr(health, "_check_database", no_database)
    response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json == {"status": "ok", "checks": {}}


def test_an_unreachable_broker_never_pulls_the_host(app, client):
    app.config["BROKER_URL"] = f"redis://:secret-password@127.0.0.1:{_unused_port()}/0"
    for path in ("/healthz", "/healthz/ready"):
        response = client.get(path)
        assert response.status_code == 200 and response.json["status"] == "ok"
        assert response.json["checks"]["broker"] == {
            "ok": False,
            "error": "ConnectionRefusedError",
        }
        assert "secret-password" not in response.text
    monitored = client.get("/healthz/broker")
    assert monitored.status_code == 503 and monitored.json["status"] == "unavailable"
    assert "secret-password" not in monitored.text
    assert client.get("/healthz/live").status_code == 200


def test_a_reachable_broker_is_ok(app, client):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        app.config["BROKER_URL"] = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        ready = client.get("/healthz/ready")
        monitored = client.get("/healthz/broker")
    assert ready.status_code == 200 and ready.json["checks"]["broker"]["ok"] is True
    assert monitored.status_code == 200 and monitored.json["checks"]["broker"]["ok"] is True


def test_without_a_broker_its_endpoint_has_nothing_to_check(client):
    response = client.get("/healthz/broker")
    assert response.status_code == 200 and response.json == {"status": "ok", "checks": {}}


def test_a_database_outage_takes_the_host_out_but_keeps_it_alive(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(health.db.session, "execute", broken)
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503 and ready.json["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
    }
    assert "server closed" not in ready.text
    assert client.get("/healthz/live").status_code == 200
