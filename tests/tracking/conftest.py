"""A small cast for tracking tests: two departments (one with a duty phone), staff, an agent, a supervisor;
an app client and API keys for the HTTP tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline.auth import create_api_key
from hotline.jobs import Job
from hotline.web.app import create_app
from tests.support.factories import DepartmentFactory, UserFactory
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.models import TicketEvent
from tracking.notifications import Notification
from tracking.states import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
WATER_PHONE = "13912345678"


def at(year, month, day, hour=0, minute=0, second=0, microsecond=0) -> datetime:
    """A moment in the city's time zone."""
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=SHANGHAI)


@dataclass
class Cast:
    water: Department
    gas: Department
    agent: Actor
    boss: Actor
    water_staff: Actor
    gas_staff: Actor


@pytest.fixture
def cast(services) -> Cast:
    water = DepartmentFactory.create(services, code="water", name="市水务集团", contact_phone=WATER_PHONE)
    gas = DepartmentFactory.create(services, code="gas", name="市燃气集团")
    return Cast(water=water, gas=gas, agent=UserFactory.create(services, Role.AGENT),
                boss=UserFactory.create(services, Role.SUPERVISOR),
                water_staff=UserFactory.create(services, Role.DEPARTMENT, department=water),
                gas_staff=UserFactory.create(services, Role.DEPARTMENT, department=gas))


def events(services, ticket_id: int, action: str | None = None) -> list[TicketEvent]:
    with services.db.reading() as session:
        query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
        if action:
            query = query.where(TicketEvent.action == action)
        return list(session.scalars(query.order_by(TicketEvent.id)))


def sms_jobs(services) -> list[Job]:
    with services.db.reading() as session:
        return list(session.scalars(select(Job).where(Job.name == "sms.send").order_by(Job.id)))


def notifications(services, **where) -> list[Notification]:
    with services.db.reading() as session:
        query = select(Notification)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list(session.scalars(query.order_by(Notification.id)))


def count_rows(services, model) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
async def client(aiohttp_client, settings, services):
    return await aiohttp_client(create_app(settings, services, start_background=False))


@pytest.fixture
def keys(services, cast):
    """API keys per role, as Authorization headers."""
    now = services.clock()
    made = {
        "agent": create_api_key(services.db, name="agent", role=Role.AGENT, now=now),
        "supervisor": create_api_key(services.db, name="boss", role=Role.SUPERVISOR, now=now),
        "water": create_api_key(services.db, name="water", role=Role.DEPARTMENT, department_code="water", now=now),
        "gas": create_api_key(services.db, name="gas", role=Role.DEPARTMENT, department_code="gas", now=now),
    }
    return {name: {"Authorization": f"Bearer {key}"} for name, key in made.items()}
