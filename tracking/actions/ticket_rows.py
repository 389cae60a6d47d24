"""Writing registered tickets: their contacts, numbers, rows, ``register`` events and first jobs.

``register_ticket`` (one ticket) and ``register_tickets`` (a group, see
``tracking.group_commit``) both write through :func:`write_tickets`, so a
ticket is stored the same way whichever way it came: one counter upsert per
day, one contact lookup, and one ``executemany`` per table with the ids taken
first (``hotline.ids``), which psycopg pipelines with one prepared statement.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import manager_of_class

from hotline.among import among, for_dialect
from hotline.bulk import insert_rows
from hotline.ids import next_ids_of
from hotline.jobs import Job, enqueue_many
from tracking.actions._core import event_fields
from tracking.actions.actor import Actor
from tracking.actions.intake_dispatch import IntakeRoute, route_new
from tracking.ledger import Ledger
from tracking.models import Contact, Ticket, TicketCounter, TicketEvent
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
    phones, known = _known_contacts(session, items)
    fresh = [phone for phone in phones if phone not in known]
    job_count = sum(len(item.follow_ups) for item in items)
    ids = next_ids_of(session, {Contact.__table__: len(fresh), Ticket.__table__: len(items), Job.__table__: job_count})
    contact_ids = {**known, **_add_contacts(session, phones, fresh, ids[Contact.__table__])}
    numbers = _numbers(session, ledger, [item.now for item in items])
    tickets, events, notices = [], [], []
    for position, (item, number, ticket_id) in enumerate(zip(items, numbers, ids[Ticket.__table__])):
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
        enqueue_many(session, jobs, now=max(item.now for item in items), ids=ids[Job.__table__])
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


def allocate_numbers(session: Session, now: datetime, tz: ZoneInfo, count: int) -> list[str]:
    """``count`` consecutive public numbers of the local day of ``now``, e.g. ``20261122-000123``.

    One upsert that increments a per-day counter and returns it: the row lock
    (PostgreSQL) or the write lock (SQLite) makes concurrent callers queue, so
    no two tickets share a number.

    On PostgreSQL the upsert commits on its own, in a short transaction of its
    own connection: inside the registration's transaction, the counter's row
    lock was held until that commit, so every ticket of the city waited for the
    previous one's inserts and disk flush (about a hundred tickets a second at
    most, see docs/benchmarks.md). The price is a gap in the day's numbers when
    a registration then fails; numbers are never reused. SQLite has one writer
    at a time anyway, and a second connection would wait on the first's lock,
    so there the upsert stays in the registration's transaction.

    The upsert's own commit does not wait for the disk (``synchronous_commit``
    off for that transaction only): the row lock is released at once instead of
    after a flush, so the city's registrations no longer queue behind each
    other's flushes. Nothing durable depends on it: a ticket's commit flushes
    the log up to itself, and so the counter's earlier increment with it. Only
    an increment whose ticket never committed can be lost in a crash, and its
    number was never given to anyone.
    """
    day = now.astimezone(tz).strftime("%Y%m%d")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":  # autocommit: its own transaction, without BEGIN and COMMIT round trips
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            last = connection.execute(PG_COUNTER_UPSERT, {"day": day, "count": count}).scalar_one()
    else:
        stmt = sqlite_insert(TicketCounter).values(day=day, last_value=count).on_conflict_do_update(
            index_elements=[TicketCounter.day], set_={"last_value": TicketCounter.last_value + count}
        ).returning(TicketCounter.last_value)
        last = session.execute(stmt).scalar_one()
    return [f"{day}-{sequence:06d}" for sequence in range(last - count + 1, last + 1)]


# The day's counter, incremented and read in one statement whose transaction commits without waiting for the
# disk (set_config(..., true) is SET LOCAL; the CTE is referenced so that it runs).
PG_COUNTER_UPSERT = text(
    "WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true)) "
    "INSERT INTO ticket_counters (day, last_value) SELECT :day, :count FROM no_wait "
    "ON CONFLICT (day) DO UPDATE SET last_value = ticket_counters.last_value + excluded.last_value "
    "RETURNING last_value")


def _numbers(session: Session, ledger: Ledger, moments: list[datetime]) -> list[str]:
    """One number per moment, from its own local day's counter (a group may straddle midnight)."""
    by_day: dict[str, list[int]] = defaultdict(list)
    for position, moment in enumerate(moments):
        by_day[moment.astimezone(ledger.tz).strftime("%Y%m%d")].append(position)
    numbers: list[str] = [""] * len(moments)
    for positions in by_day.values():
        for position, number in zip(positions, allocate_numbers(session, moments[positions[0]], ledger.tz,
                                                                len(positions))):
            numbers[position] = number
    return numbers


def _known_contacts(session: Session, items: Sequence[Checked]) -> tuple[dict[str, Checked], dict[str, int]]:
    """The phones of the items (with the first item giving each), and the first contact known by each."""
    phones: dict[str, Checked] = {}
    for item in items:
        if item.phone:
            phones.setdefault(item.phone, item)
    if not phones:
        return phones, {}
    return phones, dict(session.execute(_contacts_by_phone(session), {"phones": list(phones)}).all())


@for_dialect
def _contacts_by_phone(postgres: bool):
    """The first contact of each phone asked for (built once: it runs for every group, ``hotline.among``)."""
    contacts = Contact.__table__.c
    return select(contacts.phone, func.min(contacts.id)).where(among(contacts.phone, "phones", postgres)) \
        .group_by(contacts.phone)


def _add_contacts(session: Session, phones: dict[str, Checked], fresh: list[str], ids: list[int]) -> dict[str, int]:
    """New contacts for the phones nobody used before; their ids by phone."""
    rows = [{"id": contact_id, "name": phones[phone].new.contact_name.strip()[:80], "phone": phone,
             "created_at": phones[phone].now} for phone, contact_id in zip(fresh, ids)]
    insert_rows(session, Contact.__table__, rows)
    return {row["phone"]: row["id"] for row in rows}


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
