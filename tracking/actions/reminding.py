"""催办 (reminders) and the automatic 督办 of overdue tickets.

A reminder goes to whoever holds the ticket's current step: the department for
signing in and replying, the hotline's agents for the callback. It is written
three ways in one transaction: an event on the ticket, an in-app notification,
and (for a department whose duty phone is known) an ``sms.send`` job. The
deadline sweep (``tracking.sweep``) calls :func:`alert_ticket` once per
threshold; a supervisor can also remind by hand with :func:`remind_ticket`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.jobs import enqueue
from tracking.accounts import Department
from tracking.actions._core import record, transition
from tracking.actions.actor import Actor
from tracking.actions.errors import TransitionError
from tracking.deadlines import Light
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.schedule import (DEPARTMENT_STEPS, LIGHT_RANK, STEP_LABELS, Step, light_of,
                               next_threshold, refresh_schedule)
from tracking.states import TRANSITIONS, Priority, Role

SWEEP_ACTOR = Actor.system("时限监控")  # the name the sweep's events carry
SMS_LISTED_NUMBERS = 3  # ticket numbers quoted in a digest SMS; the rest are counted
STATE_WORDS = {Light.GREEN: "尚在时限内", Light.YELLOW: "即将超时", Light.RED: "已超时"}


@dataclass(frozen=True)
class Reminder:
    """One reminder written, as the SMS digest needs it."""

    ticket_id: int
    number: str
    department_id: int | None
    step: Step
    light: Light
    due_at: datetime
    urgent: bool  # urgent or emergency priority: texted even outside office hours
    escalated: bool = False  # handed to the supervision office (督办) with this reminder


def remind_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """催办 by hand: remind whoever holds the ticket's current step, whatever its light.

    Raises:
        Forbidden: only the supervision office (or the system) reminds.
        TransitionError: the ticket is in no step with a deadline.
    """
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "remind", actor, now)
        light = light_of(ticket, now)
        if light is None:
            raise TransitionError(f"工单{ticket.number}当前没有计时的办理环节，无需催办")
        reminder = _write_reminder(session, ledger, ticket, actor, now, light, note=note.strip()[:2000])
        text_departments(session, ledger, [reminder], now)
    return ticket


def alert_ticket(session: Session, ledger: Ledger, ticket: Ticket, now: datetime,
                 actor: Actor = SWEEP_ACTOR) -> Reminder | None:
    """The sweep's work on one locked ticket whose ``next_alert_at`` has come.

    Sends the reminder of the highest threshold crossed and not yet reminded
    of (a ticket that went from green to red unseen gets the red one only),
    escalates a red one to the supervision office, and moves ``next_alert_at``
    past ``now``. Called twice, the second call finds nothing new and writes
    nothing but the (unchanged) next threshold.

    Returns:
        The reminder written, or None when no new threshold was crossed.
    """
    light = light_of(ticket, now)
    if light is None:
        refresh_schedule(ticket)  # no step runs (a stale schedule): clear it
        return None
    alerted = Light(ticket.alerted_light) if ticket.alerted_light else None
    if LIGHT_RANK[light] <= LIGHT_RANK[alerted]:
        ticket.next_alert_at = next_threshold(ticket)
        return None
    ticket.alerted_light = light.value
    reminder = _write_reminder(session, ledger, ticket, actor, now, light, note="", automatic=True)
    if light is Light.RED and ticket.status in TRANSITIONS["escalate"].sources:
        _escalate(session, ledger, ticket, actor, now, reminder)
        reminder = replace(reminder, escalated=True)
    return reminder


def _write_reminder(session: Session, ledger: Ledger, ticket: Ticket, actor: Actor, now: datetime,
                    light: Light, *, note: str, automatic: bool = False) -> Reminder:
    step = Step(ticket.step)
    due = ticket.step_due_at
    state = f"{STEP_LABELS[step]}{STATE_WORDS[light]}（时限{_local(ledger, due)}）"
    record(session, ticket, "remind", actor, now, note=note or state, step=step.value, light=light.value,
           due=due.isoformat(), automatic=automatic)
    text = f"催办：工单{ticket.number}「{ticket.title[:30]}」{state}"
    if note:
        text += f"。{note[:200]}"
    if step in DEPARTMENT_STEPS and ticket.department_id:
        notify(session, kind="remind", text=text, now=now, ticket=ticket, department_id=ticket.department_id)
    else:
        notify(session, kind="remind", text=text, now=now, ticket=ticket, role=Role.AGENT)
    return Reminder(ticket.id, ticket.number, ticket.department_id if step in DEPARTMENT_STEPS else None,
                    step, light, due, Priority(ticket.priority) is not Priority.NORMAL)


def _escalate(session: Session, ledger: Ledger, ticket: Ticket, actor: Actor, now: datetime,
              reminder: Reminder) -> None:
    step_label = STEP_LABELS[reminder.step]
    ticket.escalated_at = now
    record(session, ticket, "escalate", actor, now, automatic=True, step=reminder.step.value,
           due=reminder.due_at.isoformat(),
           note=f"{step_label}超时（时限{_local(ledger, reminder.due_at)}），系统自动督办")
    department = session.get(Department, ticket.department_id) if ticket.department_id else None
    notify(session, kind="escalated", now=now, ticket=ticket, role=Role.SUPERVISOR,
           text=f"自动督办：{department.name if department else '未派单'}工单{ticket.number}{step_label}已超时")
    if department is not None:
        notify(session, kind="escalated", now=now, ticket=ticket, department_id=department.id,
               text=f"督办：工单{ticket.number}{step_label}已超时，已转督办部门跟踪，请立即办理")


def text_departments(session: Session, ledger: Ledger, reminders: Iterable[Reminder], now: datetime) -> int:
    """Enqueue one ``sms.send`` per department reminded (a digest when several tickets).

    A department is texted at its duty phone, if one is known. Outside office
    hours the text waits for the next working moment, unless a ticket is
    urgent or its deadline would pass before then.

    Returns:
        How many texts were enqueued.
    """
    by_department: dict[int, list[Reminder]] = {}
    for reminder in reminders:
        if reminder.department_id is not None:
            by_department.setdefault(reminder.department_id, []).append(reminder)
    if not by_department:
        return 0
    phones = dict(session.execute(select(Department.id, Department.contact_phone).where(
        Department.id.in_(by_department), Department.contact_phone.is_not(None))).all())
    sent = 0
    opens = ledger.calendar.next_working_moment(now)
    for department_id, items in sorted(by_department.items()):
        phone = (phones.get(department_id) or "").strip()
        if not phone:
            continue
        send_now = any(r.urgent or r.due_at < opens for r in items)
        delay = timedelta(0) if send_now or opens <= now else opens - now
        args = {"to": phone, "body": _sms_body(ledger, items), "purpose": "reminder"}
        enqueue(session, "sms.send", now=now, delay=delay,
                ticket_id=items[0].ticket_id if len(items) == 1 else None, **args)
        sent += 1
    return sent


def _sms_body(ledger: Ledger, items: list[Reminder]) -> str:
    if len(items) == 1:
        r = items[0]
        return (f"【12345热线】催办：工单{r.number}{STEP_LABELS[r.step]}{STATE_WORDS[r.light]}"
                f"（时限{_local(ledger, r.due_at)}），请及时登录承办单位工作台办理。")
    red = sum(1 for r in items if r.light is Light.RED)
    listed = "、".join(r.number for r in items[:SMS_LISTED_NUMBERS])
    return (f"【12345热线】催办：贵单位有{len(items)}件工单临近或超过办理时限（其中已超时{red}件），"
            f"如{listed}等，请及时登录承办单位工作台办理。")


def _local(ledger: Ledger, moment: datetime) -> str:
    return moment.astimezone(ledger.tz).strftime("%m月%d日%H:%M")
