"""A month of tickets with known outcomes (October 2026), built through the real actions.

Every ticket below has a comment saying what it is for; the expected figures
in the tests are counted by hand from these comments. Times are local
(Asia/Shanghai). The limits are the defaults of config/data/time_limits.yaml
for normal tickets: sign in within 2 working hours, reply within 5 working
days (Monday 12 October 09:00 is due Monday 19 October 17:30), and the
evaluation rules' response limit of 24 hours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.auth import create_user
from tests.support.factories import DepartmentFactory, TicketFactory
from tracking import actions as act
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.states import Channel, Role, Satisfaction

TZ = ZoneInfo("Asia/Shanghai")
SATISFIED, BASICALLY, UNSATISFIED = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Month:
    departments: dict[str, Department]
    staff: dict[str, Actor]
    agent: Actor
    supervisor: Actor
    tickets: dict[str, object] = field(default_factory=dict)  # label -> Ticket


class Builder:
    def __init__(self, services, clock):
        self.services, self.clock, self.ledger = services, clock, services.ledger

    def at(self, moment: datetime) -> datetime:
        return self.clock.set(moment)

    def dispatched(self, month: Month, label: str, code: str, when: datetime, **fields):
        self.at(when)
        ticket = TicketFactory.dispatched(self.services, month.agent, month.departments[code],
                                          service_code=fields.pop("service_code", SERVICES[code]),
                                          contact_phone=fields.pop("contact_phone", f"1380000{len(month.tickets):04d}"),
                                          district=fields.pop("district", "A1区"), **fields)
        month.tickets[label] = ticket
        return ticket.id

    def accept(self, month, code, ticket_id, when):
        act.accept_ticket(self.ledger, ticket_id, actor=month.staff[code], now=self.at(when))

    def work(self, month, code, ticket_id, when):
        act.start_work(self.ledger, ticket_id, actor=month.staff[code], now=self.at(when), note="已联系市民")

    def reply(self, month, code, ticket_id, when):
        act.reply_ticket(self.ledger, ticket_id, actor=month.staff[code], now=self.at(when), reply="已处理")

    def callback(self, month, ticket_id, when, satisfaction, resolved, close=True):
        act.record_callback(self.ledger, ticket_id, actor=month.agent, now=self.at(when),
                            satisfaction=satisfaction, resolved=resolved)
        if close:
            act.close_ticket(self.ledger, ticket_id, actor=month.agent, now=self.at(when.replace(minute=30)))

    def smooth(self, month, label, code, day, *, month_no=10, satisfaction=SATISFIED, resolved=True, **fields):
        """Dispatched at 09:00, signed in 09:10, worked 09:20, answered next day 08:00, called back after."""
        ticket_id = self.dispatched(month, label, code, local(month_no, day, 9), **fields)
        self.accept(month, code, ticket_id, local(month_no, day, 9, 10))
        self.work(month, code, ticket_id, local(month_no, day, 9, 20))
        self.reply(month, code, ticket_id, local(month_no, day + 1, 8))
        self.callback(month, ticket_id, local(month_no, day + 2, 10), satisfaction, resolved)
        return ticket_id


def _staff(services, role: Role, username: str, department_code: str | None = None) -> Actor:
    """An account without a password: these people act through the actions, never log in."""
    user = create_user(services.db, username=username, display_name=f"{username}用户", role=role,
                       now=services.clock(), department_code=department_code)
    return Actor.of(user)


SERVICES = {"water": "water-account", "gas": "gas-service", "housing": "housing-policy",
            "education": "school-admission", "market": "consumer-complaint"}


def build_month(services, clock) -> Month:
    """Five departments' September, October and a little of November, as described per ticket."""
    b = Builder(services, clock)
    b.at(local(9, 1, 8))
    departments = {
        "water": DepartmentFactory.create(services, code="water", name="市水务集团", kind="enterprise", tier="large"),
        "gas": DepartmentFactory.create(services, code="gas", name="市燃气集团", kind="enterprise", tier="medium"),
        "housing": DepartmentFactory.create(services, code="housing", name="市住房和城乡建设局", kind="city",
                                            tier="large"),
        "education": DepartmentFactory.create(services, code="education", name="市教育局", kind="city", tier="large"),
        "market": DepartmentFactory.create(services, code="market", name="市市场监督管理局", kind="city",
                                           tier="large"),
    }
    month = Month(departments, {code: _staff(services, Role.DEPARTMENT, f"staff-{code}", code)
                                for code in departments},
                  agent=_staff(services, Role.AGENT, "agent-month"),
                  supervisor=_staff(services, Role.SUPERVISOR, "supervisor-month"))

    # September: water's five smooth tickets (its previous month: score 100, first of two... alone in its group).
    for n in range(5):
        b.smooth(month, f"S{n + 1}", "water", 14, month_no=9)

    # --- October, water: six tickets.
    mon = 12
    w1 = b.dispatched(month, "W1", "water", local(10, mon, 9))            # everything on time
    b.accept(month, "water", w1, local(10, mon, 9, 30))
    b.work(month, "water", w1, local(10, mon, 10))
    b.reply(month, "water", w1, local(10, 14, 9))                           # 48 h after receipt
    b.callback(month, w1, local(10, 15, 10), SATISFIED, True)
    w2 = b.dispatched(month, "W2", "water", local(10, mon, 9), channel=Channel.SMS)  # signed in late
    b.accept(month, "water", w2, local(10, mon, 14))                        # due 11:00
    b.reply(month, "water", w2, local(10, 13, 8))                           # 23 h: responded in time
    b.callback(month, w2, local(10, 14, 10), BASICALLY, False)             # basically satisfied, not solved
    w3 = b.dispatched(month, "W3", "water", local(10, mon, 9), channel=Channel.WEB)  # late reply, re-opened
    b.accept(month, "water", w3, local(10, mon, 9, 30))
    b.reply(month, "water", w3, local(10, 20, 10))                          # due 19th 17:30: late; 193 h
    b.callback(month, w3, local(10, 21, 10), UNSATISFIED, False, close=False)
    act.reopen_ticket(services.ledger, w3, actor=month.agent, now=b.at(local(10, 21, 10, 30)), reason="未解决")
    b.accept(month, "water", w3, local(10, 21, 10, 50))                     # due 12:30: on time
    b.reply(month, "water", w3, local(10, 21, 15))
    b.callback(month, w3, local(10, 22, 10), SATISFIED, True)               # the latest verdict counts
    w4 = b.dispatched(month, "W4", "water", local(10, mon, 9))              # extended, answered within the extension
    b.accept(month, "water", w4, local(10, mon, 9, 20))
    b.work(month, "water", w4, local(10, mon, 11))
    act.request_extension(services.ledger, w4, actor=month.staff["water"], now=b.at(local(10, 13, 9)),
                          working_days=3, reason="需协调施工单位")
    act.grant_extension(services.ledger, w4, actor=month.supervisor, now=b.at(local(10, 13, 10)))
    b.reply(month, "water", w4, local(10, 20, 10))                          # after the 19th, before the 22nd
    b.callback(month, w4, local(10, 21, 11), SATISFIED, True)
    w5 = b.dispatched(month, "W5", "water", local(10, mon, 9))              # signed in, never answered
    b.accept(month, "water", w5, local(10, mon, 9, 40))
    w6 = b.dispatched(month, "W6", "water", local(10, mon, 9))              # not water's: returned, sent to gas
    act.return_ticket(services.ledger, w6, actor=month.staff["water"], now=b.at(local(10, mon, 10)),
                      reason="属燃气业务，非本单位职责")
    act.reassign_ticket(services.ledger, w6, departments["gas"].id, actor=month.agent, now=b.at(local(10, mon, 10, 30)))
    b.accept(month, "gas", w6, local(10, mon, 11))
    b.work(month, "gas", w6, local(10, mon, 11, 30))
    b.reply(month, "gas", w6, local(10, 14, 9))
    b.callback(month, w6, local(10, 15, 10), SATISFIED, True)

    # --- October, gas: five of its own besides W6; G5 not called back yet.
    for n in range(4):
        b.smooth(month, f"G{n + 1}", "gas", mon)
    g5 = b.dispatched(month, "G5", "gas", local(10, mon, 9))
    b.accept(month, "gas", g5, local(10, mon, 9, 10))
    b.reply(month, "gas", g5, local(10, 13, 8))

    # --- October, housing: five on time; H4 unsatisfied and unsolved, H5 basically satisfied.
    for n, (verdict, solved) in enumerate([(SATISFIED, True)] * 3 + [(UNSATISFIED, False), (BASICALLY, True)]):
        b.smooth(month, f"H{n + 1}", "housing", mon, satisfaction=verdict, resolved=solved, district="A2区")
    # --- October, education: five perfect; market: two perfect (too few to rank).
    for n in range(5):
        b.smooth(month, f"E{n + 1}", "education", mon, district=None)
    for n in range(2):
        b.smooth(month, f"M{n + 1}", "market", mon, channel=Channel.WEB)

    # --- October, the hotline alone: two answered directly, one repeat merged into G5, one repeat request.
    for n in range(2):
        ticket = TicketFactory.registered(services, month.agent, now=b.at(local(10, 16, 9 + n)), channel=Channel.WEB,
                                          title="咨询入学政策", content="孩子明年入学需要准备哪些材料")
        act.answer_directly(services.ledger, ticket.id, actor=month.agent, now=b.at(local(10, 16, 9 + n, 5)),
                            answer="已解答")
        month.tickets[f"D{n + 1}"] = ticket
    repeat = TicketFactory.registered(services, month.agent, now=b.at(local(10, 13, 9)),
                                      contact_phone=month.tickets["G5"].contact_phone, service_code="gas-service")
    act.merge_ticket(services.ledger, repeat.id, g5, actor=month.agent, now=b.at(local(10, 13, 9, 5)))
    month.tickets["R1"] = repeat
    again = TicketFactory.registered(services, month.agent, now=b.at(local(10, 26, 9)),
                                     contact_phone=month.tickets["E1"].contact_phone, service_code="school-admission")
    month.tickets["R2"] = again  # same caller, same service as E1 two weeks later: a repeat request

    # November: one ticket for water, outside October.
    b.smooth(month, "N1", "water", 2, month_no=11)
    b.at(local(11, 23, 9))
    return month
