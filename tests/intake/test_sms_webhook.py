"""SMS in through Twilio's webhook: signed, registered once, answered with the ticket number in TwiML."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from channels.models import IntakeMessage
from tests.intake.conftest import post_sms, sign
from tracking.models import Ticket

NUMBER = re.compile(r"\d{8}-\d{6}")


def _count(services, model) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


async def test_signed_sms_creates_a_ticket_and_twiml_names_its_number(client, services):
    status, twiml = await post_sms(client, "幸福小区3栋从昨天起停水，至今未恢复", sid="SM" + "a" * 32)
    assert status == 200 and twiml.startswith("<?xml") and "<Response><Message>" in twiml
    number = NUMBER.search(twiml).group(0)
    with services.db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        message = session.scalar(select(IntakeMessage))
    assert ticket.channel == "sms" and ticket.contact_phone == "13912345678"
    assert ticket.content == "幸福小区3栋从昨天起停水，至今未恢复" and ticket.external_id == "SM" + "a" * 32
    assert message.ticket_id == ticket.id and message.payload["Body"] == ticket.content


async def test_the_same_message_sid_twice_gives_one_ticket(client, services):
    first = await post_sms(client, "路灯坏了一个星期", sid="SM" + "b" * 32)
    again = await post_sms(client, "路灯坏了一个星期", sid="SM" + "b" * 32)
    assert first == again and first[0] == 200
    assert _count(services, Ticket) == 1 and _count(services, IntakeMessage) == 1
    with services.db.reading() as session:
        assert session.scalar(select(IntakeMessage.deliveries)) == 2


async def test_bad_or_missing_signature_is_403_and_stores_nothing(client, services):
    form = {"MessageSid": "SM" + "c" * 32, "From": "+8613900000000", "Body": "你好"}
    forged = sign("/hooks/twilio/sms", form, token="not-the-token")
    assert (await client.post("/hooks/twilio/sms", data=form, headers=forged)).status == 403
    assert (await client.post("/hooks/twilio/sms", data=form)).status == 403
    tampered = sign("/hooks/twilio/sms", form)
    assert (await client.post("/hooks/twilio/sms", data={**form, "Body": "改过的"}, headers=tampered)).status == 403
    assert _count(services, Ticket) == 0 and _count(services, IntakeMessage) == 0


async def test_empty_and_malformed_messages_get_a_chinese_answer_not_an_error(client, services):
    status, twiml = await post_sms(client, "   ", sid="SM" + "d" * 32)
    assert status == 200 and "短信内容为空" in twiml
    status, twiml = await post_sms(client, "有事反映", sid="SM" + "e" * 32, phone="not-a-number")
    assert status == 200 and "电话号码格式不正确" in twiml
    assert _count(services, Ticket) == 0


def test_twiml_is_what_twilios_library_writes():
    from twilio.twiml.messaging_response import MessagingResponse

    from channels.sms.webhook import twiml

    for text in ["您的诉求已受理，工单号20261123-000001。", "<script>&\"'\n</script> 未能受理", ""]:
        library = MessagingResponse()
        library.message(text)
        response = twiml(text)
        assert response.text == str(library) and response.content_type == "application/xml"
