"""受理 in groups: each ticket of a group gets what a registration alone gives it, and nothing is lost."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hotline.jobs import Job, JobStatus, task
from tests.support.factories import DepartmentFactory, TicketFactory, UserFactory
from tracking.actions import Actor, Forbidden, InvalidInput, NewTicket, register_ticket
from tracking.actions import registration_batch
from tracking.actions.registration_batch import Submission, register_tickets
from tracking.models import Contact, Ticket, TicketEvent
from tracking.states import Channel, Role, Status


@task("tests.noop")
def noop(ctx, **args):
    pass


def _count(services, column, *where) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count(column)).where(*where))


def test_a_group_registers_each_ticket_as_one_registration_would(services, clock):
    agent = UserFactory.create(services, Role.AGENT)
    earlier = TicketFactory.registered(services, agent, contact_phone="13800138000")
    sms = Actor.system("短信受理")
    staff = UserFactory.create(services, Role.DEPARTMENT, department=DepartmentFactory.create(services))
    group = [
        Submission(NewTicket(Channel.API, "小区路灯不亮", contact_phone="+86 138 0013 8000", contact_name="王"),
                   agent, clock(), (("tests.noop", {}),)),
        Submission(NewTicket(Channel.API, "   "), agent, clock()),                      # no content
        Submission(NewTicket(Channel.SMS, "噪音扰民", contact_phone="13900139000", external_id="SM1"), sms, clock()),
        Submission(NewTicket(Channel.API, "占道经营"), staff, clock()),                    # may not register
        Submission(NewTicket(Channel.SMS, "噪音扰民", contact_phone="13900139000", external_id="SM1"), sms, clock()),
        Submission(NewTicket(Channel.API, "电话号码不对", contact_phone="abc"), agent, clock()),
    ]
    results = register_tickets(services.ledger, group)

    first, empty, texted, refused, again, bad_phone = results
    assert isinstance(empty, InvalidInput) and isinstance(refused, Forbidden) and isinstance(bad_phone, InvalidInput)
    assert first.created and texted.created and not again.created
    assert again.ticket.number == texted.ticket.number  # the same message twice in one group: one ticket
    # Numbers follow the day's counter, after the ticket registered alone before.
    day, sequence = earlier.number.split("-")
    assert [first.ticket.number, texted.ticket.number] == [f"{day}-{int(sequence) + n:06d}" for n in (1, 2)]
    assert first.ticket.return_count == 0 and first.ticket.status == Status.REGISTERED  # answered as stored
    with services.db.reading() as session:
        stored = session.get(Ticket, first.ticket.id)
        assert stored.contact_id == earlier.contact_id  # the known caller, found by phone
        assert stored.contact_phone == "13800138000" and stored.title == "小区路灯不亮"
        event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == stored.id))
        assert (event.action, event.actor_name, event.to_status) == ("register", agent.name, Status.REGISTERED)
        assert session.get(Ticket, texted.ticket.id).contact.phone == "13900139000"  # a new contact
        job = session.scalar(select(Job).where(Job.ticket_id == stored.id))
        assert (job.name, job.args, job.status) == ("tests.noop", {"ticket_id": stored.id}, JobStatus.PENDING)
    assert _count(services, Ticket.id) == 3 and _count(services, Contact.id) == 2


def test_a_redelivered_message_gets_its_earlier_ticket(services, clock):
    sms = Actor.system("短信受理")
    new = NewTicket(Channel.SMS, "井盖丢失", contact_phone="13900139001", external_id="SM2")
    alone = register_ticket(services.ledger, new, actor=sms, now=clock())
    [again] = register_tickets(services.ledger, [Submission(new, sms, clock() + timedelta(minutes=1))])
    assert not again.created and again.ticket.number == alone.ticket.number
    assert _count(services, Ticket.id) == 1


def test_a_concurrent_delivery_during_the_group_is_settled_one_by_one(services, clock, monkeypatch):
    """Another process registers a group's message between the group's check and its commit."""
    sms = Actor.system("短信受理")
    raced = NewTicket(Channel.SMS, "停水", contact_phone="13900139002", external_id="SM3")
    register_ticket(services.ledger, raced, actor=sms, now=clock())
    # The window: the group did not see it (as if it had checked a moment before).
    monkeypatch.setattr(registration_batch, "_first_deliveries", lambda ledger, prepared, results: (prepared, {}))
    results = register_tickets(services.ledger, [Submission(NewTicket(Channel.API, "路面塌陷"), sms, clock()),
                                                 Submission(raced, sms, clock())])
    assert [r.created for r in results] == [True, False]
    assert _count(services, Ticket.id) == 2
    assert _count(services, TicketEvent.id, TicketEvent.action == "register") == 2


def test_a_group_straddling_midnight_numbers_each_ticket_in_its_own_day(services, clock):
    agent = UserFactory.create(services, Role.AGENT)
    evening = clock().astimezone(services.ledger.tz).replace(hour=23, minute=59, second=59)
    results = register_tickets(services.ledger, [
        Submission(NewTicket(Channel.API, "夜间施工"), agent, evening),
        Submission(NewTicket(Channel.API, "夜间施工噪音"), agent, evening + timedelta(seconds=2))])
    numbers = [r.ticket.number for r in results]
    assert [n.split("-")[1] for n in numbers] == ["000001", "000001"]
    assert numbers[0].split("-")[0] != numbers[1].split("-")[0]
