"""The ticket API end to end over HTTP: create, read, list, act, and what each role may see."""
from __future__ import annotations

from tracking.states import Role
from tests.support.web import login

NEW = {"title": "小区停水", "content": "幸福小区3栋从昨晚起停水，至今未恢复。", "contact_name": "李女士",
       "contact_phone": "13912345678", "address": "A3区幸福小区3栋"}


async def test_create_read_and_walk_a_ticket(client, keys):
    created = await client.post("/api/v1/tickets", json=NEW, headers=keys["agent"])
    assert created.status == 201
    ticket = await created.json()
    number = ticket["number"]
    assert ticket["status"] == "registered" and ticket["contact"]["phone"] == "13912345678"

    dispatched = await client.post(f"/api/v1/tickets/{number}/actions/dispatch",
                                   json={"department": "water"}, headers=keys["agent"])
    assert dispatched.status == 200
    body = await dispatched.json()
    assert body["department"]["code"] == "water" and body["sign_in_due_at"] and body["reply_due_at"]

    accepted = await client.post(f"/api/v1/tickets/{number}/actions/accept", headers=keys["water"])
    assert (await accepted.json())["status"] == "accepted"
    read = await client.get(f"/api/v1/tickets/{number}", headers=keys["water"])
    seen = await read.json()
    assert seen["contact"]["phone"] == "139****5678"  # departments see a masked number
    assert [e["action"] for e in seen["events"]] == ["register", "dispatch", "accept"]


async def test_forbidden_transition_is_409_with_a_message(client, keys):
    number = (await (await client.post("/api/v1/tickets", json=NEW, headers=keys["agent"])).json())["number"]
    response = await client.post(f"/api/v1/tickets/{number}/actions/reply", json={"reply": "x"},
                                 headers=keys["supervisor"])
    assert response.status == 403
    await client.post(f"/api/v1/tickets/{number}/actions/dispatch", json={"department": "water"},
                      headers=keys["agent"])
    response = await client.post(f"/api/v1/tickets/{number}/actions/close", headers=keys["agent"])
    assert response.status == 409
    assert "不能执行" in (await response.json())["error"]


async def test_other_departments_ticket_is_404_and_absent_from_lists(client, keys):
    number = (await (await client.post("/api/v1/tickets", json=NEW, headers=keys["agent"])).json())["number"]
    await client.post(f"/api/v1/tickets/{number}/actions/dispatch", json={"department": "water"},
                      headers=keys["agent"])
    assert (await client.get(f"/api/v1/tickets/{number}", headers=keys["gas"])).status == 404
    assert (await client.post(f"/api/v1/tickets/{number}/actions/accept", headers=keys["gas"])).status == 404
    listing = await (await client.get("/api/v1/tickets", params={"q": "停水"}, headers=keys["gas"])).json()
    assert listing["total"] == 0 and listing["items"] == []
    listing = await (await client.get("/api/v1/tickets", headers=keys["water"])).json()
    assert [t["number"] for t in listing["items"]] == [number]


async def test_bad_input_is_a_clear_400(client, keys):
    response = await client.post("/api/v1/tickets", data=b"{not json", headers={
        **keys["agent"], "Content-Type": "application/json"})
    assert response.status == 400 and "JSON" in (await response.json())["error"]
    response = await client.post("/api/v1/tickets", json={"content": ""}, headers=keys["agent"])
    assert response.status == 400 and "诉求内容" in (await response.json())["error"]
    response = await client.post("/api/v1/tickets", json={"content": 5}, headers=keys["agent"])
    assert response.status == 400
    response = await client.get("/api/v1/tickets", params={"page": "x"}, headers=keys["agent"])
    assert response.status == 400
    assert (await client.get("/api/v1/tickets")).status == 401
    assert (await client.get("/api/v1/tickets", headers={"Authorization": "Bearer hk_nope"})).status == 401


async def test_pages_need_login_and_csrf(client, services, departments):
    assert (await client.get("/tickets", allow_redirects=False)).status == 302
    token = await login(client, services, Role.AGENT)
    page = await client.get("/tickets")
    assert page.status == 200 and "工单查询" in await page.text()
    refused = await client.post("/api/v1/tickets", json=NEW)
    assert refused.status == 403  # a session without the CSRF header
    accepted = await client.post("/api/v1/tickets", json=NEW, headers={"X-CSRF-Token": token})
    assert accepted.status == 201


async def test_healthz_and_openapi(client):
    health = await client.get("/healthz")
    assert health.status == 200
    body = await health.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    spec = await (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.") and "/api/v1/tickets" in spec["paths"]
    assert "post" in spec["paths"]["/api/v1/tickets/{number}/actions/{action}"]


async def test_api_without_credentials_is_401_not_a_csrf_refusal(client):
    response = await client.post("/api/v1/tickets", json=NEW)
    assert response.status == 401


async def test_json_escapes_no_column_can_store_are_a_400_not_a_500(client, keys):
    for body in ('{"content": "停水\\ud800", "contact_phone": "13912345678"}',
                 '{"content": "停水", "contact_name": "李\\u0000", "contact_phone": "13912345678"}'):
        response = await client.post("/api/v1/tickets", data=body,
                                     headers={**keys["agent"], "Content-Type": "application/json"})
        assert response.status == 400 and "无法保存" in (await response.json())["error"]
