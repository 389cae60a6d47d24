"""Staff see a ticket's contacts and files; departments only their own; files served with their real type."""
from __future__ import annotations

import re

from aiohttp import FormData
from sqlalchemy import select

from channels.models import SmsMessage
from tests.intake.files import jpeg_bytes
from tests.support.web import login
from tracking.states import Role

FORM = {"service_code": "water-outage", "description": "停水了", "address_string": "A3区幸福路1号",
        "phone": "13900001111", "media_url": "https://img.example.cn/a.jpg"}


async def test_open311_request_is_acknowledged_by_sms_and_its_media_listed(client, services, keys):
    number = (await (await client.post("/open311/v2/requests.json", data=FORM, headers=keys["platform"])).json()
              )[0]["service_request_id"]
    services.queue.drain()
    with services.db.reading() as session:
        ack = session.scalar(select(SmsMessage).where(SmsMessage.purpose == "ack"))
    assert ack.to == "13900001111" and number in ack.body and "/lookup" in ack.body
    listing = await (await client.get(f"/api/v1/intake/tickets/{number}/contacts", headers=keys["agent"])).json()
    assert listing["files"][0]["url"] == "https://img.example.cn/a.jpg"
    assert listing["contacts"][0]["phone"] == "13900001111"
    [read] = await (await client.get(f"/open311/v2/requests/{number}.json", headers=keys["agent"])).json()
    assert read["media_url"] == "https://img.example.cn/a.jpg"
    assert (await client.get(f"/api/v1/intake/tickets/{number}/contacts", headers=keys["water"])).status == 404


async def test_a_photo_is_served_to_staff_only_with_its_sniffed_type(client, services, keys):
    html = await (await client.get("/messages/new")).text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    form = FormData()
    for name, value in {"_csrf": csrf, "name": "某", "phone": "13900002222", "title": "t", "content": "垃圾成堆"}.items():
        form.add_field(name, value)
    form.add_field("photo", jpeg_bytes(), filename="x.png", content_type="text/html")
    await client.post("/messages", data=form)
    with services.db.reading() as session:
        from tracking.models import Ticket
        number = session.scalar(select(Ticket.number))
    files = (await (await client.get(f"/api/v1/intake/tickets/{number}/contacts", headers=keys["agent"])).json())["files"]
    url = files[0]["url"]
    assert (await client.get(url, allow_redirects=False)).status == 302  # anonymous: to the login page
    await login(client, services, Role.AGENT)
    photo = await client.get(url)
    assert photo.status == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff" and (await photo.read())[:3] == b"\xff\xd8\xff"
    page = await client.get(f"/intake/tickets/{number}")
    assert page.status == 200 and "垃圾成堆" in await page.text()
    log = await client.get("/intake/sms")
    assert log.status == 200 and "短信记录" in await log.text()


async def test_the_sms_simulator_goes_through_the_real_path_in_console_mode(client, services):
    token = await login(client, services, Role.AGENT)
    page = await client.post("/intake/sms/simulate", data={"_csrf": token, "phone": "13911112222",
                                                            "body": "公园里的健身器材坏了"})
    html = await page.text()
    assert page.status == 200 and "您的诉求已受理" in html
    with services.db.reading() as session:
        from tracking.models import Ticket
        ticket = session.scalar(select(Ticket))
    assert ticket.channel == "sms" and ticket.contact_phone == "13911112222" and ticket.number in html


async def test_twilio_delivery_reports_update_the_log_and_the_ticket(client, services):
    from channels.models import SmsStatus
    from tests.intake.conftest import sign
    from tests.support.factories import TicketFactory, UserFactory
    from tracking.models import TicketEvent

    ticket = TicketFactory.registered(services, UserFactory.create(services, Role.AGENT))
    with services.db.transaction() as session:
        session.add(SmsMessage(ticket_id=ticket.id, to="13800138000", body="x", purpose="reply", provider="twilio",
                               provider_id="SM" + "f" * 32, status=SmsStatus.SENT, attempt=1,
                               created_at=services.clock()))
    form = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    path = "/hooks/twilio/sms/status"
    assert (await client.post(path, data=form)).status == 403
    assert (await client.post(path, data=form, headers=sign(path, form))).status == 204
    with services.db.reading() as session:
        assert session.scalar(select(SmsMessage.status)) == SmsStatus.FAILED
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert any("短信未送达" in n and "30003" in n for n in notes)
