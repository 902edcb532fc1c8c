"""One transaction per request or command, and reads that never write.

Services only flush. The unit of work around them is committed in exactly one place:

- `writes` wraps a page view or API method that may change data. It runs the view; the answer
  is then built (an API method's schema serializes its result, a page renders) and only then is
  the work committed, once, by `commit_answered` (the app's first after-request hook). So an
  answer never reads the database after the commit: a write that committed never answers 5xx,
  and one whose commit fails answers 503 (the error shape) with nothing saved. Then the jobs the
  transaction queued start. The exception: a transaction that queued jobs which run inline (no
  broker: the embedded setup) commits before the answer is built, so that the answer carries
  the jobs' outcome (`commit_before_answer`). Any exception rolls everything back. An answer of
  400 or more rolls back too, unless the view kept its work with `keep_when_refused` (a failed
  sign-in must count even though it answers 401).
- `computes` wraps a POST that only computes (a what-if, a preview): it always rolls back.
- `attempt` runs one change for a page that shows a refusal (ConflictError) as a message instead
  of an error page: the refused change is rolled back, the view goes on.
- `submit` runs a page form's change: a refusal naming fields (ValidationFailed) comes back as
  the form's errors, a conflict is flashed; either is rolled back.
- `command` is the same rule for a CLI command: commit once at the end, or roll back.
- `discard` rolls back for an error handler.

GET and HEAD requests never write: `guard_reads` makes any flush, data-changing statement or
commit during one a fault (raised in tests, logged in production). The one exception is named
where it happens: `stores_derived` lets a read store what it derived from the data and nothing
else (a ranking computed for its first reader, the refresh of a stale one) and commits it then.
The job runner (`procure.jobs.runner`) owns its own short transactions and is the only other
place that commits.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import Flask, Response, current_app, flash, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class ReadWroteError(RuntimeError):
    """A GET or HEAD request tried to change the database."""


_AFTER_COMMIT: list[Callable[[], None]] = []


def after_commit(hook: Callable[[], None]) -> Callable[[], None]:
    """Run `hook` after each commit of a request or command (the job runner starts the jobs
    the transaction queued). Registered by the module that owns the work, so this module
    depends on none of them."""
    _AFTER_COMMIT.append(hook)
    return hook


_COMMIT_BEFORE_ANSWER: list[Callable[[], bool]] = []


def commit_before_answer(predicate: Callable[[], bool]) -> Callable[[], bool]:
    """Register `predicate`: while it holds for the open transaction, `writes` commits before
    the answer is built instead of after (the job runner: jobs that run inline, whose outcome
    the answer carries). Registered by the module that owns the work."""
    _COMMIT_BEFORE_ANSWER.append(predicate)
    return predicate


def _commit() -> None:
    db.session.commit()
    if has_request_context():
        g.committed = True  # an error after this point must not say "nothing was saved"
    _after_commit()


def _after_commit() -> None:
    for hook in _AFTER_COMMIT:
        hook()


def discard() -> None:
    """Roll back the unit of work (an error handler, or a refused change)."""
    db.session.rollback()


def _status_of(result: Any) -> int:
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], int):
        return result[1]
    status = getattr(result, "status_code", None)
    return status if isinstance(status, int) else 200


def keep_when_refused() -> None:
    """Commit this request's work even though it answers 400 or more (failed sign-ins count)."""
    g.keep_when_refused = True


