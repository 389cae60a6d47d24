"""Many rows written in one statement: on PostgreSQL several tables' rows at once, ``executemany`` elsewhere.

Intake writes five to seven rows per ticket (the ticket, its events, the
department's notification, the routing proposal, the contact, the channel's
message), a group of tickets at a time. psycopg's ``executemany`` sends each
row as its own Bind and Execute and the server plans each one; ``COPY``
streams a table's rows but costs two round trips per table and formats every
value in Python first. On PostgreSQL :func:`insert_rows` sends each table's rows
as one JSON parameter of ``INSERT ... SELECT ... FROM json_populate_recordset``,
and inside :func:`rows_together` the rows of every table a block writes go in
one statement (an ``INSERT`` per table, as parts of one ``WITH``): for a group
of twelve SMS, about half the web process's CPU of six ``COPY`` and the same
in PostgreSQL (docs/benchmarks.md). For thousands of rows (the sweep catching
up an hour) the CPU is about that of ``COPY`` on both sides, and the wait a
little longer (3,000 events: 114-119 ms against 86-105 ms), since the rows are
serialised before they are sent instead of streamed. The rows are written in the session's
transaction, on its connection: they commit or roll back with the rest.

Values are what the columns' SQLAlchemy processing would store: aware times
(a naive one is refused), JSON kept as the value it is; a column a row leaves
out gets its model's Python default, so a row written here reads back exactly
as one written by ``executemany``. Errors come out as SQLAlchemy's exceptions
(``IntegrityError`` for a duplicate), as from ``session.execute``.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from sqlalchemy import DateTime, Table, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from hotline.db import require_aware

PENDING = "hotline_bulk_pending"  # session.info key: the rows a rows_together block has collected


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column) into ``table`` in the session's transaction.

    Every row must name the same columns, as ``executemany`` requires; the
    columns none of them name take their model defaults. Inside
    :func:`rows_together`, the rows are written when the block ends.
    """
    if not rows:
        return
    pending = session.info.get(PENDING)
    if pending is not None:
        pending.append((table, rows))
    elif session.get_bind().dialect.name == "postgresql":
        _write(session, [(table, rows)])
    else:
        session.execute(insert(table), list(rows))


@contextlib.contextmanager
def rows_together(session: Session) -> Iterator[None]:
    """Write the rows that ``insert_rows`` is given in the block with one statement, when the block ends.

    For blocks that only insert (nothing in them reads back what they wrote);
    on SQLite each table's rows are written at once, as without the block.
    If the block raises, nothing it collected is written.
    """
    if session.get_bind().dialect.name != "postgresql" or PENDING in session.info:
        yield
        return
    pending = session.info[PENDING] = []
    try:
        yield
    finally:
        del session.info[PENDING]
    write_pending(session, pending)


def write_pending(session: Session, pending: list[tuple[Table, Sequence[dict[str, Any]]]]) -> None:
    """Write what a block collected under ``session.info[PENDING]``, all tables in one statement (PostgreSQL)."""
    if pending:
        _write(session, pending)


def _write(session: Session, writes: list[tuple[Table, Sequence[dict[str, Any]]]]) -> None:
    parts, params = [], {}
    for number, (table, rows) in enumerate(writes):
        keys = tuple(rows[0])
        columns, names, defaults, times = _layout(table, keys)
        encoded = []
        for row in rows:
            if row.keys() != rows[0].keys():
                raise ValueError(f"{table.name}: every row must name the same columns as the first")
            for key in times:
                if row[key] is not None:
                    require_aware(row[key])
            values = [row[key] for key in keys] + [arg(None) if per_row else arg for per_row, arg in defaults]
            encoded.append(dict(zip(names, values)))
        # orjson writes times as ISO 8601 with their offset, in C: json's ``default`` hook cost a
        # Python call per time, and its encoder was about a tenth of an intake group's CPU.
        params[f"rows{number}"] = orjson.dumps(encoded, default=_refuse, option=orjson.OPT_NON_STR_KEYS).decode()
        parts.append(f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} '
                     f'FROM json_populate_recordset(NULL::"{table.name}", %(rows{number})s::json)')
    statement = parts[0] if len(parts) == 1 else "WITH " + ", ".join(
        f"w{number} AS ({part})" for number, part in enumerate(parts[:-1])) + " " + parts[-1]
    connection = session.connection()
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor:
            cursor.execute(statement, params)
    except psycopg.Error as exc:  # the caller expects SQLAlchemy's exceptions, as from execute()
        invalidated = connection.dialect.is_disconnect(exc, raw, None)
        if invalidated:
            connection.invalidate(exc)
        raise sa_exc.DBAPIError.instance(statement, None, exc, psycopg.Error, connection_invalidated=invalidated,
                                         dialect=connection.dialect) from exc


@lru_cache(maxsize=256)
def _layout(table: Table, keys: tuple[str, ...]) -> tuple[str, list[str], list, tuple[str, ...]]:
    """The column list, each value's name in the JSON rows, the defaults of the columns the rows leave out,
    and the keys of the time columns the rows give (checked for a zone).

    A callable default (e.g. ``default=dict``) is called for each row; SQLAlchemy would pass it an
    execution context, which none of ours needs.
    """
    missing = [column for column in table.columns if column.key not in keys and column.default is not None]
    defaults = []
    for column in missing:
        default = column.default
        if not (default.is_scalar or default.is_callable):
            raise ValueError(f"{table.name}.{column.key}: bulk insert cannot compute this default")
        defaults.append((default.is_callable, default.arg))
    names = [table.columns[key].name for key in keys] + [column.name for column in missing]
    times = tuple(key for key in keys if isinstance(table.columns[key].type, DateTime)
                  or isinstance(getattr(table.columns[key].type, "impl", None), DateTime))
    return ", ".join(f'"{name}"' for name in names), names, defaults, times


def _refuse(value: Any) -> Any:
    """What orjson cannot write (it writes str, numbers, enums, dicts, lists, dates and times itself)."""
    raise TypeError(f"cannot write {type(value).__name__} {value!r} in bulk")
