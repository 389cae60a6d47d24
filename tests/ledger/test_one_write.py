"""hotline.one_write: the block's rows in one statement, all or none, and nothing else may write in it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from hotline.bulk import insert_rows
from hotline.db import Database, after_commit
from hotline.ids import next_ids
from hotline.one_write import one_write
from tracking.models import Contact, Ticket
from tracking.states import Channel

AT = datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.engine.dispose()


def _ticket(number: str) -> dict:
    return {"number": number, "channel": Channel.SMS, "title": "标题", "content": "内容", "registered_at": AT,
            "updated_at": AT, "contact_phone": None}


def _count(db: Database, column) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(column)))


def test_the_rows_are_written_and_visible_before_the_callbacks_run(db):
    seen_by_callback = []
    with one_write(db) as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0  # reads are allowed
        insert_rows(session, Contact.__table__, [{"name": "王", "phone": "13800138000", "created_at": AT}])
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001"), _ticket("20261123-000002")])
        after_commit(session, lambda: seen_by_callback.append(_count(db, Ticket.id)))
        assert seen_by_callback == []
    assert seen_by_callback == [2]  # another connection already sees them: written before the callback
    assert _count(db, Contact.id) == 1


def test_a_failing_row_keeps_none_of_the_block(db):
    with one_write(db) as session:
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
    called = []
    with pytest.raises(IntegrityError):
        with one_write(db) as session:
            insert_rows(session, Contact.__table__, [{"name": "李", "phone": "13900139000", "created_at": AT}])
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000002"), _ticket("20261123-000001")])
            after_commit(session, lambda: called.append(True))
    assert (_count(db, Ticket.id), _count(db, Contact.id), called) == (1, 0, [])


def test_a_block_that_raises_writes_nothing(db):
    with pytest.raises(KeyError):
        with one_write(db) as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
            raise KeyError("the caller's own failure")
    assert _count(db, Ticket.id) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_update_in_the_block_is_refused_before_anything_is_written(db):
    """On PostgreSQL the block runs without a transaction block: an UPDATE would commit on its own."""
    with one_write(db) as session:
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
    with pytest.raises(RuntimeError, match="only reads"):
        with one_write(db) as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000002")])
            session.execute(update(Ticket).values(title="改过"))
    with db.reading() as session:
        assert session.scalars(select(Ticket.title)).all() == ["标题"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_textual_select_may_run_in_the_block_and_a_textual_update_may_not(db):
    """``next_ids`` takes row ids with a textual SELECT in the block (an SMS group with repeats)."""
    with one_write(db) as session:
        ids = next_ids(session, Ticket.__table__, 2)
        insert_rows(session, Ticket.__table__, [{**_ticket(f"20261123-00000{n}"), "id": i} for n, i in enumerate(ids)])
    with pytest.raises(RuntimeError, match="only reads"):
        with one_write(db) as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000009")])
            session.execute(text("  update tickets set title = '改过'"))
    with db.reading() as session:
        assert session.scalars(select(Ticket.id).order_by(Ticket.id)).all() == ids
        assert set(session.scalars(select(Ticket.title))) == {"标题"}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_orm_object_in_the_block_is_refused_before_anything_is_written(db):
    with pytest.raises(RuntimeError, match="ORM objects"):
        with one_write(db) as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
            session.add(Contact(name="赵", phone="13700137000", created_at=AT))
    assert (_count(db, Ticket.id), _count(db, Contact.id)) == (0, 0)
