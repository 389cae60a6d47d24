"""tracking.actions.reservations: numbers per local day, ids never shared, and the callers' contacts found."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.support.factories import TicketFactory
from tracking.actions import Actor, NewTicket
from tracking.actions.reservations import reserve
from tracking.actions.ticket_rows import Checked
from tracking.states import Channel


def _item(phone, now) -> Checked:
    return Checked(NewTicket(Channel.SMS, "内容", contact_phone=phone), Actor.system("测试"), now, "标题", "内容", phone)


def test_numbers_follow_each_local_day_in_the_items_order(services, clock):
    evening = clock().astimezone(services.ledger.tz).replace(hour=23, minute=59, second=58)
    TicketFactory.registered(services, Actor.system("测试"), now=evening)  # the evening's first number
    items = [_item(None, evening), _item(None, evening + timedelta(seconds=5)), _item(None, evening)]
    with services.db.transaction() as session:
        reserved = reserve(session, services.ledger, items, job_count=0)
    day, next_day = evening.strftime("%Y%m%d"), (evening + timedelta(days=1)).strftime("%Y%m%d")
    assert reserved.numbers == [f"{day}-000002", f"{next_day}-000001", f"{day}-000003"]


def test_a_known_phone_keeps_its_contact_and_a_new_one_gets_one_id(services, clock):
    known = TicketFactory.registered(services, Actor.system("测试"), contact_phone="13800138000")
    items = [_item("13800138000", clock()), _item("13900139000", clock()), _item("13900139000", clock()),
             _item(None, clock())]
    with services.db.transaction() as session:
        reserved = reserve(session, services.ledger, items, job_count=3)
    assert reserved.known == {"13800138000": known.contact_id}
    assert list(reserved.fresh) == ["13900139000"] and reserved.fresh["13900139000"] > known.contact_id
    assert len(reserved.ticket_ids) == 4 and min(reserved.ticket_ids) > known.id
    assert reserved.ticket_ids == sorted(set(reserved.ticket_ids)) and len(set(reserved.job_ids)) == 3


def test_concurrent_reservations_share_no_number_and_no_id(services, clock):
    def one(_):
        with services.db.transaction() as session:
            return reserve(session, services.ledger, [_item(None, clock())] * 5, job_count=2)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(24)))
    numbers = [n for r in results for n in r.numbers]
    tickets, jobs = [i for r in results for i in r.ticket_ids], [i for r in results for i in r.job_ids]
    assert sorted(numbers) == [f"{clock().astimezone(services.ledger.tz):%Y%m%d}-{i:06d}" for i in range(1, 121)]
    if services.db.dialect == "postgresql":  # SQLite's ids are taken under the write lock, with the rows written
        assert len(set(tickets)) == 120 and len(set(jobs)) == 48
