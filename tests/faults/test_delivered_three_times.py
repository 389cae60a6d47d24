"""The same webhook or order delivered three times, one after another and all at once: one ticket,
one acknowledgement, and every delivery answered with that ticket's number."""
from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select

from channels.models import IntakeMessage
from config.settings import Settings
from hotline.auth import create_api_key
from tests.faults.conftest import FaultReport
from tests.intake.conftest import PUBLIC_URL, TWILIO_TOKEN, sign
from tests.web.conftest import client  # noqa: F401  shared fixture
from tracking.models import Ticket
from tracking.states import Role

NUMBER = re.compile(r"\d{8}-\d{6}")


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"), redis_url="",
                             secret_key="test-secret-" + "x" * 32, public_url=PUBLIC_URL,
                             twilio_auth_token=TWILIO_TOKEN)


def _stored(services):
    with services.db.reading() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket))
        settled = session.scalar(select(func.count()).select_from(IntakeMessage).where(
            IntakeMessage.settled_at.is_not(None)))
        deliveries = session.scalar(select(func.sum(IntakeMessage.deliveries))) or 0
    return tickets, settled, deliveries


@pytest.mark.parametrize("at_once", [False, True], ids=["in-turn", "at-once"])
async def test_sms_webhook_three_times(client, services, at_once):
    form = {"MessageSid": "SM" + ("a" if at_once else "b") * 32, "From": "+8613912345678", "To": "+8612345",
            "Body": "幸福小区3栋停水两天", "NumMedia": "0"}
    headers = sign("/hooks/twilio/sms", form)

    async def deliver():
        response = await client.post("/hooks/twilio/sms", data=form, headers=headers)
        return response.status, NUMBER.search(await response.text())

    if at_once:
        answers = await asyncio.gather(deliver(), deliver(), deliver())
    else:
        answers = [await deliver() for _ in range(3)]
    numbers = {m.group(0) for status, m in answers if status == 200 and m}
    tickets, settled, deliveries = _stored(services)
    FaultReport(f"SMS webhook delivered three times ({'at once' if at_once else 'in turn'})", sent=1,
                acknowledged=len(numbers), stored=tickets,
                details={"deliveries_answered": sum(s == 200 for s, _ in answers), "deliveries_counted": deliveries,
                         "messages_settled": settled}).assert_agree()
    assert all(status == 200 and m for status, m in answers)
    assert (deliveries, settled) == (3, 1)  # one message row, settled once, counting every delivery


async def test_upstream_order_three_times_at_once(client, services):
    key = create_api_key(services.db, name="province", role=Role.AGENT, now=services.clock())
    order = {"order_id": "SJ-2026-0001", "source": "province", "due_at": "2026-11-30T18:00:00+08:00",
             "content": "省平台转办：某小区电梯长期故障", "contact_phone": "13700137000"}

    async def deliver():
        response = await client.post("/api/v1/upstream/orders", json=order, headers={"Authorization": f"Bearer {key}"})
        return response.status, (await response.json()).get("number")

    answers = await asyncio.gather(deliver(), deliver(), deliver())
    tickets = _stored(services)[0]
    FaultReport("upstream order delivered three times at once", sent=1,
                acknowledged=len({n for _, n in answers if n}), stored=tickets,
                details={"statuses": sorted(s for s, _ in answers)}).assert_agree()
    assert sorted(s for s, _ in answers) == [200, 200, 201]
