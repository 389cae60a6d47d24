"""受理 in groups: many tickets registered in one transaction (group commit).

At a typhoon's peak every registration paying for its own transaction, number
upsert and disk flush is what limits intake (docs/benchmarks.md). The web
process's :class:`tracking.group_commit.GroupCommit` gathers the requests that
arrive while the previous group is being written and hands them here: one
counter upsert per day, one contact lookup, one flush of every ticket, event and
follow-up job (Core ``executemany`` with ids taken first, see ``hotline.ids``),
one commit. Each ticket gets the same row and ``register`` event, naming its
actor, as ``register_ticket`` writes.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from hotline.ids import next_ids
from hotline.jobs import enqueue_many
from tracking.actions._core import event_fields
from tracking.actions.actor import Actor
from tracking.actions.errors import LedgerError
from tracking.actions.registration import (NewTicket, Registration, allocate_numbers, checked, new_ticket,
                                           register_ticket)
from tracking.ledger import Ledger
from tracking.models import Contact, Ticket, TicketEvent
from tracking.schedule import refresh_schedule
from tracking.states import Status


@dataclass(frozen=True)
class Submission:
    """One registration of a group: what ``register_ticket`` takes."""

    new: NewTicket
    actor: Actor
    now: datetime
    follow_ups: Sequence[tuple[str, dict]] = field(default_factory=tuple)


def register_tickets(ledger: Ledger, submissions: Sequence[Submission]) -> list[Registration | LedgerError]:
    """Register each submission (受理) in one transaction; answer each as ``register_ticket`` would.

    A submission that is invalid or not allowed gets its error in its place and
    the others go on. Re-delivered external messages get their earlier ticket
    (``created`` False), also when the same message appears twice in the group.
    If the group's commit meets a concurrent delivery of one of its external ids
    (the unique constraint), nothing of the group is kept and each submission is
    registered on its own, which settles that race exactly as one request would.

    Returns:
        For each submission, in order: its registration or the error it raised.
    """
    results: list[Registration | LedgerError | None] = [None] * len(submissions)
    prepared: list[tuple[int, Submission, tuple[str, str, str | None]]] = []
    for index, item in enumerate(submissions):
        try:
            prepared.append((index, item, checked(item.new, item.actor)))
        except LedgerError as exc:
            results[index] = exc
    prepared, repeats = _first_deliveries(ledger, prepared, results)
    try:
        created = _write(ledger, prepared)
    except IntegrityError:
        return [result if result is not None else _alone(ledger, submissions[index])
                for index, result in enumerate(results)]
    for index, ticket in created.items():
        results[index] = Registration(ticket, created=True)
    for index, first in repeats.items():
        results[index] = Registration(created[first], created=False)
    return results  # type: ignore[return-value]


def _first_deliveries(ledger: Ledger, prepared: list, results: list) -> tuple[list, dict[int, int]]:
    """Drop submissions whose external message is already a ticket, or appears earlier in the group."""
    keys = {(item.new.channel, item.new.external_id) for _, item, _ in prepared if item.new.external_id}
    known: dict[tuple, Ticket] = {}
    if keys:
        with ledger.db.reading() as session:
            known = {(t.channel, t.external_id): t for t in session.scalars(
                select(Ticket).where(tuple_(Ticket.channel, Ticket.external_id).in_(list(keys))))}
    first: dict[tuple, int] = {}
    kept, repeats = [], {}
    for index, item, fields in prepared:
        key = (item.new.channel, item.new.external_id) if item.new.external_id else None
        if key in known:
            results[index] = Registration(known[key], created=False)
        elif key in first:
            repeats[index] = first[key]
        else:
            if key:
                first[key] = index
            kept.append((index, item, fields))
    return kept, repeats


def _write(ledger: Ledger, prepared: list) -> dict[int, Ticket]:
    """Insert the group's contacts, tickets, events and jobs: one statement per table, rows known beforehand."""
    if not prepared:
        return {}
    with ledger.db.transaction() as session:
        contact_ids = _contacts(session, prepared)
        numbers = _numbers(session, ledger, [item.now for _, item, _ in prepared])
        tickets: dict[int, Ticket] = {}
        events = []
        for (index, item, (title, content, phone)), number, ticket_id in zip(
                prepared, numbers, next_ids(session, Ticket.__table__, len(prepared))):
            ticket = tickets[index] = new_ticket(item.new, title, content, phone, number, item.actor, item.now)
            ticket.id, ticket.contact_id = ticket_id, contact_ids.get(phone)
            refresh_schedule(ticket)
            events.append({"ticket_id": ticket_id, **event_fields(
                None, "register", item.actor, item.now, from_status=Status(ticket.status), to_status=Status.REGISTERED,
                note="", data={"channel": item.new.channel.value})})
        session.execute(insert(Ticket.__table__), [_row(ticket) for ticket in tickets.values()])
        session.execute(insert(TicketEvent.__table__), events)
        jobs = [(name, tickets[index].id, args) for index, item, _ in prepared for name, args in item.follow_ups]
        if jobs:
            enqueue_many(session, jobs, now=max(item.now for _, item, _ in prepared))
    return tickets


def _contacts(session, prepared: list) -> dict[str, int]:
    """The contact id of each phone of the group: the first one known, or a new contact."""
    phones: dict[str, Submission] = {}
    for _, item, (_, _, phone) in prepared:
        if phone:
            phones.setdefault(phone, item)
    if not phones:
        return {}
    known = dict(session.execute(select(Contact.phone, func.min(Contact.id)).where(
        Contact.phone.in_(list(phones))).group_by(Contact.phone)).all())
    fresh = [phone for phone in phones if phone not in known]
    rows = [{"id": contact_id, "name": phones[phone].new.contact_name.strip()[:80], "phone": phone,
             "created_at": phones[phone].now}
            for phone, contact_id in zip(fresh, next_ids(session, Contact.__table__, len(fresh)))]
    if rows:
        session.execute(insert(Contact.__table__), rows)
    return {**known, **{row["phone"]: row["id"] for row in rows}}


def _row(ticket: Ticket) -> dict:
    """Every column of a ticket not in any session, its model's defaults filled in (on the object too)."""
    row = {}
    for column in Ticket.__table__.columns:
        value = getattr(ticket, column.key)
        if value is None and column.default is not None and column.default.is_scalar:
            value = column.default.arg
            setattr(ticket, column.key, value)
        row[column.key] = value
    return row


def _numbers(session, ledger: Ledger, moments: list[datetime]) -> list[str]:
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


def _alone(ledger: Ledger, item: Submission) -> Registration | LedgerError:
    try:
        return register_ticket(ledger, item.new, actor=item.actor, now=item.now, follow_ups=item.follow_ups)
    except LedgerError as exc:
        return exc
