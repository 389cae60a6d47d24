"""How tickets look from outside: JSON for the API, with personal data masked by role."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from tracking.actions import Actor
from tracking.models import Ticket, TicketEvent
from tracking.schedule import STEP_LABELS, Step, light_of
from tracking.states import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS, Role


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits of a mobile: enough to recognise, not to call.

    Shorter numbers (8-digit landlines) keep only their last four, so that at least
    half of any number is hidden (tests/properties check it for every length).
    """
    if not phone:
        return phone
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    if len(phone) <= 10:
        return "*" * (len(phone) - 4) + phone[-4:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def sees_full_phone(actor: Actor) -> bool:
    """Agents call citizens back and supervisors check callbacks; departments see a mask."""
    return actor.role in {Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM}


def ticket_json(ticket: Ticket, actor: Actor, *, events: bool = False,
                now: datetime | None = None) -> dict[str, Any]:
    """A ticket as the API shows it to ``actor``; with ``now``, the light of its current step too."""
    phone = ticket.contact_phone if sees_full_phone(actor) else mask_phone(ticket.contact_phone)
    data = {
        "number": ticket.number, "status": str(ticket.status), "status_label": STATUS_LABELS[ticket.status],
        "channel": str(ticket.channel), "channel_label": CHANNEL_LABELS[ticket.channel],
        "priority": str(ticket.priority), "priority_label": PRIORITY_LABELS[ticket.priority],
        "title": ticket.title, "content": ticket.content, "address": ticket.address,
        "district": ticket.district, "lat": ticket.lat, "long": ticket.lon,
        "contact": {"name": ticket.contact_name, "phone": phone},
        "service_code": ticket.service_code,
        "department": ({"code": ticket.department.code, "name": ticket.department.name}
                       if ticket.department_id and ticket.department else None),
        "reply": ticket.reply_text, "satisfaction": ticket.satisfaction, "resolved": ticket.resolved,
        "return_count": ticket.return_count, "reopen_count": ticket.reopen_count,
        "extension_count": ticket.extension_count,
        "extension_requested_days": ticket.extension_requested_days,
        "step": ({"name": ticket.step, "label": STEP_LABELS[Step(ticket.step)], "due_at": _iso(ticket.step_due_at),
                  "yellow_at": _iso(ticket.step_yellow_at)} if ticket.step else None),
    }
    if now is not None:
        light = light_of(ticket, now)
        data["light"] = light.value if light else None
    for name in ("registered_at", "updated_at", "dispatched_at", "sign_in_due_at", "accepted_at",
                 "reply_due_at", "upstream_due_at", "replied_at", "callback_due_at", "called_back_at",
                 "closed_at", "escalated_at"):
        data[name] = _iso(getattr(ticket, name))
    if events:
        data["events"] = [event_json(e) for e in ticket.events]
    return data


def event_json(event: TicketEvent) -> dict[str, Any]:
    return {"action": event.action, "from_status": event.from_status, "to_status": event.to_status,
            "actor": event.actor_name, "actor_role": event.actor_role, "at": _iso(event.at),
            "note": event.note, "data": event.data}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
