"""Joint handling (主办/协办): a ticket has one lead department and may have assisting ones.

Some demands need several departments (a flooded underpass: roads, drainage
and the district). The lead department (主办) signs in, replies and answers
for the deadline; assisting departments (协办) are added by the hotline or
the supervision office, or asked for by the lead itself, may read the
ticket, and send the lead their opinion (协办意见), which the lead folds into
its reply. Each step is recorded on the ticket's timeline as a note and the
department concerned is told in-app.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dispatch.models import TicketAssist
from tracking.accounts import Department
from tracking.actions import Actor, Forbidden, InvalidInput, NotFound, TransitionError
from tracking.actions._core import record, require_text
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notify
from tracking.states import Role

COORDINATORS = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}  # who may add or end assistance, besides the lead
MAX_NOTE = 1000
MAX_OPINION = 5000


def add_assisting_department(ledger: Ledger, ticket_id: int, department_id: int, *, actor: Actor,
                             now: datetime, note: str = "") -> TicketAssist:
    """Add a department as assisting (协办) on an open ticket that has a lead department.

    Raises:
        NotFound: no such ticket, or one the actor may not act on.
        Forbidden: the actor is neither a coordinator nor the lead department.
        TransitionError: the ticket is closed or has no lead department yet.
        InvalidInput: unknown or inactive department, the lead itself, or already assisting.
    """
    note = (note or "").strip()[:MAX_NOTE]
    with ledger.db.transaction() as session:
        ticket = _ticket(session, ticket_id, actor)
        if actor.role not in COORDINATORS and not _leads(actor, ticket):
            raise Forbidden("只有热线、督办部门或主办单位可以增加协办单位")
        department = session.get(Department, department_id)
        if department is None or not department.active:
            raise InvalidInput("协办单位不存在或已停用")
        if department.id == ticket.department_id:
            raise InvalidInput(f"{department.name}已是主办单位")
        if _active(session, ticket.id, department.id) is not None:
            raise InvalidInput(f"{department.name}已是协办单位")
        assist = TicketAssist(ticket_id=ticket.id, department_id=department.id, added_at=now, added_by=actor.name,
                              note=note)
        session.add(assist)
        record(session, ticket, "add_note", actor, now, note=f"增加协办单位：{department.name}" + (f"（{note}）" if note else ""),
               assist="added", assist_department=department.code)
        notify(session, kind="assist", now=now, ticket=ticket, department_id=department.id,
               text=f"协办：工单{ticket.number}「{ticket.title[:30]}」请协助{ticket.department.name}办理，"
                    "请在“协办工单”中提交协办意见")
    return assist


def end_assistance(ledger: Ledger, ticket_id: int, department_id: int, *, actor: Actor, now: datetime,
                   note: str = "") -> TicketAssist:
    """End a department's assistance on a ticket (it no longer sees it); the history keeps it.

    Raises:
        NotFound: no such ticket, or the department does not assist on it.
        Forbidden: the actor is not a coordinator.
    """
    if actor.role not in COORDINATORS:
        raise Forbidden("只有热线或督办部门可以撤销协办")
    with ledger.db.transaction() as session:
        ticket = _ticket(session, ticket_id, actor, open_only=False)
        assist = _active(session, ticket.id, department_id)
        if assist is None:
            raise NotFound("该单位不是此工单的协办单位")
        assist.removed_at, assist.removed_by = now, actor.name
        department = session.get(Department, department_id)
        why = (note or "").strip()[:MAX_NOTE]
        record(session, ticket, "add_note", actor, now, note=f"撤销协办单位：{department.name}" + (f"（{why}）" if why else ""),
               assist="ended", assist_department=department.code)
    return assist


def submit_assist_opinion(ledger: Ledger, ticket_id: int, *, actor: Actor, now: datetime,
                          opinion: str) -> TicketAssist:
    """协办意见: an assisting department sends the lead department its part of the answer.

    Sending again replaces the earlier opinion; the timeline keeps both.

    Raises:
        NotFound: no such ticket, or the actor's department does not assist on it.
        TransitionError: the ticket is closed.
        InvalidInput: no opinion, or too long.
    """
    opinion = require_text(opinion, "协办意见", MAX_OPINION)
    if actor.role is not Role.DEPARTMENT:
        raise Forbidden("协办意见由协办单位填写")
    with ledger.db.transaction() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        assist = _active(session, ticket_id, actor.department_id) if ticket is not None else None
        if assist is None:
            raise NotFound("工单不存在或本单位不是协办单位")
        if not ticket.is_open:
            raise TransitionError(f"工单{ticket.number}已办结，不能再提交协办意见")
        assist.opinion, assist.opinion_at, assist.opinion_by = opinion, now, actor.name
        department = session.get(Department, actor.department_id)
        record(session, ticket, "add_note", actor, now, note=f"协办意见（{department.name}）：{opinion}",
               assist="opinion", assist_department=department.code)
        if ticket.department_id is not None:
            notify(session, kind="assist_opinion", now=now, ticket=ticket, department_id=ticket.department_id,
                   text=f"协办意见：{department.name}已就工单{ticket.number}「{ticket.title[:30]}」提交意见")
    return assist


def _ticket(session, ticket_id: int, actor: Actor, *, open_only: bool = True) -> Ticket:
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or (actor.role is Role.DEPARTMENT and not _leads(actor, ticket)):
        raise NotFound("工单不存在或无权操作")
    if open_only and not ticket.is_open:
        raise TransitionError(f"工单{ticket.number}已办结，不能再增加协办单位")
    if open_only and ticket.department_id is None:
        raise TransitionError(f"工单{ticket.number}尚未派单：请先确定主办单位")
    return ticket


def _leads(actor: Actor, ticket: Ticket) -> bool:
    return actor.role is Role.DEPARTMENT and ticket.department_id == actor.department_id


def _active(session, ticket_id: int, department_id: int | None) -> TicketAssist | None:
    return session.scalar(select(TicketAssist).where(
        TicketAssist.ticket_id == ticket_id, TicketAssist.department_id == department_id,
        TicketAssist.removed_at.is_(None)))
