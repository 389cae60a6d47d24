"""A department sees and touches only its own tickets, whichever door it knocks on."""
from __future__ import annotations

from tests.security.conftest import World


async def test_another_departments_ticket_is_not_found_by_number(client, keys, world: World):
    mine, theirs = world.water.number, world.gas.number
    assert (await client.get(f"/api/v1/tickets/{mine}", headers=keys["water"])).status == 200
    other = await client.get(f"/api/v1/tickets/{theirs}", headers=keys["water"])
    missing = await client.get("/api/v1/tickets/20991231-999999", headers=keys["water"])
    assert other.status == missing.status == 404
    assert (await other.json()) == (await missing.json())  # nothing tells "exists" from "not yours"


async def test_another_departments_ticket_cannot_be_acted_on(client, keys, world: World, services):
    for action, body in [("accept", {}), ("return", {"reason": "不是我们的"}), ("add_note", {"note": "x"}),
                         ("reply", {"reply": "已处理"})]:
        response = await client.post(f"/api/v1/tickets/{world.gas.number}/actions/{action}",
                                     json=body, headers=keys["water"])
        assert response.status == 404, action
    with services.db.reading() as session:
        from tracking.models import Ticket
        assert session.get(Ticket, world.gas.id).status == "dispatched"


async def test_lists_and_filters_never_include_another_department(client, keys, world: World, departments):
    gas_id = departments["gas"].id
    for query in ["", f"?department_id={gas_id}", "?status=dispatched", f"?q={world.gas.number}",
                  "?phone=13900000003"]:
        response = await client.get(f"/api/v1/tickets{query}", headers=keys["water"])
        assert response.status == 200, query
        numbers = {item["number"] for item in (await response.json())["items"]}
        assert world.gas.number not in numbers and world.registered.number not in numbers, query


async def test_contacts_and_attachments_of_another_department(client, keys, world: World):
    other = await client.get(f"/api/v1/intake/tickets/{world.gas.number}/contacts", headers=keys["water"])
    assert other.status == 404
    for attachment_id in (1, 2, 999):
        response = await client.get(f"/attachments/{attachment_id}", headers=keys["water"])
        assert response.status == 404


async def test_department_page_of_another_department_is_refused(client, world: World, services, departments):
    from tests.support.web import login
    from tracking.states import Role

    await login(client, services, Role.DEPARTMENT, department=departments["water"])
    page = await client.get("/department?department=gas")
    assert world.gas.number not in await page.text()
    detail = await client.get(f"/tickets/{world.gas.number}")
    assert detail.status == 404
