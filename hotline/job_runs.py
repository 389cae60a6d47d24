"""Running the outbox's jobs: one at a time, or a batch of them with the tasks' batch forms.

A job is claimed with one conditional UPDATE, so two runners handed the same id
(the relay re-submitting while the first is slow) cannot both run it. A task's
failure is recorded on its row (retried with back-off, ``failed`` after the last
attempt), never lost.
"""
from __future__ import annotations

import logging
import traceback
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hotline.db import Database
from hotline.jobs import RETRY_BACKOFF, Job, JobContext, JobStatus, batch_of, registered_tasks

log = logging.getLogger(__name__)
BATCH_TOP_UP = 200  # jobs of a batch task run together at most, its own and those waiting behind it


@dataclass(frozen=True)
class Claimed:
    job_id: int
    name: str
    args: dict[str, Any]
    attempt: int
    max_attempts: int


def run_job(services: Any, job_id: int, now: datetime) -> JobStatus | None:
    """Claim a job, run its task, and record the outcome.

    Returns:
        The job's new status, or None when another runner had it already (or it is not due).
    """
    return run_jobs(services, [job_id], now, top_up=False).get(job_id)


def run_jobs(services: Any, job_ids: list[int], now: datetime, *, top_up: bool = True) -> dict[int, JobStatus]:
    """Claim the jobs of these ids that are due, run them, and record each outcome.

    Jobs of a task with a batch form (``task(name, batch=...)``) run through it
    together; if it raises, each of them runs alone through the task, so a bad
    job fails alone and the others still succeed.

    Args:
        top_up: also claim other due, never-started jobs of those batch tasks (up to
            ``BATCH_TOP_UP`` in all), so a backlog of small groups is worked off in large batches.

    Returns:
        The new status of each job this call ran (ids another runner had are absent).
    """
    claimed = _claim(services.db, job_ids, now)
    by_name: dict[str, list[Claimed]] = defaultdict(list)
    for job in claimed:
        by_name[job.name].append(job)
    for name, jobs in by_name.items():
        if top_up and batch_of(name) is not None and len(jobs) < BATCH_TOP_UP:
            jobs += _claim_waiting(services.db, name, BATCH_TOP_UP - len(jobs), now)
    outcome: dict[int, JobStatus] = {}
    for name, jobs in by_name.items():
        batch = batch_of(name)
        if batch is not None and len(jobs) > 1:
            try:
                batch(JobContext(services=services, now=now, job_id=jobs[0].job_id, attempt=1),
                      [job.args for job in jobs])
            except Exception as exc:
                log.warning("batch of %s %s jobs failed (%s); running them one by one", len(jobs), name, exc)
            else:
                _finish(services.db, [job.job_id for job in jobs], now)
                outcome.update({job.job_id: JobStatus.DONE for job in jobs})
                continue
        for job in jobs:
            outcome[job.job_id] = _run_one(services, job, now)
    return outcome


def _claim_waiting(db: Database, name: str, limit: int, now: datetime) -> list[Claimed]:
    """Claim up to ``limit`` more due jobs of a batch task that were never started, oldest first.

    Under a backlog they sit in the queue behind this run, each group in a message of its own;
    taking them now makes one batch of many groups (their own messages then find nothing to claim).
    Rows another runner is claiming are skipped, not waited for (PostgreSQL; SQLite has one writer).
    """
    waiting = (select(Job.id).where(Job.name == name, Job.status == JobStatus.PENDING, Job.attempts == 0,
                                    Job.run_after <= now).order_by(Job.id).limit(limit)
               .with_for_update(skip_locked=True))
    with db.transaction() as session:
        return _claim_in(session, list(session.scalars(waiting)), now)


def _claim(db: Database, job_ids: list[int], now: datetime) -> list[Claimed]:
    with db.transaction() as session:
        return _claim_in(session, job_ids, now)


def _claim_in(session, job_ids: list[int], now: datetime) -> list[Claimed]:
    """One conditional UPDATE: only jobs still pending and due are claimed, so none runs twice."""
    if not job_ids:
        return []
    rows = session.execute(
        update(Job).where(Job.id.in_(job_ids), Job.status == JobStatus.PENDING, Job.run_after <= now)
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, started_at=now)
        .returning(Job.id, Job.name, Job.args, Job.attempts, Job.max_attempts)
    ).all()
    order = {job_id: n for n, job_id in enumerate(job_ids)}
    return sorted((Claimed(r.id, r.name, dict(r.args), r.attempts, r.max_attempts) for r in rows),
                  key=lambda job: order[job.job_id])


def _run_one(services: Any, job: Claimed, now: datetime) -> JobStatus:
    try:
        fn = registered_tasks()[job.name]
        fn(JobContext(services=services, now=now, job_id=job.job_id, attempt=job.attempt), **job.args)
    except Exception as exc:  # a task's failure is recorded, never lost
        log.warning("job %s (%s) attempt %s failed: %s", job.job_id, job.name, job.attempt, exc)
        error = "".join(traceback.format_exception_only(exc)).strip()
        final = job.attempt >= job.max_attempts
        with services.db.transaction() as session:
            session.execute(update(Job).where(Job.id == job.job_id).values(
                status=JobStatus.FAILED if final else JobStatus.PENDING, last_error=error[:2000],
                run_after=now + RETRY_BACKOFF * (2 ** (job.attempt - 1)), finished_at=now if final else None))
        return JobStatus.FAILED if final else JobStatus.PENDING
    _finish(services.db, [job.job_id], now)
    return JobStatus.DONE


def _finish(db: Database, job_ids: list[int], now: datetime) -> None:
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id.in_(job_ids)).values(status=JobStatus.DONE, finished_at=now))
