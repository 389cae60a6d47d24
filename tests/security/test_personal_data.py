"""Citizens' phone numbers: masked for department staff, and every full read by staff is logged."""
from __future__ import annotations

from sqlalchemy import select

from hotline.audit.models import AccessLogEntry
from tests.security.conftest import World
from tests.support.web import login
from tracking.states import Role

FULL, MASKED = "13900000002", "139****0002"


def _log(services) -> list[AccessLogEntry]:
    with services.db.reading() as session:
        return list(session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


async def test_department_staff_see_a_mask_everywhere(client, keys, world: World, services, departments):
    data = await (await client.get(f"/api/v1/tickets/{world.water.number}", headers=keys["water"])).json()
    assert data["contact"]["phone"] == MASKED
    listed = await (await client.get("/api/v1/tickets", headers=keys["water"])).json()
    assert all("****" in item["contact"]["phone"] for item in listed["items"])
    contacts = await (await client.get(f"/api/v1/intake/tickets/{world.water.number}/contacts",
                                       headers=keys["water"])).text()
    assert FULL not in contacts
    await login(client, services, Role.DEPARTMENT, department=departments["water"])
    for path in ("/department", f"/tickets/{world.water.number}", "/tickets", f"/intake/tickets/{world.water.number}"):
        html = await (await client.get(path)).text()
        assert FULL not in html, path
    assert _log(services) == []  # a mask is not a read of the citizen's details


async def test_agent_reads_are_logged_with_who_what_and_where(client, keys, world: World, services):
    response = await client.get(f"/api/v1/tickets/{world.water.number}", headers=keys["agent"])
    assert (await response.json())["contact"]["phone"] == FULL
    [entry] = _log(services)
    assert (entry.ticket_id, entry.what, entry.actor_role) == (world.water.id, "ticket_api", "agent")
    assert entry.actor_name == "接口:agent" and entry.client == "127.0.0.1" and entry.at == services.clock()
    listed = await (await client.get("/api/v1/tickets", headers=keys["agent"])).json()
    logged = {e.ticket_id for e in _log(services) if e.what == "ticket_list_api"}
    assert len(logged) == listed["total"] == 4


async def test_every_staff_page_with_full_numbers_logs_the_read(client, world: World, services):
    await login(client, services, Role.SUPERVISOR)
    pages = {f"/tickets/{world.water.number}": "ticket_page", "/tickets": "ticket_list",
             "/callbacks": "callbacks", "/department?department=water": "department_queue",
             f"/intake/tickets/{world.water.number}": "contacts"}
    for path, what in pages.items():
        html = await (await client.get(path)).text()
        shown = [t for t in (world.registered, world.water, world.gas, world.replied) if t.contact_phone in html]
        assert shown, path
        logged = {e.ticket_id for e in _log(services) if e.what == what}
        assert logged >= {t.id for t in shown}, path
    audit = await (await client.get(f"/audit/access-log?number={world.water.number}")).text()
    assert "工单详情页" in audit and "督办考核" in audit
