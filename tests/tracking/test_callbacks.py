"""The callback list (回访): record the citizen's word, close, or re-open an unsatisfied ticket once."""
from __future__ import annotations

from tests.support.factories import TicketFactory
from tests.support.web import login
from tests.tracking.conftest import at, events, notifications
from tracking import actions as act
from tracking.models import Ticket
from tracking.states import Role, Satisfaction, Status


def _ticket(services, ticket_id) -> Ticket:
    with services.db.reading() as session:
        return session.get(Ticket, ticket_id)


def _replied(services, cast, now):
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=now)
    return act.reply_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=now,
                            reply="已派员检修管道，今日恢复供水。")


def _call(client, csrf, number, **fields):
    return client.post(f"/callbacks/{number}", allow_redirects=False,
                       data={"_csrf": csrf, "back": "/callbacks", "action": "finish_callback", "method": "phone",
                             **fields})


async def test_the_list_shows_replied_tickets_by_callback_deadline_with_the_phone(client, services, cast, clock):
    later = _replied(services, cast, clock())
    clock.set(at(2026, 11, 20, 10))  # replied earlier (the Friday before): due first, and already red
    earlier = _replied(services, cast, clock())
    clock.set(at(2026, 11, 24, 18))
    await login(client, services, Role.AGENT)
    html = await (await client.get("/callbacks")).text()
    assert html.index(earlier.number) < html.index(later.number)
    assert "13800138000" in html  # agents call the citizen back: the full number
    assert "回访 超时" in html and "已派员检修管道" in html
    assert "待回访（2）" in html


async def test_satisfied_callback_closes_the_ticket(client, services, cast, clock):
    ticket = _replied(services, cast, clock())
    csrf = await login(client, services, Role.AGENT)
    clock.advance(hours=3)
    response = await _call(client, csrf, ticket.number, resolved="1", satisfaction="satisfied", outcome="close",
                           note="市民表示已恢复供水")
    assert response.status == 303
    after = _ticket(services, ticket.id)
    assert (after.status, after.satisfaction, after.resolved) == (Status.CLOSED, Satisfaction.SATISFIED, True)
    [callback] = events(services, ticket.id, "record_callback")
    assert callback.data["on_time"] is True and callback.data["method"] == "phone"
    assert after.step is None and after.next_alert_at is None


async def test_unsatisfied_reopens_once_then_the_supervision_office_decides(client, services, cast, clock):
    ledger = services.ledger
    ticket = _replied(services, cast, clock())
    csrf = await login(client, services, Role.AGENT)
    bad = await _call(client, csrf, ticket.number, resolved="1", satisfaction="satisfied", outcome="reopen")
    assert bad.status == 400 and "仅市民不满意时可以重办" in await bad.text()
    assert _ticket(services, ticket.id).status == Status.REPLIED  # nothing recorded

    clock.set(at(2026, 11, 24, 10))
    response = await _call(client, csrf, ticket.number, resolved="0", satisfaction="unsatisfied", outcome="reopen",
                           note="市民称仍然停水")
    assert response.status == 303
    reopened = _ticket(services, ticket.id)
    assert (reopened.status, reopened.reopen_count, reopened.step) == (Status.DISPATCHED, 1, "sign_in")
    assert reopened.sign_in_due_at == at(2026, 11, 24, 12)  # a new clock from the re-open
    assert reopened.reply_due_at == at(2026, 12, 1, 17, 30)
    assert [n.kind for n in notifications(services, department_id=cast.water.id)][-1] == "reopened"

    act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock())
    act.reply_ticket(ledger, ticket.id, actor=cast.water_staff, now=clock(), reply="已更换阀门")
    page = await (await client.get("/callbacks")).text()
    assert "已重办过，不满意的由督办部门决定" in page
    refused = await _call(client, csrf, ticket.number, resolved="0", satisfaction="unsatisfied", outcome="reopen")
    assert refused.status == 403 and "须由督办部门决定" in await refused.text()
    held = await _call(client, csrf, ticket.number, resolved="0", satisfaction="unsatisfied", outcome="hold")
    assert held.status == 303 and _ticket(services, ticket.id).status == Status.CALLED_BACK
    assert [n.kind for n in notifications(services, role="supervisor")] == ["unsatisfied_again"]
    assert ticket.number not in await (await client.get("/callbacks?view=settle")).text()


async def test_an_sms_survey_answered_unsatisfied_waits_on_the_second_tab(client, services, cast, clock):
    ticket = _replied(services, cast, clock())
    act.record_callback(services.ledger, ticket.id, actor=act.Actor.system("短信评议"), now=clock(),
                        satisfaction=Satisfaction.UNSATISFIED, resolved=False, method="sms")
    csrf = await login(client, services, Role.AGENT)
    page = await (await client.get("/callbacks?view=settle")).text()
    assert ticket.number in page and "回访后待办结（1）" in page
    response = await client.post(f"/callbacks/{ticket.number}", allow_redirects=False, data={
        "_csrf": csrf, "back": "/callbacks?view=settle", "action": "reopen", "reason": "短信评议不满意"})
    assert response.status == 303 and _ticket(services, ticket.id).status == Status.DISPATCHED


async def test_departments_do_not_call_back(client, services, cast):
    await login(client, services, Role.DEPARTMENT, department=cast.water)
    assert (await client.get("/callbacks")).status == 403
