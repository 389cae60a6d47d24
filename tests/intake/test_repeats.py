"""重复诉求并单: a repeat from the same phone, or the same problem at the same place, joins the open ticket."""
from __future__ import annotations

import re

import pytest
from aiohttp import FormData
from sqlalchemy import select, union

from channels.contacts import contacts_of
from channels.repeats import similarity
from dispatch.models import TicketProposal
from hotline.jobs import Job
from tests.intake.conftest import post_sms
from tracking.actions import Actor
from tracking.models import Ticket, TicketEvent
from tracking.states import Status

NUMBER = re.compile(r"\d{8}-\d{6}")


def _ticket(services, number) -> Ticket:
    with services.db.reading() as session:
        return session.scalar(select(Ticket).where(Ticket.number == number))


def test_similarity_of_chinese_texts():
    assert similarity("幸福小区3栋停水两天了", "幸福小区3栋，停水两天了！") == pytest.approx(1.0)
    assert similarity("幸福小区3栋停水", "幸福小区3号楼停水了") > 0.5
    assert similarity("幸福小区停水", "人民路路灯不亮") == 0.0


async def test_a_repeat_sms_from_the_same_phone_is_merged(client, services):
    _, first = await post_sms(client, "幸福小区3栋从昨天起停水，至今没有恢复", sid="SM" + "a" * 32)
    _, second = await post_sms(client, "幸福小区3栋还在停水，请尽快恢复供水", sid="SM" + "b" * 32)
    earlier, repeat = NUMBER.search(first).group(0), NUMBER.findall(second)
    assert repeat[0] != earlier and repeat[1] == earlier and "合并办理" in second  # the citizen still gets a number
    services.queue.drain()
    merged, target = _ticket(services, repeat[0]), _ticket(services, earlier)
    assert merged.status == Status.MERGED and merged.merged_into_id == target.id
    assert target.status == Status.REGISTERED
    with services.db.reading() as session:
        note = session.scalar(select(TicketEvent.note).where(TicketEvent.ticket_id == target.id,
                                                             TicketEvent.action == "add_note"))
        routed = set(session.scalars(union(select(Job.ticket_id).where(Job.name == "dispatch.route_ticket"),
                                           select(TicketProposal.ticket_id))))
    assert repeat[0] in note and routed == {target.id}  # only the earlier ticket goes to routing
    contacts = contacts_of(services.db, target.id, Actor.system("test"))
    assert [(c.kind, c.number) for c in contacts] == [("ticket", earlier), ("repeat", repeat[0])]
    assert contacts[1].phone == "13912345678" and "还在停水" in contacts[1].text


async def test_the_same_phone_about_something_else_is_a_new_ticket(client, services):
    await post_sms(client, "幸福小区3栋从昨天起停水，至今没有恢复", sid="SM" + "c" * 32)
    _, second = await post_sms(client, "人民路和解放路路口的红绿灯坏了", sid="SM" + "d" * 32)
    assert "合并" not in second
    services.queue.drain()
    assert _ticket(services, NUMBER.search(second).group(0)).status == Status.REGISTERED


async def _web_message(client, phone: str, content: str, address: str) -> None:
    html = await (await client.get("/messages/new")).text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    form = FormData()
    for name, value in {"_csrf": csrf, "name": "市民", "phone": phone, "title": "井盖丢失", "content": content,
                        "address": address}.items():
        form.add_field(name, value)
    assert (await client.post("/messages", data=form)).status == 200


async def test_another_citizen_reporting_the_same_thing_at_the_same_place_is_merged(client, services):
    text = "人民路18号门口的井盖丢了，晚上很危险，请尽快补上"
    await _web_message(client, "13811110000", text, "A3区人民路18号")
    await _web_message(client, "13822220000", "人民路18号门口井盖丢了，晚上很危险，请尽快补上", "A市A3区人民路18号")
    await _web_message(client, "13833330000", text, "A1区解放路99号")  # same words, another place
    services.queue.drain()
    with services.db.reading() as session:
        statuses = [t.status for t in session.scalars(select(Ticket).order_by(Ticket.id))]
    assert statuses == [Status.REGISTERED, Status.MERGED, Status.REGISTERED]


async def test_the_citizen_of_a_merged_repeat_can_follow_the_earlier_ticket(client, services):
    _, first = await post_sms(client, "幸福小区3栋从昨天起停水，至今没有恢复", sid="SM" + "e" * 32)
    _, second = await post_sms(client, "幸福小区3栋还在停水，请尽快恢复供水", sid="SM" + "f" * 32)
    services.queue.drain()
    earlier, repeat = NUMBER.search(first).group(0), NUMBER.search(second).group(0)
    html = await (await client.get("/lookup")).text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    page = await client.post("/lookup", data={"_csrf": csrf, "number": repeat, "phone_tail": "5678"})
    text = await page.text()
    assert page.status == 200 and "已并单" in text and f"与同一诉求的工单{earlier}合并办理" in text
    assert "合并办理的工单" in text and earlier in text


def test_the_callers_open_tickets_read_at_once_give_each_phone_what_find_repeat_gives(services):
    from channels.repeats import best_repeat, callers_open_tickets, find_repeat
    from tracking.actions import NewTicket, register_ticket
    from tracking.states import Channel

    now, actor = services.clock(), Actor.system("test")
    for phone, text in (("13900000001", "幸福小区3栋停水两天"), ("13900000001", "人民路路灯不亮"),
                        ("13900000002", "楼下烧烤店油烟扰民"), ("13900000003", "公交站牌倒了")):
        register_ticket(services.ledger, NewTicket(Channel.SMS, text, contact_phone=phone), actor=actor, now=now)
    asked = [("13900000001", "幸福小区3栋还在停水"), ("13900000001", "公园里的树倒了"),
             ("13900000002", "烧烤店油烟还是很大"), ("13900000003", "还没修好"), ("13900000004", "幸福小区3栋停水")]
    with services.db.reading() as session:
        found = callers_open_tickets(session, {phone for phone, _ in asked}, now)
        for phone, text in asked:
            alone = find_repeat(session, phone=phone, content=f" {text}", address="", district=None, now=now)
            grouped = best_repeat(found.get(phone, []), phone=phone, content=f" {text}", place="")
            assert (grouped and (grouped.ticket.id, grouped.reason)) == (alone and (alone.ticket.id, alone.reason))
    assert [m is not None for m in (best_repeat(found.get(p, []), phone=p, content=f" {t}", place="")
                                    for p, t in asked)] == [True, False, True, True, False]
