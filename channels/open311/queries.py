"""Finding service requests for Open311 readers, with the ledger's access rule applied.

A department's key sees only its department's tickets, as everywhere else.
Without ids or dates, the spec's default applies: the newest requests of the
last 90 days, at most 1,000.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from channels.models import Attachment
from tracking.actions import Actor
from tracking.models import Ticket
from tracking.states import FINAL_STATUSES, OPEN_STATUSES, Role

DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


@dataclass(frozen=True)
class FoundRequest:
    ticket: Ticket
    merged_into: str | None
    media_url: str | None


def find_requests(db, actor: Actor, *, numbers: list[str] | None = None, service_codes: list[str] | None = None,
                  start: datetime | None = None, end: datetime | None = None,
                  statuses: list[str] | None = None, now: datetime) -> list[FoundRequest]:
    """Requests matching the spec's filters; ``numbers`` (service_request_id) overrides the others."""
    target = aliased(Ticket)
    query = (select(Ticket, target.number).outerjoin(target, target.id == Ticket.merged_into_id)
             .options(selectinload(Ticket.department)))
    if actor.role is Role.DEPARTMENT:
        query = query.where(Ticket.department_id == actor.department_id)
    if numbers:
        query = query.where(Ticket.number.in_(numbers))
    else:
        if service_codes:
            query = query.where(Ticket.service_code.in_(service_codes))
        if start is None and end is None:
            start = now - DEFAULT_SPAN
        if start is not None:
            query = query.where(Ticket.registered_at >= start)
        if end is not None:
            query = query.where(Ticket.registered_at <= end)
        wanted: set[str] = set()
        for status in statuses or []:
            wanted |= {s.value for s in (OPEN_STATUSES if status == "open" else FINAL_STATUSES)}
        if wanted:
            query = query.where(Ticket.status.in_(sorted(wanted)))
    query = query.order_by(Ticket.registered_at.desc(), Ticket.id.desc()).limit(MAX_RESULTS)
    with db.reading() as session:
        rows = session.execute(query).all()
        ids = [ticket.id for ticket, _ in rows]
        media = dict(session.execute(select(Attachment.ticket_id, Attachment.url).where(
            Attachment.ticket_id.in_(ids), Attachment.url.is_not(None)).order_by(Attachment.id.desc())).all()) \
            if ids else {}
    return [FoundRequest(ticket, merged, media.get(ticket.id)) for ticket, merged in rows]
