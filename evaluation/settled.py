"""Months long closed (结转): their counts are stored once, so twelve-month trends stay quick.

A month's figures keep moving while its tickets are still being answered and
called back; ``settle_days`` after it ends (45 by default) they are taken as
final and stored the first time they are computed. Deciding or revoking an
exclusion forgets the department's stored months, which are then recounted.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from evaluation.models import SettledMonth
from evaluation.periods import Period, PeriodKind
from hotline.db import Database


def is_settled(period: Period, now: datetime, tz: ZoneInfo, settle_days: int) -> bool:
    """True for a calendar month that ended at least ``settle_days`` before ``now``."""
    return period.kind is PeriodKind.MONTH and now >= period.bounds(tz)[1] + timedelta(days=settle_days)


def load(db: Database, period: Period) -> dict[int, SettledMonth]:
    """The stored counts of ``period`` by department id (empty when none are stored)."""
    with db.reading() as session:
        rows = session.scalars(select(SettledMonth).where(SettledMonth.period == period.key))
        return {row.department_id: row for row in rows}


def save(db: Database, period: Period, rows: list[tuple[int, dict, float | None]], now: datetime) -> None:
    """Store a month's counts per department; rows another process stored first are kept."""
    if not rows:
        return
    with db.transaction() as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(SettledMonth).values([
            {"period": period.key, "department_id": department_id, "counts": counts,
             "handling_seconds": handling, "computed_at": now} for department_id, counts, handling in rows
        ]).on_conflict_do_nothing(index_elements=["period", "department_id"]))


def forget(session: Session, department_id: int) -> None:
    """Drop a department's stored months (in the caller's transaction): an exclusion changed them."""
    session.execute(delete(SettledMonth).where(SettledMonth.department_id == department_id))
