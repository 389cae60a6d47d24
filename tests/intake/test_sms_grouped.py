"""The SMS webhook in groups: what a group gives each message is what handling it alone gives."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from channels.models import IntakeMessage, Outcome, SmsSurvey
from channels.repeats import REPEAT_WINDOW
from channels.sms import grouped
from channels.sms.grouped import handle_inbound_many
from channels.sms.replies import EMPTY_SMS, InboundSms, handle_inbound
from dispatch.models import TicketProposal
from hotline.jobs import Job
from tracking.actions import LedgerError
from tracking.models import Ticket, TicketEvent

TEXTS = ["幸福小区3栋从昨天起停水，至今没有恢复", "人民路与解放路路口的路灯不亮已经一周", "楼下烧烤店油烟很大，晚上十二点还很吵"]


def _sms(n: int, body: str, phone: str | None = None) -> InboundSms:
    sid = f"SM{n:032d}"
    phone = phone or f"+86139{n:08d}"
    return InboundSms(message_sid=sid, phone=phone, body=body, to="+8612345",
                      payload={"MessageSid": sid, "From": phone, "Body": body})


def _stored(services, number: str) -> dict:
    """A ticket and its message as stored, without what differs between any two (ids, numbers, phones)."""
    with services.db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        message = session.scalar(select(IntakeMessage).where(IntakeMessage.ticket_id == ticket.id))
        events = session.execute(select(TicketEvent.action, TicketEvent.actor_name, TicketEvent.to_status,
                                        TicketEvent.data).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)).all()
        proposals = session.execute(select(TicketProposal.outcome, TicketProposal.department_code,
                                           TicketProposal.reason).where(TicketProposal.ticket_id == ticket.id)).all()
        jobs = session.scalars(select(Job.name).where(Job.ticket_id == ticket.id)).all()
    return {"ticket": (ticket.channel, ticket.status, ticket.title, ticket.content, ticket.district,
                       ticket.department_id, ticket.priority, ticket.registered_at, ticket.step, ticket.step_due_at),
            "message": (message.channel, message.outcome, message.deliveries, message.received_at, message.stored_at,
                        message.settled_at, message.repeat_of_id is not None, message.payload["Body"]),
            "events": [tuple(e) for e in events], "proposals": [tuple(p) for p in proposals], "jobs": jobs}


def test_plain_requests_in_a_group_are_stored_as_each_alone_would_be(services, departments):
    now = services.clock()
    alone = [handle_inbound(services, _sms(n, text), now=now) for n, text in enumerate(TEXTS)]
    grouped = handle_inbound_many(services, [(_sms(10 + n, text), now) for n, text in enumerate(TEXTS)])
    for one, many in zip(alone, grouped):
        assert many.outcome == one.outcome and many.text == one.text.replace(one.ticket_number, many.ticket_number)
        assert _stored(services, many.ticket_number) == _stored(services, one.ticket_number)


def test_anything_but_a_plain_request_is_decided_alone_as_before(services, departments):
    now = services.clock()
    earlier = handle_inbound(services, _sms(1, TEXTS[0]), now=now)
    results = handle_inbound_many(services, [
        (_sms(1, TEXTS[0]), now),                       # Twilio again: the same answer, nothing new
        (_sms(2, TEXTS[1], phone="+8613700000001"), now),
        (_sms(3, TEXTS[1] + "，还是不亮", phone="+8613700000001"), now),  # the same phone again: a repeat
        (_sms(4, "   "), now),                          # empty
        (_sms(5, TEXTS[2], phone="12"), now),           # a malformed number: refused, nothing kept
    ])
    assert results[0].ticket_number == earlier.ticket_number
    assert results[2].ticket_number != results[1].ticket_number and results[1].ticket_number in results[2].text
    assert results[3].text == EMPTY_SMS
    assert isinstance(results[4], LedgerError)
    with services.db.reading() as session:
        deliveries = session.scalar(select(IntakeMessage.deliveries).where(
            IntakeMessage.external_id == _sms(1, "").message_sid))
        kept = session.scalars(select(IntakeMessage.external_id)).all()
    assert deliveries == 2 and _sms(5, "").message_sid not in kept and len(kept) == 4


def test_a_caller_with_a_recent_survey_is_decided_alone(services, departments, monkeypatch):
    """What the group's one lookup (``_seen``) reports keeps a remark after a survey out of the group."""
    alone = _alone(monkeypatch)
    now = services.clock()
    earlier = handle_inbound(services, _sms(30, TEXTS[1], phone="+8613700000030"), now=now)
    surveyed = handle_inbound(services, _sms(31, TEXTS[2], phone="+8613700000031"), now=now)
    with services.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == surveyed.ticket_number))
        session.add(SmsSurvey(ticket_id=ticket.id, replied_at=now, phone="13700000031", sent_at=now))
    alone.clear()
    results = handle_inbound_many(services, [
        (_sms(32, TEXTS[1] + "，还是不亮", phone="+8613700000030"), now),  # repeats the caller's open ticket
        (_sms(33, "路灯的事情谢谢", phone="+8613700000031"), now),  # a remark after the survey: a note
        (_sms(34, TEXTS[0]), now),                                       # plain: registered in the group
    ])
    assert results[0].outcome == Outcome.REPEAT and earlier.ticket_number in results[0].text
    assert results[1].outcome == Outcome.NOTE
    assert results[2].outcome == Outcome.TICKET
    assert alone == [_sms(33, "").message_sid]
    with services.db.reading() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket))
    assert tickets == 4  # the two earlier, the repeat (folded into the first) and the plain one


