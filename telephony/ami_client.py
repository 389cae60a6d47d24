"""The live Asterisk Manager Interface connection (panoramisk 1.4).

:class:`AmiListener` keeps one logged-in AMI session alive, feeds every event
to the :class:`~telephony.calls.CallTracker` and sends call-control actions.
panoramisk does the wire protocol; this module works around what it does not
do safely (all seen in panoramisk 1.4's source):

* An exception in an event callback escapes ``data_received`` and asyncio
  closes the whole connection, losing the rest of that read. Every callback
  here is guarded: the error is logged, the connection stays.
* Its keep-alive sends Ping every 10 s and never looks at the answer, so a
  silent dead link (NAT timeout, hung Asterisk) goes unnoticed. We disable it
  and run a watchdog that forces a reconnect when a Ping is not answered.
* Its own reconnect retries at a fixed delay and knows nothing of the calls
  that started or ended meanwhile. We reconnect with exponential back-off and,
  after each login, list channels and queues and call ``tracker.resync``.
* A reply ending in "successfully queued" makes it wait for more messages,
  and for an action without an ``Async`` header (Atxfer) it raises KeyError
  inside ``data_received``, dropping the connection. Single-answer actions
  are therefore sent with ``as_list=False``; this also lets Originate's later
  OriginateResponse (same ActionID) reach the tracker as an ordinary event.
* An action whose answer never comes (connection lost) leaves its future
  pending forever; ours time out and fail with CallControlUnavailable.

Events that arrive between login and the end of the resync are held back and
applied after the snapshot: panoramisk dispatches the events that follow a
list's ``...Complete`` in the same read before our coroutine resumes, and a
snapshot applied after them would close the calls they just opened.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol

from telephony.ami_protocol import events_named, from_panoramisk
from telephony.tracker import CallTracker
from telephony.control import AmiCallControl, CallbackDialplan, CallControlError, CallControlUnavailable

log = logging.getLogger(__name__)

LIST_ACTIONS = {"coreshowchannels", "queuestatus", "queuesummary", "status"}
"""Actions answered by a list (``EventList: start`` ... ``Complete``)."""

FAILED_RESPONSES = {"Error", "Failure", "Fail"}


class _Manager(Manager):
    """panoramisk's Manager without its blind ping and fixed-delay reconnect."""

    def __init__(self, **config):
        super().__init__(**config)
        self.lost: asyncio.Future = self.loop.create_future()

    def ping(self):  # replaced by AmiListener's watchdog, which checks the answer
        pass

    def connection_lost(self, exc):  # AmiListener reconnects, with back-off and resync
        if not self.lost.done():
            self.lost.set_result(exc)


