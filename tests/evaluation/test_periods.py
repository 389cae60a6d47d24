"""Assessment periods as people write them, their bounds in the city's time, and the period before."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from evaluation.periods import PeriodError, last_complete_month, months_ending, parse_period

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text, first, last, label, previous", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026年10月", "2026-09"),
    ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "2026年1月", "2025-12"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第1季度", "2025-Q4"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年", "2025"),
    ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 15), "2026年10月1日至2026年10月15日",
     "2026-09-16..2026-09-30"),
])
def test_periods(text, first, last, label, previous):
    period = parse_period(text)
    assert (period.first, period.last, period.label, period.previous().key) == (first, last, label, previous)
    assert parse_period(period.key) == period


def test_bounds_are_local_midnights():
    start, end = parse_period("2026-10").bounds(TZ)
    assert start == datetime(2026, 10, 1, tzinfo=TZ) and end == datetime(2026, 11, 1, tzinfo=TZ)
    assert start.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("text", ["October", "2026-13", "2026-Q5", "2026-10-15..2026-10-01", "2020-01-01..2026-01-01", ""])
def test_what_is_not_a_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_the_default_and_the_trend_months():
    assert last_complete_month(datetime(2026, 1, 5, 9, tzinfo=TZ), TZ).key == "2025-12"
    assert [m.key for m in months_ending(parse_period("2026-Q1"), 3)] == ["2026-01", "2026-02", "2026-03"]
    assert [m.key for m in parse_period("2026-Q4").months()] == ["2026-10", "2026-11", "2026-12"]
