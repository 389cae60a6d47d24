"""Many rows of one table written in one statement: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

Intake writes five to seven rows per ticket (the ticket, its events, the
department's notification, the routing proposal, the contact, the channel's
message), a group of tickets at a time. psycopg's ``executemany`` sends each
row as its own Bind and Execute, dumps its parameters in Python and reads back
a result per row; the server plans and runs each one. ``COPY ... FROM STDIN``
sends the rows as one stream that psycopg formats in C and the server reads in
one command: measured here (docs/benchmarks.md) about half the CPU per row on
both sides. It runs in the session's transaction, on its connection, so the
rows commit or roll back with everything else the action wrote.

Values go through each column's SQLAlchemy bind processing (aware datetimes
checked and put in UTC, JSON serialised), and a column a row leaves out gets
its model's Python default, so a row written here reads back exactly as one
written by ``executemany``. Errors come out as SQLAlchemy's exceptions
(``IntegrityError`` for a duplicate), as they would from ``session.execute``.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Table, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column) into ``table`` in the session's transaction.

    Every row must name the same columns, as ``executemany`` requires; the
    columns none of them name take their model defaults.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    keys = tuple(rows[0])
    columns, defaults, processors = _layout(table, keys, connection.dialect)
    statement = f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN'
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if row.keys() != rows[0].keys():
                    raise ValueError(f"{table.name}: every row must name the same columns as the first")
                values = [row[key] for key in keys] + defaults
                copy.write_row([value if process is None else process(value)
                                for value, process in zip(values, processors)])
    except psycopg.Error as exc:  # the caller expects SQLAlchemy's exceptions, as from execute()
        invalidated = connection.dialect.is_disconnect(exc, raw, None)
        if invalidated:
            connection.invalidate(exc)
        raise sa_exc.DBAPIError.instance(statement, None, exc, psycopg.Error, connection_invalidated=invalidated,
                                         dialect=connection.dialect) from exc


@lru_cache(maxsize=256)
def _layout(table: Table, keys: tuple[str, ...], dialect: Dialect) -> tuple[list[str], list, list]:
    """The COPY's column list, the values of the columns the rows leave out, and each column's bind processing."""
    missing = [column for column in table.columns if column.key not in keys and column.default is not None]
    columns = [table.columns[key] for key in keys] + missing
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    defaults = []
    for position, column in enumerate(missing, start=len(keys)):
        default = column.default
        if default.is_scalar:
            defaults.append(default.arg)
        elif default.is_callable:  # e.g. default=dict: a new value for each row, made where it is processed
            defaults.append(None)
            processors[position] = _made_per_row(default.arg, processors[position])
        else:
            raise ValueError(f"{table.name}.{column.key}: bulk insert cannot compute this default")
    return [f'"{column.name}"' for column in columns], defaults, processors


def _made_per_row(make, process):
    """A callable default (SQLAlchemy passes it an execution context; it needs none here), then the processing."""
    if process is None:
        return lambda _value: make(None)
    return lambda _value: process(make(None))
