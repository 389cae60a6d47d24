"""Pages for the knowledge team: the month's top unanswered questions, and a reply made a draft."""
from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp_jinja2
from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from knowledge import actions as act
from knowledge.routes import routes
from knowledge.topics import unanswered_topics
from tracking.actions.errors import InvalidInput
from tracking.queries import ticket_by_number
from tracking.states import Role

TEAM = (Role.SUPERVISOR, Role.ADMIN)


@routes.table.get("/knowledge/unanswered")
@requires(*TEAM)
@aiohttp_jinja2.template("knowledge/unanswered.html")
async def unanswered(request: web.Request) -> dict:
    services = request.app[SERVICES]
    now = services.clock()
    tz = services.knowledge.tz
    start = _month_start(request.query.get("month"), now, tz)
    end = _next_month(start)
    report = await run_blocking(unanswered_topics, services.knowledge, start, end, now=now)
    previous = _month_start(None, start - timedelta(days=1), tz)
    return {"report": report, "month": start.strftime("%Y-%m"), "previous": previous.strftime("%Y-%m"),
            "next": end.strftime("%Y-%m") if end <= now else None}


@routes.table.get("/knowledge/from-ticket/{number}")
@requires(*TEAM)
@aiohttp_jinja2.template("knowledge/from_ticket.html")
async def from_ticket_page(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    return {"ticket": ticket}


@routes.table.post("/knowledge/from-ticket/{number}")
@requires(*TEAM)
async def from_ticket(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    now = services.clock()
    article = await run_blocking(act.draft_from_ticket, services.knowledge, ticket.id, actor=actor, now=now)
    raise web.HTTPSeeOther(f"/knowledge/{article.id}")


def _month_start(value: str | None, now: datetime, tz) -> datetime:
    """Midnight on the first day of the month ``YYYY-MM`` (default: now's month), in the city's zone."""
    local = now.astimezone(tz)
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            local = local.replace(year=year, month=month, day=1)
        except ValueError:
            raise InvalidInput("月份格式应为 YYYY-MM") from None
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
