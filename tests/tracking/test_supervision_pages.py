"""The supervision office's pages: extensions granted and refused, the return limit, red and escalated tickets."""
from __future__ import annotations

from tests.support.factories import TicketFactory
from tests.support.web import login
from tests.tracking.conftest import at, events, notifications
from tracking import actions as act
from tracking.models import Ticket
from tracking.states import Role, Satisfaction, Status
from tracking.sweep import sweep_deadlines


def _ticket(services, ticket_id) -> Ticket:
    with services.db.reading() as session:
        return session.get(Ticket, ticket_id)


def _decide(client, csrf, number, view, **fields):
    return client.post(f"/supervision/tickets/{number}/act", allow_redirects=False,
                       data={"_csrf": csrf, "back": f"/supervision?view={view}", **fields})


async def test_an_extension_granted_moves_the_deadline_and_one_refused_does_not(client, services, cast, clock):
    ledger = services.ledger
    granted, refused = (TicketFactory.dispatched(services, cast.agent, cast.water) for _ in range(2))
    for ticket in (granted, refused):
        act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock())
        act.request_extension(ledger, ticket.id, actor=cast.water_staff, now=clock(), working_days=3,
                              reason="需协调道路开挖许可")
    csrf = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get("/supervision")).text()
    assert "延期审批（2）" in page and "需协调道路开挖许可" in page
    assert "2026-12-03 17:30" in page  # what the deadline becomes if granted: 11-30 plus 3 working days

    clock.advance(hours=1)
    response = await _decide(client, csrf, granted.number, "extensions", action="grant_extension", note="同意")
    assert response.status == 303
    assert _ticket(services, granted.id).reply_due_at == at(2026, 12, 3, 17, 30)
    response = await _decide(client, csrf, refused.number, "extensions", action="refuse_extension", reason="")
    assert response.status == 400 and "请填写不同意的理由" in await response.text()
    response = await _decide(client, csrf, refused.number, "extensions", action="refuse_extension",
                             reason="可先临时供水，按期答复")
    assert response.status == 303
    after = _ticket(services, refused.id)
    assert after.reply_due_at == at(2026, 11, 30, 17, 30) and after.extension_requested_days is None
    assert "延期审批（0）" in await (await client.get("/supervision")).text()
    kinds = [n.kind for n in notifications(services, department_id=cast.water.id)]
    assert "extension_granted" in kinds and "extension_refused" in kinds
    [grant] = events(services, granted.id, "grant_extension")
    assert grant.actor_role == "supervisor" and grant.data["working_days"] == 3


async def test_a_ticket_returned_twice_waits_for_the_supervision_office(client, services, cast, clock):
    ledger = services.ledger
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.return_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock(), reason="不是供水问题")
    act.reassign_ticket(ledger, ticket.id, cast.gas.id, actor=cast.agent, now=clock())
    act.return_ticket(ledger, ticket.id, actor=cast.gas_staff, now=clock(), reason="也不是燃气问题")
    assert [n.kind for n in notifications(services, role="supervisor")] == ["returned_again"]

    agent_csrf = await login(client, services, Role.AGENT)
    refused = await client.post(f"/tickets/{ticket.number}/act",
                                data={"_csrf": agent_csrf, "action": "reassign", "department": "water"})
    assert refused.status == 403 and "须由督办部门决定" in await refused.text()

    csrf = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get("/supervision?view=returned")).text()
    assert ticket.number in page and "已退单 2 次" in page
    response = await _decide(client, csrf, ticket.number, "returned", action="reassign", department="water",
                             note="经核实属供水管网问题，由水务集团办理")
    assert response.status == 303
    after = _ticket(services, ticket.id)
    assert (after.status, after.department_id, after.return_count) == (Status.DISPATCHED, cast.water.id, 2)
    assert after.step == "sign_in" and after.sign_in_due_at > clock()


async def test_red_and_escalated_lists_and_reminding_by_hand(client, services, cast, clock):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    clock.set(at(2026, 11, 23, 11, 30))
    sweep_deadlines(services.ledger, clock())  # red: reminded and escalated
    csrf = await login(client, services, Role.SUPERVISOR)
    red = await (await client.get("/supervision?view=red")).text()
    assert ticket.number in red and "超时30分钟" in red and "超时红灯（1）" in red
    assert ticket.number in await (await client.get("/supervision?view=escalated")).text()
    response = await _decide(client, csrf, ticket.number, "red", action="remind", note="请立即签收")
    assert response.status == 303
    assert [e.note for e in events(services, ticket.id, "remind")][-1] == "请立即签收"
    assert (await _decide(client, csrf, ticket.number, "red", action="reply", reply="x")).status == 400


async def test_unsatisfied_after_a_reopen_is_decided_by_the_supervision_office(client, services, cast, clock):
    ledger = services.ledger
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    for round_ in range(2):
        act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock())
        act.reply_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock(), reply="已处理")
        act.record_callback(ledger, ticket.id, actor=cast.agent, now=clock(), resolved=False,
                            satisfaction=Satisfaction.UNSATISFIED)
        if round_ == 0:
            act.reopen_ticket(ledger, ticket.id, actor=cast.agent, now=clock(), reason="仍未解决")
    csrf = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get("/supervision?view=reopened")).text()
    assert ticket.number in page and "已重办 1 次" in page
    response = await _decide(client, csrf, ticket.number, "reopened", action="close",
                             note="已依法处理，不合理部分已向市民解释")
    assert response.status == 303 and _ticket(services, ticket.id).status == Status.CLOSED


async def test_only_the_supervision_office_opens_its_pages(client, services, cast):
    await login(client, services, Role.DEPARTMENT, department=cast.water)
    assert (await client.get("/supervision")).status == 403
    await login(client, services, Role.AGENT)
    assert (await client.get("/supervision")).status == 403
    assert (await client.get("/api/v1/supervision/red")).status == 403


async def test_supervision_lists_as_json(client, services, cast, keys, clock):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    clock.set(at(2026, 11, 24))
    body = await (await client.get("/api/v1/supervision/red", headers=keys["supervisor"])).json()
    assert [i["number"] for i in body["items"]] == [ticket.number] and body["items"][0]["light"] == "red"
    assert body["counts"]["red"] == 1
    assert (await client.get("/api/v1/supervision/nothing", headers=keys["supervisor"])).status == 404

