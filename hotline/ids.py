"""Row ids taken before the rows are written, so rows can be inserted without RETURNING.

A registration (``tracking.actions.ticket_rows``) inserts its tickets, their
events and their jobs with one ``executemany`` per table, which psycopg
pipelines with one prepared statement; the ORM would instead build an
``INSERT ... RETURNING`` per group, a new statement text each time. For that the
rows need their ids first, and all of them come in one round trip.
"""
from __future__ import annotations

import functools

from sqlalchemy import Table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids for rows of ``table``, in increasing order (see :func:`next_ids_of`)."""
    return next_ids_of(session, {table: count})[table]


def next_ids_of(session: Session, counts: dict[Table, int]) -> dict[Table, list[int]]:
    """New ids for rows of several tables, with one statement.

    PostgreSQL: from each table's id sequence (ids are never reused; a rolled-back
    transaction leaves a gap, as a failed single insert does). SQLite: the next ids
    after the largest, which is safe because the caller's transaction holds SQLite's
    one write lock (``Database.transaction`` begins IMMEDIATE), and is what SQLite
    itself would choose for an ``INTEGER PRIMARY KEY``.
    """
    wanted = [(table, count) for table, count in counts.items() if count > 0]
    ids: dict[Table, list[int]] = {table: [] for table in counts}
    if not wanted:
        return ids
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _statement(tuple(table.name for table, _ in wanted), postgres)
    row = session.execute(statement, {f"n{i}": count for i, (_, count) in enumerate(wanted)} if postgres
                          else {}).one()
    for (table, count), value in zip(wanted, row):
        ids[table] = sorted(value) if postgres else list(range((value or 0) + 1, (value or 0) + count + 1))
    return ids


@functools.lru_cache(maxsize=64)
def _statement(names: tuple[str, ...], postgres: bool) -> TextClause:
    """One statement text per set of tables, the counts bound: an intake group's sizes vary, and a text
    naming them would be new for each combination, parsed and planned anew by PostgreSQL (psycopg
    prepares a text only once it has been used five times)."""
    # Table names come from our own models, never from input.
    columns = [new_ids_sql(name, f":n{i}") if postgres else f"(SELECT max(id) FROM {name})"
               for i, name in enumerate(names)]
    return text("SELECT " + ", ".join(columns))


def new_ids_sql(table_name: str, count: str) -> str:
    """PostgreSQL: a subquery giving an array of ``count`` new ids from ``table_name``'s id sequence.

    ``table_name`` is one of our models' tables and ``count`` an SQL expression (a bind parameter or
    one computed from them), never input.
    """
    return (f"(SELECT array_agg(nextval(pg_get_serial_sequence('{table_name}', 'id'))) "
            f"FROM generate_series(1, {count}))")


def assign_ids(session: Session) -> None:
    """Give the session's new objects their ids now, all in one round trip.

    The flush then inserts each table's rows with one ``executemany`` (pipelined, one
    prepared statement), instead of a multi-row ``INSERT ... RETURNING`` whose text
    changes with the number of rows, which psycopg parses anew every time: a batch
    action (``dispatch_tickets``) adding hundreds of events spent a fifth of its time there.
    """
    pending: dict[Table, list] = {}
    for obj in session.new:
        table = getattr(obj, "__table__", None)
        if table is not None and "id" in table.c and getattr(obj, "id", None) is None:
            pending.setdefault(table, []).append(obj)
    if not pending:
        return
    ids = next_ids_of(session, {table: len(objects) for table, objects in pending.items()})
    for table, objects in pending.items():
        for obj, new_id in zip(objects, ids[table]):
            obj.id = new_id
