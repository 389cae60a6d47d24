"""Following calls through AMI events: one :class:`~telephony.calls.CallRecord` per citizen call.

:class:`CallTracker` is pure: it takes events as dicts (see
:mod:`telephony.ami_protocol`) and keeps one :class:`CallRecord` per
``Linkedid``, the id Asterisk gives every leg of one call (the citizen's
channel, each agent leg rung, the expert line after a transfer). It knows
nothing of sockets or databases; the screen pop and persistence subscribe to
its notifications (:class:`CallConnected`, :class:`CallEnded`, ...).

Times come from each event's ``Timestamp``, not from our clock, so replaying a
recording gives the same record as the live call did. Rules that come from
reading real Asterisk 22 traffic (``shared/data/ami/README.md``):

* A call ends when the channel whose Uniqueid equals the Linkedid hangs up.
  The Cdr event may come before that Hangup or after it, so records are never
  built from Cdrs; a late Cdr or leg Hangup finds the record among the
  recently ended ones and is ignored.
* Wait runs from QueueCallerJoin to AgentConnect (or to leaving the queue);
  talk runs from AgentConnect to the transfer or the end of the agent's leg.
* A Redirect leaves no transfer event: the citizen's channel simply shows up
  in another dialplan place (``8001@departments``) while the agent's leg is
  still up. AgentComplete then comes only at the very end, with
  ``Reason: caller`` and a TalkTime that includes the expert's part.
* AgentRingNoAnswer's RingTime is in milliseconds; AgentConnect's is in seconds.
* A callback (Originate) has no caller channel: its DialBegin/DialEnd carry
  only ``Dest*`` fields, the number is in ``DialString`` and the ticket in the
  ``TICKET_NUMBER`` channel variable. OriginateResponse has no Linkedid; its
  Uniqueid is the originated channel's, which is also the call's Linkedid.
* List items answering an action (CoreShowChannel, QueueEntry, Status) carry
  an ActionID and no Timestamp; they are snapshots for :meth:`CallTracker.resync`,
  not call progress, and ``consume`` ignores them.
"""
from __future__ import annotations

import copy
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone

from telephony.ami_protocol import interface_of, parse_duration, timestamp, variable
from telephony.call_rules import CallEventRules, place
from telephony.calls import MAX_CALL_AGE, CallbackFailed, CallConnected, CallEnded, CallRecord, Notification

log = logging.getLogger(__name__)

ENDED_MEMORY = timedelta(minutes=10)
"""How long an ended call is remembered, so that late events of its legs are recognised."""

SEEN_EVENTS_KEPT = 20_000
"""How many event keys are remembered to ignore an event delivered twice."""

ANSWERS_ACTION_KEY = "ActionID"
"""Events carrying an ActionID answer one of our actions; only OriginateResponse is call progress."""

