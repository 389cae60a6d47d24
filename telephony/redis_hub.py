"""The screen-pop hub across processes, through Redis pub/sub (see :mod:`telephony.hub`).

Each process subscribes once to every agent's channel (a pattern
subscription) and hands what arrives to its own streams; publishing is one
PUBLISH. Redis may restart: the subscriber reconnects with back-off, and a
publish that fails is logged, never raised into call handling.
"""
from __future__ import annotations

import asyncio
import logging

from redis import asyncio as redis_asyncio

from telephony.hub import CHANNEL_PREFIX, CLAIM_PREFIX, CLAIM_SECONDS, LAST_PREFIX, REPLAY_WINDOW, LocalHub, PushEvent

log = logging.getLogger(__name__)

RECONNECT_INITIAL = 0.5
RECONNECT_MAX = 30.0


class RedisHub(LocalHub):
    """Streams of this process, fed by a Redis pattern subscription shared by all processes."""

    def __init__(self, redis_url: str):
        super().__init__()
        self.redis_url = redis_url
        self._redis = redis_asyncio.from_url(redis_url, socket_connect_timeout=2)
        self._task: asyncio.Task | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="screen-pop-subscriber")

    async def wait_subscribed(self, timeout: float = 5.0) -> None:
        """Wait until this process receives what others publish (tests; start-up checks)."""
        await asyncio.wait_for(self._subscribed.wait(), timeout)

    async def stop(self) -> None:
        self.close_streams()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._redis.aclose()

    async def publish(self, user_id: int, event: PushEvent) -> None:
        try:
            if event.kind == "call":
                await self._redis.set(f"{LAST_PREFIX}{user_id}", event.to_json(), ex=int(REPLAY_WINDOW))
            await self._redis.publish(f"{CHANNEL_PREFIX}{user_id}", event.to_json())
        except Exception as exc:  # Redis down: this process's own streams still get it
            log.warning("screen pop for user %s not published through Redis (%s)", user_id, exc)
            await super().publish(user_id, event)

    async def last_event(self, user_id: int) -> PushEvent | None:
        try:
            raw = await self._redis.get(f"{LAST_PREFIX}{user_id}")
        except Exception as exc:
            log.warning("last screen pop of user %s not read from Redis (%s)", user_id, exc)
            return await super().last_event(user_id)
        return PushEvent.from_json(raw) if raw else None

    async def claim(self, key: str) -> bool:
        try:
            return bool(await self._redis.set(f"{CLAIM_PREFIX}{key}", "1", nx=True, ex=CLAIM_SECONDS))
        except Exception as exc:  # better a pop twice than none
            log.warning("screen pop claim %s not checked in Redis (%s)", key, exc)
            return await super().claim(key)

    async def _listen(self) -> None:
        delay = RECONNECT_INITIAL
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                self._subscribed.set()
                delay = RECONNECT_INITIAL
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._subscribed.clear()
                log.warning("screen pop subscription to Redis lost (%s); retrying in %.1fs", exc, delay)
            finally:
                await asyncio.shield(pubsub.aclose())
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _dispatch(self, message: dict) -> None:
        channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
        try:
            user_id = int(channel.removeprefix(CHANNEL_PREFIX))
            event = PushEvent.from_json(message["data"])
        except (ValueError, KeyError) as exc:
            log.warning("screen pop message on %s not understood (%s)", channel, exc)
            return
        self.deliver(user_id, event)
