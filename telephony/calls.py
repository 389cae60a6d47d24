"""Call records (来电记录): one per citizen call, all its legs together, and what happened to it.

A :class:`CallRecord` is built by the :class:`~telephony.tracker.CallTracker`
from Asterisk events, or by the Twilio Voice webhooks, and stored in the
``calls`` table (:mod:`telephony.store`). The tracker tells its subscribers
what happened through the small notifications below (:class:`CallConnected`
drives the screen pop, :class:`CallEnded` the final record).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

MAX_CALL_AGE = timedelta(hours=4)
"""An open call older than this is closed (``end_reason="expired"``): a lost
Hangup (say, during a reconnect) must not leave a call open forever."""


class Direction(StrEnum):
    INBOUND = "inbound"  # a citizen calls 12345
    OUTBOUND = "outbound"  # we call a citizen back (回访), carrying TICKET_NUMBER


class CallOutcome(StrEnum):
    ANSWERED = "answered"  # an agent took the call (for a callback: the citizen picked up)
    TRANSFERRED = "transferred"  # answered, then sent on to a department's line (转接)
    ABANDONED = "abandoned"  # the citizen hung up before any agent answered (呼损)
    UNANSWERED = "unanswered"  # the system ended it unanswered: queue timeout, callback not picked up


@dataclass(frozen=True)
class RingNoAnswer:
    """An agent whose phone rang for this call and was not picked up."""
    interface: str
    member_name: str | None
    at: datetime
    ring_seconds: float


@dataclass
class CallRecord:
    """One citizen call, all its legs together (keyed on Asterisk's Linkedid)."""

    linkedid: str
    arrived_at: datetime
    last_event_at: datetime
    direction: Direction = Direction.INBOUND
    caller_number: str | None = None  # caller ID inbound; the dialled number for a callback
    channel: str | None = None  # the citizen's channel, e.g. PJSIP/carrier-00000002
    ticket_number: str | None = None  # TICKET_NUMBER of a callback
    callback_action_id: str | None = None
    queue: str | None = None
    queued_at: datetime | None = None
    left_queue_at: datetime | None = None
    abandoned_in_queue: bool = False
    answered_at: datetime | None = None
    agent_interface: str | None = None  # the queue member, e.g. PJSIP/1001
    agent_name: str | None = None  # its MemberName, e.g. "Agent 1001"
    agent_channel: str | None = None
    agent_uniqueid: str | None = None
    agent_leg_ended_at: datetime | None = None
    connected_at_place: str | None = None  # exten@context of the citizen when connected
    ring_no_answer: list[RingNoAnswer] = field(default_factory=list)
    transferred_at: datetime | None = None
    transfer_target: str | None = None  # where the citizen was sent, e.g. 8001@departments
    transfer_destination: str | None = None  # the device that was then dialled, e.g. PJSIP/2001
    hangup_by: str | None = None  # AgentComplete's Reason: "agent" or "caller"
    dial_status: str | None = None  # a callback's DialStatus: ANSWER, NOANSWER, BUSY, ...
    ended_at: datetime | None = None
    end_reason: str | None = None  # "hangup"; "resync" or "expired" when the end was missed
    outcome: CallOutcome | None = None
    partial: bool = False  # first seen mid-call (reconnect): arrival and wait are estimates

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def wait_seconds(self) -> float | None:
        """Time in the queue until answered or gone; None if it never queued."""
        if self.queued_at is None:
            return None
        until = self.answered_at or self.left_queue_at or self.ended_at
        return (until - self.queued_at).total_seconds() if until else None

    @property
    def talk_seconds(self) -> float | None:
        """Time talking to our agent (or, for a callback, with the citizen); None if never answered."""
        if self.answered_at is None:
            return None
        until = self.transferred_at or self.agent_leg_ended_at or self.ended_at
        return (until - self.answered_at).total_seconds() if until else None

    def decide_outcome(self) -> CallOutcome:
        if self.direction is Direction.OUTBOUND:
            return CallOutcome.ANSWERED if self.answered_at else CallOutcome.UNANSWERED
        if self.transferred_at is not None:
            return CallOutcome.TRANSFERRED
        if self.answered_at is not None:
            return CallOutcome.ANSWERED
        if self.queued_at is not None and self.left_queue_at is not None and not self.abandoned_in_queue:
            return CallOutcome.UNANSWERED  # the queue let go of the caller (timeout, no members)
        return CallOutcome.ABANDONED


@dataclass(frozen=True)
class CallQueued:
    linkedid: str
    caller_number: str | None
    queue: str | None
    at: datetime


@dataclass(frozen=True)
class CallConnected:
    """An agent answered: what the screen pop needs."""
    linkedid: str
    agent_interface: str
    caller_number: str | None
    agent_name: str | None
    queue: str | None
    at: datetime


@dataclass(frozen=True)
class CallTransferred:
    linkedid: str
    target: str | None
    at: datetime


@dataclass(frozen=True)
class CallEnded:
    """The finished record (a copy: later events never change it)."""
    record: CallRecord


@dataclass(frozen=True)
class CallbackFailed:
    """An Originate that never produced a channel (bad number, trunk down)."""
    action_id: str
    ticket_number: str | None
    channel: str
    reason: str


Notification = CallQueued | CallConnected | CallTransferred | CallEnded | CallbackFailed
