"""Figures month by month (走势), for the city and for one department.

Each month is counted exactly as its own monthly scorecard counts it, so a
point on a chart always equals the number in that month's ranking.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from evaluation.charts import Series, line_chart
from evaluation.figures import Kind, figure
from evaluation.periods import Period, months_ending
from evaluation.rules import Rules
from evaluation.scorecard import Figures, Scorecard, compute_scorecard
from hotline.db import Database

TREND_MONTHS = 12


@dataclass(frozen=True)
class Trend:
    months: list[Period]
    city: list[Figures]
    department: list[Figures | None] | None = None
    department_name: str = ""

    @property
    def labels(self) -> list[str]:
        return [f"{m.first.year % 100:02d}/{m.first.month:02d}" for m in self.months]

    def chart(self, name: str, *, width: int = 560, height: int = 220) -> str:
        """The SVG line chart of one figure: the department (when there is one) against the city."""
        spec = figure(name)
        series = []
        if self.department is not None:
            series.append(Series(self.department_name, [f.value(name) if f else None for f in self.department]))
        series.append(Series("全市", [f.value(name) for f in self.city]))
        return line_chart(self.labels, series, percent=spec.kind is Kind.RATE, width=width, height=height,
                          title=spec.label)


def trend(db: Database, rules: Rules, last: Period, *, now: datetime, tz: ZoneInfo,
          department_id: int | None = None, months: int = TREND_MONTHS,
          known: Iterable[Scorecard] = ()) -> Trend:
    """The ``months`` months ending with ``last``'s month, leaving out months that have not begun.

    Args:
        known: scorecards the caller already counted (this month and the previous one, for a
            ranking page), used instead of counting them again.
    """
    chosen = [m for m in months_ending(last, months) if m.bounds(tz)[0] <= now]
    counted = {card.period.key: card for card in known}
    city, own, name = [], [], ""
    for month in chosen:
        scorecard = counted.get(month.key) or compute_scorecard(db, rules, month, now=now, tz=tz)
        city.append(scorecard.total)
        if department_id is not None:
            row = scorecard.for_department(department_id)
            own.append(row)
            name = row.unit.name if row else name
    return Trend(chosen, city, own if department_id is not None else None, name)
