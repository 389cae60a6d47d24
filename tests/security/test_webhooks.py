"""Webhooks an attacker can reach from the internet: forged ones are refused, replayed ones change nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channels.models import IntakeMessage
from config.settings import Settings
from tests.intake.conftest import PUBLIC_URL, TWILIO_TOKEN, sign
from tracking.models import Ticket, TicketEvent

HOOKS = ["/hooks/twilio/sms", "/hooks/twilio/sms/status", "/hooks/twilio/voice", "/hooks/twilio/voice/agent",
         "/hooks/twilio/voice/connected", "/hooks/twilio/voice/queue-result", "/hooks/twilio/voice/recorded",
         "/hooks/twilio/voice/recording", "/hooks/twilio/voice/status", "/hooks/twilio/voice/wait"]
SMS = {"MessageSid": "SM" + "f" * 32, "AccountSid": "AC" + "0" * 32, "From": "+8613912345678",
       "To": "+8612345", "Body": "幸福路路灯不亮", "NumMedia": "0"}
NUMBER = re.compile(r"\d{8}-\d{6}")


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"), redis_url="",
                             secret_key="test-secret-" + "x" * 32, public_url=PUBLIC_URL,
                             twilio_auth_token=TWILIO_TOKEN)


def _counts(services) -> tuple[int, int, int]:
    with services.db.reading() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Ticket, IntakeMessage, TicketEvent))


def test_every_hook_route_is_listed_here(client):
    posted = {r.resource.canonical for r in client.app.router.routes()
              if r.method == "POST" and r.resource.canonical.startswith("/hooks/")}
    assert posted == set(HOOKS)


@pytest.mark.parametrize("path", HOOKS)
async def test_forged_webhooks_are_refused_and_store_nothing(client, services, path):
    form = {**SMS, "CallSid": "CA" + "1" * 32, "CallStatus": "ringing", "Caller": "+8613912345678"}
    cases = [{}, {"X-Twilio-Signature": "bm90LWEtc2lnbmF0dXJl"}, sign(path, form, token="guessed-token"),
             sign("/hooks/twilio/other", form)]  # a real signature for another URL
    for headers in cases:
        response = await client.post(path, data=form, headers=headers)
        assert response.status == 403, (path, headers)
    tampered = sign(path, form)
    assert (await client.post(path, data={**form, "Body": "改过的内容"}, headers=tampered)).status == 403
    assert _counts(services) == (0, 0, 0)


async def test_replayed_sms_gives_the_same_ticket_and_nothing_new(client, services):
    headers = sign("/hooks/twilio/sms", SMS)
    first = await client.post("/hooks/twilio/sms", data=SMS, headers=headers)
    number = NUMBER.search(await first.text()).group(0)
    after_first = _counts(services)
    for _ in range(3):
        replay = await client.post("/hooks/twilio/sms", data=SMS, headers=headers)
        assert replay.status == 200 and NUMBER.search(await replay.text()).group(0) == number
    assert _counts(services) == after_first
    with services.db.reading() as session:
        assert session.scalar(select(IntakeMessage.deliveries)) == 4


async def test_replayed_delivery_report_changes_nothing_twice(client, services):
    from channels.models import SmsMessage, SmsStatus

    first = await client.post("/hooks/twilio/sms", data=SMS, headers=sign("/hooks/twilio/sms", SMS))
    assert first.status == 200
    with services.db.transaction() as session:
        ticket_id = session.scalar(select(Ticket.id))
        session.add(SmsMessage(ticket_id=ticket_id, to="13912345678", body="回执", purpose="ack", provider="twilio",
                               provider_id="SM" + "9" * 32, status=SmsStatus.SENT, attempt=1,
                               created_at=services.clock()))
    report = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    headers = sign("/hooks/twilio/sms/status", report)
    for _ in range(3):
        assert (await client.post("/hooks/twilio/sms/status", data=report, headers=headers)).status == 204
    with services.db.reading() as session:
        notes = session.scalars(select(TicketEvent.note).where(TicketEvent.action == "add_note")).all()
    assert len([n for n in notes if "未送达" in n]) == 1


async def test_open311_refuses_posts_without_a_key(client, services):
    form = {"service_code": "x", "description": "路灯不亮", "lat": "30.1", "long": "120.1"}
    for headers in ({}, {"Authorization": "Bearer hk_forged"}):
        response = await client.post("/open311/v2/requests.json", data=form, headers=headers)
        assert response.status in (400, 403)
    assert _counts(services) == (0, 0, 0)
