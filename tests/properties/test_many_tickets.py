"""Property test: many tickets, two departments, merges, any action by anyone, in any order.

The single-ticket machine in tests/tracking checks each transition against
``TRANSITIONS``; this one checks what only shows with several tickets at once:
merges (并单) never form chains or cycles and move the repeat to its target's
department, a department sees exactly the tickets that are its own (by page,
list, and every action's answer), ticket numbers stay unique and in order, and
a finished ticket (办结, 直接办结, 并单) is never moved again.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from tests.support.factories import DepartmentFactory, UserFactory
from tracking import actions as act
from tracking.actions import LedgerError
from tracking.commands import run_command
from tracking.models import Ticket
from tracking.queries import TicketFilter, list_tickets
from tracking.states import FINAL_STATUSES, TRANSITIONS, Channel, Role, Status

FIELDS = {"dispatch": {"department": "water"}, "reassign": {"department": "gas"}, "answer_directly": {"answer": "已解答"},
          "return": {"reason": "非本单位职责"}, "request_extension": {"working_days": 2, "reason": "需协调"},
          "refuse_extension": {"reason": "可按期"}, "reply": {"reply": "已处理"}, "reopen": {"reason": "仍未解决"},
          "escalate": {"note": "督办"}, "add_note": {"note": "备注"}, "remind": {"note": "催办"},
          "record_callback": {"satisfaction": "satisfied", "resolved": True}, "close": {"note": "办结"}}
ACTIONS = sorted(a for a in TRANSITIONS if a != "merge")


class Hotline(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    def __init__(self, services, people):
        super().__init__()
        self.services, self.ledger, self.people = services, services.ledger, people
        self.now = services.clock()
        self.mine: list[int] = []

    def load(self, ticket_id: int) -> Ticket:
        with self.services.db.reading() as session:
            return session.get(Ticket, ticket_id)

    @rule(target=tickets, minutes=st.integers(0, 600))
    def register(self, minutes):
        self.now += timedelta(minutes=minutes)
        new = act.NewTicket(channel=Channel.PHONE, content="小区门口路灯不亮", contact_phone="13800138000")
        ticket = act.register_ticket(self.ledger, new, actor=self.people[Role.AGENT], now=self.now).ticket
        self.mine.append(ticket.id)
        return ticket.id

    @rule(ticket=tickets, action=st.sampled_from(ACTIONS), role=st.sampled_from(sorted(Role)),
          minutes=st.integers(0, 3000))
    def act(self, ticket, action, role, minutes):
        self.now += timedelta(minutes=minutes)
        before = self.load(ticket)
        try:
            run_command(self.ledger, before.number, action, actor=self.people[role], now=self.now,
                        fields=FIELDS.get(action, {}))
        except LedgerError:
            assert self.load(ticket).status == before.status
            return
        assert Status(before.status) not in FINAL_STATUSES or TRANSITIONS[action].to is None

    @rule(repeat=tickets, into=tickets)
    def merge(self, repeat, into):
        before, target = self.load(repeat), self.load(into)
        try:
            act.merge_ticket(self.ledger, repeat, into, actor=self.people[Role.AGENT], now=self.now, note="重复")
        except LedgerError:
            after = self.load(repeat)
            assert (after.status, after.merged_into_id) == (before.status, before.merged_into_id)
            return
        assert repeat != into and before.status == Status.REGISTERED and target.merged_into_id is None
        assert Status(target.status) not in FINAL_STATUSES
        assert self.load(repeat).department_id == target.department_id  # its department follows it

    @invariant()
    def merges_point_at_unmerged_tickets(self):
        for ticket_id in self.mine:
            ticket = self.load(ticket_id)
            if ticket.merged_into_id is None:
                assert ticket.status != Status.MERGED
                continue
            target = self.load(ticket.merged_into_id)
            assert ticket.status == Status.MERGED and target.merged_into_id is None  # no chains, no cycles

    @invariant()
    def a_department_sees_exactly_its_own(self):
        for role_key in ("water", "gas"):
            actor = self.people[role_key]
            page = list_tickets(self.services.db, actor, TicketFilter(per_page=500))
            seen = {t.id for t in page.items}
            own = {i for i in self.mine if self.load(i).department_id == actor.department_id}
            assert own <= seen and all(self.load(i).department_id == actor.department_id for i in seen)

    @invariant()
    def numbers_are_unique_and_in_order(self):
        with self.services.db.reading() as session:
            rows = session.execute(select(Ticket.id, Ticket.number).order_by(Ticket.id)).all()
        numbers = [n for _, n in rows]
        assert len(set(numbers)) == len(numbers)
        by_day: dict[str, int] = {}
        for number in numbers:
            day, sequence = number.split("-")
            assert int(sequence) > by_day.get(day, 0)
            by_day[day] = int(sequence)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_many_tickets_keep_merges_departments_and_numbers_consistent(services):
    water = DepartmentFactory.create(services, code="water")
    gas = DepartmentFactory.create(services, code="gas")
    people = {Role.AGENT: UserFactory.create(services, Role.AGENT),
              Role.SUPERVISOR: UserFactory.create(services, Role.SUPERVISOR),
              Role.ADMIN: UserFactory.create(services, Role.ADMIN),
              Role.DEPARTMENT: UserFactory.create(services, Role.DEPARTMENT, department=water),
              Role.SYSTEM: act.Actor.system("测试通道"),
              "water": UserFactory.create(services, Role.DEPARTMENT, department=water),
              "gas": UserFactory.create(services, Role.DEPARTMENT, department=gas)}
    run_state_machine_as_test(
        lambda: Hotline(services, people),
        settings=settings(max_examples=15, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
