"""The department portal over HTTP: the queue with lights, and every department action from it."""
from __future__ import annotations

import re

from tests.support.factories import TicketFactory, UserFactory
from tests.support.web import login
from tests.tracking.conftest import at, events
from tracking import actions as act
from tracking.models import Ticket
from tracking.states import Priority, Role, Status


def _numbers_in_order(html: str) -> list[str]:
    return re.findall(r'<td><a href="/tickets/(\d{8}-\d{6})">', html)


def _ticket(services, number) -> Ticket:
    from sqlalchemy import select
    with services.db.reading() as session:
        return session.scalar(select(Ticket).where(Ticket.number == number))


async def test_the_queue_is_sorted_by_urgency_then_deadline_with_lights(client, services, cast, clock):
    ledger = services.ledger
    early = TicketFactory.dispatched(services, cast.agent, cast.water, title="早派的一般工单")
    clock.advance(minutes=30)
    later = TicketFactory.dispatched(services, cast.agent, cast.water, title="晚派的一般工单")
    urgent = TicketFactory.registered(services, cast.agent, title="紧急停水", priority=Priority.URGENT)
    act.dispatch_ticket(ledger, urgent.id, cast.water.id, actor=cast.agent, now=clock())
    TicketFactory.dispatched(services, cast.agent, cast.gas, title="燃气单位的工单")
    clock.set(at(2026, 11, 23, 10, 40))  # the first normal one is yellow (sign in by 11:00)

    await login(client, services, Role.DEPARTMENT, department=cast.water)
    page = await client.get("/department")
    html = await page.text()
    assert page.status == 200
    assert _numbers_in_order(html) == [urgent.number, early.number, later.number]
    assert "燃气单位的工单" not in html  # another department's ticket never shows
    assert 'class="light yellow"' in html and "签收 剩20分钟" in html
    assert re.search(r"黄灯 <strong>1</strong>", html) and re.search(r"待签收（3）", html)

    yellow_only = await (await client.get("/department?light=yellow")).text()
    assert _numbers_in_order(yellow_only) == [early.number]


async def test_sign_in_return_extension_and_reply_from_the_portal(client, services, cast, clock):
    first = TicketFactory.dispatched(services, cast.agent, cast.water)
    second = TicketFactory.dispatched(services, cast.agent, cast.water)
    third = TicketFactory.dispatched(services, cast.agent, cast.water)
    csrf = await login(client, services, Role.DEPARTMENT, department=cast.water)

    def post(number, **fields):
        return client.post(f"/department/tickets/{number}/act", allow_redirects=False,
                           data={"_csrf": csrf, "back": "/department?view=todo", **fields})

    clock.advance(minutes=10)
    signed = await post(first.number, action="accept")
    assert signed.status == 303 and signed.headers["Location"].startswith("/department?view=todo&notice=")
    assert _ticket(services, first.number).accepted_at == clock()

    refused = await post(second.number, action="return", reason="  ")
    assert refused.status == 400 and "请填写退单理由" in await refused.text()
    returned = await post(second.number, action="return", reason="该路段由燃气集团负责")
    assert returned.status == 303 and _ticket(services, second.number).status == Status.RETURNED

    asked = await post(first.number, action="request_extension", working_days="20", reason="工程量大")
    assert asked.status == 400 and "1至15个工作日" in await asked.text()
    asked = await post(first.number, action="request_extension", working_days="3", reason="需更换主管道")
    assert asked.status == 303 and _ticket(services, first.number).extension_requested_days == 3

    replied = await post(first.number, action="reply", reply="已更换主管道，恢复供水。")
    assert replied.status == 303
    after = _ticket(services, first.number)
    assert after.status == Status.REPLIED and after.step == "callback"
    assert after.extension_requested_days is None  # answering ends the pending request

    foreign = await post(third.number, action="grant_extension")
    assert foreign.status == 400  # not a department's action, whatever the form says
    no_csrf = await client.post(f"/department/tickets/{third.number}/act", data={"action": "accept"})
    assert no_csrf.status == 403
    assert _ticket(services, third.number).status == Status.DISPATCHED


async def test_batch_sign_in(client, services, cast):
    tickets = [TicketFactory.dispatched(services, cast.agent, cast.water) for _ in range(3)]
    theirs = TicketFactory.dispatched(services, cast.agent, cast.gas)
    csrf = await login(client, services, Role.DEPARTMENT, department=cast.water)
    response = await client.post("/department/accept", allow_redirects=False, data=[
        ("_csrf", csrf), ("back", "/department"), *[("number", t.number) for t in tickets[:2]]])
    assert response.status == 303
    assert [_ticket(services, t.number).status for t in tickets] == [Status.ACCEPTED, Status.ACCEPTED,
                                                                     Status.DISPATCHED]
    response = await client.post("/department/accept", data=[
        ("_csrf", csrf), ("number", tickets[2].number), ("number", theirs.number)])
    assert response.status == 409 and "工单不存在或无权查看" in await response.text()
    assert _ticket(services, tickets[2].number).status == Status.ACCEPTED
    assert _ticket(services, theirs.number).status == Status.DISPATCHED


async def test_who_may_open_the_portal(client, services, cast):
    TicketFactory.dispatched(services, cast.agent, cast.gas, title="燃气表漏气")
    await login(client, services, Role.AGENT)
    assert (await client.get("/department")).status == 403
    await login(client, services, Role.SUPERVISOR)
    page = await client.get("/department?department=gas")
    assert page.status == 200 and "燃气表漏气" in await page.text()
    assert (await client.get("/department?department=nowhere")).status == 404


async def test_the_queue_as_json_for_a_department_system(client, services, cast, keys):
    mine = TicketFactory.dispatched(services, cast.agent, cast.water)
    TicketFactory.dispatched(services, cast.agent, cast.gas)
    response = await client.get("/api/v1/department/queue?department=gas", headers=keys["water"])
    body = await response.json()
    assert response.status == 200 and body["department"]["code"] == "water"  # its own, whatever it asks
    [item] = body["items"]
    assert item["number"] == mine.number and item["light"] == "green" and item["step"]["name"] == "sign_in"
    assert item["contact"]["phone"] == "138****8000"
    assert body["counts"]["sign_in"] == 1
    other = await client.get("/api/v1/department/queue?department=gas", headers=keys["supervisor"])
    assert (await other.json())["department"]["code"] == "gas"
    assert (await client.get("/api/v1/department/queue", headers=keys["agent"])).status == 403
    assert any(e.action == "dispatch" for e in events(services, mine.id))


async def test_a_department_member_without_a_login_department_sees_nothing(client, services, cast):
    UserFactory.create(services, Role.DEPARTMENT, department=cast.water)
    await login(client, services, Role.DEPARTMENT, department=cast.gas)
    TicketFactory.dispatched(services, cast.agent, cast.water, title="水务的工单")
    assert "水务的工单" not in await (await client.get("/department?department=water")).text()
