"""Property test: any sequence of actions, by any role, at any pace, keeps the ledger consistent.

Hypothesis drives one ticket through random actions (allowed or not) while
time moves forward and the sweep runs now and then. After every step: a
refused action changed nothing; an allowed one moved the ticket where
``TRANSITIONS`` says and wrote its event; the step clock on the ticket matches
its status and deadlines; the sweep never reminds of the same threshold twice.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from tests.support.factories import TicketFactory
from tracking.actions import LedgerError
from tracking.commands import run_command
from tracking.deadlines import yellow_from
from tracking.models import Ticket, TicketEvent
from tracking.schedule import LIGHT_RANK, light_of, next_threshold, step_clock
from tracking.states import TRANSITIONS, Role, Status
from tracking.sweep import sweep_deadlines

FIELDS = {
    "dispatch": {"department": "water"}, "reassign": {"department": "gas"},
    "answer_directly": {"answer": "已解答"}, "return": {"reason": "非本单位职责"},
    "request_extension": {"working_days": 3, "reason": "需协调"}, "refuse_extension": {"reason": "可按期办结"},
    "reply": {"reply": "已处理"}, "reopen": {"reason": "仍未解决"}, "escalate": {"note": "请加快"},
    "add_note": {"note": "市民来电"}, "remind": {"note": ""},
}
ACTIONS = sorted(a for a in TRANSITIONS if a != "merge")  # 并单 needs a second ticket; tested elsewhere
SATISFACTIONS = ["satisfied", "basically_satisfied", "unsatisfied"]


class TicketLife(RuleBasedStateMachine):
    def __init__(self, services, cast):
        super().__init__()
        self.services, self.ledger = services, services.ledger
        self.actors = {Role.AGENT: cast.agent, Role.DEPARTMENT: cast.water_staff, Role.SUPERVISOR: cast.boss,
                       Role.SYSTEM: cast.system}
        self.now = services.clock()
        self.ticket_id = TicketFactory.registered(services, cast.agent, now=self.now).id

    def load(self) -> tuple[Ticket, int]:
        with self.services.db.reading() as session:
            ticket = session.get(Ticket, self.ticket_id)
            count = session.scalar(select(func.count()).select_from(TicketEvent)
                                   .where(TicketEvent.ticket_id == self.ticket_id))
            return ticket, count

    @rule(action=st.sampled_from(ACTIONS), role=st.sampled_from(list(Role.__members__.values())),
          minutes=st.integers(0, 4 * 24 * 60), satisfaction=st.sampled_from(SATISFACTIONS))
    def act(self, action, role, minutes, satisfaction):
        if role is Role.ADMIN:
            role = Role.SUPERVISOR
        self.now += timedelta(minutes=minutes)
        before, events_before = self.load()
        fields = dict(FIELDS.get(action, {}), satisfaction=satisfaction, resolved=satisfaction != "unsatisfied")
        try:
            run_command(self.ledger, before.number, action, actor=self.actors[role], now=self.now, fields=fields)
        except LedgerError:
            after, events_after = self.load()
            assert (after.status, events_after, after.updated_at) == (before.status, events_before, before.updated_at)
            return
        after, events_after = self.load()
        rule_ = TRANSITIONS[action]
        assert role in rule_.roles and before.status in rule_.sources
        assert after.status == (rule_.to or before.status)
        assert events_after == events_before + 1

    @rule(minutes=st.integers(0, 3 * 24 * 60))
    def sweep(self, minutes):
        self.now += timedelta(minutes=minutes)
        sweep_deadlines(self.ledger, self.now)
        ticket, events_before = self.load()
        assert ticket.next_alert_at is None or ticket.next_alert_at > self.now
        again = sweep_deadlines(self.ledger, self.now)
        assert ticket.number not in again.numbers and self.load()[1] == events_before

    @invariant()
    def step_clock_matches_the_ticket(self):
        ticket, _ = self.load()
        clock = step_clock(ticket)
        if clock is None:
            assert (ticket.step, ticket.step_due_at, ticket.next_alert_at) == (None, None, None)
            assert Status(ticket.status) not in {Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS} \
                or ticket.sign_in_due_at is None
            return
        assert (ticket.step, ticket.step_due_at) == (clock.step.value, clock.due_at)
        assert ticket.step_yellow_at == yellow_from(clock.due_at, clock.started_at)
        assert ticket.next_alert_at == next_threshold(ticket)
        assert LIGHT_RANK[ticket.alerted_light] <= LIGHT_RANK[light_of(ticket, self.now)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_random_lives_of_a_ticket_keep_the_ledger_consistent(services, cast):
    from tracking.actions import Actor
    cast.system = Actor.system("测试通道")
    run_state_machine_as_test(
        lambda: TicketLife(services, cast),
        settings=settings(max_examples=20, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
