"""Reading the ledger: every query the pages and API need, with access rules applied.

Department staff see only their department's tickets; that filter is applied
here, in one place, for lists and single reads alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.access import assisted_ticket_ids
from hotline.db import Database
from hotline.paging import page_count
from tracking.accounts import Department, User
from tracking.actions import Actor, NotFound
from tracking.actions._core import can_see
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

MAX_PAGE_SIZE = 200
COUNT_LIMIT = 10_000  # the ticket list counts matches up to this, then says "more than"


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    department_id: int | None = None
    channel: str | None = None
    priority: str | None = None
    phone: str | None = None
    text: str | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class Page:
    items: list[Ticket]
    total: int
    page: int
    per_page: int
    total_exact: bool = True  # False: at least ``total`` match (the count stops at COUNT_LIMIT)

    @property
    def pages(self) -> int:
        return max(self.page if self.items else 1, page_count(self.total, self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (not self.total_exact and len(self.items) == self.per_page)


def user_by_id(db: Database, user_id: int) -> User | None:
    with db.reading() as session:
        return session.get(User, user_id)


def departments(db: Database) -> list[Department]:
    with db.reading() as session:
        return list(session.scalars(select(Department).order_by(Department.kind, Department.id)))


def ticket_by_number(db: Database, number: str, actor: Actor) -> Ticket:
    """A ticket with its department and events, if the actor may see it.

    Raises:
        NotFound: unknown number, or another department's ticket.
    """
    with db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number).options(
            selectinload(Ticket.events), selectinload(Ticket.department)))
        if ticket is None or not can_see(actor, ticket):
            raise NotFound("工单不存在或无权查看")
        return ticket


def list_tickets(db: Database, actor: Actor, flt: TicketFilter) -> Page:
    """One page of tickets the actor may see, newest first.

    The count stops at ``COUNT_LIMIT``: an exact ``count(*)`` read every matching
    ticket, which at ten million tickets made the first page take half a second
    and a text search several (docs/benchmarks.md, bench_scale); nobody pages
    through more than ten thousand tickets, they narrow the filter.
    """
    per_page = max(1, min(flt.per_page, MAX_PAGE_SIZE))
    page = max(1, flt.page)
    with db.reading() as session:
        query = _filtered(select(Ticket), actor, flt)
        matching = _filtered(select(Ticket.id), actor, flt).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(matching)) or 0
        items = list(session.scalars(query.options(selectinload(Ticket.department))
                                     .order_by(Ticket.registered_at.desc(), Ticket.id.desc())
                                     .limit(per_page).offset((page - 1) * per_page)))
    return Page(items, min(total, COUNT_LIMIT), page, per_page, total_exact=total <= COUNT_LIMIT)


def _filtered(query, actor: Actor, flt: TicketFilter):
    if actor.role is Role.DEPARTMENT:  # its own tickets and those it assists on (协办)
        query = query.where(or_(Ticket.department_id == actor.department_id,
                                Ticket.id.in_(assisted_ticket_ids(actor.department_id))))
    if flt.status:
        query = query.where(Ticket.status == flt.status)
    if flt.department_id:
        query = query.where(Ticket.department_id == flt.department_id)
    if flt.channel:
        query = query.where(Ticket.channel == flt.channel)
    if flt.priority:
        query = query.where(Ticket.priority == flt.priority)
    if flt.phone:
        query = query.where(Ticket.contact_phone == flt.phone)
    if flt.text:
        pattern = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Ticket.title.like(pattern, escape="\\"), Ticket.content.like(pattern, escape="\\"),
                                Ticket.number == flt.text))
    if flt.registered_from:
        query = query.where(Ticket.registered_at >= flt.registered_from)
    if flt.registered_to:
        query = query.where(Ticket.registered_at < flt.registered_to)
    return query


def ticket_events(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))
