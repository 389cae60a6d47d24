"""派单, 改派, 直接办结 and 并单: what happens to a ticket before a department holds it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.ids import assign_ids
from hotline.jobs import enqueue

from tracking.accounts import Department
from tracking.actions._core import can_act, check_transition, load_ticket, record, require_text, transition
from tracking.actions.actor import Actor
from tracking.actions.errors import Forbidden, InvalidInput, LedgerError, NotFound, TransitionError
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.states import PRIORITY_LABELS, Priority, Role

# After this many returns, only the supervision office may send a ticket on again,
# so it cannot bounce between departments for ever.
RETURNS_BEFORE_SUPERVISION = 2


def dispatch_ticket(ledger: Ledger, ticket_id: int, department_id: int, *, actor: Actor,
                    now: datetime, note: str = "", service_code: str | None = None) -> Ticket:
    """派单: send a registered ticket to the department responsible, and start its clock."""
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "dispatch", actor, now)
        _dispatch(session, ledger, ticket, department_id, actor, now, note, service_code)
    return ticket


@dataclass(frozen=True)
class DispatchOrder:
    """One ticket of :func:`dispatch_tickets`: where it goes, and the note of its event."""

    ticket_id: int
    department_id: int
    note: str = ""
    service_code: str | None = None


def dispatch_tickets(ledger: Ledger, orders: Sequence[DispatchOrder], *, actor: Actor,
                     now: datetime) -> dict[int, Ticket | LedgerError]:
    """派单 of many tickets in one transaction (routing a whole intake group at once).

    Each ticket is dispatched exactly as :func:`dispatch_ticket` does it, with
    its own event and notification; one that may not be dispatched (a person
    took it meanwhile, its department was closed) gets its error and the
    others go on. The tickets are locked in id order, so two groups never wait
    on each other in a circle.

    Returns:
        For each ticket id: the dispatched ticket, or the error that kept it back.
    """
    results: dict[int, Ticket | LedgerError] = {}
    with ledger.db.transaction() as session, session.no_autoflush:  # one flush at commit, not one per ticket
        locked = {t.id: t for t in session.scalars(
            select(Ticket).where(Ticket.id.in_([o.ticket_id for o in orders])).order_by(Ticket.id)
            .with_for_update())}
        # Loaded once and held (the session's identity map only keeps what is referenced), so each
        # ticket's department is found there without a query.
        departments = session.scalars(select(Department).where(
            Department.id.in_({o.department_id for o in orders}))).all()
        for order in orders:
            try:
                ticket = locked.get(order.ticket_id)
                if ticket is None or not can_act(actor, ticket):
                    raise NotFound("工单不存在或无权查看")
                check_transition(ticket, "dispatch", actor)
                _dispatch(session, ledger, ticket, order.department_id, actor, now, order.note, order.service_code)
                results[order.ticket_id] = ticket
            except LedgerError as exc:
                results[order.ticket_id] = exc
        assign_ids(session)  # the events and notifications then go in with one statement each
        del departments
    return results


def _dispatch(session: Session, ledger: Ledger, ticket: Ticket, department_id: int, actor: Actor,
              now: datetime, note: str, service_code: str | None) -> None:
    _assign(session, ledger, ticket, department_id, now, service_code)
    record(session, ticket, "dispatch", actor, now, note=note, department_code=ticket.department.code,
           **dues(ticket))
    notify_dispatched(session, ticket, now)


def reassign_ticket(ledger: Ledger, ticket_id: int, department_id: int, *, actor: Actor,
                    now: datetime, note: str = "") -> Ticket:
    """改派: send a returned (or wrongly dispatched) ticket to another department.

    Raises:
        Forbidden: the ticket was returned ``RETURNS_BEFORE_SUPERVISION`` times and
            the actor is not from the supervision office.
    """
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "reassign", actor, now)
        if ticket.return_count >= RETURNS_BEFORE_SUPERVISION and actor.role not in {Role.SUPERVISOR, Role.ADMIN}:
            raise Forbidden(f"工单已退单{ticket.return_count}次，须由督办部门决定改派")
        previous = ticket.department.code if ticket.department else None
        _assign(session, ledger, ticket, department_id, now, None)
        record(session, ticket, "reassign", actor, now, note=note,
               from_department=previous, department_code=ticket.department.code, **dues(ticket))
        notify_dispatched(session, ticket, now)
    return ticket


def answer_directly(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime,
                    answer: str, article_id: int | None = None,
                    follow_ups: Sequence[tuple[str, dict]] = ()) -> Ticket:
    """直接办结: the agent answered the caller on the spot; nothing goes to a department.

    Args:
        follow_ups: jobs written in the same transaction, as (task name, arguments),
            e.g. texting the answer to a citizen who wrote instead of calling.
    """
    answer = require_text(answer, "答复内容")
    with ledger.db.transaction() as session:
        ticket = transition(session, ticket_id, "answer_directly", actor, now)
        ticket.reply_text = answer
        ticket.replied_at = ticket.closed_at = now
        record(session, ticket, "answer_directly", actor, now, note=answer, article_id=article_id)
        for name, args in follow_ups:
            enqueue(session, name, now=now, ticket_id=ticket.id, **args)
    return ticket


def merge_ticket(ledger: Ledger, ticket_id: int, into_ticket_id: int, *, actor: Actor,
                 now: datetime, note: str = "") -> Ticket:
    """并单: fold a repeat request into an earlier open ticket; both keep an event of it."""
    return merge_tickets(ledger, [(ticket_id, into_ticket_id, note)], actor=actor, now=now)[0]


def merge_tickets(ledger: Ledger, merges: Sequence[tuple[int, int, str]], *, actor: Actor,
                  now: datetime) -> list[Ticket]:
    """并单 for several repeats (ticket, earlier ticket, note) in one transaction: all of them or none.

    Intake's settle jobs fold a surge's follow-up texts together (``channels.settle``); each merge
    alone costs its own transaction. Raises the first merge's error, having changed nothing.
    """
    with ledger.db.transaction() as session:
        return [_merge(session, ticket_id, into_ticket_id, actor, now, note)
                for ticket_id, into_ticket_id, note in merges]


def _merge(session: Session, ticket_id: int, into_ticket_id: int, actor: Actor, now: datetime,
           note: str) -> Ticket:
    if ticket_id == into_ticket_id:
        raise InvalidInput("不能与自身并单")
    ticket = transition(session, ticket_id, "merge", actor, now)
    target = load_ticket(session, into_ticket_id, actor)
    if not target.is_open or target.merged_into_id is not None:
        raise TransitionError(f"工单{target.number}已办结或已并单，不能并入")
    ticket.merged_into_id = target.id
    ticket.department_id = target.department_id
    # Repeats folded into this ticket before follow it to the target, so merges never
    # chain (their citizens' lookup and their department follow the ticket that is worked).
    for earlier in session.scalars(select(Ticket).where(Ticket.merged_into_id == ticket.id).with_for_update()):
        earlier.merged_into_id, earlier.department_id = target.id, target.department_id
    record(session, ticket, "merge", actor, now, note=note, into=target.number)
    record(session, target, "add_note", actor, now, note=f"并入重复诉求 {ticket.number}", merged=ticket.number)
    return ticket


def notify_dispatched(session: Session, ticket: Ticket, now: datetime, *, again: bool = False) -> None:
    """Tell the department a ticket waits for it to sign in (in-app)."""
    notify(session, kind="reopened" if again else "dispatched", now=now, ticket=ticket,
           department_id=ticket.department_id, text=dispatched_text(ticket, again=again))


def dispatched_text(ticket: Ticket, *, again: bool = False) -> str:
    """The line a department's staff read when a ticket is sent to them."""
    urgency = "" if ticket.priority == Priority.NORMAL else f"【{PRIORITY_LABELS[Priority(ticket.priority)]}】"
    return f"{urgency}{'重办' if again else '新派单'}：工单{ticket.number}「{ticket.title[:30]}」待签收"


