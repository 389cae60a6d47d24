"""The rules beyond the table: return limit, extensions, re-open, upstream deadlines, access."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.factories import DepartmentFactory, TicketFactory, UserFactory
from tracking import actions as act
from tracking.actions import Forbidden, NotFound, TransitionError
from tracking.queries import TicketFilter, list_tickets, ticket_by_number
from tracking.states import Role, Satisfaction, Status


@pytest.fixture
def cast(services):
    water = DepartmentFactory.create(services, code="water")
    gas = DepartmentFactory.create(services, code="gas")
    return dict(
        water=water, gas=gas, agent=UserFactory.create(services, Role.AGENT),
        boss=UserFactory.create(services, Role.SUPERVISOR),
        water_staff=UserFactory.create(services, Role.DEPARTMENT, department=water),
        gas_staff=UserFactory.create(services, Role.DEPARTMENT, department=gas))


def test_twice_returned_ticket_needs_the_supervision_office(services, cast):
    ledger, now = services.ledger, services.clock()
    ticket = TicketFactory.dispatched(services, cast["agent"], cast["water"])
    act.return_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now, reason="不是供水问题")
    act.reassign_ticket(ledger, ticket.id, cast["gas"].id, actor=cast["agent"], now=now)
    act.return_ticket(ledger, ticket.id, actor=cast["gas_staff"], now=now, reason="也不是燃气问题")
    with pytest.raises(Forbidden, match="督办"):
        act.reassign_ticket(ledger, ticket.id, cast["water"].id, actor=cast["agent"], now=now)
    again = act.reassign_ticket(ledger, ticket.id, cast["water"].id, actor=cast["boss"], now=now)
    assert again.status == Status.DISPATCHED and again.return_count == 2


def test_extension_moves_the_deadline_only_when_granted(services, cast):
    ledger, now = services.ledger, services.clock()
    ticket = TicketFactory.dispatched(services, cast["agent"], cast["water"])
    act.accept_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now)
    due = ticket.reply_due_at
    act.request_extension(ledger, ticket.id, actor=cast["water_staff"], now=now, working_days=3, reason="管网抢修")
    with pytest.raises(TransitionError, match="待审批"):
        act.request_extension(ledger, ticket.id, actor=cast["water_staff"], now=now, working_days=2, reason="再延")
    refused = act.refuse_extension(ledger, ticket.id, actor=cast["boss"], now=now, reason="可按时办结")
    assert refused.reply_due_at == due and refused.extension_requested_days is None
    act.request_extension(ledger, ticket.id, actor=cast["water_staff"], now=now, working_days=3, reason="管网抢修")
    granted = act.grant_extension(ledger, ticket.id, actor=cast["boss"], now=now)
    assert granted.reply_due_at == services.ledger.calendar.close_of_office(
        services.ledger.calendar.add_working_days(due.astimezone(services.ledger.tz).date(), 3))
    assert granted.extension_count == 1
    with pytest.raises(act.InvalidInput):
        act.request_extension(ledger, ticket.id, actor=cast["water_staff"], now=now, working_days=16, reason="太久")


def test_reopen_once_after_unsatisfied_then_supervisor_decides(services, cast):
    ledger, now = services.ledger, services.clock()
    ticket = TicketFactory.dispatched(services, cast["agent"], cast["water"])
    for round_ in range(2):
        act.accept_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now)
        act.reply_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now, reply="已处理")
        act.record_callback(ledger, ticket.id, actor=cast["agent"], now=now,
                            satisfaction=Satisfaction.UNSATISFIED, resolved=False)
        if round_ == 0:
            reopened = act.reopen_ticket(ledger, ticket.id, actor=cast["agent"], now=now + timedelta(days=1))
            assert reopened.status == Status.DISPATCHED and reopened.reopen_count == 1
            assert reopened.reply_due_at > now + timedelta(days=1)
    with pytest.raises(Forbidden, match="督办"):
        act.reopen_ticket(ledger, ticket.id, actor=cast["agent"], now=now)
    assert act.reopen_ticket(ledger, ticket.id, actor=cast["boss"], now=now).reopen_count == 2


def test_reopen_refused_when_citizen_was_satisfied(services, cast):
    ledger, now = services.ledger, services.clock()
    ticket = TicketFactory.dispatched(services, cast["agent"], cast["water"])
    act.accept_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now)
    act.reply_ticket(ledger, ticket.id, actor=cast["water_staff"], now=now, reply="已处理")
    act.record_callback(ledger, ticket.id, actor=cast["agent"], now=now,
                        satisfaction=Satisfaction.SATISFIED, resolved=True)
    with pytest.raises(TransitionError, match="不满意"):
        act.reopen_ticket(ledger, ticket.id, actor=cast["agent"], now=now)


def test_earlier_upstream_deadline_wins(services, cast):
    upstream_due = services.clock() + timedelta(hours=5)
    ticket = TicketFactory.registered(services, cast["agent"], upstream_due_at=upstream_due)
    dispatched = act.dispatch_ticket(services.ledger, ticket.id, cast["water"].id, actor=cast["agent"],
                                     now=services.clock())
    assert dispatched.reply_due_at == upstream_due


def test_department_sees_and_touches_only_its_own_tickets(services, cast):
    mine = TicketFactory.dispatched(services, cast["agent"], cast["water"], content="水管爆裂")
    theirs = TicketFactory.dispatched(services, cast["agent"], cast["gas"], content="燃气味道很重")
    staff = cast["water_staff"]
    assert ticket_by_number(services.db, mine.number, staff).number == mine.number
    with pytest.raises(NotFound):
        ticket_by_number(services.db, theirs.number, staff)
    with pytest.raises(NotFound):
        act.accept_ticket(services.ledger, theirs.id, actor=staff, now=services.clock())
    page = list_tickets(services.db, staff, TicketFilter(text="燃气"))
    assert page.total == 0 and page.items == []
    page = list_tickets(services.db, staff, TicketFilter(department_id=cast["gas"].id))
    assert page.total == 0
    assert [t.number for t in list_tickets(services.db, staff, TicketFilter()).items] == [mine.number]


def test_deadlines_follow_working_days(services, cast):
    # Friday 2026-09-25 10:00 Shanghai, a normal ticket: reply due in 5 working days, and the
    # National Day holiday (10-01..10-07) is skipped.
    friday = datetime(2026, 9, 25, 2, 0, tzinfo=timezone.utc)
    ticket = TicketFactory.registered(services, cast["agent"], now=friday)
    dispatched = act.dispatch_ticket(services.ledger, ticket.id, cast["water"].id, actor=cast["agent"], now=friday)
    limits = services.ledger.step_limits(None, "normal")
    assert dispatched.reply_due_at == services.ledger.due(friday, limits.reply)
    assert dispatched.reply_due_at.astimezone(services.ledger.tz).date().isoformat() > "2026-09-30"
