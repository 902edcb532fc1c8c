"""Health for load balancers and monitoring.

- `/healthz/live`: the process answers (liveness: restart it when this fails).
- `/healthz/ready` (and `/healthz`): the database answers (readiness: take the host out of the
  pool when this fails). The broker's state is in the body but never fails it.
- `/healthz/broker`: the broker alone, for monitoring.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from procure.access import PUBLIC, access
from procure.extensions import db

bp = Blueprint("health", __name__)


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not healthy"; the reason is reported
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_broker(url: str) -> dict:
    """A TCP connection to the broker's host and port (no credentials are sent or shown)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2
        ):
            pass
    except OSError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _answer(checks: dict, healthy: bool):
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


def _broker_checks() -> dict:
    url = current_app.config.get("BROKER_URL")
    return {"broker": _check_broker(url)} if url else {}


@bp.route("/healthz/live")
@access(PUBLIC)
def live():
    """The process answers: nothing else is checked (a restart would not mend the database)."""
    return _answer({}, True)


@bp.route("/healthz")
@bp.route("/healthz/ready")
@access(PUBLIC)
def ready():
    """May this web process take requests? Only the database decides: the web app serves every
    request without the broker (new jobs wait queued and are sent again when it is back), so a
    broker outage is reported in the body and never pulls a web host."""
    checks = {"database": _check_database(), **_broker_checks()}
    return _answer(checks, checks["database"]["ok"])


@bp.route("/healthz/broker")
@access(PUBLIC)
def broker():
    """The broker alone, for monitoring (503 when it is configured and unreachable)."""
    checks = _broker_checks()
    return _answer(checks, all(check["ok"] for check in checks.values()))
