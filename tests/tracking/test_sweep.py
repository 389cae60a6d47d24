"""The deadline sweep: one reminder per threshold, escalation when red, nothing sent twice."""
from __future__ import annotations

from datetime import timedelta

from hotline.jobs import Job
from hotline.scheduler import run_periodic
from tests.support.factories import TicketFactory
from tests.tracking.conftest import WATER_PHONE, at, count_rows, events, notifications, sms_jobs
from tracking import actions as act
from tracking.models import Ticket, TicketEvent
from tracking.notifications import Notification
from tracking.states import Priority, Role, Satisfaction
from tracking.sweep import sweep_deadlines
from tracking.tasks import SWEEP_TASK


def _ticket(services, ticket_id) -> Ticket:
    with services.db.reading() as session:
        return session.get(Ticket, ticket_id)


def test_a_green_ticket_is_left_alone(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)  # Monday 09:00, sign in by 11:00
    before = count_rows(services, TicketEvent)
    result = sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 29))
    assert (result.examined, result.yellow, result.red) == (0, 0, 0)
    assert count_rows(services, TicketEvent) == before and sms_jobs(services) == []
    assert _ticket(services, ticket.id).next_alert_at == at(2026, 11, 23, 10, 30)


def test_yellow_then_red_each_reminded_once_even_when_swept_twice(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    assert ticket.sign_in_due_at == at(2026, 11, 23, 11) and ticket.step == "sign_in"

    for moment in (at(2026, 11, 23, 10, 30), at(2026, 11, 23, 10, 30), at(2026, 11, 23, 10, 59)):
        sweep_deadlines(services.ledger, moment)
    reminders = events(services, ticket.id, "remind")
    assert [(e.data["light"], e.data["step"], e.actor_role) for e in reminders] == [("yellow", "sign_in", "system")]
    assert reminders[0].note == "签收即将超时（时限11月23日11:00）"
    assert [n.kind for n in notifications(services, department_id=cast.water.id)] == ["dispatched", "remind"]
    [text] = sms_jobs(services)
    assert text.args["to"] == WATER_PHONE and text.args["purpose"] == "reminder"
    assert text.args["ticket_id"] == ticket.id and ticket.number in text.args["body"]
    assert text.run_after == at(2026, 11, 23, 10, 30)  # office hours: at once

    at_due = sweep_deadlines(services.ledger, at(2026, 11, 23, 11))  # due now: still in time
    assert at_due.red == 0
    for moment in (at(2026, 11, 23, 11, 0, 0, 1), at(2026, 11, 23, 11, 5), at(2026, 11, 23, 15)):
        sweep_deadlines(services.ledger, moment)
    assert [e.data["light"] for e in events(services, ticket.id, "remind")] == ["yellow", "red"]
    [escalation] = events(services, ticket.id, "escalate")
    assert escalation.data["automatic"] and "签收超时" in escalation.note
    assert _ticket(services, ticket.id).escalated_at == at(2026, 11, 23, 11, 0, 0, 1)
    assert [n.kind for n in notifications(services, role="supervisor")] == ["escalated"]
    assert len(sms_jobs(services)) == 2
    assert _ticket(services, ticket.id).next_alert_at is None


def test_a_ticket_found_already_overdue_gets_the_red_reminder_only(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    result = sweep_deadlines(services.ledger, at(2026, 11, 23, 14))
    assert (result.yellow, result.red, result.escalated) == (0, 1, 1)
    assert [e.data["light"] for e in events(services, ticket.id, "remind")] == ["red"]


def test_signing_in_starts_the_reply_clock_with_fresh_thresholds(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    sweep_deadlines(services.ledger, at(2026, 11, 23, 11, 30))  # red on signing in
    accepted = act.accept_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 11, 40))
    assert accepted.step == "reply" and accepted.alerted_light is None
    assert accepted.step_due_at == at(2026, 11, 30, 17, 30)  # 5 working days
    assert accepted.next_alert_at == at(2026, 11, 29, 17, 30)  # a day before, a Sunday

    sunday = sweep_deadlines(services.ledger, at(2026, 11, 29, 17, 31))
    assert sunday.yellow == 1
    reply_text = sms_jobs(services)[-1]
    assert reply_text.run_after == at(2026, 11, 30, 9)  # texted when the office opens on Monday
    assert sweep_deadlines(services.ledger, at(2026, 11, 29, 18)).yellow == 0


def test_an_urgent_ticket_is_texted_at_night(services, cast):
    ticket = TicketFactory.registered(services, cast.agent, priority=Priority.URGENT)
    act.dispatch_ticket(services.ledger, ticket.id, cast.water.id, actor=cast.agent, now=at(2026, 11, 23, 21))
    sweep_deadlines(services.ledger, at(2026, 11, 23, 21, 50))  # sign in within 1 hour: yellow at 21:45
    [text] = sms_jobs(services)
    assert text.run_after == at(2026, 11, 23, 21, 50)


def test_several_tickets_of_a_department_make_one_text_stating_its_situation(services, cast):
    numbers = [TicketFactory.dispatched(services, cast.agent, cast.water).number for _ in range(4)]
    TicketFactory.dispatched(services, cast.agent, cast.gas)  # no duty phone: in-app only
    result = sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 45), batch_size=2)
    assert (result.yellow, result.texts, result.batches) == (5, 1, 3)
    [text] = sms_jobs(services)
    assert text.args["to"] == WATER_PHONE and "ticket_id" not in text.args
    assert "现有已超时工单0件、即将超时工单4件" in text.args["body"] and numbers[0] in text.args["body"]
    assert len(notifications(services, department_id=cast.gas.id, kind="remind")) == 1


