"""Tables of the telephony domain: one row per call, and agents' breaks (小休).

A ``calls`` row is the stored form of a :class:`~telephony.calls.CallRecord`,
keyed on the call's Linkedid (Asterisk) or CallSid (Twilio). It is written by
upsert from the tracker's notifications and the Twilio webhooks, so writing
the same state twice changes nothing. The wait and talk seconds are stored
beside the times they come from, for reports that only read the table.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import AwareDateTime, Base


class Call(Base):
    """One citizen call with all its legs (来电记录), or one callback we placed (外呼)."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_queued_at", "queued_at"),
        Index("ix_calls_arrived_at", "arrived_at"),
        Index("ix_calls_agent_interface_ended_at", "agent_interface", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(12), default="asterisk")  # asterisk, twilio
    direction: Mapped[str] = mapped_column(String(12))  # telephony.calls.Direction
    caller_number: Mapped[str | None] = mapped_column(String(32), index=True)
    channel: Mapped[str | None] = mapped_column(String(80))
    queue: Mapped[str | None] = mapped_column(String(40))
    agent_interface: Mapped[str | None] = mapped_column(String(64))
    agent_name: Mapped[str | None] = mapped_column(String(80))
    agent_channel: Mapped[str | None] = mapped_column(String(80))
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    ticket_number: Mapped[str | None] = mapped_column(String(64))  # TICKET_NUMBER of a callback
    callback_action_id: Mapped[str | None] = mapped_column(String(80))

    arrived_at: Mapped[datetime] = mapped_column(AwareDateTime())
    queued_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    left_queue_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    agent_leg_ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    transferred_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), index=True)
    last_event_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())

    wait_seconds: Mapped[float | None] = mapped_column(Float)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    abandoned_in_queue: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(16))  # telephony.calls.CallOutcome
    end_reason: Mapped[str | None] = mapped_column(String(16))  # hangup, resync, expired
    hangup_by: Mapped[str | None] = mapped_column(String(16))
    dial_status: Mapped[str | None] = mapped_column(String(16))
    transfer_target: Mapped[str | None] = mapped_column(String(80))
    transfer_destination: Mapped[str | None] = mapped_column(String(80))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    # agents rung who did not answer: [{"interface", "member_name", "at", "ring_seconds"}]
    ring_no_answer: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class AgentBreak(Base):
    """A time an agent was paused in the queue (小休, 示忙), from pause to unpause."""

    __tablename__ = "agent_breaks"
    __table_args__ = (Index("ix_agent_breaks_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    interface: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(80), default="")
    started_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
