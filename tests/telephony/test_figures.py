"""Hotline figures on hand-made call records, and Erlang C against published values."""
import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from telephony.calls import CallOutcome, CallRecord, Direction
from telephony.figures import (
    agents_needed, erlang_c, figures, missed_calls, per_day, per_hour, service_level, staffing_per_hour,
)

CITY = ZoneInfo("Asia/Shanghai")


def call(local: str, outcome: CallOutcome, *, wait: float = 0, talk: float = 0, number: str = "13800000000",
         queue: str | None = "hotline", direction: Direction = Direction.INBOUND, day: str = "2026-11-22") -> CallRecord:
    """A finished call that entered the queue at ``local`` (HH:MM, city time)."""
    queued = datetime.fromisoformat(f"{day}T{local}:00").replace(tzinfo=CITY)
    record = CallRecord(linkedid=f"{day}{local}{number}{outcome}", arrived_at=queued - timedelta(seconds=1),
                        last_event_at=queued, direction=direction, caller_number=number, queue=queue,
                        queued_at=queued if queue else None, outcome=outcome)
    if outcome in (CallOutcome.ANSWERED, CallOutcome.TRANSFERRED):
        record.answered_at = queued + timedelta(seconds=wait)
        record.ended_at = record.answered_at + timedelta(seconds=talk)
        if outcome is CallOutcome.TRANSFERRED:
            record.transferred_at, record.ended_at = record.ended_at, record.ended_at + timedelta(seconds=99)
    else:
        record.left_queue_at = record.ended_at = queued + timedelta(seconds=wait)
    return record


ANSWERED, TRANSFERRED = CallOutcome.ANSWERED, CallOutcome.TRANSFERRED
ABANDONED, UNANSWERED = CallOutcome.ABANDONED, CallOutcome.UNANSWERED

DAY = [
    call("09:00", ANSWERED, wait=10, talk=120),
    call("09:10", ANSWERED, wait=20, talk=60),
    call("09:20", ABANDONED, wait=30),
    call("10:05", TRANSFERRED, wait=5, talk=30),
    call("10:30", UNANSWERED, wait=120),
    call("10:40", ABANDONED, wait=3),
    call("10:50", ANSWERED, wait=15, talk=30),  # exactly 15 s counts as in time
    call("10:55", ABANDONED, queue=None),  # hung up in the greeting: not offered
    call("11:00", ANSWERED, talk=40, queue=None, direction=Direction.OUTBOUND),  # a callback
    call("09:05", ANSWERED, wait=8, talk=90, day="2026-11-23"),
]


def test_figures_over_all_calls():
    result = figures(DAY)

    assert (result.offered, result.answered, result.abandoned, result.unanswered) == (8, 5, 2, 1)
    assert result.answered_in_time == 4  # waits 10, 5, 15, 8
    assert result.average_wait_seconds == pytest.approx((10 + 20 + 5 + 15 + 8) / 5)
    assert result.average_talk_seconds == pytest.approx((120 + 60 + 30 + 30 + 90) / 5)
    assert result.answered_share == pytest.approx(5 / 8)
    assert result.answered_in_time_share == pytest.approx(4 / 8)


def test_figures_per_hour_in_city_time():
    hours = per_hour(DAY, CITY)

    nine, ten, next_day = (datetime(2026, 11, 22, 9, tzinfo=CITY), datetime(2026, 11, 22, 10, tzinfo=CITY),
                           datetime(2026, 11, 23, 9, tzinfo=CITY))
    assert list(hours) == [nine, ten, next_day]
    assert (hours[nine].offered, hours[nine].answered, hours[nine].abandoned, hours[nine].answered_in_time) == (
        3, 2, 1, 1)
    assert hours[nine].average_wait_seconds == 15 and hours[nine].average_talk_seconds == 90
    assert (hours[ten].offered, hours[ten].answered, hours[ten].unanswered, hours[ten].answered_in_time) == (
        4, 2, 1, 2)
    assert hours[next_day].offered == 1


