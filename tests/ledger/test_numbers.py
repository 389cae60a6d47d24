"""Ticket numbers: readable, per local day, and never shared under concurrency."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from sqlalchemy import func, select

from tests.support.factories import TicketFactory
from tracking.actions import Actor
from tracking.models import Ticket, TicketEvent

WORKERS = 16
PER_WORKER = 10


def test_parallel_registrations_get_distinct_consecutive_numbers(services):
    agent = Actor.system("并发测试")
    now = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)

    def register_many(worker: int) -> list[str]:
        return [TicketFactory.registered(services, agent, now=now, content=f"第{worker}-{i}件").number
                for i in range(PER_WORKER)]

    with ThreadPoolExecutor(WORKERS) as pool:
        numbers = [n for batch in pool.map(register_many, range(WORKERS)) for n in batch]
    assert len(numbers) == len(set(numbers)) == WORKERS * PER_WORKER
    assert sorted(numbers) == [f"20261122-{i:06d}" for i in range(1, WORKERS * PER_WORKER + 1)]
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == WORKERS * PER_WORKER
        assert session.scalar(select(func.count(TicketEvent.id))) == WORKERS * PER_WORKER


def test_the_day_is_the_citys_local_day(services):
    agent = Actor.system("测试")
    late_utc = datetime(2026, 11, 22, 17, 30, tzinfo=timezone.utc)  # 01:30 on the 23rd in Shanghai
    assert TicketFactory.registered(services, agent, now=late_utc).number == "20261123-000001"
    assert TicketFactory.registered(services, agent, now=late_utc).number == "20261123-000002"
