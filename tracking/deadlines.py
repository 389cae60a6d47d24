"""Time limits as data, the deadlines they give, and the traffic light.

``config/data/time_limits.yaml`` holds, per urgency, the limits of the three
steps a ticket owes: signing in (签收), replying (答复) and the callback (回访).
A service group or a single service may tighten or loosen any of them; per
step, the most specific entry wins (see :meth:`TimeLimitTable.limits_for`).

Complex cases (复杂, 15 working days) are not a priority: how urgent a
citizen's request is and how hard it is to settle are different questions, and
``Priority`` has only normal, urgent and emergency. Complexity belongs to the
kind of request, so the table lists the services (and groups) that are complex
by nature, such as land acquisition or demolition compensation; a *normal*
ticket of such a service gets the ``complex`` limits, while an urgent or
emergency one keeps its own.

The traffic light (红黄绿灯) tells staff how close a ticket is to its deadline.
It counts natural time, as a person reading "due in 3 hours" does.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources

import yaml

from tracking.calendar import TimeAmount, WorkingCalendar, add_working_time

STEPS = ("sign_in", "reply", "callback")
ANY_URGENCY = "any"  # key of a service or group entry that applies whatever the urgency
NORMAL = "normal"
COMPLEX = "complex"  # the limits a normal ticket of a complex service gets
YELLOW_BEFORE_DUE = timedelta(hours=24)  # a ticket turns yellow a day before it is due...
SHORT_LIMIT = timedelta(hours=48)  # ...unless its whole limit is shorter than this, when
YELLOW_SHARE_OF_SHORT_LIMIT = 4  # it turns yellow in the last quarter of the allowed time,
YELLOW_AT_LEAST = timedelta(minutes=15)  # but never later than 15 minutes before it is due.


@dataclass(frozen=True)
class StepLimits:
    """The time limits of one ticket's steps.

    ``sign_in`` and ``reply`` count from dispatch (派单); ``callback`` counts
    from the reply.
    """

    sign_in: TimeAmount
    reply: TimeAmount
    callback: TimeAmount


# A partial set of limits: step name -> amount, as one entry of the YAML gives.
PartialLimits = Mapping[str, TimeAmount]


@dataclass(frozen=True)
class TimeLimitTable:
    """All time limits: defaults per urgency, and group and service entries.

    Attributes:
        defaults: urgency -> complete limits.
        groups: service group code -> urgency (or "any") -> partial limits.
        services: service code -> urgency (or "any") -> partial limits.
        complex_services: service codes whose normal tickets count as complex.
        complex_groups: service groups whose normal tickets count as complex.
    """

    defaults: Mapping[str, StepLimits]
    groups: Mapping[str, Mapping[str, PartialLimits]]
    services: Mapping[str, Mapping[str, PartialLimits]]
    complex_services: frozenset[str] = frozenset()
    complex_groups: frozenset[str] = frozenset()

    @property
    def urgencies(self) -> frozenset[str]:
        """The urgencies the table knows (those with defaults)."""
        return frozenset(self.defaults)

    def limits_for(self, service_code: str | None, group: str | None, urgency: str) -> StepLimits:
        """The limits of a ticket, chosen step by step, most specific first.

        Order: the service for this urgency, the service for any urgency, the
        group for this urgency, the group for any urgency, the default. A
        normal ticket of a complex service or group is looked up as
        ``complex`` (see :meth:`effective_urgency`).

        Args:
            service_code: the ticket's catalogue code, or None if unclassified.
            group: the service's group code, or None.
            urgency: the ticket's urgency, e.g. "normal".

        Returns:
            The limits of signing in, replying and the callback.

        Raises:
            ValueError: the urgency has no default limits.
        """
        urgency = self.effective_urgency(service_code, group, urgency)
        if urgency not in self.defaults:
            raise ValueError(f"no time limits for urgency {urgency!r}; known: {sorted(self.defaults)}")
        entries = [self.services.get(service_code or "", {}), self.groups.get(group or "", {})]
        candidates = [entry[key] for entry in entries for key in (urgency, ANY_URGENCY) if key in entry]
        default = self.defaults[urgency]
        chosen = {step: next((c[step] for c in candidates if step in c), getattr(default, step))
                  for step in STEPS}
        return StepLimits(**chosen)

    def effective_urgency(self, service_code: str | None, group: str | None, urgency: str) -> str:
        """``complex`` for a normal ticket of a complex service or group, else ``urgency``."""
        if urgency == NORMAL and ((service_code or "") in self.complex_services
                                  or (group or "") in self.complex_groups):
            return COMPLEX
        return urgency


def load_time_limits(path: str | os.PathLike | None = None) -> TimeLimitTable:
    """Read the time limit table from YAML.

    Args:
        path: the YAML file; ``config/data/time_limits.yaml`` by default.

    Returns:
        The table, checked: every default is complete, and every entry names
        a known urgency (or "any") and known steps.

    Raises:
        ValueError: the file is incomplete or an amount does not parse.
    """
    if path is None:
        text = resources.files("config").joinpath("data", "time_limits.yaml").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    data = yaml.safe_load(text) or {}
    defaults = {}
    for urgency, steps in (data.get("defaults") or {}).items():
        missing = set(STEPS) - set(steps or {})
        if missing:
            raise ValueError(f"defaults.{urgency} lacks {sorted(missing)}")
        defaults[urgency] = StepLimits(**_parse_steps(f"defaults.{urgency}", steps))
    known = set(defaults) | {ANY_URGENCY}
    complex_services = frozenset(str(code) for code in data.get("complex_services") or [])
    complex_groups = frozenset(str(code) for code in data.get("complex_groups") or [])
    if (complex_services or complex_groups) and COMPLEX not in defaults:
        raise ValueError("complex_services or complex_groups are listed but defaults.complex is missing")
    return TimeLimitTable(
        defaults=defaults,
        groups=_parse_entries("groups", data.get("groups") or {}, known),
        services=_parse_entries("services", data.get("services") or {}, known),
        complex_services=complex_services,
        complex_groups=complex_groups,
    )


def _parse_entries(section: str, entries: Mapping, known_urgencies: set[str]) -> dict:
    parsed = {}
    for code, by_urgency in entries.items():
        unknown = set(by_urgency or {}) - known_urgencies
        if unknown:
            raise ValueError(f"{section}.{code}: unknown urgency {sorted(unknown)}")
        parsed[code] = {urgency: _parse_steps(f"{section}.{code}.{urgency}", steps)
                        for urgency, steps in (by_urgency or {}).items()}
    return parsed


def _parse_steps(where: str, steps: Mapping) -> dict[str, TimeAmount]:
    unknown = set(steps or {}) - set(STEPS)
    if unknown:
        raise ValueError(f"{where}: unknown step {sorted(unknown)}; steps are {STEPS}")
    try:
        return {step: TimeAmount.parse(amount) for step, amount in (steps or {}).items()}
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from error


def compute_due(start: datetime, limit: TimeAmount, calendar: WorkingCalendar) -> datetime:
    """When a step is due: ``limit`` after ``start`` on the city's calendar.

    Args:
        start: when the step's clock starts (dispatch, or the reply for the
            callback); timezone-aware.
        limit: the step's limit, from :meth:`TimeLimitTable.limits_for`.
        calendar: the city's working-time calendar.

    Returns:
        The deadline, aware in the calendar's time zone.

    Raises:
        ValueError: ``start`` is naive.
    """
    return add_working_time(start, limit, calendar)


class Light(StrEnum):
    GREEN = "green"    # 绿灯: in time
    YELLOW = "yellow"  # 黄灯: due soon
    RED = "red"        # 红灯: overdue


def yellow_from(due_at: datetime, started_at: datetime) -> datetime:
    """The first moment a step's light is yellow: its due time less the warning time.

    The warning time is ``YELLOW_BEFORE_DUE`` (24 hours), or, when the whole
    limit (``due_at - started_at``) is shorter than 48 hours, its last quarter
    but at least the last 15 minutes. The deadline sweep stores this moment on
    the ticket, so pages, the sweep and :func:`light_for` agree to the microsecond.

    Args:
        due_at: the step's deadline.
        started_at: when the step's clock started.

    Returns:
        The moment the light turns yellow (it may precede ``started_at`` when
        the whole limit is shorter than 15 minutes: such a step starts yellow).
    """
    allowed = due_at - started_at
    threshold = YELLOW_BEFORE_DUE
    if allowed < SHORT_LIMIT:
        threshold = max(allowed / YELLOW_SHARE_OF_SHORT_LIMIT, YELLOW_AT_LEAST)
    return due_at - threshold


def light_for(now: datetime, due_at: datetime, started_at: datetime) -> Light:
    """The traffic light of a step that started at ``started_at``.

    Red once ``now`` is past ``due_at`` (at ``due_at`` exactly it is still in
    time). Yellow from :func:`yellow_from` on: within ``YELLOW_BEFORE_DUE`` (24
    hours), or, when the whole limit is shorter than 48 hours, within its last
    quarter but at least the last 15 minutes (a 2-hour limit turns yellow 30
    minutes before, a 30-minute one 15 minutes before). Green otherwise. Time
    here is natural time, so a Monday 17:30 deadline turns yellow on Sunday at
    17:30.

    Args:
        now: the current moment, read once by the caller.
        due_at: the step's deadline.
        started_at: when the step's clock started.

    Returns:
        The light.

    Raises:
        ValueError: one of the moments is naive.
    """
    for moment in (now, due_at, started_at):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is needed, got naive {moment.isoformat()}")
    if now > due_at:
        return Light.RED
    return Light.YELLOW if now >= yellow_from(due_at, started_at) else Light.GREEN
