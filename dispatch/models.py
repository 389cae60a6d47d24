"""Dispatch's own tables: the proposal made for each ticket, and assisting departments (协办).

The ledger (tickets, events) stays tracking's; dispatch keeps beside it what
only dispatch knows: which model version or rule proposed which department,
with what confidence, and whether the ticket was sent on or left for a
dispatcher. That row is what the triage queue lists, what corrections are
measured against, and what tells an auditor why a ticket went where it went.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import AwareDateTime, Base


class Outcome(StrEnum):
    """What routing did with its proposal."""

    DISPATCHED = "dispatched"  # sent to the department by 智能分派
    TRIAGE = "triage"          # left registered for a dispatcher (分派审核)
    RECORDED = "recorded"      # noted only: a person was deciding (console), or the ticket had moved on


class TicketProposal(Base):
    """One proposal for one ticket; the latest row of a ticket is its current proposal."""

    __tablename__ = "dispatch_proposals"
    __table_args__ = (
        Index("ix_dispatch_proposals_ticket_id", "ticket_id", "id"),
        # The triage queue reads only rows left for a dispatcher.
        Index("ix_dispatch_proposals_triage", "outcome", "ticket_id",
              postgresql_where=text("outcome = 'triage'"), sqlite_where=text("outcome = 'triage'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    made_at: Mapped[datetime] = mapped_column(AwareDateTime())
    model_name: Mapped[str | None] = mapped_column(String(80))      # name in the model store
    model_version: Mapped[str | None] = mapped_column(String(80))   # None: no model was available
    label: Mapped[str | None] = mapped_column(String(80))           # the model's own answer
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    department_code: Mapped[str | None] = mapped_column(String(40))
    service_code: Mapped[str | None] = mapped_column(String(60))
    district: Mapped[str | None] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(80))            # name of the rule that decided, if one did
    priority: Mapped[str | None] = mapped_column(String(20))        # urgency the rule asked for
    alternatives: Mapped[list[Any]] = mapped_column(JSON, default=list)
    top_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_triage: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")           # why it was (not) sent on, in Chinese
    outcome: Mapped[Outcome] = mapped_column(String(12), default=Outcome.RECORDED)


class TicketAssist(Base):
    """协办: a department that assists the lead department (主办) on a ticket.

    Assisting departments may read the ticket and send the lead their
    opinion; only the lead signs in, replies or returns it. A row is ended
    (``removed_at``), never deleted, so the ticket's history keeps it.
    """

    __tablename__ = "dispatch_assists"
    __table_args__ = (
        Index("ix_dispatch_assists_department_ticket", "department_id", "ticket_id"),
        Index("ix_dispatch_assists_ticket_id", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    added_at: Mapped[datetime] = mapped_column(AwareDateTime())
    added_by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    opinion: Mapped[str | None] = mapped_column(Text)               # the assisting department's answer to the lead
    opinion_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    opinion_by: Mapped[str | None] = mapped_column(String(80))
    removed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(80))
