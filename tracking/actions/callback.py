"""回访, 办结 and 重办: the citizen's word on the department's answer."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from tracking.actions._core import check_transition, record, transition
from tracking.actions.actor import Actor
from tracking.actions.dispatching import notify_dispatched
from tracking.actions.errors import Forbidden, InvalidInput, TransitionError
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.states import Role, Satisfaction

REOPENS_BEFORE_SUPERVISION = 1  # one 重办 on an agent's word; after that the supervision office decides
CALLBACK_METHODS = {"phone": "电话回访", "sms": "短信评议"}


class Outcome(StrEnum):
    """What follows a callback recorded from the callback list."""

    CLOSE = "close"    # 办结
    REOPEN = "reopen"  # 重办 (unsatisfied only)
    HOLD = "hold"      # leave it called back: for the supervision office, or to decide later


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
        _record_callback(session, ticket, actor, now, satisfaction, resolved, note, method)
    return ticket


def close_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, note: str = "") -> Ticket:
    """办结: the loop is closed after the callback."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "close", actor, now)
        _close(session, ticket, actor, now, note)
    return ticket


def reopen_ticket(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime, reason: str = "") -> Ticket:
    """重办: send an unsatisfied ticket back to the same department with a new deadline.

    Raises:
        TransitionError: the citizen was not unsatisfied.
        Forbidden: the ticket was re-opened before and the actor is not a supervisor.
    """
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "reopen", actor, now)
        _reopen(session, ledger, ticket, actor, now, reason)
    return ticket


def finish_callback(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime,
                    satisfaction: Satisfaction, resolved: bool, outcome: Outcome, note: str = "",
                    method: str = "phone") -> Ticket:
    """回访 and what follows it (办结 or 重办), in one transaction, as the callback list does it.

    Raises:
        InvalidInput: 重办 asked for a citizen who was satisfied.
        Forbidden, TransitionError: as :func:`record_callback`, :func:`close_ticket`
            and :func:`reopen_ticket`; nothing is recorded then.
    """
    satisfaction, outcome = Satisfaction(satisfaction), Outcome(outcome)
    if outcome is Outcome.REOPEN and satisfaction is not Satisfaction.UNSATISFIED:
        raise InvalidInput("仅市民不满意时可以重办")
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "record_callback", actor, now)
        _record_callback(session, ticket, actor, now, satisfaction, resolved, note, method)
        if outcome is not Outcome.HOLD:
            check_transition(ticket, outcome.value, actor)
        if outcome is Outcome.CLOSE:
            _close(session, ticket, actor, now, "")
        elif outcome is Outcome.REOPEN:
            _reopen(session, ledger, ticket, actor, now, note or "回访不满意，重新办理")
    return ticket


def _record_callback(session: Session, ticket: Ticket, actor: Actor, now: datetime, satisfaction: Satisfaction,
                     resolved: bool, note: str, method: str) -> None:
    if method not in CALLBACK_METHODS:
        raise InvalidInput("回访方式须为 phone 或 sms")
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


def _close(session: Session, ticket: Ticket, actor: Actor, now: datetime, note: str) -> None:
    ticket.closed_at = now
    record(session, ticket, "close", actor, now, note=note)


def _reopen(session: Session, ledger: Ledger, ticket: Ticket, actor: Actor, now: datetime, reason: str) -> None:
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
