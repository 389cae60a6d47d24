"""Figures of the hotline itself: what came in, how, about what, from where, and how often again.

These count tickets *registered* (受理) in the period, whatever happened to
them later, each in one grouped query. Call figures come from telephony
through ``CallFiguresSource`` when the deployment provides one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from config.catalogue import Catalogue
from evaluation.rules import Rules
from evaluation.sql import seconds_between
from evaluation.topics import Topic, top_issues
from hotline.db import Database
from tracking.models import Ticket
from tracking.presenters import mask_phone
from tracking.states import CHANNEL_LABELS, SATISFACTION_LABELS

OUTCOMES = {"answered_directly": "直接办结", "merged": "并单", "registered": "待派单"}  # anything else: 派单办理
UNCLASSIFIED = "未分类"
UNKNOWN_DISTRICT = "未识别"
TOP_REPEAT_CALLERS = 10


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class CallLine:
    """One line of call-centre figures: label, value already formatted, and what it means."""

    label: str
    value: str
    hint: str = ""


# The extension point for telephony: given [start, end), the period's call
# figures as lines, or None when there are no call records. The composition
# root hands one to the pages and reports (``Services.call_figures``);
# evaluation never imports telephony.
CallFiguresSource = Callable[[datetime, datetime], Sequence[CallLine] | None]


@dataclass(frozen=True)
class RepeatCaller:
    phone: str   # masked
    tickets: int
    titles: tuple[str, ...]


@dataclass(frozen=True)
class HotlineFigures:
    registered: int
    by_channel: list[Share]
    by_category: list[Share]
    by_district: list[Share]
    by_outcome: list[Share]
    satisfaction: list[Share]
    repeats: int
    merged: int
    repeat_callers: list[RepeatCaller]
    topics: list[Topic] = field(default_factory=list)
    calls: Sequence[CallLine] | None = None

    @property
    def repeat_share(self) -> float | None:
        return (self.repeats + self.merged) / self.registered if self.registered else None


def hotline_figures(db: Database, catalogue: Catalogue, rules: Rules, start: datetime, end: datetime, *,
                    calls: CallFiguresSource | None = None, with_topics: bool = True) -> HotlineFigures:
    """Count the tickets registered in ``[start, end)`` by channel, category, district and outcome."""
    in_period = and_(Ticket.registered_at >= start, Ticket.registered_at < end)
    dimensions = (Ticket.channel, Ticket.service_code, Ticket.district, Ticket.status, Ticket.satisfaction)
    with db.reading() as session:
        # One grouped scan of the period's tickets; the few hundred combinations are folded below.
        combinations = session.execute(select(*dimensions, func.count()).where(in_period)
                                       .group_by(*dimensions)).all()
        repeats = _count_repeats(session, rules, start, end)
        callers = _repeat_callers(session, in_period)
    channels, groups, districts, outcome, verdicts = {}, {}, {}, {}, {}
    known = {s.code: s.group for s in catalogue.services}
    for channel, service, district, status, satisfaction, n in combinations:
        _add(channels, channel, n)
        _add(groups, known.get(service or "", UNCLASSIFIED), n)
        _add(districts, district or "", n)
        _add(outcome, OUTCOMES.get(status, "派单办理"), n)
        if satisfaction:
            _add(verdicts, satisfaction, n)
    total = sum(channels.values())
    merged = outcome.get("并单", 0)
    return HotlineFigures(
        registered=total,
        by_channel=_shares([(c, CHANNEL_LABELS.get(c, c), n) for c, n in channels.items()], total),
        by_category=_shares([(g, g, n) for g, n in groups.items()], total),
        by_district=_shares([(d, d or UNKNOWN_DISTRICT, n) for d, n in districts.items()], total),
        by_outcome=_shares([(k, k, n) for k, n in outcome.items()], total),
        satisfaction=_shares([(v, SATISFACTION_LABELS.get(v, v), n) for v, n in verdicts.items()],
                             sum(verdicts.values())),
        repeats=repeats, merged=merged, repeat_callers=callers,
        topics=top_issues(db, rules, start, end) if with_topics else [],
        calls=calls(start, end) if calls is not None else None)


def _count_repeats(session, rules: Rules, start: datetime, end: datetime) -> int:
    """Tickets of the period whose caller asked about the same service within the window before (重复诉求).

    One scan of the tickets registered from a window before the period to its end, each row
    looking back at the previous ticket of the same phone and service. Merged tickets (并单)
    are counted apart, as the agent already saw them as repeats.
    """
    window = timedelta(days=rules.repeat_window_days)
    previous = func.lag(Ticket.registered_at).over(
        partition_by=(Ticket.contact_phone, Ticket.service_code), order_by=(Ticket.registered_at, Ticket.id))
    asked = (select(Ticket.registered_at, Ticket.status, previous.label("previous"))
             .where(Ticket.registered_at >= start - window, Ticket.registered_at < end,
                    Ticket.contact_phone.is_not(None), Ticket.service_code.is_not(None))).subquery("asked")
    return session.scalar(select(func.count()).select_from(asked).where(
        asked.c.registered_at >= start, asked.c.status != "merged", asked.c.previous.is_not(None),
        seconds_between(asked.c.registered_at, asked.c.previous) <= window.total_seconds())) or 0


def _repeat_callers(session, in_period) -> list[RepeatCaller]:
    """The numbers that registered most tickets in the period (two or more), masked."""
    rows = session.execute(
        select(Ticket.contact_phone, func.count().label("n")).where(in_period, Ticket.contact_phone.is_not(None))
        .group_by(Ticket.contact_phone).having(func.count() >= 2)
        .order_by(func.count().desc(), Ticket.contact_phone).limit(TOP_REPEAT_CALLERS)).all()
    callers = []
    for phone, n in rows:
        titles = session.scalars(select(Ticket.title).where(in_period, Ticket.contact_phone == phone)
                                 .order_by(Ticket.registered_at.desc()).limit(3)).all()
        callers.append(RepeatCaller(mask_phone(phone), n, tuple(titles)))
    return callers


def _add(counts: dict, key, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _shares(items: list[tuple[str, str, int]], total: int) -> list[Share]:
    ordered = sorted(items, key=lambda item: (-item[2], item[1]))
    return [Share(key, label, n, n / total if total else 0.0) for key, label, n in ordered]
