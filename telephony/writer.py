"""Saving call snapshots off the event loop, in order, surviving a database outage.

The tracker notifies inside the AMI read loop, which must never wait for the
database. :class:`CallWriter` keeps only the newest snapshot of each call
(each snapshot holds everything known so far, so an older one adds nothing),
writes them one at a time on the thread pool, and when the database is down
keeps them and retries with back-off: calls are stored late, not lost.
"""
from __future__ import annotations

import asyncio
import copy
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from hotline.web.blocking import run_blocking
from telephony.calls import CallRecord
from telephony.store import Saved

log = logging.getLogger(__name__)

RETRY_INITIAL = 0.5
RETRY_MAX = 30.0


class CallWriter:
    """Args:
        save: writes one record (blocking), e.g. ``functools.partial(save_call, db, now=...)``.
        on_saved: awaited after each successful write with the record and the result.
    """

    def __init__(self, save: Callable[[CallRecord], Saved],
                 on_saved: Callable[[CallRecord, Saved], Awaitable[None]] | None = None, *,
                 retry_initial: float = RETRY_INITIAL, retry_max: float = RETRY_MAX):
        self._save, self._on_saved = save, on_saved
        self.retry_initial, self.retry_max = retry_initial, retry_max
        self._pending: OrderedDict[str, CallRecord] = OrderedDict()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task | None = None

    def submit(self, record: CallRecord) -> None:
        """Queue a snapshot (copied now: the tracker keeps changing its record)."""
        self._pending[record.linkedid] = copy.deepcopy(record)
        self._idle.clear()
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="call-writer")

    async def stop(self, timeout: float = 5.0) -> None:
        """Write what is pending (for at most ``timeout`` seconds), then stop."""
        try:
            await self.flush(timeout)
        except TimeoutError:
            log.warning("%d call records not saved at shutdown", len(self._pending))
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def flush(self, timeout: float | None = None) -> None:
        """Wait until every submitted snapshot is written (raises TimeoutError)."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def _run(self) -> None:
        delay = self.retry_initial
        while True:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            linkedid, record = next(iter(self._pending.items()))
            try:
                saved = await run_blocking(self._save, record)
            except Exception as exc:
                log.warning("call %s not saved (%s); retrying in %.1fs", linkedid, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            delay = self.retry_initial
            if self._pending.get(linkedid) is record:  # else a newer one came meanwhile: written next
                del self._pending[linkedid]
            if self._on_saved is not None:
                try:
                    await self._on_saved(record, saved)
                except Exception:
                    log.exception("after saving call %s", linkedid)
