"""受理: one ticket per external message, clear refusals, and an audit row for each step."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.support.factories import DepartmentFactory, TicketFactory, UserFactory
from tracking import actions as act
from tracking.actions import Actor, Forbidden, InvalidInput, NewTicket
from tracking.models import Contact, Ticket, TicketEvent
from tracking.states import Channel, Role


def test_redelivery_returns_the_same_ticket_even_when_racing(services):
    sms = Actor.system("短信通道")
    new = NewTicket(channel=Channel.SMS, content="路灯不亮", contact_phone="13900139000", external_id="SM123")
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: act.register_ticket(services.ledger, new, actor=sms, now=services.clock()),
                                range(6)))
    assert len({r.ticket.number for r in results}) == 1
    assert sum(r.created for r in results) == 1
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1


def test_refuses_empty_content_and_department_staff(services):
    water = DepartmentFactory.create(services)
    staff = UserFactory.create(services, Role.DEPARTMENT, department=water)
    with pytest.raises(InvalidInput, match="诉求内容"):
        act.register_ticket(services.ledger, NewTicket(channel=Channel.API, content="  "),
                            actor=Actor.system("t"), now=services.clock())
    with pytest.raises(Forbidden):
        TicketFactory.registered(services, staff)
    with pytest.raises(InvalidInput, match="电话"):
        TicketFactory.registered(services, Actor.system("t"), contact_phone="abc")


def test_contact_is_found_by_phone_and_plus86_is_normalised(services):
    agent = UserFactory.create(services, Role.AGENT)
    first = TicketFactory.registered(services, agent, contact_phone="+8613800138000")
    second = TicketFactory.registered(services, agent, contact_phone="138 0013 8000")
    assert first.contact_phone == second.contact_phone == "13800138000"
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Contact.id))) == 1


def test_event_log_is_append_only(services):
    agent = UserFactory.create(services, Role.AGENT)
    TicketFactory.registered(services, agent)
    with pytest.raises(Exception, match="append-only"):
        with services.db.transaction() as session:
            session.execute(TicketEvent.__table__.update().values(note="tampered"))
    with pytest.raises(Exception, match="append-only"):
        with services.db.transaction() as session:
            session.execute(TicketEvent.__table__.delete())
