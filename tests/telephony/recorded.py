"""Reading the recorded AMI scenarios in tests: events, and the tracker's snapshots of a call."""
from __future__ import annotations

import copy
from pathlib import Path

from telephony.ami_protocol import message_kind, split_messages
from telephony.calls import CallEnded, CallRecord
from telephony.tracker import CallTracker
from tests.fakes.ami_recordings import read_fixture


def recorded_events(path: Path) -> list[dict]:
    """The events Asterisk sent in a recording, in order (responses left out)."""
    messages = [m for kind, data in read_fixture(path) if kind == "recv" for m in split_messages(data)]
    return [m for m in messages if message_kind(m) == "event"]


def replay_records(path: Path) -> list[CallRecord]:
    """The state of the recording's call at each notification, as a listener would save it."""
    snapshots: list[CallRecord] = []
    tracker = CallTracker()

    def snapshot(note) -> None:
        record = note.record if isinstance(note, CallEnded) else tracker.get(note.linkedid)
        if record is not None:
            snapshots.append(copy.deepcopy(record))

    tracker.subscribe(snapshot)
    for event in recorded_events(path):
        tracker.consume(event)
    return snapshots
