"""Migrations: every revision goes up, down and up again, and the models match the migrations."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hotline.db import make_engine
from hotline.migrate import alembic_config, downgrade, upgrade
from hotline.models import metadata


def _revisions(url: str) -> list[tuple[str, str]]:
    """(revision, what it goes down to), oldest first; branches are allowed."""
    script = ScriptDirectory.from_config(alembic_config(url))
    ordered = []
    for rev in reversed(list(script.walk_revisions())):
        down = rev.down_revision
        ordered.append((rev.revision, "base" if down is None else down if isinstance(down, str) else down[0]))
    return ordered


def test_stairway_up_down_up(database_url):
    downgrade(database_url, "base")
    for revision, below in _revisions(database_url):
        upgrade(database_url, revision)
        downgrade(database_url, below)
        upgrade(database_url, revision)
    upgrade(database_url, "heads")


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; write a migration for: {diff}"
