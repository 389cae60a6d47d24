"""Limiting how often one client address may post forms or look up tickets.

With Redis configured, counts live there, so every web process shares them;
otherwise (the embedded default, one process) in memory. Counting is a fixed
one-minute window per (what, who): cheap, and enough to stop a script from
guessing the last four digits of a phone or flooding the ledger.
If Redis is unreachable, counting falls back to memory rather than turning
citizens away.
"""
from __future__ import annotations

import ipaddress
import logging
import threading
from datetime import datetime

from aiohttp import web

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
KEY_PREFIX = "hotline:ratelimit"


class RateLimiter:
    """``allow(bucket, client, now)`` counts one attempt and says whether it is within the limit."""

    def __init__(self, limit_per_minute: int, redis=None):
        self.limit = limit_per_minute
        self.redis = redis
        self._counts: dict[tuple[str, str, int], int] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, client: str, now: datetime) -> bool:
        if self.limit <= 0:
            return True
        window = int(now.timestamp()) // WINDOW_SECONDS
        count = self._count_in_redis(bucket, client, window) if self.redis is not None else None
        if count is None:
            count = self._count_in_memory(bucket, client, window)
        return count <= self.limit

    def _count_in_redis(self, bucket: str, client: str, window: int) -> int | None:
        key = f"{KEY_PREFIX}:{bucket}:{client}:{window}"
        try:
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
            return int(pipe.execute()[0])
        except Exception as exc:  # Redis down: keep limiting, per process
            log.warning("rate limit falls back to memory: %s", exc)
            return None

    def _count_in_memory(self, bucket: str, client: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:  # forget windows that are over
                self._counts = {k: v for k, v in self._counts.items() if k[2] >= window}
            key = (bucket, client, window)
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]


def client_address(request: web.Request, trusted_proxies: str) -> str:
    """The client's address: the peer, or the last untrusted hop of X-Forwarded-For behind our proxies.

    Args:
        trusted_proxies: comma-separated addresses of our own reverse proxies
            (``HOTLINE_TRUSTED_PROXIES``); only their X-Forwarded-For is believed,
            so a client cannot pick its own address to dodge the limit.
    """
    peer = request.remote or "unknown"
    trusted = {p.strip() for p in trusted_proxies.split(",") if p.strip()}
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted and _is_ip(hop):
            return hop
    return peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False
