"""The recorded Asterisk traffic in ``shared/data/ami`` (see its README), read for tests.

:func:`read_fixture` splits a ``.ami`` file into what Asterisk sent, what the
client sent and the recorder's notes; :func:`replay_steps` turns that into the
fake server's script, and :func:`call_events` keeps only a call's events, to
be played to any logged-in client at the moment a test chooses.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.shared_data import SHARED_DATA

GREETING = b"Asterisk Call Manager/11.0.0\r\n"
AMI_RECORDINGS = SHARED_DATA / "ami"
"""Recorded Asterisk traffic; outside the repository (tests/support/shared_data.py)."""


def read_fixture(path: str | Path) -> list[tuple[str, bytes | str]]:
    """Split a ``.ami`` recording into ("recv", bytes) / ("send", line) / ("note", text) chunks."""
    chunks: list[tuple[str, bytes | str]] = []
    recv = b""
    for line in Path(path).read_bytes().splitlines(keepends=True):
        if line.startswith((b">>> ", b"### ")):
            if recv:
                chunks.append(("recv", recv))
                recv = b""
            if line.startswith(b">>> "):
                chunks.append(("send", line[4:]))
            else:
                chunks.append(("note", line[4:].decode().strip()))
        else:
            recv += line
    if recv:
        chunks.append(("recv", recv))
    return chunks


@pytest.fixture
def ami_recordings() -> Path:
    """The folder of recordings; skips the test when it is not beside the repository."""
    if not (AMI_RECORDINGS / "README.md").exists():
        pytest.skip(f"AMI recordings not found at {AMI_RECORDINGS}")
    return AMI_RECORDINGS


@dataclass
class Expect:
    """Wait for the client to send an action with this name."""
    action: dict
    answer: bool = False  # also answer it from the script (steps we inserted)


@dataclass
class Send:
    """Bytes to send: one message with its blank line, or the greeting."""
    data: bytes


@dataclass
class Note:
    """A recorder note such as ``socket closed by Asterisk (EOF)``."""
    text: str


def replay_steps(chunks: Iterable[tuple[str, bytes | str]]) -> list[Expect | Send | Note]:
    """Turn fixture chunks into steps: one Expect per action, one Send per message."""
    steps: list[Expect | Send | Note] = []
    action: dict = {}
    for kind, data in chunks:
        if kind == "note":
            steps.append(Note(data))
        elif kind == "send":
            key, _, value = data.decode().rstrip("\r\n").partition(": ")
            if key:
                action[key] = value
            elif action:
                steps.append(Expect(action))
                action = {}
        else:
            if data.startswith(GREETING):
                steps.append(Send(GREETING))
                data = data[len(GREETING):]
            steps.extend(Send(block + b"\r\n\r\n") for block in data.split(b"\r\n\r\n") if block.strip())
    return steps


def call_events(chunks: Iterable[tuple[str, bytes | str]], *, until: str | None = None,
                after: str | None = None) -> list[bytes]:
    """The call's events of a recording as sent on the wire, without the session's own messages.

    Left out: the greeting, responses, FullyBooted/Shutdown, and list items
    answering the recorder's actions. So they can be played to any logged-in
    client, at the moment a test chooses.

    Args:
        until: stop after the first event of this name (inclusive).
        after: start after the first event of this name.
    """
    messages = []
    for kind, data in chunks:
        if kind != "recv":
            continue
        data = data[len(GREETING):] if data.startswith(GREETING) else data
        for block in data.split(b"\r\n\r\n"):
            if not block.startswith(b"Event: ") or b"\r\nActionID: rec-" in block:
                continue
            if block.startswith((b"Event: FullyBooted", b"Event: Shutdown")):
                continue
            messages.append(block + b"\r\n\r\n")
    if after is not None:
        index = next(i for i, m in enumerate(messages) if m.startswith(f"Event: {after}\r\n".encode()))
        messages = messages[index + 1:]
    if until is not None:
        index = next(i for i, m in enumerate(messages) if m.startswith(f"Event: {until}\r\n".encode()))
        messages = messages[:index + 1]
    return messages
