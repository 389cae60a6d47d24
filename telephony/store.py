"""Writing call records to the ``calls`` table, idempotently.

The tracker sends the whole state of a call each time something happens, and
several processes may follow the same Asterisk (every web process keeps its
own AMI session for call control). So :func:`save_call` is an upsert with
merge rules, and writing a state twice, or an older state after a newer one,
never changes the row for the worse:

* an ended row is never reopened by an open snapshot, and an end seen from a
  real Hangup is never replaced by one guessed at a resync or by expiry;
* a snapshot rebuilt from a resync (``partial``) does not overwrite the exact
  times another process stored from the events themselves;
* the ticket link set by :func:`telephony.linking.link_call_to_ticket` is kept.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.db import Database
from telephony.calls import MAX_CALL_AGE, CallOutcome, CallRecord, Direction, RingNoAnswer
from telephony.models import Call
from tracking.accounts import User
from tracking.models import Ticket

log = logging.getLogger(__name__)

TIMES = ("arrived_at", "queued_at", "left_queue_at", "answered_at", "agent_leg_ended_at", "transferred_at")
"""Moments a resync can only estimate."""

FACTS = ("caller_number", "channel", "queue", "agent_interface", "agent_name", "agent_channel", "ticket_number",
         "callback_action_id", "hangup_by", "dial_status", "transfer_target", "transfer_destination")
"""What any snapshot may add, never erase."""

ENDING = ("ended_at", "end_reason")


@dataclass(frozen=True)
class Saved:
    """What :func:`save_call` did: the row's id and whether this write ended the call."""

    call_id: int
    just_ended: bool
    ticket_id: int | None
    agent_user_id: int | None
    outcome: str | None = None


def save_call(db: Database, record: CallRecord, *, now: datetime, source: str = "asterisk",
              agent_user_id: int | None = None) -> Saved:
    """Insert or merge ``record`` into its ``calls`` row (see the module doc for the rules).

    Args:
        now: when we write; kept as ``updated_at``.
        source: ``asterisk`` or ``twilio``.
        agent_user_id: the agent when the caller knows it (Twilio); else found
            from ``users.agent_interface``.
    """
    for attempt in (1, 2):
        try:
            with db.transaction() as session:
                return _save(session, record, now, source, agent_user_id)
        except IntegrityError:  # another process inserted the same call first: merge into its row
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _save(session: Session, record: CallRecord, now: datetime, source: str, agent_user_id: int | None) -> Saved:
    row = session.scalar(select(Call).where(Call.linkedid == record.linkedid).with_for_update())
    was_open = row is None or row.ended_at is None
    if row is None:
        row = Call(linkedid=record.linkedid, source=source, direction=record.direction.value,
                   arrived_at=record.arrived_at, last_event_at=record.last_event_at, updated_at=now,
                   partial=record.partial, abandoned_in_queue=False, ring_no_answer=[])
        session.add(row)
        _merge(row, record, prefer_stored=False)
    elif _is_stale(row, record):
        return Saved(row.id, False, row.ticket_id, row.agent_user_id, row.outcome)
    else:
        _merge(row, record, prefer_stored=record.partial and not row.partial)
    row.updated_at = now
    if row.agent_user_id is None:
        row.agent_user_id = agent_user_id or _agent_user(session, row.agent_interface)
    if row.ticket_id is None and row.ticket_number:
        row.ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == row.ticket_number))
    session.flush()
    return Saved(row.id, was_open and row.ended_at is not None, row.ticket_id, row.agent_user_id, row.outcome)


def _is_stale(row: Call, record: CallRecord) -> bool:
    if row.ended_at is None:
        return False
    if record.ended_at is None:
        return True  # an open snapshot after the end
    return row.end_reason == "hangup" and record.end_reason != "hangup"


def _merge(row: Call, record: CallRecord, *, prefer_stored: bool) -> None:
    for name in FACTS:
        value = getattr(record, name)
        if value is not None and not (prefer_stored and getattr(row, name) is not None):
            setattr(row, name, value)
    for name in TIMES:
        value = getattr(record, name)
        if value is not None and not (prefer_stored and getattr(row, name) is not None):
            setattr(row, name, value)
    if record.direction is Direction.OUTBOUND:
        row.direction = Direction.OUTBOUND.value
    row.abandoned_in_queue = row.abandoned_in_queue or record.abandoned_in_queue
    row.partial = row.partial and record.partial
    row.last_event_at = max(row.last_event_at, record.last_event_at)
    if record.ring_no_answer:
        row.ring_no_answer = [_ring_json(ring) for ring in record.ring_no_answer]
    if record.ended_at is not None:
        row.ended_at, row.end_reason = record.ended_at, record.end_reason
    merged = record_from_row(row)
    row.wait_seconds, row.talk_seconds = merged.wait_seconds, merged.talk_seconds
    row.outcome = merged.decide_outcome().value if row.ended_at is not None else None


def _ring_json(ring: RingNoAnswer) -> dict:
    return {"interface": ring.interface, "member_name": ring.member_name, "at": ring.at.isoformat(),
            "ring_seconds": ring.ring_seconds}


def _agent_user(session: Session, interface: str | None) -> int | None:
    if not interface:
        return None
    return session.scalar(select(User.id).where(User.agent_interface == interface, User.active.is_(True))
                          .order_by(User.id).limit(1))


def record_from_row(row: Call) -> CallRecord:
    """The :class:`CallRecord` a row stands for (figures are computed on records)."""
    values = {f.name: getattr(row, f.name) for f in fields(CallRecord)
              if f.name not in {"direction", "outcome", "ring_no_answer"} and hasattr(row, f.name)}
    record = CallRecord(**values)
    record.direction = Direction(row.direction)
    record.outcome = CallOutcome(row.outcome) if row.outcome else None
    return record


def close_stale_calls(db: Database, now: datetime, max_age: timedelta = MAX_CALL_AGE) -> int:
    """Close rows open for longer than ``max_age`` since their last event (a process died mid-call).

    Such a call ends at its last event, the last moment it was known alive.

    Returns:
        How many rows were closed.
    """
    with db.transaction() as session:
        rows = session.scalars(select(Call).where(Call.ended_at.is_(None), Call.last_event_at < now - max_age)
                               .with_for_update()).all()
        for row in rows:
            _end(row, row.last_event_at, "expired", now)
    if rows:
        log.warning("closed %d calls left open for more than %s", len(rows), max_age)
    return len(rows)


def close_calls_gone(db: Database, still_open: set[str], *, listed_at: datetime, now: datetime) -> int:
    """After a resync: close Asterisk calls that started before the listing and are not in it.

    Args:
        still_open: Linkedids Asterisk listed (CoreShowChannels) at ``listed_at``.
    """
    with db.transaction() as session:
        rows = session.scalars(select(Call).where(
            Call.ended_at.is_(None), Call.source == "asterisk", Call.arrived_at < listed_at).with_for_update()).all()
        gone = [row for row in rows if row.linkedid not in still_open]
        for row in gone:
            _end(row, listed_at, "resync", now)
    return len(gone)


def _end(row: Call, at: datetime, reason: str, now: datetime) -> None:
    row.ended_at, row.end_reason, row.updated_at = max(at, row.arrived_at), reason, now
    record = record_from_row(row)
    row.wait_seconds, row.talk_seconds = record.wait_seconds, record.talk_seconds
    row.outcome = record.decide_outcome().value
