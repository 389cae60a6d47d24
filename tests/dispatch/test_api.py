"""``POST /api/v1/dispatch/propose`` (the console asks it as the agent types) and a ticket's routing record."""
from __future__ import annotations

from hotline.auth import create_api_key
from tests.dispatch.conftest import MODEL_NAME, run_pending_jobs
from tests.support.web import login
from tracking.actions import Actor, NewTicket, register_ticket
from tracking.states import Channel, Role


def _key(services, role: Role, department: str | None = None) -> dict[str, str]:
    key = create_api_key(services.db, name=f"{role.value}-{department}", role=role, department_code=department,
                         now=services.clock())
    return {"Authorization": f"Bearer {key}"}


async def test_propose_answers_the_contract_fields(services, people, model_store, client):
    response = await client.post("/api/v1/dispatch/propose", headers=_key(services, Role.AGENT),
                                 json={"text": "物业乱收费，业委会不管", "address": "A3区梅溪湖"})
    assert response.status == 200
    data = await response.json()
    assert set(data) >= {"department", "service", "confidence", "alternatives", "top_terms", "district", "rule",
                         "model_version", "needs_triage"}
    assert data["department"]["code"] == "dist_a3" and data["service"]["code"] == "property-management"
    assert data["district"] == "A3区" and data["model"] == MODEL_NAME
    assert all(set(a) == {"department", "service", "confidence"} for a in data["alternatives"])


async def test_propose_from_the_browser_needs_the_csrf_token(services, people, model_store, client):
    token = await login(client, services, Role.AGENT)
    refused = await client.post("/api/v1/dispatch/propose", json={"text": "路灯不亮"})
    assert refused.status == 403
    answered = await client.post("/api/v1/dispatch/propose", json={"text": "路灯不亮"},
                                 headers={"X-CSRF-Token": token})
    assert answered.status == 200 and (await answered.json())["department"]["code"] == "urban_management"


async def test_propose_refuses_wrong_input_and_roles(services, people, client):
    agent = _key(services, Role.AGENT)
    assert (await client.post("/api/v1/dispatch/propose", json={"text": "  "}, headers=agent)).status == 400
    assert (await client.post("/api/v1/dispatch/propose", json={"text": 12}, headers=agent)).status == 400
    assert (await client.post("/api/v1/dispatch/propose", data=b"{", headers=agent)).status == 400
    assert (await client.post("/api/v1/dispatch/propose", json={"text": "路灯"})).status == 401
    water = _key(services, Role.DEPARTMENT, "water")
    assert (await client.post("/api/v1/dispatch/propose", json={"text": "路灯"}, headers=water)).status == 403


async def test_a_ticket_routing_record_shows_the_model_version_to_those_who_may_see_the_ticket(
        services, people, model_store, client):
    new = NewTicket(channel=Channel.WEB, content="小区停水两天了，自来水一直没来", contact_phone="13800138000")
    ticket = register_ticket(services.ledger, new, actor=Actor.system("网站留言受理"), now=services.clock(),
                             follow_ups=[("dispatch.route_ticket", {})]).ticket
    run_pending_jobs(services, "dispatch.route_ticket")
    response = await client.get(f"/api/v1/dispatch/tickets/{ticket.number}", headers=_key(services, Role.SUPERVISOR))
    [proposal] = (await response.json())["proposals"]
    assert proposal["model_version"] == model_store.info(MODEL_NAME).version and proposal["outcome"] == "dispatched"
    gas = _key(services, Role.DEPARTMENT, "gas")
    assert (await client.get(f"/api/v1/dispatch/tickets/{ticket.number}", headers=gas)).status == 404
    assert (await client.get(f"/dispatch/tickets/{ticket.number}", headers=gas)).status == 404
