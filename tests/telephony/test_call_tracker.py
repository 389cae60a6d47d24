"""The call tracker, fed with each recorded scenario and checked field by field.

Expected values come from ``shared/data/ami/README.md`` and the Timestamps in
the recordings (e.g. wait = AgentConnect - QueueCallerJoin).
"""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from telephony.ami_protocol import message_kind, split_messages
from telephony.calls import (
    CallConnected, CallEnded, CallOutcome, CallQueued, CallTransferred, CallbackFailed, Direction,
)
from telephony.tracker import CallTracker
from tests.fakes.ami_recordings import read_fixture


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def messages(path: Path) -> list[dict]:
    return [m for kind, data in read_fixture(path) if kind == "recv" for m in split_messages(data)]


def events(path: Path) -> list[dict]:
    return [m for m in messages(path) if message_kind(m) == "event"]


def replay(path: Path, tracker: CallTracker | None = None) -> tuple[CallTracker, list]:
    notes: list = []
    tracker = tracker or CallTracker(notes.append)
    for event in events(path):
        tracker.consume(event)
    return tracker, notes


def ended(notes: list) -> list:
    return [n.record for n in notes if isinstance(n, CallEnded)]


def test_answered_call(ami_recordings):
    tracker, notes = replay(ami_recordings / "queue-answered.ami")

    [record] = ended(notes)
    assert tracker.open_calls == []
    assert record.linkedid == "1795309969.3"
    assert record.direction is Direction.INBOUND
    assert record.caller_number == "13800138000"
    assert record.channel == "PJSIP/carrier-00000002"
    assert record.queue == "hotline"
    assert record.agent_interface == "PJSIP/1001"
    assert record.agent_name == "Agent 1001"
    assert record.agent_channel == "PJSIP/1001-00000003"
    assert record.arrived_at == at(1795309969.990848)
    assert record.queued_at == at(1795309970.492410)
    assert record.answered_at == at(1795309973.499204)
    assert record.ended_at == at(1795309978.502730)
    assert record.wait_seconds == pytest.approx(3.0068, abs=1e-3)  # AgentConnect HoldTime: 3
    assert record.talk_seconds == pytest.approx(5.0035, abs=1e-3)  # AgentComplete TalkTime: 5
    assert record.outcome is CallOutcome.ANSWERED
    assert record.hangup_by == "agent"
    assert record.ring_no_answer == []
    assert record.transfer_target is None and record.end_reason == "hangup" and not record.partial
    assert [type(n) for n in notes] == [CallQueued, CallConnected, CallEnded]
    assert notes[1] == CallConnected("1795309969.3", "PJSIP/1001", "13800138000", "Agent 1001",
                                     "hotline", at(1795309973.499204))


def test_abandoned_call(ami_recordings):
    _, notes = replay(ami_recordings / "queue-abandoned.ami")

    [record] = ended(notes)
    assert record.caller_number == "13900139000"
    assert record.outcome is CallOutcome.ABANDONED
    assert record.answered_at is None and record.agent_interface is None
    assert record.wait_seconds == pytest.approx(5.5057, abs=1e-3)  # QueueCallerAbandon HoldTime: 5
    assert record.talk_seconds is None
    assert record.ended_at == at(1795309988.634534)  # the Cdr after the Hangup changes nothing


def test_ring_no_answer_then_second_agent(ami_recordings):
    _, notes = replay(ami_recordings / "agent-ring-no-answer.ami")

    [record] = ended(notes)  # two Cdrs, one Linkedid: one call
    assert record.caller_number == "13700137000"
    assert [(r.interface, r.member_name, r.ring_seconds) for r in record.ring_no_answer] == [
        ("PJSIP/1001", "Agent 1001", 6.0)]  # RingTime 6000 is in milliseconds
    assert record.ring_no_answer[0].at == at(1795310000.066463)
    assert (record.agent_interface, record.agent_name) == ("PJSIP/1002", "Agent 1002")
    assert record.wait_seconds == pytest.approx(9.0109, abs=1e-3)  # HoldTime: 9
    assert record.talk_seconds == pytest.approx(4.0044, abs=1e-3)  # TalkTime: 4
    assert record.outcome is CallOutcome.ANSWERED


def test_redirect_to_expert_line_is_a_transfer(ami_recordings):
    _, notes = replay(ami_recordings / "transfer-redirect.ami")

    [record] = ended(notes)
    assert record.caller_number == "13600136000"
    assert record.outcome is CallOutcome.TRANSFERRED
    assert record.agent_interface == "PJSIP/1001"
    assert record.transfer_target == "8001@departments"
    assert record.transfer_destination == "PJSIP/2001"
    assert record.transferred_at == at(1795310028.856887)  # the citizen leaves the queue bridge
    assert record.talk_seconds == pytest.approx(3.0065, abs=1e-3)  # ours only, not the expert's
    assert record.ended_at == at(1795310035.371629)
    assert record.hangup_by is None  # AgentComplete "caller" comes after the expert call
    assert CallTransferred("1795310023.15", "8001@departments", at(1795310028.856887)) in notes


def test_callback_originate_is_outbound_with_ticket(ami_recordings):
    _, notes = replay(ami_recordings / "callback-originate.ami")

    [record] = ended(notes)
    assert record.direction is Direction.OUTBOUND
    assert record.caller_number == "13800138000"  # from DialString, not the caller ID 12345
    assert record.ticket_number == "20261122-000001"
    assert record.callback_action_id == "callback-20261122-000001"
    assert record.dial_status == "ANSWER"
    assert record.answered_at == at(1795310013.402083)
    assert record.talk_seconds == pytest.approx(3.0047, abs=1e-3)
    assert record.outcome is CallOutcome.ANSWERED
    assert record.queue is None and record.wait_seconds is None
    assert not any(isinstance(n, CallConnected) for n in notes)  # no agent to pop a screen for


