"""Properties of deadline arithmetic, over 2024-2027 (2027 uses the weekend fallback)."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tracking.calendar import TimeAmount, TimeUnit, WorkingCalendar, add_working_time, national_exceptions

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar.from_sources(*national_exceptions(),
                                        office_hours=[(time(9), time(12)), (time(13, 30), time(17, 30))],
                                        time_zone=SHANGHAI)
ONE_TICK = timedelta(microseconds=1)

moments = st.datetimes(min_value=datetime(2024, 11, 1), max_value=datetime(2027, 3, 1),
                       timezones=st.sampled_from([SHANGHAI, timezone.utc]))
days = st.dates(min_value=date(2024, 11, 1), max_value=date(2027, 3, 1))
day_counts = st.integers(min_value=0, max_value=40)
minute_counts = st.integers(min_value=0, max_value=60 * 60)
units = st.sampled_from(list(TimeUnit))


def amount(count, unit):
    """``count`` whole days for working days, ``count`` minutes for hours."""
    return TimeAmount(count if unit is TimeUnit.WORKING_DAYS else count / 60, unit)


def office_time_between(start, end):
    """Office time in [start, end), summed the slow way, span by span."""
    total, day = timedelta(), start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        if CALENDAR.is_working_day(day):
            for opens, closes in CALENDAR.office_hours:
                span_start = max(start, datetime.combine(day, opens, tzinfo=SHANGHAI))
                span_end = min(end, datetime.combine(day, closes, tzinfo=SHANGHAI))
                total += max(span_end - span_start, timedelta())
        day += timedelta(days=1)
    return total


@given(moments, st.integers(min_value=0, max_value=60 * 12), units)
def test_deadlines_are_never_before_the_start_and_are_in_the_city_zone(start, count, unit):
    due = add_working_time(start, amount(count, unit), CALENDAR)
    assert due >= start and due.tzinfo is SHANGHAI


@given(moments, day_counts)
def test_working_days_end_at_the_close_of_a_working_day(start, count):
    due = add_working_time(start, TimeAmount(count, TimeUnit.WORKING_DAYS), CALENDAR)
    assert CALENDAR.is_working_day(due.date())
    assert due == CALENDAR.close_of_office(due.date())


@given(moments, st.integers(min_value=1, max_value=60 * 60))
def test_working_hours_use_exactly_the_office_time_asked_for(start, minutes):
    due = add_working_time(start, TimeAmount(minutes / 60, TimeUnit.WORKING_HOURS), CALENDAR)
    assert CALENDAR.is_working_moment(due - ONE_TICK)  # so no earlier moment would do
    assert office_time_between(start, due) == timedelta(minutes=minutes)


@given(moments, minute_counts, minute_counts, units)
def test_deadlines_grow_with_the_amount(start, smaller, larger, unit):
    smaller, larger = sorted((smaller, larger))
    if unit is TimeUnit.WORKING_DAYS:
        smaller, larger = smaller // 60, larger // 60
    assert (add_working_time(start, amount(smaller, unit), CALENDAR)
            <= add_working_time(start, amount(larger, unit), CALENDAR))


@given(moments, day_counts, day_counts)
def test_adding_working_days_in_two_steps_is_adding_them_at_once(start, first, second):
    def add(moment, count):
        return add_working_time(moment, TimeAmount(count, TimeUnit.WORKING_DAYS), CALENDAR)
    assert add(add(start, first), second) == add(start, first + second)


@given(moments, minute_counts, minute_counts, st.sampled_from([TimeUnit.HOURS, TimeUnit.WORKING_HOURS]))
def test_adding_hours_in_two_steps_is_adding_them_at_once(start, first, second, unit):
    def add(moment, minutes):
        return add_working_time(moment, TimeAmount(minutes / 60, unit), CALENDAR)
    assert add(add(start, first), second) == add(start, first + second)


@given(days, day_counts, day_counts)
def test_add_working_days_on_dates(day, first, second):
    later = CALENDAR.add_working_days(day, first)
    assert CALENDAR.add_working_days(later, second) == CALENDAR.add_working_days(day, first + second)
    assert first == 0 or (CALENDAR.is_working_day(later) and later > day)


@given(moments)
def test_next_working_moment_is_the_first_working_moment(moment):
    following = CALENDAR.next_working_moment(moment)
    assert CALENDAR.is_working_moment(following) and following >= moment
    assert CALENDAR.next_working_moment(following) == following
    assert following == moment or office_time_between(moment, following) == timedelta()
