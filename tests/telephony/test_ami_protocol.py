"""Parsing AMI messages, checked against the recorded Asterisk 22 traffic."""
from pathlib import Path

import pytest

from telephony.ami_protocol import (
    format_action, from_panoramisk, interface_of, known, message_kind, parse_duration,
    parse_message, split_messages, timestamp, variable,
)
from tests.fakes.ami_recordings import read_fixture


def received(path: Path) -> list[dict]:
    return [m for kind, data in read_fixture(path) if kind == "recv" for m in split_messages(data)]


def test_originate_response_is_an_event_despite_its_response_field(ami_recordings):
    messages = received(ami_recordings / "callback-originate.ami")
    originate = next(m for m in messages if m.get("Event") == "OriginateResponse")

    assert message_kind(originate) == "event"
    assert originate["Response"] == "Success"
    assert variable(originate, "TICKET_NUMBER") == "20261122-000001"
    assert not any(key.startswith("ChanVariable(") for key in originate)


def test_responses_and_events_are_told_apart_by_first_line(ami_recordings):
    messages = received(ami_recordings / "queue-pause.ami")
    kinds = [(message_kind(m), m.get("Event") or m.get("Response")) for m in messages]

    assert kinds[0] == ("response", "Success")
    assert ("event", "QueueMemberPause") in kinds
    assert kinds[-1] == ("response", "Goodbye")


def test_channel_variables_fold_into_a_dict(ami_recordings):
    messages = received(ami_recordings / "queue-answered.ami")
    connect = next(m for m in messages if m.get("Event") == "AgentConnect")

    assert connect["ChanVariable"] == {"TICKET_NUMBER": ""}
    assert connect["DestChanVariable"] == {"TICKET_NUMBER": ""}
    assert connect["AccountCode"] == ""
    assert connect["RingTime"] == "3"


def test_every_event_but_fully_booted_and_list_items_has_a_timestamp(ami_recordings):
    without = {m["Event"] for path in sorted(ami_recordings.glob("*.ami")) for m in received(path)
               if message_kind(m) == "event" and "Timestamp" not in m}

    assert without == {"FullyBooted", "CoreShowChannel", "CoreShowChannelsComplete", "Status",
                       "StatusComplete", "QueueParams", "QueueMember", "QueueStatusComplete",
                       "QueueSummary", "QueueSummaryComplete"}


def test_parse_message_handles_greeting_colons_and_bare_newlines():
    message = parse_message("Asterisk Call Manager/11.0.0\nEvent: DeviceStateChange\n"
                            "Device: Queue:hotline_pause_PJSIP/1001\nState: INUSE\n")

    assert message == {"Event": "DeviceStateChange", "Device": "Queue:hotline_pause_PJSIP/1001",
                       "State": "INUSE"}


def test_from_panoramisk_keeps_order_and_repeated_variables():
    from panoramisk.message import Message

    raw = ("Event: OriginateResponse\r\nResponse: Failure\r\nUniqueid: <null>\r\n"
           "ChanVariable(PJSIP/x): TICKET_NUMBER=7\r\nChanVariable(PJSIP/x): OTHER=1")
    message = from_panoramisk(Message.from_line(raw))

    assert message_kind(message) == "event"
    assert message["ChanVariable"] == {"TICKET_NUMBER": "7", "OTHER": "1"}


def test_format_action_repeats_list_values():
    data = format_action({"Action": "Originate", "Variable": ["A=1", "B=2"]})

    assert data == b"Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"


@pytest.mark.parametrize(("channel", "interface"), [
    ("PJSIP/1001-0000000a", "PJSIP/1001"),
    ("PJSIP/carrier-00000008", "PJSIP/carrier"),
    ("PJSIP/13800138000@carrier", "PJSIP/13800138000@carrier"),
    ("Local/8001@departments-00000001;1", "Local/8001@departments-00000001;1"),
])
def test_interface_of(channel, interface):
    assert interface_of(channel) == interface


def test_small_helpers():
    assert known("<unknown>") is None and known("") is None and known("1001") == "1001"
    assert parse_duration("01:02:03") == 3723 and parse_duration("") == 0
    assert timestamp({"Timestamp": "1795309969.990848"}).timestamp() == pytest.approx(1795309969.990848)
    assert timestamp({}) is None
