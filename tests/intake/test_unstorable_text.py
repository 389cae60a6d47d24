"""Text no database can store (a NUL, half a UTF-16 pair) is its sender's error, never its group's."""
from __future__ import annotations

import pytest

from channels.sms.grouped import handle_inbound_many
from channels.sms.replies import InboundSms
from tracking.actions import Actor, InvalidInput, NewTicket
from tracking.actions.registration import Registration
from tracking.actions.registration_batch import Submission, register_tickets
from tracking.states import Channel, Role

AGENT = Actor(user_id=None, name="话务员", role=Role.AGENT)
GOOD = "幸福小区3栋从昨天起停水，至今没有恢复"


@pytest.mark.parametrize("field", ["content", "title", "contact_name", "address"])
@pytest.mark.parametrize("bad", ["停水\x00", "停水\ud800"])
def test_an_api_group_registers_the_others_and_refuses_the_unstorable_one(services, departments, field, bad):
    now = services.clock()
    fields = {"content": GOOD, field: bad}
    results = register_tickets(services.ledger, [
        Submission(NewTicket(channel=Channel.API, contact_phone="13900000001", content=GOOD), AGENT, now),
        Submission(NewTicket(channel=Channel.API, contact_phone="13900000002", **fields), AGENT, now),
        Submission(NewTicket(channel=Channel.API, contact_phone="13900000003", content=GOOD), AGENT, now)],
        services.intake_routing)
    assert isinstance(results[1], InvalidInput) and "无法保存" in results[1].message
    assert all(isinstance(r, Registration) and r.created for r in (results[0], results[2]))


def test_an_sms_group_answers_the_unstorable_text_and_registers_the_others(services, departments):
    now = services.clock()

    def sms(n: int, body: str) -> InboundSms:
        sid, phone = f"SM{n:032d}", f"+86139{n:08d}"
        return InboundSms(message_sid=sid, phone=phone, body=body, to="+8612345",
                          payload={"MessageSid": sid, "From": phone, "Body": body})

    results = handle_inbound_many(services, [(sms(1, GOOD), now), (sms(2, "停水\x00"), now), (sms(3, GOOD), now)])
    assert isinstance(results[1], InvalidInput)
    assert results[0].ticket_number and results[2].ticket_number
