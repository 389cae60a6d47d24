"""What ``hotline calendar add-working-days DATE N`` prints, so staff can check a deadline.

The CLI itself (argument parsing, loading the calendar) lives with the CLI's
owner; these functions only turn arguments and a calendar into lines of text,
so they test without a process or a clock.
"""
from __future__ import annotations

from datetime import date

from tracking.calendar import WorkingCalendar


def add_working_days_command(date_str: str, n: int, calendar: WorkingCalendar) -> str:
    """The Nth working day after DATE, as the line the command prints.

    ``DATE`` itself is never counted, whether or not it is a working day:
    ``2026-09-30`` plus 1 is ``2026-10-08``, after the National Day holiday.

    Args:
        date_str: the start date, ``YYYY-MM-DD``.
        n: how many working days to add, 0 or more.
        calendar: the city's working-time calendar.

    Returns:
        The resulting date in ISO format, e.g. ``"2026-10-08"``.

    Raises:
        ValueError: ``date_str`` is not an ISO date, or ``n`` is negative.
    """
    return calendar.add_working_days(_parse_date(date_str), n).isoformat()


def coverage_warning(date_str: str, n: int, calendar: WorkingCalendar) -> str | None:
    """A warning for stderr when the answer relies on years without holiday data.

    For years chinese_calendar does not cover, the calendar knows only
    weekends and the city's overrides, so the answer may miss a holiday.

    Args:
        date_str: the start date, ``YYYY-MM-DD``.
        n: how many working days are added.
        calendar: the city's working-time calendar.

    Returns:
        The warning, or None when every year involved is covered.

    Raises:
        ValueError: ``date_str`` is not an ISO date, or ``n`` is negative.
    """
    start = _parse_date(date_str)
    end = calendar.add_working_days(start, n)
    missing = [year for year in range(start.year, end.year + 1) if not calendar.covers_year(year)]
    if not missing:
        return None
    years = ", ".join(str(year) for year in missing)
    return (f"warning: no national holiday data for {years}; counted weekends and city "
            f"overrides only (upgrade chinesecalendar or add the dates to config/data/calendar.yaml)")


def _parse_date(date_str: str) -> date:
    try:
        return date.fromisoformat(date_str.strip())
    except ValueError as error:
        raise ValueError(f"not a date in YYYY-MM-DD form: {date_str!r}") from error
