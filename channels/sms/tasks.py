"""Background SMS work: ``sms.send`` for every area, and the sweep that sends 短信评议 surveys.

Every SMS the hotline sends goes through ``sms.send`` (other areas enqueue it by
name). Each attempt is recorded in ``sms_messages``; a sent message and a
final failure are recorded on the ticket's timeline; a transient failure is
raised so the job machinery retries it with back-off.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from channels.models import SmsMessage, SmsStatus, SmsSurvey
from channels.notices import reply_notice, survey_request
from channels.sms.senders import SmsError
from hotline.jobs import MAX_ATTEMPTS, enqueue, task
from hotline.scheduler import every
from tracking.actions import Actor, InvalidInput, LedgerError, add_note
from tracking.actions.registration import normalise_phone
from tracking.models import Ticket
from tracking.presenters import mask_phone
from tracking.states import Status

log = logging.getLogger(__name__)

SMS_ACTOR = "短信平台"
SURVEY_SWEEP_EVERY = timedelta(minutes=1)
SURVEY_BATCH = 500
SURVEY_MAX_AGE = timedelta(days=3)  # a reply older than this (the system was down) is left to a phone callback
MAX_SMS_BODY = 1000  # about 15 concatenated segments; longer texts belong on the lookup page
PURPOSE_LABELS = {"ack": "受理回执", "reply": "答复告知", "survey": "满意度评议", "reminder": "催办提醒",
                  "notice": "通知"}
STATUS_CALLBACK_PATH = "/hooks/twilio/sms/status"

every(SURVEY_SWEEP_EVERY, "sms.survey_sweep")


@task("sms.send")
def send_sms(ctx, *, to: str, body: str, purpose: str = "notice", ticket_id: int | None = None) -> None:
    """Send one SMS through ``services.sms`` and record the attempt.

    Args:
        to: the phone number; normalised like the ledger's (``+86`` dropped).
        purpose: why (ack, reply, survey, reminder...), shown in the record and timeline.
        ticket_id: the ticket it is about, whose timeline records it.

    Raises:
        SmsError: a transient failure, so the job is tried again later.
    """
    services, now = ctx.services, ctx.now
    label = PURPOSE_LABELS.get(purpose, purpose)
    with services.db.transaction() as session:
        earlier = session.scalar(select(SmsMessage).where(
            SmsMessage.job_id == ctx.job_id, SmsMessage.status != SmsStatus.FAILED).with_for_update())
        if earlier is not None and earlier.status == SmsStatus.SENDING:
            # An earlier run died between handing the text to the provider and hearing back:
            # it may have gone out. A citizen must not get it twice, so a person checks instead.
            earlier.status, earlier.error = SmsStatus.UNKNOWN, "发送过程中处理进程中断，结果不明，未重发"
    if earlier is not None:
        if earlier.status == SmsStatus.UNKNOWN:
            _note(services, ticket_id, now, f"短信（{label}）发送结果不明（发送时处理进程中断），为免重复未再发送，"
                  "请核实后电话联系市民", purpose=purpose, failed=True)
        return  # an earlier run sent it (or may have) and died before the job was marked done
    try:
        phone = normalise_phone(to)
        if not phone or not (body or "").strip():
            raise InvalidInput("号码或内容为空")
        if len(body) > MAX_SMS_BODY:
            raise InvalidInput(f"短信内容超过{MAX_SMS_BODY}字")
    except InvalidInput as exc:
        _record(services, ctx, to or "", body or "", purpose, ticket_id, "-", None, SmsStatus.FAILED, exc.message)
        _note(services, ticket_id, now, f"短信（{label}）未发送：{exc.message}", purpose=purpose, failed=True)
        return
    sender = services.sms
    callback = services.settings.public_url.rstrip("/") + STATUS_CALLBACK_PATH
    row_id = _record(services, ctx, phone, body, purpose, ticket_id, sender.name, None, SmsStatus.SENDING, None)
    try:
        receipt = sender.send(phone, body, status_callback=callback)
    except SmsError as exc:
        _finish(services, row_id, sender.name, None, SmsStatus.FAILED, str(exc))
        if exc.permanent or ctx.attempt >= MAX_ATTEMPTS:
            _note(services, ticket_id, now, f"短信（{label}）发送失败，已尝试{ctx.attempt}次：{exc}",
                  purpose=purpose, failed=True)
        if exc.permanent:
            return
        raise
    _finish(services, row_id, receipt.provider, receipt.provider_id, SmsStatus.SENT, None)
    _note(services, ticket_id, now, f"已发送短信（{label}）至{mask_phone(phone)}：{body}", purpose=purpose,
          provider_id=receipt.provider_id)


@task("sms.survey_sweep")
def survey_sweep(ctx) -> None:
    send_surveys(ctx.services, ctx.now)


def send_surveys(services, now: datetime, limit: int = SURVEY_BATCH) -> int:
    """Send the reply and a 短信评议 survey for each ticket answered in the last ``SURVEY_MAX_AGE``.

    One survey per (ticket, reply), enforced by a unique key, so sweeps running
    at once in two processes, or twice, send each survey once.

    Returns:
        How many tickets were surveyed.
    """
    with services.db.reading() as session:
        tickets = list(session.scalars(
            select(Ticket).outerjoin(SmsSurvey, and_(SmsSurvey.ticket_id == Ticket.id,
                                                     SmsSurvey.replied_at == Ticket.replied_at))
            .where(Ticket.status == Status.REPLIED, Ticket.replied_at >= now - SURVEY_MAX_AGE, SmsSurvey.id.is_(None),
                   or_(and_(Ticket.contact_phone.like("1%"), func.length(Ticket.contact_phone) == 11),
                       Ticket.contact_phone.like("+%")))
            .options(selectinload(Ticket.department)).order_by(Ticket.replied_at).limit(limit)))
    settings, sent = services.settings, 0
    for ticket in tickets:
        department = ticket.department.name if ticket.department else None
        try:
            with services.db.transaction() as session:
                session.add(SmsSurvey(ticket_id=ticket.id, replied_at=ticket.replied_at,
                                      phone=ticket.contact_phone, sent_at=now))
                session.flush()
                enqueue(session, "sms.send", now=now, ticket_id=ticket.id, to=ticket.contact_phone, purpose="reply",
                        body=reply_notice(settings.city_name, ticket.number, department, ticket.reply_text or "",
                                          settings.public_url))
                enqueue(session, "sms.send", now=now, ticket_id=ticket.id, to=ticket.contact_phone,
                        purpose="survey", body=survey_request(settings.city_name, ticket.number))
        except IntegrityError:
            continue  # another sweep surveyed it a moment ago
        sent += 1
    return sent


def _record(services, ctx, to, body, purpose, ticket_id, provider, provider_id, status, error) -> int:
    with services.db.transaction() as session:
        row = SmsMessage(job_id=ctx.job_id, ticket_id=ticket_id, to=to[:32], body=body, purpose=purpose[:20],
                         provider=provider, provider_id=provider_id, status=status,
                         error=(error or None) and error[:2000], attempt=ctx.attempt, created_at=ctx.now)
        session.add(row)
        session.flush()
        return row.id


def _finish(services, row_id: int, provider, provider_id, status, error) -> None:
    """Record the provider's answer on the row written (as SENDING) before asking it."""
    with services.db.transaction() as session:
        row = session.get(SmsMessage, row_id)
        row.provider, row.provider_id, row.status = provider, provider_id, status
        row.error = (error or None) and error[:2000]


def _note(services, ticket_id: int | None, now: datetime, note: str, **data) -> None:
    """Put the SMS on the ticket's timeline; a missing ticket must not make us send again."""
    if ticket_id is None:
        return
    try:
        add_note(services.ledger, ticket_id, actor=Actor.system(SMS_ACTOR), now=now, note=note, sms=True, **data)
    except LedgerError as exc:
        log.warning("could not record SMS on ticket %s: %s", ticket_id, exc.message)
