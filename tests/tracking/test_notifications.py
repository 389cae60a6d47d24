"""In-app notifications: who sees what, the badge in the navigation, and marking them seen."""
from __future__ import annotations

import re

from tests.support.factories import TicketFactory, UserFactory
from tests.support.web import login
from tracking import actions as act
from tracking.notifications import BADGE_CAP, inbox, mark_seen, unread_count
from tracking.states import Role


def _badge(html: str) -> str | None:
    match = re.search(r'<span class="count" title="未读消息">([^<]+)</span>', html)
    return match.group(1) if match else None


def test_each_audience_sees_only_its_own(services, cast, clock):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=clock())
    act.request_extension(services.ledger, ticket.id, actor=cast.water_staff, now=clock(), working_days=2,
                          reason="等待配件")
    admin = UserFactory.create(services, Role.ADMIN)
    assert unread_count(services.db, cast.water_staff) == 1   # the dispatch
    assert unread_count(services.db, cast.gas_staff) == 0
    assert unread_count(services.db, cast.boss) == 1          # the extension request
    assert unread_count(services.db, admin) == 1              # admins read the supervision office's
    assert unread_count(services.db, cast.agent) == 0
    assert unread_count(services.db, None) == 0
    [note] = inbox(services.db, cast.boss).items
    assert note.kind == "extension_requested" and note.ticket.number == ticket.number and "等待配件" in note.text


def test_seen_is_per_person_and_only_moves_forward(services, cast, clock):
    colleague = UserFactory.create(services, Role.DEPARTMENT, department=cast.water)
    tickets = [TicketFactory.dispatched(services, cast.agent, cast.water) for _ in range(3)]
    newest = inbox(services.db, cast.water_staff).items[0]
    mark_seen(services.db, cast.water_staff, newest.id, now=clock())
    mark_seen(services.db, cast.water_staff, newest.id - 2, now=clock())  # an old tab: no step back
    assert unread_count(services.db, cast.water_staff) == 0
    assert unread_count(services.db, colleague) == len(tickets)


def test_the_badge_is_capped(services, cast, clock):
    from tracking.notifications import notify
    with services.db.transaction() as session:
        for n in range(BADGE_CAP + 5):
            notify(session, kind="test", text=f"第{n}条", now=clock(), department_id=cast.water.id)
    assert unread_count(services.db, cast.water_staff) == BADGE_CAP + 1


async def test_the_badge_shows_in_the_navigation_until_the_list_is_opened(client, services, cast):
    await login(client, services, Role.DEPARTMENT, department=cast.water)
    assert _badge(await (await client.get("/")).text()) is None
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water, title="路灯不亮")
    assert _badge(await (await client.get("/department")).text()) == "1"
    listing = await (await client.get("/notifications")).text()
    assert f"新派单：工单{ticket.number}「路灯不亮」待签收" in listing and f'href="/tickets/{ticket.number}"' in listing
    assert _badge(listing) is None
    assert _badge(await (await client.get("/")).text()) is None
    body = await (await client.get("/api/v1/notifications")).json()
    assert body["unread"] == 0 and body["items"][0]["ticket"] == ticket.number and not body["items"][0]["new"]
