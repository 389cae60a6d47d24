"""hotline.bulk: rows written in one statement on PostgreSQL read back as executemany writes them, and fail the same way."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from hotline.bulk import insert_rows, rows_together
from hotline.db import Database
from tracking.models import Contact, Ticket, TicketEvent
from tracking.states import Channel, Status

AT = datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=8)))
AWKWARD = "第一行\n第二行\t制表\\反斜杠 \"引号\" '单引号' \\N 不是空值 <script>alert(1)</script>"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.engine.dispose()


def _ticket(number: str, **extra) -> dict:
    return {"number": number, "channel": Channel.SMS, "title": "标题", "content": AWKWARD, "registered_at": AT,
            "updated_at": AT, "contact_phone": None, **extra}


def _event(ticket_id: int) -> dict:
    return {"ticket_id": ticket_id, "action": "register", "from_status": None, "to_status": Status.REGISTERED,
            "actor_id": None, "actor_name": "短信", "actor_role": "system", "department_id": None, "at": AT,
            "note": "", "data": {"channel": "sms", "text": AWKWARD, "list": [1, None, "二"]}}


def _written(db: Database, table) -> list[dict]:
    with db.reading() as session:
        return [dict(row._mapping) for row in session.execute(select(table).order_by(table.c.id))]


def test_rows_read_back_as_executemany_writes_them(db):
    with db.transaction() as session:
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001"), _ticket("20261123-000002")])
        session.execute(insert(Ticket.__table__), [_ticket("20261123-000003"), _ticket("20261123-000004")])
    copied, executed = _written(db, Ticket.__table__)[:2], _written(db, Ticket.__table__)[2:]
    for a, b in zip(copied, executed):
        assert {k: v for k, v in a.items() if k not in ("id", "number")} == \
               {k: v for k, v in b.items() if k not in ("id", "number")}
    assert copied[0]["content"] == AWKWARD  # escapes survive the COPY text format
    assert copied[0]["registered_at"] == AT  # the aware time, stored as the same instant
    assert copied[0]["status"] == Status.REGISTERED and copied[0]["return_count"] == 0  # model defaults


def test_json_and_nulls_keep_their_values(db):
    with db.transaction() as session:
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
        ticket_id = session.scalar(select(Ticket.id))
        insert_rows(session, TicketEvent.__table__, [_event(ticket_id)])
    [event] = _written(db, TicketEvent.__table__)
    assert event["data"] == {"channel": "sms", "text": AWKWARD, "list": [1, None, "二"]}
    assert event["from_status"] is None and event["actor_id"] is None


def test_a_duplicate_raises_integrity_error_and_writes_nothing(db):
    with db.transaction() as session:
        insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            insert_rows(session, Contact.__table__, [{"name": "甲", "phone": "13900000000", "created_at": AT}])
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000002"), _ticket("20261123-000001")])
    assert len(_written(db, Ticket.__table__)) == 1
    assert _written(db, Contact.__table__) == []  # the whole transaction rolled back


def test_naive_time_is_refused(db):
    with pytest.raises(Exception, match="naive datetime"):
        with db.transaction() as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001", registered_at=AT.replace(tzinfo=None))])
    assert _written(db, Ticket.__table__) == []


def test_rows_naming_different_columns_are_refused(db):
    with pytest.raises(Exception, match="same columns|A value is required"):
        with db.transaction() as session:
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001"),
                                                    {"number": "20261123-000002", "title": "缺列"}])
    assert _written(db, Ticket.__table__) == []


def test_callable_and_scalar_defaults_fill_the_columns_rows_leave_out(db):
    from channels.models import IntakeMessage, Outcome

    with db.transaction() as session:
        insert_rows(session, IntakeMessage.__table__, [
            {"channel": Channel.SMS, "external_id": f"SM{n}", "sender": "+8613900000000", "received_at": AT,
             "stored_at": AT} for n in range(2)])
    rows = _written(db, IntakeMessage.__table__)
    assert [(r["payload"], r["outcome"], r["deliveries"]) for r in rows] == [({}, Outcome.RECEIVED, 1)] * 2


def test_rows_of_several_tables_written_together_at_the_end_of_the_block(db):
    with db.transaction() as session:
        with rows_together(session):
            insert_rows(session, Contact.__table__, [{"id": 7, "name": "甲", "phone": "13900000000",
                                                      "created_at": AT}])
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001", id=11, contact_id=7)])
            insert_rows(session, TicketEvent.__table__, [_event(11)])  # refers to the ticket above
            if db.dialect == "postgresql":  # collected, not yet sent: one statement when the block ends
                assert session.scalar(select(func.count()).select_from(Ticket.__table__)) == 0
    (ticket,) = _written(db, Ticket.__table__)
    assert (ticket["id"], ticket["contact_id"], ticket["content"]) == (11, 7, AWKWARD)
    assert [e["ticket_id"] for e in _written(db, TicketEvent.__table__)] == [11]


def test_a_block_that_fails_writes_nothing_and_a_duplicate_fails_the_transaction(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as session, rows_together(session):
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000001")])
            raise RuntimeError("the action failed")
    with pytest.raises(IntegrityError):
        with db.transaction() as session, rows_together(session):
            insert_rows(session, Contact.__table__, [{"name": "甲", "phone": "13900000000", "created_at": AT}])
            insert_rows(session, Ticket.__table__, [_ticket("20261123-000002"), _ticket("20261123-000002")])
    assert _written(db, Ticket.__table__) == [] and _written(db, Contact.__table__) == []
