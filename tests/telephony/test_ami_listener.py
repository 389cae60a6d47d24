"""The real panoramisk client against the fake AMI server over TCP on 127.0.0.1."""
import asyncio
import logging

import pytest

from telephony.ami_client import AmiListener
from telephony.calls import CallEnded, CallOutcome
from telephony.control import (
    CallbackDialplan, CallControlError, CallControlUnavailable, ConsoleCallControl,
)
from telephony.tracker import CallTracker
from tests.fakes.ami_recordings import read_fixture

AFTER_LOGIN = ("CoreShowChannels", "QueueStatus")  # what the listener sends to resync


async def eventually(predicate, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


class Recorder:
    """A tracker subscriber plus the listener's status changes and back-off sleeps."""

    def __init__(self):
        self.notes, self.statuses, self.delays = [], [], []

    def ended(self) -> list:
        return [n.record for n in self.notes if isinstance(n, CallEnded)]

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(delay)


@pytest.fixture
async def connect(ami_server):
    """Build, start and finally stop listeners against the fake server."""
    listeners = []

    async def start(tracker=None, recorder=None, *, wait=True, **options):
        recorder = recorder or Recorder()
        tracker = tracker or CallTracker(recorder.notes.append)
        settings = dict(ping_interval=0.2, ping_timeout=0.2, backoff_initial=0.01, backoff_max=0.04,
                        action_timeout=1.0, on_status=recorder.statuses.append, sleep=recorder.sleep)
        settings.update(options)
        listener = AmiListener("127.0.0.1", ami_server.port, "hotline", settings.pop("secret", "secret"),
                               tracker, **settings)
        listeners.append(listener)
        await listener.start()
        if wait:
            await listener.wait_connected(2.0)
        return listener, recorder

    yield start
    for listener in listeners:
        await listener.stop()


async def test_login_then_resync_then_events_reach_the_tracker(ami_server, connect, ami_recordings):
    ami_server.replay(read_fixture(ami_recordings / "queue-answered.ami"), expect_after_boot=AFTER_LOGIN)
    listener, recorder = await connect()

    await eventually(lambda: recorder.ended())

    login = ami_server.actions[0]
    assert (login["Action"], login["Username"], login["Secret"]) == ("Login", "hotline", "secret")
    assert [a["Action"] for a in ami_server.actions[1:3]] == ["CoreShowChannels", "QueueStatus"]
    [record] = recorder.ended()
    assert (record.caller_number, record.agent_interface, record.outcome) == (
        "13800138000", "PJSIP/1001", CallOutcome.ANSWERED)
    assert recorder.statuses[:2] == ["connecting", "connected"]


async def test_wrong_secret_is_refused_and_retried(ami_server, connect):
    listener, recorder = await connect(secret="wrong", wait=False)

    await eventually(lambda: len(recorder.delays) >= 2)

    assert listener.status != "connected" and "connected" not in recorder.statuses
    assert ami_server.actions[0]["Secret"] == "wrong"
    with pytest.raises(CallControlUnavailable):
        await listener.pause("PJSIP/1001", "hotline", "lunch")


async def test_a_callback_that_raises_does_not_drop_the_connection(ami_server, connect, ami_recordings, caplog):
    class BrokenTracker(CallTracker):
        def consume(self, event):
            if event.get("Event") == "Newstate":
                raise RuntimeError("bug in a subscriber")
            super().consume(event)

    recorder = Recorder()
    ami_server.replay(read_fixture(ami_recordings / "queue-answered.ami"), expect_after_boot=AFTER_LOGIN)
    await connect(BrokenTracker(recorder.notes.append), recorder)

    await eventually(lambda: recorder.ended())

    assert ami_server.connections == 1
    assert "Newstate not handled; connection kept" in caplog.text


async def test_cut_mid_call_reconnects_and_resync_closes_and_creates(ami_server, connect, ami_recordings):
    recorded = read_fixture(ami_recordings / "core-show-channels.ami")
    other_call = [{k: v for k, v in m.items() if k not in ("Event", "ActionID", "ChanVariable")}
                  for m in _messages(recorded) if m.get("Event") == "CoreShowChannel"]
    ami_server.replay(read_fixture(ami_recordings / "queue-answered.ami"),
                      expect_after_boot=AFTER_LOGIN, cut_after="AgentConnect")
    tracker = CallTracker()
    recorder = Recorder()
    tracker.subscribe(recorder.notes.append)
    listener, _ = await connect(tracker, recorder)
    await eventually(lambda: tracker.get("1795309969.3") and tracker.get("1795309969.3").answered_at)
    ami_server.channels = other_call  # after the cut Asterisk reports only another call

    await eventually(lambda: ami_server.connections == 2 and listener.status == "connected")

    [closed] = recorder.ended()
    assert (closed.linkedid, closed.end_reason, closed.outcome) == ("1795309969.3", "resync", CallOutcome.ANSWERED)
    [created] = tracker.open_calls
    assert (created.linkedid, created.caller_number, created.partial) == ("1795310039.20", "13500135000", True)
    assert recorder.delays == [0.01]
    assert recorder.statuses == ["connecting", "connected", "disconnected", "connecting", "connected"]


async def test_backoff_doubles_while_asterisk_is_down(ami_server, connect):
    listener, recorder = await connect()

    await ami_server.stop()
    await eventually(lambda: len(recorder.delays) >= 5)
    await ami_server.start()
    await eventually(lambda: listener.status == "connected")

    assert recorder.delays[:5] == [0.01, 0.02, 0.04, 0.04, 0.04]


async def test_asterisk_restart_recording(ami_server, connect, ami_recordings, caplog):
    caplog.set_level(logging.WARNING)
    ami_server.replay(read_fixture(ami_recordings / "asterisk-restart.ami"), expect_after_boot=AFTER_LOGIN)
    listener, recorder = await connect(ping_interval=0.05)

    await eventually(lambda: ami_server.connections == 2 and ami_server.next_expected == "Logoff")

    assert "Asterisk shut down (restart: True)" in caplog.text
    assert [a["Action"] for a in ami_server.actions][:4] == ["Login", "CoreShowChannels", "QueueStatus", "Ping"]


async def test_watchdog_detects_a_silent_dead_link(ami_server, connect, caplog):
    listener, recorder = await connect(ping_interval=0.05, ping_timeout=0.1)

    ami_server.silent = True
    await eventually(lambda: "disconnected" in recorder.statuses)
    ami_server.silent = False
    await eventually(lambda: ami_server.connections == 2 and listener.status == "connected")

    assert "no answer to Ping within 0.1s" in caplog.text


async def test_agent_actions_send_the_right_fields(ami_server, connect):
    listener, _ = await connect(dialplan=CallbackDialplan(channel_template="PJSIP/{phone}@trunk2"))

    await listener.pause("PJSIP/1001", "hotline", "lunch")
    await listener.unpause("PJSIP/1001", "hotline")
    action_id = await listener.originate_callback("13800138000", "20261122-000001")
    await listener.redirect("PJSIP/carrier-00000009", "departments", "8001")
    await listener.atxfer("PJSIP/1001-0000000a", "departments", "8001")  # "successfully queued"

    sent = {a["Action"]: a for a in ami_server.actions}
    pause, unpause = [a for a in ami_server.actions if a["Action"] == "QueuePause"]
    assert {k: pause[k] for k in ("Interface", "Queue", "Paused", "Reason")} == {
        "Interface": "PJSIP/1001", "Queue": "hotline", "Paused": "true", "Reason": "lunch"}
    assert (unpause["Paused"], "Reason" in unpause) == ("false", False)
    originate = sent["Originate"]
    assert action_id == originate["ActionID"] == "callback-20261122-000001"
    assert {k: originate[k] for k in ("Channel", "Context", "Exten", "Variable", "Async")} == {
        "Channel": "PJSIP/13800138000@trunk2", "Context": "callback", "Exten": "satisfaction",
        "Variable": "TICKET_NUMBER=20261122-000001", "Async": "true"}
    assert {k: sent["Redirect"][k] for k in ("Channel", "Context", "Exten", "Priority")} == {
        "Channel": "PJSIP/carrier-00000009", "Context": "departments", "Exten": "8001", "Priority": "1"}
    assert sent["Atxfer"]["Channel"] == "PJSIP/1001-0000000a"
    assert ami_server.connections == 1


async def test_originate_response_reaches_the_tracker(ami_server, connect, ami_recordings):
    ami_server.replay(read_fixture(ami_recordings / "callback-originate.ami"), expect_after_boot=AFTER_LOGIN)
    listener, recorder = await connect()
    await ami_server.wait_replayed()

    await listener.originate_callback("13800138000", "20261122-000001")
    await eventually(lambda: recorder.ended())

    [record] = recorder.ended()
    assert (record.ticket_number, record.callback_action_id) == ("20261122-000001", "callback-20261122-000001")
    assert record.outcome is CallOutcome.ANSWERED


async def test_redirect_during_a_recorded_call_is_a_transfer(ami_server, connect, ami_recordings):
    ami_server.replay(read_fixture(ami_recordings / "transfer-redirect.ami"), expect_after_boot=AFTER_LOGIN)
    listener, recorder = await connect()
    await ami_server.wait_replayed()

    await listener.redirect("PJSIP/carrier-00000009", "departments", "8001")
    await eventually(lambda: recorder.ended())

    [record] = recorder.ended()
    assert (record.outcome, record.transfer_target) == (CallOutcome.TRANSFERRED, "8001@departments")


async def test_refused_action_raises(ami_server, connect):
    ami_server.handlers["Redirect"] = lambda action: [
        {"Response": "Error", "ActionID": action["ActionID"], "Message": "Channel does not exist"}]
    listener, _ = await connect()

    with pytest.raises(CallControlError, match="Channel does not exist"):
        await listener.redirect("PJSIP/carrier-0000ffff", "departments", "8001")
    assert listener.status == "connected"


async def test_actions_fail_fast_when_the_link_is_dead_or_drops(ami_server, connect):
    listener, _ = await connect(action_timeout=0.2, ping_interval=5.0)

    ami_server.silent = True
    with pytest.raises(CallControlUnavailable, match="no answer to QueuePause"):
        await listener.pause("PJSIP/1001", "hotline", "lunch")
    ami_server.silent = False
    ami_server.handlers["Redirect"] = lambda action: (ami_server.cut(), [])[1]
    with pytest.raises(CallControlUnavailable, match="connection lost before Redirect"):
        await listener.redirect("PJSIP/carrier-00000009", "departments", "8001")
    await eventually(lambda: ami_server.connections == 2 and listener.status == "connected")


@pytest.fixture(params=["console", "ami"])
async def call_control(request, connect):
    if request.param == "console":
        return ConsoleCallControl()
    listener, _ = await connect()
    return listener


async def test_call_control_contract(call_control):
    assert await call_control.originate_callback("13800138000", "20261122-000009") == "callback-20261122-000009"
    with pytest.raises(ValueError):
        await call_control.originate_callback("1380&PJSIP/evil", "20261122-000009")
    await call_control.pause("PJSIP/1001", None, "meeting")
    await call_control.unpause("PJSIP/1001", None)
    await call_control.redirect("PJSIP/carrier-00000009", "departments", "8001")


def _messages(chunks) -> list[dict]:
    from telephony.ami_protocol import split_messages
    return [m for kind, data in chunks if kind == "recv" for m in split_messages(data)]