def test_list_items_of_core_show_channels_do_not_disturb_the_call(ami_recordings):
    _, notes = replay(ami_recordings / "core-show-channels.ami")

    [record] = ended(notes)
    assert record.caller_number == "13500135000"
    assert record.last_event_at == record.ended_at == at(1795310049.311912)
    assert record.talk_seconds == pytest.approx(8.0049, abs=1e-3)


def test_events_seen_twice_are_applied_once(ami_recordings):
    notes: list = []
    tracker = CallTracker(notes.append)
    for event in events(ami_recordings / "agent-ring-no-answer.ami"):
        tracker.consume(event)
        tracker.consume(dict(event))

    [record] = ended(notes)
    assert len(record.ring_no_answer) == 1
    assert [type(n) for n in notes] == [CallQueued, CallConnected, CallEnded]


def test_resync_closes_calls_whose_channels_are_gone(ami_recordings):
    notes: list = []
    tracker = CallTracker(notes.append)
    for event in events(ami_recordings / "queue-answered.ami"):
        tracker.consume(event)
        if event["Event"] == "AgentConnect":
            break  # the connection drops mid-call; the Hangup is never seen
    later = at(1795309990.0)

    tracker.resync([], [], now=later)

    [record] = ended(notes)
    assert record.end_reason == "resync" and record.ended_at == later
    assert record.outcome is CallOutcome.ANSWERED
    assert tracker.open_calls == []


def test_resync_creates_calls_in_progress_from_the_channel_list(ami_recordings):
    recorded = messages(ami_recordings / "core-show-channels.ami")
    channels = [m for m in recorded if m.get("Event") == "CoreShowChannel"]
    notes: list = []
    tracker = CallTracker(notes.append)
    listed_at = at(1795310042.81)

    tracker.resync(channels, [], now=listed_at)

    [record] = tracker.open_calls
    assert record.partial and record.linkedid == "1795310039.20"
    assert record.caller_number == "13500135000" and record.queue == "hotline"
    assert record.arrived_at == listed_at - timedelta(seconds=3)  # Duration 00:00:03
    assert record.agent_interface == "PJSIP/1001"
    assert record.answered_at == listed_at - timedelta(seconds=2)
    assert isinstance(notes[0], CallConnected) and notes[0].agent_interface == "PJSIP/1001"

    after_list = recorded[[m.get("Event") for m in recorded].index("StatusComplete") + 1:]
    for event in after_list:
        if message_kind(event) == "event":
            tracker.consume(event)
    [done] = ended(notes)
    assert done.outcome is CallOutcome.ANSWERED and done.end_reason == "hangup"
    assert done.ended_at == at(1795310049.311912)


def test_resync_uses_queue_entries_for_waiting_callers():
    tracker = CallTracker()
    now = at(1795400000.0)
    channel = {"Channel": "PJSIP/carrier-00000020", "Uniqueid": "9.1", "Linkedid": "9.1",
               "CallerIDNum": "13300133000", "Application": "Queue", "ApplicationData": "hotline,r,,,120",
               "Duration": "00:00:12", "BridgeId": ""}
    entry = {"Event": "QueueEntry", "Queue": "hotline", "Position": "1",
             "Channel": "PJSIP/carrier-00000020", "Uniqueid": "9.1", "Wait": "10"}

    tracker.resync([channel], [entry], now=now)

    [record] = tracker.open_calls
    assert record.queued_at == now - timedelta(seconds=10)
    assert record.answered_at is None


def test_expire_closes_calls_left_open(ami_recordings):
    tracker, notes = CallTracker(), []
    tracker.subscribe(notes.append)
    first = events(ami_recordings / "queue-abandoned.ami")
    for event in first:
        if event["Event"] == "HangupRequest":
            break
        tracker.consume(event)
    [record] = tracker.open_calls

    assert tracker.expire(record.arrived_at + timedelta(hours=1)) == []
    [closed] = tracker.expire(record.arrived_at + timedelta(hours=5))

    assert closed.end_reason == "expired" and closed.ended_at == closed.last_event_at
    assert closed.outcome is CallOutcome.ABANDONED
    assert tracker.open_calls == [] and ended(notes) == [closed]


def test_missing_timestamp_falls_back_to_injected_clock():
    clock = at(1795500000.0)
    tracker = CallTracker(now=lambda: clock)

    tracker.consume({"Event": "Newchannel", "Channel": "PJSIP/carrier-00000030", "Uniqueid": "5.1",
                     "Linkedid": "5.1", "CallerIDNum": "13100131000"})

    assert tracker.get("5.1").arrived_at == clock


def test_failing_subscriber_does_not_stop_tracking(ami_recordings):
    def explode(_note):
        raise RuntimeError("screen pop is down")

    tracker, notes = CallTracker(explode), []
    tracker.subscribe(notes.append)
    replay(ami_recordings / "queue-answered.ami", tracker)

    assert [type(n) for n in notes] == [CallQueued, CallConnected, CallEnded]


def test_originate_failure_without_channel_is_reported():
    notes: list = []
    tracker = CallTracker(notes.append)

    tracker.consume({"Event": "OriginateResponse", "Timestamp": "1795310100.0",
                     "ActionID": "callback-20261122-000002", "Response": "Failure",
                     "Channel": "PJSIP/13900000000@carrier", "Reason": "0", "Uniqueid": "<null>",
                     "ChanVariable": {"TICKET_NUMBER": "20261122-000002"}})

    assert notes == [CallbackFailed("callback-20261122-000002", "20261122-000002",
                                    "PJSIP/13900000000@carrier", "0")]
