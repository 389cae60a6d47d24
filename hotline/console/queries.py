"""What the console shows beside the form: the work queue, the caller's history, the routing proposal."""
from __future__ import annotations

import importlib
import logging
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from hotline.db import Database
from hotline.services import Services
from tracking.actions import Actor
from tracking.actions.registration import normalise_phone
from tracking.models import Ticket
from tracking.presenters import mask_phone
from tracking.queries import TicketFilter, list_tickets
from tracking.states import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS, Priority, Status

log = logging.getLogger(__name__)
QUEUE_SIZE = 50
HISTORY_SIZE = 10
URGENCY_ORDER = case({Priority.EMERGENCY.value: 0, Priority.URGENT.value: 1}, value=Ticket.priority, else_=2)


@dataclass(frozen=True)
class QueueItem:
    number: str
    title: str
    channel_label: str
    priority: str
    priority_label: str
    registered_at: datetime
    phone: str | None


def work_queue(db: Database, limit: int = QUEUE_SIZE) -> tuple[list[QueueItem], int]:
    """Tickets registered but not yet sent anywhere (SMS, web, letters, saved calls, triage), most urgent first.

    Returns:
        (the first ``limit`` items, how many are waiting in all).
    """
    waiting = (Ticket.status == Status.REGISTERED,)
    with db.reading() as session:
        total = session.scalar(select(func.count(Ticket.id)).where(*waiting)) or 0
        tickets = session.scalars(select(Ticket).where(*waiting)
                                  .order_by(URGENCY_ORDER, Ticket.registered_at, Ticket.id).limit(limit)).all()
    return [QueueItem(t.number, t.title, CHANNEL_LABELS[t.channel], str(t.priority),
                      PRIORITY_LABELS[t.priority], t.registered_at, mask_phone(t.contact_phone))
            for t in tickets], total


def caller_history(db: Database, actor: Actor, phone: str | None) -> list[dict[str, Any]]:
    """The caller's earlier tickets by phone number, newest first, open ones marked for 并单."""
    try:
        phone = normalise_phone(phone)
    except Exception:  # a half-typed number: no history yet
        return []
    if not phone:
        return []
    page = list_tickets(db, actor, TicketFilter(phone=phone, per_page=HISTORY_SIZE))
    return [{"number": t.number, "title": t.title, "status": str(t.status),
             "status_label": STATUS_LABELS[Status(t.status)], "open": t.is_open and t.merged_into_id is None,
             "registered_at": t.registered_at.isoformat(),
             "department": t.department.name if t.department else None} for t in page.items]


def proposal(services: Services, text: str, address: str = "") -> dict[str, Any] | None:
    """Dispatch's proposal for the text, as the JSON of ``POST /api/v1/dispatch/propose``; None when unavailable.

    Used when the page is rendered without JavaScript; the script asks the
    endpoint itself as the agent types.
    """
    if not text.strip():
        return None
    try:
        propose = importlib.import_module("dispatch.service").propose
    except (ImportError, AttributeError):
        return None
    try:
        result = propose(services, text, address)
    except Exception as exc:  # routing must never stop the agent from registering the call
        log.warning("dispatch proposal failed: %s", exc)
        return None
    for name in ("as_json", "to_json", "as_dict", "to_dict"):
        if callable(getattr(result, name, None)):
            return getattr(result, name)()
    return asdict(result) if is_dataclass(result) else result if isinstance(result, dict) else None
