"""The Asterisk Manager Interface (AMI) wire format, as plain dicts.

An AMI message is ``Key: Value`` lines ended by a blank line (``\\r\\n\\r\\n``).
We turn each one into an ordinary ``dict`` so that the call tracker and the
tests never depend on panoramisk's message class. Three details of real
Asterisk 22 traffic (see ``shared/data/ami/README.md``) shape this module:

* A message is an event or a response **by its first line**. OriginateResponse
  is an event that also carries a ``Response:`` field, so looking for the key
  ``Response`` anywhere would misfile it.
* ``channelvars = TICKET_NUMBER`` adds ``ChanVariable: TICKET_NUMBER=...`` to
  channel events, ``DestChanVariable: ...`` for the second channel, and
  OriginateResponse spells it ``ChanVariable(PJSIP/carrier-00000008): ...``.
  All of them become a ``{"TICKET_NUMBER": "..."}`` dict under ``ChanVariable``
  or ``DestChanVariable``.
* Every event has a ``Timestamp`` (epoch seconds) except FullyBooted and the
  list items answering an action (CoreShowChannel, QueueEntry, ...).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

EOL = "\r\n"
"""Line ending on the AMI socket, in both directions."""

VARIABLE_KEY = re.compile(r"^(Dest)?ChanVariable(\(.*\))?$", re.IGNORECASE)
"""``ChanVariable``, ``DestChanVariable`` and ``ChanVariable(<channel>)``."""

UNKNOWN = "<unknown>"
"""What Asterisk writes for a caller ID it does not have."""


def parse_message(text: str | bytes) -> dict:
    """Parse one AMI message (without or with its closing blank line).

    Returns:
        The headers in wire order. Channel variables are gathered into a dict
        under ``ChanVariable`` / ``DestChanVariable``; any other repeated key
        keeps its first value. An empty dict for blank input.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    message: dict = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        key, sep, value = line.partition(":")
        if not sep or not key:  # the greeting line, or noise
            continue
        add_header(message, key.strip(), value[1:] if value.startswith(" ") else value)
    return message


def add_header(message: dict, key: str, value) -> None:
    """Add one header to ``message``, folding channel variables (see module doc)."""
    match = VARIABLE_KEY.match(key)
    if match:
        bucket = message.setdefault("DestChanVariable" if match.group(1) else "ChanVariable", {})
        for item in value if isinstance(value, list) else [value]:
            name, _, var_value = str(item).partition("=")
            bucket[name] = var_value
    elif key not in message:
        message[key] = value[0] if isinstance(value, list) else value


def from_panoramisk(message: Mapping) -> dict:
    """Convert a panoramisk ``Message`` (a case-insensitive mapping) to our dict form.

    panoramisk keeps headers in wire order and turns repeated keys into lists;
    both survive this conversion.
    """
    result: dict = {}
    for key, value in message.items():
        add_header(result, key, value)
    return result


def split_messages(data: str | bytes) -> list[dict]:
    """Parse a byte stream holding several messages (e.g. a fixture chunk)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    blocks = data.replace("\r\n", "\n").split("\n\n")
    return [msg for msg in (parse_message(block) for block in blocks) if msg]


def message_kind(message: Mapping) -> str:
    """``"event"`` or ``"response"``, decided by the message's first line."""
    for key in message:
        if key.lower() == "event":
            return "event"
        if key.lower() == "response":
            return "response"
        break
    return "event" if "Event" in message else "response"


def format_action(action: Mapping) -> bytes:
    """Encode an action (or any message) for the wire; list values repeat the key."""
    lines = []
    for key, value in action.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            lines.append(f"{key}: {item}")
    return (EOL.join(lines) + EOL + EOL).encode()


def variable(message: Mapping, name: str, *, dest: bool = False) -> str:
    """A channel variable's value, ``""`` when absent or empty."""
    return message.get("DestChanVariable" if dest else "ChanVariable", {}).get(name, "")


def timestamp(message: Mapping) -> datetime | None:
    """The event's ``Timestamp`` as an aware UTC datetime, None when missing."""
    raw = message.get("Timestamp")
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(float(raw), tz=timezone.utc)
    except ValueError:
        return None


def known(value: str | None) -> str | None:
    """A caller ID field, or None when Asterisk says ``<unknown>`` or leaves it empty."""
    return None if not value or value == UNKNOWN else value


def interface_of(channel: str) -> str:
    """The device behind a channel name: ``PJSIP/1001-0000000a`` → ``PJSIP/1001``."""
    head, sep, tail = channel.rpartition("-")
    return head if sep and re.fullmatch(r"[0-9a-f]{8}", tail) else channel


def parse_duration(text: str) -> float:
    """CoreShowChannel's ``Duration`` (``HH:MM:SS``) in seconds; 0 when unreadable."""
    try:
        hours, minutes, seconds = (int(part) for part in text.split(":"))
    except ValueError:
        return 0.0
    return float(hours * 3600 + minutes * 60 + seconds)


def events_named(messages: Iterable[Mapping], name: str) -> list[Mapping]:
    """The messages of one event type, e.g. the CoreShowChannel items of a list."""
    return [m for m in messages if str(m.get("Event", "")).lower() == name.lower()]
