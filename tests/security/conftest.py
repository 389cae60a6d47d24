"""Fixtures for the attacker's-eye tests: the app, staff of two departments, and tickets in every state.

The tickets carry script and SQL fragments in every text field a citizen can
fill, so each page that shows them is also a test of escaping.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.factories import TicketFactory, UserFactory
from tests.web.conftest import client, departments, keys  # noqa: F401  shared fixtures
from tracking import actions as act
from tracking.models import Ticket
from tracking.states import Role

XSS = '<script>alert("xss")</script>'
XSS_ATTR = '"><img src=x onerror=alert(1)>'
# What must never appear in a page: the payloads as markup rather than as text.
XSS_MARKERS = ("<script>alert(", "<img src=x onerror")


@dataclass
class World:
    agent: act.Actor
    boss: act.Actor
    water_staff: act.Actor
    gas_staff: act.Actor
    registered: Ticket
    water: Ticket        # dispatched to water, signed in, extension asked
    gas: Ticket          # dispatched to gas
    replied: Ticket      # water replied: waits for the callback


def _fields(n: int) -> dict:
    return {"title": f"{XSS}标题{n}", "content": f"{XSS_ATTR} 楼下{XSS}噪音扰民{n}",
            "contact_name": f"{XSS_ATTR}张", "address": f"{XSS}幸福路{n}号", "contact_phone": f"1390000{n:04d}"}


@pytest.fixture
def world(services, departments) -> World:
    agent = UserFactory.create(services, Role.AGENT)
    boss = UserFactory.create(services, Role.SUPERVISOR)
    water_staff = UserFactory.create(services, Role.DEPARTMENT, department=departments["water"])
    gas_staff = UserFactory.create(services, Role.DEPARTMENT, department=departments["gas"])
    now, ledger = services.clock(), services.ledger
    registered = TicketFactory.registered(services, agent, **_fields(1))
    water = TicketFactory.dispatched(services, agent, departments["water"], **_fields(2))
    act.accept_ticket(ledger, water.id, actor=water_staff, now=now)
    act.request_extension(ledger, water.id, actor=water_staff, now=now, working_days=3, reason=f"{XSS}需协调")
    gas = TicketFactory.dispatched(services, agent, departments["gas"], **_fields(3))
    replied = TicketFactory.dispatched(services, agent, departments["water"], **_fields(4))
    act.accept_ticket(ledger, replied.id, actor=water_staff, now=now)
    act.reply_ticket(ledger, replied.id, actor=water_staff, now=now, reply=f"{XSS_ATTR}已处理")
    return World(agent, boss, water_staff, gas_staff, registered, water, gas, replied)


def assert_escaped(html: str, where: str) -> None:
    for marker in XSS_MARKERS:
        assert marker not in html, f"{where} shows user text as markup: {marker!r}"
