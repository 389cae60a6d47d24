"""The public website: leave a message with a photo, get a number, look it up; CSRF and rate limits."""
from __future__ import annotations

import re

from aiohttp import FormData
from sqlalchemy import func, select

from channels.models import Attachment
from tests.intake.files import NOT_AN_IMAGE, jpeg_bytes
from tests.support.factories import DepartmentFactory, UserFactory
from tracking import actions as act
from tracking.models import Ticket
from tracking.states import Role

FIELDS = {"name": "刘女士", "phone": "13655556666", "title": "幸福小区门口路灯不亮",
          "content": "幸福小区东门口的两盏路灯已经坏了一周，晚上出行很不方便。", "address": "A3区幸福路18号"}


async def _form_page(client, query: str = "") -> tuple[str, str, str]:
    html = await (await client.get("/messages/new" + query)).text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', html).group(1)
    return html, csrf, submission


def _form(csrf: str, submission: str, photo: tuple[str, bytes] | None = None, **fields) -> FormData:
    form = FormData()
    for name, value in {"_csrf": csrf, "submission": submission, **FIELDS, **fields}.items():
        form.add_field(name, value)
    if photo:
        form.add_field("photo", photo[1], filename=photo[0], content_type="image/jpeg")
    return form


def _count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count(Ticket.id)))


async def test_message_with_photo_gives_a_number_and_a_double_submit_gives_the_same(client, services):
    _, csrf, submission = await _form_page(client)
    response = await client.post("/messages", data=_form(csrf, submission, ("门口.jpg", jpeg_bytes())),
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/messages/thanks"
    thanks = await (await client.get("/messages/thanks")).text()
    number = re.search(r'class="ticket-number">(\d{8}-\d{6})<', thanks).group(1)
    again = await client.post("/messages", data=_form(csrf, submission, ("门口.jpg", jpeg_bytes())))
    assert number in await again.text() and _count(services) == 1
    with services.db.reading() as session:
        ticket = session.scalar(select(Ticket))
        photo = session.scalar(select(Attachment))
    assert ticket.number == number and ticket.channel == "web" and ticket.contact_name == "刘女士"
    assert photo.ticket_id == ticket.id and photo.content_type == "image/jpeg" and photo.filename == "门口.jpg"
    assert (services.settings.upload_dir / photo.stored_path).read_bytes()[:3] == b"\xff\xd8\xff"


async def test_bad_input_is_shown_on_the_form_in_chinese(client, services):
    _, csrf, submission = await _form_page(client)
    response = await client.post("/messages", data=_form(
        csrf, submission, ("photo.jpg", NOT_AN_IMAGE), content="", phone="12", title="标" * 101))
    html = await response.text()
    assert response.status == 400
    assert "请填写留言内容" in html and "联系电话格式不正确" in html and "标题不能超过100字" in html
    assert "不是有效的图片" in html and "刘女士" in html  # what was typed is kept
    assert _count(services) == 0


async def test_prefill_from_the_self_service_search(client):
    html, _, _ = await _form_page(client, "?title=%E5%81%9C%E6%B0%B4&content=%3Cscript%3E%E5%81%9C%E6%B0%B4")
    assert 'value="停水"' in html and "&lt;script&gt;停水</textarea>" in html


async def test_posting_without_the_csrf_token_is_refused(client, services):
    _, _, submission = await _form_page(client)
    form = _form("wrong-token", submission)
    assert (await client.post("/messages", data=form)).status == 403
    assert _count(services) == 0


async def test_lookup_shows_progress_and_reply_but_no_names(client, services):
    _, csrf, submission = await _form_page(client)
    await client.post("/messages", data=_form(csrf, submission))
    with services.db.reading() as session:
        ticket = session.scalar(select(Ticket))
    agent = UserFactory.create(services, Role.AGENT)
    department = DepartmentFactory.create(services, code="lights", name="市城市管理局")
    staff = UserFactory.create(services, Role.DEPARTMENT, department=department)
    act.dispatch_ticket(services.ledger, ticket.id, department.id, actor=agent, now=services.clock())
    act.accept_ticket(services.ledger, ticket.id, actor=staff, now=services.clock())
    act.reply_ticket(services.ledger, ticket.id, actor=staff, now=services.clock(), reply="路灯已于今日修复。")

    wrong = await client.post("/lookup", data={"_csrf": csrf, "number": ticket.number, "phone_tail": "0000"})
    assert wrong.status == 404 and "未找到该工单" in await wrong.text()
    unknown = await client.post("/lookup", data={"_csrf": csrf, "number": "20991231-000001", "phone_tail": "6666"})
    same_page = (await wrong.text()).replace(ticket.number, "20991231-000001")
    assert unknown.status == 404 and await unknown.text() == same_page  # nothing tells which numbers exist
    found = await client.post("/lookup", data={"_csrf": csrf, "number": ticket.number, "phone_tail": "6666"})
    html = await found.text()
    assert found.status == 200 and "路灯已于今日修复。" in html and "市城市管理局已签收" in html
    assert agent.name not in html and staff.name not in html and "刘女士" not in html and "13655556666" not in html


async def test_lookups_are_rate_limited_per_client(client, services):
    html = await (await client.get("/lookup")).text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    statuses = [(await client.post("/lookup", data={"_csrf": csrf, "number": f"20261123-{i:06d}",
                                                     "phone_tail": "1234"})).status for i in range(22)]
    assert statuses[:20] == [404] * 20 and statuses[20:] == [429, 429]
    services.clock.advance(minutes=1)
    assert (await client.post("/lookup", data={"_csrf": csrf, "number": "20261123-000001",
                                                "phone_tail": "1234"})).status == 404


async def test_public_pages_link_each_other(client):
    home = await (await client.get("/")).text()
    assert 'href="/messages/new"' in home and 'href="/lookup"' in home
    page = await (await client.get("/lookup")).text()
    assert 'href="/messages/new"' in page
