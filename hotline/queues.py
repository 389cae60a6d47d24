"""Queue backends that carry job ids from the outbox to whoever runs them.

Both implement the same small interface (``submit``, ``start``, ``stop``,
``health``): rq on Redis for production, a thread in-process for the embedded
default. Neither is the source of truth: the ``jobs`` table is (see
``hotline.jobs``), so losing a queue loses no work.
"""
from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from hotline.job_runs import run_jobs

log = logging.getLogger(__name__)
RQ_QUEUE_NAME = "hotline"


class JobQueue(Protocol):
    def submit(self, job_id: int) -> None: ...
    def submit_many(self, job_ids: list[int]) -> None: ...
    def backlog(self) -> int | None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def health(self) -> dict[str, Any]: ...


class InProcessQueue:
    """Runs jobs on one background thread of the web process (the embedded default)."""

    def __init__(self, services: Any, clock: Callable[[], datetime]):
        self.services = services
        self.clock = clock
        self._ids: stdlib_queue.Queue[list[int] | None] = stdlib_queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, job_id: int) -> None:
        self._ids.put([job_id])

    def submit_many(self, job_ids: list[int]) -> None:
        self._ids.put(list(job_ids))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="hotline-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._ids.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def drain(self) -> int:
        """Run every job submitted so far on the calling thread (for tests and the CLI)."""
        count = 0
        while True:
            try:
                job_ids = self._ids.get_nowait()
            except stdlib_queue.Empty:
                return count
            if job_ids is not None:
                run_jobs(self.services, job_ids, self.clock())
                count += len(job_ids)

    def backlog(self) -> int | None:
        """Submissions waiting for the thread (each holds one or more jobs)."""
        return self._ids.qsize()

    def health(self) -> dict[str, Any]:
        return {"backend": "in-process", "ok": True, "waiting": self._ids.qsize()}  # batches, not jobs

    def _work(self) -> None:
        while True:
            job_ids = self._ids.get()
            if job_ids is None:
                return
            try:
                run_jobs(self.services, job_ids, self.clock())
            except Exception:  # the rows stay pending or running; the relay retries them
                log.exception("jobs %s could not be run", job_ids)


class RqQueue:
    """Hands job ids to rq workers through Redis (``hotline worker`` runs them)."""

    def __init__(self, redis_connection):
        from rq import Queue

        self.redis = redis_connection
        self.queue = Queue(RQ_QUEUE_NAME, connection=redis_connection)

    def submit(self, job_id: int) -> None:
        self.submit_many([job_id])

    def submit_many(self, job_ids: list[int]) -> None:
        """One rq job for the batch: a worker claims and runs them together (``run_jobs``)."""
        try:
            self.queue.enqueue("hotline.queues.rq_run_jobs", list(job_ids), job_timeout=600,
                               result_ttl=0, failure_ttl=7 * 24 * 3600)
        except Exception as exc:  # Redis down: the jobs stay pending and the relay resubmits
            log.warning("could not hand jobs %s to Redis (%s); the relay will retry", job_ids, exc)

    def backlog(self) -> int | None:
        """Messages waiting in the rq queue; None when Redis cannot be asked."""
        try:
            return len(self.queue)
        except Exception:
            return None

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def health(self) -> dict[str, Any]:
        try:
            self.redis.ping()
            return {"backend": "rq", "ok": True, "waiting": len(self.queue)}
        except Exception as exc:
            return {"backend": "rq", "ok": False, "error": str(exc)}


# The services of an rq worker process, set once by ``hotline worker`` (or a test).
WORKER_SERVICES: dict[str, Any] = {}


def rq_run_jobs(job_ids: list[int]) -> None:
    """Entry point rq calls in a worker process."""
    services = WORKER_SERVICES["services"]
    run_jobs(services, job_ids, WORKER_SERVICES["clock"]())


def rq_run_job(job_id: int) -> None:
    """What earlier releases put in Redis, one id per message: still run after an upgrade."""
    rq_run_jobs([job_id])
