"""A surge beyond what a web process writes: refused at once with 503 and Retry-After, nothing kept, retry safe."""
from __future__ import annotations

from sqlalchemy import func, select

from channels.models import IntakeMessage
from hotline.web.keys import INTAKE, SMS_INTAKE
from tests.intake.conftest import post_sms
from tracking.models import Ticket

TEXT = "幸福小区3栋从昨天起停水，至今未恢复"


def _count(services, model) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


async def test_a_full_waiting_list_refuses_api_and_sms_with_a_retryable_503(client, services, keys):
    client.app[INTAKE].max_waiting = client.app[SMS_INTAKE].max_waiting = 0  # as if a surge filled both
    api = await client.post("/api/v1/tickets", json={"title": "停水", "content": TEXT}, headers=keys["agent"])
    assert api.status == 503 and api.headers["Retry-After"] == "2"
    body = await api.json()
    assert body["retryable"] is True and "繁忙" in body["error"]
    status, _ = await post_sms(client, TEXT, sid="SM" + "e" * 32)
    assert status == 503  # Twilio retries a 5xx when its URL asks to (docs/deploy.md)
    assert _count(services, Ticket) == 0 and _count(services, IntakeMessage) == 0
    assert client.app[INTAKE].refused == 1 and client.app[SMS_INTAKE].refused == 1

    client.app[INTAKE].max_waiting = client.app[SMS_INTAKE].max_waiting = 1000  # the surge passed: the retry
    again = await client.post("/api/v1/tickets", json={"title": "停水", "content": TEXT}, headers=keys["agent"])
    status, twiml = await post_sms(client, TEXT, sid="SM" + "e" * 32)
    assert again.status == 201 and status == 200 and "工单" in twiml
    assert _count(services, Ticket) == 2 and _count(services, IntakeMessage) == 1
