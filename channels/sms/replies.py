"""An SMS that arrived: a survey answer, a further word on a surveyed ticket, or a new request.

The rule, in order (nothing a citizen texts is dropped; each case is kept in
``intake_messages`` with its outcome):

1. The same Twilio MessageSid again: answer as the first time, change nothing.
2. "1", "2" or "3" (or 满意/基本满意/不满意, full-width digits too, optionally
   with the ticket number) from a phone with an unanswered survey whose ticket
   still waits for its callback: recorded as that ticket's 回访 (method sms);
   满意 and 基本满意 close the ticket, 不满意 leaves it for the supervision office
   to re-open (重办).
3. Any other text within ``CONVERSATION_WINDOW`` of a survey to that phone:
   a message on the surveyed ticket's timeline.
4. Anything else: a new request through the one intake path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from channels.intake import IntakeFile, IntakeRecord, keep_message, receive
from channels.models import IntakeMessage, Outcome, SmsSurvey
from channels.notices import SURVEY_ANSWERS, SURVEY_WORDS, acknowledgement, note_received, survey_thanks
from hotline.text import nfkc
from tracking.actions import Actor, LedgerError, add_note, close_ticket, record_callback
from tracking.actions.registration import normalise_phone
from tracking.models import Ticket
from tracking.states import SATISFACTION_LABELS, Channel, Satisfaction, Status

SURVEY_ANSWER_WINDOW = timedelta(days=30)  # a digit answers a survey sent up to a month ago
CONVERSATION_WINDOW = timedelta(days=3)    # other text this soon after a survey belongs to its ticket
SURVEY_ACTOR = "短信评议"
NUMBER_PATTERN = re.compile(r"\d{8}-\d{6}")
PICTURE_ONLY = "（市民发送了图片，未附文字说明）"
NOTHING_TO_RATE = "没有找到需要您评价的工单。如需反映问题，请直接发送具体内容。"
EMPTY_SMS = "短信内容为空，请直接发送您要反映的问题。"
_STRIP = re.compile(r"[\s。．.!！,，、:：;；~～]+")


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    phone: str
    body: str
    to: str
    payload: dict
    media: tuple[IntakeFile, ...] = ()


@dataclass(frozen=True)
class SmsAnswer:
    """What to text back (TwiML), and what the message became."""

    text: str
    outcome: Outcome
    ticket_number: str | None = None


def parse_answer(body: str) -> tuple[Satisfaction | None, str | None]:
    """The satisfaction a reply expresses, and the ticket number it names, if any."""
    text = nfkc(body or "")
    number_match = NUMBER_PATTERN.search(text)
    number = number_match.group(0) if number_match else None
    rest = _STRIP.sub("", NUMBER_PATTERN.sub("", text))
    return SURVEY_ANSWERS.get(rest) or SURVEY_WORDS.get(rest), number


def handle_inbound(services, sms: InboundSms, *, now: datetime) -> SmsAnswer:
    """Decide what an incoming SMS is and act on it (see the module's rule).

    Raises:
        InvalidInput: the sender's number is malformed, or the text is too long.
    """
    phone = normalise_phone(sms.phone)
    content = sms.body.strip() or (PICTURE_ONLY if sms.media else "")
    record = IntakeRecord(channel=Channel.SMS, content=content, received_at=now, external_id=sms.message_sid,
                          contact_phone=phone, attachments=sms.media, payload=sms.payload)
    earlier = _earlier_delivery(services, sms.message_sid)
    if earlier is not None:
        return earlier
    if not content:
        keep_message(services, record, phone, now, outcome=Outcome.UNMATCHED)
        return SmsAnswer(EMPTY_SMS, Outcome.UNMATCHED)
    satisfaction, number = parse_answer(content)
    if satisfaction is not None:
        survey = _open_survey(services, phone, number, now)
        if survey is not None:
            return _answer_survey(services, record, survey, satisfaction, now)
    recent = _recent_survey(services, phone, now)
    if recent is not None:
        return _note_on(services, record, recent, now)
    if satisfaction is not None:
        keep_message(services, record, phone, now, outcome=Outcome.UNMATCHED)
        return SmsAnswer(NOTHING_TO_RATE, Outcome.UNMATCHED)
    result = receive(services, record, now=now)
    settings = services.settings
    text = acknowledgement(settings.city_name, result.ticket.number, settings.public_url,
                           result.repeat_of.number if result.repeat_of else None)
    return SmsAnswer(text, Outcome.REPEAT if result.repeat_of else Outcome.TICKET, result.ticket.number)


def _answer_survey(services, record: IntakeRecord, survey: SmsSurvey, satisfaction: Satisfaction,
                   now: datetime) -> SmsAnswer:
    message, new = keep_message(services, record, record.contact_phone, now,
                                outcome=Outcome.SURVEY_ANSWER, ticket_id=survey.ticket_id)
    number = _number(services, survey.ticket_id)
    if not new:
        return SmsAnswer(survey_thanks(satisfaction, number), Outcome.SURVEY_ANSWER, number)
    actor = Actor.system(SURVEY_ACTOR)
    label = SATISFACTION_LABELS[satisfaction]
    try:
        record_callback(services.ledger, survey.ticket_id, actor=actor, now=now, satisfaction=satisfaction,
                        resolved=satisfaction is not Satisfaction.UNSATISFIED, method="sms",
                        note=f"市民短信评价：{label}（回复“{record.content.strip()[:20]}”）")
        if satisfaction is not Satisfaction.UNSATISFIED:
            close_ticket(services.ledger, survey.ticket_id, actor=actor, now=now, note=f"短信评议{label}，办结")
    except LedgerError as exc:  # someone called the citizen back in the meantime: keep the word anyway
        add_note(services.ledger, survey.ticket_id, actor=actor, now=now,
                 note=f"市民短信评价：{label}（未更改回访结果：{exc.message}）", sms=True)
    with services.db.transaction() as session:
        row = session.get(SmsSurvey, survey.id)
        row.answer, row.answered_at = satisfaction.value, now
    return SmsAnswer(survey_thanks(satisfaction, number), Outcome.SURVEY_ANSWER, number)


def _note_on(services, record: IntakeRecord, survey: SmsSurvey, now: datetime) -> SmsAnswer:
    message, new = keep_message(services, record, record.contact_phone, now, outcome=Outcome.NOTE,
                                ticket_id=survey.ticket_id)
    if new:
        add_note(services.ledger, survey.ticket_id, actor=Actor.system(SURVEY_ACTOR), now=now,
                 note=f"市民短信：{record.content.strip()}", sms=True, message_sid=record.external_id)
    number = _number(services, survey.ticket_id)
    return SmsAnswer(note_received(number), Outcome.NOTE, number)


def _earlier_delivery(services, message_sid: str) -> SmsAnswer | None:
    # Most messages are new: a plain read tells, and only a re-delivery takes the row's lock to count itself.
    with services.db.lookups() as session:
        if session.scalar(select(IntakeMessage.id).where(
                IntakeMessage.channel == Channel.SMS, IntakeMessage.external_id == message_sid)) is None:
            return None
    with services.db.transaction() as session:
        message = session.scalar(select(IntakeMessage).where(
            IntakeMessage.channel == Channel.SMS, IntakeMessage.external_id == message_sid).with_for_update())
        if message is None or message.ticket_id is None and message.outcome != Outcome.UNMATCHED:
            return None  # new, or an earlier delivery stopped before its ticket: carry on
        message.deliveries += 1
        ticket = session.get(Ticket, message.ticket_id) if message.ticket_id else None
        repeat = session.get(Ticket, message.repeat_of_id) if message.repeat_of_id else None
    return earlier_answer(services.settings, Outcome(message.outcome), ticket.number if ticket else None,
                          repeat.number if repeat else None, message.payload.get("Body", ""))


def earlier_answer(settings, outcome: Outcome, number: str | None, repeat_of: str | None, body: str) -> SmsAnswer:
    """What a re-delivered SMS is answered: what its first delivery was, from what was kept of it."""
    if outcome in (Outcome.TICKET, Outcome.REPEAT, Outcome.RECEIVED) and number is not None:
        text = acknowledgement(settings.city_name, number, settings.public_url, repeat_of)
    elif outcome is Outcome.SURVEY_ANSWER and number is not None:
        text = f"已收到您对工单{number}的评价，感谢您的支持。"
    elif number is not None:
        text = note_received(number)
    else:
        text = NOTHING_TO_RATE if body.strip() else EMPTY_SMS
    return SmsAnswer(text, outcome, number)


def _open_survey(services, phone: str, number: str | None, now: datetime) -> SmsSurvey | None:
    """The newest unanswered survey to this phone whose ticket still waits for its callback."""
    with services.db.lookups() as session:
        query = (select(SmsSurvey).join(Ticket, Ticket.id == SmsSurvey.ticket_id)
                 .where(SmsSurvey.phone == phone, SmsSurvey.answered_at.is_(None),
                        SmsSurvey.sent_at >= now - SURVEY_ANSWER_WINDOW, Ticket.status == Status.REPLIED))
        if number:
            query = query.where(Ticket.number == number)
        return session.scalar(query.order_by(SmsSurvey.sent_at.desc(), SmsSurvey.id.desc()).limit(1))


def _recent_survey(services, phone: str, now: datetime) -> SmsSurvey | None:
    with services.db.lookups() as session:
        return session.scalar(select(SmsSurvey).where(
            SmsSurvey.phone == phone, SmsSurvey.sent_at >= now - CONVERSATION_WINDOW)
            .order_by(SmsSurvey.sent_at.desc(), SmsSurvey.id.desc()).limit(1))


def _number(services, ticket_id: int) -> str:
    with services.db.lookups() as session:
        return session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))


