"""The supervision office's actions: 延期审批, 督办, 催办, and notes anyone may add."""
from __future__ import annotations

from datetime import datetime

from tracking.actions._core import record, require_text, transition
from tracking.actions.actor import Actor
from tracking.actions.errors import TransitionError
from tracking.calendar import TimeAmount, TimeUnit
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify


def grant_extension(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """同意延期: move the reply deadline by the working days the department asked for."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "grant_extension", actor, now)
        days = _pending_days(ticket)
        previous = ticket.reply_due_at
        base = previous or now
        ticket.reply_due_at = ledger.due(base, TimeAmount(days, TimeUnit.WORKING_DAYS))
        ticket.extension_count += 1
        ticket.extension_requested_days = None
        record(session, ticket, "grant_extension", actor, now, note=note, working_days=days,
               previous_due=previous.isoformat() if previous else None,
               new_due=ticket.reply_due_at.isoformat())
        new_due = ticket.reply_due_at.astimezone(ledger.tz).strftime("%Y-%m-%d %H:%M")
        notify(session, kind="extension_granted", now=now, ticket=ticket, department_id=ticket.department_id,
               text=f"同意延期：工单{ticket.number}延期{days}个工作日，新的答复时限为{new_due}")
    return ticket


def refuse_extension(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, reason: str) -> Ticket:
    """不同意延期: the deadline stays; the reason is required so the department knows why."""
    reason = require_text(reason, "不同意的理由", 2000)
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "refuse_extension", actor, now)
        days = _pending_days(ticket)
        ticket.extension_requested_days = None
        record(session, ticket, "refuse_extension", actor, now, note=reason, working_days=days)
        notify(session, kind="extension_refused", now=now, ticket=ticket, department_id=ticket.department_id,
               text=f"不同意延期：工单{ticket.number}仍按原时限办理。理由：{reason[:100]}")
    return ticket


def escalate_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str) -> Ticket:
    """督办: the supervision office takes a ticket under its watch."""
    note = require_text(note, "督办意见", 2000)
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "escalate", actor, now)
        ticket.escalated_at = now
        record(session, ticket, "escalate", actor, now, note=note)
        if ticket.department_id:
            notify(session, kind="escalated", now=now, ticket=ticket, department_id=ticket.department_id,
                   text=f"督办：工单{ticket.number}由{actor.name}督办。意见：{note[:100]}")
    return ticket


def add_note(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str, **data) -> Ticket:
    """A remark or an incoming message on a ticket, kept in its timeline."""
    note = require_text(note, "备注内容")
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "add_note", actor, now)
        record(session, ticket, "add_note", actor, now, note=note, **data)
    return ticket


def _pending_days(ticket: Ticket) -> int:
    if not ticket.extension_requested_days:
        raise TransitionError("该工单没有待审批的延期申请")
    return ticket.extension_requested_days
