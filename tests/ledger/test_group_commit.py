"""Group commit: requests arriving together share a transaction; each still hears its own answer."""
from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hotline.grouping import Overloaded
from tests.support.factories import UserFactory
from tracking import group_commit
from tracking.actions import InvalidInput, NewTicket
from tracking.group_commit import GroupCommit
from tracking.models import Ticket
from tracking.states import Channel, Role


async def test_concurrent_registrations_are_written_in_few_groups(services, clock):
    agent = UserFactory.create(services, Role.AGENT)
    intake = GroupCommit(services.ledger, max_group=16)
    texts = [f"第{n}号路灯不亮" for n in range(40)] + [""]
    results = await asyncio.gather(*(intake.register(NewTicket(Channel.API, text), actor=agent, now=clock())
                                     for text in texts), return_exceptions=True)
    *registrations, empty = results
    assert isinstance(empty, InvalidInput)  # its own error; the others of its group are registered
    assert all(r.created for r in registrations)
    assert len({r.ticket.number for r in registrations}) == 40
    assert [r.ticket.content for r in registrations] == texts[:40]  # each request gets its own ticket back
    assert 3 <= intake.groups < 10  # the first alone, then what waited, at most 16 at a time
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 40


async def test_a_database_failure_reaches_every_request_of_the_group(services, clock, monkeypatch):
    agent = UserFactory.create(services, Role.AGENT)
    intake = GroupCommit(services.ledger)

    def down(ledger, submissions, routing=None):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("tracking.group_commit.register_tickets", down)
    results = await asyncio.gather(*(intake.register(NewTicket(Channel.API, "停水"), actor=agent, now=clock())
                                     for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, OperationalError) for r in results)
    monkeypatch.undo()
    again = await intake.register(NewTicket(Channel.API, "停水"), actor=agent, now=clock())  # the writer goes on
    assert again.created


async def test_past_max_waiting_a_request_is_refused_at_once_and_the_waiting_ones_are_written(
        services, clock, monkeypatch):
    agent = UserFactory.create(services, Role.AGENT)
    gate, real = threading.Event(), group_commit.register_tickets

    def slow(ledger, submissions, routing=None):  # the writer busy with a long group
        assert gate.wait(10)
        return real(ledger, submissions, routing)

    monkeypatch.setattr("tracking.group_commit.register_tickets", slow)
    intake = GroupCommit(services.ledger, max_waiting=2)
    first = asyncio.create_task(intake.register(NewTicket(Channel.API, "停水"), actor=agent, now=clock()))
    await asyncio.sleep(0.05)  # the writer took it and waits in its thread
    waiting = [asyncio.create_task(intake.register(NewTicket(Channel.API, f"停电{n}"), actor=agent, now=clock()))
               for n in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(Overloaded):
        await intake.register(NewTicket(Channel.API, "燃气泄漏"), actor=agent, now=clock())
    gate.set()
    results = await asyncio.gather(first, *waiting)
    assert all(r.created for r in results) and intake.refused == 1
    with services.db.reading() as session:
        assert sorted(session.scalars(select(Ticket.content))) == ["停水", "停电0", "停电1"]
