"""What intake keeps besides the ticket: every message as it arrived, files, SMS sent and surveys.

The ticket says what the citizen wants; these tables say how it reached us
(the raw payload, for audit and for re-delivery checks), which files came with
it, which SMS we sent about it and which satisfaction survey (短信评议) a reply
from a phone belongs to.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import AwareDateTime, Base
from tracking.states import Channel


class Outcome(StrEnum):
    """What became of one incoming message."""

    RECEIVED = "received"          # stored; the ticket is being registered
    TICKET = "ticket"              # registered as a new ticket
    REPEAT = "repeat"              # registered and folded into an earlier open ticket (并单)
    SURVEY_ANSWER = "survey_answer"  # a 1/2/3 reply to a satisfaction survey
    NOTE = "note"                  # another reply, kept as a message on the surveyed ticket
    UNMATCHED = "unmatched"        # kept for audit, nothing to attach it to (e.g. a bare "1")


class IntakeMessage(Base):
    """One message as it arrived on a channel, kept unchanged for audit.

    ``(channel, external_id)`` is unique: a re-delivery (Twilio retrying a
    webhook, a platform pushing an order again) finds this row and its ticket.
    """

    __tablename__ = "intake_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_intake_messages_channel_external_id"),
        Index("ix_intake_messages_sender_received_at", "sender", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(160))
    sender: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(AwareDateTime())
    stored_at: Mapped[datetime] = mapped_column(AwareDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[Outcome] = mapped_column(String(20), default=Outcome.RECEIVED)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    settled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class Attachment(Base):
    """A file that came with a message (a photo, a letter's scan) or a link to one.

    Files are stored under ``settings.upload_dir`` by their SHA-256, so storing
    the same upload twice keeps one copy; ``url`` is set instead for media the
    sender only linked to (Open311 ``media_url``, Twilio MMS), never fetched.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_message_id: Mapped[int | None] = mapped_column(ForeignKey("intake_messages.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored_path: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class SmsStatus(StrEnum):
    SENDING = "sending"      # handed to the provider; the worker has not seen its answer yet
    UNKNOWN = "unknown"      # the worker died while sending: not sent again, a person checks
    SENT = "sent"            # accepted by the provider (or printed by the console sender)
    DELIVERED = "delivered"  # the provider's status callback says it reached the phone
    FAILED = "failed"        # this attempt failed; ``error`` says why


class SmsMessage(Base):
    """One outbound SMS attempt: what was sent to whom, why, through which provider, and how it went."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    to: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[SmsStatus] = mapped_column(String(12))
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)


class SmsSurvey(Base):
    """A satisfaction survey (短信评议) sent for one reply of a ticket, and the answer if any.

    One per (ticket, reply): a ticket re-opened and answered again is surveyed
    again, and the sweep that sends surveys can run twice without sending twice.
    """

    __tablename__ = "sms_surveys"
    __table_args__ = (
        UniqueConstraint("ticket_id", "replied_at", name="uq_sms_surveys_ticket_id"),
        Index("ix_sms_surveys_phone_sent_at", "phone", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    replied_at: Mapped[datetime] = mapped_column(AwareDateTime())
    phone: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(AwareDateTime())
    answer: Mapped[str | None] = mapped_column(String(24))
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
