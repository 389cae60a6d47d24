"""The demo data set: whole histories through the real actions, loaded once however often it runs."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from hotline.demo.load import load_demo
from tracking.accounts import User
from tracking.models import Ticket, TicketEvent
from tracking.states import Status


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_loads_histories_once_and_uses_real_messages_when_present(services, tmp_path, clock):
    board = tmp_path / "board"
    board.mkdir()
    (board / "messages.csv").write_text(
        "label,text,split\n交通运输,K8县公交车长期不按站点停靠乘客上下车很不方便,train\n"
        "环境保护,A3区某工地夜间施工噪音很大影响居民休息,test\n", encoding="utf-8")
    services.settings = replace(services.settings, citizen_messages_dir=str(board))
    first = load_demo(services, until=clock())
    second = load_demo(services, until=clock())
    assert first.created >= 320 + 2 and first.existing == 0
    assert (second.created, second.existing) == (0, first.created)
    with services.db.reading() as session:
        statuses = dict(session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all())
        actions = dict(session.execute(select(TicketEvent.action, func.count()).group_by(TicketEvent.action)).all())
        board_texts = session.scalar(select(func.count()).where(Ticket.content.like("%公交车长期不按站点%")))
        agents = session.scalar(select(func.count()).select_from(User).where(User.username.in_(["agent1", "supervisor"])))
    assert sum(statuses.values()) == first.created and board_texts == 1 and agents == 2
    assert statuses[Status.CLOSED] > 100 and statuses[Status.ANSWERED_DIRECTLY] > 10
    for action in ("dispatch", "accept", "reply", "record_callback", "close", "return", "reassign",
                   "request_extension", "grant_extension", "reopen", "merge"):
        assert actions.get(action, 0) > 0, f"no demo ticket went through {action}"
