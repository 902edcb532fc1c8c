"""The one JSON error shape, `{code, status, message, errors}`, and its handlers.

API requests (under /api/) always get JSON; pages get an HTML error page with the same message.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from procure.extensions import db

log = logging.getLogger(__name__)


class ConflictError(Exception):
    """A stale edit or a change to something immutable: answers 409 with the message."""

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(Exception):
    """Input that breaks a rule the schema cannot express: answers 422 with per-field messages."""

    def __init__(self, errors: dict[str, Any], message: str = "The input is not valid."):
        super().__init__(message)
        self.message = message
        self.errors = errors


class StoredFileUnreadable(Exception):
    """A stored file (an evidence file, an attestation's statement) that cannot be served as it
    was stored: missing, or bytes that no longer match the SHA-256 recorded with it. A fault of
    ours: answers 500 with the message and is logged; other bytes are never served."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def error_body(code: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    status = HTTPStatus(code)
    body: dict[str, Any] = {
        "code": code,
        "status": status.phrase,
        "message": message or status.description,
    }
    if errors:
        body["errors"] = errors
    return body


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def respond_error(code: int, message: str | None = None, errors: Any = None, headers=None):
    body = error_body(code, message, errors)
    response = jsonify(body) if wants_json() else render_template("error.html", error=body)
    return response, code, headers or {}


def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if (
        isinstance(errors, dict)
        and set(errors) <= {"json", "form", "query", "files", "headers", "path", "cookies"}
        and len(errors) == 1
    ):
        # webargs nests messages under the location: a single location's fields are flattened; a
        # message about the location as a whole (a body that is not JSON) stays under its name,
        # so `errors` is always an object, as the API documents it
        location, messages = next(iter(errors.items()))
        errors = messages if isinstance(messages, dict) else {location: messages}
    message = data.get("message") or error.description
    if error.code == 422 and errors and not data.get("message"):
        message = "The input is not valid: see the message for each field."
    elif error.code == 400 and errors and not data.get("message"):
        message = "The request could not be read: see the message for each part."
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    return respond_error(error.code or 500, message, errors, headers)


def _conflict(error: ConflictError):
    return respond_error(409, error.message, error.errors)


def _validation(error: ValidationFailed):
    return respond_error(422, error.message, error.errors)


def _stale(error: StaleDataError):
    """A version check that failed outside the services' own (procure.editing.save_changes): the
    request changes nothing. Rolled back first, so the error page can read the signed-in user."""
    db.session.rollback()
    return respond_error(
        409,
        "This record was changed by someone else at the same moment. "
        "Reload it and apply your change again.",
    )


OUT_OF_RANGE_STATES = ("22003", "22001")  # PostgreSQL: numeric value out of range, string too long


def _out_of_range(error: DataError):
    """A value the database cannot hold (an integer past its range, a text past its column): the
    request changes nothing and says so, instead of failing with a 500. Any other data error of
    the database (a division by zero, a bad date) is a fault of ours and answers 500.

    There is no handler for Python's OverflowError: a number too large for its field is refused
    where it is read (RecordId, RecordVersion, the route converter, scoring's read_number) with
    the field's name, and any OverflowError left is a fault of ours (500, logged)."""
    if getattr(error.orig, "sqlstate", None) not in OUT_OF_RANGE_STATES:
        return _unexpected(error)
    db.session.rollback()
    log.warning("out-of-range value on %s %s", request.method, request.path, exc_info=error)
    return respond_error(422, "A value in the request is too large for any record or field here.")


RETRY_AFTER_SECONDS = 30


def _unavailable(error: OperationalError | InterfaceError):
    """The database cannot be reached (connections cut, a server restarting, a lock held too
    long): nothing was saved, and trying again later may work. The error page is drawn without the
    database when it cannot be drawn with it."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the session is discarded with the request
        log.debug("rollback after a database error failed", exc_info=True)
    if g.get("committed"):  # jobs ran inline after the commit, and the answer came after them
        message = (
            "Your change was saved, but the database went away before the answer was ready: "
            "reload the page shortly to see it."
        )
    else:
        message = "The database is not available right now. Nothing was saved: try again shortly."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        return respond_error(503, message, headers=headers)
    except Exception:
        return jsonify(error_body(503, message)), 503, headers


def _unreadable(error: StoredFileUnreadable):
    log.error("stored file unreadable on %s %s: %s", request.method, request.path, error.message)
    return respond_error(500, error.message)


def _unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, HTTPException) and not isinstance(original, InternalServerError):
        return _http_error(original)
    return respond_error(500, "Something went wrong on our side. The error has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ConflictError, _conflict)
    app.register_error_handler(ValidationFailed, _validation)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(DataError, _out_of_range)  # PostgreSQL: numeric value out of range
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(InterfaceError, _unavailable)
    app.register_error_handler(StoredFileUnreadable, _unreadable)
    app.register_error_handler(Exception, _unexpected)