def dues(ticket: Ticket) -> dict[str, str | None]:
    """The deadlines a dispatch sets, kept on its event so the timeline can show them."""
    return {"sign_in_due": _iso(ticket.sign_in_due_at), "reply_due": _iso(ticket.reply_due_at)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _assign(session: Session, ledger: Ledger, ticket: Ticket, department_id: int,
            now: datetime, service_code: str | None) -> None:
    department = session.get(Department, department_id)
    if department is None or not department.active:
        raise InvalidInput("承办单位不存在或已停用")
    set_department(ledger, ticket, department.id, now, service_code)
    ticket.department = department


def set_department(ledger: Ledger, ticket: Ticket, department_id: int, now: datetime,
                   service_code: str | None) -> None:
    """Give the ticket its department and start the clock of its steps (the fields 派单 and 改派 set)."""
    if service_code:
        ticket.service_code = service_code
    ticket.department_id = department_id
    ticket.dispatched_at = now
    ticket.accepted_at = None
    limits = ledger.step_limits(ticket.service_code, ticket.priority)
    ticket.sign_in_due_at = ledger.due(now, limits.sign_in)
    reply_due = ledger.due(now, limits.reply)
    if ticket.upstream_due_at is not None and ticket.upstream_due_at < reply_due:
        reply_due = ticket.upstream_due_at  # the higher-level platform's deadline wins when earlier
    ticket.reply_due_at = reply_due
