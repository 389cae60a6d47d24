"""Group commit for intake: registrations that arrive together are written together.

A web process answers many requests at once, but a registration's cost is
mostly per transaction (a round trip per statement, a commit's disk flush).
:class:`GroupCommit` keeps one writer per process: a request's registration
waits in a list; the writer takes everything waiting (up to ``max_group``)
and registers it with :func:`register_tickets` in one transaction on the
thread pool, then answers each request. There is no timer: a lone request is
written at once, and under load the group is whatever arrived during the
previous write, so the wait never exceeds about one write. Every citizen is
answered only after the commit that holds their ticket, as before.
"""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from hotline.web.blocking import run_blocking
from tracking.actions.actor import Actor
from tracking.actions.intake_dispatch import IntakeRouting
from tracking.actions.registration import NewTicket, Registration
from tracking.actions.registration_batch import Submission, register_tickets
from tracking.ledger import Ledger

MAX_GROUP = 200  # registrations per transaction: bounds one commit's time and its statements' size


class GroupCommit:
    """One per web process (and event loop); see the module's docstring."""

    def __init__(self, ledger: Ledger, max_group: int = MAX_GROUP, routing: IntakeRouting | None = None):
        self.ledger = ledger
        self.routing = routing  # routes each group as it is written (see ``register_tickets``)
        self.max_group = max_group
        self._waiting: list[tuple[Submission, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.groups = 0  # groups written so far, for the benchmark's report and tests

    async def register(self, new: NewTicket, *, actor: Actor, now: datetime,
                       follow_ups: Sequence[tuple[str, dict]] = ()) -> Registration:
        """Register a ticket as ``register_ticket`` does, sharing the transaction with others waiting.

        Raises:
            LedgerError: what ``register_ticket`` raises for this ticket (invalid, forbidden).
            SQLAlchemyError: the database failed; none of the group was registered.
        """
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((Submission(new, actor, now, tuple(follow_ups)), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[:self.max_group], self._waiting[self.max_group:]
            try:
                results = await run_blocking(register_tickets, self.ledger, [s for s, _ in group], self.routing)
            except BaseException as exc:  # the database failed: every request of the group hears it
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.groups += 1
            for (_, future), result in zip(group, results):
                if future.done():  # the client went away; its ticket stays registered
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