TERMINAL_EVENTS = {"Hangup", "HangupRequest", "SoftHangupRequest", "Cdr"}
"""Events that never open a record for a call we had not seen."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CallTracker(CallEventRules):
    """Follows every call from AMI events and tells subscribers what happened.

    Args:
        subscriber: called with each notification; more can be added with
            :meth:`subscribe`. A subscriber that raises is logged and skipped.
        now: the clock, used only for events without a Timestamp and for resync.
        max_age: see :data:`MAX_CALL_AGE`.
    """

    def __init__(self, subscriber: Callable[[Notification], None] | None = None, *,
                 now: Callable[[], datetime] = _utcnow, max_age: timedelta = MAX_CALL_AGE):
        self._subscribers = [subscriber] if subscriber else []
        self._now = now
        self.max_age = max_age
        self._open: dict[str, CallRecord] = {}
        self._ended: dict[str, CallRecord] = {}
        self._seen: set = set()
        self._seen_order: deque = deque()

    def subscribe(self, subscriber: Callable[[Notification], None]) -> None:
        self._subscribers.append(subscriber)

    @property
    def open_calls(self) -> list[CallRecord]:
        return list(self._open.values())

    def get(self, linkedid: str) -> CallRecord | None:
        """The open or recently ended record of a call."""
        return self._open.get(linkedid) or self._ended.get(linkedid)

    # -- events -------------------------------------------------------------

    def consume(self, event: Mapping) -> None:
        """Apply one AMI event; an event seen before (same key) is ignored."""
        name = event.get("Event")
        if not name or (ANSWERS_ACTION_KEY in event and name != "OriginateResponse"):
            return  # no event, or a list item answering an action (CoreShowChannel, QueueEntry...)
        if self._already_seen(event):
            return
        at = timestamp(event) or self._now()
        record = self._record_for(event, name, at)
        if record is None:
            return
        record.last_event_at = max(record.last_event_at, at)
        if name == "OriginateResponse":
            self._on_originate_response(record, event)
        self._note_channel(record, event)
        handler = getattr(self, f"_on_{name.lower()}", None)
        if handler is not None:
            handler(record, event, at)
        self._check_redirect(record, event, at)
        if name == "Hangup" and event.get("Uniqueid") == record.linkedid:
            self._close(record, at, "hangup")

    def _already_seen(self, event: Mapping) -> bool:
        if event.get("Event") == "Cdr":
            key = ("Cdr", event.get("Linkedid") or event.get("UniqueID"), event.get("Sequence"))
        elif event.get("Timestamp"):
            key = (event.get("Event"), event["Timestamp"], event.get("Uniqueid") or event.get("DestUniqueid")
                   or event.get("Channel") or event.get("Interface") or event.get("Device"))
        else:
            return False
        if key in self._seen:
            return True
        self._seen.add(key)
        self._seen_order.append(key)
        if len(self._seen_order) > SEEN_EVENTS_KEPT:
            self._seen.discard(self._seen_order.popleft())
        return False

    def _record_for(self, event: Mapping, name: str, at: datetime) -> CallRecord | None:
        linkedid = _linkedid(event)
        if not linkedid:
            if name == "OriginateResponse":
                self._emit(CallbackFailed(event.get("ActionID", ""), variable(event, "TICKET_NUMBER") or None,
                                          event.get("Channel", ""), event.get("Reason", "")))
            return None
        if linkedid in self._open:
            return self._open[linkedid]
        if linkedid in self._ended or name in TERMINAL_EVENTS:
            return None
        own = event.get("Uniqueid") or event.get("DestUniqueid")
        if own != linkedid:
            return None  # a leg of a call we never saw start: wait for resync
        record = CallRecord(linkedid=linkedid, arrived_at=at, last_event_at=at,
                            partial=name != "Newchannel")
        self._open[linkedid] = record
        return record

    # -- closing ------------------------------------------------------------

    def _close(self, record: CallRecord, at: datetime, reason: str) -> None:
        record.ended_at = max(at, record.arrived_at)
        record.end_reason = reason
        record.outcome = record.decide_outcome()
        self._open.pop(record.linkedid, None)
        self._ended[record.linkedid] = record
        self._emit(CallEnded(copy.deepcopy(record)))

    def expire(self, now: datetime) -> list[CallRecord]:
        """Close calls open longer than ``max_age``; forget long-ended ones.

        An expired call ends at its last event, the last moment we know it was alive.

        Returns:
            The records closed now.
        """
        expired = [r for r in self._open.values() if now - r.arrived_at > self.max_age]
        for record in expired:
            log.warning("call %s open for more than %s; closing it", record.linkedid, self.max_age)
            self._close(record, record.last_event_at, "expired")
        for linkedid, record in list(self._ended.items()):
            if now - record.ended_at > ENDED_MEMORY:
                del self._ended[linkedid]
        return expired

    def resync(self, channels: Iterable[Mapping], queue_entries: Iterable[Mapping] = (), *,
               now: datetime | None = None) -> None:
        """Bring the open calls in line with what Asterisk reports after a reconnect.

        Args:
            channels: CoreShowChannel items (each has Channel, Uniqueid, Linkedid,
                Application, Duration as ``HH:MM:SS``; no Timestamp).
            queue_entries: QueueEntry items of QueueStatus (callers waiting, with Wait).
            now: the time of the listing; the injected clock by default.

        Open calls with no channel left are closed (``end_reason="resync"``, at
        ``now``, since the real end was missed); calls we did not know are
        opened from the listing with ``partial=True`` and estimated times.
        """
        now = now or self._now()
        legs: dict[str, list[Mapping]] = {}
        for channel in channels:
            legs.setdefault(channel.get("Linkedid") or channel.get("Uniqueid", ""), []).append(channel)
        waiting = {entry.get("Channel"): entry for entry in queue_entries}
        for record in list(self._open.values()):
            if record.linkedid not in legs:
                self._close(record, now, "resync")
        for linkedid, group in legs.items():
            if linkedid and linkedid not in self._ended:
                self._resync_call(linkedid, group, waiting, now)

    def _resync_call(self, linkedid: str, group: list[Mapping], waiting: dict, now: datetime) -> None:
        own = next((c for c in group if c.get("Uniqueid") == linkedid), group[0])
        record = self._open.get(linkedid)
        if record is None:
            arrived = now - timedelta(seconds=parse_duration(own.get("Duration", "")))
            record = CallRecord(linkedid=linkedid, arrived_at=arrived, last_event_at=now, partial=True)
            self._open[linkedid] = record
            self._note_channel(record, own)
            if own.get("Application") == "Queue":
                record.queue = own.get("ApplicationData", "").split(",")[0] or None
        entry = waiting.get(own.get("Channel"))
        if entry is not None and record.queued_at is None:
            record.queue = entry.get("Queue") or record.queue
            record.queued_at = now - timedelta(seconds=float(entry.get("Wait") or 0))
        agent = next((c for c in group if c.get("Application") == "AppQueue"), None)
        if agent is not None and record.answered_at is None and own.get("BridgeId"):
            record.answered_at = now - timedelta(seconds=parse_duration(agent.get("Duration", "")))
            record.agent_interface = interface_of(agent.get("Channel", ""))
            record.agent_channel = agent.get("Channel")
            record.agent_uniqueid = agent.get("Uniqueid")
            record.connected_at_place = place(own)
            self._emit(CallConnected(linkedid, record.agent_interface, record.caller_number,
                                     None, record.queue, record.answered_at))

    def _emit(self, notification: Notification) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(notification)
            except Exception:  # a broken subscriber must not corrupt tracking
                log.exception("call subscriber %r failed on %r", subscriber, notification)


def _linkedid(event: Mapping) -> str | None:
    if event.get("Event") == "OriginateResponse":
        uniqueid = event.get("Uniqueid", "")
        return uniqueid if uniqueid and uniqueid != "<null>" else None
    return event.get("Linkedid") or event.get("DestLinkedid") or None