def test_a_department_is_texted_at_most_once_per_interval_unless_urgent(services, cast, clock):
    TicketFactory.dispatched(services, cast.agent, cast.water)
    clock.advance(minutes=10)
    TicketFactory.dispatched(services, cast.agent, cast.water)
    sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 30))   # the first turns yellow: texted
    sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 40))   # the second: 10 minutes later, not texted
    assert len(sms_jobs(services)) == 1
    urgent = TicketFactory.registered(services, cast.agent, priority=Priority.URGENT)
    act.dispatch_ticket(services.ledger, urgent.id, cast.water.id, actor=cast.agent, now=at(2026, 11, 23, 10, 40))
    sweep_deadlines(services.ledger, at(2026, 11, 23, 11, 30))  # urgent yellow (+ the first two red)
    assert len(sms_jobs(services)) == 2
    assert "现有已超时工单2件、即将超时工单1件" in sms_jobs(services)[-1].args["body"]
    sweep_deadlines(services.ledger, at(2026, 11, 23, 11, 45))
    assert len(sms_jobs(services)) == 3  # the urgent one red: texted at once again


def test_the_interval_between_texts_is_a_setting(services, cast, clock):
    TicketFactory.dispatched(services, cast.agent, cast.water)
    clock.advance(minutes=10)
    TicketFactory.dispatched(services, cast.agent, cast.water)
    sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 30), text_interval=timedelta(minutes=5))
    sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 40), text_interval=timedelta(minutes=5))
    assert len(sms_jobs(services)) == 2


def test_the_sweep_runs_as_a_periodic_task(services, cast, clock):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    clock.set(at(2026, 11, 23, 10, 31))
    assert SWEEP_TASK in run_periodic(services.db, clock())
    services.queue.drain()
    assert [e.data["light"] for e in events(services, ticket.id, "remind")] == ["yellow"]
    clock.advance(seconds=30)
    assert SWEEP_TASK not in run_periodic(services.db, clock())  # once a minute, however many processes ask
    clock.advance(seconds=30)
    assert SWEEP_TASK in run_periodic(services.db, clock())
    services.queue.drain()
    assert len(events(services, ticket.id, "remind")) == 1


def test_the_callback_step_reminds_the_agents_and_is_not_escalated(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 9, 30))
    replied = act.reply_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 10),
                               reply="已抢修完毕，恢复供水")
    assert replied.step == "callback" and replied.step_due_at == at(2026, 11, 25, 17, 30)
    result = sweep_deadlines(services.ledger, at(2026, 11, 26, 9))
    assert (result.red, result.escalated, result.texts) == (1, 0, 0)
    assert [n.kind for n in notifications(services, role="agent")] == ["remind"]
    assert events(services, ticket.id, "escalate") == []
    act.record_callback(services.ledger, ticket.id, actor=cast.agent, now=at(2026, 11, 26, 9, 5),
                        satisfaction=Satisfaction.SATISFIED, resolved=True)
    assert _ticket(services, ticket.id).next_alert_at is None


def test_a_granted_extension_gives_new_thresholds_a_refused_one_does_not(services, cast):
    ledger = services.ledger
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 9, 30))
    act.request_extension(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 27, 10),
                          working_days=3, reason="需更换主管道")
    act.refuse_extension(ledger, ticket.id, actor=cast.boss, now=at(2026, 11, 27, 11), reason="可先临时供水")
    assert sweep_deadlines(ledger, at(2026, 11, 30, 17, 31)).red == 1  # the deadline did not move
    act.request_extension(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 12, 1, 9),
                          working_days=3, reason="管材已到货，需施工三天")
    granted = act.grant_extension(ledger, ticket.id, actor=cast.boss, now=at(2026, 12, 1, 10))
    assert granted.step_due_at == at(2026, 12, 3, 17, 30)  # 3 working days after the old 11-30 deadline
    assert granted.alerted_light is None and granted.next_alert_at == at(2026, 12, 2, 17, 30)
    assert sweep_deadlines(ledger, at(2026, 12, 2, 17, 30)).yellow == 1
    assert sweep_deadlines(ledger, at(2026, 12, 3, 17, 31)).red == 1
    assert [e.data["light"] for e in events(services, ticket.id, "remind")] == ["red", "yellow", "red"]
    assert [n.kind for n in notifications(services, department_id=cast.water.id)] == [
        "dispatched", "extension_refused", "escalated", "extension_granted", "remind", "escalated"]


def test_a_supervisor_reminds_by_hand(services, cast):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.remind_ticket(services.ledger, ticket.id, actor=cast.boss, now=at(2026, 11, 23, 9, 10), note="市民再次来电催促")
    [reminder] = events(services, ticket.id, "remind")
    assert reminder.actor_role == Role.SUPERVISOR.value and reminder.note == "市民再次来电催促"
    assert reminder.data["light"] == "green" and not reminder.data["automatic"]
    assert "市民再次来电催促" in notifications(services, kind="remind")[0].text
    assert len(sms_jobs(services)) == 1
    # a hand reminder does not use up the sweep's own thresholds
    assert sweep_deadlines(services.ledger, at(2026, 11, 23, 10, 31)).yellow == 1


def test_closed_and_registered_tickets_are_never_read(services, cast):
    TicketFactory.registered(services, cast.agent)
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.return_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 9, 20), reason="非本单位")
    assert _ticket(services, ticket.id).next_alert_at is None
    assert sweep_deadlines(services.ledger, at(2027, 1, 1)).examined == 0
    assert count_rows(services, Notification) == 2 and count_rows(services, Job) == 0
