"""Bad input on every public door: broken encodings, huge bodies, wrong types. Clear answers, never a 500."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tracking.models import Ticket

BIG = b"x" * (10 * 1024 * 1024 + 10)


async def _csrf(client) -> str:
    html = await (await client.get("/messages/new")).text()
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


async def test_broken_encoding_in_the_message_form_is_a_400_in_chinese(client, services):
    csrf = await _csrf(client)
    body = f"_csrf={csrf}&name=%E5%88%98&phone=13655556666&title=%FF%FE&content=%C3%28".encode()
    response = await client.post("/messages", data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    html = await response.text()
    assert response.status == 400 and "标题含有无法识别的字符（编码有误）" in html and "留言内容含有" in html
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0


async def test_a_body_over_10mb_is_refused_clearly_everywhere(client, keys):
    csrf = await _csrf(client)
    page = await client.post("/messages", data={"_csrf": csrf, "content": BIG.decode()})
    assert page.status == 413 and "10MB" in await page.text()
    open311 = await client.post("/open311/v2/requests.json", data=BIG,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert open311.status == 413 and (await open311.json())[0]["code"] == 413
    upstream = await client.post("/api/v1/upstream/orders", data=BIG,
                                 headers={**keys["platform"], "Content-Type": "application/json"})
    assert upstream.status == 413 and "10MB" in (await upstream.json())["error"]
    hook = await client.post("/hooks/twilio/sms", data=BIG, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert hook.status == 413


async def test_broken_encodings_on_machine_doors(client, keys):
    open311 = await client.post("/open311/v2/requests.json", data=b"service_code=%FF&description=%C3%28",
                                headers={**keys["platform"], "Content-Type": "application/x-www-form-urlencoded"})
    assert open311.status == 400 and (await open311.json())[0]["code"] == 400
    upstream = await client.post("/api/v1/upstream/orders", data=b'{"order_id": "\xff"}',
                                 headers={**keys["platform"], "Content-Type": "application/json"})
    assert upstream.status == 400 and "UTF-8" in (await upstream.json())["error"]
    hook = await client.post("/hooks/twilio/sms", data=b"Body=%FF", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    assert hook.status in (400, 403)


async def test_lookup_with_wrong_shapes(client):
    csrf = await _csrf(client)
    for number, tail in [("123", "1234"), ("20261123-000001", "12a4"), ("", "")]:
        response = await client.post("/lookup", data={"_csrf": csrf, "number": number, "phone_tail": tail})
        assert response.status == 400 and "error" in await response.text()


async def test_broken_encoding_in_twilio_webhooks_is_a_400_before_any_signature_or_storage(client, services):
    body = b"MessageSid=SM1&From=%2B8613912345678&Body=\xff\xfe"  # raw bytes that are not UTF-8
    for path in ("/hooks/twilio/sms", "/hooks/twilio/voice"):
        answer = await client.post(path, data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "anything"})
        assert answer.status == 400 and "UTF-8" in (await answer.json())["error"], path
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0
