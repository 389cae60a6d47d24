"""The call figures report (话务统计) for a period, as the page and the JSON API show it."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, tzinfo

from hotline.db import Database
from telephony.figures import (
    ANSWER_WITHIN_SECONDS, CallFigures, figures, missed_calls, per_day, per_hour, per_hour_of_day,
    staffing_per_hour,
)
from telephony.queries import records_between
from tracking.actions import InvalidInput

DEFAULT_DAYS = 7
MAX_DAYS = 92
"""Longest period one report reads (a quarter)."""

SERVICE_TARGETS = (0.8, 0.95)
"""Shares of calls to answer within 15 s that the staffing estimate is given for."""


def period(raw_from: str | None, raw_to: str | None, tz: tzinfo, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) from query values: local dates (``to`` included) or aware ISO moments.

    Raises:
        InvalidInput: unreadable values, an empty period or one longer than MAX_DAYS.
    """
    today = now.astimezone(tz).date()
    start = _moment(raw_from, tz, "from") or _midnight(today - timedelta(days=DEFAULT_DAYS - 1), tz)
    end = _moment(raw_to, tz, "to", end_of_day=True) or _midnight(today + timedelta(days=1), tz)
    if end <= start:
        raise InvalidInput("截止时间须晚于起始时间")
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"统计区间不能超过{MAX_DAYS}天")
    return start, end


def _moment(raw: str | None, tz: tzinfo, name: str, *, end_of_day: bool = False) -> datetime | None:
    if not raw:
        return None
    try:
        if "T" not in raw:
            day = date.fromisoformat(raw)
            return _midnight(day + timedelta(days=1) if end_of_day else day, tz)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"参数 {name} 须为日期（YYYY-MM-DD）或ISO 8601时刻") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def figures_report(db: Database, start: datetime, end: datetime, tz: tzinfo, now: datetime) -> dict:
    """Everything the supervision office reads about calls in [start, end).

    The missed-call list also looks at calls after ``end`` (until ``now``): a
    number answered since, or called back successfully, is no longer missed.
    """
    records = records_between(db, start, end)
    later = records_between(db, end, now) if now > end else []
    days = max(1, round((end - start) / timedelta(days=1)))
    missed = [m for m in missed_calls(records + later) if m.first_missed_at < end]
    return {
        "from": start.isoformat(), "to": end.isoformat(), "answer_within_seconds": ANSWER_WITHIN_SECONDS,
        "totals": figures_json(figures(records)),
        "per_day": [{"day": day.isoformat(), **figures_json(f)} for day, f in per_day(records, tz).items()],
        "per_hour": [{"hour": hour.isoformat(), **figures_json(f)} for hour, f in per_hour(records, tz).items()],
        "hour_of_day": [{"hour": hour, **figures_json(f)} for hour, f in per_hour_of_day(records, tz).items()],
        "missed": [{"number": m.number, "first_missed_at": m.first_missed_at.isoformat(),
                    "last_missed_at": m.last_missed_at.isoformat(), "attempts": m.attempts} for m in missed],
        "staffing": {f"{target:.2f}": {str(hour): agents for hour, agents in
                                       staffing_per_hour(records, tz, target=target, days=days).items()}
                     for target in SERVICE_TARGETS},
    }


def figures_json(f: CallFigures) -> dict:
    return {**asdict(f), "answered_share": _round(f.answered_share),
            "answered_in_time_share": _round(f.answered_in_time_share),
            "average_wait_seconds": _round(f.average_wait_seconds, 1),
            "average_talk_seconds": _round(f.average_talk_seconds, 1)}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class FigureLine:
    """One line of call figures for other reports: label, formatted value, what it means.

    Shaped like ``evaluation.hotline.CallLine``, which reads it without importing telephony.
    """

    label: str
    value: str
    hint: str = ""


def call_figure_lines(db: Database, start: datetime, end: datetime) -> list[FigureLine] | None:
    """The period's call figures as lines for the evaluation pages and reports (``Services.call_figures``).

    Returns:
        None when no call reached the queue in [start, end) (no PBX, or no calls).
    """
    records = records_between(db, start, end)
    f = figures(records)
    if not f.offered:
        return None
    missed = [m for m in missed_calls(records) if m.first_missed_at < end]
    return [
        FigureLine("呼入量", str(f.offered), "进入人工队列的来电"),
        FigureLine("接通", f"{f.answered}（{_percent(f.answered_share)}）", "接通率：接通 ÷ 呼入量"),
        FigureLine("15秒接通率", _percent(f.answered_in_time_share),
                   f"{ANSWER_WITHIN_SECONDS:.0f}秒内接起的来电 ÷ 呼入量（GB/T 33358-2016）"),
        FigureLine("放弃", str(f.abandoned), "市民在排队中挂断"),
        FigureLine("平均等待", _seconds(f.average_wait_seconds), "已接通来电从排队到接起的平均时长"),
        FigureLine("平均通话", _seconds(f.average_talk_seconds), "已接通来电的平均通话时长"),
        FigureLine("漏话号码", str(len(missed)), "放弃或排队超时且期间未再接通的号码"),
    ]


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}秒"
