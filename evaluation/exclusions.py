"""核减: taking a ticket out of a department's figures, asked for, decided and recorded.

Cities exclude from a department's score the tickets it could not have
handled: a ticket it returned because it was not its job and that the hotline
then sent elsewhere (误派), an unreasonable demand (不合理诉求), or a malicious
repeat caller (恶意重复来电). A department asks with a reason; the supervision
office approves or rejects; a supervisor may also exclude directly, being
then the approver. Approved exclusions can be revoked, never deleted, and the
reports list every one of them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evaluation.models import LIVE_STATUSES, Exclusion, ExclusionStatus
from evaluation.rules import Rules
from evaluation.settled import forget
from hotline.db import Database
from tracking.accounts import Department
from tracking.actions import Actor, Forbidden, InvalidInput, NotFound, TransitionError
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
REQUESTERS = DECIDERS | {Role.DEPARTMENT}
MAX_REASON = 2000


def request_exclusion(db: Database, rules: Rules, *, number: str, kind: str, reason: str, actor: Actor,
                      now: datetime, department_code: str | None = None) -> Exclusion:
    """Ask to exclude ticket ``number`` from a department's figures (supervisors: exclude at once).

    Department staff ask for their own department; a supervisor names the
    department and the exclusion is approved in the same step, with the
    supervisor as approver.

    Raises:
        Forbidden: the actor may not ask (agents, machines).
        NotFound: no such ticket, or it never reached the department.
        InvalidInput: unknown kind, no reason, or a 误派 exclusion for a ticket
            that was not returned and sent elsewhere.
        TransitionError: a request for this ticket and department is pending or approved.
    """
    if actor.role not in REQUESTERS:
        raise Forbidden("当前角色无权申请核减")
    if kind not in rules.exclusion_kinds:
        raise InvalidInput(f"核减类型须为：{'、'.join(rules.exclusion_kinds.values())}")
    reason = _text(reason, "核减理由")
    direct = actor.role in DECIDERS
    with db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == (number or "").strip()))
        department = _department(session, actor, department_code)
        if ticket is None or not _received(session, ticket.id, department.id):
            raise NotFound("工单不存在，或未派至该单位")
        if kind == "misrouted" and not _returned_elsewhere(session, ticket, department.id):
            raise InvalidInput("只有本单位退单、且已改派其他单位的工单才能按误派核减")
        if _live(session, ticket.id, department.id):
            raise TransitionError(f"工单{ticket.number}在{department.name}已有核减申请或已核减")
        exclusion = Exclusion(
            ticket_id=ticket.id, department_id=department.id, kind=kind, reason=reason,
            status=ExclusionStatus.APPROVED if direct else ExclusionStatus.PENDING,
            requested_by_id=actor.user_id, requested_by_name=actor.name, requested_at=now)
        if direct:
            exclusion.decided_by_id, exclusion.decided_by_name = actor.user_id, actor.name
            exclusion.decided_at, exclusion.decision_note = now, "督办考核部门直接核减"
        session.add(exclusion)
        if direct:
            forget(session, department.id)
        try:
            session.flush()
        except IntegrityError:
            raise TransitionError(f"工单{ticket.number}在{department.name}已有核减申请或已核减") from None
    return exclusion


def decide_exclusion(db: Database, exclusion_id: int, *, approve: bool, note: str = "", actor: Actor,
                     now: datetime) -> Exclusion:
    """Approve (核准) or reject a pending request; a rejection needs a reason.

    Raises:
        Forbidden: the actor is not from the supervision office.
        NotFound: no such request.
        TransitionError: it was already decided.
        InvalidInput: a rejection without a reason.
    """
    if actor.role not in DECIDERS:
        raise Forbidden("只有督办考核部门可以审核核减申请")
    note = (note or "").strip()[:MAX_REASON]
    if not approve and not note:
        raise InvalidInput("请填写不予核减的理由")
    with db.transaction() as session:
        exclusion = _load(session, exclusion_id)
        if exclusion.status != ExclusionStatus.PENDING:
            raise TransitionError("该核减申请已审核")
        exclusion.status = ExclusionStatus.APPROVED if approve else ExclusionStatus.REJECTED
        if approve:
            forget(session, exclusion.department_id)
        exclusion.decided_by_id, exclusion.decided_by_name = actor.user_id, actor.name
        exclusion.decided_at, exclusion.decision_note = now, note or None
    return exclusion


def revoke_exclusion(db: Database, exclusion_id: int, *, reason: str, actor: Actor, now: datetime) -> Exclusion:
    """Withdraw an approved exclusion: the ticket counts again; the record stays.

    Raises:
        Forbidden: the actor is not from the supervision office.
        NotFound: no such exclusion.
        TransitionError: it is not in force.
        InvalidInput: no reason.
    """
    if actor.role not in DECIDERS:
        raise Forbidden("只有督办考核部门可以撤销核减")
    reason = _text(reason, "撤销理由")
    with db.transaction() as session:
        exclusion = _load(session, exclusion_id)
        if exclusion.status != ExclusionStatus.APPROVED:
            raise TransitionError("只有已核准的核减可以撤销")
        exclusion.status = ExclusionStatus.REVOKED
        forget(session, exclusion.department_id)
        exclusion.revoked_by_id, exclusion.revoked_by_name = actor.user_id, actor.name
        exclusion.revoked_at, exclusion.revoke_reason = now, reason
    return exclusion


def _department(session: Session, actor: Actor, code: str | None) -> Department:
    if actor.role is Role.DEPARTMENT:
        department = session.get(Department, actor.department_id) if actor.department_id else None
        if department is None or (code and code != department.code):
            raise NotFound("工单不存在，或未派至该单位")
        return department
    department = session.scalar(select(Department).where(Department.code == (code or "").strip()))
    if department is None:
        raise InvalidInput("请选择被核减的承办单位")
    return department


def _received(session: Session, ticket_id: int, department_id: int) -> bool:
    e = TicketEvent
    return bool(session.scalar(select(exists().where(
        e.ticket_id == ticket_id, e.department_id == department_id, e.action.in_(("dispatch", "reassign"))))))


def _returned_elsewhere(session: Session, ticket: Ticket, department_id: int) -> bool:
    e = TicketEvent
    returned = session.scalar(select(exists().where(
        e.ticket_id == ticket.id, e.department_id == department_id, e.action == "return")))
    return bool(returned) and ticket.department_id is not None and ticket.department_id != department_id


def _live(session: Session, ticket_id: int, department_id: int) -> bool:
    x = Exclusion
    return bool(session.scalar(select(exists().where(and_(
        x.ticket_id == ticket_id, x.department_id == department_id, x.status.in_(LIVE_STATUSES))))))


def _load(session: Session, exclusion_id: int) -> Exclusion:
    exclusion = session.get(Exclusion, exclusion_id, with_for_update=True)
    if exclusion is None:
        raise NotFound("核减记录不存在")
    return exclusion


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{what}")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"{what}不能超过{MAX_REASON}字")
    return text
