"""Twilio's webhooks: inbound SMS (``/hooks/twilio/sms``) and delivery status callbacks.

Twilio signs each request: ``X-Twilio-Signature`` is an HMAC of the URL it
called plus the POSTed fields, keyed with the account's auth token. We check it
against ``HOTLINE_PUBLIC_URL`` + the path (what Twilio was configured to call,
whatever proxies sit in between) and refuse anything unsigned with 403 before
storing a byte. The answer to an inbound SMS is TwiML with the text to send back.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from aiohttp import web
from sqlalchemy import select

from channels.intake import IntakeFile
from channels.models import SmsMessage, SmsStatus
from channels.routing import routes
from channels.sms.replies import InboundSms
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES, SMS_INTAKE
from hotline.web.twilio_signature import signed_fields
from tracking.actions import Actor, LedgerError, add_note

MAX_MEDIA = 10  # Twilio sends at most 10 media items per message
DELIVERY_FAILED = {"failed", "undelivered"}


@routes.table.post("/hooks/twilio/sms")
async def inbound_sms(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    form = await signed_form(request)
    sid, phone = form.get("MessageSid") or form.get("SmsSid"), form.get("From")
    if not sid or not phone:
        return twiml("短信格式不完整，未能受理。", status=400)
    media = tuple(IntakeFile(filename=f"彩信图片{i + 1}", content_type=form.get(f"MediaContentType{i}", ""),
                             url=form[f"MediaUrl{i}"])
                  for i in range(min(_int(form.get("NumMedia")), MAX_MEDIA)) if form.get(f"MediaUrl{i}"))
    sms = InboundSms(message_sid=sid, phone=phone, body=form.get("Body", ""), to=form.get("To", ""),
                     payload=form, media=media)
    try:  # handled with the other SMS arriving meanwhile (channels.sms.grouped)
        answer = await request.app[SMS_INTAKE].submit((sms, services.clock()))
    except LedgerError as exc:  # a malformed number or an over-long text: tell the sender, store nothing
        return twiml(f"未能受理：{exc.message}")
    return twiml(answer.text)


@routes.table.post("/hooks/twilio/sms/status")
async def sms_status(request: web.Request) -> web.Response:
    """Twilio's status callback for a message we sent: delivered, or failed to reach the phone."""
    services = request.app[SERVICES]
    form = await signed_form(request)
    now = services.clock()
    await run_blocking(record_delivery, services, form.get("MessageSid", ""),
                       form.get("MessageStatus", ""), form.get("ErrorCode", ""), now)
    return web.Response(status=204)


def record_delivery(services, provider_id: str, status: str, error_code: str, now) -> None:
    """Mark a sent SMS delivered or failed; a failure is noted on its ticket so staff can phone instead."""
    if status != "delivered" and status not in DELIVERY_FAILED:
        return  # queued, sending, sent: nothing new for us
    with services.db.transaction() as session:
        message = session.scalar(select(SmsMessage).where(SmsMessage.provider_id == provider_id)
                                 .with_for_update())
        if message is None or message.status != SmsStatus.SENT:
            return
        message.status = SmsStatus.DELIVERED if status == "delivered" else SmsStatus.FAILED
        message.error = f"Twilio {status} {error_code}".strip() if status in DELIVERY_FAILED else None
        ticket_id = message.ticket_id
    if status in DELIVERY_FAILED and ticket_id is not None:
        try:
            add_note(services.ledger, ticket_id, actor=Actor.system("短信平台"), now=now, sms=True,
                     note=f"短信未送达市民手机（{' '.join(filter(None, [status, error_code]))}），请电话联系。")
        except LedgerError:
            pass


async def signed_form(request: web.Request) -> dict[str, str]:
    """The POSTed fields, if Twilio's signature on them is valid.

    Raises:
        HTTPForbidden: no auth token configured, or a missing or wrong signature.
    """
    settings = request.app[SERVICES].settings
    form = await signed_fields(request, settings.public_url, settings.twilio_auth_token)
    if form is None:
        raise web.HTTPForbidden(text='{"error": "Twilio签名校验失败"}', content_type="application/json")
    return form


def twiml(text: str, status: int = 200) -> web.Response:
    """TwiML that texts ``text`` back, character for character what twilio's ``MessagingResponse`` writes.

    Written as a string: the library's ElementTree took a twentieth of the
    webhook's CPU at intake's peak; tests/intake/test_sms_webhook.py compares the two.
    """
    message = f"<Message>{escape(text)}</Message>" if text else "<Message />"
    return web.Response(text=f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>', status=status,
                        content_type="application/xml")


def _int(value) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
