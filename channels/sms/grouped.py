"""The SMS webhook in groups: plain requests that arrive together are registered together.

At a typhoon's peak nearly every SMS is a new request, and each one handled
alone costs about six database sessions before its answer (docs/benchmarks.md).
:func:`handle_inbound_many` takes what the web process's ``Grouped`` gathered
while its previous group was written and decides, for all of them with one
read session, which are plain requests (``channels.sms.plain``). Those are
kept and registered in one transaction, exactly as ``receive`` keeps and
registers one: a new request routed and settled; a repeat of its caller's open
ticket (a typhoon's follow-up texts: "还是没水") unrouted, with its
``intake.settle`` job to fold it into that ticket, and answered with both
numbers. Re-deliveries of kept text messages are answered together as they
were the first time (``channels.sms.redelivered``). Every other message, and
all of them if that transaction meets a concurrent delivery, goes through
:func:`channels.sms.replies.handle_inbound` on its own, after the group, so the
rules for surveys, repeats and re-deliveries are never decided twice.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from channels.intake import SETTLE_TASK
from channels.models import IntakeMessage, Outcome
from channels.notices import acknowledgement
from channels.repeats import RepeatMatch
from channels.sms.plain import Plain, plain_requests
from channels.sms.redelivered import answer_redeliveries
from channels.sms.replies import InboundSms, SmsAnswer, handle_inbound
from hotline.bulk import insert_rows
from hotline.ids import next_ids
from hotline.one_write import one_write
from tracking.actions import LedgerError
from tracking.actions.routed_rows import plan_routes, write_routed
from tracking.actions.ticket_rows import Checked
from tracking.states import Channel


def handle_inbound_many(services, items: list[tuple[InboundSms, datetime]]) -> list[SmsAnswer | LedgerError]:
    """Answer each SMS as :func:`handle_inbound` would, registering the plain requests together.

    Returns:
        For each item, in order: its answer, or the ``LedgerError`` it raised (a malformed number, a
        text too long); the webhook tells the sender either.
    """
    results: list = [None] * len(items)
    plain, again = plain_requests(services, items)
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


def _register(services, items: list[tuple[InboundSms, datetime]], plain: dict[int, Plain]) -> dict[int, SmsAnswer]:
    """Keep and register the plain requests in one transaction: tickets written, messages linked.

    New requests are routed as they are written and their messages settled; a repeat's ticket waits
    unrouted for its ``intake.settle`` job (written with it), which needs its message's id: the
    group's message ids are then taken first, in the same transaction.
    """
    indexes = list(plain)
    checked_items, plans = plan_routes(services.intake_routing, [plain[i].item for i in indexes])
    with one_write(services.db) as session:  # the messages with the tickets' rows, in one statement
        ids = next_ids(session, IntakeMessage.__table__, len(indexes)) \
            if any(plain[i].repeat for i in indexes) else []
        checked_items = [_settled_by_job(item, plain[i].repeat, ids[n]) if plain[i].repeat else item
                         for n, (i, item) in enumerate(zip(indexes, checked_items))]
        tickets = write_routed(session, services.ledger, checked_items, plans, services.intake_routing)
        insert_rows(session, IntakeMessage.__table__, [
            _message_row(items[i], plain[i], ticket.id, ids[n] if ids else None)
            for n, (i, ticket) in enumerate(zip(indexes, tickets))])
    settings = services.settings
    return {i: SmsAnswer(acknowledgement(settings.city_name, ticket.number, settings.public_url,
                                         plain[i].repeat.ticket.number if plain[i].repeat else None),
                         Outcome.REPEAT if plain[i].repeat else Outcome.TICKET, ticket.number)
            for i, ticket in zip(indexes, tickets)}


def _message_row(item: tuple[InboundSms, datetime], plain: Plain, ticket_id: int, message_id: int | None) -> dict:
    """The kept message, linked to its ticket as ``receive`` links it: settled unless a job is left to do."""
    (sms, now), repeat = item, plain.repeat
    return {**({"id": message_id} if message_id else {}), "channel": Channel.SMS, "external_id": sms.message_sid,
            "sender": plain.item.phone, "received_at": now, "stored_at": now, "payload": dict(sms.payload),
            "outcome": Outcome.REPEAT if repeat else Outcome.TICKET, "ticket_id": ticket_id,
            "repeat_of_id": repeat.ticket.id if repeat else None, "deliveries": 1,
            "settled_at": None if repeat else now}


def _settled_by_job(item: Checked, repeat: RepeatMatch, message_id: int) -> Checked:
    """A repeat's one follow-up, as ``receive`` writes it: fold it into the earlier ticket."""
    return replace(item, follow_ups=((SETTLE_TASK, {"intake_message_id": message_id, "repeat_of": repeat.ticket.id,
                                                    "repeat_reason": repeat.reason, "acknowledge": False}),))
