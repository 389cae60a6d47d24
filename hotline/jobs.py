"""Background work that is never lost: an outbox table in the ledger, run by a queue.

An action calls :func:`enqueue` inside its transaction: that writes a ``jobs``
row beside the ticket change, so the job exists exactly when the change does.
After commit the job's id is handed to the queue backend (rq on Redis, or a
thread in-process). If Redis is down the row simply stays ``pending`` and the
relay (``hotline.scheduler``) hands it over later; a job that fails is retried
with back-off and, after its last attempt, stays visible as ``failed``.
Running them is ``hotline.job_runs``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from hotline.bulk import insert_rows
from hotline.db import AwareDateTime, Base, after_commit
from hotline.ids import next_ids

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
# A task's batch form: given the arguments of several of its jobs, does them all or raises (then each
# job runs alone through the task itself, so one bad job fails alone).
BatchFunction = Callable[[JobContext, list[dict[str, Any]]], None]
_TASKS: dict[str, TaskFunction] = {}
_BATCHES: dict[str, BatchFunction] = {}


def task(name: str, *, batch: BatchFunction | None = None) -> Callable[[TaskFunction], TaskFunction]:
    """Register a function as a background task under a stable name.

    Args:
        batch: optional; runs many of this task's jobs at once (:func:`run_jobs`), e.g. routing
            a whole intake batch with one read and one transaction instead of four per ticket.
    """

    def register(fn: TaskFunction) -> TaskFunction:
        _TASKS[name] = fn
        if batch is not None:
            _BATCHES[name] = batch
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
    if delay <= timedelta(0):
        _submit_after_commit(session, [job.id])
    return job


def enqueue_many(session: Session, jobs: list[tuple[str, int | None, dict[str, Any]]], *,
                 now: datetime, ids: list[int] | None = None) -> list[int]:
    """Write several jobs due now in the caller's transaction (one statement), and submit them together after commit.

    Args:
        jobs: (task name, ticket id or None, arguments) for each job; as :func:`enqueue`.
        ids: the jobs' ids, taken beforehand with ``hotline.ids.next_ids_of`` (else taken here).

    Returns:
        The jobs' ids.
    """
    ids = ids if ids is not None else next_ids(session, Job.__table__, len(jobs))
    insert_rows(session, Job.__table__, [
        {"id": job_id, "name": name, "args": {"ticket_id": ticket_id, **args} if ticket_id is not None else dict(args),
         "status": JobStatus.PENDING.value, "attempts": 0, "max_attempts": MAX_ATTEMPTS, "last_error": None,
         "ticket_id": ticket_id, "created_at": now, "run_after": now, "started_at": None, "finished_at": None}
        for job_id, (name, ticket_id, args) in zip(ids, jobs)])
    _submit_after_commit(session, ids)
    return ids


def _submit_after_commit(session: Session, job_ids: list[int]) -> None:
    """Hand the transaction's jobs to the queue once it commits: all of them in one submission."""
    waiting = session.info.get("jobs_to_submit")
    if waiting is None:
        waiting = session.info["jobs_to_submit"] = []
        submit_many, submit = session.info.get("job_batch_submitter"), session.info.get("job_submitter")

        def hand_over() -> None:
            ids = list(session.info.pop("jobs_to_submit", waiting))
            if submit_many is not None:
                submit_many(ids)
            elif submit is not None:
                for job_id in ids:
                    submit(job_id)

        after_commit(session, hand_over)
    waiting.extend(job_ids)


def registered_tasks() -> dict[str, TaskFunction]:
    return dict(_TASKS)


def batch_of(name: str) -> BatchFunction | None:
    """The batch form of a task, if it has one."""
    return _BATCHES.get(name)
