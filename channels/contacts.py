"""Every contact behind one ticket: the first request, the repeats folded into it, later texts, files.

When repeats are merged (并单) the department answers one ticket, but staff
must still see each citizen who asked and what each said. ``contacts_of`` is
the ticket page's "all contacts" section (tracking's timeline shows it); it
applies the same access rule as the ledger and masks phones for departments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from channels.models import Attachment, IntakeMessage, Outcome
from tracking.actions import Actor, NotFound
from tracking.actions._core import can_see
from tracking.models import Ticket
from tracking.presenters import mask_phone, sees_full_phone
from tracking.states import CHANNEL_LABELS, STATUS_LABELS, Status

EXCERPT = 200


@dataclass(frozen=True)
class ContactEntry:
    """One time a citizen reached us about this ticket's problem."""

    at: datetime
    kind: str            # "ticket" (this one), "repeat" (a ticket merged into it), "message" (a later SMS)
    number: str | None   # the ticket number it got, for tickets and repeats
    channel_label: str
    name: str
    phone: str | None
    text: str
    status_label: str | None = None


@dataclass(frozen=True)
class FileEntry:
    id: int
    ticket_number: str
    filename: str
    content_type: str
    size: int
    url: str | None  # an outside link (Open311 media_url, MMS); stored files are served by id


def contacts_of(db, ticket_id: int, actor: Actor) -> list[ContactEntry]:
    """The ticket's own request, each repeat merged into it, and later SMS on it, oldest first.

    Raises:
        NotFound: no such ticket, or one the actor may not see.
    """
    full = sees_full_phone(actor)
    with db.reading() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not can_see(actor, ticket):
            raise NotFound("工单不存在或无权查看")
        repeats = list(session.scalars(select(Ticket).where(Ticket.merged_into_id == ticket.id)))
        messages = list(session.scalars(select(IntakeMessage).where(
            IntakeMessage.ticket_id == ticket.id, IntakeMessage.outcome.in_([Outcome.NOTE, Outcome.SURVEY_ANSWER]))))
    entries = [_entry(ticket, "ticket", full)] + [_entry(r, "repeat", full) for r in repeats]
    for message in messages:
        phone = message.sender if full else mask_phone(message.sender)
        text = str(message.payload.get("Body") or message.payload.get("content") or "")
        entries.append(ContactEntry(message.received_at, "message", None, CHANNEL_LABELS[message.channel],
                                    "", phone, text[:EXCERPT]))
    return sorted(entries, key=lambda e: e.at)


def files_of(db, ticket_id: int, actor: Actor) -> list[FileEntry]:
    """Files that came with the ticket and with the repeats merged into it.

    Raises:
        NotFound: no such ticket, or one the actor may not see.
    """
    with db.reading() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not can_see(actor, ticket):
            raise NotFound("工单不存在或无权查看")
        rows = session.execute(select(Attachment, Ticket.number).join(Ticket, Ticket.id == Attachment.ticket_id)
                               .where(or_(Ticket.id == ticket.id, Ticket.merged_into_id == ticket.id))
                               .order_by(Attachment.id)).all()
    return [FileEntry(a.id, number, a.filename, a.content_type, a.size, a.url) for a, number in rows]


def stored_file(db, attachment_id: int, actor: Actor) -> Attachment:
    """An attachment the actor may open (through its ticket, or the ticket it was merged into).

    Raises:
        NotFound: no such file, not stored here, or on a ticket the actor may not see.
    """
    with db.reading() as session:
        attachment = session.get(Attachment, attachment_id)
        ticket = session.get(Ticket, attachment.ticket_id) if attachment and attachment.ticket_id else None
        target = session.get(Ticket, ticket.merged_into_id) if ticket and ticket.merged_into_id else None
        visible = ticket is not None and (can_see(actor, ticket) or (target is not None and can_see(actor, target)))
        if not visible or not attachment.stored_path:
            raise NotFound("附件不存在或无权查看")
        return attachment


def _entry(ticket: Ticket, kind: str, full_phone: bool) -> ContactEntry:
    return ContactEntry(
        ticket.registered_at, kind, ticket.number, CHANNEL_LABELS[ticket.channel], ticket.contact_name,
        ticket.contact_phone if full_phone else mask_phone(ticket.contact_phone), ticket.content[:EXCERPT],
        STATUS_LABELS[Status(ticket.status)])
