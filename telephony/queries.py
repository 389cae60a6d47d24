"""Reading the telephony tables: calls over a period, an agent's current call, breaks."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from hotline.db import Database
from telephony.calls import CallRecord
from telephony.models import AgentBreak, Call
from telephony.store import record_from_row
from tracking.accounts import User

MAX_CALLS_READ = 200_000
"""A guard on one report's size; a month of a large city's calls is well below it."""


def records_between(db: Database, start: datetime, end: datetime) -> list[CallRecord]:
    """Calls that entered the queue (or, if never queued, arrived) in [start, end)."""
    with db.reading() as session:
        rows = session.scalars(select(Call).where(or_(
            and_(Call.queued_at >= start, Call.queued_at < end),
            and_(Call.queued_at.is_(None), Call.arrived_at >= start, Call.arrived_at < end),
        )).order_by(Call.arrived_at).limit(MAX_CALLS_READ)).all()
        return [record_from_row(row) for row in rows]


def missed_numbers_since(db: Database, since: datetime) -> set[str]:
    """Numbers with an offered call missed since ``since`` (the only numbers 漏话回拨 may dial)."""
    with db.reading() as session:
        return set(session.scalars(select(Call.caller_number).where(
            Call.arrived_at >= since, Call.queue.is_not(None), Call.direction == "inbound",
            Call.outcome.in_(["abandoned", "unanswered"]), Call.caller_number.is_not(None))))


def current_call(db: Database, interface: str, linkedid: str | None = None) -> Call | None:
    """The answered, unfinished call on an agent's phone (the newest), or the one named."""
    with db.reading() as session:
        query = select(Call).where(Call.agent_interface == interface, Call.ended_at.is_(None),
                                   Call.answered_at.is_not(None))
        if linkedid:
            query = query.where(Call.linkedid == linkedid)
        return session.scalar(query.order_by(Call.answered_at.desc()).limit(1))


def agent_interface_of(db: Database, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    with db.reading() as session:
        return session.scalar(select(User.agent_interface).where(User.id == user_id))


def open_break(db: Database, user_id: int) -> AgentBreak | None:
    with db.reading() as session:
        return session.scalar(select(AgentBreak).where(AgentBreak.user_id == user_id, AgentBreak.ended_at.is_(None))
                              .order_by(AgentBreak.started_at.desc()).limit(1))


def current_breaks(db: Database) -> list[dict]:
    """Agents on a break now (小休中), longest first: who, on which phone, why, since when."""
    with db.reading() as session:
        rows = session.execute(select(AgentBreak, User.display_name).join(User, User.id == AgentBreak.user_id)
                               .where(AgentBreak.ended_at.is_(None)).order_by(AgentBreak.started_at)).all()
    return [{"name": name, "interface": brk.interface, "reason": brk.reason, "since": brk.started_at}
            for brk, name in rows]
