"""A fake Asterisk Manager Interface server that speaks the real wire protocol.

Tests run the real panoramisk client against it over TCP, so the bytes on the
socket are the bytes Asterisk 22 sends: the greeting without a blank line,
``Key: Value`` messages ended by ``\\r\\n\\r\\n``, list answers with
``EventList: start`` / ``...Complete``. It can:

* answer Login (checking the secret), Ping, CoreShowChannels, QueueStatus,
  Logoff and any other action from scripted data (``channels``,
  ``queue_status``, ``handlers``);
* replay a recording from ``shared/data/ami`` (see :func:`read_fixture`): each
  received chunk is sent once the client actions recorded before it have
  arrived (matched by Action name; ActionIDs are rewritten to the client's);
  other actions, such as a watchdog's Ping, get scripted answers meanwhile;
* cut the connection at a chosen event, go silent (a dead link that stays
  open) and restart on the same port.

We write our own instead of using ``panoramisk.testing``, which mocks the
transport and rewrites panoramisk's module-wide line ending for the whole run.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable

import pytest

from tests.fakes.ami_recordings import (  # noqa: F401  (the fixture is taken from here too)
    GREETING, Expect, Note, Send, ami_recordings, call_events, read_fixture, replay_steps,
)

MESSAGES = {
    "Originate": "Originate successfully queued",
    "Redirect": "Redirect successful",
    "Atxfer": "Atxfer successfully queued",
}
"""Message lines of successful responses, copied from the recordings."""


@pytest.fixture
async def ami_server():
    """A started :class:`FakeAmiServer` on an ephemeral port of 127.0.0.1."""
    server = FakeAmiServer()
    await server.start()
    yield server
    await server.stop()


def encode(fields: dict) -> bytes:
    """One message on the wire, keys in the given order."""
    return "".join(f"{key}: {value}\r\n" for key, value in fields.items()).encode() + b"\r\n"


def parse_action(block: str) -> dict:
    action: dict = {}
    for line in block.splitlines():
        key, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key in action:  # repeated keys such as Variable become a list
            action[key] = [*action[key], value] if isinstance(action[key], list) else [action[key], value]
        elif key:
            action[key] = value
    return action


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.inbox: asyncio.Queue[dict | None] = asyncio.Queue()
        self.action_ids: dict[str, str] = {}  # recorded ActionID -> the client's

    def write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def close(self, *, abort: bool = False) -> None:
        if abort:
            self.writer.transport.abort()
        else:
            self.writer.close()


class FakeAmiServer:
    """See the module docstring. Public attributes are the script and the record."""

    def __init__(self, *, username: str = "hotline", secret: str = "secret", host: str = "127.0.0.1"):
        self.username, self.secret, self.host = username, secret, host
        self.port: int = 0
        self.channels: list[dict] = []  # CoreShowChannel items (without Event/ActionID)
        self.queue_status: list[dict] = []  # QueueParams/QueueMember/QueueEntry items, with "Event"
        self.handlers: dict[str, Callable[[dict], list[dict]]] = {}  # action name -> messages
        self.actions: list[dict] = []  # every action received, in order, on any connection
        self.connections = 0  # connections accepted so far
        self.silent = False  # read actions but answer nothing: a dead link that stays open
        self._server: asyncio.AbstractServer | None = None
        self._open: set[_Connection] = set()
        self._steps: list[Expect | Send | Note] = []
        self._cut_after: str | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self, port: int | None = None) -> int:
        """Listen (again) on ``port``, on the previous port, or on an ephemeral one."""
        port = self.port if port is None else port
        self._server = await asyncio.start_server(self._serve, self.host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and drop every connection, like a crashed Asterisk."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def cut(self) -> None:
        """Abort every open connection (a TCP reset, no Goodbye)."""
        for conn in list(self._open):
            conn.close(abort=True)

    def replay(self, chunks, *, expect_after_boot: Iterable[str] = (), cut_after: str | None = None) -> None:
        """Replay a recording from the next connection on.

        Args:
            chunks: what :func:`read_fixture` returns.
            expect_after_boot: action names to wait for (and answer from the
                script) right after each FullyBooted, e.g. the CoreShowChannels
                a client sends after logging in, so that the recorded events
                only start once the client has resynchronised.
            cut_after: abort the connection right after the first event of this
                name and forget the rest of the recording.
        """
        steps = replay_steps(chunks)
        self._steps = []
        for step in steps:
            self._steps.append(step)
            if isinstance(step, Send) and step.data.startswith(b"Event: FullyBooted\r\n"):
                self._steps.extend(Expect({"Action": name}, answer=True) for name in expect_after_boot)
        self._cut_after = cut_after

    @property
    def replaying(self) -> bool:
        return bool(self._steps)

    @property
    def next_expected(self) -> str | None:
        """The action the recording waits for next, once everything before it is sent."""
        step = self._steps[0] if self._steps else None
        return step.action.get("Action") if isinstance(step, Expect) else None

    async def send_event(self, event: dict) -> None:
        """Send an event to every open connection."""
        for conn in list(self._open):
            conn.write(encode(event))

    async def play(self, messages: Iterable[bytes]) -> None:
        """Send recorded messages, byte for byte, to every open connection (see :func:`call_events`)."""
        for message in messages:
            for conn in list(self._open):
                conn.write(message)
            await asyncio.sleep(0)

    async def wait_for_action(self, name: str, count: int = 1, timeout: float = 2.0) -> dict:
        """Wait until ``count`` actions called ``name`` have arrived; return the last."""
        async with asyncio.timeout(timeout):
            while True:
                found = [a for a in self.actions if a.get("Action", "").lower() == name.lower()]
                if len(found) >= count:
                    return found[count - 1]
                await asyncio.sleep(0.005)

    async def wait_replayed(self, timeout: float = 2.0) -> None:
        """Wait until the recording has been sent up to its end or its next Expect."""
        async with asyncio.timeout(timeout):
            while self._steps and not isinstance(self._steps[0], Expect):
                await asyncio.sleep(0.005)

    # -- one connection ---------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _Connection(reader, writer)
        self._open.add(conn)
        self.connections += 1
        driver = asyncio.create_task(self._drive(conn))
        self._tasks.add(driver)
        try:
            buffer = ""
            while data := await reader.read(65536):
                buffer += data.decode()
                *blocks, buffer = buffer.replace("\r\n", "\n").split("\n\n")
                for block in filter(str.strip, blocks):
                    action = parse_action(block)
                    self.actions.append(action)
                    conn.inbox.put_nowait(action)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            conn.inbox.put_nowait(None)
            self._open.discard(conn)
            await asyncio.gather(driver, return_exceptions=True)
            self._tasks.discard(driver)
            conn.close()

    async def _drive(self, conn: _Connection) -> None:
        """Send the recording (if any) and answer actions, in order."""
        while self._steps and isinstance(self._steps[0], Note):
            self._steps.pop(0)  # "new TCP connection" notes
        if self._steps and isinstance(self._steps[0], Send) and self._steps[0].data == GREETING:
            self._steps.pop(0)
        conn.write(GREETING)
        while True:
            step = self._steps[0] if self._steps else None
            if isinstance(step, Note):
                self._steps.pop(0)
                if "closed" in step.text:
                    conn.close()
                    return
                continue
            if isinstance(step, Send):
                self._steps.pop(0)
                conn.write(self._rewrite(conn, step.data))
                if self._ends_connection(conn, step.data):
                    return
                continue
            action = await conn.inbox.get()
            if action is None:
                return
            if self.silent:
                continue
            if isinstance(step, Expect) and _name(action) == _name(step.action):
                if _name(action) == "login" and not self._login_ok(action):
                    conn.write(encode(self._login_failed(action)))
                    continue
                self._steps.pop(0)
                recorded_id = step.action.get("ActionID")
                if recorded_id and "ActionID" in action:
                    conn.action_ids[recorded_id] = action["ActionID"]
                if not step.answer:
                    continue
            if self._answer(conn, action):
                return

    def _rewrite(self, conn: _Connection, data: bytes) -> bytes:
        def swap(match: re.Match) -> bytes:
            old = match.group(1).decode()
            return b"ActionID: " + conn.action_ids.get(old, old).encode()
        return re.sub(rb"(?m)^ActionID: ([^\r\n]*)", swap, data)

    def _ends_connection(self, conn: _Connection, data: bytes) -> bool:
        if data.startswith(b"Response: Goodbye\r\n"):
            conn.close()
            return True
        if self._cut_after and data.startswith(f"Event: {self._cut_after}\r\n".encode()):
            self._steps, self._cut_after = [], None
            conn.close(abort=True)
            return True
        return False

    # -- scripted answers -------------------------------------------------

    def _login_ok(self, action: dict) -> bool:
        return action.get("Username") == self.username and action.get("Secret") == self.secret

    def _login_failed(self, action: dict) -> dict:
        return _with_id(action, {"Response": "Error", "Message": "Authentication failed"})

    def _answer(self, conn: _Connection, action: dict) -> bool:
        """Write the scripted answer; True when the connection is now closed."""
        name = action.get("Action", "")
        if name in self.handlers:
            messages = self.handlers[name](action)
        elif name.lower() == "login":
            messages = [self._login_failed(action)] if not self._login_ok(action) else [
                _with_id(action, {"Response": "Success", "Message": "Authentication accepted"}),
                {"Event": "FullyBooted", "Privilege": "system,all", "Uptime": "1",
                 "LastReload": "1", "Status": "Fully Booted"}]
        elif name.lower() == "ping":
            messages = [_with_id(action, {"Response": "Success", "Ping": "Pong", "Timestamp": f"{time.time():.6f}"})]
        elif name.lower() == "coreshowchannels":
            messages = _list(action, "Channels will follow", "CoreShowChannelsComplete",
                             [{"Event": "CoreShowChannel", **c} for c in self.channels])
        elif name.lower() == "queuestatus":
            messages = _list(action, "Queue status will follow", "QueueStatusComplete", self.queue_status)
        elif name.lower() == "logoff":
            conn.write(encode(_with_id(action, {"Response": "Goodbye", "Message": "Thanks for all the fish."})))
            conn.close()
            return True
        else:
            messages = [_with_id(action, {"Response": "Success", "Message": MESSAGES.get(name, "Success")})]
        for message in messages:
            conn.write(encode(message))
        return False


def _name(action: dict) -> str:
    return action.get("Action", "").lower()


def _with_id(action: dict, message: dict) -> dict:
    """Put the client's ActionID right after the first line, where Asterisk puts it."""
    first, *rest = message.items()
    head = dict([first])
    if "ActionID" in action:
        head["ActionID"] = action["ActionID"]
    return {**head, **dict(rest)}


def _list(action: dict, message: str, complete: str, items: list[dict]) -> list[dict]:
    start = _with_id(action, {"Response": "Success", "EventList": "start", "Message": message})
    body = [{**item, "ActionID": action.get("ActionID", "")} for item in items]
    end = _with_id(action, {"Event": complete, "EventList": "Complete", "ListItems": str(len(items))})
    return [start, *body, end]
