"""The ticket ledger: citizens, tickets (工单), their append-only event log, and numbering."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import AwareDateTime, Base
from tracking.accounts import Department, User
from tracking.states import Channel, Priority, Satisfaction, Status


class Contact(Base):
    """A citizen or company that reached the hotline, known by phone where there is one."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Ticket(Base):
    """One request, whatever channel it came through, from 受理 to 办结.

    Contact name and phone are copied onto the ticket: they are what the citizen
    said this time, and a ticket must read the same years later.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_tickets_channel_external_id"),
        Index("ix_tickets_department_status", "department_id", "status"),
        Index("ix_tickets_status_registered_at", "status", "registered_at"),
        # Only tickets with a threshold ahead are in it: closed ones (the vast
        # majority, over the years) add nothing to what the sweep reads.
        Index("ix_tickets_next_alert_at", "next_alert_at", postgresql_where=text("next_alert_at IS NOT NULL"),
              sqlite_where=text("next_alert_at IS NOT NULL")),
        Index("ix_tickets_step_due_at", "step_due_at", postgresql_where=text("step_due_at IS NOT NULL"),
              sqlite_where=text("step_due_at IS NOT NULL")),
        # A department's lights counted from the index alone (the reminder texts, the portal's summary).
        Index("ix_tickets_department_step_due", "department_id", "step_due_at", "step", "step_yellow_at",
              postgresql_where=text("step_due_at IS NOT NULL"), sqlite_where=text("step_due_at IS NOT NULL")),
        # The supervision office's lists of the few: pending extension requests, escalated tickets.
        Index("ix_tickets_extension_pending", "status", "department_id",
              postgresql_where=text("extension_requested_days IS NOT NULL"),
              sqlite_where=text("extension_requested_days IS NOT NULL")),
        Index("ix_tickets_escalated", "status", "escalated_at", "department_id",
              postgresql_where=text("escalated_at IS NOT NULL"), sqlite_where=text("escalated_at IS NOT NULL")),
        # Merged tickets only: counting every NULL, SQLite's statistics made `merged_into_id = ?` a table
        # scan (migration tracking_0002).
        Index("ix_tickets_merged_into_id", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL"),
              sqlite_where=text("merged_into_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[Channel] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(80), default="")
    contact_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    service_code: Mapped[str | None] = mapped_column(String(60), index=True)
    priority: Mapped[Priority] = mapped_column(String(20), default=Priority.NORMAL)
    status: Mapped[Status] = mapped_column(String(20), default=Status.REGISTERED)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    registered_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    sign_in_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reply_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    upstream_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    callback_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    called_back_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    return_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_requested_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[Satisfaction | None] = mapped_column(String(24))
    resolved: Mapped[bool | None] = mapped_column(Boolean)

    # The clock of the step the ticket waits for now (签收, 答复 or 回访), kept
    # by every action through tracking.schedule, so lights, queues and the
    # deadline sweep read indexed columns instead of recomputing per ticket.
    step: Mapped[str | None] = mapped_column(String(10))           # sign_in, reply, callback
    step_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    step_yellow_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    alerted_light: Mapped[str | None] = mapped_column(String(10))  # last light reminded of, this step
    next_alert_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # next threshold to act on

    contact: Mapped[Contact | None] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id")

    @property
    def is_open(self) -> bool:
        from tracking.states import OPEN_STATUSES
        return self.status in OPEN_STATUSES


class TicketEvent(Base):
    """One step in a ticket's life: who, when, what, from which status to which.

    Append-only: the migration installs triggers that refuse UPDATE and DELETE,
    so the audit trail cannot be edited even by a careless script.
    """

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[Status | None] = mapped_column(String(20))
    to_status: Mapped[Status] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketCounter(Base):
    """Last sequence number used for ticket numbers of one local day (YYYYMMDD)."""

    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
