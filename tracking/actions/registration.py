"""受理: turning what a citizen said into a numbered ticket, exactly once."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.jobs import enqueue
from tracking.actions._core import record, require_text
from tracking.actions.actor import Actor
from tracking.actions.errors import Forbidden, InvalidInput
from tracking.ledger import Ledger
from tracking.models import Contact, Ticket, TicketCounter
from tracking.states import Channel, Priority, Role, Status

MAX_TITLE = 200
MAX_CONTENT = 20000
REGISTER_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM}


@dataclass(frozen=True)
class NewTicket:
    """What is needed to register a ticket, whatever the channel."""

    channel: Channel
    content: str
    title: str = ""
    contact_name: str = ""
    contact_phone: str | None = None
    address: str = ""
    external_id: str | None = None
    priority: Priority = Priority.NORMAL
    service_code: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    upstream_due_at: datetime | None = None


@dataclass(frozen=True)
class Registration:
    ticket: Ticket
    created: bool  # False when this was a re-delivery of a message already registered


def register_ticket(ledger: Ledger, new: NewTicket, *, actor: Actor, now: datetime,
                    follow_ups: Sequence[tuple[str, dict]] = (), look_for_earlier: bool = True,
                    also: Callable[[Session, Ticket], None] | None = None) -> Registration:
    """Register a ticket (受理), or return the one this external message already made.

    Re-delivery of the same external message (same channel and external id) is
    answered with the existing ticket, even when two deliveries race: the
    unique constraint decides and the loser reads the winner's row.

    Args:
        follow_ups: background jobs to start with the new ticket, as (task name,
            arguments) pairs, e.g. ``("sms.send", {...})``; each gets ``ticket_id``.
            They are written in the same transaction, so a registered ticket
            never misses them, and are skipped on re-delivery.
        look_for_earlier: read the ticket of an earlier delivery first (the common case of
            a re-delivery then takes no number). A caller that knows this is the message's
            first delivery skips the read; a ticket that exists all the same is still found,
            through the unique constraint.
        also: the caller's own writes for a new ticket, done in its transaction so that both
            happen or neither (intake points the kept message at its ticket).

    Raises:
        InvalidInput: no content, or a field too long.
        Forbidden: department staff do not register tickets.
    """
    title, content, phone = checked(new, actor)
    if new.external_id and look_for_earlier:
        existing = find_by_external_id(ledger, new.channel, new.external_id)
        if existing is not None:
            return Registration(existing, created=False)
    try:
        with ledger.db.transaction() as session:
            ticket = _insert(session, ledger, new, title, content, phone, actor, now)
            for name, args in follow_ups:
                enqueue(session, name, now=now, ticket_id=ticket.id, **args)
            if also is not None:
                also(session, ticket)
    except IntegrityError:
        existing = new.external_id and find_by_external_id(ledger, new.channel, new.external_id)
        if not existing:
            raise
        return Registration(existing, created=False)
    return Registration(ticket, created=True)


def find_by_external_id(ledger: Ledger, channel: Channel, external_id: str) -> Ticket | None:
    with ledger.db.reading() as session:
        return session.scalar(select(Ticket).where(
            Ticket.channel == channel, Ticket.external_id == external_id))


def checked(new: NewTicket, actor: Actor) -> tuple[str, str, str | None]:
    """The title, content and normalised phone of a ticket to register, once the actor may.

    Raises:
        InvalidInput: no content, a field too long, a malformed phone number.
        Forbidden: department staff do not register tickets.
    """
    if actor.role not in REGISTER_ROLES:
        raise Forbidden("当前角色无权登记工单")
    content = require_text(new.content, "诉求内容", MAX_CONTENT)
    title = (new.title or "").strip()[:MAX_TITLE] or content[:30]
    return title, content, normalise_phone(new.contact_phone)


def _insert(session: Session, ledger: Ledger, new: NewTicket, title: str, content: str, phone: str | None,
            actor: Actor, now: datetime) -> Ticket:
    contact = None
    if phone:
        contact = session.scalar(select(Contact).where(Contact.phone == phone).limit(1))
        if contact is None:
            contact = Contact(name=new.contact_name.strip(), phone=phone, created_at=now)
            session.add(contact)
    ticket = new_ticket(new, title, content, phone, allocate_number(session, now, ledger.tz), actor, now)
    ticket.contact = contact
    session.add(ticket)
    record(session, ticket, "register", actor, now, to_status=Status.REGISTERED, channel=new.channel.value)
    session.flush()
    return ticket


def new_ticket(new: NewTicket, title: str, content: str, phone: str | None, number: str, actor: Actor,
               now: datetime) -> Ticket:
    """A registered ticket's row, not yet in any session (its ``register`` event is the caller's to write)."""
    return Ticket(
        number=number, channel=new.channel,
        external_id=new.external_id, contact_name=new.contact_name.strip()[:80],
        contact_phone=phone, title=title, content=content, address=(new.address or "").strip()[:300],
        district=new.district, lat=new.lat, lon=new.lon, service_code=new.service_code,
        priority=Priority(new.priority), status=Status.REGISTERED, registered_by_id=actor.user_id,
        registered_at=now, updated_at=now, upstream_due_at=new.upstream_due_at)


def allocate_number(session: Session, now: datetime, tz: ZoneInfo) -> str:
    """Next public number of the local day, e.g. ``20261122-000123``.

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
    """
    return allocate_numbers(session, now, tz, 1)[0]


def allocate_numbers(session: Session, now: datetime, tz: ZoneInfo, count: int) -> list[str]:
    """``count`` consecutive numbers of the local day of ``now``, with one upsert (as :func:`allocate_number`)."""
    day = now.astimezone(tz).strftime("%Y%m%d")
    bind = session.get_bind()
    postgres = bind.dialect.name == "postgresql"
    stmt = (pg_insert if postgres else sqlite_insert)(TicketCounter).values(day=day, last_value=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[TicketCounter.day], set_={"last_value": TicketCounter.last_value + count}
    ).returning(TicketCounter.last_value)
    if postgres:
        with bind.begin() as connection:
            last = connection.execute(stmt).scalar_one()
    else:
        last = session.execute(stmt).scalar_one()
    return [f"{day}-{sequence:06d}" for sequence in range(last - count + 1, last + 1)]


def normalise_phone(phone: str | None) -> str | None:
    """Digits only (a leading + kept); ``+86`` mobile numbers are stored as 11 digits.

    Raises:
        InvalidInput: the value has letters or is too short to be a phone number.
    """
    if phone is None or not phone.strip():
        return None
    raw = phone.strip().replace(" ", "").replace("-", "")
    digits = raw[1:] if raw.startswith("+") else raw
    if not digits.isdigit() or not 5 <= len(digits) <= 20:
        raise InvalidInput("电话号码格式不正确")
    if raw.startswith("+86") and len(digits) == 13:
        return digits[2:]
    return raw
