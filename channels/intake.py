"""The one intake path: whatever arrived becomes an ``IntakeRecord``, and ``receive`` registers it.

Every channel adapter (SMS, web form, Open311, letters, upstream orders) builds
an :class:`IntakeRecord` and calls :func:`receive`, which

1. keeps the message as it arrived (``intake_messages``) with its files
   (``attachments``), or finds the earlier delivery of the same external id
   and answers with its ticket, creating nothing;
2. checks whether it repeats an open ticket (``channels.repeats``);
3. registers the ticket through tracking's ``register_ticket``, routed as it
   is written (``services.intake_routing``; should that fail, by the
   ``dispatch.route_ticket`` job written with it), with ``intake.settle`` as a
   follow-up job in the ticket's own transaction when there is something to
   settle (fold a repeat into the earlier ticket, send the acknowledgement
   SMS), so a registered ticket never misses it; the kept message is pointed
   at its ticket (and marked settled when nothing is left) in that
   transaction too.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from channels.models import Attachment, IntakeMessage, Outcome
from channels.repeats import RepeatMatch, find_repeat
from channels.storage import safe_filename, store_file
from config.districts import DistrictRecogniser
from tracking.actions import Actor, Forbidden, InvalidInput, NewTicket, register_ticket
from tracking.actions.registration import MAX_CONTENT, REGISTER_ROLES, normalise_phone
from tracking.models import Ticket
from tracking.states import Channel, Priority

# The name each channel acts under when no person registers the ticket (shown in the timeline).
CHANNEL_ACTORS = {Channel.SMS: "短信受理", Channel.WEB: "网站留言受理", Channel.OPEN311: "Open311受理",
                  Channel.LETTER: "来信受理", Channel.UPSTREAM: "上级派单受理"}
ROUTE_TASK = "dispatch.route_ticket"
SETTLE_TASK = "intake.settle"


@dataclass(frozen=True)
class IntakeFile:
    """A file that came with the message (already checked), or a link to one we do not fetch."""

    filename: str
    content_type: str
    data: bytes | None = None
    url: str | None = None


@dataclass(frozen=True)
class IntakeRecord:
    """What arrived, in one shape for every channel.

    Attributes:
        external_id: the sender's id of the message (Twilio MessageSid, Open311
            token, letter reference, upstream order id); re-delivery with the
            same id answers with the same ticket.
        payload: the message as received (form fields, JSON), kept for audit.
        acknowledge_by_sms: send the ticket number by SMS once registered (for
            channels whose own answer does not reach the citizen).
        detect_repeats: fold into an earlier open ticket when it repeats one.
    """

    channel: Channel
    content: str
    received_at: datetime
    external_id: str | None = None
    title: str = ""
    contact_name: str = ""
    contact_phone: str | None = None
    address: str = ""
    attachments: tuple[IntakeFile, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)
    service_code: str | None = None
    priority: Priority = Priority.NORMAL
    lat: float | None = None
    lon: float | None = None
    upstream_due_at: datetime | None = None
    acknowledge_by_sms: bool = False
    detect_repeats: bool = True


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool               # False for a re-delivery: nothing new was made
    repeat_of: Ticket | None    # the earlier open ticket this one is folded into (并单)
    repeat_reason: str = ""


def receive(services, record: IntakeRecord, *, now: datetime, actor: Actor | None = None) -> IntakeResult:
    """Register what arrived as one ticket, exactly once.

    Args:
        services: the app's services (database, ledger, catalogue, settings).
        actor: the person or key registering it; the channel's system actor by default.

    Returns:
        The ticket, whether it is new, and the earlier ticket it repeats.

    Raises:
        InvalidInput: no content, a field too long, a malformed phone number.
        Forbidden: the actor may not register tickets.
    """
    actor = actor or Actor.system(CHANNEL_ACTORS.get(record.channel, "受理"))
    if actor.role not in REGISTER_ROLES:  # refuse before keeping anything
        raise Forbidden("当前角色无权登记工单")
    phone = normalise_phone(record.contact_phone)
    if not (record.content or "").strip():
        raise InvalidInput("请填写诉求内容")
    if len(record.content) > MAX_CONTENT:
        raise InvalidInput(f"诉求内容不能超过{MAX_CONTENT}字")
    message, first_delivery, earlier = _keep_message(services, record, phone, now)
    if earlier is not None:
        return earlier
    district = district_of(services, record)
    repeat = _find_repeat(services, record, phone, district, now) if record.detect_repeats else None
    follow_ups: list[tuple[str, dict]] = [] if repeat else [(ROUTE_TASK, {})]
    # A new request nobody is to be texted about has nothing left to settle: its message is marked
    # settled as it is linked, and no job is written for it.
    settled_at = now if repeat is None and not record.acknowledge_by_sms else None
    if settled_at is None:
        follow_ups.append((SETTLE_TASK, {"intake_message_id": message.id,
                                         "repeat_of": repeat.ticket.id if repeat else None,
                                         "repeat_reason": repeat.reason if repeat else "",
                                         "acknowledge": record.acknowledge_by_sms}))
    new = NewTicket(
        channel=record.channel, content=record.content, title=record.title, contact_name=record.contact_name,
        contact_phone=phone, address=record.address, external_id=record.external_id,
        priority=record.priority, service_code=record.service_code, district=district,
        lat=record.lat, lon=record.lon, upstream_due_at=record.upstream_due_at)
    # A message kept just now cannot have made a ticket yet: no need to look for one first.
    outcome, repeat_of_id = (Outcome.REPEAT, repeat.ticket.id) if repeat else (Outcome.TICKET, None)
    registration = register_ticket(
        services.ledger, new, actor=actor, now=now, follow_ups=follow_ups, look_for_earlier=not first_delivery,
        also=lambda session, ticket: _link(session, message.id, ticket.id, outcome, repeat_of_id, settled_at,
                                           files=bool(record.attachments)),
        routing=services.intake_routing)
    if not registration.created:  # an earlier delivery's ticket: point this message at it too
        link_message(services.db, message.id, registration.ticket.id, outcome=outcome, repeat_of_id=repeat_of_id)
    return IntakeResult(registration.ticket, registration.created, repeat.ticket if repeat else None,
                        repeat.reason if repeat else "")


def ticket_number_for(db, channel: Channel, external_id: str) -> str | None:
    """The number of the ticket a channel's message with this external id became, if any."""
    with db.lookups() as session:
        return session.scalar(select(Ticket.number).join(IntakeMessage, IntakeMessage.ticket_id == Ticket.id).where(
            IntakeMessage.channel == channel, IntakeMessage.external_id == external_id))