class AmiListener:
    """One AMI session kept alive for the whole app; also the AMI :class:`CallControl`.

    Args:
        host, port, username, secret: the AMI account (manager.conf).
        tracker: receives every event (``consume``), ``resync`` after each
            (re)connect and ``expire`` with each Ping: a CallTracker, or the
            CallFollower that wraps one.
        on_status: called with "connecting", "connected", "disconnected", "stopped".
        ping_interval / ping_timeout: the watchdog's rhythm (seconds).
        backoff_initial / backoff_max: reconnect delays, doubling after each failure.
        action_timeout: how long an action may wait for its answer.
        dialplan: where satisfaction callbacks go.
        now: clock for closing calls that exceeded their maximum age.
        sleep: the back-off sleep (tests pass a recorder).
    """

    kind = "asterisk"

    def __init__(self, host: str, port: int, username: str, secret: str, tracker: CallTracker, *,
                 on_status: Callable[[str], None] | None = None, ping_interval: float = 20.0,
                 ping_timeout: float = 5.0, backoff_initial: float = 1.0, backoff_max: float = 60.0,
                 action_timeout: float = 10.0, dialplan: CallbackDialplan | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.host, self.port, self.username, self._secret = host, port, username, secret
        self.tracker = tracker
        self.on_status = on_status
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.action_timeout = action_timeout
        self.control = AmiCallControl(self.send_action, dialplan)
        self._now, self._sleep = now, sleep
        self.status = "stopped"
        self._manager: _Manager | None = None
        self._task: asyncio.Task | None = None
        self._connected: asyncio.Event | None = None
        self._held: list[dict] | None = None  # events held back during login and resync

    # -- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background; returns at once (Asterisk may be down)."""
        self._connected = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="ami-listener")

    async def stop(self) -> None:
        """Log off and close; no reconnect afterwards."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        manager, self._manager = self._manager, None
        if manager is not None:
            try:
                await asyncio.wait_for(asyncio.shield(manager.send_action({"Action": "Logoff"})), 1.0)
            except Exception:
                pass  # closing anyway
            self._close(manager, "stopped")
        self._set_status("stopped")

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until logged in and resynchronised (raises TimeoutError)."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def _run(self) -> None:
        delay = self.backoff_initial
        while True:
            self._set_status("connecting")
            try:
                manager = await self._connect()
            except (OSError, asyncio.TimeoutError, CallControlError) as exc:
                log.warning("AMI %s:%s: cannot connect (%s); retrying in %.2fs", self.host, self.port, exc, delay)
            else:
                self._manager = manager
                await self._resync(manager)
                delay = self.backoff_initial
                self._set_status("connected")
                self._connected.set()
                reason = await self._supervise(manager)
                self._connected.clear()
                self._manager = None
                self._close(manager, reason)
                log.warning("AMI %s:%s: connection lost (%s); reconnecting in %.2fs",
                            self.host, self.port, reason, delay)
            self._set_status("disconnected")
            await self._sleep(delay)
            delay = min(delay * 2, self.backoff_max)

    async def _connect(self) -> _Manager:
        loop = asyncio.get_running_loop()
        manager = _Manager(host=self.host, port=self.port, username=self.username, secret=self._secret,
                           events="on", loop=loop, log=log)
        manager.register_event("*", self._on_event)
        self._held = []
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(AMIProtocol, self.host, self.port), self.action_timeout)
        connected = loop.create_future()
        connected.set_result((transport, protocol))
        manager.connection_made(connected)  # sends Login; we do the connecting so we own errors
        login = manager.authenticated_future
        try:
            done, _ = await asyncio.wait({login, manager.lost}, timeout=self.action_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled by stop()
            self._close(manager, "stopped while logging in")
            raise
        if login not in done:
            self._close(manager, "login not answered")
            raise CallControlUnavailable("AMI login not answered")
        response = login.result()
        if not response.success:
            self._close(manager, "login refused")
            raise CallControlError(f"AMI login refused: {response.get('Message', '')}")
        log.info("AMI %s:%s: logged in as %s", self.host, self.port, self.username)
        return manager

    async def _resync(self, manager: _Manager) -> None:
        """Tell the tracker which calls exist now: we may have missed their events."""
        try:
            channels = await self._request(manager, {"Action": "CoreShowChannels"})
            queues = await self._request(manager, {"Action": "QueueStatus"})
            self.tracker.resync(events_named(channels, "CoreShowChannel"), events_named(queues, "QueueEntry"))
        except Exception:
            log.exception("AMI resync failed; calls in progress may be missing until they end")
        held, self._held = self._held or [], None
        for event in held:
            self._consume(event)

    async def _supervise(self, manager: _Manager) -> str:
        """Return why the connection must end: lost, or a Ping left unanswered."""
        while True:
            done, _ = await asyncio.wait({manager.lost}, timeout=self.ping_interval)
            if done:
                return _describe(manager.lost.result())
            ping = manager.send_action({"Action": "Ping"}, as_list=False)
            done, _ = await asyncio.wait({ping, manager.lost}, timeout=self.ping_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
            if manager.lost.done():
                return _describe(manager.lost.result())
            if not done:
                return f"no answer to Ping within {self.ping_timeout}s"
            try:
                self.tracker.expire(self._now())
            except Exception:
                log.exception("closing stale calls failed")

    def _close(self, manager: _Manager, reason: str) -> None:
        """Close for good; actions still waiting see ``lost`` and fail at once."""
        if not manager.lost.done():
            manager.lost.set_result(reason)
        manager.close()
        manager.awaiting_actions.clear()  # panoramisk would resend them after the next login
        if manager.protocol is not None and not manager.protocol.transport.is_closing():
            manager.protocol.transport.abort()

    def _set_status(self, status: str) -> None:
        self.status = status
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:
                log.exception("AMI status callback failed")

    def _on_event(self, manager: Manager, message) -> None:
        """Every event, guarded: an exception here would close panoramisk's connection."""
        try:
            event = from_panoramisk(message)
        except Exception:
            log.exception("AMI message not understood: %r", message)
            return
        if self._held is not None:
            self._held.append(event)
        else:
            self._consume(event)

    def _consume(self, event: dict) -> None:
        try:
            self.tracker.consume(event)
        except Exception:
            log.exception("AMI event %s not handled; connection kept", event.get("Event"))

    # -- actions ------------------------------------------------------------

    async def send_action(self, action: dict) -> list[dict]:
        """Send one action on the live connection.

        Returns:
            The response, followed by the list items for list actions.
        Raises:
            CallControlUnavailable: not connected, connection lost or no answer in time.
            CallControlError: Asterisk answered with an error.
        """
        if self._manager is None or self.status != "connected":
            raise CallControlUnavailable(f"AMI {self.host}:{self.port} is not connected ({self.status})")
        return await self._request(self._manager, action)

    async def _request(self, manager: _Manager, action: dict) -> list[dict]:
        name = action.get("Action", "")
        as_list = None if name.lower() in LIST_ACTIONS else False
        future = manager.send_action(dict(action), as_list=as_list)
        done, _ = await asyncio.wait({future, manager.lost}, timeout=self.action_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if future not in done:  # panoramisk never fails a future itself
            if manager.lost.done():
                raise CallControlUnavailable(f"AMI connection lost before {name} was answered")
            raise CallControlUnavailable(f"no answer to {name} within {self.action_timeout}s")
        answer = future.result()
        messages = [from_panoramisk(m) for m in (answer if isinstance(answer, list) else [answer])]
        if messages and messages[0].get("Response") in FAILED_RESPONSES:
            raise CallControlError(f"{name} refused: {messages[0].get('Message', '')}")
        return messages

    async def pause(self, interface: str, queue: str | None, reason: str = "") -> None:
        await self.control.pause(interface, queue, reason)

    async def unpause(self, interface: str, queue: str | None, reason: str = "") -> None:
        await self.control.unpause(interface, queue, reason)

    async def originate_callback(self, phone: str, ticket_number: str | None, *,
                                 agent_interface: str | None = None) -> str:
        return await self.control.originate_callback(phone, ticket_number, agent_interface=agent_interface)

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        await self.control.redirect(channel, context, exten, priority)

    async def atxfer(self, channel: str, context: str, exten: str) -> None:
        await self.control.atxfer(channel, context, exten)


def _describe(exc) -> str:
    if isinstance(exc, str):
        return exc
    if exc is None:
        return "closed by the other end"
    if hasattr(exc, "get") and exc.get("Event") == "Shutdown":
        return f"Asterisk shut down (restart: {exc.get('Restart', '?')})"
    return repr(exc)
