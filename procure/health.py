"""`/healthz`: is this web process able to serve? Checks the database and, when set, the broker."""

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


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    checks = {"database": _check_database()}
    if current_app.config.get("BROKER_URL"):
        checks["broker"] = _check_broker(current_app.config["BROKER_URL"])
    healthy = all(check["ok"] for check in checks.values())
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
