"""Upgrading a ledger that already has open tickets, and the tracking commands."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import column, select, table, text

from hotline.cli import main
from hotline.db import AwareDateTime, Database
from hotline.migrate import downgrade, upgrade
from tests.support.factories import TicketFactory
from tests.tracking.conftest import at, events
from tracking.accounts import Department
from tracking.models import Ticket


def test_the_upgrade_gives_open_tickets_their_step_clock(database_url):
    downgrade(database_url, "tracking@-2")  # this branch back before tracking_0001: the others stay
    db = Database(database_url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO departments (id, code, name, kind, tier, active) "
                          "VALUES (1, 'water', '水务', 'city', 'medium', :yes)"), {"yes": True})
        times = ("registered_at", "updated_at", "dispatched_at", "sign_in_due_at", "reply_due_at")
        tickets = table("tickets", *(column(name) for name in (
            "id", "number", "channel", "contact_name", "title", "content", "address", "priority", "status",
            "department_id", "return_count", "reopen_count", "extension_count")),
            *(column(name, AwareDateTime()) for name in times))
        for n, status in enumerate(["dispatched", "accepted", "closed"], start=1):
            conn.execute(tickets.insert().values(
                id=n, number=f"20261123-00000{n}", channel="phone", contact_name="", title="t", content="c",
                address="", priority="normal", status=status, department_id=1, return_count=0, reopen_count=0,
                extension_count=0, registered_at=at(2026, 11, 23, 9), updated_at=at(2026, 11, 23, 9),
                dispatched_at=at(2026, 11, 23, 9), sign_in_due_at=at(2026, 11, 23, 11),
                reply_due_at=at(2026, 11, 30, 17, 30)))
    db.dispose()
    upgrade(database_url, "heads")
    db = Database(database_url)
    with db.reading() as session:
        tickets = {t.status: t for t in session.scalars(select(Ticket))}
    db.dispose()
    assert (tickets["dispatched"].step, tickets["dispatched"].step_due_at) == ("sign_in", at(2026, 11, 23, 11))
    assert tickets["dispatched"].next_alert_at == at(2026, 11, 23, 10, 30)
    assert tickets["accepted"].step == "reply" and tickets["accepted"].next_alert_at == at(2026, 11, 29, 17, 30)
    assert tickets["closed"].step is None and tickets["closed"].next_alert_at is None


def test_hotline_sweep_and_department_phone(services, cast, settings, monkeypatch, capsys):
    for name, value in {"HOTLINE_DATABASE_URL": settings.database_url, "HOTLINE_REDIS_URL": "",
                        "HOTLINE_VAR_DIR": settings.var_dir}.items():
        monkeypatch.setenv(name, value)
    assert main(["department", "phone", "gas", "+86 139-0000-1111"]) == 0
    assert "duty phone 13900001111" in capsys.readouterr().out
    with services.db.reading() as session:
        assert session.scalar(select(Department.contact_phone).where(Department.code == "gas")) == "13900001111"
    assert main(["department", "phone", "nowhere", "13900001111"]) == 2
    assert main(["department", "phone", "gas", "not-a-phone"]) == 2

    ticket = TicketFactory.dispatched(services, cast.agent, cast.gas)
    moment = (services.clock() + timedelta(hours=3)).isoformat()
    assert main(["sweep", "--at", moment]) == 0
    assert "red=1 escalated=1 texts=1" in capsys.readouterr().out
    assert [e.action for e in events(services, ticket.id)][-2:] == ["remind", "escalate"]
    assert main(["sweep", "--at", moment]) == 0
    assert "red=0" in capsys.readouterr().out
    assert main(["department", "phone", "gas"]) == 0 and "cleared" in capsys.readouterr().out
