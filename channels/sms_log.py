"""The SMS log for staff: what was sent (or, with the console sender, would have been) and what came in."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from channels.models import IntakeMessage, SmsMessage
from tracking.models import Ticket
from tracking.states import Channel

PER_PAGE = 50


@dataclass(frozen=True)
class SmsLog:
    outbound: list[tuple[SmsMessage, str | None]]   # (message, ticket number)
    inbound: list[tuple[IntakeMessage, str | None]]
    page: int
    has_more: bool


def sms_log(db, *, page: int = 1, phone: str | None = None) -> SmsLog:
    """One page of outbound SMS attempts and inbound SMS, newest first, optionally for one phone."""
    page = max(1, page)
    sent = (select(SmsMessage, Ticket.number).outerjoin(Ticket, Ticket.id == SmsMessage.ticket_id)
            .order_by(SmsMessage.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    received = (select(IntakeMessage, Ticket.number).outerjoin(Ticket, Ticket.id == IntakeMessage.ticket_id)
                .where(IntakeMessage.channel == Channel.SMS)
                .order_by(IntakeMessage.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    if phone:
        sent = sent.where(SmsMessage.to.contains(phone))
        received = received.where(IntakeMessage.sender.contains(phone))
    with db.reading() as session:
        outbound = [tuple(row) for row in session.execute(sent).all()]
        inbound = [tuple(row) for row in session.execute(received).all()]
    more = len(outbound) > PER_PAGE or len(inbound) > PER_PAGE
    return SmsLog(outbound[:PER_PAGE], inbound[:PER_PAGE], page, more)
