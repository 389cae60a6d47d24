"""In-app notifications (站内消息) for staff: a department's new tickets, reminders, decisions.

A notification is addressed to an audience, not to each person: a department
(all its staff see it) or a role (every supervisor, every agent). What each
person has seen is one watermark per user (the highest id seen), so the badge
in the navigation is one indexed count and a new colleague is not handed a
backlog of thousands. The work itself lives in the queues (the department
portal, the supervision pages); a notification only points at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from hotline.db import AwareDateTime, Base, Database
from tracking.models import Ticket
from tracking.states import Role

if TYPE_CHECKING:  # the actions import this module to notify; import Actor lazily to avoid a cycle
    from tracking.actions.actor import Actor

BADGE_CAP = 99  # the badge shows "99+" beyond this; counting further is wasted work
PAGE_SIZE = 50
# Which role-addressed notifications each role reads (department staff read their department's).
AUDIENCE_ROLES = {Role.AGENT: ("agent",), Role.SUPERVISOR: ("supervisor",), Role.ADMIN: ("supervisor", "admin")}


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_department_id_id", "department_id", "id"),
        Index("ix_notifications_role_id", "role", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())

    ticket: Mapped[Ticket | None] = relationship()


class NotificationCursor(Base):
    """The newest notification a user has seen (everything up to it counts as read)."""

    __tablename__ = "notification_cursors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    seen_id: Mapped[int] = mapped_column()
    seen_at: Mapped[datetime] = mapped_column(AwareDateTime())


def notify(session: Session, *, kind: str, text: str, now: datetime, ticket: Ticket | None = None,
           department_id: int | None = None, role: Role | None = None) -> Notification:
    """Add a notification in the caller's transaction (exactly one audience).

    Args:
        kind: a short machine name, e.g. ``remind``, ``dispatched``, ``extension_requested``.
        text: the line shown to staff, in Chinese.
        department_id: address it to this department's staff, or
        role: address it to every user of this role.

    Raises:
        ValueError: neither or both audiences given.
    """
    note = Notification(**notification_fields(kind=kind, text=text, now=now, ticket_id=ticket.id if ticket else None,
                                              department_id=department_id, role=role))
    session.add(note)
    return note


def notification_fields(*, kind: str, text: str, now: datetime, ticket_id: int | None,
                        department_id: int | None = None, role: Role | None = None) -> dict:
    """The columns of one notification row, as :func:`notify` and the sweep's bulk insert write them.

    Raises:
        ValueError: neither or both audiences given.
    """
    if (department_id is None) == (role is None):
        raise ValueError("a notification goes to a department or to a role, not both or neither")
    return dict(department_id=department_id, role=role.value if role else None, kind=kind, text=text[:500],
                created_at=now, ticket_id=ticket_id)


def _audience(actor: Actor):
    if actor.role is Role.DEPARTMENT:
        return Notification.department_id == actor.department_id if actor.department_id else None
    roles = AUDIENCE_ROLES.get(actor.role)
    return Notification.role.in_(roles) if roles else None


def _seen_id(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return session.scalar(select(NotificationCursor.seen_id).where(NotificationCursor.user_id == actor.user_id)) or 0


def unread_count(db: Database, actor: Actor | None) -> int:
    """How many notifications the actor has not seen, counted up to ``BADGE_CAP + 1``."""
    if actor is None or actor.user_id is None or (audience := _audience(actor)) is None:
        return 0
    with db.reading() as session:
        newer = select(Notification.id).where(audience, Notification.id > _seen_id(session, actor)) \
            .limit(BADGE_CAP + 1).subquery()
        return session.scalar(select(func.count()).select_from(newer)) or 0


@dataclass(frozen=True)
class Inbox:
    items: list[Notification]
    seen_id: int  # items with a higher id are new to the reader


def inbox(db: Database, actor: Actor, *, before_id: int | None = None) -> Inbox:
    """The actor's latest notifications, newest first (``before_id`` pages back)."""
    audience = _audience(actor)
    if audience is None:
        return Inbox([], 0)
    with db.reading() as session:
        query = select(Notification).where(audience)
        if before_id:
            query = query.where(Notification.id < before_id)
        items = list(session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE)))
        for item in items:
            _ = item.ticket  # load while the session is open
        return Inbox(items, _seen_id(session, actor))


def mark_seen(db: Database, actor: Actor, up_to_id: int, *, now: datetime) -> None:
    """Move the actor's watermark forward to ``up_to_id`` (never backward)."""
    if actor.user_id is None or up_to_id <= 0:
        return
    with db.transaction() as session:
        cursor = session.get(NotificationCursor, actor.user_id, with_for_update=True)
        if cursor is None:
            try:
                with session.begin_nested():  # two tabs opened at once may both insert
                    session.add(NotificationCursor(user_id=actor.user_id, seen_id=up_to_id, seen_at=now))
                return
            except IntegrityError:
                cursor = session.get(NotificationCursor, actor.user_id, with_for_update=True)
        if cursor.seen_id < up_to_id:
            cursor.seen_id, cursor.seen_at = up_to_id, now
