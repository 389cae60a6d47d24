"""Shared fixtures: a migrated ledger on SQLite and, when configured, on PostgreSQL.

Set ``HOTLINE_TEST_DATABASE_URL`` (a PostgreSQL server the tests may create
databases on) and ``HOTLINE_TEST_REDIS_URL`` to run the storage and queue
tests against real servers too; ``.ci/run`` does. Each test gets an empty
ledger: a fresh copy of a migrated SQLite file, or TRUNCATE on PostgreSQL.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from config.settings import Settings
from hotline.migrate import upgrade
from hotline.models import metadata
from hotline.services import build_services
from tests.support.clock import FakeClock

PG_ADMIN_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "")
BACKENDS = ["sqlite", "postgresql"]


def _pg_url(admin_url: str, name: str) -> str:
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1) \
        if admin_url.startswith("postgresql://") else f"{base}/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("ledger") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_database():
    if not PG_ADMIN_URL:
        pytest.skip("HOTLINE_TEST_DATABASE_URL not set: PostgreSQL tests skipped")
    name = f"hotline_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = _pg_url(PG_ADMIN_URL, name)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """An empty, migrated ledger on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "ledger.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))  # Monday 09:00 in Shanghai


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"),
                             redis_url="", secret_key="test-secret-" + "x" * 32)


@pytest.fixture
def services(settings, clock):
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def redis_url():
    """A Redis database of its own for this test run, flushed; skipped without a server."""
    if not REDIS_URL:
        pytest.skip("HOTLINE_TEST_REDIS_URL not set: Redis tests skipped")
    from redis import Redis

    base = REDIS_URL.rstrip("/").rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL.rstrip("/")
    for number in range(1, 16):
        conn = Redis.from_url(f"{base}/{number}")
        if conn.set("hotline-test-lock", os.getpid(), nx=True, ex=600):
            conn.flushdb()
            conn.set("hotline-test-lock", os.getpid(), ex=600)
            yield f"{base}/{number}"
            conn.flushdb()
            conn.close()
            return
        conn.close()
    pytest.skip("no free Redis database for tests")
