"""Factories that build test data through the real actions (or plain rows for reference data)."""
from __future__ import annotations

import itertools
from datetime import datetime

from hotline.auth import create_user
from tracking import actions as act
from tracking.accounts import Department
from tracking.actions import Actor, NewTicket
from tracking.states import Channel, Role

_counter = itertools.count(1)


class DepartmentFactory:
    @staticmethod
    def create(services, code: str | None = None, name: str | None = None, **fields) -> Department:
        n = next(_counter)
        code = code or f"dept{n}"
        with services.db.transaction() as session:
            department = Department(code=code, name=name or f"测试单位{n}", kind=fields.pop("kind", "city"),
                                    tier=fields.pop("tier", "medium"), active=fields.pop("active", True), **fields)
            session.add(department)
        return department


class UserFactory:
    @staticmethod
    def create(services, role: Role, department: Department | None = None, password: str = "correct-horse-1",
               username: str | None = None, **fields) -> Actor:
        n = next(_counter)
        user = create_user(services.db, username=username or f"{role.value}{n}", display_name=f"{role.value}用户{n}",
                           role=role, now=services.clock(), password=password,
                           department_code=department.code if department else None, **fields)
        return Actor.of(user)


class TicketFactory:
    """Tickets walked through the real actions to the status a test needs."""

    @staticmethod
    def registered(services, actor: Actor, *, now: datetime | None = None, **fields):
        new = NewTicket(channel=fields.pop("channel", Channel.PHONE),
                        content=fields.pop("content", "小区停水两天了，请尽快处理"),
                        title=fields.pop("title", "小区停水"), contact_name=fields.pop("contact_name", "张先生"),
                        contact_phone=fields.pop("contact_phone", "13800138000"), **fields)
        return act.register_ticket(services.ledger, new, actor=actor, now=now or services.clock()).ticket

    @staticmethod
    def dispatched(services, agent: Actor, department: Department, **fields):
        ticket = TicketFactory.registered(services, agent, **fields)
        return act.dispatch_ticket(services.ledger, ticket.id, department.id, actor=agent, now=services.clock())
