"""Writing and reading the access log; handlers call :func:`log_contact_reads` after a read."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import func, insert, select

from hotline.audit.models import AccessLogEntry
from hotline.db import Database
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from tracking.actions import Actor
from tracking.models import Ticket
from tracking.presenters import sees_full_phone

PAGE_SIZE = 50


def record_reads(db: Database, actor: Actor, ticket_ids: Iterable[int], *, what: str, path: str,
                 client: str, now: datetime) -> int:
    """Append one row per ticket read; returns how many were written.

    Args:
        what: the page or API that showed the details (``ticket_page``, ``ticket_list``...).
        path: the request path with its query, cut to 300 characters.
        client: the client's address.
    """
    rows = [{"at": now, "user_id": actor.user_id, "actor_name": actor.name[:80], "actor_role": actor.role.value,
             "ticket_id": ticket_id, "what": what[:40], "path": path[:300], "client": client[:64]}
            for ticket_id in dict.fromkeys(ticket_ids)]
    if rows:
        with db.transaction() as session:
            session.execute(insert(AccessLogEntry), rows)
    return len(rows)


async def log_contact_reads(request: web.Request, actor: Actor, tickets: Iterable[Ticket], what: str,
                            now: datetime) -> None:
    """Log that ``actor`` was shown the full phone number of each of ``tickets`` that has one.

    Nothing is logged for department staff, who are shown a mask, nor for tickets without a phone.
    """
    await log_ticket_reads(request, actor, [t.id for t in tickets if t.contact_phone], what, now)


async def log_ticket_reads(request: web.Request, actor: Actor, ticket_ids: Iterable[int], what: str,
                           now: datetime) -> None:
    """Log that ``actor`` was shown the full contact details of the tickets ``ticket_ids``."""
    ids = list(ticket_ids)
    if not ids or not sees_full_phone(actor):
        return
    from channels.web.ratelimit import client_address  # the one place that knows our proxies

    services = request.app[SERVICES]
    client = client_address(request, services.settings.trusted_proxies)
    await run_blocking(record_reads, services.db, actor, ids, what=what, path=request.path_qs,
                       client=client, now=now)


@dataclass(frozen=True)
class ReadLine:
    at: datetime
    actor_name: str
    actor_role: str
    number: str
    what: str
    client: str


def recent_reads(db: Database, *, number: str | None = None, user: str | None = None,
                 page: int = 1) -> tuple[list[ReadLine], int]:
    """The newest reads, optionally of one ticket number or by one person's name; and the total."""
    query = select(AccessLogEntry, Ticket.number).join(Ticket, Ticket.id == AccessLogEntry.ticket_id)
    if number:
        query = query.where(Ticket.number == number)
    if user:
        query = query.where(AccessLogEntry.actor_name == user)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.execute(query.order_by(AccessLogEntry.id.desc())
                               .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return [ReadLine(e.at, e.actor_name, e.actor_role, n, e.what, e.client) for e, n in rows], total or 0