def test_figures_per_day():
    days = per_day(DAY, CITY)

    assert {d: (f.offered, f.answered) for d, f in days.items()} == {
        date(2026, 11, 22): (7, 4), date(2026, 11, 23): (1, 1)}


def test_empty_period_has_no_shares():
    empty = figures([])

    assert empty.offered == 0 and empty.answered_share is None and empty.average_wait_seconds is None


def test_missed_calls_for_callback():
    records = [
        call("09:20", ABANDONED, wait=30, number="13900000001"),
        call("10:40", UNANSWERED, wait=120, number="13900000001"),
        call("09:30", ABANDONED, wait=4, number="13900000002"),
        call("09:45", ANSWERED, wait=3, talk=60, number="13900000002"),  # called again, answered
        call("10:00", ABANDONED, wait=9, number="13900000003"),
        call("11:00", ANSWERED, talk=40, number="13900000003", queue=None, direction=Direction.OUTBOUND),
        call("11:30", ABANDONED, wait=9, number="13900000004"),
        call("11:40", ABANDONED, wait=2, number="13900000005", queue=None),  # never reached the queue
    ]

    missed = missed_calls(records)

    assert [(m.number, m.attempts) for m in missed] == [("13900000001", 2), ("13900000004", 1)]
    first = missed[0]
    assert first.first_missed_at == records[0].arrived_at and first.last_missed_at == records[1].arrived_at
    assert first.linkedids == (records[0].linkedid, records[1].linkedid)


def test_missed_call_answered_before_is_still_missed():
    records = [call("09:00", ANSWERED, wait=3, talk=60, number="13900000006"),
               call("09:30", ABANDONED, wait=20, number="13900000006")]

    assert [m.number for m in missed_calls(records)] == ["13900000006"]


def direct_erlang_c(agents: int, traffic: float) -> float:
    """The textbook formula with factorials, for cross-checking small cases."""
    top = traffic ** agents / math.factorial(agents) * agents / (agents - traffic)
    return top / (sum(traffic ** k / math.factorial(k) for k in range(agents)) + top)


def test_erlang_c_known_values():
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)  # by hand: 4 / (1 + 2 + 2 + 4)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)  # the usual textbook table value
    assert erlang_c(13, 10.0) == pytest.approx(direct_erlang_c(13, 10.0))
    assert erlang_c(10, 10.0) == 1.0 and erlang_c(5, 0.0) == 0.0
    assert 0 < erlang_c(400, 380.0) < 1  # the factorial formula would overflow here


def test_service_level_and_agents_needed():
    # 3 agents, 2 Erlangs, 60 s handling: 1 - 4/9 * e^(-15/60)
    assert service_level(3, 120, 60, 15) == pytest.approx(1 - 4 / 9 * math.exp(-0.25))
    # 100 calls per half hour, 180 s handling, 80% within 20 s: the classic worked example
    levels = [round(service_level(n, 200, 180, 20), 3) for n in (11, 12, 13, 14)]
    assert levels == [0.390, 0.640, 0.796, 0.888]
    assert agents_needed(200, 180, target=0.8, within_seconds=20) == 14
    assert agents_needed(200, 180, target=0.95, within_seconds=15) == 16
    assert agents_needed(0, 180) == 0


def test_staffing_per_hour_of_day():
    busy = [call(f"09:{i % 60:02d}", ANSWERED, wait=5, talk=180, number=f"139{i:08d}", day=day)
            for day in ("2026-11-22", "2026-11-23") for i in range(200)]  # 200 calls in 9:00-10:00, twice
    quiet = [call("14:00", ABANDONED, wait=30, number="13911111111")]

    staffing = staffing_per_hour(busy + quiet, CITY, target=0.8, within_seconds=20)

    assert staffing[9] == agents_needed(200, 180, target=0.8, within_seconds=20) == 14
    assert staffing[14] == 1  # half a call an hour, handled at the overall average time
