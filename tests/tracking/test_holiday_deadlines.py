"""Deadlines of real tickets across the Spring Festival and National Day of 2025 and 2026.

Each ticket is dispatched just before a holiday through the real actions; its
deadlines skip the holiday and count the make-up working days (调休), and the
sweep stays quiet during the holiday and reminds on the right working days.
"""
from __future__ import annotations

import pytest

from tests.support.factories import TicketFactory
from tests.tracking.conftest import at, events, sms_jobs
from tracking import actions as act
from tracking.sweep import sweep_deadlines

# dispatched at, sign-in due (2 working hours), reply due (5 working days), a quiet moment inside the holiday
CASES = {
    # 2025-01-28..02-04 off; Sunday 01-26 and Saturday 02-08 worked
    "2025 Spring Festival": (at(2025, 1, 24, 16), at(2025, 1, 26, 9, 30), at(2025, 2, 7, 17, 30),
                             at(2025, 2, 1, 12)),
    # 2025-10-01..10-08 off; Sunday 09-28 and Saturday 10-11 worked
    "2025 National Day": (at(2025, 9, 30, 16), at(2025, 10, 9, 9, 30), at(2025, 10, 14, 17, 30),
                          at(2025, 10, 5, 12)),
    # 2026-02-15..02-23 off; Saturday 02-14 and Saturday 02-28 worked
    "2026 Spring Festival": (at(2026, 2, 13, 16), at(2026, 2, 14, 9, 30), at(2026, 2, 27, 17, 30),
                             at(2026, 2, 20, 12)),
    # 2026-10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked
    "2026 National Day": (at(2026, 9, 30, 16), at(2026, 10, 8, 9, 30), at(2026, 10, 13, 17, 30),
                          at(2026, 10, 4, 12)),
}


@pytest.mark.parametrize("holiday", sorted(CASES))
def test_a_ticket_dispatched_before_a_holiday(services, cast, clock, holiday):
    dispatched_at, sign_in_due, reply_due, inside = CASES[holiday]
    ledger = services.ledger
    clock.set(dispatched_at)
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    assert (ticket.sign_in_due_at, ticket.reply_due_at) == (sign_in_due, reply_due)

    accepted = act.accept_ticket(ledger, ticket.id, actor=cast.water_staff, now=dispatched_at.replace(minute=20))
    assert accepted.step_due_at == reply_due
    assert sweep_deadlines(ledger, inside).examined == 0  # nothing is near during the holiday

    day_before = reply_due.replace(day=reply_due.day - 1)  # yellow 24 hours before (every due day here is 2+)
    assert sweep_deadlines(ledger, day_before).yellow == 1
    assert sweep_deadlines(ledger, reply_due).examined == 0  # due now: still in time, nothing new
    assert sweep_deadlines(ledger, reply_due.replace(minute=31)).red == 1
    assert [e.data["light"] for e in events(services, ticket.id, "remind")] == ["yellow", "red"]
    # the yellow came at 17:30, the close of office: its text waits for the next morning
    assert sms_jobs(services)[0].run_after == reply_due.replace(hour=9, minute=0)


def test_a_reply_just_before_national_day_has_its_callback_after_it(services, cast, clock):
    clock.set(at(2026, 9, 30, 10))
    ticket = TicketFactory.dispatched(services, cast.agent, cast.water)
    act.accept_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 9, 30, 10, 30))
    replied = act.reply_ticket(services.ledger, ticket.id, actor=cast.water_staff, now=at(2026, 9, 30, 16),
                               reply="已修复")
    assert replied.callback_due_at == at(2026, 10, 9, 17, 30)  # 2 working days: 10-08 and 10-09


def test_an_emergency_counts_natural_hours_through_the_holiday(services, cast, clock):
    clock.set(at(2026, 2, 17, 3))  # the third day of the Spring Festival, at night
    ticket = TicketFactory.registered(services, cast.agent, priority="emergency", title="燃气泄漏")
    dispatched = act.dispatch_ticket(services.ledger, ticket.id, cast.water.id, actor=cast.agent, now=clock())
    assert dispatched.sign_in_due_at == at(2026, 2, 17, 3, 30)
    assert dispatched.reply_due_at == at(2026, 2, 17, 5)
    result = sweep_deadlines(services.ledger, at(2026, 2, 17, 3, 16))  # 15 minutes before: yellow
    assert result.yellow == 1
    assert sms_jobs(services)[0].run_after == at(2026, 2, 17, 3, 16)  # an emergency is texted at once
