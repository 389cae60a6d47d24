"""The ledger's context: the database plus the city's rules that actions apply.

Actions receive one ``Ledger`` instead of half a dozen arguments; it is built
once by the app (``hotline.services``) from settings and the files in
``config/data``, and is immutable, so tests build their own with other rules.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.db import Database
from tracking.calendar import TimeAmount, WorkingCalendar, add_working_time
from tracking.deadlines import StepLimits, TimeLimitTable


@dataclass(frozen=True)
class Ledger:
    db: Database
    tz: ZoneInfo
    calendar: WorkingCalendar
    limits: TimeLimitTable
    # service code -> first-level group, so limits can be set per group of services
    service_groups: Mapping[str, str] = field(default_factory=dict)

    def step_limits(self, service_code: str | None, priority: str) -> StepLimits:
        """Time allowed for signing in, replying and calling back this kind of ticket."""
        group = self.service_groups.get(service_code or "")
        return self.limits.limits_for(service_code, group, priority)

    def due(self, start: datetime, amount: TimeAmount) -> datetime:
        return add_working_time(start, amount, self.calendar)
