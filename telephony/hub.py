"""Server push to agents' browsers (screen pop, 来电弹屏): who is listening, in this process or any.

An agent's console keeps one server-sent-events stream open
(``GET /console/events``); the call may be followed by another process (each
web process keeps its own AMI session, and ``hotline telephony`` may run on
its own). So events go through a hub:

* :class:`LocalHub` delivers to the streams of this process; it is enough
  for the embedded default, where one process does everything.
* :class:`RedisHub` publishes on a Redis channel per agent and listens to all
  of them, so whichever process holds the agent's stream delivers the event.

Both remember each agent's last event for :data:`REPLAY_WINDOW`, so a console
opened (or reconnected) just after the call was answered still shows it, and
both can *claim* a key once, so that several processes following the same call
pop it only once.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

REPLAY_WINDOW = 60.0
"""Seconds an agent's last event is kept for a stream that opens late or reconnects."""

CLAIM_SECONDS = 3600
"""How long a claimed key (a call already popped) is remembered."""

CHANNEL_PREFIX = "hotline:screenpop:user:"
LAST_PREFIX = "hotline:screenpop:last:"
CLAIM_PREFIX = "hotline:screenpop:claim:"


@dataclass(frozen=True)
class PushEvent:
    """One server-sent event: its type (``call``), its id, and a JSON payload."""

    kind: str
    id: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        """The event in text/event-stream form (the payload is one line of JSON)."""
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"id: {self.id}\nevent: {self.kind}\ndata: {payload}\n\n".encode()

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "id": self.id, "data": self.data}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> PushEvent:
        raw = json.loads(text)
        return cls(raw["kind"], raw["id"], raw["data"])


class LocalHub:
    """Streams of this process, by user id."""

    def __init__(self, clock=time.monotonic):
        self._streams: dict[int, set[asyncio.Queue]] = {}
        self._last: dict[int, tuple[float, PushEvent]] = {}
        self._claims: dict[str, float] = {}
        self._clock = clock

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.close_streams()

    def close_streams(self) -> None:
        """End every open stream (the app is shutting down)."""
        for queues in self._streams.values():
            for queue in queues:
                queue.put_nowait(None)

    async def publish(self, user_id: int, event: PushEvent) -> None:
        """Send ``event`` to every stream of ``user_id``, wherever it is open."""
        self._remember(user_id, event)
        self.deliver(user_id, event)

    def deliver(self, user_id: int, event: PushEvent) -> None:
        for queue in self._streams.get(user_id, ()):
            queue.put_nowait(event)

    def _remember(self, user_id: int, event: PushEvent) -> None:
        if event.kind == "call":
            self._last[user_id] = (self._clock() + REPLAY_WINDOW, event)

    async def last_event(self, user_id: int) -> PushEvent | None:
        expires, event = self._last.get(user_id, (0.0, None))
        return event if expires > self._clock() else None

    async def claim(self, key: str) -> bool:
        """True for the first caller with ``key`` (within :data:`CLAIM_SECONDS`), False after."""
        now = self._clock()
        self._claims = {k: until for k, until in self._claims.items() if until > now}
        if key in self._claims:
            return False
        self._claims[key] = now + CLAIM_SECONDS
        return True

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: int, last_event_id: str | None = None) -> AsyncIterator[asyncio.Queue]:
        """A queue of this user's events (None when the hub closes), open for the ``with`` block.

        Args:
            last_event_id: the id the browser saw last (``Last-Event-ID``); the
                remembered event is replayed unless it is that one.
        """
        queue: asyncio.Queue = asyncio.Queue()
        self._streams.setdefault(user_id, set()).add(queue)
        try:
            last = await self.last_event(user_id)
            if last is not None and last.id != last_event_id:
                queue.put_nowait(last)
            yield queue
        finally:
            self._streams[user_id].discard(queue)
            if not self._streams[user_id]:
                del self._streams[user_id]

    def stream_count(self, user_id: int) -> int:
        return len(self._streams.get(user_id, ()))
