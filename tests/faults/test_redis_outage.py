"""Redis stopped while tickets arrive: every ticket is still accepted, acknowledged and stored, and the
jobs written while Redis was down run once it is back (the outbox relay hands them over)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config.settings import Settings
from hotline.auth import create_api_key
from hotline.jobs import Job, JobStatus, registered_tasks
from hotline.queues import WORKER_SERVICES
from hotline.scheduler import relay
from hotline.services import build_services
from hotline.web.app import create_app
from tests.faults.conftest import FaultReport
from tests.intake.conftest import PUBLIC_URL, TWILIO_TOKEN, sign
from tracking.models import Ticket
from tracking.states import Role

NUMBER = re.compile(r"\d{8}-\d{6}")
PER_PHASE = 4


@pytest.fixture
def settings(database_url, tmp_path, private_redis) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"),
                             redis_url=private_redis.url, secret_key="test-secret-" + "x" * 32,
                             public_url=PUBLIC_URL, twilio_auth_token=TWILIO_TOKEN)


@pytest.fixture
def services(settings, clock):
    built = build_services(settings, clock=clock)
    yield built
    built.close()


async def _send(client, headers, phase: str, n: int) -> list[str]:
    """One API ticket and one SMS per ``n``; returns the numbers acknowledged."""
    acked = []
    for i in range(n):
        api = await client.post("/api/v1/tickets", headers=headers, json={
            "content": f"{phase}阶段第{i}件：小区路灯不亮", "contact_phone": f"1380013{i:04d}"})
        if api.status == 201:
            acked.append((await api.json())["number"])
        form = {"MessageSid": f"SM{phase:x<4}{i:028d}", "From": f"+86139{i:08d}", "To": "+8612345",
                "Body": f"{phase}阶段短信{i}：噪音扰民"}
        sms = await client.post("/hooks/twilio/sms", data=form, headers=sign("/hooks/twilio/sms", form))
        found = NUMBER.search(await sms.text())
        if sms.status == 200 and found:
            acked.append(found.group(0))
    return acked


async def test_tickets_arrive_while_redis_is_down(aiohttp_client, settings, services, clock, private_redis):
    from rq import SimpleWorker

    # Routing by its job (intake routes in the web process otherwise), so the outage has jobs to hold back.
    services.intake_routing = None
    client = await aiohttp_client(create_app(settings, services, start_background=False))
    headers = {"Authorization": f"Bearer {create_api_key(services.db, name='bench', role=Role.AGENT, now=clock())}"}
    acked = await _send(client, headers, "up", PER_PHASE)
    private_redis.stop()
    assert not services.queue.health()["ok"]
    acked += await _send(client, headers, "down", PER_PHASE)
    with services.db.reading() as session:
        waiting = session.scalars(select(Job).where(Job.status == JobStatus.PENDING)).all()
    assert len(waiting) >= 2 * PER_PHASE  # written with the tickets, waiting for Redis
    private_redis.start()
    acked += await _send(client, headers, "back", PER_PHASE)

    clock.advance(minutes=1)
    handed_over = relay(services.db, services.queue.submit, clock())
    WORKER_SERVICES.update(services=services, clock=clock)
    SimpleWorker([services.queue.queue], connection=services.redis).work(burst=True)
    with services.db.reading() as session:
        stored = set(session.scalars(select(Ticket.number)))
        jobs = session.scalars(select(Job)).all()
    known = registered_tasks()
    report = FaultReport("redis stopped while tickets arrive", sent=3 * 2 * PER_PHASE, acknowledged=len(acked),
                         stored=len(stored & set(acked)),
                         details={"jobs": len(jobs), "relayed_after_outage": handed_over,
                                  "jobs_done": sum(j.status == JobStatus.DONE for j in jobs),
                                  "jobs_never_run": sum(j.attempts == 0 for j in jobs)})
    report.assert_agree()
    assert len(stored) == len(acked)
    assert handed_over >= len(waiting) - 2  # the outage's jobs (a settle may enqueue more)
    assert all(j.attempts >= 1 for j in jobs), "a job written while Redis was down never ran"
    assert all(j.status == JobStatus.DONE for j in jobs if j.name in known)
