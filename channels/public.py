"""What a citizen may see of a ticket: its steps and the department's reply, nothing about anybody.

``public_progress`` answers the public lookup (number + last four digits of the
phone). Staff names, notes, other citizens' words and internal steps (reminders,
supervision notes) never leave this module: only the step, its date and the
department, as the citizen would be told on the phone.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracking.accounts import Department
from tracking.models import Ticket, TicketEvent
from tracking.states import CHANNEL_LABELS, STATUS_LABELS, Status


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    text: str


@dataclass(frozen=True)
class PublicProgress:
    number: str
    title: str
    channel_label: str
    status_label: str
    registered_at: datetime
    department: str | None
    reply: str | None
    replied_at: datetime | None
    steps: list[PublicStep]
    merged_into: "PublicProgress | None" = None


def public_progress(db, number: str, phone_tail: str) -> PublicProgress | None:
    """The ticket's public progress, or None when the number is unknown or the digits do not match.

    Both failures give the same None, so the page cannot tell a guesser which
    numbers exist. A ticket merged into another (并单) shows that one's steps
    too, but its reply only when it was the same caller's.
    """
    with db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == (number or "").strip())
                                .options(selectinload(Ticket.events), selectinload(Ticket.department)))
        phone = ticket.contact_phone if ticket is not None else None
        if not phone or len(phone_tail or "") != 4 or not hmac.compare_digest(phone[-4:], phone_tail):
            return None
        names = dict(session.execute(select(Department.id, Department.name)).all())
        progress = _progress(ticket, names, show_reply=True)
        if ticket.merged_into_id:
            target = session.scalar(select(Ticket).where(Ticket.id == ticket.merged_into_id)
                                    .options(selectinload(Ticket.events), selectinload(Ticket.department)))
            same_caller = target.contact_phone == ticket.contact_phone
            progress = replace(progress, merged_into=_progress(target, names, same_caller))
        return progress


def _progress(ticket: Ticket, names: dict[int, str], show_reply: bool) -> PublicProgress:
    steps = [step for event in ticket.events if (step := public_step(event, names)) is not None]
    return PublicProgress(
        number=ticket.number, title=ticket.title, channel_label=CHANNEL_LABELS[ticket.channel],
        status_label=STATUS_LABELS[Status(ticket.status)], registered_at=ticket.registered_at,
        department=ticket.department.name if ticket.department else None,
        reply=ticket.reply_text if show_reply else None,
        replied_at=ticket.replied_at if show_reply else None, steps=steps)


def public_step(event: TicketEvent, names: dict[int, str]) -> PublicStep | None:
    """How one event reads to the citizen, or None for internal steps they are not shown."""
    department = names.get(event.department_id) or "承办单位"
    data = event.data or {}
    texts = {
        "register": "诉求已受理",
        "dispatch": f"已转交{department}办理",
        "reassign": f"已改由{department}办理",
        "accept": f"{department}已签收",
        "start_work": f"{department}正在办理",
        "return": "承办单位申请退回，热线正在重新派单",
        "grant_extension": "办理期限已按规定延长",
        "reply": f"{department}已答复",
        "answer_directly": "热线已直接答复",
        "record_callback": "已回访",
        "close": "已办结",
        "reopen": f"根据您的评价，已要求{department}重新办理",
        "merge": f"与同一诉求的工单{data.get('into', '')}合并办理",
        "escalate": "已列入督办",
    }
    text = texts.get(event.action)
    return PublicStep(event.at, text) if text else None
