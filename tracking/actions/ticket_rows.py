"""Writing registered tickets: their contacts, numbers, rows, ``register`` events and first jobs.

``register_ticket`` (one ticket) and ``register_tickets`` (a group, see
``tracking.group_commit``) both write through :func:`write_tickets`, so a
ticket is stored the same way whichever way it came: numbers, ids and known
contacts taken first (``tracking.actions.reservations``, one statement on
PostgreSQL), then every table's rows (``hotline.bulk.insert_rows``), which
inside ``rows_together`` go in one statement.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import manager_of_class

from hotline.bulk import insert_rows
from hotline.jobs import enqueue_many
from tracking.actions._core import event_fields
from tracking.actions.actor import Actor
from tracking.actions.intake_dispatch import IntakeRoute, route_new
from tracking.actions.reservations import reserve
from tracking.ledger import Ledger
from tracking.models import Contact, Ticket, TicketEvent
from tracking.notifications import Notification
from tracking.schedule import refresh_schedule
from tracking.states import Priority, Status

if TYPE_CHECKING:
    from tracking.actions.registration import NewTicket


@dataclass(frozen=True)
class Checked:
    """A registration that passed its checks: what to write, by whom, when, and the jobs to start."""

    new: NewTicket
    actor: Actor
    now: datetime
    title: str
    content: str
    phone: str | None
    follow_ups: Sequence[tuple[str, dict]] = ()


def write_tickets(session: Session, ledger: Ledger, items: Sequence[Checked],
                  routes: Sequence[IntakeRoute | None] = ()) -> list[Ticket]:
    """Insert the tickets, in the caller's transaction; returns them (in no session), in order.

    Args:
        routes: for each item, what routing does to it as it is written (``intake_dispatch``), or
            None (or nothing at all) to leave it registered as it came.
    """
    reserved = reserve(session, ledger, items, sum(len(item.follow_ups) for item in items))
    _add_contacts(session, items, reserved.fresh)
    contact_ids = {**reserved.known, **reserved.fresh}
    tickets, events, notices = [], [], []
    for position, (item, number, ticket_id) in enumerate(zip(items, reserved.numbers, reserved.ticket_ids)):
        ticket = new_ticket(item.new, item.title, item.content, item.phone, number, item.actor, item.now)
        ticket.id, ticket.contact_id = ticket_id, contact_ids.get(item.phone)
        refresh_schedule(ticket)
        tickets.append(ticket)
        events.append({"ticket_id": ticket_id, **event_fields(
            None, "register", item.actor, item.now, from_status=Status(ticket.status), to_status=Status.REGISTERED,
            note="", data={"channel": item.new.channel.value})})
        route = routes[position] if routes else None
        if route is not None:
            more_events, more_notices = route_new(ledger, ticket, route, item.now)
            events += more_events
            notices += more_notices
    insert_rows(session, Ticket.__table__, [_row(ticket) for ticket in tickets])
    insert_rows(session, TicketEvent.__table__, events)
    insert_rows(session, Notification.__table__, notices)
    jobs = [(name, ticket.id, args) for item, ticket in zip(items, tickets) for name, args in item.follow_ups]
    if jobs:
        enqueue_many(session, jobs, now=max(item.now for item in items), ids=reserved.job_ids)
    return tickets


def new_ticket(new: NewTicket, title: str, content: str, phone: str | None, number: str, actor: Actor,
               now: datetime) -> Ticket:
    """A registered ticket's row, not yet in any session.

    Its fields go straight into the object's ``__dict__``, as the ORM does for a row it
    loads: the ticket is written as rows (``insert_rows``), never flushed by a session, so
    it needs none of the change tracking that ``Ticket(**fields)`` pays for each field
    (this costs a tenth of that; Ticket has no validators to skip).
    """
    ticket = _TICKETS.new_instance()
    ticket.__dict__.update(
        number=number, channel=new.channel,
        external_id=new.external_id, contact_name=new.contact_name.strip()[:80],
        contact_phone=phone, title=title, content=content, address=(new.address or "").strip()[:300],
        district=new.district, lat=new.lat, lon=new.lon, service_code=new.service_code,
        priority=Priority(new.priority), status=Status.REGISTERED, registered_by_id=actor.user_id,
        registered_at=now, updated_at=now, upstream_due_at=new.upstream_due_at)
    return ticket


_TICKETS = manager_of_class(Ticket)


def _add_contacts(session: Session, items: Sequence[Checked], fresh: dict[str, int]) -> None:
    """New contacts for the phones nobody used before, named by the first item giving each phone."""
    first: dict[str, Checked] = {}
    for item in items:
        if item.phone in fresh:
            first.setdefault(item.phone, item)
    insert_rows(session, Contact.__table__, [
        {"id": contact_id, "name": first[phone].new.contact_name.strip()[:80], "phone": phone,
         "created_at": first[phone].now} for phone, contact_id in fresh.items()])


def _row(ticket: Ticket) -> dict:
    """Every column of a ticket not in any session, its model's defaults filled in (on the object too)."""
    given = ticket.__dict__  # what was set on the new object; read directly, past the ORM's instrumentation
    row = {}
    for column in Ticket.__table__.columns:
        value = given.get(column.key)
        if value is None and column.default is not None and column.default.is_scalar:
            value = given[column.key] = column.default.arg
        row[column.key] = value
    return row
