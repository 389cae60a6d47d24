"""Which SMS of a group are plain requests, decided for all of them with one read (``channels.sms.grouped``).

A plain request is a text (no picture), not a survey answer or satisfaction
word, from a phone with no survey in the conversation window, not a
re-delivery, and the only one of its phone and MessageSid in the group. It is
either new or a repeat of its caller's open ticket, weighed as ``find_repeat``
weighs it at the message's own time.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, literal_column, select, union_all

from channels.intake import CHANNEL_ACTORS, ROUTE_TASK, IntakeRecord, district_of
from channels.models import IntakeMessage, SmsSurvey
from channels.repeats import REPEAT_WINDOW, RepeatMatch, best_repeat, callers_open_tickets, still_open
from channels.sms.replies import CONVERSATION_WINDOW, InboundSms, parse_answer
from hotline.among import among, for_dialect
from tracking.actions import Actor, LedgerError, NewTicket
from tracking.actions.registration import checked
from tracking.actions.ticket_rows import Checked
from tracking.models import Ticket
from tracking.states import Channel


@dataclass(frozen=True)
class Plain:
    """A plain request of the group, ready to register, and the caller's open ticket it repeats, if any."""

    item: Checked
    repeat: RepeatMatch | None


def plain_requests(services, items: list[tuple[InboundSms, datetime]]) -> tuple[dict[int, Plain], dict[str, int]]:
    """The plain requests of the group (see the module's docstring), ready to register, each with the
    open ticket it repeats, if any; and the re-deliveries of kept text messages, by MessageSid
    (``channels.sms.redelivered``)."""
    actor = Actor.system(CHANNEL_ACTORS[Channel.SMS])
    candidates: dict[int, Checked] = {}
    phones, sids = set(), set()
    for index, (sms, now) in enumerate(items):
        body = sms.body.strip()
        if sms.media or not body or parse_answer(body)[0] is not None:
            continue
        new = NewTicket(channel=Channel.SMS, content=body, contact_phone=sms.phone, external_id=sms.message_sid)
        try:
            title, content, phone = checked(new, actor)  # the phone normalised, as receive stores it
        except LedgerError:
            continue  # refused alone, with its own error
        new = replace(new, contact_phone=phone)
        if not phone or phone in phones or sms.message_sid in sids:
            continue
        phones.add(phone)
        sids.add(sms.message_sid)
        candidates[index] = Checked(new, actor, now, title, content, phone, ((ROUTE_TASK, {}),))
    if not candidates:
        return {}, {}
    first = min(item.now for item in candidates.values())  # the widest windows; each item's own below
    with services.db.lookups() as session:
        seen = _seen(session, sids, phones, first)
        # An SMS names no address, so its repeat can only be among its caller's open tickets.
        open_tickets = callers_open_tickets(session, seen["open"], first) if seen["open"] else {}
    known, surveyed = seen["message"], seen["survey"]
    again = {item.new.external_id: index for index, item in candidates.items() if item.new.external_id in known}
    return {index: _plain_one(services, item, open_tickets.get(item.phone, [])) for index, item in candidates.items()
            if item.new.external_id not in known and item.phone not in surveyed}, again


def _plain_one(services, item: Checked, open_tickets: list[Ticket]) -> Plain:
    """The item with its district, and the caller's open ticket it repeats (as ``find_repeat`` would
    decide at the item's own time: only tickets in its window)."""
    since = item.now - REPEAT_WINDOW
    repeat = best_repeat([t for t in open_tickets if t.registered_at >= since], phone=item.phone,
                         content=f"{item.new.title} {item.content}", place="")
    record = IntakeRecord(channel=Channel.SMS, content=item.new.content, received_at=item.now)
    new = replace(item.new, district=district_of(services, record))
    return Plain(replace(item, new=new, follow_ups=() if repeat else item.follow_ups), repeat)


def _seen(session, sids: set[str], phones: set[str], first: datetime) -> dict[str, set[str]]:
    """In one statement: the MessageSids already kept, and the phones with a survey or an open ticket."""
    seen: dict[str, set[str]] = {"message": set(), "survey": set(), "open": set()}
    for kind, value in session.execute(_seen_statement(session), {
            "sids": list(sids), "phones": list(phones), "survey_since": first - CONVERSATION_WINDOW,
            "open_since": first - REPEAT_WINDOW}):
        seen[kind].add(value)
    return seen


@for_dialect
def _seen_statement(postgres: bool):
    """One query instead of three: at a typhoon's peak each statement's fixed cost, paid per group, is
    much of an SMS's cost (docs/benchmarks.md)."""
    messages, surveys, tickets = IntakeMessage.__table__.c, SmsSurvey.__table__.c, Ticket.__table__.c
    return union_all(
        select(literal_column("'message'"), messages.external_id).where(
            messages.channel == Channel.SMS.value, among(messages.external_id, "sids", postgres)),
        select(literal_column("'survey'"), surveys.phone).where(
            among(surveys.phone, "phones", postgres), surveys.sent_at >= bindparam("survey_since")),
        select(literal_column("'open'"), tickets.contact_phone).where(
            among(tickets.contact_phone, "phones", postgres), *still_open(bindparam("open_since"))))
