"""Database plumbing shared by every domain: the declarative base, types and sessions.

The ledger runs on PostgreSQL in production and on a SQLite file in the embedded
default; everything here keeps both behaving the same (aware datetimes, foreign
keys, a busy timeout instead of "database is locked" errors).
"""
from __future__ import annotations

import contextlib
import select
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AwareDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware in Python and stored as UTC.

    SQLite has no time zone type, so values are stored there as naive UTC and
    given back their zone on the way out; PostgreSQL uses ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        value = require_aware(value).astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def require_aware(value: datetime) -> datetime:
    """``value``, if it says which zone it is in (the ledger stores instants, never wall-clock times)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to the ledger; times must be aware")
    return value


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the settings this project relies on.

    Args:
        url: SQLAlchemy URL; ``postgresql://`` is read as the psycopg 3 driver.
    """
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkout", _check_alive)
    return engine


def _check_alive(dbapi_connection, _record, _proxy) -> None:
    """Refuse a pooled connection the server has closed, so the pool opens a new one instead.

    A server that restarts or ends an idle session sends its last message and
    closes the socket, which makes an idle connection's socket readable: one
    ``select`` with no wait sees it. SQLAlchemy's ``pool_pre_ping`` would ask the
    server instead, a round trip on every checkout (three per intake group, and
    one per page), about a tenth of a millisecond of CPU each here. A
    connection whose peer vanished without closing (a host gone, a cut cable)
    passes this check and fails on first use, a 503 the client retries
    (``hotline.web.errors``); ``pool_pre_ping`` would have hung there too.

    Raises:
        DisconnectionError: the connection is closed or has something unread; the pool discards it and
            checks out another (SQLAlchemy's documented way for a checkout listener).
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("pooled connection already closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:  # an idle connection has nothing to read unless the server ended it
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a writer commits; the busy timeout makes
    # concurrent writers wait for each other instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # pysqlite's own transaction handling defers BEGIN; issue it ourselves so
    # a writer takes the lock when the transaction starts (see SQLAlchemy docs
    # "Serializable isolation / Savepoints / Transactional DDL" for pysqlite).
    dbapi_connection.isolation_level = None


WRITE_OPTION = "hotline_write"


def _sqlite_begin(conn) -> None:
    # A writing transaction takes SQLite's write lock when it starts: a deferred
    # one that reads first and writes later fails with SQLITE_BUSY when another
    # writer committed in between, and the busy timeout cannot help it.
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The engine and session factory of one deployment.

    ``transaction()`` is how actions open their unit of work: commit on success,
    rollback on error, and afterwards run the callbacks registered with
    :func:`after_commit` (jobs are handed to the queue only once the rows they
    read are visible to other processes).
    """

    def __init__(self, url: str, **engine_kwargs):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "begin", _sqlite_begin)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # For lookups(): on PostgreSQL each statement its own transaction (see there).
        self._lookup_sessions = self.sessions if self.dialect == "sqlite" else sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)
        # Set by the app's queue: called with a job id after the job's row commits.
        self.job_submitter: Callable[[int], None] | None = None
        # Optional: hands several job ids over at once (one queue message for a batch's jobs).
        self.job_batch_submitter: Callable[[list[int]], None] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.sessions()
        session.info["job_submitter"] = self.job_submitter
        session.info["job_batch_submitter"] = self.job_batch_submitter
        if self.dialect == "sqlite":
            session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            session.info.pop("after_commit", None)
            raise
        finally:
            callbacks = session.info.pop("after_commit", [])
            session.close()
        for callback in callbacks:
            callback()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only; nothing it does is committed."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.close()  # ends the transaction; loaded objects stay readable, detached

    @contextlib.contextmanager
    def lookups(self) -> Iterator[Session]:
        """A session for plain queries, each in its own transaction on PostgreSQL (autocommit).

        Under READ COMMITTED, the isolation level used here, a transaction gives
        its queries no common snapshot anyway, and a transaction block costs a
        BEGIN and a ROLLBACK, two round trips per session: for intake's lookups
        at a typhoon's peak, a visible share of a group's cost
        (docs/benchmarks.md). Not for what needs a transaction block: ``SET
        LOCAL``, ``yield_per`` (a server-side cursor), locks. SQLite: as ``reading``.
        """
        session = self._lookup_sessions()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed."""
    session.info.setdefault("after_commit", []).append(callback)
