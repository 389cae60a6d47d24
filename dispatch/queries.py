"""Reading dispatch's lists: the triage queue, returned tickets to reassign, assistance on tickets.

Access rules are the ledger's: these lists are for the hotline and the
supervision office (the pages check roles), except ``assisted_tickets``,
which is a department's own list of tickets it assists on.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, selectinload

from dispatch.models import Outcome, TicketAssist, TicketProposal
from hotline.db import Database
from hotline.paging import page_count
from tracking.accounts import Department
from tracking.models import Ticket, TicketEvent
from tracking.states import Priority, Status

PAGE_SIZE = 20
URGENCY_FIRST = case({Priority.EMERGENCY.value: 0, Priority.URGENT.value: 1}, value=Ticket.priority, else_=2)


@dataclass(frozen=True)
class TriageItem:
    ticket: Ticket
    proposal: TicketProposal | None
    returned_by: str | None = None      # department code that returned it (改派 view)
    return_reason: str | None = None


@dataclass(frozen=True)
class Listing:
    items: list[TriageItem]
    total: int
    page: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def _latest_proposal_ids():
    """The id of the ticket's latest proposal (correlated to the outer ``Ticket``)."""
    later = aliased(TicketProposal)
    return select(func.max(later.id)).where(later.ticket_id == Ticket.id).correlate(Ticket).scalar_subquery()


def triage_queue(db: Database, *, page: int = 1) -> Listing:
    """Registered tickets whose latest proposal was left for a dispatcher, most urgent and oldest first."""
    where = and_(Ticket.status == Status.REGISTERED, Ticket.merged_into_id.is_(None),
                 TicketProposal.outcome == Outcome.TRIAGE, TicketProposal.id == _latest_proposal_ids())
    joined = select(Ticket, TicketProposal).join(TicketProposal, TicketProposal.ticket_id == Ticket.id).where(where)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
        rows = session.execute(joined.order_by(URGENCY_FIRST, Ticket.registered_at, Ticket.id)
                               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Listing([TriageItem(ticket, proposal) for ticket, proposal in rows], total, page)


def returned_queue(db: Database, *, page: int = 1) -> Listing:
    """Returned tickets (退单) waiting to be reassigned, most urgent and longest waiting first."""
    where = and_(Ticket.status == Status.RETURNED)
    with db.reading() as session:
        total = session.scalar(select(func.count(Ticket.id)).where(where)) or 0
        tickets = list(session.scalars(select(Ticket).where(where).options(selectinload(Ticket.department))
                                       .order_by(URGENCY_FIRST, Ticket.updated_at, Ticket.id)
                                       .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
        last_returns = {}
        if tickets:
            latest = select(func.max(TicketEvent.id)).where(
                TicketEvent.action == "return", TicketEvent.ticket_id.in_([t.id for t in tickets])
            ).group_by(TicketEvent.ticket_id)
            for event in session.scalars(select(TicketEvent).where(TicketEvent.id.in_(latest))):
                last_returns[event.ticket_id] = event
        codes = {d.id: d.code for d in session.scalars(select(Department).where(
            Department.id.in_({e.department_id for e in last_returns.values() if e.department_id})))}
    items = []
    for ticket in tickets:
        event = last_returns.get(ticket.id)
        items.append(TriageItem(ticket, None, codes.get(event.department_id) if event else None,
                                event.note if event else None))
    return Listing(items, total, page)


def queue_counts(db: Database) -> dict[str, int]:
    """How many tickets wait in each tab of the triage page."""
    with db.reading() as session:
        triage = session.scalar(select(func.count(Ticket.id)).join(
            TicketProposal, TicketProposal.ticket_id == Ticket.id).where(
            Ticket.status == Status.REGISTERED, Ticket.merged_into_id.is_(None),
            TicketProposal.outcome == Outcome.TRIAGE, TicketProposal.id == _latest_proposal_ids())) or 0
        returned = session.scalar(select(func.count(Ticket.id)).where(Ticket.status == Status.RETURNED)) or 0
    return {"triage": triage, "returned": returned}


def proposals_of(db: Database, ticket_id: int) -> list[TicketProposal]:
    """Every proposal made for a ticket, oldest first."""
    with db.reading() as session:
        return list(session.scalars(select(TicketProposal).where(TicketProposal.ticket_id == ticket_id)
                                    .order_by(TicketProposal.id)))


@dataclass(frozen=True)
class AssistView:
    assist: TicketAssist
    department: Department


def assists_of(db: Database, ticket_id: int, *, include_ended: bool = True) -> list[AssistView]:
    """The ticket's assisting departments (协办), current ones first."""
    with db.reading() as session:
        query = select(TicketAssist, Department).join(Department, Department.id == TicketAssist.department_id).where(
            TicketAssist.ticket_id == ticket_id)
        if not include_ended:
            query = query.where(TicketAssist.removed_at.is_(None))
        rows = session.execute(query.order_by(TicketAssist.removed_at.is_not(None), TicketAssist.id)).all()
    return [AssistView(assist, department) for assist, department in rows]


@dataclass(frozen=True)
class AssistedTicket:
    ticket: Ticket
    assist: TicketAssist


def assisted_tickets(db: Database, department_id: int, *, page: int = 1,
                     open_only: bool = True) -> tuple[list[AssistedTicket], int]:
    """Tickets a department assists on: those still waiting for its opinion first, then the newest."""
    where = [TicketAssist.department_id == department_id, TicketAssist.removed_at.is_(None)]
    if open_only:
        where.append(Ticket.status.not_in([Status.CLOSED, Status.ANSWERED_DIRECTLY, Status.MERGED]))
    query = select(Ticket, TicketAssist).join(TicketAssist, TicketAssist.ticket_id == Ticket.id).where(*where)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.options(selectinload(Ticket.department))
                               .order_by(TicketAssist.opinion_at.is_not(None), TicketAssist.added_at.desc())
                               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return [AssistedTicket(ticket, assist) for ticket, assist in rows], total


def department_by_code(db: Database, code: str) -> Department | None:
    with db.reading() as session:
        return session.scalar(select(Department).where(Department.code == code))


def active_departments(db: Database) -> list[Department]:
    with db.reading() as session:
        return list(session.scalars(select(Department).where(Department.active.is_(True))
                                    .order_by(Department.kind, Department.id)))

