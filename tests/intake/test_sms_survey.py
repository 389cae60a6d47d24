"""短信评议: after the reply the citizen is surveyed by SMS, and their answer lands on the right ticket."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from channels.models import SmsMessage, SmsSurvey
from channels.sms.replies import parse_answer
from channels.sms.tasks import send_surveys
from tests.intake.conftest import post_sms
from tests.support.factories import UserFactory
from tracking import actions as act
from tracking.models import Ticket, TicketEvent
from tracking.states import Role, Satisfaction, Status

PHONE = "+8613912345678"


async def _replied_ticket(client, services, departments, sid: str, text: str = "小区门口下水道堵了") -> Ticket:
    _, twiml = await post_sms(client, text, sid=sid, phone=PHONE)
    number = re.search(r"\d{8}-\d{6}", twiml).group(0)
    with services.db.reading() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == number))
    agent = UserFactory.create(services, Role.AGENT)
    staff = UserFactory.create(services, Role.DEPARTMENT, department=departments["water"])
    now = services.clock()
    act.dispatch_ticket(services.ledger, ticket_id, departments["water"].id, actor=agent, now=now)
    act.accept_ticket(services.ledger, ticket_id, actor=staff, now=now)
    return act.reply_ticket(services.ledger, ticket_id, actor=staff, now=now, reply="已安排疏通，现已恢复通畅。")


def _ticket(services, ticket_id) -> Ticket:
    with services.db.reading() as session:
        return session.get(Ticket, ticket_id)


def test_parse_answer_reads_digits_words_and_a_ticket_number():
    assert parse_answer("1") == (Satisfaction.SATISFIED, None)
    assert parse_answer(" ２。") == (Satisfaction.BASICALLY, None)
    assert parse_answer("不满意") == (Satisfaction.UNSATISFIED, None)
    assert parse_answer("20261123-000002 3") == (Satisfaction.UNSATISFIED, "20261123-000002")
    assert parse_answer("1号楼还在漏水") == (None, None)


async def test_reply_and_survey_are_sent_once_and_a_1_closes_the_ticket(client, services, departments):
    ticket = await _replied_ticket(client, services, departments, "SM" + "1" * 32)
    services.queue.drain()
    assert send_surveys(services, services.clock()) == 1
    assert send_surveys(services, services.clock()) == 0  # the sweep can run twice
    services.queue.drain()
    with services.db.reading() as session:
        sent = {m.purpose: m for m in session.scalars(select(SmsMessage))}
    assert sent["reply"].to == "13912345678" and "已安排疏通" in sent["reply"].body
    assert ticket.number in sent["survey"].body and "1 满意" in sent["survey"].body

    status, twiml = await post_sms(client, "1", sid="SM" + "2" * 32, phone=PHONE)
    assert status == 200 and "感谢" in twiml and ticket.number in twiml
    done = _ticket(services, ticket.id)
    assert (done.status, done.satisfaction, done.resolved) == (Status.CLOSED, Satisfaction.SATISFIED, True)
    with services.db.reading() as session:
        callback = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                            TicketEvent.action == "record_callback"))
        assert callback.data["method"] == "sms" and callback.actor_name == "短信评议"
        assert session.scalar(select(SmsSurvey.answer)) == "satisfied"
    again = await post_sms(client, "1", sid="SM" + "2" * 32, phone=PHONE)
    assert again[0] == 200 and _ticket(services, ticket.id).status == Status.CLOSED


async def test_unsatisfied_waits_for_a_person_and_other_text_joins_the_ticket(client, services, departments):
    ticket = await _replied_ticket(client, services, departments, "SM" + "3" * 32)
    send_surveys(services, services.clock())
    await post_sms(client, "３", sid="SM" + "4" * 32, phone=PHONE)
    after = _ticket(services, ticket.id)
    assert (after.status, after.satisfaction, after.resolved) == (
        Status.CALLED_BACK, Satisfaction.UNSATISFIED, False)  # re-opening (重办) is a person's decision

    services.clock.advance(hours=2)
    status, twiml = await post_sms(client, "根本没人来疏通，还是堵的", sid="SM" + "5" * 32, phone=PHONE)
    assert status == 200 and ticket.number in twiml
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1  # no new ticket
        notes = list(session.scalars(select(TicketEvent.note).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action == "add_note")))
    assert "市民短信：根本没人来疏通，还是堵的" in notes


async def test_a_bare_digit_with_no_survey_is_kept_but_makes_no_ticket(client, services):
    status, twiml = await post_sms(client, "1", sid="SM" + "6" * 32, phone="+8613700000000")
    assert status == 200 and "没有找到需要您评价的工单" in twiml
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0


async def test_an_old_reply_is_not_surveyed_late(client, services, departments):
    await _replied_ticket(client, services, departments, "SM" + "7" * 32)
    services.clock.advance(days=4)
    assert send_surveys(services, services.clock()) == 0
