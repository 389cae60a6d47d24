"""Everything a monthly report holds, gathered once and handed to the Excel, PDF and HTML writers.

The same :class:`Report` feeds ``hotline report`` and the downloads on the
page, so the three formats cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evaluation.hotline import HotlineFigures, hotline_figures
from evaluation.models import Exclusion
from evaluation.periods import Period
from evaluation.queries import period_exclusions
from evaluation.ranking import Ranking, rank
from evaluation.rules import Rules
from evaluation.scorecard import compute_scorecard
from evaluation.trends import Trend, trend

# The columns of the ranking, in report order: (figure name, heading).
RANKING_FIGURES = ("received", "sign_in_rate", "on_time_rate", "response_rate", "resolution_rate",
                   "satisfaction_rate", "return_rate", "reopen_rate", "extension_rate", "overdue",
                   "handling_hours")
TREND_FIGURES = ("satisfaction_rate", "resolution_rate", "response_rate", "on_time_rate")


@dataclass(frozen=True)
class Report:
    city_name: str
    period: Period
    computed_at: datetime
    rules: Rules
    ranking: Ranking
    hotline: HotlineFigures
    exclusions: list[Exclusion]
    trend: Trend
    tz: Any

    @property
    def title(self) -> str:
        return f"{self.city_name}12345政务服务便民热线{self.period.label}办理情况通报"


def build_report(services, rules: Rules, period: Period, *, now: datetime) -> Report:
    """Count everything the report shows for ``period``, as the ledger stands at ``now``.

    Args:
        services: the app's services (database, catalogue, time zone, city name
            and, when telephony provides it, ``call_figures``).
    """
    tz = services.ledger.tz
    scorecard = compute_scorecard(services.db, rules, period, now=now, tz=tz)
    previous = compute_scorecard(services.db, rules, period.previous(), now=now, tz=tz)
    start, end = period.bounds(tz)
    return Report(
        city_name=services.settings.city_name, period=period, computed_at=now, rules=rules,
        ranking=rank(scorecard, rules, previous),
        hotline=hotline_figures(services.db, services.catalogue, rules, start, end,
                                calls=getattr(services, "call_figures", None)),
        exclusions=period_exclusions(services.db, start, end),
        trend=trend(services.db, rules, period, now=now, tz=tz, known=(scorecard, previous)), tz=tz)


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def format_value(name: str, value) -> str:
    """A figure's value as pages and reports print it."""
    from evaluation.figures import Kind, figure
    if value is None:
        return "—"
    kind = figure(name).kind
    if kind is Kind.RATE:
        return percent(value)
    if kind is Kind.HOURS:
        return f"{value:.1f}"
    return f"{value:,}"
