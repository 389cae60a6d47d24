"""The access log (查阅记录): who read a citizen's full contact details, when, and where.

Agents and supervisors see a citizen's whole phone number because they call
people back; that need is legitimate, but each such read is still a use of
personal information (个人信息保护法 art. 51: access control and audit of
personal information processing). One row per ticket read, so "who has looked
at this citizen's number" is one indexed query.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import AwareDateTime, Base


class AccessLogEntry(Base):
    """One read of one ticket's full contact details by one member of staff (or API key)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    what: Mapped[str] = mapped_column(String(40))      # ticket_page, ticket_api, ticket_list, callbacks...
    path: Mapped[str] = mapped_column(String(300))
    client: Mapped[str] = mapped_column(String(64))    # the client address, as the rate limiter sees it
