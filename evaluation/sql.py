"""SQL pieces that PostgreSQL and SQLite spell differently, written once.

The scorecard must run on both (PostgreSQL in production, SQLite in the
embedded default), so time differences and JSON flags go through these
helpers instead of dialect-specific text in the queries.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, case, false, func, literal, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from hotline.db import AwareDateTime


class seconds_between(FunctionElement):  # noqa: N801 (reads like the SQL function it is)
    """``seconds_between(later, earlier)``: the seconds from ``earlier`` to ``later`` (a float)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"


@compiles(seconds_between)
def _seconds_sqlite(element, compiler, **kw):
    # AwareDateTime keeps naive UTC text on SQLite, which julianday() reads.
    later, earlier = list(element.clauses)
    return f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})) * 86400.0)"


ANALYTIC_WORK_MEM = "256MB"  # a month's grouping of a large city stays in memory instead of spilling to disk


def analytic(session: Session) -> None:
    """Give this read-only transaction the working memory of a report query (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{ANALYTIC_WORK_MEM}'"))


def moment(value: datetime) -> ColumnElement:
    """A datetime as a bound value stored the way the ledger stores times (UTC; naive on SQLite)."""
    return literal(value, AwareDateTime())


def is_false(json_value) -> ColumnElement:
    """True where a JSON member holds ``false`` (``on_time: false`` in an event's data)."""
    return json_value.as_boolean() == false()


def count_if(condition) -> ColumnElement:
    """How many rows of the group meet ``condition`` (0 rather than NULL for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def flag(condition) -> ColumnElement:
    """A 0/1 column from a condition, so flags can be summed and filtered alike."""
    return case((condition, 1), else_=0)
