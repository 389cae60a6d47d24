"""The relay and the periodic clock, safe to run in several processes at once.

Every ``TICK`` the relay hands over jobs that are due but sit in the outbox
(Redis was down, a retry's back-off ended, a worker died holding one), and
periodic tasks (the deadline sweep) are enqueued when their period has passed.
A periodic run is claimed with one conditional UPDATE on ``periodic_runs``, so
two web processes or workers never start the same run twice.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import AwareDateTime, Base, Database
from hotline.jobs import Job, JobStatus, enqueue

if TYPE_CHECKING:
    from hotline.queues import JobQueue

log = logging.getLogger(__name__)

TICK = 5.0  # seconds between relay passes
SUBMIT_GRACE = timedelta(seconds=10)  # a fresh job gets this long to reach its queue normally
RUNNING_LEASE = timedelta(minutes=15)  # a job running longer than this is presumed dead
RELAY_BATCH = 500


class PeriodicRun(Base):
    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(AwareDateTime())


@dataclass(frozen=True)
class Periodic:
    task_name: str
    every: timedelta


PERIODIC: list[Periodic] = []


def every(period: timedelta, task_name: str) -> None:
    """Declare that ``task_name`` runs every ``period`` (idempotent per name)."""
    if all(p.task_name != task_name for p in PERIODIC):
        PERIODIC.append(Periodic(task_name, period))


def relay(db: Database, submit: Callable[[int], None], now: datetime, *, backlog: int | None = 0,
          submit_many: Callable[[list[int]], None] | None = None) -> int:
    """Resubmit due jobs that no queue holds; returns how many were handed over.

    Args:
        backlog: how many submissions wait in the queue backend (None: it cannot tell). While
            some wait, a job never started is presumed to be among them (a backlog after a
            burst of tickets, not a lost submission) and is left alone: handing it over again
            would only add a duplicate to the backlog, run alone instead of in its group.
            Retries and jobs taken back from a dead worker are handed over regardless.
        submit_many: hands over all the ids at once (one queue message), when given.
    """
    with db.transaction() as session:
        session.execute(update(Job).where(
            Job.status == JobStatus.RUNNING, Job.started_at < now - RUNNING_LEASE
        ).values(status=JobStatus.PENDING))
        retried = (Job.attempts > 0) & (Job.run_after <= now)
        due = retried if backlog else or_(Job.run_after <= now - SUBMIT_GRACE, retried)
        ids = session.scalars(select(Job.id).where(Job.status == JobStatus.PENDING, due)
                              .order_by(Job.id).limit(RELAY_BATCH)).all()
    if ids and submit_many is not None:
        submit_many(list(ids))
    else:
        for job_id in ids:
            submit(job_id)
    return len(ids)


def run_periodic(db: Database, now: datetime) -> list[str]:
    """Enqueue every periodic task whose period has passed; returns their names."""
    started = []
    for periodic in PERIODIC:
        with db.transaction() as session:
            if session.get(PeriodicRun, periodic.task_name) is None:
                try:
                    with session.begin_nested():
                        session.add(PeriodicRun(name=periodic.task_name, last_run_at=now - periodic.every))
                except IntegrityError:
                    pass
            claimed = session.execute(update(PeriodicRun).where(
                PeriodicRun.name == periodic.task_name,
                PeriodicRun.last_run_at <= now - periodic.every,
            ).values(last_run_at=now)).rowcount
            if claimed:
                enqueue(session, periodic.task_name, now=now)
                started.append(periodic.task_name)
    return started


class Scheduler:
    """A daemon thread calling :func:`relay` and :func:`run_periodic` every ``TICK``."""

    def __init__(self, db: Database, queue: JobQueue, clock: Callable[[], datetime], tick: float = TICK):
        self.db, self.queue, self.clock, self.tick = db, queue, clock, tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="hotline-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                now = self.clock()
                run_periodic(self.db, now)
                relay(self.db, self.queue.submit, now, backlog=self.queue.backlog(),
                      submit_many=self.queue.submit_many)
            except Exception:  # the database may be restarting; try again next tick
                log.exception("scheduler tick failed")
