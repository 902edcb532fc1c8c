from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from procure.db import Base, TimestampMixin, UTCDateTime
from procure.states import ACTIVE_JOB_STATUSES as ACTIVE_STATUSES
from procure.states import JobStatus, check_in

JOB_STATUSES = tuple(JobStatus)
# A queued job's message. True of both setups: Celery's workers and the embedded runner take
# jobs in the order they were queued.
WAITING_FOR_WORKER = "Queued: it starts as soon as the jobs queued before it are done"


class Job(TimestampMixin, Base):
    """One piece of long-running work (a solve, a board PDF, a re-scoring) and what came of it.

    The row is the job's whole state: web processes and workers share it through the database,
    and every status change is a conditional UPDATE, so two runners never both run a job.
    """

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(check_in("status", JobStatus), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        Index("ix_job_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # the record the job works on, e.g. ("Scenario", 12)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(300), default=WAITING_FOR_WORKER)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # a file the job made (the board PDF), kept in the database so any web process can serve it
    output: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    output_name: Mapped[str | None] = mapped_column(String(200))
    output_type: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    time_limit_seconds: Mapped[float] = mapped_column(default=600.0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runner: Mapped[str | None] = mapped_column(String(200))  # host:pid of the process running it
    # When its message last went to the job queue; None while the queue could not be reached.
    # The scheduler sends a queued job again once this is job_resend_seconds old (a message lost
    # with a broker restart or a killed worker never strands the job) or None (the queue is back).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A failed job of a kind that retries by itself (re-scoring) is queued again at this time by
    # the scheduler; None: it is not (a user's job, its attempts used up, or not failed). A
    # queued job does not start before it (a coalesced refresh waiting out its gap: the workers
    # get it then); cleared when it starts.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_output(self) -> bool:
        return self.output_name is not None

    @classmethod
    def scope(cls, user):
        """A job is seen by the users of the organization it was started in."""
        if not user.is_authenticated:
            return false()
        return cls.organization_id == user.organization_id
