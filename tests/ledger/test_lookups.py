"""Lookups without a transaction block, and list lookups built once (``hotline.db``, ``hotline.among``)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from hotline.among import among, for_dialect
from hotline.db import Database
from tracking.models import Contact

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


@for_dialect
def _first_contact_by_phone(postgres: bool):
    contacts = Contact.__table__.c
    return select(contacts.phone, func.min(contacts.id)).where(among(contacts.phone, "phones", postgres)) \
        .group_by(contacts.phone)


def _add(db: Database, *phones: str) -> None:
    with db.transaction() as session:
        session.add_all([Contact(name="市民", phone=phone, created_at=NOW) for phone in phones])


def test_a_list_lookup_finds_what_it_is_asked_for_whatever_the_list_length(database_url):
    db = Database(database_url)
    try:
        _add(db, "13900000001", "13900000002", "13900000002", "13900000003")
        with db.lookups() as session:
            statement = _first_contact_by_phone(session)
            assert _first_contact_by_phone(session) is statement  # built once, reused
            found = [dict(session.execute(statement, {"phones": phones}).all())
                     for phones in (["13900000002"], ["13900000001", "13900000003", "13800000000"], [])]
        assert found == [{"13900000002": 2}, {"13900000001": 1, "13900000003": 4}, {}]
    finally:
        db.dispose()


def test_a_transaction_after_lookups_on_the_same_connection_still_rolls_back(database_url):
    db = Database(database_url, **({} if database_url.startswith("sqlite") else {"pool_size": 1,
                                                                                  "max_overflow": 0}))
    try:
        with db.lookups() as session:
            session.execute(select(func.count()).select_from(Contact)).scalar_one()
            if db.dialect == "postgresql":  # no BEGIN, no ROLLBACK: each statement commits on its own
                assert session.connection().connection.driver_connection.autocommit
        with pytest.raises(RuntimeError):
            with db.transaction() as session:  # the pool's one connection, handed back in transaction mode
                if db.dialect == "postgresql":
                    assert not session.connection().connection.driver_connection.autocommit
                session.add(Contact(name="市民", phone="13900000009", created_at=NOW))
                session.flush()
                raise RuntimeError("the action failed after writing")
        with db.reading() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) == 0
    finally:
        db.dispose()
