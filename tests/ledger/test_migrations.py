"""Migrations: every revision goes up, down and up again, and the models match the migrations."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hotline.db import make_engine
from hotline.migrate import alembic_config, downgrade, upgrade
from hotline.models import metadata


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _drop_everything(url: str) -> None:
    downgrade(url, "base")


def test_stairway_up_down_up(database_url):
    _drop_everything(database_url)
    for revision in _revisions(database_url):
        upgrade(database_url, revision)
        downgrade(database_url, "-1")
        upgrade(database_url, revision)
    upgrade(database_url, "head")


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; write a migration for: {diff}"
