"""Assessment periods: a month, a quarter, a year or any range of days, in the city's time.

A period is written the way people say it: ``2026-10`` (a month), ``2026-Q4``
(a quarter), ``2026`` (a year) or ``2026-10-01..2026-10-15`` (both days
included). Its bounds are local midnights turned into aware datetimes, so
"October" means October in the city, whatever zone the server runs in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MAX_RANGE_DAYS = 3 * 366  # a longer custom range is almost certainly a typo


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


class PeriodError(ValueError):
    """The text does not name a period; the message says what is expected (in Chinese)."""


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last`` (both included) of one kind of period."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def key(self) -> str:
        """The canonical text of the period, as parsed by :func:`parse_period`."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """How the period is named in Chinese on pages and reports."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year}年{self.first.month}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        if self.kind is PeriodKind.YEAR:
            return f"{self.first.year}年"
        return f"{self.first.year}年{self.first.month}月{self.first.day}日至" \
               f"{self.last.year}年{self.last.month}月{self.last.day}日"

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """``[start, end)`` as aware datetimes: local midnight of the first day and of the day after the last."""
        return (datetime.combine(self.first, time(), tz),
                datetime.combine(self.last + timedelta(days=1), time(), tz))

    def previous(self) -> "Period":
        """The period just before, of the same kind and length (环比)."""
        if self.kind is PeriodKind.MONTH:
            return month(_shift_month(self.first, -1))
        if self.kind is PeriodKind.QUARTER:
            return _quarter(_shift_month(self.first, -3))
        if self.kind is PeriodKind.YEAR:
            return Period(PeriodKind.YEAR, date(self.first.year - 1, 1, 1), date(self.first.year - 1, 12, 31))
        length = self.last - self.first
        return Period(PeriodKind.RANGE, self.first - length - timedelta(days=1), self.first - timedelta(days=1))

    def months(self) -> list["Period"]:
        """The calendar months the period touches, in order."""
        result, current = [], date(self.first.year, self.first.month, 1)
        while current <= self.last:
            result.append(month(current))
            current = _shift_month(current, 1)
        return result


def month(day: date) -> Period:
    first = date(day.year, day.month, 1)
    return Period(PeriodKind.MONTH, first, _shift_month(first, 1) - timedelta(days=1))


def months_ending(last: Period, count: int) -> list[Period]:
    """``count`` consecutive months ending with the month ``last`` ends in (for trend charts)."""
    end = date(last.last.year, last.last.month, 1)
    return [month(_shift_month(end, -offset)) for offset in range(count - 1, -1, -1)]


def parse_period(text: str) -> Period:
    """Read ``2026-10``, ``2026-Q4``, ``2026`` or ``2026-10-01..2026-10-15``.

    Raises:
        PeriodError: anything else, or a range that ends before it starts.
    """
    value = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            return month(date(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
            return _quarter(date(int(m[1]), 3 * int(m[2]) - 2, 1))
        if re.fullmatch(r"\d{4}", value):
            return Period(PeriodKind.YEAR, date(int(value), 1, 1), date(int(value), 12, 31))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|~|至)\s*(\d{4}-\d{2}-\d{2})", value):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise PeriodError("时间段的结束日期早于开始日期")
            if (last - first).days > MAX_RANGE_DAYS:
                raise PeriodError("时间段不能超过三年")
            return Period(PeriodKind.RANGE, first, last)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"日期无效：{value}") from None
    raise PeriodError(f"无法识别的考核期“{value}”：请写成 2026-10、2026-Q4、2026 或 2026-10-01..2026-10-15")


def current_month(now: datetime, tz: ZoneInfo) -> Period:
    return month(now.astimezone(tz).date())


def last_complete_month(now: datetime, tz: ZoneInfo) -> Period:
    """The month before the current one: what the monthly assessment is usually about."""
    return current_month(now, tz).previous()


def _quarter(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(PeriodKind.QUARTER, first, _shift_month(first, 3) - timedelta(days=1))


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
