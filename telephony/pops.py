"""What the screen pop shows an agent when a call is connected to them (来电弹屏).

The caller's number, the queue, the caller's earlier tickets and those still
open, so that the agent can say "about your water complaint of last week..."
before the citizen has to repeat it. The agent sees the full number: they may
have to call back. Titles and numbers are shown as text by the browser
(``screenpop.js`` never builds HTML from them).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import select

from hotline.db import Database
from telephony.hub import LocalHub, PushEvent
from tracking.accounts import User
from tracking.models import Ticket
from tracking.states import OPEN_STATUSES, STATUS_LABELS, Role, Status

log = logging.getLogger(__name__)

HISTORY_SHOWN = 10
"""Earlier tickets listed in a pop, newest first."""

OPEN_SHOWN = 20
POP_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def caller_phone(raw: str | None) -> str | None:
    """The number as tickets store it: digits, no country code, no trunk 0 before a mobile.

    Carriers present ``+8613800138000``, ``008613800138000`` or, for a mobile
    from another area, ``013800138000``; all are ``13800138000`` on a ticket.
    """
    if not raw:
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if raw.strip().startswith("+86") or digits.startswith("0086"):
        digits = digits[2:] if raw.strip().startswith("+") else digits[4:]
    if len(digits) == 12 and re.fullmatch(r"01[3-9][0-9]{9}", digits):
        digits = digits[1:]
    return digits or None


def agents_at(db: Database, interface: str | None) -> list[int]:
    """Active staff whose phone is ``interface`` (``users.agent_interface``), e.g. PJSIP/1001."""
    if not interface:
        return []
    with db.reading() as session:
        return list(session.scalars(select(User.id).where(
            User.agent_interface == interface, User.active.is_(True), User.role.in_([r.value for r in POP_ROLES]))
            .order_by(User.id)))


def pop_payload(db: Database, *, linkedid: str, caller: str | None, queue: str | None,
                answered_at: datetime | None = None) -> dict:
    """The ``call`` event's data: ``{linkedid, caller, queue, answered_at, history, open}``."""
    phone = caller_phone(caller)
    history: list[dict] = []
    still_open: list[dict] = []
    if phone:
        with db.reading() as session:
            newest = select(Ticket).where(Ticket.contact_phone == phone).order_by(
                Ticket.registered_at.desc(), Ticket.id.desc())
            history = [_ticket_item(t) for t in session.scalars(newest.limit(HISTORY_SHOWN))]
            still_open = [_ticket_item(t) for t in session.scalars(
                newest.where(Ticket.status.in_([s.value for s in OPEN_STATUSES])).limit(OPEN_SHOWN))]
    return {"linkedid": linkedid, "caller": phone or caller, "queue": queue,
            "answered_at": answered_at.isoformat() if answered_at else None,
            "history": history, "open": still_open}


def _ticket_item(ticket: Ticket) -> dict:
    return {"number": ticket.number, "title": ticket.title, "status": str(ticket.status),
            "status_label": STATUS_LABELS[Status(ticket.status)], "registered_at": ticket.registered_at.isoformat()}


async def deliver_pop(hub: LocalHub, user_ids: list[int], payload: dict) -> bool:
    """Push the pop to each agent, once per call even when several processes follow it.

    Returns:
        False when another process (or an earlier event) popped this call already.
    """
    if not user_ids or not await hub.claim(f"call:{payload['linkedid']}"):
        return False
    event = PushEvent("call", payload["linkedid"], payload)
    for user_id in user_ids:
        await hub.publish(user_id, event)
    log.info("screen pop of call %s sent to users %s", payload["linkedid"], user_ids)
    return True
