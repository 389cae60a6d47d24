"""The ticket page: the light of the current step, the three deadlines, and a timeline of every step."""
from __future__ import annotations

from tests.support.factories import TicketFactory
from tests.support.web import login
from tests.tracking.conftest import at
from tracking import actions as act
from tracking.states import Role
from tracking.sweep import sweep_deadlines


async def test_timeline_shows_who_when_and_against_which_deadline(client, services, cast, clock):
    ledger = services.ledger
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 23, 11, 20))  # 20 minutes late
    act.request_extension(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 24, 9), working_days=2,
                          reason="需停水施工")
    act.grant_extension(ledger, ticket.id, actor=cast.boss, now=at(2026, 11, 24, 10))
    act.reply_ticket(ledger, ticket.id, actor=cast.water_staff, now=at(2026, 11, 26, 15), reply="已完成管道更换")
    clock.set(at(2026, 11, 30, 12))  # the callback is due 2 working days after 11-26: 11-30 17:30
    sweep_deadlines(ledger, clock())

    await login(client, services, Role.SUPERVISOR)
    html = await (await client.get(f"/tickets/{ticket.number}")).text()
    assert "签收时限 2026-11-23 11:00，答复时限 2026-11-30 17:30" in html   # what the dispatch set
    assert "超时20分钟" in html                                             # the late sign-in
    assert "答复时限 2026-11-30 17:30 → 2026-12-02 17:30" in html           # the extension granted
    assert "按时" in html                                                    # the reply, on time
    assert cast.water_staff.name in html and "承办单位" in html               # who did it
    assert "黄灯（系统自动）" in html and "回访 剩5小时30分" in html          # the callback is near
    assert html.count('<li class="action-') == 7  # register, dispatch, accept, request, grant, reply, remind


async def test_a_supervisor_reminds_from_the_ticket_page(client, services, cast, clock):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    csrf = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get(f"/tickets/{ticket.number}")).text()
    assert 'data-action="remind"' in page
    response = await client.post(f"/tickets/{ticket.number}/act", allow_redirects=False,
                                 data={"_csrf": csrf, "action": "remind", "note": "请尽快签收"})
    assert response.status == 303
    assert "请尽快签收" in await (await client.get(f"/tickets/{ticket.number}")).text()
    await login(client, services, Role.DEPARTMENT, department=cast.water)
    assert 'data-action="remind"' not in await (await client.get(f"/tickets/{ticket.number}")).text()