def test_repeats_in_a_group_are_stored_and_folded_as_alone(services, departments, monkeypatch):
    """A surge's follow-up texts ("还是没水") are registered in the group, then folded by their settle job."""
    alone = _alone(monkeypatch)
    now = services.clock()
    first = [handle_inbound(services, _sms(50 + n, TEXTS[0], phone=f"+861370000005{n}"), now=now) for n in (0, 1)]
    one = handle_inbound(services, _sms(52, TEXTS[0] + "，还是没水", phone="+8613700000050"), now=now)
    alone.clear()
    many = handle_inbound_many(services, [(_sms(53, TEXTS[0] + "，还是没水", phone="+8613700000051"), now),
                                          (_sms(54, TEXTS[1]), now)])
    assert alone == []
    services.queue.drain()  # the settle jobs: each folds its ticket into the earlier one
    assert (many[0].outcome, one.outcome) == (Outcome.REPEAT, Outcome.REPEAT)
    assert many[0].text == one.text.replace(one.ticket_number, many[0].ticket_number).replace(
        first[0].ticket_number, first[1].ticket_number)
    # Stored alike, but for the earlier ticket each was folded into (the merge event names it).
    assert repr(_stored(services, many[0].ticket_number)).replace(
        first[1].ticket_number, first[0].ticket_number) == repr(_stored(services, one.ticket_number))
    with services.db.reading() as session:
        merged = dict(session.execute(select(Ticket.number, Ticket.merged_into_id).where(
            Ticket.number.in_([one.ticket_number, many[0].ticket_number]))).all())
        earlier_ids = dict(session.execute(select(Ticket.number, Ticket.id).where(
            Ticket.number.in_([f.ticket_number for f in first]))).all())
    assert merged == {one.ticket_number: earlier_ids[first[0].ticket_number],
                      many[0].ticket_number: earlier_ids[first[1].ticket_number]}


def test_a_repeat_in_a_group_weighs_only_tickets_in_its_own_window(services, departments):
    """The group reads open tickets for its earliest message's window; a later message's is narrower."""
    now = services.clock()
    handle_inbound(services, _sms(60, TEXTS[2], phone="+8613700000060"), now=now - REPEAT_WINDOW + timedelta(days=1))
    results = handle_inbound_many(services, [(_sms(61, TEXTS[1]), now),
                                             (_sms(62, TEXTS[2], phone="+8613700000060"), now + timedelta(days=2))])
    assert [r.outcome for r in results] == [Outcome.TICKET, Outcome.TICKET]


def _alone(monkeypatch) -> list[str]:
    """The MessageSids the group leaves to ``handle_inbound``, one at a time, from now on."""
    alone: list[str] = []
    monkeypatch.setattr(grouped, "handle_inbound", lambda services, sms, now: alone.append(sms.message_sid)
                        or handle_inbound(services, sms, now=now))
    return alone


def test_redeliveries_in_a_group_are_answered_and_counted_as_alone(services, departments, monkeypatch):
    """Twilio's retries come in bursts at a surge: the group answers them together (``channels.sms.redelivered``)."""
    alone = _alone(monkeypatch)
    now = services.clock()
    ticket = handle_inbound(services, _sms(40, TEXTS[0], phone="+8613700000040"), now=now)
    repeat = handle_inbound(services, _sms(41, TEXTS[0] + "，还是没水", phone="+8613700000040"), now=now)
    with services.db.transaction() as session:  # a first delivery that stopped before its ticket was written
        session.add(IntakeMessage(channel="sms", external_id=_sms(42, "").message_sid, sender="13700000042",
                                  received_at=now, stored_at=now, payload={"Body": TEXTS[1]}, deliveries=1))
    results = handle_inbound_many(services, [
        (_sms(40, TEXTS[0], phone="+8613700000040"), now),
        (_sms(41, TEXTS[0] + "，还是没水", phone="+8613700000040"), now),
        (_sms(42, TEXTS[1], phone="+8613700000042"), now),
        (_sms(43, TEXTS[2]), now)])
    assert (results[0].text, results[0].outcome) == (ticket.text, Outcome.TICKET)
    assert (results[1].text, results[1].outcome) == (repeat.text, Outcome.REPEAT)
    assert results[2].outcome == Outcome.TICKET and results[2].ticket_number  # carried on: now registered
    assert results[3].outcome == Outcome.TICKET
    # 41 shares 40's phone, so the group leaves it to the rules alone; 42 has no ticket to answer with yet.
    assert alone == [_sms(41, "").message_sid, _sms(42, "").message_sid]
    with services.db.reading() as session:
        deliveries = dict(session.execute(select(IntakeMessage.external_id, IntakeMessage.deliveries)).all())
        tickets = session.scalar(select(func.count()).select_from(Ticket))
    assert [deliveries[_sms(n, "").message_sid] for n in (40, 41, 42, 43)] == [2, 2, 2, 1]
    assert tickets == 4  # the first, its repeat, the one carried on, the new one: nothing twice
