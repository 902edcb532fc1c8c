"""`/healthz` reports the database and, when configured, the broker; 503 when one is down."""

import socket


def test_healthy_with_the_database_only(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["checks"]["database"]["ok"] is True
    assert "broker" not in response.json["checks"]


def test_an_unreachable_broker_answers_503_without_showing_the_url(app, client):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["BROKER_URL"] = f"redis://:secret-password@127.0.0.1:{port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
    assert response.json["checks"]["broker"]["ok"] is False
    assert "secret-password" not in response.text


def test_a_reachable_broker_is_ok(app, client):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        app.config["BROKER_URL"] = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json["checks"]["broker"]["ok"] is True
