"""The working-time calendar (工作日历) and deadline arithmetic.

A :class:`WorkingCalendar` is data: the city's time zone, its office hours, and
the dates that break the plain Monday-to-Friday rule (public holidays on
weekdays, and weekend days that become working days, 调休). It never reads the
clock, so every deadline is a pure function of its inputs:
``add_working_time(start, amount, calendar)``.

National dates come from the ``chinese_calendar`` package (PyPI
"chinesecalendar"), which follows the State Council's yearly holiday notice;
version 1.11 covers 2004-2026. For a year it does not cover, the calendar falls
back to plain weekends (:meth:`WorkingCalendar.covers_year` tells which), and
the city's ``config/data/calendar.yaml`` can add holidays and working days of
its own, which win over the national ones.

How amounts count (the rules staff see on every deadline):

* ``hours``: natural hours around the clock, holidays included.
* ``working_hours``: time inside office hours on working days. Counting starts
  at the next working moment (a request at 18:00 on Friday starts counting at
  09:00 on Monday), and a deadline that uses up a span exactly ends at the
  span's close (17:30), not at the next opening.
* ``working_days``: the deadline is the close of office on the Nth working day
  after the day the request counts as received. It counts as received on its
  own date when that is a working day and it arrived no later than the close
  of office; otherwise on the next working day. The day of receipt itself is
  not counted, as in the civil-law rule that a period starts the next day
  (《民法典》on counting periods). So a request at 16:00 on a Wednesday with 1
  working day is due at 17:30 on Thursday; one at 18:00 on Wednesday is due at
  17:30 on Friday.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_DAYS_SEARCHED = 3660  # ten years without a working day means a broken calendar
YEARS_PROBED = range(1990, 2101)  # where to look for years chinese_calendar knows
SATURDAY = 5  # date.weekday() of the first weekend day


class TimeUnit(StrEnum):
    HOURS = "hours"                  # natural hours, around the clock
    WORKING_HOURS = "working_hours"  # hours inside office hours on working days
    WORKING_DAYS = "working_days"    # ends at the close of the Nth working day


@dataclass(frozen=True)
class TimeAmount:
    """An amount of time with the unit it counts in, such as "5 working_days".

    Raises:
        ValueError: the value is negative, or working days are not whole.
    """

    value: float
    unit: TimeUnit

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", TimeUnit(self.unit))
        if self.value < 0:
            raise ValueError(f"a time amount cannot be negative: {self.value}")
        if self.unit is TimeUnit.WORKING_DAYS and self.value != int(self.value):
            raise ValueError(f"working days must be whole: {self.value}")

    @classmethod
    def parse(cls, text: str) -> TimeAmount:
        """Read "<amount> <unit>" as written in config, e.g. "0.5 hours".

        Raises:
            ValueError: the text is not a number followed by a known unit.
        """
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s+(\w+)\s*", str(text))
        if not match:
            raise ValueError(f"not '<amount> <unit>': {text!r}")
        number = float(match[1])
        return cls(int(number) if number.is_integer() else number, TimeUnit(match[2]))

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


@cache
def national_exceptions() -> tuple[Mapping[date, bool], frozenset[int]]:
    """Read from chinese_calendar the dates that break the weekend rule.

    Returns:
        (exceptions, covered_years): ``exceptions`` maps each weekday holiday
        to False and each working weekend day (调休) to True; ``covered_years``
        are the years the package has data for. Other years are left out, as
        the package raises NotImplementedError for them.
    """
    covered_years = []
    for year in YEARS_PROBED:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        covered_years.append(year)
    exceptions = {}
    for year in covered_years:
        day = date(year, 1, 1)
        while day.year == year:
            is_working = chinese_calendar.is_workday(day)
            if is_working != (day.weekday() < SATURDAY):
                exceptions[day] = is_working
            day += timedelta(days=1)
    return MappingProxyType(exceptions), frozenset(covered_years)


@dataclass(frozen=True)
class WorkingCalendar:
    """When the city works: time zone, office hours and the exceptional dates.

    Build one with :func:`load_calendar` or :meth:`from_sources`; it is
    immutable and reads no clock, so tests build their own freely.

    Attributes:
        time_zone: the city's zone; every result is aware in it.
        office_hours: half-open spans [start, end) of a working day, in order.
        days_off: weekdays that are not working days (holidays).
        working_weekend_days: Saturdays and Sundays that are working days (调休).
        covered_years: years whose national holidays are known; other years
            follow the plain weekend rule plus the city's overrides.
    """

    time_zone: tzinfo
    office_hours: tuple[tuple[time, time], ...]
    days_off: frozenset[date] = frozenset()
    working_weekend_days: frozenset[date] = frozenset()
    covered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        previous_end = time.min
        for opens, closes in self.office_hours:
            if not previous_end <= opens < closes:
                raise ValueError(f"office hours must be ordered, non-overlapping spans: {self.office_hours}")
            previous_end = closes
        if not self.office_hours:
            raise ValueError("a calendar needs at least one span of office hours")

    @classmethod
    def from_sources(cls, national: Mapping[date, bool], covered_years: Iterable[int],
                     office_hours: Iterable[tuple[time, time]], time_zone: tzinfo,
                     extra_holidays: Iterable[date] = (),
                     extra_working_days: Iterable[date] = ()) -> WorkingCalendar:
        """Merge the national exceptions with the city's overrides (the city wins).

        Args:
            national: date -> is it a working day, for dates that break the
                weekend rule (as from :func:`national_exceptions`).
            covered_years: years ``national`` has data for.
            office_hours: (opens, closes) spans of a working day.
            time_zone: the city's zone.
            extra_holidays: dates the city takes off.
            extra_working_days: dates the city works.

        Raises:
            ValueError: a date is both an extra holiday and an extra working
                day, or the office hours are not ordered spans.
        """
        extra_holidays, extra_working_days = set(extra_holidays), set(extra_working_days)
        if clash := extra_holidays & extra_working_days:
            raise ValueError(f"dates both holiday and working day: {sorted(clash)}")
        is_working = dict(national)
        is_working.update({day: False for day in extra_holidays})
        is_working.update({day: True for day in extra_working_days})
        weekend = {day for day in is_working if day.weekday() >= SATURDAY}
        return cls(
            time_zone=time_zone,
            office_hours=tuple(office_hours),
            days_off=frozenset(day for day, works in is_working.items() if not works and day not in weekend),
            working_weekend_days=frozenset(day for day, works in is_working.items() if works and day in weekend),
            covered_years=frozenset(covered_years),
        )

    def covers_year(self, year: int) -> bool:
        """Whether national holidays of ``year`` are known (else: weekends only)."""
        return year in self.covered_years

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (工作日) in this city."""
        if day.weekday() >= SATURDAY:
            return day in self.working_weekend_days
        return day not in self.days_off

    def is_working_moment(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside office hours on a working day.

        Raises:
            ValueError: ``moment`` is naive.
        """
        local = self._local(moment)
        return self.is_working_day(local.date()) and any(
            opens <= local.time() < closes for opens, closes in self.office_hours)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is a working moment, else the next opening.

        Raises:
            ValueError: ``moment`` is naive.
        """
        local = self._local(moment)
        if self.is_working_moment(local):
            return local
        if self.is_working_day(local.date()):
            for opens, _ in self.office_hours:
                if local.time() < opens:
                    return self._at(local.date(), opens)
        return self._at(self.add_working_days(local.date(), 1), self.office_hours[0][0])

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself never counts).

        ``day`` need not be a working day; a count of 0 returns ``day``.

        Raises:
            ValueError: ``count`` is negative, or no working day comes for ten years.
        """
        if count < 0:
            raise ValueError(f"cannot add a negative number of working days: {count}")
        for _ in range(count):
            day = self._next_working_day(day)
        return day

    def day_received(self, moment: datetime) -> date:
        """The working day a request arriving at ``moment`` counts as received.

        Its own date when that is a working day and ``moment`` is no later
        than the close of office; otherwise the next working day.

        Raises:
            ValueError: ``moment`` is naive.
        """
        local = self._local(moment)
        if self.is_working_day(local.date()) and local.time() <= self.office_hours[-1][1]:
            return local.date()
        return self._next_working_day(local.date())

    def close_of_office(self, day: date) -> datetime:
        """The end of the last span of office hours on ``day``, aware."""
        return self._at(day, self.office_hours[-1][1])

    def _next_working_day(self, day: date) -> date:
        for offset in range(1, MAX_DAYS_SEARCHED + 1):
            if self.is_working_day(day + timedelta(days=offset)):
                return day + timedelta(days=offset)
        raise ValueError(f"no working day within {MAX_DAYS_SEARCHED} days after {day}")

    def close_of_span(self, moment: datetime) -> datetime:
        """The end of the span of office hours that ``moment`` falls in.

        Raises:
            ValueError: ``moment`` is naive or not a working moment.
        """
        if not self.is_working_moment(moment):
            raise ValueError(f"{moment.isoformat()} is outside office hours")
        local = self._local(moment)
        closes = next(closes for opens, closes in self.office_hours if opens <= local.time() < closes)
        return self._at(local.date(), closes)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.time_zone)

    def _local(self, moment: datetime) -> datetime:
        _require_aware(moment)
        return moment.astimezone(self.time_zone)


def add_working_time(start: datetime, amount: TimeAmount, calendar: WorkingCalendar) -> datetime:
    """The moment ``amount`` after ``start``, counted as the module docstring says.

    Args:
        start: when counting begins (e.g. dispatch); must be timezone-aware.
        amount: how much time, and whether it counts natural hours, working
            hours or working days.
        calendar: the city's working-time calendar.

    Returns:
        The deadline, aware in the calendar's time zone.

    Raises:
        ValueError: ``start`` is naive.
    """
    _require_aware(start)
    if amount.unit is TimeUnit.HOURS:
        later = start.astimezone(timezone.utc) + timedelta(hours=amount.value)
        return later.astimezone(calendar.time_zone)
    if amount.unit is TimeUnit.WORKING_DAYS:
        due_day = calendar.add_working_days(calendar.day_received(start), int(amount.value))
        return calendar.close_of_office(due_day)
    return _add_working_hours(start, timedelta(hours=amount.value), calendar)


def _add_working_hours(start: datetime, remaining: timedelta, calendar: WorkingCalendar) -> datetime:
    # Walk span by span; office hours never straddle a change of UTC offset in
    # practice (Asia/Shanghai has none), so wall-clock differences are exact.
    cursor = calendar.next_working_moment(start)
    while True:
        span_close = calendar.close_of_span(cursor)
        if remaining <= span_close - cursor:
            return cursor + remaining
        remaining -= span_close - cursor
        cursor = calendar.next_working_moment(span_close)


def load_calendar(path: str | os.PathLike | None = None,
                  tz: str | tzinfo | None = None) -> WorkingCalendar:
    """Build the city's calendar from ``calendar.yaml`` and chinese_calendar.

    Args:
        path: the YAML file; ``config/data/calendar.yaml`` by default.
        tz: a time zone (name or tzinfo) that overrides the file's, e.g. the
            ``timezone`` setting.

    Returns:
        The calendar, with national holidays for the years chinese_calendar
        covers and the city's overrides on top.

    Raises:
        ValueError: office hours or override dates do not parse.
        zoneinfo.ZoneInfoNotFoundError: the time zone is unknown.
    """
    if path is None:
        text = resources.files("config").joinpath("data", "calendar.yaml").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    data = yaml.safe_load(text) or {}
    zone = tz if tz is not None else data.get("time_zone", DEFAULT_TIME_ZONE)
    overrides = data.get("overrides") or {}
    national, covered_years = national_exceptions()
    return WorkingCalendar.from_sources(
        national, covered_years,
        office_hours=[_parse_span(span) for span in data.get("office_hours") or []],
        time_zone=ZoneInfo(zone) if isinstance(zone, str) else zone,
        extra_holidays=[_parse_date(day) for day in overrides.get("extra_holidays") or []],
        extra_working_days=[_parse_date(day) for day in overrides.get("extra_working_days") or []],
    )


def _parse_span(text: str) -> tuple[time, time]:
    opens, separator, closes = str(text).partition("-")
    if not separator:
        raise ValueError(f"office hours must read 'HH:MM-HH:MM': {text!r}")
    return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())


def _parse_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is needed, got naive {moment.isoformat()}")
