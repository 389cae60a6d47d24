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
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tracking.actions.reminding import SWEEP_ACTOR, alert_ticket, text_departments
from tracking.deadlines import Light
from tracking.ledger import Ledger
from tracking.models import Ticket

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # tickets per transaction: short locks, bounded memory
MAX_BATCHES = 10_000  # a safety stop; five million changed lights in one run means a bug


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


def sweep_deadlines(ledger: Ledger, now: datetime, *, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Remind (and escalate) every ticket whose light crossed a threshold by ``now``.

    Args:
        ledger: the ledger and its rules.
        now: the moment of this run, read once by the caller.
        batch_size: tickets handled per transaction.

    Returns:
        Counts of what was done.
    """
    result = SweepResult()
    for _ in range(MAX_BATCHES):
        with ledger.db.transaction() as session:
            tickets = list(session.scalars(
                select(Ticket).where(Ticket.next_alert_at <= now)
                .order_by(Ticket.next_alert_at, Ticket.id).limit(batch_size)
                .with_for_update(skip_locked=True)))
            reminders = []
            for ticket in tickets:
                reminder = alert_ticket(session, ledger, ticket, now, SWEEP_ACTOR)
                if ticket.next_alert_at is not None and ticket.next_alert_at <= now:
                    raise RuntimeError(f"ticket {ticket.number}: next_alert_at did not move past now")
                if reminder is None:
                    continue
                reminders.append(reminder)
                result.numbers.append(reminder.number)
                if reminder.light is Light.RED:
                    result.red += 1
                    result.escalated += reminder.escalated
                else:
                    result.yellow += 1
            result.texts += text_departments(session, ledger, reminders, now)
        result.examined += len(tickets)
        result.batches += 1
        if len(tickets) < batch_size:
            break
    if result.yellow or result.red:
        log.info("deadline sweep at %s: %s", now.isoformat(), result.as_dict())
    return result
