"""Pooled PostgreSQL connections the server has closed are replaced at checkout, without a round trip."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from hotline.db import Database


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server ends the connection here")
    return database_url


def _backend(db: Database) -> int:
    with db.reading() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url)
    with admin.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()


def test_a_connection_the_server_ended_is_replaced_at_checkout(pg_url):
    db = Database(pg_url, pool_size=1, max_overflow=0)
    try:
        first = _backend(db)
        _terminate(pg_url, first)  # what a restart or idle_session_timeout does to every pooled connection
        time.sleep(0.3)  # the server's goodbye reaches the idle socket
        second = _backend(db)  # no error: the dead connection was discarded, a new one opened
        assert second != first
        assert _backend(db) == second  # a live connection is kept and reused
    finally:
        db.dispose()


def test_a_live_pooled_connection_is_reused_without_asking_the_server(pg_url):
    db = Database(pg_url, pool_size=1, max_overflow=0)
    try:
        assert not db.engine.pool._pre_ping
        pids = {_backend(db) for _ in range(5)}
        assert len(pids) == 1
    finally:
        db.dispose()