def link_message(db, message_id: int, ticket_id: int, *, outcome: Outcome,
                 repeat_of_id: int | None = None) -> None:
    """Point a kept message and its files at the ticket they became (idempotent)."""
    with db.transaction() as session:
        _link(session, message_id, ticket_id, outcome, repeat_of_id)


def _link(session, message_id: int, ticket_id: int, outcome: Outcome, repeat_of_id: int | None,
          settled_at: datetime | None = None, *, files: bool = True) -> None:
    """Point the message (and its files, unless the caller knows it came without) at its ticket."""
    settled = {"settled_at": settled_at} if settled_at else {}
    session.execute(update(IntakeMessage).where(IntakeMessage.id == message_id, IntakeMessage.ticket_id.is_(None))
                    .values(ticket_id=ticket_id, outcome=outcome, repeat_of_id=repeat_of_id, **settled))
    if not files:
        return
    session.execute(update(Attachment).where(Attachment.intake_message_id == message_id,
                                             Attachment.ticket_id.is_(None)).values(ticket_id=ticket_id))


def keep_message(services, record: IntakeRecord, sender: str | None, now: datetime,
                 outcome: Outcome = Outcome.RECEIVED, ticket_id: int | None = None) -> tuple[IntakeMessage, bool]:
    """Store a message as received, or find its earlier delivery.

    Returns:
        The message row and whether it is new (False: a re-delivery, counted).
    """
    upload_dir = Path(services.settings.upload_dir)
    stored = [(f, store_file(upload_dir, f.data, f.content_type) if f.data is not None else None)
              for f in record.attachments]
    for attempt in range(2):
        try:
            with services.db.transaction() as session:
                if record.external_id:
                    existing = session.scalar(select(IntakeMessage).where(
                        IntakeMessage.channel == record.channel, IntakeMessage.external_id == record.external_id)
                        .with_for_update())
                    if existing is not None:
                        existing.deliveries += 1
                        return existing, False
                message = IntakeMessage(
                    channel=record.channel, external_id=record.external_id, sender=sender,
                    received_at=record.received_at, stored_at=now, payload=dict(record.payload),
                    outcome=outcome, ticket_id=ticket_id, deliveries=1)
                session.add(message)
                session.flush()
                for file, saved in stored:
                    session.add(Attachment(
                        intake_message_id=message.id, ticket_id=ticket_id, filename=safe_filename(file.filename),
                        content_type=saved.content_type if saved else file.content_type,
                        size=saved.size if saved else 0, sha256=saved.sha256 if saved else None,
                        stored_path=saved.stored_path if saved else None, url=file.url, created_at=now))
                return message, True
        except IntegrityError:  # a concurrent delivery of the same id won; read its row
            if attempt:
                raise
    raise AssertionError("unreachable")


def _keep_message(services, record: IntakeRecord, phone: str | None,
                  now: datetime) -> tuple[IntakeMessage, bool, IntakeResult | None]:
    """The kept message, whether this is its first delivery, and the answer already given to it, if any."""
    message, new = keep_message(services, record, phone, now)
    if new or message.ticket_id is None:
        return message, new, None  # new, or an earlier delivery stopped before its ticket: finish it now
    with services.db.lookups() as session:
        ticket = session.get(Ticket, message.ticket_id)
        repeat_of = session.get(Ticket, message.repeat_of_id) if message.repeat_of_id else None
    return message, False, IntakeResult(ticket, False, repeat_of)


def _find_repeat(services, record: IntakeRecord, phone: str | None, district: str | None,
                 now: datetime) -> RepeatMatch | None:
    with services.db.lookups() as session:
        return find_repeat(session, phone=phone, content=f"{record.title} {record.content}",
                           address=record.address, district=district, now=now)


_RECOGNISERS: dict[int, tuple[object, DistrictRecogniser]] = {}  # built once per catalogue


def district_of(services, record: IntakeRecord) -> str | None:
    """The district the message names (its address first), by the catalogue's recogniser."""
    catalogue = services.catalogue
    entry = _RECOGNISERS.get(id(catalogue))
    if entry is None or entry[0] is not catalogue:
        entry = _RECOGNISERS[id(catalogue)] = (catalogue, DistrictRecogniser(catalogue))
    found = entry[1].recognise(record.content, record.address)
    return found.name if found else None
