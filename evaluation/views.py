"""What each evaluation page shows, gathered in one call the handler runs off the event loop.

Handlers stay thin (parse, check access, read the clock once, call one of
these, render); access rules that depend on data (a department sees only its
own scorecard) are checked here, next to the data.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from evaluation.charts import bar_chart
from evaluation.figures import FIGURES
from evaluation.hotline import HotlineFigures, hotline_figures
from evaluation.models import Exclusion
from evaluation.periods import Period
from evaluation.queries import (Candidate, RecordPage, misrouted_candidates, pending_exclusions,
                                period_exclusions, records)
from evaluation.ranking import Ranked, Ranking, rank
from evaluation.rules import Rules, load_rules
from evaluation.scorecard import compute_scorecard
from evaluation.trends import Trend, trend
from tracking.accounts import Department
from tracking.actions import Actor, NotFound
from tracking.states import Role


@functools.cache
def default_rules() -> Rules:
    """The rules of ``config/data/evaluation.yaml``, read once per process."""
    return load_rules()


def department_by_code(services, code: str, actor: Actor) -> Department:
    """The department a page is about, if the actor may see its scorecard.

    Raises:
        NotFound: unknown code, or another department's (the same answer, so codes cannot be probed).
    """
    with services.db.reading() as session:
        department = session.scalar(select(Department).where(Department.code == code))
    if department is None or (actor.role is Role.DEPARTMENT and department.id != actor.department_id):
        raise NotFound("承办单位不存在或无权查看")
    return department


def ranking_page(services, rules: Rules, period: Period, now: datetime) -> Ranking:
    tz = services.ledger.tz
    current = compute_scorecard(services.db, rules, period, now=now, tz=tz)
    previous = compute_scorecard(services.db, rules, period.previous(), now=now, tz=tz)
    return rank(current, rules, previous)


@dataclass(frozen=True)
class DepartmentPage:
    department: Department
    line: Ranked | None
    trend: Trend
    exclusions: list[Exclusion]
    pending: list[Exclusion]
    computed_at: datetime


def department_page(services, rules: Rules, period: Period, now: datetime, department: Department) -> DepartmentPage:
    """One department's scorecard with its rank in its group, its trends and its exclusions.

    The ranking is computed over every department (a rank needs the others),
    but only this department's line leaves this function.
    """
    ranking = ranking_page(services, rules, period, now)
    tz = services.ledger.tz
    start, end = period.bounds(tz)
    return DepartmentPage(
        department=department, line=ranking.line_for(department.id),
        trend=trend(services.db, rules, period, now=now, tz=tz, department_id=department.id,
                    known=(ranking.scorecard, ranking.previous)),
        exclusions=period_exclusions(services.db, start, end, department_id=department.id,
                                     statuses=("approved", "rejected", "revoked")),
        pending=pending_exclusions(services.db, department_id=department.id), computed_at=now)


def drilldown_page(services, rules: Rules, period: Period, now: datetime, *, flag: str,
                   department: Department | None, page: int) -> RecordPage:
    start, end = period.bounds(services.ledger.tz)
    try:
        return records(services.db, rules, start, end, now, flag=flag,
                       department_id=department.id if department else None, page=page)
    except KeyError:
        raise NotFound("没有这个指标") from None


def city_trend_page(services, rules: Rules, period: Period, now: datetime) -> Trend:
    return trend(services.db, rules, period, now=now, tz=services.ledger.tz)


def hotline_page(services, rules: Rules, period: Period) -> HotlineFigures:
    start, end = period.bounds(services.ledger.tz)
    return hotline_figures(services.db, services.catalogue, rules, start, end,
                           calls=getattr(services, "call_figures", None))


@dataclass(frozen=True)
class ExclusionsPage:
    pending: list[Exclusion]
    candidates: list[Candidate]
    decided: list[Exclusion]
    departments: list[Department]


def exclusions_page(services, rules: Rules, period: Period, now: datetime) -> ExclusionsPage:
    start, end = period.bounds(services.ledger.tz)
    with services.db.reading() as session:
        departments = list(session.scalars(select(Department).order_by(Department.kind, Department.id)))
    return ExclusionsPage(
        pending=pending_exclusions(services.db),
        candidates=misrouted_candidates(services.db, rules, start, end, now),
        decided=period_exclusions(services.db, start, end, statuses=("approved", "rejected", "revoked")),
        departments=departments)


def own_department_code(services, actor: Actor) -> str:
    """The code of a department user's own department.

    Raises:
        NotFound: the account belongs to no department.
    """
    with services.db.reading() as session:
        department = session.get(Department, actor.department_id) if actor.department_id else None
    if department is None:
        raise NotFound("账号未关联承办单位")
    return department.code


def flag_label(flag: str) -> str:
    """What the tickets of a drill-down are, in words (e.g. 超期办结 for ``overdue``)."""
    for spec in FIGURES:
        if spec.bad == flag:
            return spec.bad_label
    labels = {"received": "受理工单", "sign_in_due": "应签收工单", "signed_in_on_time": "及时签收工单",
              "reply_due": "应办结工单", "replied_on_time": "按时办结工单", "response_due": "应响应工单",
              "responded_in_time": "及时响应工单", "called_back": "已回访工单", "resolved": "已解决工单",
              "satisfied": "满意工单", "replied": "已答复工单", "misrouted": "退单后已改派的工单"}
    return labels.get(flag, flag)


def hotline_charts(figures: HotlineFigures) -> dict[str, str]:
    """SVG bar charts of the hotline figures, keyed by section."""
    return {
        "channel": bar_chart([(s.label, s.count) for s in figures.by_channel], title="受理渠道"),
        "category": bar_chart([(s.label, s.count) for s in figures.by_category], title="诉求分类"),
        "district": bar_chart([(s.label, s.count) for s in figures.by_district], title="所在区县"),
        "outcome": bar_chart([(s.label, s.count) for s in figures.by_outcome], title="办理方式"),
    }
