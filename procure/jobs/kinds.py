"""The kinds of job, registered where their work is written.

A kind's handler is registered with `@job_kind(name, title)`; the function that marks its
subject when the job fails with `@on_failure(name)`, a check that may refuse a retry with
`@on_retry(name)`, and one that may refuse its file with `@on_download(name)`. The handler
`run(job, progress)` does the work in `db.session` (flush only) and returns an Outcome or a
dict (the job's result).

A system kind (`retries=True`: work nobody waits on, such as re-scoring) is queued again by the
scheduler when it fails unexpectedly or loses its worker, with a growing wait, up to
job_retry_attempts runs. A user's kind (a solve, a report) is not: the user sees the failure
and chooses to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from procure.states import JobStatus

Handler = Callable[..., Any]


@dataclass(frozen=True)
class JobKind:
    """What a kind of job is called and which functions run it."""

    title: str
    run: Handler
    failed: Handler | None = None
    retrying: Handler | None = None
    retries: bool = False  # a system job: queued again by itself after a transient failure
    downloading: Handler | None = None  # (job, user) -> why its file is refused, or None


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, title: str, *, retries: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of job kind `name`; `retries`: a system
    kind, queued again by itself after a transient failure (see the module's docstring)."""

    def register(run: Handler) -> Handler:
        KINDS[name] = JobKind(title, run, retries=retries)
        return run

    return register


def _attach(
    name: str, role: Literal["failed", "retrying", "downloading"]
) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        if name not in KINDS:
            raise ValueError(f"job kind {name!r} must be registered before its {role} hook")
        kind = KINDS[name]
        if role == "failed":
            KINDS[name] = replace(kind, failed=function)
        elif role == "retrying":
            KINDS[name] = replace(kind, retrying=function)
        else:
            KINDS[name] = replace(kind, downloading=function)
        return function

    return register


def on_failure(name: str) -> Callable[[Handler], Handler]:
    """Register `failed(job, reason)`: marks the job's subject in the transaction that fails it."""
    return _attach(name, "failed")


def on_retry(name: str) -> Callable[[Handler], Handler]:
    """Register `retrying(job)`: may refuse a retry by raising ConflictError."""
    return _attach(name, "retrying")


def on_download(name: str) -> Callable[[Handler], Handler]:
    """Register `downloading(job, user)`: why the user may no longer download the job's file
    (its organization asked for it, but the file's subject is no longer the user's to read), or
    None. Without one, a job's file is its organization's."""
    return _attach(name, "downloading")


def download_refusal(job: Any, user: Any) -> str | None:
    """Why `user` may not download `job`'s file, or None (the job is already its organization's)."""
    kind = KINDS.get(job.kind)
    return kind.downloading(job, user) if kind and kind.downloading else None


@dataclass
class Outcome:
    """What a job hands back: its result document and, optionally, a file."""

    result: dict[str, Any] = field(default_factory=dict)
    file_name: str | None = None
    file_type: str | None = None
    file_content: bytes | None = None


class JobStopped(Exception):
    """Ends a job early: cancelled on request, stopped at its time limit, or no longer ours."""

    def __init__(self, status: JobStatus | None, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def time_limit_reason(seconds: float) -> str:
    return f"Stopped at the time limit of {seconds:,.0f} s. Retry it, or make the problem smaller."


def unexpected_reason(job_id: int) -> str:
    """What a user reads when a job failed on an error of ours: no exception text or SQL (those
    go to the log, under the same job number)."""
    return (
        f"The job failed unexpectedly. Reference: job {job_id}. "
        "Retry it, or tell your administrator."
    )
