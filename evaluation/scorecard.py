"""The scorecard: every figure of every department for one period, in one grouped query.

``compute_scorecard`` sums the flags of the period's handling records
(``evaluation.records``) per department in the database and turns the sums
into the figures of ``evaluation.figures``. It only reads the ledger.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from evaluation.figures import FIGURES, Kind, figure
from evaluation.periods import Period
from evaluation.records import FLAGS, records_query
from evaluation import settled as settled_months
from evaluation.rules import Rules
from evaluation.settled import is_settled
from evaluation.sql import analytic
from hotline.db import Database
from tracking.accounts import Department


@dataclass(frozen=True)
class Unit:
    """A department as the scorecard shows it (or the whole city, for the totals row)."""

    id: int | None
    code: str
    name: str
    kind: str
    tier: str


CITY = Unit(None, "", "全市合计", "", "")


@dataclass(frozen=True)
class Figures:
    """One department's flag counts for a period, and the figures they give."""

    unit: Unit
    counts: Mapping[str, int]
    handling_seconds: float | None = None

    def value(self, name: str) -> float | int | None:
        """The figure's value: a share in [0, 1] for rates, a count, or hours; None without data."""
        spec = figure(name)
        if spec.kind is Kind.HOURS:
            return None if self.handling_seconds is None else self.handling_seconds / 3600.0
        numerator = self.counts.get(spec.numerator, 0)
        if spec.kind is Kind.COUNT:
            return numerator
        denominator = self.counts.get(spec.denominator, 0)
        return numerator / denominator if denominator else None

    def ratio(self, name: str) -> tuple[int, int]:
        """(numerator, denominator) behind a rate, for "123 / 130" next to the percentage."""
        spec = figure(name)
        return self.counts.get(spec.numerator, 0), self.counts.get(spec.denominator or "", 0)

    @property
    def received(self) -> int:
        return self.counts.get("received", 0)


@dataclass(frozen=True)
class Scorecard:
    """All departments' figures for one period, plus the city's totals."""

    period: Period
    start: datetime
    end: datetime
    computed_at: datetime
    rows: tuple[Figures, ...]
    total: Figures
    by_id: Mapping[int, Figures] = field(default_factory=dict)

    def for_department(self, department_id: int) -> Figures | None:
        return self.by_id.get(department_id)


def compute_scorecard(db: Database, rules: Rules, period: Period, *, now: datetime, tz: ZoneInfo,
                      department_id: int | None = None) -> Scorecard:
    """Count the period's figures for every department (or one), as the ledger stands at ``now``.

    Active departments without tickets in the period appear with zeros, so a
    ranking lists every department the city has. A month long closed is read
    from its stored counts once they exist (``evaluation.settled``); its
    ``computed_at`` then says when they were counted.
    """
    start, end = period.bounds(tz)
    d = Department
    with db.reading() as session:
        departments = [row for row in session.execute(select(d.id, d.code, d.name, d.kind, d.tier, d.active)
                                                      .order_by(d.id))
                       if department_id is None or row.id == department_id]
    settled = is_settled(period, now, tz, rules.settle_days)
    stored = settled_months.load(db, period) if settled else {}
    if stored and all(d.id in stored or not d.active for d in departments):
        found = {d.id: (stored[d.id].counts, stored[d.id].handling_seconds) for d in departments if d.id in stored}
        computed_at = min(stored[d].computed_at for d in found)
    else:
        found = _count(db, rules, start, end, now, department_id)
        computed_at = now
        if settled and department_id is None:
            settled_months.save(db, period, [(d.id, *found.get(d.id, (dict.fromkeys(FLAGS, 0), None)))
                                             for d in departments], now)
    rows = []
    for department in departments:
        if not department.active and department.id not in found:
            continue
        unit = Unit(department.id, department.code, department.name, department.kind, department.tier)
        counts, handling = found.get(department.id, (None, None))
        counts = {name: int((counts or {}).get(name, 0)) for name in FLAGS}
        rows.append(Figures(unit, counts, handling))
    return Scorecard(period, start, end, computed_at, tuple(rows), _totals(rows), {r.unit.id: r for r in rows})


def _count(db: Database, rules: Rules, start: datetime, end: datetime, now: datetime,
           department_id: int | None) -> dict[int, tuple[dict[str, int], float | None]]:
    """The flag sums and mean handling seconds per department: the one grouped query."""
    records = records_query(rules, start, end, now, department_id=department_id).subquery("records")
    sums = [func.coalesce(func.sum(records.c[name]), 0).label(name) for name in FLAGS]
    query = (select(records.c.department_id, func.avg(records.c.handling_seconds).label("handling_seconds"), *sums)
             .group_by(records.c.department_id))
    with db.reading() as session:
        analytic(session)
        return {row.department_id: ({name: int(getattr(row, name)) for name in FLAGS},
                                    float(row.handling_seconds) if row.handling_seconds is not None else None)
                for row in session.execute(query)}


def _totals(rows: list[Figures]) -> Figures:
    counts = {name: sum(r.counts[name] for r in rows) for name in FLAGS}
    replied = [(r.handling_seconds, r.counts["replied"]) for r in rows if r.handling_seconds is not None]
    weight = sum(n for _, n in replied)
    average = sum(s * n for s, n in replied) / weight if weight else None
    return Figures(CITY, counts, average)


RATE_NAMES = tuple(f.name for f in FIGURES if f.kind is Kind.RATE)
