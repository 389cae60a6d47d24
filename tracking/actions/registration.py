"""受理: turning what a citizen said into a numbered ticket, exactly once."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracking.actions._core import require_text, storable
from tracking.actions.actor import Actor
from tracking.actions.errors import Forbidden, InvalidInput
from tracking.actions.intake_dispatch import IntakeRouting
from tracking.actions.routed_rows import plan_routes, write_routed
from tracking.actions.ticket_rows import Checked
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.states import Channel, Priority, Role

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
                    also: Callable[[Session, Ticket], None] | None = None,
                    routing: IntakeRouting | None = None) -> Registration:
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
        routing: route the ticket as it is written when it asks for ``routing.task``
            (``tracking.actions.routed_rows``); its job routes it if routing fails.

    Raises:
        InvalidInput: no content, or a field too long.
        Forbidden: department staff do not register tickets.
    """
    title, content, phone = checked(new, actor)
    if new.external_id and look_for_earlier:
        existing = find_by_external_id(ledger, new.channel, new.external_id)
        if existing is not None:
            return Registration(existing, created=False)
    items, plans = plan_routes(routing, [Checked(new, actor, now, title, content, phone, tuple(follow_ups))])
    try:
        with ledger.db.transaction() as session:
            [ticket] = write_routed(session, ledger, items, plans, routing)
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
    title = storable((new.title or "").strip()[:MAX_TITLE], "标题") or content[:30]
    storable(new.contact_name or "", "联系人")
    storable(new.address or "", "地址")
    return title, content, normalise_phone(new.contact_phone)


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
