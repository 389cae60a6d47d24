"""Lists behind the numbers: the tickets of a figure (drill-down) and the exclusions of a period."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from evaluation.models import LIVE_STATUSES, Exclusion, ExclusionStatus
from evaluation.records import FLAGS, records_query
from evaluation.rules import Rules
from evaluation.sql import analytic
from hotline.db import Database
from hotline.paging import page_count
from tracking.accounts import Department
from tracking.models import TicketEvent

MAX_PAGE = 200


@dataclass(frozen=True)
class RecordRow:
    """One ticket behind a number, as the drill-down lists it."""

    number: str
    title: str
    status: str
    priority: str
    department_code: str
    department_name: str
    received_at: datetime
    first_reply_at: datetime | None
    reply_due_at: datetime | None
    satisfaction: str | None
    handling_hours: float | None
    flags: dict[str, int]


@dataclass(frozen=True)
class RecordPage:
    rows: list[RecordRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def records(db: Database, rules: Rules, start: datetime, end: datetime, now: datetime, *, flag: str,
            department_id: int | None = None, page: int = 1, per_page: int = 50) -> RecordPage:
    """The handling records of the period where ``flag`` is set, newest receipt first.

    Args:
        flag: one of ``records.FLAGS`` (e.g. ``overdue``, ``received``).
        page, per_page: which page, of at most ``MAX_PAGE`` rows.

    Raises:
        KeyError: unknown flag.
    """
    if flag not in FLAGS:
        raise KeyError(flag)
    per_page = max(1, min(per_page, MAX_PAGE))
    page = max(1, page)
    base = records_query(rules, start, end, now, department_id=department_id).subquery("records")
    d = Department.__table__
    # the total rides along on every row (a window count), so the records are counted once
    listing = (select(base, d.c.code.label("department_code"), d.c.name.label("department_name"),
                      func.count().over().label("total"))
               .join(d, d.c.id == base.c.department_id).where(base.c[flag] == 1)
               .order_by(base.c.received_at.desc(), base.c.ticket_id.desc())
               .limit(per_page).offset((page - 1) * per_page))
    with db.reading() as session:
        analytic(session)
        found = session.execute(listing).all()
        total = found[0].total if found else 0
        if not found and page > 1:  # past the last page: count without a page
            total = session.scalar(select(func.count()).select_from(base).where(base.c[flag] == 1)) or 0
    return RecordPage([_row(r) for r in found], total, page, per_page)


def stream_records(db: Database, rules: Rules, start: datetime, end: datetime, now: datetime, *,
                   flag: str = "received", department_id: int | None = None) -> Iterator[RecordRow]:
    """Every record of the period where ``flag`` is set, by department then receipt, read in batches.

    For reports: the whole list goes to a file without being held in memory.
    """
    if flag not in FLAGS:
        raise KeyError(flag)
    base = records_query(rules, start, end, now, department_id=department_id).subquery("records")
    d = Department.__table__
    query = (select(base, d.c.code.label("department_code"), d.c.name.label("department_name"))
             .join(d, d.c.id == base.c.department_id).where(base.c[flag] == 1)
             .order_by(d.c.id, base.c.received_at, base.c.ticket_id))
    with db.reading() as session:
        analytic(session)
        for r in session.execute(query.execution_options(yield_per=2000)):
            yield _row(r)


def period_exclusions(db: Database, start: datetime, end: datetime, *, department_id: int | None = None,
                      statuses: tuple[str, ...] = (ExclusionStatus.APPROVED.value,)) -> list[Exclusion]:
    """Exclusions of tickets the department received in ``[start, end)`` (what a report lists)."""
    e = TicketEvent
    received_in_period = exists().where(
        e.ticket_id == Exclusion.ticket_id, e.department_id == Exclusion.department_id,
        e.action.in_(("dispatch", "reassign")), e.at >= start, e.at < end)
    query = (select(Exclusion).where(received_in_period, Exclusion.status.in_(statuses))
             .options(selectinload(Exclusion.ticket), selectinload(Exclusion.department))
             .order_by(Exclusion.department_id, Exclusion.id))
    if department_id is not None:
        query = query.where(Exclusion.department_id == department_id)
    with db.reading() as session:
        return list(session.scalars(query))


def pending_exclusions(db: Database, *, department_id: int | None = None) -> list[Exclusion]:
    """Requests waiting for the supervision office, oldest first."""
    query = (select(Exclusion).where(Exclusion.status == ExclusionStatus.PENDING.value)
             .options(selectinload(Exclusion.ticket), selectinload(Exclusion.department))
             .order_by(Exclusion.requested_at, Exclusion.id))
    if department_id is not None:
        query = query.where(Exclusion.department_id == department_id)
    with db.reading() as session:
        return list(session.scalars(query))


@dataclass(frozen=True)
class Candidate:
    """A return the hotline accepted (the ticket went elsewhere), with the department's reason."""

    record: RecordRow
    reason: str


def misrouted_candidates(db: Database, rules: Rules, start: datetime, end: datetime, now: datetime, *,
                         department_id: int | None = None, limit: int = 100) -> list[Candidate]:
    """Returns of the period that the hotline accepted, not yet excluded or asked for."""
    base = records_query(rules, start, end, now, department_id=department_id).subquery("records")
    x = Exclusion.__table__
    asked = exists().where(x.c.ticket_id == base.c.ticket_id, x.c.department_id == base.c.department_id,
                           x.c.status.in_(LIVE_STATUSES))
    e = TicketEvent.__table__
    reason = (select(e.c.note).where(e.c.ticket_id == base.c.ticket_id, e.c.department_id == base.c.department_id,
                                     e.c.action == "return")
              .order_by(e.c.id.desc()).limit(1).scalar_subquery())
    d = Department.__table__
    query = (select(base, d.c.code.label("department_code"), d.c.name.label("department_name"),
                    reason.label("return_reason"))
             .join(d, d.c.id == base.c.department_id).where(base.c.misrouted == 1, ~asked)
             .order_by(base.c.received_at.desc()).limit(limit))
    with db.reading() as session:
        return [Candidate(_row(r), r.return_reason or "") for r in session.execute(query)]


def _row(r) -> RecordRow:
    return RecordRow(
        number=r.number, title=r.title, status=r.status, priority=r.priority,
        department_code=r.department_code, department_name=r.department_name, received_at=r.received_at,
        first_reply_at=r.first_reply_at, reply_due_at=r.reply_due_at, satisfaction=r.satisfaction,
        handling_hours=r.handling_seconds / 3600.0 if r.handling_seconds is not None else None,
        flags={name: int(getattr(r, name)) for name in FLAGS})
