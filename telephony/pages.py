"""Pages and JSON of the call figures (话务统计) and the missed-call list (漏话回拨)."""
from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp_jinja2
from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok
from hotline.web.security import current_actor, requires
from telephony import openapi_specs as spec
from telephony.agent_calls import MISSED_CALLBACK_WINDOW, call_back_missed
from telephony.queries import current_breaks
from telephony.reports import SERVICE_TARGETS, figures_report, period
from telephony.routes import routes
from telephony.runtime import TELEPHONY
from tracking.actions import LedgerError
from tracking.states import Role

READERS = (Role.SUPERVISOR, Role.ADMIN)
CALLERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@routes.api("GET", "/api/v1/telephony/figures", spec.FIGURES)
@requires(*READERS)
async def figures_json(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    tz = services.ledger.tz
    start, end = period(request.query.get("from"), request.query.get("to"), tz, now)
    return json_ok(await run_blocking(figures_report, services.db, start, end, tz, now))


@routes.table.get("/telephony/figures")
@requires(*READERS)
async def figures_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    tz = services.ledger.tz
    try:
        start, end = period(request.query.get("from"), request.query.get("to"), tz, now)
        error = None
    except LedgerError as exc:
        start, end = period(None, None, tz, now)
        error = exc.message
    report = await run_blocking(figures_report, services.db, start, end, tz, now)
    breaks = await run_blocking(current_breaks, services.db)
    response = aiohttp_jinja2.render_template("telephony/figures.html", request, {
        "breaks": breaks,
        "report": report, "missed": _missed_rows(report), "start": start.astimezone(tz).date(),
        "last_day": (end - timedelta(seconds=1)).astimezone(tz).date(), "error": error,
        "targets": SERVICE_TARGETS, "telephony": request.app[TELEPHONY].status})
    response.set_status(400 if error else 200)
    return response


@routes.table.get("/telephony/missed")
@requires(*CALLERS)
async def missed_page(request: web.Request) -> web.Response:
    return await _render_missed(request, message=request.query.get("called"), error=None)


@routes.table.post("/telephony/missed/callback")
@requires(*CALLERS)
async def missed_callback_form(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    now = services.clock()
    try:
        result = await call_back_missed(services, request.app[TELEPHONY].control, str(form.get("number", "")),
                                        actor=actor, now=now)
    except LedgerError as exc:
        return await _render_missed(request, message=None, error=exc.message, status=exc.http_status)
    raise web.HTTPSeeOther(f"/telephony/missed?called={result['number']}")


async def _render_missed(request: web.Request, *, message: str | None, error: str | None,
                         status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    tz = services.ledger.tz
    report = await run_blocking(figures_report, services.db, now - MISSED_CALLBACK_WINDOW, now, tz, now)
    telephony = request.app[TELEPHONY]
    response = aiohttp_jinja2.render_template("telephony/missed.html", request, {
        "missed": _missed_rows(report), "called": message, "error": error, "telephony": telephony.status,
        "dialling": telephony.control.kind != "console"})
    response.set_status(status)
    return response


def _missed_rows(report: dict) -> list[dict]:
    """The report's missed calls with real datetimes, for the ``local`` filter."""
    return [{**m, "first_missed_at": datetime.fromisoformat(m["first_missed_at"]),
             "last_missed_at": datetime.fromisoformat(m["last_missed_at"])} for m in report["missed"]]
