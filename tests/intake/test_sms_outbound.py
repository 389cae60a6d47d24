"""Outbound SMS: one interface, Twilio (against the fake server) and console; retried, recorded, never lost."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.models import SmsMessage, SmsStatus
from channels.sms.senders import ConsoleSmsSender, SmsError, TwilioSmsSender
from config.settings import Settings
from hotline.jobs import Job, JobStatus, enqueue
from hotline.scheduler import relay
from hotline.services import build_services
from tests.fakes.twilio_server import FakeTwilio
from tests.support.factories import TicketFactory, UserFactory
from tracking.models import TicketEvent
from tracking.states import Role

SID, TOKEN, FROM = "AC" + "1" * 32, "secret-auth-token", "+15005550006"


@pytest.fixture
def twilio():
    fake = FakeTwilio(SID, TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_services(database_url, tmp_path, clock, twilio):
    settings = Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"), redis_url="",
                                 twilio_account_sid=SID, twilio_auth_token=TOKEN, twilio_from_number=FROM,
                                 twilio_api_base=twilio.base_url)
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.mark.parametrize("kind", ["twilio", "console"])
def test_both_senders_honour_the_interface(kind, twilio):
    sender = (TwilioSmsSender(SID, TOKEN, FROM, twilio.base_url) if kind == "twilio" else ConsoleSmsSender())
    receipt = sender.send("13912345678", "测试短信")
    assert receipt.provider == kind and receipt.provider_id
    if kind == "twilio":
        assert twilio.messages[-1] | {"sid": receipt.provider_id} == {
            "sid": receipt.provider_id, "To": "+8613912345678", "From": FROM, "Body": "测试短信"}


def test_twilio_errors_say_whether_to_retry(twilio):
    wrong_token = TwilioSmsSender(SID, "not-the-token", FROM, twilio.base_url)
    with pytest.raises(SmsError) as refused:
        wrong_token.send("13912345678", "x")
    assert not refused.value.permanent and "401" in str(refused.value)
    wrong_account = TwilioSmsSender("AC" + "9" * 32, TOKEN, FROM, twilio.base_url)
    with pytest.raises(SmsError):
        wrong_account.send("13912345678", "x")
    with pytest.raises(SmsError) as invalid:
        TwilioSmsSender(SID, TOKEN, FROM, twilio.base_url).send("+0123456", "x")
    assert invalid.value.permanent and "21211" in str(invalid.value)
    unreachable = TwilioSmsSender(SID, TOKEN, FROM, "http://127.0.0.1:9")
    with pytest.raises(SmsError) as down:
        unreachable.send("13912345678", "x")
    assert not down.value.permanent
    assert twilio.messages == []


def _send(services, ticket_id, to="13912345678", body="您的工单已受理"):
    with services.db.transaction() as session:
        return enqueue(session, "sms.send", now=services.clock(), ticket_id=ticket_id, to=to, body=body,
                       purpose="ack").id


def _rows(services, model, *where):
    with services.db.reading() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def test_sms_send_task_goes_through_twilio_and_onto_the_ticket(twilio_services, twilio):
    services = twilio_services
    ticket = TicketFactory.registered(services, UserFactory.create(services, Role.AGENT))
    _send(services, ticket.id)
    services.queue.drain()
    [sent] = twilio.messages
    assert sent["To"] == "+8613912345678" and sent["Body"] == "您的工单已受理" and sent["From"] == FROM
    assert sent["StatusCallback"].endswith("/hooks/twilio/sms/status")
    [row] = _rows(services, SmsMessage)
    assert (row.status, row.provider, row.provider_id, row.ticket_id) == (SmsStatus.SENT, "twilio", sent["sid"],
                                                                          ticket.id)
    notes = [e.note for e in _rows(services, TicketEvent, TicketEvent.ticket_id == ticket.id)]
    assert any("已发送短信（受理回执）至139****5678" in note for note in notes)


def test_a_failed_send_is_retried_and_recorded(twilio_services, twilio, clock):
    services = twilio_services
    ticket = TicketFactory.registered(services, UserFactory.create(services, Role.AGENT))
    twilio.fail_next = 1
    job_id = _send(services, ticket.id)
    services.queue.drain()
    [failed] = _rows(services, SmsMessage)
    assert failed.status == SmsStatus.FAILED and "503" in failed.error and twilio.messages == []
    assert _rows(services, Job, Job.id == job_id)[0].status == JobStatus.PENDING
    clock.advance(minutes=5)
    relay(services.db, services.queue.submit, clock())
    services.queue.drain()
    assert [m.status for m in _rows(services, SmsMessage)] == [SmsStatus.FAILED, SmsStatus.SENT]
    assert len(twilio.messages) == 1 and _rows(services, Job, Job.id == job_id)[0].status == JobStatus.DONE


def test_a_number_twilio_refuses_is_not_retried_but_noted_on_the_ticket(twilio_services, twilio):
    services = twilio_services
    ticket = TicketFactory.registered(services, UserFactory.create(services, Role.AGENT))
    job_id = _send(services, ticket.id, to="+0123456")
    services.queue.drain()
    assert _rows(services, Job, Job.id == job_id)[0].status == JobStatus.DONE
    assert _rows(services, SmsMessage)[0].status == SmsStatus.FAILED
    notes = [e.note for e in _rows(services, TicketEvent, TicketEvent.ticket_id == ticket.id)]
    assert any("短信（受理回执）发送失败" in note and "21211" in note for note in notes)


def test_giving_up_after_the_last_attempt_is_noted_on_the_ticket(twilio_services, twilio, clock):
    services = twilio_services
    ticket = TicketFactory.registered(services, UserFactory.create(services, Role.AGENT))
    twilio.fail_next = 99
    job_id = _send(services, ticket.id)
    services.queue.drain()
    for _ in range(10):
        clock.advance(hours=1)
        relay(services.db, services.queue.submit, clock())
        services.queue.drain()
    assert _rows(services, Job, Job.id == job_id)[0].status == JobStatus.FAILED
    assert len(_rows(services, SmsMessage)) == 5
    notes = [e.note for e in _rows(services, TicketEvent, TicketEvent.ticket_id == ticket.id)]
    assert sum("发送失败，已尝试5次" in note for note in notes) == 1
