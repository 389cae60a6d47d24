"""Fixtures of the evaluation tests: the month of October 2026 with known outcomes, and the rules.

The month is built once per backend (``month_db``) for the many tests that
only read it; tests that change it (exclusions) build their own (``month``).
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from config.settings import Settings
from evaluation.periods import parse_period
from evaluation.rules import load_rules
from evaluation.scorecard import compute_scorecard
from hotline.migrate import upgrade
from hotline.services import build_services
from tests.conftest import BACKENDS, PG_ADMIN_URL, _pg_url
from tests.evaluation.month import TZ, build_month
from tests.support.clock import FakeClock

REPORT_TIME = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 23 November, 09:00 in the city


@pytest.fixture(scope="session", params=BACKENDS)
def month_db(request, tmp_path_factory):
    """(database URL, Month): October built once on each backend; tests must not change it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("month") / "month.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url, drop = f"sqlite:///{path}", None
    else:
        if not PG_ADMIN_URL:
            pytest.skip("HOTLINE_TEST_DATABASE_URL not set: PostgreSQL tests skipped")
        name = f"hotline_eval_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(PG_ADMIN_URL, name)
        upgrade(url)

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    clock = FakeClock(REPORT_TIME)
    services = _services(url, tmp_path_factory.mktemp("var"), clock)
    try:
        month = build_month(services, clock)
    finally:
        services.close()
    yield url, month
    if drop:
        drop()


def _services(url: str, var, clock):
    settings = Settings.from_env({}, database_url=url, var_dir=str(var), redis_url="",
                                 secret_key="test-secret-" + "x" * 32)
    return build_services(settings, clock=clock)


@pytest.fixture
def shared(month_db, tmp_path):
    """Services over the shared month, with the clock at the report time."""
    built = _services(month_db[0], tmp_path / "var", FakeClock(REPORT_TIME))
    yield built
    built.close()


@pytest.fixture
def shared_month(month_db):
    return month_db[1]


@pytest.fixture
def month(services, clock):
    """A month of one's own, for tests that change it."""
    return build_month(services, clock)


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def october(shared, shared_month, rules):
    """October's scorecard as the ledger stands on 23 November."""
    return compute_scorecard(shared.db, rules, parse_period("2026-10"), now=shared.clock(), tz=TZ)


@pytest.fixture
async def shared_client(aiohttp_client, shared):
    """The app over the shared month (pages may add users, never tickets)."""
    from hotline.web.app import create_app

    return await aiohttp_client(create_app(shared.settings, shared, start_background=False))


@pytest.fixture
async def client(aiohttp_client, settings, services):
    """The app over this test's own ledger."""
    from hotline.web.app import create_app

    return await aiohttp_client(create_app(settings, services, start_background=False))
