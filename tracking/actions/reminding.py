"""催办 (reminders) and the automatic 督办 of overdue tickets: the rules and the words.

A reminder goes to whoever holds the ticket's current step: the department for
signing in and replying, the hotline's agents for the callback. It is written
three ways in one transaction: an event on the ticket, an in-app notification,
and (for a department whose duty phone is known) an ``sms.send`` job
(``tracking.actions.reminder_texts``). A supervisor reminds by hand with
:func:`remind_ticket`; the deadline sweep (``tracking.sweep``) decides with
:func:`plan_alert` and writes the same rows in bulk, with the same words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from tracking.actions._core import record, transition
from tracking.actions.actor import Actor
from tracking.actions.errors import TransitionError
from tracking.actions.reminder_texts import STATE_WORDS, Reminder, local_time, text_departments
from tracking.deadlines import Light
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.schedule import DEPARTMENT_STEPS, LIGHT_RANK, STEP_LABELS, Step, light_of, next_threshold
from tracking.states import TRANSITIONS, Priority, Role, Status

SWEEP_ACTOR = Actor.system("时限监控")  # the name the sweep's events carry
ESCALATED_FROM = TRANSITIONS["escalate"].sources  # a red step in these statuses goes to the supervision office


@dataclass(frozen=True)
class AlertPlan:
    """What the sweep does to one ticket whose ``next_alert_at`` has come."""

    light: Light | None          # the light to remind of, or None: nothing new
    escalate: bool               # red, and the department's step: 督办
    alerted_light: str | None    # the ticket's new ``alerted_light``
    next_alert_at: datetime | None  # the ticket's new ``next_alert_at`` (None or after now)


def plan_alert(ticket, now: datetime) -> AlertPlan:
    """Decide, from the ticket's step columns, what its light asks for at ``now``.

    The reminder is for the highest threshold crossed and not yet reminded of
    (a ticket that went from green to red unseen gets the red one only). Asked
    twice at the same moment, the second answer is "nothing new".

    Args:
        ticket: anything with ``status``, ``step``, ``step_due_at``,
            ``step_yellow_at`` and ``alerted_light`` (an ORM ticket or a row).
    """
    light = light_of(ticket, now) if ticket.step else None
    if light is None:  # no step runs: a stale schedule, cleared
        return AlertPlan(None, False, None, None)
    alerted = Light(ticket.alerted_light) if ticket.alerted_light else None
    if LIGHT_RANK[light] <= LIGHT_RANK[alerted]:
        return AlertPlan(None, False, ticket.alerted_light, next_threshold(ticket))
    after = SimpleNamespace(alerted_light=light.value, step_due_at=ticket.step_due_at,
                            step_yellow_at=ticket.step_yellow_at)
    escalate = light is Light.RED and Status(ticket.status) in ESCALATED_FROM and Step(ticket.step) in DEPARTMENT_STEPS
    return AlertPlan(light, escalate, light.value, next_threshold(after))


def remind_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """催办 by hand: remind whoever holds the ticket's current step, whatever its light.

    A reminder by hand does not use up the sweep's thresholds: the sweep still
    reminds when the light turns yellow and red.

    Raises:
        Forbidden: only the supervision office (or the system) reminds.
        TransitionError: the ticket is in no step with a deadline.
    """
    note = note.strip()[:2000]
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "remind", actor, now)
        light = light_of(ticket, now)
        if light is None:
            raise TransitionError(f"工单{ticket.number}当前没有计时的办理环节，无需催办")
        step = Step(ticket.step)
        state = reminder_state(ledger, step, light, ticket.step_due_at)
        record(session, ticket, "remind", actor, now, note=note or state, step=step.value, light=light.value,
               due=ticket.step_due_at.isoformat(), automatic=False)
        text = reminder_notice(ticket.number, ticket.title, state, note)
        if step in DEPARTMENT_STEPS and ticket.department_id:
            notify(session, kind="remind", text=text, now=now, ticket=ticket, department_id=ticket.department_id)
        else:
            notify(session, kind="remind", text=text, now=now, ticket=ticket, role=Role.AGENT)
        text_departments(session, ledger, [reminder_of(ticket, step, light)], now, force=True)
    return ticket


def reminder_of(ticket, step: Step, light: Light, escalated: bool = False) -> Reminder:
    """The reminder as the texts need it (``department_id`` None for the hotline's own step)."""
    return Reminder(ticket.id, ticket.number, ticket.department_id if step in DEPARTMENT_STEPS else None, step,
                    light, ticket.step_due_at, Priority(ticket.priority) is not Priority.NORMAL, escalated)


def reminder_state(ledger: Ledger, step: Step, light: Light, due: datetime) -> str:
    """E.g. 签收即将超时（时限11月23日11:00）: the note of a reminder event."""
    return f"{STEP_LABELS[step]}{STATE_WORDS[light]}（时限{local_time(ledger, due)}）"


def reminder_notice(number: str, title: str, state: str, note: str = "") -> str:
    text = f"催办：工单{number}「{title[:30]}」{state}"
    return f"{text}。{note[:200]}" if note else text


def escalation_note(ledger: Ledger, step: Step, due: datetime) -> str:
    return f"{STEP_LABELS[step]}超时（时限{local_time(ledger, due)}），系统自动督办"


def escalation_notices(department_name: str, number: str, step: Step) -> tuple[str, str]:
    """(to the supervision office, to the department) when the sweep escalates a ticket."""
    label = STEP_LABELS[step]
    return (f"自动督办：{department_name or '未派单'}工单{number}{label}已超时",
            f"督办：工单{number}{label}已超时，已转督办部门跟踪，请立即办理")
