"""上级派单 over HTTP: idempotent on the order id, the upstream deadline kept and winning when earlier."""
from __future__ import annotations

from datetime import datetime

ORDER = {"order_id": "SX2026112300042", "source": "province", "title": "反映供水水压不足",
         "content": "A3区幸福小区高层住户反映水压不足，已持续一周。", "contact_name": "赵先生",
         "contact_phone": "13500001234", "address": "A3区幸福小区", "due_at": "2026-11-24T18:00:00+08:00"}


async def test_an_order_is_registered_once_and_keeps_its_deadline(client, keys):
    first = await client.post("/api/v1/upstream/orders", json=ORDER, headers=keys["platform"])
    assert first.status == 201
    body = await first.json()
    assert body["order_id"] == ORDER["order_id"] and body["source"] == "province"
    assert datetime.fromisoformat(body["upstream_due_at"]) == datetime.fromisoformat(ORDER["due_at"])
    again = await client.post("/api/v1/upstream/orders", json={**ORDER, "content": "重复推送"},
                              headers=keys["platform"])
    assert again.status == 200 and (await again.json())["number"] == body["number"]

    dispatched = await client.post(f"/api/v1/tickets/{body['number']}/actions/dispatch",
                                   json={"department": "water"}, headers=keys["agent"])
    ticket = await dispatched.json()
    assert datetime.fromisoformat(ticket["reply_due_at"]) == datetime.fromisoformat(ORDER["due_at"])
    assert ticket["channel"] == "upstream"
    progress = await (await client.get(f"/api/v1/upstream/orders/{ORDER['order_id']}",
                                       params={"source": "province"}, headers=keys["platform"])).json()
    assert progress["department"]["code"] == "water" and progress["status"] == "dispatched"


async def test_a_later_upstream_deadline_does_not_loosen_ours(client, keys):
    order = {**ORDER, "order_id": "SX-LATE", "due_at": "2027-03-01T18:00:00+08:00"}
    number = (await (await client.post("/api/v1/upstream/orders", json=order, headers=keys["platform"])).json())["number"]
    ticket = await (await client.post(f"/api/v1/tickets/{number}/actions/dispatch", json={"department": "water"},
                                      headers=keys["agent"])).json()
    assert datetime.fromisoformat(ticket["reply_due_at"]) < datetime.fromisoformat(order["due_at"])


async def test_bad_orders_get_clear_400s(client, keys):
    cases = [({**ORDER, "order_id": ""}, "order_id"), ({**ORDER, "due_at": "next week"}, "due_at"),
             ({**ORDER, "due_at": "2020-01-01T00:00:00+08:00"}, "早于当前时间"), ({**ORDER, "content": ""}, "诉求内容"),
             ({**ORDER, "content": 42}, "content"), ({**ORDER, "service_code": "nope"}, "service_code"),
             ({**ORDER, "contact_phone": "abc"}, "电话"),
             ({**ORDER, "due_at": "2099-07-04T17:55:09-17:48"}, "due_at")]  # PostgreSQL stops at ±15:59
    for order, words in cases:
        response = await client.post("/api/v1/upstream/orders", json=order, headers=keys["platform"])
        assert response.status == 400 and words in (await response.json())["error"], order
    assert (await client.post("/api/v1/upstream/orders", json=ORDER)).status in (401, 403)  # CSRF answers first
    assert (await client.post("/api/v1/upstream/orders", json=ORDER, headers=keys["water"])).status == 403
    assert (await client.get("/api/v1/upstream/orders/unknown", headers=keys["platform"])).status == 404
