"""The working-time calendar: national holidays, 调休, office hours, deadlines."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from tracking.calendar import (TimeAmount, TimeUnit, WorkingCalendar, add_working_time,
                               load_calendar, national_exceptions)
from tracking.calendar_cli import add_working_days_command, coverage_warning

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = [(time(9), time(12)), (time(13, 30), time(17, 30))]
CALENDAR = WorkingCalendar.from_sources(*national_exceptions(), office_hours=OFFICE_HOURS,
                                        time_zone=SHANGHAI)


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def days(first, last):
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


# Dates from the State Council's notices for 2025 and 2026, as chinese_calendar 1.11 has them.
HOLIDAYS = {
    "2025 Spring Festival": days(date(2025, 1, 28), date(2025, 2, 4)),
    "2025 National Day": days(date(2025, 10, 1), date(2025, 10, 8)),
    "2026 Spring Festival": days(date(2026, 2, 15), date(2026, 2, 23)),
    "2026 National Day": days(date(2026, 10, 1), date(2026, 10, 7)),
}
MAKE_UP_WORKING_DAYS = {
    "2025 Spring Festival": [date(2025, 1, 26), date(2025, 2, 8)],
    "2025 National Day": [date(2025, 9, 28), date(2025, 10, 11)],
    "2026 Spring Festival": [date(2026, 2, 14), date(2026, 2, 28)],
    "2026 National Day": [date(2026, 9, 20), date(2026, 10, 10)],
}


@pytest.mark.parametrize("holiday", sorted(HOLIDAYS))
def test_golden_week_days_are_off_and_make_up_weekend_days_are_worked(holiday):
    assert not any(CALENDAR.is_working_day(day) for day in HOLIDAYS[holiday])
    for day in MAKE_UP_WORKING_DAYS[holiday]:
        assert day.weekday() >= 5 and CALENDAR.is_working_day(day)


@pytest.mark.parametrize(("start", "count", "expected"), [
    (date(2026, 9, 30), 1, date(2026, 10, 8)),   # the example
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 9, 26), 1, date(2025, 9, 28)),   # a Sunday worked before National Day
    (date(2025, 1, 24), 1, date(2025, 1, 26)),   # a Sunday worked before Spring Festival
    (date(2025, 1, 27), 1, date(2025, 2, 5)),
    (date(2026, 2, 13), 2, date(2026, 2, 24)),   # Saturday 2-14 worked, then the holiday
    (date(2026, 2, 27), 1, date(2026, 2, 28)),   # a Saturday worked after Spring Festival
    (date(2026, 10, 3), 0, date(2026, 10, 3)),
])
def test_add_working_days_skips_holidays_and_counts_make_up_days(start, count, expected):
    assert CALENDAR.add_working_days(start, count) == expected
    assert add_working_days_command(start.isoformat(), count, CALENDAR) == expected.isoformat()


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(date(2026, 1, 5), -1)


def test_chinese_calendar_covers_2025_and_2026_and_unknown_years_fall_back_to_weekends():
    assert CALENDAR.covers_year(2025) and CALENDAR.covers_year(2026)
    assert not CALENDAR.covers_year(2027)
    assert CALENDAR.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)  # plain weekend
    assert coverage_warning("2026-09-30", 1, CALENDAR) is None
    assert "2027" in coverage_warning("2026-12-30", 5, CALENDAR)


@pytest.mark.parametrize(("moment", "working"), [
    (at(2026, 3, 4, 9), True), (at(2026, 3, 4, 11, 59), True), (at(2026, 3, 4, 12), False),
    (at(2026, 3, 4, 13, 30), True), (at(2026, 3, 4, 17, 30), False), (at(2026, 3, 4, 8, 59), False),
    (at(2026, 3, 7, 10), False), (at(2026, 2, 28, 10), True), (at(2026, 10, 5, 10), False),
    (datetime(2026, 3, 4, 1, tzinfo=timezone.utc), True),  # 09:00 in Shanghai
])
def test_is_working_moment_follows_office_hours_and_days(moment, working):
    assert CALENDAR.is_working_moment(moment) is working


@pytest.mark.parametrize(("moment", "expected"), [
    (at(2026, 3, 4, 10), at(2026, 3, 4, 10)),
    (at(2026, 3, 4, 12, 15), at(2026, 3, 4, 13, 30)),
    (at(2026, 3, 4, 7), at(2026, 3, 4, 9)),
    (at(2026, 3, 6, 18), at(2026, 3, 9, 9)),      # Friday evening -> Monday
    (at(2026, 2, 14, 17, 30), at(2026, 2, 24, 9)),  # last make-up day -> after Spring Festival
])
def test_next_working_moment(moment, expected):
    assert CALENDAR.next_working_moment(moment) == expected


@pytest.mark.parametrize(("start", "amount", "expected"), [
    # natural hours run through nights and holidays
    (at(2025, 10, 1, 10), "24 hours", at(2025, 10, 2, 10)),
    (at(2026, 2, 16, 23), "0.5 hours", at(2026, 2, 16, 23, 30)),
    # working hours skip the lunch break, nights, weekends and holidays
    (at(2026, 3, 4, 11), "2 working_hours", at(2026, 3, 4, 14, 30)),
    (at(2026, 3, 4, 10), "2 working_hours", at(2026, 3, 4, 12)),  # ends at a span's close
    (at(2026, 3, 6, 16, 30), "2 working_hours", at(2026, 3, 9, 10)),
    (at(2025, 1, 24, 16, 30), "2 working_hours", at(2025, 1, 26, 10)),  # into a worked Sunday
    (at(2025, 9, 30, 17), "1 working_hours", at(2025, 10, 9, 9, 30)),
    (at(2026, 3, 7, 10), "7 working_hours", at(2026, 3, 9, 17, 30)),  # one full day
    # working days end at the close of office; the day of receipt is not counted
    (at(2026, 3, 4, 16), "1 working_days", at(2026, 3, 5, 17, 30)),
    (at(2026, 3, 4, 17, 30), "1 working_days", at(2026, 3, 5, 17, 30)),
    (at(2026, 3, 4, 18), "1 working_days", at(2026, 3, 6, 17, 30)),  # after hours
    (at(2026, 3, 4, 7), "1 working_days", at(2026, 3, 5, 17, 30)),   # before opening
    (at(2026, 3, 7, 10), "1 working_days", at(2026, 3, 10, 17, 30)),  # received Monday
    (at(2025, 9, 26, 10), "5 working_days", at(2025, 10, 10, 17, 30)),
    (at(2025, 1, 27, 10), "5 working_days", at(2025, 2, 10, 17, 30)),
    (at(2026, 9, 30, 10), "1 working_days", at(2026, 10, 8, 17, 30)),
    (at(2026, 10, 3, 10), "1 working_days", at(2026, 10, 9, 17, 30)),  # received 10-08
    (at(2026, 2, 13, 11), "15 working_days", at(2026, 3, 12, 17, 30)),
])
def test_add_working_time(start, amount, expected):
    due = add_working_time(start, TimeAmount.parse(amount), CALENDAR)
    assert due == expected and due.tzinfo is SHANGHAI


def test_results_are_in_the_calendar_zone_whatever_the_start_zone():
    due = add_working_time(datetime(2026, 3, 4, 2, tzinfo=timezone.utc), TimeAmount(1, "working_hours"), CALENDAR)
    assert due == at(2026, 3, 4, 11) and due.tzinfo is SHANGHAI


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(datetime(2026, 3, 4, 10), TimeAmount(1, TimeUnit.HOURS), CALENDAR)
    with pytest.raises(ValueError):
        CALENDAR.is_working_moment(datetime(2026, 3, 4, 10))


@pytest.mark.parametrize("text", ["5", "5 days", "-1 hours", "1.5 working_days", "two hours"])
def test_time_amounts_that_do_not_parse(text):
    with pytest.raises(ValueError):
        TimeAmount.parse(text)


def test_office_hours_must_be_ordered_spans():
    with pytest.raises(ValueError):
        WorkingCalendar(SHANGHAI, ((time(13, 30), time(17, 30)), (time(9), time(12))))
    with pytest.raises(ValueError):
        WorkingCalendar(SHANGHAI, ())


def test_the_shipped_calendar_file_loads():
    calendar = load_calendar()
    assert calendar.time_zone == SHANGHAI
    assert calendar.office_hours == tuple(OFFICE_HOURS)
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert load_calendar(tz="UTC").time_zone == ZoneInfo("UTC")


def test_city_overrides_win_over_the_national_calendar(tmp_path):
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "time_zone: Asia/Urumqi\n"
        "office_hours: ['10:00-13:30', '15:30-19:30']\n"
        "overrides:\n"
        "  extra_holidays: [2026-03-04, 2026-02-28]\n"     # a Wednesday, a national make-up Saturday
        "  extra_working_days: [2026-03-08, '2026-10-05']\n",  # a Sunday, a national holiday
        encoding="utf-8")
    calendar = load_calendar(path)
    assert calendar.time_zone == ZoneInfo("Asia/Urumqi")
    assert not calendar.is_working_day(date(2026, 3, 4))
    assert not calendar.is_working_day(date(2026, 2, 28))
    assert calendar.is_working_day(date(2026, 3, 8)) and calendar.is_working_day(date(2026, 10, 5))
    assert calendar.is_working_day(date(2026, 10, 4)) is False  # the rest of the holiday stays
    urumqi_noon = datetime(2026, 3, 5, 12, tzinfo=ZoneInfo("Asia/Urumqi"))
    assert calendar.is_working_moment(urumqi_noon)
    assert calendar.close_of_office(date(2026, 3, 5)).time() == time(19, 30)


def test_a_date_cannot_be_both_an_extra_holiday_and_an_extra_working_day():
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar.from_sources({}, (), OFFICE_HOURS, SHANGHAI,
                                     extra_holidays=[date(2026, 3, 4)], extra_working_days=[date(2026, 3, 4)])
