"""intake.settle in batches: a surge's follow-up texts are folded together, as each job alone would fold them."""
from __future__ import annotations

import re

import pytest

from sqlalchemy import select

from channels import settle as settle_module
from channels.models import IntakeMessage, Outcome
from channels.sms.grouped import handle_inbound_many
from channels.sms.replies import InboundSms, handle_inbound
from hotline.job_runs import run_job, run_jobs
from hotline.jobs import Job, JobStatus
from tracking.actions import Actor, answer_directly
from tracking.models import Ticket, TicketEvent
from tracking.states import Role, Status

NUMBER = re.compile(r"\d{8}-\d{6}")
TEXTS = ["幸福小区3栋从昨天起停水，至今没有恢复", "人民路与解放路路口的路灯不亮已经一周", "楼下烧烤店油烟很大，晚上十二点还很吵"]


def _sms(n: int, body: str, again: bool = False) -> InboundSms:
    sid, phone = f"SM{int(again)}{n:031d}", f"+86137{n:08d}"
    return InboundSms(message_sid=sid, phone=phone, body=body, to="+8612345",
                      payload={"MessageSid": sid, "From": phone, "Body": body})


def _follow_ups(services, start: int) -> tuple[list[str], list[int]]:
    """Three callers' first texts, then each one's follow-up, grouped: the earlier numbers and the settle jobs."""
    now = services.clock()
    first = [handle_inbound(services, _sms(start + n, TEXTS[n]), now=now).ticket_number for n in range(3)]
    answers = handle_inbound_many(services, [(_sms(start + n, TEXTS[n] + "，还是没有解决", again=True), now)
                                             for n in range(3)])
    assert [a.outcome for a in answers] == [Outcome.REPEAT] * 3
    with services.db.reading() as session:
        jobs = session.scalars(select(Job.id).where(Job.name == "intake.settle", Job.status == JobStatus.PENDING)
                               .order_by(Job.id)).all()
    return first, list(jobs)


def _folded(services, first: list[str]) -> list[tuple]:
    """For each earlier ticket: its repeat's status, what it was merged into, its message, the events."""
    with services.db.reading() as session:
        rows = []
        for number in first:
            target = session.scalar(select(Ticket).where(Ticket.number == number))
            repeat = session.scalar(select(Ticket).where(Ticket.contact_phone == target.contact_phone,
                                                         Ticket.id != target.id))
            message = session.scalar(select(IntakeMessage).where(IntakeMessage.ticket_id == repeat.id))
            events = session.execute(select(TicketEvent.ticket_id == target.id, TicketEvent.action,
                                            TicketEvent.actor_name, TicketEvent.note).where(
                TicketEvent.ticket_id.in_([target.id, repeat.id]), TicketEvent.action != "register")
                .order_by(TicketEvent.id)).all()
            routed = session.scalars(select(Job.name).where(Job.ticket_id == repeat.id)).all()
            rows.append((repeat.status, repeat.merged_into_id == target.id, message.outcome,
                         message.repeat_of_id == target.id, message.settled_at is not None,
                         [(mine, action, actor, NUMBER.sub("N", note)) for mine, action, actor, note in events],
                         sorted(routed)))
    return rows


def test_a_batch_folds_the_repeats_as_each_job_alone_would(services, departments, monkeypatch):
    merged_together = []
    real = settle_module.merge_tickets
    monkeypatch.setattr(settle_module, "merge_tickets",
                        lambda ledger, merges, **kw: merged_together.append(len(merges)) or real(ledger, merges, **kw))
    first_alone, alone = _follow_ups(services, 100)
    for job_id in alone:
        assert run_job(services, job_id, services.clock()) == JobStatus.DONE
    first_batch, batch = _follow_ups(services, 200)
    assert set(run_jobs(services, batch, services.clock(), top_up=False).values()) == {JobStatus.DONE}
    assert merged_together == [3]  # one transaction for the batch's three merges
    assert _folded(services, first_batch) == _folded(services, first_alone)
    assert _folded(services, first_batch)[0][:5] == (Status.MERGED, True, Outcome.REPEAT, True, True)
    assert run_jobs(services, batch, services.clock()) == {}  # done: nothing folded twice


def test_when_one_earlier_ticket_can_no_longer_take_repeats_each_job_settles_alone(services, departments):
    """The batch's merges are all or none: the one whose earlier ticket was answered meanwhile is routed instead."""
    first, jobs = _follow_ups(services, 300)
    with services.db.reading() as session:
        ids = dict(session.execute(select(Ticket.number, Ticket.id).where(Ticket.number.in_(first))).all())
    answer_directly(services.ledger, ids[first[2]], actor=Actor(None, "坐席", Role.AGENT, None), now=services.clock(),
                    answer="已电话答复")
    assert set(run_jobs(services, jobs, services.clock(), top_up=False).values()) == {JobStatus.DONE}
    folded = _folded(services, first[:2])
    assert [row[:5] for row in folded] == [(Status.MERGED, True, Outcome.REPEAT, True, True)] * 2
    with services.db.reading() as session:
        target = session.scalar(select(Ticket).where(Ticket.number == first[2]))
        repeat = session.scalar(select(Ticket).where(Ticket.contact_phone == target.contact_phone,
                                                     Ticket.id != target.id))
        message = session.scalar(select(IntakeMessage).where(IntakeMessage.ticket_id == repeat.id))
        routing = session.scalars(select(Job.name).where(Job.ticket_id == repeat.id)).all()
    assert (repeat.status, repeat.merged_into_id, message.outcome, message.settled_at is not None) == \
        (Status.REGISTERED, None, Outcome.TICKET, True)
    assert "dispatch.route_ticket" in routing


@pytest.mark.parametrize("batch", [False, True])
def test_a_second_follow_up_is_folded_into_the_ticket_that_is_worked(services, departments, batch):
    """Its match, the first follow-up, was folded into the original meanwhile: merges never chain."""
    now = services.clock()
    original = handle_inbound(services, _sms(400, TEXTS[0]), now=now)
    first = handle_inbound(services, _sms(400, TEXTS[0] + "，还是没有解决", again=True), now=now)
    second = handle_inbound(services, InboundSms(message_sid="SM2" + "0" * 31, phone="+8613700000400",
                                                 body=TEXTS[0] + "，还是没有解决", to="+8612345", payload={}), now=now)
    assert second.outcome == Outcome.REPEAT and first.ticket_number in second.text  # the closest open ticket
    with services.db.reading() as session:
        jobs = session.scalars(select(Job.id).where(Job.name == "intake.settle").order_by(Job.id)).all()
    if batch:  # the second's merge meets the first's in the batch's transaction: each is then settled alone
        assert set(run_jobs(services, jobs, now, top_up=False).values()) == {JobStatus.DONE}
    for job_id in [] if batch else jobs:  # in order: the first follow-up is folded before the second's job runs
        assert run_job(services, job_id, now) == JobStatus.DONE
    with services.db.reading() as session:
        merged = dict(session.execute(select(Ticket.number, Ticket.merged_into_id)).all())
        ids = dict(session.execute(select(Ticket.number, Ticket.id)).all())
    assert merged == {original.ticket_number: None, first.ticket_number: ids[original.ticket_number],
                      second.ticket_number: ids[original.ticket_number]}
