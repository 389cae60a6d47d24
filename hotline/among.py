"""Hot lookups by a list of values, built once and written so PostgreSQL always sees the same statement.

Intake looks up every group's phones and message ids (``channels.sms.grouped``,
``tracking.actions.ticket_rows``), and at a typhoon's peak each statement's
fixed cost, paid per group, was much of a ticket's cost (docs/benchmarks.md):

* ``column.in_(values)`` renders one placeholder per value, so a group of 11
  phones and one of 12 are different statements: psycopg never prepares them
  (it prepares a statement text after its fifth use) and PostgreSQL parses and
  plans each anew. :func:`among` is ``column = ANY(:name)`` there, the values
  one array parameter: one text, prepared once per connection, using the
  column's index as ``IN`` does. SQLite gets an expanding ``IN``.
* Building a statement and its cache key on every call cost about twice what
  running it did. :func:`for_dialect` builds it once per kind of database;
  the values are bound at execution (``session.execute(statement, params)``).
  Such statements name table columns (``Model.__table__.c``), not mapped
  attributes, so the session runs them as Core, without the ORM's set-up.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement


def among(column, name: str, postgres: bool) -> ColumnElement[bool]:
    """``column IN :name``, the list bound at execution (see the module's docstring)."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def for_dialect(build: Callable[[bool], Executable]) -> Callable[[Session], Executable]:
    """Decorate ``build(postgres)``: the statement is built once per kind of database and reused."""
    made: dict[bool, Executable] = {}

    def statement(session: Session) -> Executable:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres not in made:
            made[postgres] = build(postgres)
        return made[postgres]

    statement.__doc__ = build.__doc__
    return statement
