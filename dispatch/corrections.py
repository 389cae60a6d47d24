"""Corrections: where people sent a ticket somewhere other than routing proposed, read from the ledger.

Nothing new is recorded for them. The event log already says who dispatched
a ticket where (``dispatch`` and ``reassign`` events carry the department
code) and which department returned it (``return``), and
``dispatch_proposals`` says what routing proposed. A ticket is a correction
when the department that finally kept it (the last one it was dispatched or
reassigned to, with no return after) differs from the proposal: an agent or
dispatcher chose another department, or a department returned it (退单) and
it was reassigned (改派). Tickets routing never proposed for count only in
the second case.

Departments are compared by topic: a district office (属地) stands for the
lead department of the ticket's local service, because the model learns what
a ticket is about, not where it happened; a district office without a local
service says nothing about the topic and is skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import func, select

from config.catalogue import Catalogue
from dispatch.models import TicketProposal
from hotline.db import Database
from tracking.models import Ticket, TicketEvent
from tracking.states import Status

CHUNK = 500  # tickets read per query when looking up proposals and texts
MOVES = ("dispatch", "reassign", "return")


@dataclass(frozen=True)
class Correction:
    """A ticket's text and the department it really belonged to (a training pair)."""

    ticket_id: int
    number: str
    text: str
    proposed: str | None  # the department (by topic) routing proposed; None when it never did
    corrected: str        # the department (by topic) that kept the ticket
    how: str              # "changed": a person chose another department; "reassigned": after a return
    at: datetime          # when the ticket reached the department that kept it


def find_corrections(db: Database, catalogue: Catalogue, *, since: datetime | None = None) -> list[Correction]:
    """Every correction among tickets dispatched since ``since`` (all time by default), oldest first."""
    kept = dict(_kept_departments(db, since))
    found = []
    ids = sorted(kept)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with db.reading() as session:
            tickets = {t.id: t for t in session.execute(
                select(Ticket.id, Ticket.number, Ticket.title, Ticket.content, Ticket.service_code, Ticket.status)
                .where(Ticket.id.in_(chunk))).all()}
            first = select(TicketProposal.ticket_id, func.min(TicketProposal.id).label("id")).where(
                TicketProposal.ticket_id.in_(chunk)).group_by(TicketProposal.ticket_id).subquery()
            proposals = {p.ticket_id: p for p in session.scalars(
                select(TicketProposal).join(first, TicketProposal.id == first.c.id))}
        for ticket_id in chunk:
            ticket = tickets.get(ticket_id)
            if ticket is None or ticket.status == Status.MERGED:
                continue
            correction = _judge(catalogue, ticket, proposals.get(ticket_id), *kept[ticket_id])
            if correction is not None:
                found.append(correction)
    return sorted(found, key=lambda c: (c.at, c.ticket_id))


def _kept_departments(db: Database, since: datetime | None) -> Iterator[tuple[int, tuple[str, bool, datetime]]]:
    """(ticket id, (department that kept it, whether it was reassigned after a return, when))."""
    query = select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.data, TicketEvent.at).where(
        TicketEvent.action.in_(MOVES)).order_by(TicketEvent.ticket_id, TicketEvent.id)
    if since is not None:
        recent = select(TicketEvent.ticket_id).where(TicketEvent.action.in_(MOVES[:2]), TicketEvent.at >= since)
        query = query.where(TicketEvent.ticket_id.in_(recent))
    with db.reading() as session:
        for ticket_id, events in groupby(session.execute(query).yield_per(2000), key=lambda row: row.ticket_id):
            department, at, returned, reassigned = None, None, False, False
            for event in events:
                if event.action == "return":
                    department, returned = None, True
                elif (event.data or {}).get("department_code"):
                    department, at = event.data["department_code"], event.at
                    reassigned = reassigned or (returned and event.action == "reassign")
            if department is not None:
                yield ticket_id, (department, reassigned, at)


def _judge(catalogue: Catalogue, ticket, proposal: TicketProposal | None, department: str, reassigned: bool,
           at: datetime) -> Correction | None:
    corrected = topic_of(catalogue, department, ticket.service_code)
    if corrected is None:
        return None
    proposed = proposed_topic(catalogue, proposal) if proposal is not None else None
    if proposal is not None and proposed == corrected:
        return None
    if proposal is None and not reassigned:
        return None
    return Correction(ticket.id, ticket.number, f"{ticket.title}\n{ticket.content}", proposed, corrected,
                      "reassigned" if reassigned else "changed", at)


def topic_of(catalogue: Catalogue, department: str, service_code: str | None) -> str | None:
    """The department a ticket is about: a district office stands for its local service's lead department."""
    try:
        kind = catalogue.department(department).kind
    except KeyError:
        return None  # a department the catalogue no longer has teaches nothing
    if kind != "district":
        return department
    try:
        service = catalogue.service(service_code) if service_code else None
    except KeyError:
        return None
    return service.department if service is not None and service.handling == "local" else None


def proposed_topic(catalogue: Catalogue, proposal: TicketProposal) -> str | None:
    """The department a proposal was about: the model's label when it ran, else the department proposed."""
    if proposal.label and not proposal.rule:
        try:
            return catalogue.label_target(proposal.label).department
        except KeyError:
            pass
    if proposal.department_code is None:
        return None
    return topic_of(catalogue, proposal.department_code, proposal.service_code)
