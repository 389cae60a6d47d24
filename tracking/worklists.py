"""The queues staff work from: a department's tickets, the callbacks due, the supervision lists.

Each is one query (plus one for its counts) over indexed columns, with the
access rule applied here: department staff get their own department's queue
and nothing else, whatever the request asks for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from hotline.db import Database
from hotline.paging import page_count
from tracking.accounts import Department
from tracking.actions import Actor, Forbidden, NotFound
from tracking.actions.callback import REOPENS_BEFORE_SUPERVISION
from tracking.actions.dispatching import RETURNS_BEFORE_SUPERVISION
from tracking.deadlines import Light
from tracking.lights import light_condition
from tracking.models import Ticket
from tracking.states import Priority, Role, Satisfaction, Status

PAGE_SIZE = 50
PRIORITY_RANK = case((Ticket.priority == Priority.EMERGENCY.value, 0),
                     (Ticket.priority == Priority.URGENT.value, 1), else_=2)
WORKING = (Status.ACCEPTED.value, Status.IN_PROGRESS.value)
# What a department's queue shows, by tab: the statuses of each.
DEPARTMENT_VIEWS = {
    "todo": (Status.DISPATCHED.value, *WORKING),   # 待办: everything the department owes
    "sign_in": (Status.DISPATCHED.value,),          # 待签收
    "working": WORKING,                             # 办理中
    "replied": (Status.REPLIED.value,),             # 已答复, waiting for the hotline's callback
}


@dataclass(frozen=True)
class Worklist:
    items: list[Ticket]
    total: int
    page: int
    per_page: int = PAGE_SIZE
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def _search(query, text: str | None):
    if not text:
        return query
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return query.where(or_(Ticket.number == text, Ticket.title.like(pattern, escape="\\"),
                           Ticket.address.like(pattern, escape="\\")))


def _page(session, query, page: int) -> tuple[list[Ticket], int, int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // PAGE_SIZE))))
    items = list(session.scalars(query.options(selectinload(Ticket.department))
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return items, total, page


def queue_department(db: Database, actor: Actor, code: str | None) -> Department:
    """The department whose queue the actor opens: their own, or (supervision) any by code.

    Raises:
        Forbidden: agents have no department queue.
        NotFound: no department with that code.
    """
    with db.reading() as session:
        if actor.role is Role.DEPARTMENT:
            department = session.get(Department, actor.department_id) if actor.department_id else None
        elif actor.role in (Role.SUPERVISOR, Role.ADMIN):
            department = session.scalar(select(Department).where(Department.code == code)) if code else \
                session.scalar(select(Department).where(Department.active.is_(True)).order_by(Department.id))
        else:
            raise Forbidden("承办单位工作台仅对承办单位和督办人员开放")
    if department is None:
        raise NotFound("承办单位不存在")
    return department


def department_queue(db: Database, department_id: int, now: datetime, *, view: str = "todo",
                     light: Light | None = None, text: str | None = None, page: int = 1) -> Worklist:
    """A department's tickets, most urgent first, then by the deadline of their current step.

    ``counts`` has each tab's size, the lights of what the department owes,
    and how many extension requests wait for a decision.
    """
    statuses = DEPARTMENT_VIEWS.get(view, DEPARTMENT_VIEWS["todo"])
    owed = Ticket.status.in_(DEPARTMENT_VIEWS["todo"])
    with db.reading() as session:
        query = select(Ticket).where(Ticket.department_id == department_id, Ticket.status.in_(statuses))
        if light is not None:
            query = query.where(light_condition(light, now))
        query = _search(query, text).order_by(PRIORITY_RANK, Ticket.step_due_at.is_(None), Ticket.step_due_at,
                                              Ticket.id)
        items, total, page = _page(session, query, page)
        row = session.execute(select(
            *(func.count(case((Ticket.status.in_(s), 1))).label(name) for name, s in DEPARTMENT_VIEWS.items()),
            *(func.count(case((owed & light_condition(l, now), 1))).label(l.value) for l in Light),
            func.count(case((owed & Ticket.extension_requested_days.is_not(None), 1))).label("extension"),
            func.count(case((owed & Ticket.escalated_at.is_not(None), 1))).label("escalated"),
        ).where(Ticket.department_id == department_id,
                Ticket.status.in_(DEPARTMENT_VIEWS["todo"] + DEPARTMENT_VIEWS["replied"]))).one()
    return Worklist(items, total, page, counts=dict(row._mapping))


CALLBACK_VIEWS = {"due": "待回访", "settle": "回访后待办结"}


def callback_list(db: Database, now: datetime, *, view: str = "due", light: Light | None = None,
                  text: str | None = None, page: int = 1) -> Worklist:
    """Tickets for the hotline's callback (回访): replied ones by callback deadline, and called-back
    ones waiting to be closed or re-opened (those waiting for the supervision office excepted)."""
    due = Ticket.status == Status.REPLIED.value
    settle = (Ticket.status == Status.CALLED_BACK.value) & ~(
        (Ticket.satisfaction == Satisfaction.UNSATISFIED.value)
        & (Ticket.reopen_count >= REOPENS_BEFORE_SUPERVISION))
    with db.reading() as session:
        if view == "settle":
            query = select(Ticket).where(settle).order_by(Ticket.called_back_at, Ticket.id)
        else:
            query = select(Ticket).where(due)
            if light is not None:
                query = query.where(light_condition(light, now))
            query = query.order_by(Ticket.step_due_at, Ticket.id)
        items, total, page = _page(session, _search(query, text), page)
        row = session.execute(select(
            func.count(case((due, 1))).label("due"), func.count(case((settle, 1))).label("settle"),
            *(func.count(case((due & light_condition(l, now), 1))).label(l.value) for l in Light),
        ).where(Ticket.status.in_([Status.REPLIED.value, Status.CALLED_BACK.value]))).one()
    return Worklist(items, total, page, counts=dict(row._mapping))


SUPERVISION_VIEWS = {
    "extensions": "延期审批", "red": "超时红灯", "escalated": "督办中",
    "returned": "多次退单待定", "reopened": "重办后仍不满意",
}
AWAITING_DEPARTMENT = (Status.DISPATCHED.value, Status.RETURNED.value, *WORKING)


def _supervision_conditions(now: datetime) -> dict:
    return {
        "extensions": Ticket.extension_requested_days.is_not(None) & Ticket.status.in_(WORKING),
        "red": Ticket.step_due_at < now,
        "escalated": Ticket.escalated_at.is_not(None) & Ticket.status.in_(AWAITING_DEPARTMENT),
        "returned": (Ticket.status == Status.RETURNED.value) & (Ticket.return_count >= RETURNS_BEFORE_SUPERVISION),
        "reopened": (Ticket.status == Status.CALLED_BACK.value)
        & (Ticket.satisfaction == Satisfaction.UNSATISFIED.value)
        & (Ticket.reopen_count >= REOPENS_BEFORE_SUPERVISION),
    }


SUPERVISION_ORDER = {
    "extensions": (Ticket.step_due_at, Ticket.id), "red": (Ticket.step_due_at, Ticket.id),
    "escalated": (Ticket.escalated_at.desc(), Ticket.id), "returned": (Ticket.updated_at, Ticket.id),
    "reopened": (Ticket.called_back_at, Ticket.id),
}


def supervision_list(db: Database, now: datetime, *, view: str = "extensions", department_id: int | None = None,
                     text: str | None = None, page: int = 1) -> Worklist:
    """One of the supervision office's lists, with the size of each in ``counts``."""
    conditions = _supervision_conditions(now)
    view = view if view in conditions else "extensions"
    with db.reading() as session:
        query = select(Ticket).where(conditions[view])
        if department_id:
            query = query.where(Ticket.department_id == department_id)
        items, total, page = _page(session, _search(query, text).order_by(*SUPERVISION_ORDER[view]), page)
        counts = {name: session.scalar(select(func.count()).select_from(Ticket).where(condition)) or 0
                  for name, condition in conditions.items()}
    return Worklist(items, total, page, counts=counts)
