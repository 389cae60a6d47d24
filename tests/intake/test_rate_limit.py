"""The rate limiter: shared through Redis by several web processes, per process without it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from redis import Redis

from channels.web.ratelimit import RateLimiter, client_address

NOW = datetime(2026, 11, 23, 1, 0, 30, tzinfo=timezone.utc)


def test_two_processes_share_one_count_through_redis(redis_url):
    first, second = (RateLimiter(3, Redis.from_url(redis_url)) for _ in range(2))
    allowed = [limiter.allow("lookup", "10.0.0.1", NOW) for limiter in (first, second, first, second)]
    assert allowed == [True, True, True, False]
    assert first.allow("lookup", "10.0.0.2", NOW)  # another client has its own count
    assert second.allow("lookup", "10.0.0.1", NOW + timedelta(minutes=1))  # a new window


def test_without_redis_or_when_it_is_down_counting_goes_on_in_memory():
    down = RateLimiter(2, Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    assert [down.allow("web-message", "a", NOW) for _ in range(3)] == [True, True, False]
    memory = RateLimiter(1)
    assert [memory.allow("x", "a", NOW), memory.allow("x", "a", NOW)] == [True, False]


class _Request:
    def __init__(self, remote: str, forwarded: str = ""):
        self.remote = remote
        self.headers = {"X-Forwarded-For": forwarded} if forwarded else {}


def test_forwarded_for_is_believed_only_from_our_proxies():
    assert client_address(_Request("203.0.113.9", "1.2.3.4"), "") == "203.0.113.9"
    assert client_address(_Request("10.0.0.5", "1.2.3.4, 198.51.100.7"), "10.0.0.5") == "198.51.100.7"
    assert client_address(_Request("10.0.0.5", "spoofed, 198.51.100.7, 10.0.0.6"), "10.0.0.5,10.0.0.6") \
        == "198.51.100.7"
