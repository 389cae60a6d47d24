"""Evaluation's own tables: exclusions (核减) of tickets from a department's figures, and settled months.

The ledger is never changed by evaluation; what the supervision office
decides about scoring lives here, with who asked, who approved and why, so
every published figure can be traced to the tickets and decisions behind it.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import AwareDateTime, Base
from tracking.accounts import Department
from tracking.models import Ticket


# The evaluation's way into the ledger: hotline figures count tickets by the time they were
# registered (受理). The ledger has (status, registered_at), which a range over all statuses
# cannot use; this index is evaluation's own, created by its migration.
TICKETS_BY_REGISTRATION = Index("ix_tickets_registered_at", Ticket.registered_at)


class ExclusionStatus(StrEnum):
    PENDING = "pending"    # asked for (by the department or a supervisor), not decided
    APPROVED = "approved"  # in force: the ticket is out of the department's figures
    REJECTED = "rejected"
    REVOKED = "revoked"    # was approved, then withdrawn by the supervision office


EXCLUSION_STATUS_LABELS = {ExclusionStatus.PENDING: "待审核", ExclusionStatus.APPROVED: "已核准",
                           ExclusionStatus.REJECTED: "未核准", ExclusionStatus.REVOKED: "已撤销"}
LIVE_STATUSES = (ExclusionStatus.PENDING.value, ExclusionStatus.APPROVED.value)


class Exclusion(Base):
    """One request to take one ticket out of one department's figures, and its decision.

    At most one request per ticket and department is pending or approved at a
    time (a partial unique index, so two clicks cannot make two).
    """

    __tablename__ = "evaluation_exclusions"
    __table_args__ = (
        Index("uq_evaluation_exclusions_live", "ticket_id", "department_id", unique=True,
              postgresql_where=text("status IN ('pending', 'approved')"),
              sqlite_where=text("status IN ('pending', 'approved')")),
        Index("ix_evaluation_exclusions_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExclusionStatus] = mapped_column(String(12), default=ExclusionStatus.PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by_name: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(AwareDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_by_name: Mapped[str | None] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship()
    department: Mapped[Department] = relationship()


class SettledMonth(Base):
    """A department's counts of a month long closed (结转), kept so trends need not recount them.

    A month is settled ``settle_days`` after it ends (``config/data/evaluation.yaml``); its
    counts are stored the first time they are computed after that, and deleted again when an
    exclusion of one of its tickets is decided or revoked, so the next reading recounts it.
    """

    __tablename__ = "evaluation_settled_months"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-10"
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    handling_seconds: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(AwareDateTime())
