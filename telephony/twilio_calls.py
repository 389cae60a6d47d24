"""Call records and voicemail tickets from Twilio Voice webhooks (the same ``calls`` rows as Asterisk's).

Each webhook moves the call's record one step (arrived, left the queue,
connected to an agent, ended) through :func:`telephony.store.save_call`, so a
webhook Twilio retries, or callbacks arriving out of order, give the same row.
The CallSid is the call's key, as the Linkedid is for Asterisk.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.db import Database
from hotline.jobs import enqueue
from telephony.calls import CallRecord
from telephony.models import Call
from telephony.pops import caller_phone
from telephony.store import Saved, record_from_row, save_call
from telephony.twilio_voice import QUEUE_NAME
from tracking.accounts import User
from tracking.actions import Actor, InvalidInput, NewTicket, add_note, register_ticket
from tracking.states import Channel, Role

SOURCE = "twilio"
SYSTEM_ACTOR = Actor.system("语音留言")
ENDED_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
LEFT_UNANSWERED = {"leave", "queue-full", "error", "system-error"}
MOBILE = re.compile(r"1[3-9][0-9]{9}")


def call_arrived(db: Database, sid: str, caller: str | None, now: datetime, *, queued: bool) -> None:
    """A citizen called the hotline's Twilio number (queued for agents, or sent to voicemail)."""
    record = _record(db, sid, now)
    record.caller_number = record.caller_number or caller_phone(caller)
    if queued and record.queued_at is None:
        record.queue, record.queued_at = QUEUE_NAME, now
    save_call(db, record, now=now, source=SOURCE)


def call_left_queue(db: Database, sid: str, result: str, queue_seconds: float, now: datetime) -> None:
    """Enqueue's action: the caller left the queue (hung up, was bridged, or gave up waiting)."""
    record = _record(db, sid, now)
    left = record.queued_at + timedelta(seconds=queue_seconds) if record.queued_at else now
    if result == "hangup":
        record.abandoned_in_queue = True
        record.left_queue_at = record.left_queue_at or left
    elif result in LEFT_UNANSWERED:
        record.left_queue_at = record.left_queue_at or left
    elif result.startswith("bridg") and record.answered_at is None:
        record.answered_at = left
    save_call(db, record, now=now, source=SOURCE)


def call_connected(db: Database, sid: str, agent_user_id: int, queue_seconds: float, now: datetime) -> CallRecord:
    """An agent dequeued the caller (``<Queue url>``): the call is answered now."""
    record = _record(db, sid, now)
    if record.queued_at is None:
        record.queue, record.queued_at = QUEUE_NAME, now - timedelta(seconds=queue_seconds)
    record.answered_at = record.answered_at or now
    with db.reading() as session:
        record.agent_name = session.scalar(select(User.display_name).where(User.id == agent_user_id))
    save_call(db, record, now=now, source=SOURCE, agent_user_id=agent_user_id)
    return record


def call_status(db: Database, sid: str, status: str, now: datetime) -> Saved | None:
    """Status callback; an ended status closes the record.

    Returns:
        What the write did (``just_ended`` once per call), or None for a call we never saw.
    """
    with db.reading() as session:
        row = session.scalar(select(Call).where(Call.linkedid == sid))
    if row is None:
        return None
    record = record_from_row(row)
    record.last_event_at = max(record.last_event_at, now)
    if status in ENDED_STATUSES:
        record.ended_at = record.ended_at or now
        record.end_reason = "hangup"
        if record.answered_at is not None and record.agent_leg_ended_at is None:
            record.agent_leg_ended_at = record.ended_at
    return save_call(db, record, now=now, source=SOURCE)


def agent_by_phone(db: Database, phone: str | None) -> int | None:
    """The active agent whose own phone (``users.phone``) is calling in to take calls."""
    number = caller_phone(phone)
    if not number:
        return None
    with db.reading() as session:
        return session.scalar(select(User.id).where(User.phone == number, User.active.is_(True),
                                                    User.role.in_([Role.AGENT.value, Role.SUPERVISOR.value]))
                              .order_by(User.id).limit(1))


def voicemail_ticket(services, *, call_sid: str, recording_sid: str, recording_url: str,
                     duration: int, now: datetime) -> str | None:
    """Turn a finished voicemail into a ticket (channel voicemail) with the recording attached.

    The recording's id is the ticket's external id, so Twilio retrying the
    callback finds the same ticket. The caller gets an SMS with the ticket
    number when they called from a mobile.

    Returns:
        The ticket number, or None when the message was empty.
    """
    if duration <= 0 or not recording_sid or not recording_url.startswith("https://"):
        return None
    db = services.db
    with db.reading() as session:
        row = session.scalar(select(Call).where(Call.linkedid == call_sid))
    phone = row.caller_number if row is not None else None
    local = now.astimezone(services.ledger.tz).strftime("%Y-%m-%d %H:%M")
    media = f"{recording_url}.mp3"
    try:
        new = NewTicket(channel=Channel.VOICEMAIL, external_id=recording_sid, contact_phone=phone,
                        title="语音留言（待听取录音补充诉求）",
                        content=f"市民于{local}来电留言，时长{duration}秒。请听取录音后补充诉求内容。\n录音：{media}")
        registration = register_ticket(services.ledger, new, actor=SYSTEM_ACTOR, now=now)
    except InvalidInput:  # an unusable caller ID: keep the message without it
        new = NewTicket(channel=Channel.VOICEMAIL, external_id=recording_sid, title=new.title, content=new.content)
        registration = register_ticket(services.ledger, new, actor=SYSTEM_ACTOR, now=now)
    ticket = registration.ticket
    if registration.created:
        add_note(services.ledger, ticket.id, actor=SYSTEM_ACTOR, now=now, note=f"语音留言录音：{media}",
                 telephony="voicemail", recording_url=media, recording_sid=recording_sid, call_sid=call_sid,
                 duration_seconds=duration)
        with db.transaction() as session:
            if row is not None:
                call = session.get(Call, row.id)
                call.recording_url, call.ticket_id = media, call.ticket_id or ticket.id
            if ticket.contact_phone and MOBILE.fullmatch(ticket.contact_phone):
                enqueue(session, "sms.send", now=now, ticket_id=ticket.id, to=ticket.contact_phone, purpose="ack",
                        body=f"【{services.settings.city_name}12345】您的语音留言已受理，工单号{ticket.number}，"
                             "我们将在工作时间尽快处理并回复您。")
    return ticket.number


def _record(db: Database, sid: str, now: datetime) -> CallRecord:
    with db.reading() as session:
        row = session.scalar(select(Call).where(Call.linkedid == sid))
    if row is None:
        return CallRecord(linkedid=sid, arrived_at=now, last_event_at=now)
    record = record_from_row(row)
    record.last_event_at = max(record.last_event_at, now)
    return record
