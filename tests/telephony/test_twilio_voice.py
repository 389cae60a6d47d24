"""Twilio Voice webhooks with signed requests: greeting and queue in working hours, voicemail
after hours turned into a ticket, agents taking calls with a screen pop, and the call rows."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from hotline.auth import create_api_key
from hotline.jobs import Job
from hotline.web.app import create_app
from telephony.models import Call
from tests.telephony.conftest import open_stream
from tracking.accounts import User
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

TOKEN = "twilio-test-token"
PUBLIC = "https://hotline.example.cn"
CALL = "CA" + "1" * 32
CALLER = "+8613912345678"


@pytest.fixture
async def twilio(aiohttp_client, settings, services):
    app = create_app(dataclasses.replace(settings, twilio_auth_token=TOKEN, public_url=PUBLIC), services,
                     start_background=False)
    web_client = await aiohttp_client(app)

    async def post(path: str, params: dict, *, signature: str | None = None, signed_url: str | None = None):
        url = signed_url or PUBLIC + path
        signature = signature if signature is not None else RequestValidator(TOKEN).compute_signature(url, params)
        return await web_client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    web_client.signed_post = post
    return web_client


def call_row(services, sid: str = CALL) -> Call:
    with services.db.reading() as session:
        return session.scalar(select(Call).where(Call.linkedid == sid))


async def test_signature_is_checked_against_the_public_url(twilio):
    incoming = {"CallSid": CALL, "From": CALLER, "To": "+862512345", "CallStatus": "ringing"}

    forged = await twilio.signed_post("/hooks/twilio/voice", incoming, signature="AAAA")
    missing = await twilio.post("/hooks/twilio/voice", data=incoming)
    as_seen_by_the_app = await twilio.signed_post(
        "/hooks/twilio/voice", incoming, signed_url=str(twilio.make_url("/hooks/twilio/voice")))
    good = await twilio.signed_post("/hooks/twilio/voice", incoming)

    assert (forged.status, missing.status, as_seen_by_the_app.status, good.status) == (403, 403, 403, 200)
    assert good.headers["Content-Type"].startswith("text/xml")


async def test_without_an_auth_token_nothing_is_accepted(client):
    response = await client.post("/hooks/twilio/voice", data={"CallSid": CALL},
                                 headers={"X-Twilio-Signature": "x"})
    assert response.status == 503


async def test_working_hours_greet_in_chinese_and_queue(twilio, services):
    response = await twilio.signed_post("/hooks/twilio/voice", {"CallSid": CALL, "From": CALLER})

    xml = await response.text()
    assert '<Say language="zh-CN"' in xml and "12345政务服务便民热线" in xml
    assert f'<Enqueue action="{PUBLIC}/hooks/twilio/voice/queue-result"' in xml and ">hotline</Enqueue>" in xml
    row = call_row(services)
    assert (row.source, row.caller_number, row.queue, row.queued_at) == (
        "twilio", "13912345678", "hotline", services.clock())


async def test_after_hours_records_a_voicemail_that_becomes_a_ticket(twilio, services, clock):
    clock.set(datetime(2026, 11, 23, 12, 30, tzinfo=timezone.utc))  # 20:30 in the city
    answer = await (await twilio.signed_post("/hooks/twilio/voice", {"CallSid": CALL, "From": CALLER})).text()
    recorded = await twilio.signed_post("/hooks/twilio/voice/recorded", {"CallSid": CALL, "RecordingDuration": "21"})
    callback = {"CallSid": CALL, "RecordingSid": "RE" + "2" * 32, "RecordingStatus": "completed",
                "RecordingDuration": "21", "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE2"}

    first = await twilio.signed_post("/hooks/twilio/voice/recording", callback)
    again = await twilio.signed_post("/hooks/twilio/voice/recording", callback)  # Twilio retried

    assert "非工作时间" in answer and f'recordingStatusCallback="{PUBLIC}/hooks/twilio/voice/recording"' in answer
    assert "<Enqueue" not in answer and "留言已收到" in await recorded.text()
    assert (first.status, again.status) == (204, 204)
    with services.db.reading() as session:
        [ticket] = session.scalars(select(Ticket)).all()
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        [sms] = session.scalars(select(Job).where(Job.name == "sms.send")).all()
    assert (ticket.channel, ticket.contact_phone, ticket.status) == ("voicemail", "13912345678", "registered")
    assert callback["RecordingUrl"] + ".mp3" in ticket.content
    assert events[-1].data["recording_url"] == callback["RecordingUrl"] + ".mp3"
    assert (sms.args["to"], sms.args["purpose"]) == ("13912345678", "ack") and ticket.number in sms.args["body"]
    row = call_row(services)
    assert (row.queue, row.ticket_id, row.recording_url) == (None, ticket.id, callback["RecordingUrl"] + ".mp3")


async def test_agent_takes_the_caller_and_sees_the_pop(twilio, services, clock):
    key = create_api_key(services.db, name="agent-phone", role=Role.AGENT, now=services.clock())
    with services.db.transaction() as session:  # the https public URL makes session cookies secure: use a key
        agent = session.scalar(select(User).where(User.username == "api:agent-phone"))
        agent.phone, agent_id = "13300000001", agent.id
    stream = await open_stream(twilio, headers={"Authorization": f"Bearer {key}"})
    await twilio.signed_post("/hooks/twilio/voice", {"CallSid": CALL, "From": CALLER})
    clock.advance(seconds=12)

    waiting = await (await twilio.signed_post("/hooks/twilio/voice/wait",
                                              {"CallSid": CALL, "QueuePosition": "2", "QueueTime": "12"})).text()
    stranger = await (await twilio.signed_post("/hooks/twilio/voice/agent",
                                               {"CallSid": "CA" + "9" * 32, "From": "+8613300000009"})).text()
    dial = await (await twilio.signed_post("/hooks/twilio/voice/agent",
                                           {"CallSid": "CA" + "3" * 32, "From": "+8613300000001"})).text()
    connected_path = f"/hooks/twilio/voice/connected?agent={agent_id}"
    await twilio.signed_post(connected_path, {"CallSid": CALL, "QueueTime": "12", "From": CALLER})
    kind, _, pop = await stream.next()
    clock.advance(seconds=40)
    await twilio.signed_post("/hooks/twilio/voice/status", {"CallSid": CALL, "CallStatus": "completed"})
    ended = await stream.next()

    assert ended == ("call_ended", CALL, {"linkedid": CALL, "outcome": "answered"})
    assert "您前面还有1位市民在等候" in waiting and "<Hangup" in stranger
    assert f'<Queue method="POST" url="{PUBLIC}{connected_path}">hotline</Queue>' in dial
    assert f'<Redirect method="POST">{PUBLIC}/hooks/twilio/voice/agent</Redirect>' in dial  # then the next caller
    assert (kind, pop["linkedid"], pop["caller"]) == ("call", CALL, "13912345678")
    row = call_row(services)
    assert (row.outcome, row.agent_user_id, row.wait_seconds, row.talk_seconds) == ("answered", agent_id, 12.0, 40.0)


async def test_caller_hanging_up_in_the_queue_is_abandoned_and_missed(twilio, services, clock, keys):
    await twilio.signed_post("/hooks/twilio/voice", {"CallSid": CALL, "From": CALLER})
    clock.advance(seconds=30)
    left = await twilio.signed_post("/hooks/twilio/voice/queue-result",
                                    {"CallSid": CALL, "QueueResult": "hangup", "QueueTime": "30"})
    await twilio.signed_post("/hooks/twilio/voice/status", {"CallSid": CALL, "CallStatus": "completed"})

    assert "<Record" not in await left.text()
    row = call_row(services)
    assert (row.outcome, row.wait_seconds, row.abandoned_in_queue) == ("abandoned", 30.0, True)
    figures = await (await twilio.get("/api/v1/telephony/figures", headers=keys["supervisor"])).json()
    assert [m["number"] for m in figures["missed"]] == ["13912345678"]


async def test_nobody_answering_in_time_offers_a_voicemail(twilio, services, clock):
    await twilio.signed_post("/hooks/twilio/voice", {"CallSid": CALL, "From": CALLER})
    clock.advance(seconds=181)

    leave = await (await twilio.signed_post("/hooks/twilio/voice/wait",
                                            {"CallSid": CALL, "QueuePosition": "1", "QueueTime": "181"})).text()
    offered = await (await twilio.signed_post("/hooks/twilio/voice/queue-result",
                                              {"CallSid": CALL, "QueueResult": "leave", "QueueTime": "181"})).text()

    assert "<Leave" in leave and "坐席繁忙" in offered and "<Record" in offered
    assert call_row(services).left_queue_at == services.clock()
