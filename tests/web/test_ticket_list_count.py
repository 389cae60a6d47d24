"""The ticket list's API and page say when the count stopped at its limit."""
from __future__ import annotations

from tests.support.factories import TicketFactory, UserFactory
from tests.support.web import login
from tracking import queries
from tracking.states import Role


async def test_the_api_says_whether_the_total_is_exact(client, services, monkeypatch):
    agent = UserFactory.create(services, Role.AGENT)
    for n in range(4):
        TicketFactory.registered(services, agent, content=f"窨井盖缺失第{n}处")
    await login(client, services, Role.SUPERVISOR)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 2)
    body = await (await client.get("/api/v1/tickets?per_page=1")).json()
    assert (body["total"], body["total_exact"]) == (2, False)
    page = await (await client.get("/tickets")).text()
    assert "超过 2 件" in page
