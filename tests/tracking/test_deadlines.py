"""Time limits from data, the deadlines they give, and the traffic light."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.calendar import TimeAmount, WorkingCalendar, national_exceptions
from tracking.deadlines import Light, StepLimits, compute_due, light_for, load_time_limits

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar.from_sources(*national_exceptions(),
                                        office_hours=[(time(9), time(12)), (time(13, 30), time(17, 30))],
                                        time_zone=SHANGHAI)
TABLE_YAML = """
defaults:
  emergency: {sign_in: 0.5 hours, reply: 2 hours, callback: 1 working_days}
  normal: {sign_in: 2 working_hours, reply: 5 working_days, callback: 2 working_days}
groups:
  utilities:
    any: {reply: 3 working_days, callback: 1 working_days}
    normal: {reply: 4 working_days}
services:
  water-outage:
    normal: {sign_in: 1 hours}
    any: {reply: 24 hours}
"""


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def amount(text):
    return TimeAmount.parse(text)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "time_limits.yaml"
    path.write_text(TABLE_YAML, encoding="utf-8")
    return load_time_limits(path)


@pytest.mark.parametrize(("service", "group", "urgency", "expected"), [
    (None, None, "normal", ("2 working_hours", "5 working_days", "2 working_days")),
    ("unknown", "unknown", "normal", ("2 working_hours", "5 working_days", "2 working_days")),
    ("street-light", "utilities", "normal", ("2 working_hours", "4 working_days", "1 working_days")),
    ("street-light", "utilities", "emergency", ("0.5 hours", "3 working_days", "1 working_days")),
    ("water-outage", "utilities", "normal", ("1 hours", "24 hours", "1 working_days")),
    ("water-outage", "utilities", "emergency", ("0.5 hours", "24 hours", "1 working_days")),
])
def test_the_most_specific_limit_wins_step_by_step(table, service, group, urgency, expected):
    assert table.limits_for(service, group, urgency) == StepLimits(*map(amount, expected))


def test_an_unknown_urgency_is_an_error(table):
    with pytest.raises(ValueError, match="urgency"):
        table.limits_for(None, None, "whenever")


@pytest.mark.parametrize("text", [
    "defaults: {normal: {sign_in: 1 hours, reply: 5 working_days}}",  # no callback
    "defaults: {normal: {sign_in: 1 hours, reply: 5 days, callback: 1 hours}}",
    "defaults: {normal: {sign_in: 1 hours, reply: 1 hours, callback: 1 hours, close: 1 hours}}",
    "defaults: {normal: {sign_in: 1 hours, reply: 1 hours, callback: 1 hours}}\n"
    "services: {water-outage: {urgent: {reply: 24 hours}}}",  # urgency without defaults
])
def test_broken_tables_are_refused(tmp_path, text):
    path = tmp_path / "time_limits.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        load_time_limits(path)


def test_the_shipped_table_has_the_issue_limits():
    table = load_time_limits()
    assert table.urgencies == {"emergency", "urgent", "normal", "complex"}
    assert table.limits_for(None, None, "emergency").reply == amount("2 hours")
    assert table.limits_for(None, None, "urgent").reply == amount("24 hours")
    assert table.limits_for(None, None, "normal").reply == amount("5 working_days")
    assert table.limits_for(None, None, "complex").reply == amount("15 working_days")
    assert table.limits_for("water-outage", None, "normal").reply == amount("24 hours")
    assert table.limits_for("water-outage", None, "emergency").reply == amount("2 hours")
    assert table.limits_for("gas-leak", None, "normal").sign_in == amount("0.5 hours")


def test_compute_due_over_national_day():
    dispatched = at(2025, 9, 30, 16)  # Tuesday before the holiday; Saturday 10-11 is worked
    assert compute_due(dispatched, amount("2 working_hours"), CALENDAR) == at(2025, 10, 9, 9, 30)
    assert compute_due(dispatched, amount("5 working_days"), CALENDAR) == at(2025, 10, 14, 17, 30)
    assert compute_due(dispatched, amount("24 hours"), CALENDAR) == at(2025, 10, 1, 16)


@pytest.mark.parametrize(("now", "light"), [
    (at(2026, 3, 9, 17, 31), Light.RED),
    (at(2026, 3, 9, 17, 30), Light.YELLOW),     # due now: still in time
    (at(2026, 3, 8, 17, 30), Light.YELLOW),     # 24 hours before
    (at(2026, 3, 8, 17, 29), Light.GREEN),
])
def test_light_for_a_long_limit_turns_yellow_a_day_before(now, light):
    assert light_for(now, due_at=at(2026, 3, 9, 17, 30), started_at=at(2026, 3, 2, 10)) is light


@pytest.mark.parametrize(("allowed", "yellow_from"), [
    (timedelta(hours=2), timedelta(minutes=30)),
    (timedelta(hours=24), timedelta(hours=6)),
    (timedelta(minutes=30), timedelta(minutes=15)),   # never less than 15 minutes
    (timedelta(hours=47), timedelta(hours=11, minutes=45)),
    (timedelta(hours=48), timedelta(hours=24)),
])
def test_light_for_a_short_limit_turns_yellow_in_its_last_quarter(allowed, yellow_from):
    started, due = at(2026, 3, 4, 10), at(2026, 3, 4, 10) + allowed
    assert light_for(due - yellow_from, due, started) is Light.YELLOW
    assert light_for(due - yellow_from - timedelta(seconds=1), due, started) is Light.GREEN


def test_light_for_refuses_naive_moments():
    with pytest.raises(ValueError):
        light_for(datetime(2026, 3, 4, 10), at(2026, 3, 5), at(2026, 3, 4))
