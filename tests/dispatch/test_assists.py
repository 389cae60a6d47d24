"""Joint handling (主办/协办): assisting departments read the ticket and send opinions, only the lead acts."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from dispatch.assists import add_assisting_department, end_assistance, submit_assist_opinion
from hotline.auth import create_api_key
from tests.support.factories import TicketFactory
from tests.support.web import login
from tracking.actions import Forbidden, InvalidInput, NotFound, TransitionError, accept_ticket
from tracking.models import TicketEvent
from tracking.notifications import Notification
from tracking.queries import TicketFilter, list_tickets, ticket_by_number
from tracking.states import Role


@pytest.fixture
def flooded(services, people):
    """A ticket led by urban management, about a flooded underpass."""
    return TicketFactory.dispatched(services, people.agent, people.departments["urban_management"],
                                    title="下穿隧道积水", content="暴雨后下穿隧道积水半米深，车辆无法通行")


def test_an_assisting_department_reads_the_ticket_and_answers_the_lead(services, people, flooded):
    water, now = people.departments["water"], services.clock()
    water_staff, gas_staff = people.staff(services, "water"), people.staff(services, "gas")
    with pytest.raises(NotFound):
        ticket_by_number(services.db, flooded.number, water_staff)
    add_assisting_department(services.ledger, flooded.id, water.id, actor=people.agent, now=now, note="排水泵站")

    assert ticket_by_number(services.db, flooded.number, water_staff).id == flooded.id
    assert [t.id for t in list_tickets(services.db, water_staff, TicketFilter()).items] == [flooded.id]
    assert list_tickets(services.db, gas_staff, TicketFilter()).items == []
    with pytest.raises(NotFound):  # an assisting department reads, it does not sign in for the lead
        accept_ticket(services.ledger, flooded.id, actor=water_staff, now=now)

    submit_assist_opinion(services.ledger, flooded.id, actor=water_staff, now=now, opinion="泵站已满负荷运行，两小时内排完")
    with services.db.reading() as session:
        notes = [e.note for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == flooded.id))]
        told = [n.text for n in session.scalars(select(Notification).where(Notification.ticket_id == flooded.id))]
    assert "增加协办单位：市水务集团（排水泵站）" in notes
    assert "协办意见（市水务集团）：泵站已满负荷运行，两小时内排完" in notes
    assert any("请协助" in text for text in told) and any("协办意见" in text for text in told)

    end_assistance(services.ledger, flooded.id, water.id, actor=people.boss, now=now)
    with pytest.raises(NotFound):
        ticket_by_number(services.db, flooded.number, water_staff)
    with pytest.raises(NotFound):
        submit_assist_opinion(services.ledger, flooded.id, actor=water_staff, now=now, opinion="补充")


def test_who_may_add_an_assisting_department(services, people, flooded):
    now, water, gas = services.clock(), people.departments["water"], people.departments["gas"]
    lead_staff, water_staff = people.staff(services, "urban_management"), people.staff(services, "water")
    add_assisting_department(services.ledger, flooded.id, water.id, actor=lead_staff, now=now)  # the lead asks
    with pytest.raises(NotFound):  # an assisting department cannot invite others
        add_assisting_department(services.ledger, flooded.id, gas.id, actor=water_staff, now=now)
    with pytest.raises(InvalidInput, match="已是协办单位"):
        add_assisting_department(services.ledger, flooded.id, water.id, actor=people.agent, now=now)
    with pytest.raises(InvalidInput, match="已是主办单位"):
        add_assisting_department(services.ledger, flooded.id, people.departments["urban_management"].id,
                                 actor=people.agent, now=now)
    with pytest.raises(Forbidden):
        end_assistance(services.ledger, flooded.id, water.id, actor=lead_staff, now=now)
    registered = TicketFactory.registered(services, people.agent)
    with pytest.raises(TransitionError, match="尚未派单"):
        add_assisting_department(services.ledger, registered.id, water.id, actor=people.agent, now=now)


async def test_assisting_pages_and_api(services, people, flooded, client):
    now = services.clock()
    key = create_api_key(services.db, name="water-key", role=Role.DEPARTMENT, department_code="water", now=now)
    water = {"Authorization": f"Bearer {key}"}
    assert (await client.get(f"/api/v1/tickets/{flooded.number}", headers=water)).status == 404

    agent_key = create_api_key(services.db, name="agent-key", role=Role.AGENT, now=now)
    agent = {"Authorization": f"Bearer {agent_key}"}
    added = await client.post(f"/api/v1/dispatch/tickets/{flooded.number}/assists", headers=agent,
                              json={"department": "water", "note": "排水"})
    assert added.status == 201
    assert [a["department"]["code"] for a in (await added.json())["assists"]] == ["water"]
    assert (await client.get(f"/api/v1/tickets/{flooded.number}", headers=water)).status == 200
    refused = await client.post(f"/api/v1/tickets/{flooded.number}/actions/accept", headers=water)
    assert refused.status == 404

    answered = await client.post(f"/api/v1/dispatch/tickets/{flooded.number}/assist-opinion", headers=water,
                                 json={"opinion": "已安排抽排"})
    assert answered.status == 200 and (await answered.json())["assists"][0]["opinion"] == "已安排抽排"

    token = await login(client, services, Role.DEPARTMENT, department=people.departments["water"])
    listing = await (await client.get("/dispatch/assisting")).text()
    assert flooded.number in listing and "下穿隧道积水" in listing
    page = await (await client.get(f"/dispatch/tickets/{flooded.number}")).text()
    assert "已安排抽排" in page and "提交协办意见" in page
    ticket_page = await client.get(f"/tickets/{flooded.number}")  # tracking's page, read as 协办: no actions
    html = await ticket_page.text()
    assert ticket_page.status == 200 and "下穿隧道积水" in html and 'data-action="' not in html
    posted = await client.post(f"/dispatch/tickets/{flooded.number}/opinion",
                               data={"_csrf": token, "opinion": "<script>x</script>补充意见"}, allow_redirects=False)
    assert posted.status == 303
    page = await (await client.get(f"/dispatch/tickets/{flooded.number}")).text()
    assert "&lt;script&gt;x&lt;/script&gt;补充意见" in page and "<script>x</script>" not in page
    ended = await client.delete(f"/api/v1/dispatch/tickets/{flooded.number}/assists/water", headers=agent)
    assert ended.status == 200
    assert (await client.get(f"/api/v1/tickets/{flooded.number}", headers=water)).status == 404
