"""The staff's SMS log: a whole mobile number is matched exactly (by the senders' index), a few digits by containing."""
from __future__ import annotations

from channels.models import SmsMessage, SmsStatus
from channels.sms.replies import InboundSms, handle_inbound
from channels.sms_log import sms_log, whole_mobile


def _text(services, n: int, phone: str) -> None:
    sid = f"SM{n:032d}"
    handle_inbound(services, InboundSms(message_sid=sid, phone=phone, body="路灯不亮已经一周", to="+8612345",
                                        payload={"MessageSid": sid}), now=services.clock())


def test_a_whole_number_matches_exactly_and_digits_match_within(services):
    _text(services, 1, "+8613900001111")
    _text(services, 2, "+8613900001112")
    _text(services, 3, "+4413900001111")  # a foreign number that contains the first one's digits
    with services.db.transaction() as session:
        session.add(SmsMessage(to="13900001111", body="您的工单已受理", purpose="ack", provider="console",
                               status=SmsStatus.SENT, created_at=services.clock()))
    for asked in ("13900001111", "+86 139-0000-1111"):
        log = sms_log(services.db, phone=asked)
        assert [m.sender for m, _ in log.inbound] == ["13900001111"]
        assert [m.to for m, _ in log.outbound] == ["13900001111"]
    assert sorted(m.sender for m, _ in sms_log(services.db, phone="1111").inbound) == ["+4413900001111",
                                                                                       "13900001111"]
    assert (whole_mobile("+8613900001111"), whole_mobile("1390000"), whole_mobile("电话")) == \
        ("13900001111", None, None)


async def test_the_sms_log_page_filters_by_the_number_an_agent_types(client, services):
    from tests.intake.conftest import post_sms
    from tests.support.web import login
    from tracking.states import Role

    await post_sms(client, "路灯不亮已经一周", sid="SM" + "1" * 32, phone="+8613900001111")
    await post_sms(client, "楼下烧烤油烟很大", sid="SM" + "2" * 32, phone="+8613900002222")
    await login(client, services, Role.AGENT)
    page = await client.get("/intake/sms", params={"phone": "+86 139 0000 1111"})
    html = await page.text()
    assert page.status == 200 and "路灯不亮" in html and "烧烤油烟" not in html
    html = await (await client.get("/intake/sms", params={"phone": "2222"})).text()
    assert "烧烤油烟" in html and "路灯不亮" not in html
