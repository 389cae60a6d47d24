"""What the department does: 签收, 办理, 退单, 申请延期 and 答复."""
from __future__ import annotations

from datetime import datetime

from tracking.actions._core import record, require_text, transition
from tracking.actions.actor import Actor
from tracking.actions.dispatching import RETURNS_BEFORE_SUPERVISION
from tracking.actions.errors import InvalidInput, TransitionError
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.states import Role

MAX_EXTENSION_WORKING_DAYS = 15  # an extension asks for at most 15 working days


def accept_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime) -> Ticket:
    """签收: the department takes responsibility for the ticket."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "accept", actor, now)
        ticket.accepted_at = now
        record(session, ticket, "accept", actor, now, due=_iso(ticket.sign_in_due_at),
               on_time=ticket.sign_in_due_at is None or now <= ticket.sign_in_due_at)
    return ticket


def start_work(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """办理中: the department records that it is working on the ticket."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "start_work", actor, now)
        record(session, ticket, "start_work", actor, now, note=note)
    return ticket


def return_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, reason: str) -> Ticket:
    """退单: the department says the ticket is not theirs; the reason is required."""
    reason = require_text(reason, "退单理由", 2000)
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "return", actor, now)
        ticket.return_count += 1
        record(session, ticket, "return", actor, now, note=reason, return_count=ticket.return_count)
        if ticket.return_count >= RETURNS_BEFORE_SUPERVISION:
            notify(session, kind="returned_again", now=now, ticket=ticket, role=Role.SUPERVISOR,
                   text=f"工单{ticket.number}已被退单{ticket.return_count}次，须督办部门决定承办单位。退单理由：{reason[:100]}")
        else:
            notify(session, kind="returned", now=now, ticket=ticket, role=Role.AGENT,
                   text=f"退单：工单{ticket.number}被{actor.name}退回，请改派。理由：{reason[:100]}")
    return ticket


def request_extension(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime,
                      working_days: int, reason: str) -> Ticket:
    """申请延期: ask for more time; the deadline moves only when a supervisor grants it."""
    reason = require_text(reason, "延期理由", 2000)
    if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise InvalidInput(f"延期天数须在1至{MAX_EXTENSION_WORKING_DAYS}个工作日之间")
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "request_extension", actor, now)
        if ticket.extension_requested_days:
            raise TransitionError("已有待审批的延期申请")
        ticket.extension_requested_days = working_days
        ticket.extension_reason = reason
        record(session, ticket, "request_extension", actor, now, note=reason, working_days=working_days)
        notify(session, kind="extension_requested", now=now, ticket=ticket, role=Role.SUPERVISOR,
               text=f"延期申请：工单{ticket.number}申请延期{working_days}个工作日，待审批。理由：{reason[:100]}")
    return ticket


def reply_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, reply: str) -> Ticket:
    """答复: the department's answer to the citizen, with the measures taken."""
    reply = require_text(reply, "答复内容")
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "reply", actor, now)
        ticket.reply_text = reply
        ticket.replied_at = now
        ticket.extension_requested_days = None
        limits = ledger.step_limits(ticket.service_code, ticket.priority)
        ticket.callback_due_at = ledger.due(now, limits.callback)
        record(session, ticket, "reply", actor, now, note=reply, due=_iso(ticket.reply_due_at),
               on_time=ticket.reply_due_at is None or now <= ticket.reply_due_at)
    return ticket


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
