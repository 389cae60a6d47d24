"""The deadline sweep (超时监控): find tickets whose light changed, remind, escalate.

Every ticket with a step running carries ``next_alert_at``, the next moment its
light passes a threshold it has not been reminded of (see
``tracking.schedule``). The sweep reads only the tickets whose moment has
come, through a partial index on that column, so its cost follows the number
of lights that changed since the last run, not the number of open tickets.

Each batch is one transaction: tickets are locked (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so a department signing in at that instant is not blocked and
its ticket is simply seen next time), reminded, escalated when red, and moved
to their next threshold; the texts to departments are enqueued in the same
transaction. A sweep run twice, or by two processes at once, therefore sends
nothing twice.

The rows are the ones an action writes (``record``'s event fields, ``notify``'s
notification fields, the step columns of ``tracking.schedule``), written with
one statement per table per batch: the sweep after the close of office may
remind thousands of tickets at once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from hotline.bulk import insert_rows
from tracking.accounts import Department
from tracking.actions._core import event_fields
from tracking.actions.reminder_texts import DEFAULT_TEXT_INTERVAL, text_departments
from tracking.actions.reminding import (SWEEP_ACTOR, escalation_note, escalation_notices, plan_alert, reminder_notice,
                                        reminder_of, reminder_state)
from tracking.deadlines import Light
from tracking.ledger import Ledger
from tracking.models import Ticket, TicketEvent
from tracking.notifications import Notification, notification_fields
from tracking.schedule import DEPARTMENT_STEPS, Step
from tracking.states import Role, Status

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # tickets per transaction: short locks, bounded memory
MAX_BATCHES = 10_000  # a safety stop; five million changed lights in one run means a bug
COLUMNS = (Ticket.id, Ticket.number, Ticket.title, Ticket.status, Ticket.priority, Ticket.department_id, Ticket.step,
           Ticket.step_due_at, Ticket.step_yellow_at, Ticket.alerted_light, Ticket.escalated_at, Ticket.updated_at)
TICKETS = Ticket.__table__
SET_ALERT = update(TICKETS).where(TICKETS.c.id == bindparam("ticket_id"))


@dataclass
class SweepResult:
    """What one run of the sweep did."""

    examined: int = 0
    yellow: int = 0        # reminders that a deadline is near
    red: int = 0           # reminders that a deadline has passed
    escalated: int = 0     # red tickets handed to the supervision office
    texts: int = 0         # sms.send jobs enqueued for departments
    batches: int = 0
    numbers: list[str] = field(default_factory=list)  # tickets reminded, for the log and tests

    def as_dict(self) -> dict:
        return {"examined": self.examined, "yellow": self.yellow, "red": self.red,
                "escalated": self.escalated, "texts": self.texts, "batches": self.batches}


def sweep_deadlines(ledger: Ledger, now: datetime, *, batch_size: int = BATCH_SIZE,
                    text_interval: timedelta = DEFAULT_TEXT_INTERVAL) -> SweepResult:
    """Remind (and escalate) every ticket whose light crossed a threshold by ``now``.

    Args:
        ledger: the ledger and its rules.
        now: the moment of this run, read once by the caller.
        batch_size: tickets handled per transaction.
        text_interval: the least time between two reminder texts to one department.

    Returns:
        Counts of what was done.
    """
    result = SweepResult()
    for _ in range(MAX_BATCHES):
        with ledger.db.transaction() as session:
            rows = session.execute(select(*COLUMNS).where(Ticket.next_alert_at <= now)
                                   .order_by(Ticket.next_alert_at, Ticket.id).limit(batch_size)
                                   .with_for_update(skip_locked=True)).all()
            if rows:
                batch = _Batch(ledger, now, dict(session.execute(select(Department.id, Department.name)).all()))
                for row in rows:
                    batch.add(row, result)
                batch.write(session)
                result.texts += text_departments(session, ledger, batch.reminders, now, interval=text_interval)
        result.examined += len(rows)
        result.batches += 1
        if len(rows) < batch_size:
            break
    if result.yellow or result.red:
        log.info("deadline sweep at %s: %s", now.isoformat(), result.as_dict())
    return result


class _Batch:
    """The rows one batch writes: ticket updates, events and notifications, in bulk."""

    def __init__(self, ledger: Ledger, now: datetime, department_names: dict[int, str]):
        self.ledger, self.now, self.names = ledger, now, department_names
        self.updates, self.events, self.notes, self.reminders = [], [], [], []

    def add(self, row, result: SweepResult) -> None:
        plan = plan_alert(row, self.now)
        if plan.next_alert_at is not None and plan.next_alert_at <= self.now:
            raise RuntimeError(f"ticket {row.number}: next_alert_at would not move past now")
        update_ = {"ticket_id": row.id, "alerted_light": plan.alerted_light, "next_alert_at": plan.next_alert_at,
                   "updated_at": row.updated_at, "escalated_at": row.escalated_at}
        self.updates.append(update_)
        if plan.light is None:
            return
        update_["updated_at"] = self.now
        step, due, status = Step(row.step), row.step_due_at, Status(row.status)
        state = reminder_state(self.ledger, step, plan.light, due)
        self._event(row, "remind", status, state, step=step.value, light=plan.light.value, due=due.isoformat(),
                    automatic=True)
        if not plan.escalate:  # an escalated ticket's department gets the one notice below
            self._note(row, "remind", reminder_notice(row.number, row.title, state), step)
        else:
            update_["escalated_at"] = self.now
            self._event(row, "escalate", status, escalation_note(self.ledger, step, due), automatic=True,
                        step=step.value, due=due.isoformat())
            to_office, to_department = escalation_notices(self.names.get(row.department_id, ""), row.number, step)
            self.notes.append(notification_fields(kind="escalated", text=to_office, now=self.now, ticket_id=row.id,
                                                  role=Role.SUPERVISOR))
            self._note(row, "escalated", to_department, step)
        self.reminders.append(reminder_of(row, step, plan.light, plan.escalate))
        result.numbers.append(row.number)
        result.red += plan.light is Light.RED
        result.yellow += plan.light is Light.YELLOW
        result.escalated += plan.escalate

    def _event(self, row, action: str, status: Status, note: str, **data) -> None:
        self.events.append({"ticket_id": row.id, **event_fields(
            row.department_id, action, SWEEP_ACTOR, self.now, from_status=status, to_status=status, note=note,
            data=data)})

    def _note(self, row, kind: str, text: str, step: Step) -> None:
        audience = {"department_id": row.department_id} if step in DEPARTMENT_STEPS and row.department_id \
            else {"role": Role.AGENT}
        self.notes.append(notification_fields(kind=kind, text=text, now=self.now, ticket_id=row.id, **audience))

    def write(self, session) -> None:
        session.execute(SET_ALERT, self.updates)
        insert_rows(session, TicketEvent.__table__, self.events)
        insert_rows(session, Notification.__table__, self.notes)
