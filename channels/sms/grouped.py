"""The SMS webhook in groups: plain new requests that arrive together are registered together.

At a typhoon's peak nearly every SMS is a new request, and each one handled
alone costs about six database sessions before its answer (docs/benchmarks.md).
:func:`handle_inbound_many` takes what the web process's ``Grouped`` gathered
while its previous group was written and decides, for all of them with one
read session, which are plain new requests: a text (no picture), not a survey
answer or satisfaction word, from a phone with no survey in the conversation
window, not a re-delivery, not a repeat of an open ticket, and the only one of
its phone and MessageSid in the group. Those are kept and registered (routed,
settled) in one transaction, exactly as ``receive`` keeps and registers one;
re-deliveries of kept text messages are answered together as they were the
first time (``channels.sms.redelivered``); every other message, and all of
them if that transaction meets a concurrent delivery, goes through
:func:`channels.sms.replies.handle_inbound` on its own, after the group, so the
rules for surveys, repeats and re-deliveries are never decided twice.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError

from channels.intake import CHANNEL_ACTORS, ROUTE_TASK, IntakeRecord, district_of
from channels.models import IntakeMessage, Outcome, SmsSurvey
from channels.notices import acknowledgement
from channels.repeats import REPEAT_WINDOW, best_repeat, callers_open_tickets, still_open
from channels.sms.redelivered import answer_redeliveries
from channels.sms.replies import CONVERSATION_WINDOW, InboundSms, SmsAnswer, handle_inbound, parse_answer
from hotline.among import among, for_dialect
from hotline.bulk import insert_rows
from hotline.one_write import one_write
from tracking.actions import Actor, LedgerError, NewTicket
from tracking.actions.registration import checked
from tracking.actions.routed_rows import plan_routes, write_routed
from tracking.actions.ticket_rows import Checked
from tracking.models import Ticket
from tracking.states import Channel


def handle_inbound_many(services, items: list[tuple[InboundSms, datetime]]) -> list[SmsAnswer | LedgerError]:
    """Answer each SMS as :func:`handle_inbound` would, registering the plain new requests together.

    Returns:
        For each item, in order: its answer, or the ``LedgerError`` it raised (a malformed number, a
        text too long); the webhook tells the sender either.
    """
    results: list = [None] * len(items)
    plain, again = _plain(services, items)
    for index, answer in answer_redeliveries(services, list(again)).items():
        results[again[index]] = answer
    if plain:
        try:
            for index, answer in _register(services, items, plain).items():
                results[index] = answer
        except IntegrityError:  # a concurrent delivery of one of them: each is decided alone below
            pass
    for index, (sms, now) in enumerate(items):
        if results[index] is None:
            try:
                results[index] = handle_inbound(services, sms, now=now)
            except LedgerError as exc:
                results[index] = exc
    return results


def _plain(services, items: list[tuple[InboundSms, datetime]]) -> tuple[dict[int, Checked], dict[str, int]]:
    """The plain new requests of the group (see the module's docstring), ready to register; and the
    re-deliveries of kept text messages, by MessageSid (``channels.sms.redelivered``)."""
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
    first = min(item.now for item in candidates.values())  # the widest windows: doubt goes to the single path
    with services.db.lookups() as session:
        seen = _seen(session, sids, phones, first)
        # An SMS names no address, so its repeat can only be among its caller's open tickets.
        open_tickets = callers_open_tickets(session, seen["open"], first) if seen["open"] else {}
    known, surveyed = seen["message"], seen["survey"]
    again = {item.new.external_id: index for index, item in candidates.items() if item.new.external_id in known}
    return {index: _with_district(services, item) for index, item in candidates.items()
            if item.new.external_id not in known and item.phone not in surveyed
            and best_repeat(open_tickets.get(item.phone, []), phone=item.phone,
                            content=f"{item.new.title} {item.content}", place="") is None}, again


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


def _with_district(services, item: Checked) -> Checked:
    record = IntakeRecord(channel=Channel.SMS, content=item.new.content, received_at=item.now)
    return replace(item, new=replace(item.new, district=district_of(services, record)))


def _register(services, items: list[tuple[InboundSms, datetime]], plain: dict[int, Checked]) -> dict[int, SmsAnswer]:
    """Keep and register the plain requests in one transaction: tickets routed, messages linked and settled."""
    indexes = list(plain)
    checked_items, plans = plan_routes(services.intake_routing, [plain[i] for i in indexes])
    with one_write(services.db) as session:  # the messages with the tickets' rows, in one statement
        tickets = write_routed(session, services.ledger, checked_items, plans, services.intake_routing)
        insert_rows(session, IntakeMessage.__table__, [
            {"channel": Channel.SMS, "external_id": items[i][0].message_sid, "sender": plain[i].phone,
             "received_at": items[i][1], "stored_at": items[i][1], "payload": dict(items[i][0].payload),
             "outcome": Outcome.TICKET, "ticket_id": ticket.id, "repeat_of_id": None, "deliveries": 1,
             "settled_at": items[i][1]} for i, ticket in zip(indexes, tickets)])
    settings = services.settings
    return {i: SmsAnswer(acknowledgement(settings.city_name, ticket.number, settings.public_url), Outcome.TICKET,
                         ticket.number) for i, ticket in zip(indexes, tickets)}
