"""A worker killed in the middle of a job: the job is taken back and run again, and an SMS the
killed worker had already handed to the provider is not sent a second time.

A real ``hotline worker`` process (an rq worker) sends an
acknowledgement SMS through the fake Twilio, which accepts the message and
then holds its answer; the test SIGKILLs the worker's whole process group in
that moment, lets the relay take the job back after its lease, and starts a
second worker.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from channels.models import SmsMessage, SmsStatus
from config.settings import Settings
from hotline.clock import system_clock
from hotline.jobs import Job, JobStatus, enqueue
from hotline.scheduler import RUNNING_LEASE, relay
from hotline.services import build_services
from tests.faults.conftest import FaultReport
from tests.fakes.twilio_server import FakeTwilio
from tests.support.factories import TicketFactory, UserFactory
from tracking.models import TicketEvent
from tracking.states import Role

pytestmark = pytest.mark.slow
SID, TOKEN = "AC" + "7" * 32, "fake-twilio-token"


class SlowTwilio(FakeTwilio):
    """Accepts each message at once but answers the first one only after ``hold`` seconds."""

    hold = 60.0

    def handle(self, path, headers, raw):
        answer = super().handle(path, headers, raw)
        if len(self.messages) == 1 and answer[0] == 201:
            time.sleep(self.hold)
        return answer


@pytest.fixture
def twilio():
    fake = SlowTwilio(SID, TOKEN).start()
    yield fake
    fake.hold = 0
    fake.stop()


@pytest.fixture
def settings(database_url, tmp_path, private_redis, twilio) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"),
                             redis_url=private_redis.url, secret_key="test-secret-" + "x" * 32,
                             twilio_account_sid=SID, twilio_auth_token=TOKEN, twilio_api_base=twilio.base_url,
                             twilio_from_number="+8612345")


@pytest.fixture
def services(settings):
    built = build_services(settings, clock=system_clock)  # the worker processes read the wall clock too
    yield built
    built.close()


def _worker(settings: Settings, *extra: str) -> subprocess.Popen:
    env = {**os.environ, **{f"HOTLINE_{k.upper()}": str(v) for k, v in vars(settings).items()}}
    return subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker", *extra], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _job(services, job_id) -> Job:
    with services.db.reading() as session:
        return session.get(Job, job_id)


def test_sms_job_of_a_killed_worker_is_taken_back_and_not_sent_twice(services, settings, twilio):
    agent = UserFactory.create(services, Role.AGENT)
    ticket = TicketFactory.registered(services, agent, contact_phone="13912340000")
    with services.db.transaction() as session:
        job_id = enqueue(session, "sms.send", now=system_clock(), ticket_id=ticket.id, to="13912340000",
                         body=f"您的诉求已受理，工单编号{ticket.number}", purpose="ack").id
    first = _worker(settings)
    try:
        _wait(lambda: len(twilio.messages) == 1, 60, "the first worker to hand the SMS to Twilio")
        assert _job(services, job_id).status == JobStatus.RUNNING
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its work horse, mid-request
        first.wait(timeout=10)
    assert _job(services, job_id).status == JobStatus.RUNNING  # nobody told the ledger

    later = system_clock() + RUNNING_LEASE + timedelta(minutes=1)
    assert relay(services.db, services.queue.submit, later) == 1  # lease expired: taken back
    second = _worker(settings, "--burst")
    assert second.wait(timeout=120) == 0
    job = _job(services, job_id)
    with services.db.reading() as session:
        rows = session.scalars(select(SmsMessage).where(SmsMessage.job_id == job_id)).all()
        notes = session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id,
                                                               TicketEvent.action == "add_note")).all()
    FaultReport("worker killed while sending an SMS", sent=1, acknowledged=len(twilio.messages),
                stored=len(rows), details={"job_status": job.status, "attempts": job.attempts,
                                           "row_status": [r.status for r in rows]}).assert_agree()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert rows[0].status == SmsStatus.UNKNOWN and twilio.requests == 1
    assert any("结果不明" in note for note in notes)  # a person is told to check, instead of a second text


def test_a_job_killed_before_it_touched_anything_runs_again_to_the_end(services, settings, twilio):
    """The other half: when nothing had been sent, the re-run does the whole job."""
    twilio.messages.append({"sid": "placeholder"})  # the hold applies to the first message only
    agent = UserFactory.create(services, Role.AGENT)
    ticket = TicketFactory.registered(services, agent, contact_phone="13912340001")
    with services.db.transaction() as session:
        job_id = enqueue(session, "sms.send", now=system_clock(), ticket_id=ticket.id, to="13912340001",
                         body="测试短信", purpose="ack").id
        session.execute(Job.__table__.update().where(Job.id == job_id).values(
            status=JobStatus.RUNNING, attempts=1, started_at=system_clock()))  # claimed by a worker that died
    later = system_clock() + RUNNING_LEASE + timedelta(minutes=1)
    assert relay(services.db, services.queue.submit, later) == 1
    worker = _worker(settings, "--burst")
    assert worker.wait(timeout=120) == 0
    assert _job(services, job_id).status == JobStatus.DONE
    assert [m["Body"] for m in twilio.messages[1:]] == ["测试短信"]
