"""Row ids taken before the rows are written, so a group's rows can be inserted without RETURNING.

A group of tickets (``tracking.actions.registration_batch``) inserts its
tickets, their events and their jobs with one ``executemany`` per table, which
psycopg pipelines with one prepared statement; the ORM would instead build one
multi-row ``INSERT ... RETURNING`` per group, a new statement text each time.
For that the rows need their ids first.
"""
from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids for rows of ``table``, in increasing order.

    PostgreSQL: from the column's sequence (ids are never reused; a rolled-back
    group leaves a gap, as a failed single insert does). SQLite: the next ids
    after the largest, which is safe because the caller's transaction holds
    SQLite's one write lock (``Database.transaction`` begins IMMEDIATE), and is
    what SQLite itself would choose for an ``INTEGER PRIMARY KEY``.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                    "FROM generate_series(1, :count)"), {"table": table.name, "count": count})
        return sorted(row[0] for row in rows)
    largest = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(largest + 1, largest + count + 1))
