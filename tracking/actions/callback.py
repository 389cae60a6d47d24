"""回访, 办结 and 重办: the citizen's word on the department's answer."""
from __future__ import annotations

from datetime import datetime

from tracking.actions._core import record, transition
from tracking.actions.actor import Actor
from tracking.actions.errors import Forbidden, TransitionError
from tracking.ledger import Ledger
from tracking.actions.dispatching import notify_dispatched
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.states import Role, Satisfaction

REOPENS_BEFORE_SUPERVISION = 1  # one 重办 on an agent's word; after that the supervision office decides


def record_callback(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime,
                    satisfaction: Satisfaction, resolved: bool, note: str = "",
                    method: str = "phone") -> Ticket:
    """回访: record whether the citizen says it is solved and how satisfied they are.

    Args:
        method: how the citizen was asked: ``phone`` (an agent's call) or ``sms`` (短信评议).
    """
    satisfaction = Satisfaction(satisfaction)
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "record_callback", actor, now)
        ticket.satisfaction = satisfaction
        ticket.resolved = bool(resolved)
        ticket.called_back_at = now
        record(session, ticket, "record_callback", actor, now, note=note, method=method,
               satisfaction=satisfaction.value, resolved=bool(resolved),
               due=ticket.callback_due_at.isoformat() if ticket.callback_due_at else None,
               on_time=ticket.callback_due_at is None or now <= ticket.callback_due_at)
        if satisfaction is Satisfaction.UNSATISFIED and ticket.reopen_count >= REOPENS_BEFORE_SUPERVISION:
            notify(session, kind="unsatisfied_again", now=now, ticket=ticket, role=Role.SUPERVISOR,
                   text=f"工单{ticket.number}重办后市民仍不满意，须督办部门决定再次重办或办结")
    return ticket


def close_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """办结: the loop is closed after the callback."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "close", actor, now)
        ticket.closed_at = now
        record(session, ticket, "close", actor, now, note=note)
    return ticket


def reopen_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, reason: str = "") -> Ticket:
    """重办: send an unsatisfied ticket back to the same department with a new deadline.

    Raises:
        TransitionError: the citizen was not unsatisfied.
        Forbidden: the ticket was re-opened before and the actor is not a supervisor.
    """
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "reopen", actor, now)
        if ticket.satisfaction != Satisfaction.UNSATISFIED:
            raise TransitionError("仅对回访不满意的工单可以重办")
        if ticket.reopen_count >= REOPENS_BEFORE_SUPERVISION and actor.role not in {Role.SUPERVISOR, Role.ADMIN}:
            raise Forbidden("工单已重办过，须由督办部门决定")
        ticket.reopen_count += 1
        limits = ledger.step_limits(ticket.service_code, ticket.priority)
        ticket.dispatched_at = now
        ticket.accepted_at = ticket.replied_at = ticket.called_back_at = None
        ticket.satisfaction = ticket.resolved = None
        ticket.sign_in_due_at = ledger.due(now, limits.sign_in)
        ticket.reply_due_at = ledger.due(now, limits.reply)
        ticket.callback_due_at = None
        record(session, ticket, "reopen", actor, now, note=reason, reopen_count=ticket.reopen_count,
               sign_in_due=ticket.sign_in_due_at.isoformat(), reply_due=ticket.reply_due_at.isoformat())
        notify_dispatched(session, ticket, now, again=True)
    return ticket
