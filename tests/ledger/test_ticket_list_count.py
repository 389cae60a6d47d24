"""The ticket list counts matches only up to a limit, and says so, so its pages stay fast on a big ledger."""
from __future__ import annotations

from tests.support.factories import TicketFactory, UserFactory
from tracking import queries
from tracking.queries import TicketFilter, list_tickets
from tracking.states import Role


def test_count_stops_at_the_limit_and_says_more(services, monkeypatch):
    agent = UserFactory.create(services, Role.AGENT)
    for n in range(5):
        TicketFactory.registered(services, agent, content=f"路灯不亮第{n}处")
    TicketFactory.registered(services, agent, content="噪音扰民")
    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)

    page = list_tickets(services.db, agent, TicketFilter(per_page=2))
    assert (page.total, page.total_exact, len(page.items)) == (3, False, 2)
    assert page.pages == 2 and page.has_next

    deep = list_tickets(services.db, agent, TicketFilter(per_page=2, page=3))
    assert len(deep.items) == 2 and deep.pages == 3 and deep.has_next  # beyond the count, still reachable
    last = list_tickets(services.db, agent, TicketFilter(per_page=2, page=4))
    assert last.items == [] or not last.has_next

    few = list_tickets(services.db, agent, TicketFilter(text="噪音"))
    assert (few.total, few.total_exact, few.has_next) == (1, True, False)
