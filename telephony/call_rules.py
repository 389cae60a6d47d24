"""What each AMI event means for a call: the rules :class:`~telephony.tracker.CallTracker` applies.

One method per event type (``_on_<event>``), called with the call's record,
the event and its time; the tracker does the bookkeeping around them (finding
the record, ignoring repeats, closing, resync). The rules come from real
Asterisk 22 traffic; see the tracker's module doc for the surprising ones.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telephony.ami_protocol import interface_of, known, variable
from telephony.calls import CallConnected, CallQueued, CallRecord, CallTransferred, Direction, Notification, RingNoAnswer


class CallEventRules:
    """Mixin of :class:`~telephony.tracker.CallTracker`: it provides ``_emit``."""

    def _emit(self, notification: Notification) -> None:  # pragma: no cover - the tracker's
        raise NotImplementedError

    def _note_channel(self, record: CallRecord, event: Mapping) -> None:
        """Facts carried by any event of the citizen's own channel."""
        prefix = "" if event.get("Uniqueid") == record.linkedid else "Dest"
        if event.get(f"{prefix}Uniqueid") != record.linkedid:
            return
        record.channel = event.get(f"{prefix}Channel") or record.channel
        ticket = variable(event, "TICKET_NUMBER", dest=bool(prefix))
        if ticket:
            record.ticket_number = ticket
            record.direction = Direction.OUTBOUND
        if record.direction is Direction.INBOUND and record.caller_number is None:
            record.caller_number = known(event.get(f"{prefix}CallerIDNum"))

    def _on_queuecallerjoin(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        record.queue = event.get("Queue") or record.queue
        if record.queued_at is None:
            record.queued_at = at
            self._emit(CallQueued(record.linkedid, record.caller_number, record.queue, at))

    def _on_agentringnoanswer(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        ring_ms = float(event.get("RingTime") or 0)  # milliseconds here, unlike AgentConnect
        record.ring_no_answer.append(
            RingNoAnswer(event.get("Interface", ""), event.get("MemberName") or None, at, ring_ms / 1000))

    def _on_agentconnect(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if record.answered_at is not None:
            return
        record.answered_at = at
        record.queue = event.get("Queue") or record.queue
        record.agent_interface = event.get("Interface") or interface_of(event.get("DestChannel", ""))
        record.agent_name = event.get("MemberName") or None
        record.agent_channel = event.get("DestChannel") or None
        record.agent_uniqueid = event.get("DestUniqueid") or None
        record.connected_at_place = place(event)
        self._emit(CallConnected(record.linkedid, record.agent_interface, record.caller_number,
                                 record.agent_name, record.queue, at))

    def _on_queuecallerabandon(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        record.abandoned_in_queue = True
        record.left_queue_at = record.left_queue_at or at

    def _on_queuecallerleave(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        record.left_queue_at = record.left_queue_at or at

    def _on_agentcomplete(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        reason = event.get("Reason") or None
        if reason == "transfer":
            self._transfer(record, at, None)
        elif record.transferred_at is None:
            record.hangup_by = reason

    def _on_blindtransfer(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if event.get("Result", "Success") == "Success":
            self._transfer(record, at, f"{event.get('Extension', '')}@{event.get('Context', '')}")

    def _on_attendedtransfer(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if event.get("Result", "Success") == "Success":
            target = event.get("TransferTargetChannel") or event.get("SecondTransfererConnectedLineNum")
            self._transfer(record, at, interface_of(target) if target else None)

    def _on_dialbegin(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if "Channel" not in event:  # Originate: no caller channel, only Dest* fields
            record.direction = Direction.OUTBOUND
            number = event.get("DialString", "").split("@")[0].rpartition("/")[2]
            record.caller_number = number or record.caller_number
        elif record.transferred_at is not None and event.get("Uniqueid") == record.linkedid:
            record.transfer_destination = interface_of(event.get("DestChannel", "")) or None

    def _on_dialend(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if "Channel" not in event and event.get("DestUniqueid") == record.linkedid:
            record.dial_status = event.get("DialStatus") or None
            if record.dial_status == "ANSWER" and record.answered_at is None:
                record.answered_at = at

    def _on_hangup(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        if record.agent_uniqueid and event.get("Uniqueid") == record.agent_uniqueid:
            record.agent_leg_ended_at = at

    def _on_originate_response(self, record: CallRecord, event: Mapping) -> None:
        record.direction = Direction.OUTBOUND
        record.callback_action_id = event.get("ActionID") or record.callback_action_id
        record.ticket_number = variable(event, "TICKET_NUMBER") or record.ticket_number

    def _check_redirect(self, record: CallRecord, event: Mapping, at: datetime) -> None:
        """A Redirect shows only as the citizen's channel moving while the agent leg is up."""
        if (record.connected_at_place and record.transferred_at is None and record.agent_leg_ended_at is None
                and event.get("Uniqueid") == record.linkedid and event.get("Context")
                and place(event) != record.connected_at_place):
            self._transfer(record, at, place(event))

    def _transfer(self, record: CallRecord, at: datetime, target: str | None) -> None:
        if record.transferred_at is None:
            record.transferred_at = at
            record.transfer_target = target
            self._emit(CallTransferred(record.linkedid, target, at))


def place(event: Mapping) -> str:
    """Where a channel is in the dialplan: ``exten@context``."""
    return f"{event.get('Exten', '')}@{event.get('Context', '')}"
