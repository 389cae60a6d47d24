"""受理 in groups: many tickets registered in one transaction (group commit).

At a typhoon's peak every registration paying for its own transaction, number
upsert and disk flush is what limits intake (docs/benchmarks.md). The web
process's :class:`tracking.group_commit.GroupCommit` gathers the requests that
arrive while the previous group is being written and hands them here: one
reservation of numbers, ids and contacts (``tracking.actions.reservations``),
then every table's rows in one statement that is its own transaction
(``hotline.one_write``; ``tracking.actions.ticket_rows`` writes them, for
``register_ticket`` too). Each ticket gets its own ``register`` event naming its actor.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from hotline.one_write import one_write
from tracking.actions.actor import Actor
from tracking.actions.errors import LedgerError
from tracking.actions.intake_dispatch import IntakeRouting
from tracking.actions.registration import NewTicket, Registration, checked, register_ticket
from tracking.actions.routed_rows import plan_routes, write_routed
from tracking.actions.ticket_rows import Checked
from tracking.ledger import Ledger
from tracking.models import Ticket


@dataclass(frozen=True)
class Submission:
    """One registration of a group: what ``register_ticket`` takes."""

    new: NewTicket
    actor: Actor
    now: datetime
    follow_ups: Sequence[tuple[str, dict]] = field(default_factory=tuple)


def register_tickets(ledger: Ledger, submissions: Sequence[Submission],
                     routing: IntakeRouting | None = None) -> list[Registration | LedgerError]:
    """Register each submission (受理) in one transaction; answer each as ``register_ticket`` would.

    A submission that is invalid or not allowed gets its error in its place and
    the others go on. Re-delivered external messages get their earlier ticket
    (``created`` False), also when the same message appears twice in the group.
    If the group's commit meets a concurrent delivery of one of its external ids
    (the unique constraint), nothing of the group is kept and each submission is
    registered on its own, which settles that race exactly as one request would.

    With ``routing``, the submissions that ask for its job (``routing.task``)
    are routed before the transaction and written already dispatched, or left
    for triage with their proposal, instead of waiting for a worker; one that
    routing leaves alone (or all, when it fails) keeps its job. Routing never
    keeps a ticket from being registered.

    Returns:
        For each submission, in order: its registration or the error it raised.
    """
    results: list[Registration | LedgerError | None] = [None] * len(submissions)
    prepared: list[tuple[int, Checked]] = []
    for index, item in enumerate(submissions):
        try:
            title, content, phone = checked(item.new, item.actor)
        except LedgerError as exc:
            results[index] = exc
            continue
        prepared.append((index, Checked(item.new, item.actor, item.now, title, content, phone, item.follow_ups)))
    prepared, repeats = _first_deliveries(ledger, prepared, results)
    try:
        created = _write(ledger, prepared, routing)
    except IntegrityError:
        return [result if result is not None else _alone(ledger, submissions[index], routing)
                for index, result in enumerate(results)]
    for index, ticket in created.items():
        results[index] = Registration(ticket, created=True)
    for index, first in repeats.items():
        results[index] = Registration(created[first], created=False)
    return results  # type: ignore[return-value]


def _first_deliveries(ledger: Ledger, prepared: list[tuple[int, Checked]],
                      results: list) -> tuple[list[tuple[int, Checked]], dict[int, int]]:
    """Drop submissions whose external message is already a ticket, or appears earlier in the group."""
    keys = {(item.new.channel, item.new.external_id) for _, item in prepared if item.new.external_id}
    known: dict[tuple, Ticket] = {}
    if keys:
        with ledger.db.lookups() as session:
            known = {(t.channel, t.external_id): t for t in session.scalars(
                select(Ticket).where(tuple_(Ticket.channel, Ticket.external_id).in_(list(keys))))}
    first: dict[tuple, int] = {}
    kept, repeats = [], {}
    for index, item in prepared:
        key = (item.new.channel, item.new.external_id) if item.new.external_id else None
        if key in known:
            results[index] = Registration(known[key], created=False)
        elif key in first:
            repeats[index] = first[key]
        else:
            if key:
                first[key] = index
            kept.append((index, item))
    return kept, repeats


def _write(ledger: Ledger, prepared: list[tuple[int, Checked]], routing: IntakeRouting | None) -> dict[int, Ticket]:
    if not prepared:
        return {}
    items, plans = plan_routes(routing, [item for _, item in prepared])
    with one_write(ledger.db) as session:  # its rows in one statement, its own transaction
        tickets = write_routed(session, ledger, items, plans, routing)
    return {index: ticket for (index, _), ticket in zip(prepared, tickets)}


def _alone(ledger: Ledger, item: Submission, routing: IntakeRouting | None) -> Registration | LedgerError:
    try:
        return register_ticket(ledger, item.new, actor=item.actor, now=item.now, follow_ups=item.follow_ups,
                               routing=routing)
    except LedgerError as exc:
        return exc