def writes(view: F) -> F:
    """Commit the view's work once when it succeeds (then start the jobs it queued); roll back
    when it raises or refuses. Put it directly on the view function or MethodView method."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
        except BaseException:
            discard()
            raise
        if request.method in SAFE_METHODS:
            return result
        if _status_of(result) >= 400 and not g.get("keep_when_refused"):
            discard()
            return result
        if any(predicate() for predicate in _COMMIT_BEFORE_ANSWER):
            _commit()
        else:
            g.commit_when_answered = True  # commit_answered, once the answer is built
        return result

    wrapper.writes = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def commit_answered(response: Response) -> Response:
    """The after-request hook that commits a `writes` view's work once its answer is built.

    An answer that turned into an error while it was built (status 400 or more, unless kept with
    `keep_when_refused`) rolls back instead. A commit that fails answers with the error handler of
    its exception (503 with Retry-After when the database is unreachable): nothing was saved. A
    failure after the commit (starting jobs, mail) is logged; the answer stands, for the work is
    saved."""
    if not g.pop("commit_when_answered", False):
        return response
    if response.status_code >= 400 and not g.get("keep_when_refused"):
        discard()
        return response
    try:
        db.session.commit()
    except Exception as error:
        log.warning("the commit of %s %s failed", request.method, request.path, exc_info=True)
        try:
            discard()
        except Exception:  # the connection is gone: the session is discarded with the request
            log.debug("rollback after a failed commit failed", exc_info=True)
        return current_app.make_response(current_app.handle_user_exception(error))
    try:
        _after_commit()
    except Exception:
        log.exception("after the commit of %s %s", request.method, request.path)
    return response


def computes(view: F) -> F:
    """Mark a POST that computes an answer and changes nothing (a what-if, a preview): whatever
    it flushed is rolled back. Put it directly on the view function or MethodView method."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        finally:
            discard()

    wrapper.computes = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def attempt(change: Callable[[], Any], done: str | None = None) -> bool:
    """Run one state change for a page. When the service refuses it (ConflictError), roll it back
    and flash the reason; otherwise flash `done` (when given). True when the change stands; the
    surrounding `writes` commits it."""
    try:
        change()
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return False
    if done:
        flash(done, "success")
    return True


@dataclass
class Submitted(Generic[T]):
    """How a page form's change went (`submit`): done with its `result`, refused with the
    `errors` of each field (the form is shown again, 422), or refused as a conflict (`conflict`,
    already flashed: the page goes back where the user can see the current state)."""

    result: T | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: bool = False

    @property
    def done(self) -> bool:
        return not self.errors and not self.conflict

    @property
    def status(self) -> int:
        return 422 if self.errors else 200


def submit(change: Callable[[], T]) -> Submitted[T]:
    """Run a page form's change (reading the form through its schema and calling the service):
    a ValidationFailed rolls it back and gives its errors for the form, a ConflictError rolls it
    back and is flashed, as `attempt` does; otherwise the change's result, which the surrounding
    `writes` commits."""
    try:
        return Submitted(change())
    except ValidationFailed as failed:
        discard()
        return Submitted(errors=failed.errors)
    except ConflictError as conflict:
        discard()
        flash(conflict.message, "error")
        return Submitted(conflict=True)


@contextmanager
def command() -> Iterator[None]:
    """A CLI command's unit of work: commit once at the end (and start queued jobs), roll back
    on any error."""
    try:
        yield
    except BaseException:
        discard()
        raise
    _commit()


@contextmanager
def stores_derived() -> Iterator[None]:
    """Let a GET store something derived from the data, never the data itself (a stored ranking
    and the job that refreshes it: procure.scoring.rankings), and commit it at once, then start
    the jobs it queued (inline ones run here). Any error rolls it back. The read's own loaded
    records are expired by the commit and read again when used."""
    g.storing_derived = True
    try:
        with command():
            yield
    finally:
        g.storing_derived = False


def _reading() -> bool:
    return (
        has_request_context()
        and request.method in SAFE_METHODS
        and current_app.extensions.get("procure_read_guard", False)
        and not g.get("storing_derived", False)
    )


def _refuse_write(what: str) -> None:
    message = f"{request.method} {request.path} tried to write ({what}); reads never write"
    if current_app.testing:
        raise ReadWroteError(message)
    log.error(message)


def guard_reads(app: Flask) -> None:
    """Make a write during a GET or HEAD request a fault."""
    app.extensions["procure_read_guard"] = True
    if getattr(guard_reads, "listening", False):
        return
    guard_reads.listening = True  # type: ignore[attr-defined]

    @event.listens_for(Session, "before_flush")
    def _no_flush(session: Session, _context: Any, _instances: Any) -> None:
        if _reading() and (session.new or session.dirty or session.deleted):
            _refuse_write("a flush")

    @event.listens_for(Session, "do_orm_execute")
    def _no_change(state: ORMExecuteState) -> None:
        if _reading() and (state.is_update or state.is_delete or state.is_insert):
            _refuse_write(str(state.statement).split(" ", 1)[0])

    @event.listens_for(Session, "before_commit")
    def _no_commit(session: Session) -> None:
        if _reading() and (session.new or session.dirty or session.deleted):
            _refuse_write("a commit")
