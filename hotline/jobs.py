"""Background work that is never lost: an outbox table in the ledger, run by a queue.

An action calls :func:`enqueue` inside its transaction: that writes a ``jobs``
row beside the ticket change, so the job exists exactly when the change does.
After commit the job's id is handed to the queue backend (rq on Redis, or a
thread in-process). If Redis is down the row simply stays ``pending`` and the
relay (``hotline.scheduler``) hands it over later; a job that fails is retried
with back-off and, after its last attempt, stays visible as ``failed``.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hotline.db import AwareDateTime, Base, Database, after_commit

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BACKOFF = timedelta(seconds=30)  # doubled after each failed attempt


class JobStatus(StrEnum):
    PENDING = "pending"    # waiting to run: handed to the queue, or waiting for the relay
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"      # gave up after MAX_ATTEMPTS; shown to admins


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(String(12), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=MAX_ATTEMPTS)
    last_error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    run_after: Mapped[datetime] = mapped_column(AwareDateTime())
    started_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


@dataclass(frozen=True)
class JobContext:
    """What a task gets besides its arguments: the app's services and the time it runs."""

    services: Any
    now: datetime
    job_id: int
    attempt: int


TaskFunction = Callable[..., None]
_TASKS: dict[str, TaskFunction] = {}


def task(name: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register a function as a background task under a stable name."""

    def register(fn: TaskFunction) -> TaskFunction:
        _TASKS[name] = fn
        return fn

    return register


def enqueue(session: Session, name: str, *, now: datetime, ticket_id: int | None = None,
            delay: timedelta = timedelta(0), **args: Any) -> Job:
    """Write a job in the caller's transaction and submit it once that commits.

    Args:
        session: the action's session; the job is committed or rolled back with it.
        name: a name registered with :func:`task`.
        now: the action's time; the job runs at ``now + delay`` at the earliest.
        ticket_id: ticket the job is about, so its page can show failures; the
            task receives it as its ``ticket_id`` argument too.
        **args: JSON-serialisable arguments (ids, not objects).
    """
    if ticket_id is not None:
        args = {"ticket_id": ticket_id, **args}
    job = Job(name=name, args=args, ticket_id=ticket_id, created_at=now, run_after=now + delay,
              status=JobStatus.PENDING, attempts=0, max_attempts=MAX_ATTEMPTS)
    session.add(job)
    session.flush()
    submit = session.info.get("job_submitter")
    if submit is not None and delay <= timedelta(0):
        job_id = job.id
        after_commit(session, lambda: submit(job_id))
    return job


def run_job(services: Any, job_id: int, now: datetime) -> JobStatus | None:
    """Claim a job, run its task, and record the outcome.

    Claiming is one conditional UPDATE, so two workers handed the same id (a
    relay re-submitting while the first is slow) cannot both run it.

    Returns:
        The job's new status, or None when another runner had it already.
    """
    db: Database = services.db
    with db.transaction() as session:
        claimed = session.execute(
            update(Job).where(Job.id == job_id, Job.status == JobStatus.PENDING, Job.run_after <= now)
            .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, started_at=now)
        ).rowcount
        if not claimed:
            return None
        job = session.get(Job, job_id)
        name, args, attempt, max_attempts = job.name, dict(job.args), job.attempts, job.max_attempts
    try:
        fn = _TASKS[name]
        fn(JobContext(services=services, now=now, job_id=job_id, attempt=attempt), **args)
    except Exception as exc:  # a task's failure is recorded, never lost
        log.warning("job %s (%s) attempt %s failed: %s", job_id, name, attempt, exc)
        error = "".join(traceback.format_exception_only(exc)).strip()
        final = attempt >= max_attempts
        with db.transaction() as session:
            session.execute(update(Job).where(Job.id == job_id).values(
                status=JobStatus.FAILED if final else JobStatus.PENDING, last_error=error[:2000],
                run_after=now + RETRY_BACKOFF * (2 ** (attempt - 1)), finished_at=now if final else None))
        return JobStatus.FAILED if final else JobStatus.PENDING
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.DONE, finished_at=now))
    return JobStatus.DONE


def registered_tasks() -> dict[str, TaskFunction]:
    return dict(_TASKS)
