"""The SMS log for staff: what was sent (or, with the console sender, would have been) and what came in."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from channels.models import IntakeMessage, SmsMessage
from tracking.actions import InvalidInput
from tracking.actions.registration import normalise_phone
from tracking.models import Ticket
from tracking.states import Channel

PER_PAGE = 50
MOBILE = re.compile(r"1\d{10}")


@dataclass(frozen=True)
class SmsLog:
    outbound: list[tuple[SmsMessage, str | None]]   # (message, ticket number)
    inbound: list[tuple[IntakeMessage, str | None]]
    page: int
    has_more: bool


def whole_mobile(text: str) -> str | None:
    """The mainland mobile number ``text`` is, as numbers are stored (11 digits), or None."""
    try:
        number = normalise_phone(text)
    except InvalidInput:
        return None
    return number if number and MOBILE.fullmatch(number) else None


def sms_log(db, *, page: int = 1, phone: str | None = None) -> SmsLog:
    """One page of outbound SMS attempts and inbound SMS, newest first, optionally for one phone.

    A whole mainland mobile number (``+86`` or not) matches that number exactly, which the senders'
    index (``ix_intake_messages_sender_received_at``) finds among millions of messages; anything else
    (the last digits a citizen gives) matches numbers containing it.
    """
    page = max(1, page)
    sent = (select(SmsMessage, Ticket.number).outerjoin(Ticket, Ticket.id == SmsMessage.ticket_id)
            .order_by(SmsMessage.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    received = (select(IntakeMessage, Ticket.number).outerjoin(Ticket, Ticket.id == IntakeMessage.ticket_id)
                .where(IntakeMessage.channel == Channel.SMS)
                .order_by(IntakeMessage.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    if phone:
        number = whole_mobile(phone)
        sent = sent.where(SmsMessage.to == number if number else SmsMessage.to.contains(phone.strip()))
        received = received.where(IntakeMessage.sender == number if number
                                  else IntakeMessage.sender.contains(phone.strip()))
    with db.reading() as session:
        outbound = [tuple(row) for row in session.execute(sent).all()]
        inbound = [tuple(row) for row in session.execute(received).all()]
    more = len(outbound) > PER_PAGE or len(inbound) > PER_PAGE
    return SmsLog(outbound[:PER_PAGE], inbound[:PER_PAGE], page, more)
