"""Call-centre figures from call records (话务统计), pure functions.

What is counted: an *offered* call is an inbound call that reached a queue,
i.e. asked for a human agent (人工服务请求). Calls that hung up in the
greeting, callbacks and internal calls are not offered calls. Figures are
grouped by the hour or day the call entered the queue, in the city's time zone.

The service targets come from GB/T 33358-2016 (政府热线服务规范) as quoted in
our brief: calls answered within 15 seconds, and at least 95% of calls
connected. Check the standard's text before quoting exact clauses in reports.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from telephony.calls import CallOutcome, CallRecord, Direction

ANSWER_WITHIN_SECONDS = 15.0
"""A call counts as answered in time when its wait is at most this (GB/T 33358-2016)."""

CONNECTION_RATE_TARGET = 0.95
"""Share of offered calls that should be answered (接通率, GB/T 33358-2016)."""

ANSWERED = {CallOutcome.ANSWERED, CallOutcome.TRANSFERRED}
MISSED = {CallOutcome.ABANDONED, CallOutcome.UNANSWERED}


@dataclass(frozen=True)
class CallFigures:
    """Counts and averages for one period."""

    offered: int
    answered: int
    abandoned: int
    unanswered: int
    answered_in_time: int  # answered with a wait of at most ANSWER_WITHIN_SECONDS
    average_wait_seconds: float | None  # of answered calls: the average speed of answer
    average_talk_seconds: float | None  # of answered calls

    @property
    def answered_share(self) -> float | None:
        """接通率: answered / offered."""
        return self.answered / self.offered if self.offered else None

    @property
    def answered_in_time_share(self) -> float | None:
        """15秒接通率: answered within the target / offered (abandoned calls count against it)."""
        return self.answered_in_time / self.offered if self.offered else None


def is_offered(record: CallRecord) -> bool:
    """An ended inbound call that asked for an agent."""
    return record.direction is Direction.INBOUND and record.queue is not None and record.outcome is not None


def figures(records: Iterable[CallRecord], within_seconds: float = ANSWER_WITHIN_SECONDS) -> CallFigures:
    """Figures over all offered calls among ``records``."""
    offered = [r for r in records if is_offered(r)]
    answered = [r for r in offered if r.outcome in ANSWERED]
    waits = [r.wait_seconds for r in answered if r.wait_seconds is not None]
    talks = [r.talk_seconds for r in answered if r.talk_seconds is not None]
    return CallFigures(
        offered=len(offered),
        answered=len(answered),
        abandoned=sum(r.outcome is CallOutcome.ABANDONED for r in offered),
        unanswered=sum(r.outcome is CallOutcome.UNANSWERED for r in offered),
        answered_in_time=sum(w <= within_seconds for w in waits),
        average_wait_seconds=_mean(waits),
        average_talk_seconds=_mean(talks),
    )


def per_hour(records: Iterable[CallRecord], tz: tzinfo) -> dict[datetime, CallFigures]:
    """Figures per local hour (keys: the hour's start, aware, in ``tz``), in time order."""
    return _grouped(records, lambda moment: moment.astimezone(tz).replace(minute=0, second=0, microsecond=0))


def per_day(records: Iterable[CallRecord], tz: tzinfo) -> dict[date, CallFigures]:
    """Figures per local calendar day, in time order."""
    return _grouped(records, lambda moment: moment.astimezone(tz).date())


def per_hour_of_day(records: Iterable[CallRecord], tz: tzinfo) -> dict[int, CallFigures]:
    """Figures per local hour of the day (0-23) over all days: the day's profile, for staffing."""
    return _grouped(records, lambda moment: moment.astimezone(tz).hour)


def _grouped(records: Iterable[CallRecord], key: Callable[[datetime], object]) -> dict:
    groups: dict = defaultdict(list)
    for record in records:
        if is_offered(record):
            groups[key(record.queued_at or record.arrived_at)].append(record)
    return {period: figures(group) for period, group in sorted(groups.items())}


@dataclass(frozen=True)
class MissedCall:
    """A number to call back (漏话回拨): its missed calls since it was last answered."""

    number: str
    first_missed_at: datetime
    last_missed_at: datetime
    attempts: int
    linkedids: tuple[str, ...]


def missed_calls(records: Iterable[CallRecord]) -> list[MissedCall]:
    """Offered calls that were abandoned or not answered, one entry per number.

    A number drops off the list once a later call with it was answered, be it
    the citizen calling again or our callback reaching them. Oldest first.
    """
    pending: dict[str, list[CallRecord]] = {}
    for record in sorted(records, key=lambda r: r.arrived_at):
        number = record.caller_number
        if not number or record.outcome is None:
            continue
        if is_offered(record) and record.outcome in MISSED:
            pending.setdefault(number, []).append(record)
        elif record.outcome in ANSWERED:
            pending.pop(number, None)
    entries = [MissedCall(number, calls[0].arrived_at, calls[-1].arrived_at, len(calls),
                          tuple(r.linkedid for r in calls)) for number, calls in pending.items()]
    return sorted(entries, key=lambda m: m.first_missed_at)


# -- staffing: Erlang C ---------------------------------------------------------


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call has to wait, with ``traffic`` Erlangs on ``agents`` agents.

    Computed through the Erlang B recursion, which stays stable for hundreds of agents.
    """
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0  # the queue grows without bound
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, calls_per_hour: float, handling_seconds: float,
                  within_seconds: float = ANSWER_WITHIN_SECONDS) -> float:
    """Share of calls answered within ``within_seconds`` (Erlang C, callers never hang up)."""
    traffic = calls_per_hour * handling_seconds / 3600
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * within_seconds / handling_seconds)


def agents_needed(calls_per_hour: float, handling_seconds: float, *, target: float = 0.8,
                  within_seconds: float = ANSWER_WITHIN_SECONDS) -> int:
    """Fewest agents that answer ``target`` of calls within ``within_seconds``.

    Args:
        calls_per_hour: arrival rate.
        handling_seconds: average handling time (talk plus after-call work).
        target: e.g. 0.8 or 0.95.
    """
    if calls_per_hour <= 0 or handling_seconds <= 0:
        return 0
    agents = max(1, math.floor(calls_per_hour * handling_seconds / 3600) + 1)
    while service_level(agents, calls_per_hour, handling_seconds, within_seconds) < target:
        agents += 1
    return agents


def staffing_per_hour(records: Iterable[CallRecord], tz: tzinfo, *, target: float = 0.8,
                      within_seconds: float = ANSWER_WITHIN_SECONDS, wrap_up_seconds: float = 0.0,
                      days: int | None = None) -> dict[int, int]:
    """Agents needed in each local hour of the day (0-23), from the calls offered then.

    Args:
        days: how many days the records cover, to turn counts into calls per
            hour; by default the number of local days with offered calls.
        wrap_up_seconds: after-call work added to the average talk time.
    The handling time of an hour without answered calls is the overall average.
    """
    offered = [r for r in records if is_offered(r)]
    local = {r.linkedid: (r.queued_at or r.arrived_at).astimezone(tz) for r in offered}
    days = days or len({moment.date() for moment in local.values()}) or 1
    overall = figures(offered).average_talk_seconds or 0.0
    by_hour: dict[int, list[CallRecord]] = defaultdict(list)
    for record in offered:
        by_hour[local[record.linkedid].hour].append(record)
    staffing = {}
    for hour, group in sorted(by_hour.items()):
        talk = figures(group).average_talk_seconds or overall
        staffing[hour] = agents_needed(len(group) / days, talk + wrap_up_seconds,
                                       target=target, within_seconds=within_seconds)
    return staffing


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
