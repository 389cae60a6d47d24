"""Call control (呼叫控制): what the hotline asks of the telephone system.

Pausing an agent (示忙), calling a citizen back about a ticket (回访) and
sending a call on to a department's expert line (转接) go through the small
:class:`CallControl` interface, so handlers never see AMI. Two
implementations: :class:`AmiCallControl` builds Asterisk Manager actions and
hands them to a sender (the :class:`~telephony.ami_client.AmiListener`), and
:class:`ConsoleCallControl` only logs and records, for the embedded default
without Asterisk and for tests.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

PHONE_NUMBER = re.compile(r"\+?[0-9]{3,20}")
"""What may be dialled back: digits only, so a number can never smuggle in a dial string."""

TICKET_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")

INTERFACE = re.compile(r"[A-Za-z0-9]+/[A-Za-z0-9_.@-]{1,60}")
"""An Asterisk device such as ``PJSIP/1001``: no commas, so it cannot add dial options."""


class CallControlError(Exception):
    """The telephone system refused the request (AMI ``Response: Error``)."""


class CallControlUnavailable(CallControlError):
    """The telephone system could not be reached, or did not answer in time."""


class CallControl(Protocol):
    """The operations the hotline needs; every one raises CallControlError on refusal."""

    async def pause(self, interface: str, queue: str | None, reason: str = "") -> None: ...

    async def unpause(self, interface: str, queue: str | None, reason: str = "") -> None: ...

    async def originate_callback(self, phone: str, ticket_number: str | None, *,
                                 agent_interface: str | None = None) -> str: ...

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None: ...

    async def atxfer(self, channel: str, context: str, exten: str) -> None: ...


@dataclass(frozen=True)
class CallbackDialplan:
    """Where a satisfaction callback goes, as configured in Asterisk (extensions.conf)."""

    channel_template: str = "PJSIP/{phone}@carrier"  # the trunk the call leaves by
    context: str = "callback"
    exten: str = "satisfaction"
    caller_id: str = '"12345 Hotline" <12345>'
    ring_timeout_ms: int = 30_000


def originate_action(phone: str, ticket_number: str | None, dialplan: CallbackDialplan,
                     agent_interface: str | None = None) -> dict:
    """The Originate for a callback; its ActionID ``callback-<ticket>`` ties the answer to the ticket.

    Args:
        ticket_number: the ticket called back about (回访); None for calling
            back a missed call (漏话回拨), whose ActionID names the number.
        agent_interface: the agent to connect once the citizen answers, passed
            to the dialplan as ``AGENT_INTERFACE``.

    Raises:
        ValueError: the phone number, ticket number or interface is not plain
            digits / a ticket id / a device name.
    """
    if not PHONE_NUMBER.fullmatch(phone):
        raise ValueError(f"not a phone number we can dial: {phone!r}")
    if ticket_number is not None and not TICKET_NUMBER.fullmatch(ticket_number):
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    if agent_interface is not None and not INTERFACE.fullmatch(agent_interface):
        raise ValueError(f"not an agent interface: {agent_interface!r}")
    variables = [f"TICKET_NUMBER={ticket_number}"] if ticket_number else []
    if agent_interface:
        variables.append(f"AGENT_INTERFACE={agent_interface}")
    action = {
        "Action": "Originate",
        "ActionID": f"callback-{ticket_number}" if ticket_number else f"callback-missed-{phone.lstrip('+')}",
        "Channel": dialplan.channel_template.format(phone=phone),
        "Context": dialplan.context, "Exten": dialplan.exten.format(phone=phone), "Priority": "1",
        "CallerID": dialplan.caller_id, "Timeout": str(dialplan.ring_timeout_ms), "Async": "true",
    }
    if variables:
        action["Variable"] = variables[0] if len(variables) == 1 else variables
    return action


def pause_action(interface: str, queue: str | None, paused: bool, reason: str) -> dict:
    """QueuePause; without a queue Asterisk pauses the member in every queue."""
    action = {"Action": "QueuePause", "Interface": interface, "Paused": "true" if paused else "false"}
    if queue:
        action["Queue"] = queue
    if reason:
        action["Reason"] = reason
    return action


class AmiCallControl:
    """Call control over the Asterisk Manager Interface.

    Args:
        send: sends one action and returns its answer messages; raises
            CallControlError / CallControlUnavailable (``AmiListener.send_action``).
        dialplan: where callbacks go.
    """

    kind = "asterisk"  # calls are really placed

    def __init__(self, send: Callable[[dict], Awaitable[list[dict]]], dialplan: CallbackDialplan | None = None):
        self._send = send
        self.dialplan = dialplan or CallbackDialplan()

    async def pause(self, interface: str, queue: str | None, reason: str = "") -> None:
        await self._send(pause_action(interface, queue, True, reason))

    async def unpause(self, interface: str, queue: str | None, reason: str = "") -> None:
        await self._send(pause_action(interface, queue, False, reason))

    async def originate_callback(self, phone: str, ticket_number: str | None, *,
                                 agent_interface: str | None = None) -> str:
        """Start the call; returns its ActionID. The outcome arrives later as call events."""
        action = originate_action(phone, ticket_number, self.dialplan, agent_interface)
        await self._send(action)
        return action["ActionID"]

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        await self._send({"Action": "Redirect", "Channel": channel, "Context": context,
                          "Exten": exten, "Priority": str(priority)})

    async def atxfer(self, channel: str, context: str, exten: str) -> None:
        """Attended transfer started from the agent's channel (the agent talks to the expert first)."""
        await self._send({"Action": "Atxfer", "Channel": channel, "Context": context, "Exten": exten})


class ConsoleCallControl:
    """Logs every request and keeps it in ``requests``; nothing is dialled."""

    kind = "console"

    def __init__(self, dialplan: CallbackDialplan | None = None):
        self.dialplan = dialplan or CallbackDialplan()
        self.requests: list[tuple[str, dict]] = []

    def _record(self, operation: str, **arguments) -> None:
        log.info("call control (console): %s %s", operation, arguments)
        self.requests.append((operation, arguments))

    async def pause(self, interface: str, queue: str | None, reason: str = "") -> None:
        self._record("pause", interface=interface, queue=queue, reason=reason)

    async def unpause(self, interface: str, queue: str | None, reason: str = "") -> None:
        self._record("unpause", interface=interface, queue=queue, reason=reason)

    async def originate_callback(self, phone: str, ticket_number: str | None, *,
                                 agent_interface: str | None = None) -> str:
        action = originate_action(phone, ticket_number, self.dialplan, agent_interface)  # same validation as AMI
        self._record("originate_callback", phone=phone, ticket_number=ticket_number, agent_interface=agent_interface)
        return action["ActionID"]

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        self._record("redirect", channel=channel, context=context, exten=exten, priority=priority)

    async def atxfer(self, channel: str, context: str, exten: str) -> None:
        self._record("atxfer", channel=channel, context=context, exten=exten)
