"""The AMI connection cut in the middle of a call: the call is popped once and stored once.

A call is answered; the link to Asterisk is cut while it is up (Asterisk still
lists it), the listener reconnects, resynchronises and Asterisk resends its
buffer, then the call ends. Sent: calls Asterisk reported; acknowledged: the
screen pops the agent got; stored: call rows, finished exactly once.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from telephony import runtime
from telephony.models import Call
from telephony.runtime import TELEPHONY
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.faults.conftest import FaultReport
from tests.telephony.conftest import ami_client, eventually, login_agent, open_stream  # noqa: F401
from tests.telephony.test_reconnect_persisted import LINKEDID, listing_of_the_answered_call
from tests.fakes.ami_server import ami_recordings, ami_server  # noqa: F401


@pytest.fixture(autouse=True)
def quick_reconnect(monkeypatch):
    monkeypatch.setattr(runtime, "RECONNECT_INITIAL", 0.01)


async def test_calls_survive_a_cut_link_once_each(ami_client, ami_server, ami_recordings, services):
    telephony = ami_client.app[TELEPHONY]
    await login_agent(ami_client, services, "PJSIP/1001")
    stream = await open_stream(ami_client)
    recording = read_fixture(ami_recordings / "queue-answered.ami")
    await ami_server.play(call_events(recording, until="AgentConnect"))
    pops = [(await stream.next())[0]]

    ami_server.channels = listing_of_the_answered_call(ami_recordings)
    ami_server.cut()
    await eventually(lambda: ami_server.connections == 2 and telephony.listener.status == "connected")
    await ami_server.play(call_events(recording))  # the whole call again, as Asterisk's buffer resends it
    await telephony.follower.settle()
    ended = await stream.next()
    with services.db.reading() as session:
        calls = session.scalars(select(Call)).all()
    FaultReport("AMI connection cut mid-call", sent=1, acknowledged=pops.count("call"), stored=len(calls),
                details={"linkedid": LINKEDID, "after_cut": ended[0], "end_reason": calls[0].end_reason,
                         "connections": ami_server.connections}).assert_agree()
    assert ended[0] == "call_ended" and calls[0].ended_at is not None and not calls[0].partial
