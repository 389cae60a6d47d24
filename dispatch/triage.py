"""A dispatcher's decision from the triage page: send a ticket to the department chosen.

A registered ticket is dispatched (派单), a returned one reassigned (改派),
with the catalogue entry chosen and, when asked, an assisting department
(协办) added in the same step. Choosing a department other than the proposal
needs nothing more: the dispatch event records it, and retraining finds it
as a correction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dispatch.assists import add_assisting_department
from dispatch.service import propose
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput, NotFound, TransitionError, dispatch_ticket, reassign_ticket
from tracking.models import Ticket
from tracking.states import Status

MAX_NOTE = 500


@dataclass(frozen=True)
class Decision:
    department_code: str
    service_code: str | None = None
    note: str = ""
    assist_code: str | None = None


def send_on(services, number: str, decision: Decision, *, actor: Actor, now: datetime) -> Ticket:
    """Dispatch (or, once returned, reassign) the ticket to the department chosen.

    Raises:
        NotFound: no such ticket.
        InvalidInput: unknown department or service, or the assisting department is the lead.
        TransitionError: the ticket was already sent on by someone else.
        Forbidden: the actor's role may not dispatch, or a twice-returned ticket needs the supervision office.
    """
    ledger, catalogue = services.ledger, services.catalogue
    department_id = _department_id(services, decision.department_code)
    assist_id = _department_id(services, decision.assist_code) if decision.assist_code else None
    if assist_id == department_id:
        raise InvalidInput("协办单位不能与承办单位相同")
    if decision.service_code:
        try:
            catalogue.service(decision.service_code)
        except KeyError:
            raise InvalidInput(f"服务 {decision.service_code} 不在服务目录中") from None
    with services.db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        if ticket is None:
            raise NotFound("工单不存在或无权查看")
        ticket_id, status = ticket.id, ticket.status
    note = (decision.note or "").strip()[:MAX_NOTE]
    if status == Status.RETURNED:
        ticket = reassign_ticket(ledger, ticket_id, department_id, actor=actor, now=now, note=note)
    elif status == Status.REGISTERED:
        ticket = dispatch_ticket(ledger, ticket_id, department_id, actor=actor, now=now, note=note,
                                 service_code=decision.service_code or None)
    else:
        raise TransitionError(f"工单{number}已由他人处理，无需再派")
    if assist_id is not None:
        add_assisting_department(ledger, ticket_id, assist_id, actor=actor, now=now, note="派单时指定")
    return ticket


def proposal_for_returned(services, ticket: Ticket, returned_by: str | None):
    """A fresh proposal for a returned ticket that leaves out the department that returned it."""
    return propose(services, f"{ticket.title}\n{ticket.content}", ticket.address, service_code=ticket.service_code,
                   district=ticket.district, exclude=[returned_by] if returned_by else [])


def _department_id(services, code: str | None) -> int:
    code = (code or "").strip()
    if not code:
        raise InvalidInput("请选择承办单位")
    with services.db.reading() as session:
        department_id = session.scalar(select(Department.id).where(Department.code == code,
                                                                   Department.active.is_(True)))
    if department_id is None:
        raise InvalidInput(f"承办单位 {code} 不存在或已停用")
    return department_id
