"""Pages of the supervision office (/evaluation...) and a department's own scorecard.

Supervisors and admins see every department; department staff see only their
own scorecard, its tickets and its exclusion requests; agents see none.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from evaluation import views
from evaluation.figures import FIGURES, RATE_FIGURES
from evaluation.models import EXCLUSION_STATUS_LABELS
from evaluation.periods import PeriodError, last_complete_month, parse_period
from evaluation.records import FLAGS
from evaluation.report import RANKING_FIGURES, format_value, percent
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import query_int
from hotline.web.security import current_actor, requires
from tracking.actions import InvalidInput
from evaluation.routing import OFFICE, VIEWERS, routes
from tracking.states import Role


def period_of(request: web.Request, now):
    """The ``period`` query parameter, by default the last complete month.

    Raises:
        InvalidInput: the text names no period.
    """
    text = request.query.get("period", "").strip()
    if not text:
        return last_complete_month(now, request.app[SERVICES].ledger.tz)
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise InvalidInput(str(exc)) from None


def _context(request: web.Request, period, **extra) -> dict:
    return {"period": period, "figures": {f.name: f for f in FIGURES}, "ranking_figures": RANKING_FIGURES,
            "rate_figures": [f.name for f in RATE_FIGURES], "format_value": format_value, "percent": percent,
            "rules": views.default_rules(), "status_labels": EXCLUSION_STATUS_LABELS,
            "next_url": _without_error(request), **extra}


def _without_error(request: web.Request) -> str:
    """Where forms on the page send the user back to: this page, without a previous error message."""
    query = {k: v for k, v in request.query.items() if k != "error"}
    return str(request.rel_url.with_query(query))


@routes.table.get("/evaluation")
@requires(*VIEWERS)
async def ranking(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    period = period_of(request, now)
    if actor.role is Role.DEPARTMENT:
        code = await run_blocking(views.own_department_code, services, actor)
        raise web.HTTPFound(f"/evaluation/departments/{code}?period={period.key}")
    result = await run_blocking(views.ranking_page, services, views.default_rules(), period, now)
    return aiohttp_jinja2.render_template("evaluation/ranking.html", request, _context(
        request, period, ranking=result))


@routes.table.get("/evaluation/departments/{code}")
@requires(*VIEWERS)
@aiohttp_jinja2.template("evaluation/department.html")
async def department(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    period = period_of(request, now)
    found = await run_blocking(views.department_by_code, services, request.match_info["code"], actor)
    page = await run_blocking(views.department_page, services, views.default_rules(), period, now, found)
    charts = [Markup(page.trend.chart(f.name, width=420, height=200)) for f in RATE_FIGURES]
    return _context(request, period, page=page, is_office=actor.role in OFFICE, charts=charts)


@routes.table.get("/evaluation/tickets")
@requires(*VIEWERS)
@aiohttp_jinja2.template("evaluation/tickets.html")
async def tickets(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    period = period_of(request, now)
    flag = request.query.get("flag", "received")
    if flag not in FLAGS:
        raise InvalidInput("没有这个指标")
    code = request.query.get("department", "")
    found = None
    if code or actor.role is Role.DEPARTMENT:
        code = code or await run_blocking(views.own_department_code, services, actor)
        found = await run_blocking(views.department_by_code, services, code, actor)
    result = await run_blocking(views.drilldown_page, services, views.default_rules(), period, now, flag=flag,
                                department=found, page=query_int(request, "page", 1))
    return _context(request, period, page=result, flag=flag, flag_label=views.flag_label(flag),
                    department=found)


@routes.table.get("/evaluation/trends")
@requires(*OFFICE)
@aiohttp_jinja2.template("evaluation/trends.html")
async def trends(request: web.Request) -> dict:
    services = request.app[SERVICES]
    now = services.clock()
    period = period_of(request, now)
    result = await run_blocking(views.city_trend_page, services, views.default_rules(), period, now)
    return _context(request, period, trend=result, charts=[Markup(result.chart(f.name)) for f in FIGURES])


@routes.table.get("/evaluation/hotline")
@requires(*OFFICE)
@aiohttp_jinja2.template("evaluation/hotline.html")
async def hotline(request: web.Request) -> dict:
    services = request.app[SERVICES]
    period = period_of(request, services.clock())
    result = await run_blocking(views.hotline_page, services, views.default_rules(), period)
    charts = {key: Markup(svg) for key, svg in views.hotline_charts(result).items()}
    return _context(request, period, hotline=result, charts=charts)


@routes.table.get("/evaluation/exclusions")
@requires(*OFFICE)
@aiohttp_jinja2.template("evaluation/exclusions.html")
async def exclusions(request: web.Request) -> dict:
    services = request.app[SERVICES]
    now = services.clock()
    period = period_of(request, now)
    result = await run_blocking(views.exclusions_page, services, views.default_rules(), period, now)
    return _context(request, period, page=result, error=request.query.get("error"))

