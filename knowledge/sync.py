"""The knowledge clock that tells every process's search index what changed since it last looked."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from knowledge.models import KnowledgeSync

CLOCK = "articles"


def advance(session: Session) -> int:
    """Raise the clock in the caller's transaction and return the new value.

    One upsert that increments the row and returns it: the row stays locked
    until the caller commits, so values are committed in the order they are
    handed out (the same technique as ticket numbers in tracking).
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(KnowledgeSync).values(name=CLOCK, generation=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[KnowledgeSync.name], set_={"generation": KnowledgeSync.generation + 1}
    ).returning(KnowledgeSync.generation)
    return session.execute(stmt).scalar_one()


def current(session: Session) -> int:
    return session.scalar(select(KnowledgeSync.generation).where(KnowledgeSync.name == CLOCK)) or 0
