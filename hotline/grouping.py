"""Group commit's mechanism: requests that arrive together are handled by one call, one transaction.

A web process answers many requests at once, but a registration's cost is
mostly per transaction (a round trip per statement, a commit's disk flush).
:class:`Grouped` keeps one writer per process (and event loop): a request's
item waits in a list; the writer takes everything waiting (up to
``max_group``), hands it to ``handle`` on the thread pool, and answers each
request with its own result. There is no timer: a lone request is handled at
once, and under load the group is whatever arrived during the previous call,
so the wait never exceeds about one call. ``handle`` answers each item with a
result or the exception that item alone raised; if it raises, every request
of the group hears that exception. The API's registrations
(``tracking.group_commit``) and the SMS webhook (``channels.sms.grouped``)
both go through it.

The waiting list is bounded (``max_waiting``): past it, :meth:`Grouped.submit`
raises :class:`Overloaded` at once, before anything is kept, and the client
hears a 503 with Retry-After (``hotline.web.errors``). Without the bound, a
surge beyond what the process can write (a typhoon's tenfold hour) queues
without end: every request waits longer than its client's timeout (Twilio's
15 s, nginx's 60 s), and each is still registered after the client gave up,
so the citizen is never told and the retry makes a second ticket.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from config.settings import Settings
from hotline.web.blocking import run_blocking

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_GROUP = 200  # items per call: bounds one transaction's time and its statements' size
# Items waiting per process, by default: HOTLINE_INTAKE_MAX_WAITING's (about two seconds of a web process's
# writing at intake's peak); the app passes the setting.
MAX_WAITING = Settings.intake_max_waiting


class Overloaded(Exception):
    """The process already has ``max_waiting`` items waiting; this one was not taken (nothing was kept)."""


class Grouped(Generic[Item, Result]):
    """See the module's docstring."""

    def __init__(self, handle: Callable[[list[Item]], Sequence[Result | Exception]], max_group: int = MAX_GROUP,
                 max_waiting: int = MAX_WAITING):
        self.handle = handle
        self.max_group = max_group
        self.max_waiting = max_waiting
        self.refused = 0  # items refused as Overloaded so far
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.groups = 0  # groups handled so far, for the benchmark's report and tests

    async def submit(self, item: Item) -> Result:
        """The item's result, handled with whatever else is waiting; raises what it (or its group) raised.

        Raises:
            Overloaded: ``max_waiting`` items are waiting already; this one was not taken.
        """
        if len(self._waiting) >= self.max_waiting:
            self.refused += 1
            raise Overloaded(f"{len(self._waiting)} waiting")
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[:self.max_group], self._waiting[self.max_group:]
            try:
                results = await run_blocking(self.handle, [item for item, _ in group])
            except BaseException as exc:  # e.g. the database failed: every request of the group hears it
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.groups += 1
            for (_, future), result in zip(group, results):
                if future.done():  # the client went away; what was done for it stays done
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
