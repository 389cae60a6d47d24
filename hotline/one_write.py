"""A transaction that reads and then inserts rows, sent as one statement: no BEGIN or COMMIT round trip.

An intake group (``tracking.actions.registration_batch``, ``channels.sms.grouped``)
reads a little, then inserts its rows, which ``hotline.bulk.rows_together``
already sends as one statement. A transaction block around that costs a BEGIN
and a COMMIT, two round trips of the five a group made, each with its fixed
cost in the web process and in PostgreSQL, paid per group at a typhoon's peak
(docs/benchmarks.md). PostgreSQL runs a statement sent outside a block as a
transaction of its own: all its rows are committed, and flushed to disk before
the answer comes, or none is. So on PostgreSQL :func:`one_write` gives the block
an autocommit session (as ``Database.lookups``, each read its own snapshot, as
under READ COMMITTED anyway) and writes the collected rows at its end.

That is only a transaction if nothing else in the block writes: a flush of ORM
objects or an ``UPDATE`` would commit on its own, before the rows, and survive
their failure. Such a block is refused with ``RuntimeError`` before it writes
anything. On SQLite this is ``Database.transaction`` (one writer holds the lock
anyway, and its ids are taken inside it).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

from hotline.bulk import PENDING, write_pending
from hotline.db import Database


@contextlib.contextmanager
def one_write(db: Database) -> Iterator[Session]:
    """A session whose ``insert_rows`` are written as one statement when the block ends, atomically.

    Callbacks registered with ``after_commit`` run once the rows are written, as after a commit.
    If the block raises, nothing is written and they do not run.

    Raises:
        RuntimeError: the block tried to write otherwise than by ``insert_rows``.
    """
    if db.dialect != "postgresql":
        with db.transaction() as session:
            yield session
        return
    with db.lookups() as session:
        session.autoflush = False
        session.info.update({PENDING: [], "job_submitter": db.job_submitter,
                             "job_batch_submitter": db.job_batch_submitter})
        event.listen(session, "do_orm_execute", _reads_only)
        yield session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("one_write: ORM objects would be flushed outside the block's one statement")
        write_pending(session, session.info.pop(PENDING))
        callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


def _reads_only(state: ORMExecuteState) -> None:
    # A textual SELECT is a read too: ``hotline.ids.next_ids`` takes ids from the sequences (which no
    # transaction gives back anyway) with one.
    if not (state.is_select or isinstance(state.statement, TextClause)
            and state.statement.text.lstrip()[:7].upper() == "SELECT "):
        raise RuntimeError(f"one_write: only reads may run before the block's one statement: {state.statement}")
