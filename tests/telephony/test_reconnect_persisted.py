"""The AMI link cut in the middle of a call, with the app storing calls and popping them:
reconnection, resynchronisation from Asterisk's channel list, and no event applied twice."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from telephony import runtime
from telephony.ami_protocol import split_messages
from telephony.models import Call
from telephony.runtime import TELEPHONY
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.telephony.conftest import eventually, login_agent, open_stream

LINKEDID = "1795309969.3"
# queue-answered's call, as core-show-channels.ami lists its own call (same shape, other ids)
SAME_CALL = {"1795310039.20": LINKEDID, "1795310040.21": "1795309970.4", "carrier-0000000c": "carrier-00000002",
             "1001-0000000d": "1001-00000003", "13500135000": "13800138000"}


@pytest.fixture(autouse=True)
def quick_reconnect(monkeypatch):
    monkeypatch.setattr(runtime, "RECONNECT_INITIAL", 0.01)


def listing_of_the_answered_call(ami_recordings) -> list[dict]:
    raw = b"".join(data for kind, data in read_fixture(ami_recordings / "core-show-channels.ami") if kind == "recv")
    for old, new in SAME_CALL.items():
        raw = raw.replace(old.encode(), new.encode())
    return [{k: v for k, v in m.items() if k not in ("Event", "ActionID", "ChanVariable")}
            for m in split_messages(raw) if m.get("Event") == "CoreShowChannel"]


def row(services) -> Call:
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Call.id))) == 1
        return session.scalar(select(Call))


async def test_call_ended_while_disconnected_is_closed_at_resync(ami_client, ami_server, ami_recordings, services):
    telephony = ami_client.app[TELEPHONY]
    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami"), until="AgentConnect"))
    await telephony.follower.settle()
    assert row(services).ended_at is None

    ami_server.cut()  # and the call ends while we are away: Asterisk lists no channel
    await eventually(lambda: ami_server.connections == 2 and telephony.listener.status == "connected")
    await telephony.follower.settle()

    stored = row(services)
    assert (stored.end_reason, stored.outcome, stored.ended_at) == ("resync", "answered", services.clock())


async def test_call_still_up_after_reconnect_is_finished_once(ami_client, ami_server, ami_recordings, services):
    telephony = ami_client.app[TELEPHONY]
    await login_agent(ami_client, services, "PJSIP/1001")
    stream = await open_stream(ami_client)
    recording = read_fixture(ami_recordings / "queue-answered.ami")
    await ami_server.play(call_events(recording, until="AgentConnect"))
    assert (await stream.next())[0] == "call"

    ami_server.channels = listing_of_the_answered_call(ami_recordings)
    ami_server.cut()
    await eventually(lambda: ami_server.connections == 2 and telephony.listener.status == "connected")
    await ami_server.play(call_events(recording))  # Asterisk's buffer sends everything again, then the rest
    await telephony.follower.settle()

    kind, _, ended = await stream.next()
    assert (kind, ended["outcome"]) == ("call_ended", "answered")  # no second pop for the same call
    stored = row(services)
    assert (stored.end_reason, stored.partial, round(stored.wait_seconds), round(stored.talk_seconds)) == (
        "hangup", False, 3, 5)
    assert [a["Action"] for a in ami_server.actions].count("CoreShowChannels") == 2
